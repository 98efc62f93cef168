"""Megatron-LM: the mapping against megatron-core 0.16.1's own
OptimizerParamScheduler (tests/golden/frameworks/megatron-core.json), and the
launch-script dialect against hand calculations from its get_lr (the real
values for the fixtures are in tests/test_from_golden.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, megatron
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent
FIXTURES = ROOT / "fixtures" / "configs" / "megatron"
CASES = json.loads((ROOT / "golden" / "frameworks" / "megatron-core.json").read_text())["cases"]
# Refused: inverse-square-root runs drawn past lr_decay_steps (10, two of them
# with a ramping batch) and WSD's exponential decay (3).
COVERED = 41


def _mapped(case: dict, steps: int):
    increments = set(case["increments"])
    if len(increments) != 1:
        given = case["megatron_args"]
        ramp = megatron.Ramp(*given["rampup_batch_size"], given["global_batch_size"]).checked()
        return megatron.ramped(case["args"], ramp, steps)
    return megatron.scheduler(case["args"], increments.pop(), steps)


def _compare(case: dict, steps: int) -> None:
    curve = _mapped(case, steps)
    ours = evaluate(curve.schedule, steps=steps, **curve.params)
    theirs = np.asarray(case["lr"][:steps])
    bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
    assert bad.size == 0, f"{case['id']} step {bad[0]}: lrplot {ours[bad[0]]!r}, megatron {theirs[bad[0]]!r}"


def test_mapping_equals_megatron_at_every_update():
    reproduced, refused = 0, []
    for case in CASES:
        try:
            _compare(case, case["steps"])
        except Unsupported:
            refused.append(case["id"])
            continue
        reproduced += 1
    assert reproduced >= COVERED, f"{reproduced} of {len(CASES)} reproduced"
    assert all("inverse-square-root" in c or "exponential" in c or "rampup" in c for c in refused), refused


def _within_decay(case: dict) -> int:
    """The updates before the samples consumed pass lr_decay_steps (min_lr after it)."""
    consumed = 0
    for updates, increment in enumerate([0, *case["increments"]]):
        consumed += increment
        if consumed > case["args"]["lr_decay_steps"]:
            return updates
    return len(case["lr"])


def test_inverse_square_root_within_its_decay_equals_megatron():
    cases = [case for case in CASES if "inverse-square-root" in case["id"]]
    assert len(cases) == 10 and sum("rampup" in case["id"] for case in cases) == 2
    for case in cases:
        _compare(case, _within_decay(case))


def lrs(*args: str) -> list[float]:
    result = run("-o", "-", *args)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def test_gpt_345m_warmup_fraction_of_the_decay_iterations():
    # --train-iters 500000 --lr-decay-iters 320000 --lr-warmup-fraction .01 -> 3200 warmup iterations, cosine.
    lr = lrs("--from", str(FIXTURES / "pretrain-gpt-345m-cosine-decay-iters.sh"))
    assert len(lr) == 500000
    assert lr[0] == 0.0
    assert lr[1600] == pytest.approx(1.5e-4 / 2, rel=1e-12)
    assert lr[3200] == pytest.approx(1.5e-4, rel=1e-12)
    ratio = (200000 - 3200) / (320000 - 3200)
    assert lr[200000] == pytest.approx(1e-5 + 0.5 * (math.cos(math.pi * ratio) + 1) * (1.5e-4 - 1e-5), rel=1e-12)
    assert lr[320001] == lr[499999] == pytest.approx(1e-5, rel=1e-12)


def test_sample_based_run_without_ramp(tmp_path):
    script = tmp_path / "train.sh"
    script.write_text("torchrun pretrain_gpt.py --global-batch-size 16 --train-samples 1_600 --lr 1e-3 "
                      "--min-lr 1e-4 --lr-decay-style linear --lr-warmup-samples 160 --lr-decay-samples 1_280\n")
    lr = lrs("--from", str(script))
    assert len(lr) == 100  # 1600 // 16
    assert lr[5] == pytest.approx(1e-3 * 80 / 160, rel=1e-12)
    assert lr[10] == pytest.approx(1e-3, rel=1e-12)
    assert lr[40] == pytest.approx(1e-4 + (1 - (640 - 160) / (1280 - 160)) * 9e-4, rel=1e-12)
    assert lr[81:] == pytest.approx([1e-4] * 19, rel=1e-12)


def test_sample_based_run_with_a_batch_ramp(tmp_path):
    # Batch 4 up to 8 in one increment after 16 samples: updates consume 4, 4, 4, 4 (to 16; 16 is not
    # past the ramp, int(16 / 16) = 1 increment), then 8s. update_train_iters: 5 updates reach 24
    # samples, then (40 - 24) // 8 = 2 more. Update t runs at the samples consumed before it.
    script = tmp_path / "train.sh"
    script.write_text("python pretrain_gpt.py --global-batch-size 8 --rampup-batch-size 4 4 16 --train-samples 40 "
                      "--lr 0.1 --min-lr 0 --lr-decay-style linear --lr-warmup-samples 8 --lr-decay-samples 40\n")
    lr = lrs("--from", str(script))
    consumed = [0, 4, 8, 12, 16, 24, 32]
    # Warmup 0.1 n / 8 up to n = 8 (inclusive), then linear: 0.1 (1 - (n - 8) / 32).
    assert lr == pytest.approx([0.1 * n / 8 if n <= 8 else 0.1 * (1 - (n - 8) / 32) for n in consumed], rel=1e-12)


def test_inverse_square_root_with_a_batch_ramp(tmp_path, tmp_path_factory):
    # The same ramp (updates at 0, 4, 8, 12, 16 samples, then batches of 8): a warmup of 8 samples
    # (inclusive) from 0, then 0.1 * sqrt(8 / n) on the samples clock; decay ends at 40.
    script = tmp_path / "train.sh"
    script.write_text("python pretrain_gpt.py --global-batch-size 8 --rampup-batch-size 4 4 16 --train-samples 40 "
                      "--lr 0.1 --min-lr 0 --lr-decay-style inverse-square-root --lr-warmup-samples 8 "
                      "--lr-decay-samples 40\n")
    consumed = [0, 4, 8, 12, 16, 24, 32]
    expected = [0.1 * n / 8 if n <= 8 else 0.1 * math.sqrt(8 / n) for n in consumed]
    assert lrs("--from", str(script)) == pytest.approx(expected, rel=1e-12)
    config = tmp_path_factory.mktemp("translated") / "mine.yaml"
    printed = run("translate", str(script))
    assert printed.exit_code == 0, printed.stderr
    config.write_text(printed.stdout)
    assert lrs("--config", str(config)) == pytest.approx(expected, rel=1e-12)


def test_wsd_minus_sqrt(tmp_path):
    script = tmp_path / "train.sh"
    script.write_text("python pretrain_gpt.py --global-batch-size 4 --train-iters 100 --lr 1e-3 --min-lr 0 "
                      "--lr-decay-style WSD --lr-wsd-decay-style minus_sqrt --lr-wsd-decay-iters 20 "
                      "--lr-warmup-iters 10\n")
    lr = lrs("--from", str(script))
    assert lr[80] == pytest.approx(1e-3, rel=1e-12)
    assert lr[85] == pytest.approx(1e-3 * (1 - math.sqrt(5 / 20)), rel=1e-12)


@pytest.mark.parametrize(("flags", "expected"), [
    ("--global-batch-size 8 --train-iters 10 --lr 1e-3 --rampup-batch-size 4 4 100",
     'Megatron asserts "expected no batch-size rampup for iteration-based training"'),
    ("--global-batch-size 8 --train-samples 100 --lr 1e-3 --rampup-batch-size 4 3 100", "a positive multiple of the increment 3"),
    ("--global-batch-size 8 --train-samples 100 --lr 1e-3 --rampup-batch-size 4 4", "takes 3 values"),
    ("--global-batch-size 8 --train-samples 100 --lr 1e-3 --rampup-batch-size 4 4 0", "per increment, 0"),
    ("--global-batch-size 8 --train-samples 100 --lr 1e-3 --rampup-batch-size 4 4 1e3", "expected 3 integers"),
    ("--global-batch-size 8 --train-iters 10 --lr 1e-3 --lr-decay-style WSD --lr-wsd-decay-iters 2",
     "not supported yet"),
    ("--global-batch-size 8 --train-samples 800 --lr 1e-3 --lr-warmup-samples 12 --lr-decay-style inverse-square-root",
     "not supported yet"),
    ("--micro-batch-size 2 --train-samples 800 --lr 1e-3 --lr-decay-style cosine", "--world-size"),
    ("--global-batch-size 8 --train-iters 10 --lr-decay-style cosine --min-lr 0", "--lr is not set"),
])
def test_refusals_are_one_line(tmp_path, flags, expected):
    script = tmp_path / "train.sh"
    script.write_text(f"python pretrain_gpt.py {flags}\n")
    assert_usage_error(run("-o", "-", "--from", str(script)), expected)


def test_hf_scripts_are_not_megatron():
    for path in (ROOT / "fixtures" / "configs" / "hf").glob("*.sh"):
        result = run("translate", str(path))
        assert "megatron" not in result.stdout.lower() + result.stderr.lower(), path
