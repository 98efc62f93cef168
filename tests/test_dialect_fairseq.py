"""fairseq: the mapping against fairseq 0.12.2's own schedulers
(tests/golden/frameworks/fairseq.json), and the Hydra YAML dialect against
hand calculations from fairseq's step_update (the real values for the
fixtures are in tests/test_from_golden.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, fairseq
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent
FIXTURES = ROOT / "fixtures" / "configs" / "fairseq"
CASES = json.loads((ROOT / "golden" / "frameworks" / "fairseq.json").read_text())["cases"]
# All but the two cosine runs that restart with min_lr > 0 and lr_shrink != 1.
COVERED = 21


def _mapped(case: dict):
    return fairseq.scheduler(case["id"].split("(")[0], case["args"], case["steps"])


def test_mapping_equals_fairseq_at_every_update():
    reproduced, refused = 0, []
    for case in CASES:
        try:
            curve = _mapped(case)
        except Unsupported:
            refused.append(case["id"])
            continue
        ours = evaluate(curve.schedule, steps=case["steps"], **curve.params)
        theirs = np.asarray(case["lr"])
        bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
        assert bad.size == 0, f"{case['id']} step {bad[0]}: lrplot {ours[bad[0]]!r}, fairseq {theirs[bad[0]]!r}"
        reproduced += 1
    assert reproduced >= COVERED, f"{reproduced} of {len(CASES)} reproduced"
    assert len(refused) == len(CASES) - COVERED
    assert all(case.startswith(("cosine(", "tri_stage(")) for case in refused), refused


def test_mapping_refuses_what_fairseq_rejects_or_lrplot_cannot_draw():
    with pytest.raises(Unsupported, match="warmup_updates=0"):
        fairseq.scheduler("inverse_sqrt", {"lr": [0.1], "warmup_updates": 0})
    with pytest.raises(Unsupported, match="several learning rates"):
        fairseq.scheduler("polynomial_decay", {"lr": [0.1, 0.01], "total_num_update": 10})
    with pytest.raises(Unsupported, match="not supported yet"):
        fairseq.scheduler("reduce_lr_on_plateau", {"lr": [0.1]})
    with pytest.raises(Unsupported, match="shrinks the floor"):
        fairseq.scheduler("cosine", {"lr": [0.1], "min_lr": 1e-3, "lr_period_updates": 10}, 100)


def lrs(*args: str) -> list[float]:
    result = run("-o", "-", *args)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def test_roberta_polynomial_starts_at_zero_and_peaks_at_the_warmup_end():
    lr = lrs("--from", str(FIXTURES / "roberta-base-pretrain-polynomial.yaml"))
    assert len(lr) == 125000
    assert lr[0] == 0.0
    assert lr[1] == pytest.approx(5e-4 / 10000, rel=1e-12)
    assert lr[10000] == pytest.approx(5e-4, rel=1e-12)
    assert lr[124999] == pytest.approx(5e-4 * 1 / 115000, rel=1e-9)


def test_tri_stage_phases_from_phase_ratio():
    # max_update 20000, phase_ratio [0.1, 0.4, 0.5] -> 2000 / 8000 / 10000; lr 5e-5, init 0.01, final 0.05.
    lr = lrs("--from", str(FIXTURES / "wav2vec2-finetune-base_10h-tri-stage.yaml"))
    peak = 5e-5
    assert lr[0] == pytest.approx(0.01 * peak, rel=1e-12)
    assert lr[1000] == pytest.approx(0.01 * peak + (peak - 0.01 * peak) / 2000 * 1000, rel=1e-12)
    assert lr[2000] == lr[9999] == pytest.approx(peak, rel=1e-12)
    assert lr[15000] == pytest.approx(peak * math.exp(math.log(0.05) / 10000 * 5000), rel=1e-12)


def test_tri_stage_decay_end_is_inclusive_then_final_lr_scale_holds(tmp_path):
    config = tmp_path / "tri.yaml"
    text = ("optimization:\n  max_update: {}\n  lr: [0.1]\nlr_scheduler:\n  _name: tri_stage\n"
            "  warmup_steps: 2\n  hold_steps: 3\n  decay_steps: 10\n  final_lr_scale: 0.1\n")
    config.write_text(text.format(16))
    lr = lrs("--from", str(config))
    assert lr[15] == pytest.approx(0.1 * math.exp(math.log(0.1) / 10 * 10), rel=1e-12)  # decay end inclusive
    config.write_text(text.format(18))
    lr = lrs("--from", str(config))
    assert lr[15] == pytest.approx(0.1 * math.exp(math.log(0.1) / 10 * 10), rel=1e-12)
    assert lr[16:] == pytest.approx([0.1 * 0.1] * 2, rel=1e-12)  # final_lr_scale x lr after the decay


def test_composite_pass_through_uses_the_group_lr_float_and_scheduler():
    lr = lrs("--from", str(FIXTURES / "data2vec2-base-images-composite-cosine-pass-through.yaml"))
    assert len(lr) == 375300
    assert lr[25020] == pytest.approx(1e-3 * 25020 / 50040, rel=1e-12)
    period = 375300 - 50040
    assert lr[50040 + period // 2] == pytest.approx(0.5e-3 * (1 + math.cos(math.pi * (period // 2) / period)), rel=1e-12)


def test_interpolation_and_omegaconf_numbers(tmp_path):
    config = tmp_path / "inv.yaml"
    config.write_text("optimization:\n  max_update: 20\n  lr: [5e-4]\nlr_scheduler:\n  _name: inverse_sqrt\n"
                      "  warmup_updates: 4\n  warmup_init_lr: 1e-7\n")
    lr = lrs("--from", str(config))
    assert lr[2] == pytest.approx(1e-7 + 2 * (5e-4 - 1e-7) / 4, rel=1e-12)
    assert lr[16] == pytest.approx(5e-4 * 4 ** 0.5 * 16 ** -0.5, rel=1e-12)


@pytest.mark.parametrize(("text", "expected"), [
    ("optimization:\n  max_update: 10\nlr_scheduler:\n  _name: reduce_lr_on_plateau\n", "not supported yet"),
    ("optimization:\n  max_epoch: 10\n  lr: [0.1]\nlr_scheduler:\n  _name: cosine\n", "max_epoch"),
    ("optimization:\n  max_update: 10\n  lr: [0.1]\nlr_scheduler:\n  _name: cosine\n  bogus: 1\n", "bogus"),
    ("optimization:\n  max_update: 10\n  lr: [0.1]\nlr_scheduler:\n  _name: inverse_sqrt\n  warmup_updates: 0\n",
     "warmup_updates=0"),
    ("optimization:\n  max_update: 10\n  lr: [0.1]\nlr_scheduler: pass_through\noptimizer:\n  _name: adam\n",
     "composite"),
    # Periods 4, 2, 1, ... add up to 8 updates: fairseq's log(1 - c / 4 x 0.5, 0.5) fails at c = 8.
    ("optimization:\n  max_update: 10\n  lr: [0.1]\nlr_scheduler:\n  _name: cosine\n  lr_period_updates: 4\n"
     "  t_mult: 0.5\n", "math domain error) at step_update(8)"),
    ("optimization:\n  max_update: 7\n  lr: [0.1]\nlr_scheduler:\n  _name: cosine\n  lr_period_updates: 4\n"
     "  t_mult: 0.5\n", "t_mult=0.5 (periods that shrink, restarting between updates) is not supported yet"),
])
def test_refusals_are_one_line(tmp_path, text, expected):
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    assert_usage_error(run("-o", "-", "--from", str(config)), expected)
