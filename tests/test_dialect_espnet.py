"""ESPnet2: the mapping against espnet 202511's own schedulers stepped as its
Trainer steps them (tests/golden/frameworks/espnet.json), and the YAML
dialect against hand calculations from espnet2/schedulers and
espnet2/train/trainer.py (the real values for the fixtures are in
tests/test_from_golden.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, espnet
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent
FIXTURES = ROOT / "fixtures" / "configs" / "espnet"
GOLDEN = json.loads((ROOT / "golden" / "frameworks" / "espnet.json").read_text())
# Every case but WarmupLR with warmup_steps 2.5 and the plateau scheduler.
COVERED = 27
REFUSED = ("WarmupLR(warmup_steps=2.5)", "WarmupReduceLROnPlateau")


def test_mapping_equals_espnet_at_every_update():
    reproduced, refused = 0, []
    for case in GOLDEN["cases"]:
        try:
            curve = espnet.scheduler(case["scheduler"], case["args"], case["optimizer_lr"],
                                     case.get("steps_per_epoch", 1), steps=case["steps"])
        except Unsupported:
            refused.append(case["id"])
            continue
        ours = evaluate(curve.schedule, steps=case["steps"], **curve.params)
        theirs = np.asarray(case["lr"])
        bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
        assert bad.size == 0, f"{case['id']} step {bad[0]}: lrplot {ours[bad[0]]!r}, ESPnet {theirs[bad[0]]!r}"
        reproduced += 1
    assert reproduced >= COVERED, f"{reproduced} of {len(GOLDEN['cases'])} reproduced"
    assert all(case.startswith(REFUSED) for case in refused), refused


def lrs(*args: str, column: int = 1) -> list[float]:
    result = run("-o", "-", *args)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[column] for row in rows]


def test_warmuplr_update_zero_already_warms():
    # warmup_steps 35000, lr 1e-3: update t uses 1e-3 * (t + 1) / 35000 up to update 34999, then decays.
    lr = lrs("--from", str(FIXTURES / "aishell-conformer-e12-warmuplr.yaml"), "--dataset-size", "100",
             "--batch-size", "1", "--steps", "40000")
    assert lr[0] == pytest.approx(1e-3 / 35000, rel=1e-12)
    assert lr[34999] == pytest.approx(1e-3, rel=1e-12)
    assert lr[39999] == pytest.approx(1e-3 * (35000 / 40000) ** 0.5, rel=1e-12)


def test_accum_grad_drops_the_partial_update():
    # 125 mini-batches, accum_grad 6 -> floor(125 / 6) = 20 updates per epoch, max_epoch 1000.
    result = run("-o", "-", "--from", str(FIXTURES / "ljspeech-tts-transformer-noamlr.yaml"), "--dataset-size", "125",
                 "--batch-size", "1")
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    assert len(rows) >= 20000
    assert rows[0][1] == pytest.approx(512**-0.5 * 4000**-1.5, rel=1e-12)


def test_two_optimizers_two_epoch_curves():
    result = run("-o", "-", "--from", str(FIXTURES / "ljspeech-vits-exponentiallr-per-epoch-two-optims.yaml"),
                 "--steps", "3000")
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    assert len(header) == 3
    for column in (1, 2):
        assert rows[999][column] == 2e-4
        assert rows[1000][column] == pytest.approx(2e-4 * 0.999875, rel=1e-12)
        assert rows[2999][column] == pytest.approx(2e-4 * 0.999875**2, rel=1e-12)


def test_missing_dataset_size_names_the_flag():
    assert_usage_error(run("-o", "-", "--from", str(FIXTURES / "aishell-conformer-e12-warmuplr.yaml")), "--dataset-size")


def test_batch_bins_need_a_batch_size():
    result = run("-o", "-", "--from", str(FIXTURES / "aishell-conformer-e12-warmuplr.yaml"), "--dataset-size", "100")
    assert_usage_error(result, "--batch-size")


def test_tristage_from_yaml(tmp_path):
    # max_steps 10: warmup int(10 x 0.2) = 2, hold 3, decay 5; s = min(t + 1, 10). s = 1 warms from
    # 0.1 lr by (lr - 0.1 lr) / 2 per step; s = 2..4 hold lr; then lr exp(-ln(100) / 5 x (s - 5)).
    config = tmp_path / "train.yaml"
    config.write_text("optim: adam\noptim_conf:\n  lr: 0.001\nscheduler: tristagelr\nscheduler_conf:\n"
                      "  max_steps: 10\n  warmup_ratio: 0.2\n  hold_ratio: 0.3\n  decay_ratio: 0.5\n"
                      "  init_lr_scale: 0.1\n  final_lr_scale: 0.01\nmax_epoch: 3\naccum_grad: 1\n"
                      "batch_type: numel\nbatch_bins: 100\n")
    lr = lrs("--from", str(config), "--dataset-size", "10", "--batch-size", "1")
    decay = [0.001 * math.exp(-math.log(100) / 5 * (s - 5)) for s in range(5, 11)]
    assert lr == pytest.approx([0.00055] + [0.001] * 3 + decay + [0.001 * 0.01] * 20, rel=1e-12)


def test_unsupported_scheduler_in_one_line(tmp_path):
    config = tmp_path / "train.yaml"
    config.write_text("optim: adam\noptim_conf:\n  lr: 0.001\nscheduler: warmupreducelronplateau\n"
                      "max_epoch: 3\naccum_grad: 1\nbatch_type: numel\nbatch_bins: 100\n")
    result = run("-o", "-", "--from", str(config), "--dataset-size", "10", "--batch-size", "1")
    assert_usage_error(result, "follows a validation metric: not supported yet")


def _yaml(tmp_path, scheduler: str, conf: str) -> str:
    config = tmp_path / "train.yaml"
    config.write_text(f"optim: adam\noptim_conf:\n  lr: 0.001\nscheduler: {scheduler}\nscheduler_conf:\n{conf}"
                      "max_epoch: 4\naccum_grad: 1\nbatch_type: numel\nbatch_bins: 100\n")
    return str(config)


def test_cosineannealinglr_steps_per_epoch_and_climbs_back(tmp_path):
    # 3 updates an epoch, T_max 2 epochs: epochs 0..3 at the cosine's epochs 0, 1, 2 (eta_min), then back up at 3.
    name = _yaml(tmp_path, "cosineannealinglr", "  T_max: 2\n  eta_min: 0.0001\n")
    per_epoch = [0.001, 0.0001 + 0.0009 * 0.5, 0.0001, 0.0001 + 0.0009 * 0.5]
    expected = [value for value in per_epoch for _ in range(3)]
    assert lrs("--from", name, "--dataset-size", "3", "--batch-size", "1") == pytest.approx(expected, rel=1e-12)
    printed = run("translate", name, "--dataset-size", "3", "--batch-size", "1")
    assert printed.exit_code == 0, printed.stderr
    (tmp_path / "mine.yaml").write_text(printed.stdout)
    assert lrs("--config", str(tmp_path / "mine.yaml")) == pytest.approx(expected, rel=1e-12)


def test_onecyclelr_per_update_from_its_own_max_lr(tmp_path):
    # total_steps 8, pct_start 0.25: from 0.01 / 25 up to 0.01 at step 1, cosine down to 0.01 / 25 / 1e4 at 7.
    name = _yaml(tmp_path, "onecyclelr", "  max_lr: 0.01\n  total_steps: 8\n  pct_start: 0.25\n")
    low, top, end = 0.01 / 25, 0.01, 0.01 / 25 / 1e4
    down = [end + (top - end) * (1 + math.cos(math.pi * k / 6)) / 2 for k in range(7)]
    assert lrs("--from", name, "--dataset-size", "2", "--batch-size", "1") == pytest.approx([low, *down], rel=1e-12)


@pytest.mark.parametrize(("scheduler", "conf", "expected"), [
    ("onecyclelr", "  max_lr: 0.01\n  total_steps: 5\n", 'torch raises "Tried to step 6 times" after update 5'),
    ("onecyclelr", "  max_lr: 0.01\n", "needs total_steps, or epochs and steps_per_epoch"),
    ("cycliclr", "  base_lr: [0.001]\n  max_lr: 0.01\n", "base_lr per parameter group"),
    ("cycliclr", "  base_lr: 0.001\n  max_lr: 0.01\n  mode: sine\n", "CyclicLR mode 'sine'"),
    ("cosineannealinglr", "  eta_min: 0.0\n", "CosineAnnealingLR needs T_max"),
    ("cosineannealinglr", "  T_max: .nan\n", "scheduler cosineannealinglr: T_max: got nan, expected a number"),
    ("cosineannealingwarmrestarts", "  T_0: 5\n  T_mult: 1.5\n", "T_mult 1.5 is not supported yet"),
    ("lambdalr", "  {}\n", "needs an lr_lambda function"),
])
def test_torch_scheduler_refusals_are_one_line(tmp_path, scheduler, conf, expected):
    result = run("-o", "-", "--from", _yaml(tmp_path, scheduler, conf), "--dataset-size", "2", "--batch-size", "1")
    assert_usage_error(result, expected)
