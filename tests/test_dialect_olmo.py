"""OLMo: the mapping against ai2-olmo 0.6's own get_lr, stepped as
Trainer.fit steps it (tests/golden/frameworks/olmo.json), and the YAML
dialect against hand calculations from olmo/optim.py and olmo/train.py (the
real values for the fixtures are in tests/test_from_golden.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, olmo
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent
FIXTURES = ROOT / "fixtures" / "configs" / "olmo"
CASES = json.loads((ROOT / "golden" / "frameworks" / "olmo.json").read_text())["cases"]
COVERED = 53  # every case


def _mapped(case: dict):
    if "tokens_per_batch" in case:
        return olmo.scheduler(case["scheduler"], case["args"], case["initial_lr"], case["max_tokens"],
                              case["tokens_per_batch"])
    return olmo.scheduler(case["scheduler"], case["args"], case["initial_lr"], case["max_steps"])


def test_mapping_equals_olmo_at_every_update():
    reproduced, refused = 0, set()
    for case in CASES:
        try:
            curve = _mapped(case)
        except Unsupported:
            refused.add(case["scheduler"])
            continue
        ours = evaluate(curve.schedule, steps=case["steps"], **curve.params)
        theirs = np.asarray(case["lr"])
        bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
        assert bad.size == 0, f"{case['id']} step {bad[0]}: lrplot {ours[bad[0]]!r}, OLMo {theirs[bad[0]]!r}"
        reproduced += 1
    assert reproduced >= COVERED, f"{reproduced} of {len(CASES)} reproduced"
    assert not refused, refused


def lrs(*args: str, cwd: Path | None = None) -> list[float]:
    result = run("-o", "-", *args, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def test_tiny_config_update_t_uses_step_t_plus_1():
    # lr 1e-3, t_warmup 10 from 10% of lr, alpha_f 0.1, max_duration 16, stop_at ${max_duration}.
    lr = lrs("--from", str(FIXTURES / "olmo-test-reverse-wd-tiny-cosine-int-steps.yaml"))
    assert len(lr) == 16
    assert lr[0] == pytest.approx(1e-4 + 9e-4 * 1 / 10, rel=1e-12)  # step 1, not step 0
    assert lr[8] == pytest.approx(1e-4 + 9e-4 * 9 / 10, rel=1e-12)
    assert lr[9] == pytest.approx(1e-3, rel=1e-12)  # step 10: the cosine's start
    assert lr[12] == pytest.approx(1e-4 + 9e-4 * (1 + math.cos(math.pi * 3 / 6)) / 2, rel=1e-12)
    assert lr[15] == pytest.approx(1e-4, rel=1e-12)  # step 16 = max_steps: alpha_f * lr


def test_composer_era_config_is_run_by_composer():
    # t_warmup 100ba, max_duration 24800ba, lr 2e-4, alpha_f 0.1; update t uses batch t - 1 (0 for t = 0).
    lr = lrs("--from", str(FIXTURES / "olmo-1.2b-c4-cosine-composer-units.yaml"))
    assert len(lr) == 24800
    assert lr[0] == 0.0 and lr[1] == 0.0
    assert lr[2] == pytest.approx(2e-4 / 100, rel=1e-12)
    assert lr[101] == pytest.approx(2e-4, rel=1e-12)
    assert lr[24799] == pytest.approx(2e-5 + 1.8e-4 * (1 + math.cos(math.pi * 24698 / 24700)) / 2, rel=1e-12)


def test_cosine_t_max_between_updates(tmp_path):
    # 4 x 8 = 32 tokens an update, update t at token (t + 1) x 32. t_warmup 64 tokens, t_max 100 tokens
    # (3.125 updates): 0.05 at token 32, 0.1 at 64, at 96 the cosine over 100 - 64 = 36 tokens is at
    # 32 / 36, and from token 128 on the floor alpha_f x lr = 0.01.
    name = _yaml(tmp_path, "  name: cosine_with_warmup\n  units: tokens\n  t_warmup: 64\n  t_max: 100\n"
                           "  alpha_f: 0.1\n  warmup_min_lr: 0.0")
    lr = lrs("--from", name, cwd=tmp_path)
    expected = [0.05, 0.1, 0.01 + 0.09 * (1 + math.cos(math.pi * 32 / 36)) / 2] + [0.01] * 7
    assert lr == pytest.approx(expected, rel=1e-12)


def test_linear_t_max_between_updates_is_one_line(tmp_path):
    name = _yaml(tmp_path, "  name: linear_with_warmup\n  units: tokens\n  t_warmup: 64\n  t_max: 100")
    assert_usage_error(run("-o", "-", "--from", name, cwd=tmp_path),
                       "scheduler: t_max 100 tokens is not a whole number of updates of 32 tokens (3.125): not supported yet")


def _yaml(tmp_path: Path, scheduler: str, rest: str = "max_duration: 10\nstop_at: 10") -> str:
    (tmp_path / "olmo.yaml").write_text(
        "model:\n  max_sequence_length: 8\noptimizer:\n  name: adamw\n  learning_rate: 0.1\n"
        f"scheduler:\n{scheduler}\nglobal_train_batch_size: 4\n{rest}\n"
    )
    return "olmo.yaml"


def test_token_units_and_fit_running_ten_steps_past_max_duration(tmp_path):
    # 4 x 8 = 32 tokens a step: t_warmup 64 tokens = 2 steps, max_duration 320T = 10 steps; no stop_at: 20 updates.
    name = _yaml(tmp_path, "  name: linear_with_warmup\n  units: tokens\n  t_warmup: 64\n  alpha_f: 0.0",
                 "max_duration: 320T")
    lr = lrs("--from", name, cwd=tmp_path)
    assert len(lr) == 20
    assert lr[0] == pytest.approx(0.01 + 0.09 * 32 / 64, rel=1e-12)
    assert lr[1] == pytest.approx(0.1, rel=1e-12)
    assert lr[5] == pytest.approx(0.1 * (1 - 4 / 8), rel=1e-12)
    assert lr[9:] == [0.0] * 11


def test_inverse_sqrt_and_stop_after(tmp_path):
    name = _yaml(tmp_path, "  name: inverse_sqrt_with_warmup\n  t_warmup: 4\n  warmup_min_lr: 0.0",
                 "max_duration: 1000\nstop_after: 16")
    lr = lrs("--from", name, cwd=tmp_path)
    assert len(lr) == 16
    assert lr[0] == pytest.approx(0.1 / 4, rel=1e-12)
    assert lr[3] == pytest.approx(0.1, rel=1e-12)
    assert lr[15] == pytest.approx(0.1 * math.sqrt(4 / 16), rel=1e-12)


def test_omegaconf_numbers_and_references(tmp_path):
    # "1e1" is a number to OmegaConf (a string to YAML 1.1); stop_at follows ${max_duration}.
    name = _yaml(tmp_path, "  name: constant_with_warmup\n  t_warmup: 1e1\n  warmup_min_lr: 0.0",
                 "max_duration: 20\nstop_at: ${max_duration}")
    lr = lrs("--from", name, cwd=tmp_path)
    assert lr == pytest.approx([0.1 * min(t + 1, 10) / 10 for t in range(20)], rel=1e-12)


def test_cosine_linear_envelope(tmp_path):
    # t_warmup 4 from 0.01, t_max 12, alpha_f 0.1; update t uses step t + 1. Past the warmup, with
    # x = (s - 4) / 8: 0.01 + (1 - x) x 0.09 x (1 + cos(pi x)) / 2, then 0.01 from step 12 on.
    name = _yaml(tmp_path, "  name: cosine_linear_envelope\n  t_warmup: 4\n  t_max: 12\n  alpha_f: 0.1\n"
                 "  warmup_min_lr: 0.01", "max_duration: 20\nstop_at: 16")

    def olmo_lr(s: int) -> float:
        if s < 4:
            return 0.01 + 0.09 * s / 4
        x = min(s - 4, 8) / 8
        return 0.01 + (1 - x) * 0.09 * (1 + math.cos(math.pi * x)) / 2

    expected = [olmo_lr(t + 1) for t in range(16)]
    assert lrs("--from", name, cwd=tmp_path) == pytest.approx(expected, rel=1e-12)
    printed = run("translate", name, cwd=tmp_path)
    assert printed.exit_code == 0, printed.stderr
    assert "schedule: cosine-linear-envelope" in printed.stdout
    (tmp_path / "mine.yaml").write_text(printed.stdout)
    assert lrs("--config", "mine.yaml", cwd=tmp_path) == pytest.approx(expected, rel=1e-12)


def test_translate_names_the_source_keys():
    printed = run("translate", str(FIXTURES / "olmo-test-reverse-wd-tiny-cosine-int-steps.yaml"))
    assert printed.exit_code == 0, printed.stderr
    assert "steps: 16  # stop_at" in printed.stdout
    assert "warmup_start_lr: 0.0001  # 10% of learning_rate (warmup_min_lr unset)" in printed.stdout


@pytest.mark.parametrize(
    ("scheduler", "rest", "expected"),
    [
        ("  name: max_scheduler", "max_duration: 10", "OLMo scheduler MaxScheduler is not supported yet"),
        ("  name: cosine_annealing", "max_duration: 10", "name 'cosine_annealing' is not an OLMo scheduler"),
        ("  name: constant\n  units: epochs", "max_duration: 10", "scheduler.units 'epochs' is not steps or tokens"),
        ("  name: constant", "max_duration: 2ep", "in epochs (OLMo counts its dataset's instances) is not supported yet"),
        ("  t_warmup: ten", "max_duration: 10", "scheduler.t_warmup: got 'ten', expected a number"),
        ("  t_warmup: 5\n  warmup_min_lr: 0.5", "max_duration: 10", "OLMo's warmup asserts it"),
        ("  t_warmup: 5\n  t_decay: 3", "max_duration: 10", "scheduler.t_decay is not an OLMo scheduler key"),
        ("  t_warmup: 5", "max_duration: [10]", "max_duration: got [10], expected steps"),
        ("  t_warmup: 5", "max_duration: 10\nstop_at: -3", "stop_at: got -3, expected a whole number >= 1"),
        ("  name: constant", "max_duration: 10\nstop_at: ${stop_at}", "stop_at refers to itself"),
        ("  name: cosine_with_warmup\n  units: tokens\n  t_warmup: 33", "max_duration: 320T",
         "t_warmup 33 tokens is not a whole number of updates of 32 tokens"),
    ],
)
def test_refusals_are_one_line(tmp_path, scheduler, rest, expected):
    name = _yaml(tmp_path, scheduler, rest)
    assert_usage_error(run("-o", "-", "--from", name, cwd=tmp_path), expected)


def test_wrong_learning_rate_and_scheduler_types(tmp_path):
    (tmp_path / "a.yaml").write_text("optimizer:\n  learning_rate: fast\nscheduler:\n  t_warmup: 5\nmax_duration: 10\n")
    assert_usage_error(run("-o", "-", "--from", "a.yaml", cwd=tmp_path), "optimizer.learning_rate: got 'fast'")
    (tmp_path / "b.yaml").write_text("optimizer:\n  learning_rate: 0.1\nscheduler: cosine\nmax_duration: 10\n")
    assert_usage_error(run("-o", "-", "--from", "b.yaml", "--dialect", "olmo", cwd=tmp_path),
                       "scheduler must be a mapping")
