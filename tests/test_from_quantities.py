"""``--from`` reading momentum, weight decay and parameter groups: what a
framework leaves alone adds no column, and what lrplot cannot hold exact is
a one-line error (exit 2) that names it. Values against the frameworks are in
tests/test_quantities.py (tests/golden/quantities) and tests/test_from_golden.py."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run


def _deepspeed(tmp_path, optimizer: dict | None, **params):
    config = {"train_batch_size": 8, "scheduler": {"type": "OneCycle", "params": {
        "cycle_min_lr": 0.001, "cycle_max_lr": 0.01, "cycle_first_step_size": 10, **params}}}
    if optimizer is not None:
        config["optimizer"] = optimizer
    path = tmp_path / "ds_config.json"
    path.write_text(json.dumps(config))
    return path


def _header(path, *extra):
    result = run("--steps", "30", "-o", "-", "--from", str(path), *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()[0]


def test_deepspeed_onecycle_without_a_named_optimizer_draws_no_momentum(tmp_path):
    # The script's own optimizer may have no betas: DeepSpeed would then cycle nothing.
    assert _header(_deepspeed(tmp_path, None)) == "step,ds_config.json"


def test_deepspeed_onecycle_with_adam_adds_a_momentum_column(tmp_path):
    path = _deepspeed(tmp_path, {"type": "AdamW", "params": {"lr": 0.001}})
    assert _header(path) == "step,ds_config.json,ds_config.json:momentum"


@pytest.mark.parametrize(
    ("optimizer", "params", "expected"),
    [
        ({"type": "Adam"}, {"cycle_min_mom": [0.8, 0.85]}, "OneCycle with a cycle_min_mom per parameter group is not supported yet"),
        ({"type": "Adam"}, {"cycle_momentum": "yes"}, "OneCycle cycle_momentum: got 'yes', expected true or false"),
        ({"type": "Adam"}, {"cycle_max_mom": 0}, "OneCycle momentum from 0.8 to 0.0 is not supported yet"),
        ({"type": "Adam"}, {"cycle_min_mom": "high"}, "cycle_min_mom: got 'high', expected a number"),
        ({"type": "Adam"}, {"decay_mom_rate": -1, "decay_step_size": 5},
         "OneCycle with decay_mom_rate -1.0 and decay_step_size 5.0 is not supported yet"),
        ({"type": "FancyOpt"}, {}, "OneCycle momentum with optimizer 'FancyOpt' is not supported yet"),
    ],
)
def test_deepspeed_momentum_that_lrplot_cannot_hold_is_one_line(tmp_path, optimizer, params, expected):
    path = _deepspeed(tmp_path, optimizer, **params)
    out = tmp_path / "x.csv"
    result = run("--steps", "30", "-o", str(out), "--from", str(path))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"lrplot: error: --from {path}: scheduler OneCycle: "), result.stderr
    assert expected in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert not out.exists()
