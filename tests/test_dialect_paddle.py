"""PaddlePaddle / PaddleClas / PaddleOCR: the mapping against paddle 3.3.1's
own schedulers and the ported PaddleClas builder, stepped as the engine
steps them (tests/golden/frameworks/paddle.json), and the YAML dialect
against hand calculations from ppcls/ppocr's learning_rate.py (the real
values for the fixtures are in tests/test_from_golden.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, paddle
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent
FIXTURES = ROOT / "fixtures" / "configs" / "paddle"
GOLDEN = json.loads((ROOT / "golden" / "frameworks" / "paddle.json").read_text())
# Refused: a CosineAnnealingDecay run past T_max (Paddle's rises again; 9 cases, 8 LinearWarmup + the legacy
# PaddleClas Cosine whose warmup is 2 iterations) and a LinearWarmup to an end_lr other than a MultiStepDecay's lr.
COVERED = 24


def _curve(case: dict) -> paddle.Curve:
    if case["scheduler"].startswith("ppcls."):
        args = case["args"]
        # The golden builder is PaddleClas's first LRBase (commit 0776f1c): legacy=True.
        curve, total = paddle.builder(args["lr"], args["epochs"], args["step_each_epoch"], legacy=True)
        assert total == case["steps"]
        return curve
    return paddle.scheduler(case["scheduler"], case["args"], case["steps"])


def test_mapping_equals_paddle_at_every_update():
    reproduced, refused = 0, []
    for case in GOLDEN["cases"]:
        try:
            curve = _curve(case)
        except Unsupported as error:
            refused.append((case["id"], str(error)))
            continue
        ours = evaluate(curve.schedule, steps=case["steps"], **curve.params)
        theirs = np.asarray(case["lr"])
        bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
        assert bad.size == 0, f"{case['id']} step {bad[0]}: lrplot {ours[bad[0]]!r}, Paddle {theirs[bad[0]]!r}"
        reproduced += 1
    assert reproduced >= COVERED, f"{reproduced} of {len(GOLDEN['cases'])} reproduced"
    assert all("past T_max" in why or "end_lr=0.05" in why for _, why in refused), refused


def test_cosine_past_t_max_is_refused_not_clamped():
    with pytest.raises(Unsupported, match="past T_max"):
        paddle.scheduler("CosineAnnealingDecay", {"learning_rate": 0.1, "T_max": 10}, 12)
    curve = paddle.scheduler("CosineAnnealingDecay", {"learning_rate": 0.1, "T_max": 10}, 11)
    assert curve.params["decay_steps"] == 10


def test_current_paddleclas_warms_up_for_epochs_of_iterations():
    # ppcls LRBase (develop): warmup_steps = round(warmup_epoch * step_each_epoch) without by_epoch.
    curve, total = paddle.builder({"name": "Cosine", "learning_rate": 0.4, "warmup_epoch": 2}, 10, 5)
    assert total == 50
    lr = evaluate(curve.schedule, steps=total, **curve.params)
    assert lr[0] == 0.0 and lr[5] == pytest.approx(0.2, rel=1e-12)
    assert lr[10] == pytest.approx(0.4, rel=1e-12)
    assert lr[49] == pytest.approx(0.2 * (1 + math.cos(math.pi * 39 / 40)), rel=1e-12)


def test_by_epoch_steps_once_an_epoch():
    curve, _ = paddle.builder({"name": "MultiStepDecay", "learning_rate": 0.1, "milestones": [2], "gamma": 0.5,
                               "by_epoch": True}, 4, 3)
    lr = evaluate(curve.schedule, steps=12, **curve.params)
    assert list(lr[:6]) == [0.1] * 6 and list(lr[6:]) == [0.05] * 6


def lrs(*args: str) -> list[float]:
    result = run("-o", "-", *args)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def test_paddleocr_cosine_keeps_the_warmup_in_t_max():
    # 1000 samples / 4 cards = 250 each, / 8 per card = 32 batches; 500 epochs; warmup 2 epochs = 64 updates.
    lr = lrs("--from", str(FIXTURES / "paddleocr-ppocrv3-det-student-cosine-warmup.yml"),
             "--dataset-size", "1000", "--world-size", "4")
    assert len(lr) == 16000
    assert lr[32] == pytest.approx(0.001 * 32 / 64, rel=1e-12)
    assert lr[64] == pytest.approx(0.001, rel=1e-12)
    assert lr[15999] == pytest.approx(0.001 * (1 + math.cos(math.pi * 15935 / 16000)) / 2, rel=1e-12)


def test_piecewise_boundaries_in_iterations():
    # 10000 / 256 -> 40 batches (the last partial one kept); decay_epochs [30, 60, 90].
    lr = lrs("--from", str(FIXTURES / "paddleclas-resnet50-piecewise.yaml"), "--dataset-size", "10000")
    assert len(lr) == 4800
    assert lr[1199] == 0.1 and lr[1200] == 0.01 and lr[2400] == 0.001 and lr[3600] == 0.0001


def test_missing_dataset_size_names_the_flag():
    assert_usage_error(run("-o", "-", "--from", str(FIXTURES / "paddleclas-resnet50-piecewise.yaml")), "--dataset-size")


def test_old_style_batch_size_over_several_cards_asks_for_it():
    result = run("-o", "-", "--from", str(FIXTURES / "paddleclas-resnet50-piecewise.yaml"), "--dataset-size", "100",
                 "--world-size", "2")
    assert_usage_error(result, "--batch-size")


def test_unknown_lr_is_refused_in_one_line(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("Global:\n  epochs: 3\nArch:\n  name: R\nOptimizer:\n  lr:\n    name: OneCycle\n"
                      "    learning_rate: 0.1\nDataLoader:\n  Train:\n    sampler:\n      batch_size: 4\n")
    assert_usage_error(run("-o", "-", "--from", str(config), "--dataset-size", "100"), "not supported yet")


def test_detected_as_paddle():
    for path in FIXTURES.iterdir():
        if path.name.startswith("paddledetection"):
            continue  # PaddleDetection's format: read by the paddledet dialect (test_dialect_paddledet)
        result = run("translate", str(path), "--dataset-size", "1000")
        assert result.exit_code == 0, result.stderr
        assert "Optimizer.lr" in result.stdout
