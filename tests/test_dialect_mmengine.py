"""The MMEngine dialect (OpenMMLab Python configs) and its scheduler mapping.

Expected values are hand calculations from MMEngine's rules, written out
here, or the real MMEngine's values (tests/golden/frameworks/mmengine.json;
tests/test_from_golden.py compares the real fixtures at every update)."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, mmengine
from tests.helpers import assert_usage_error, read_csv, run

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures" / "configs" / "mmengine"
MMDET = FIXTURES / "mmdetection" / "configs"
MMSEG = FIXTURES / "mmsegmentation" / "configs"
GOLDEN = TESTS / "golden" / "frameworks" / "mmengine.json"
# Golden cases the mapping must reproduce: all of them.
REPRODUCED = 43


def lrs(*args: str, cwd: Path | None = None) -> list[float]:
    result = run("-o", "-", *args, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# ---------------------------------------------------------------- the mapping against MMEngine


def _compare(case: dict) -> str | None:
    try:
        curve = mmengine.param_scheduler(
            case["args"]["param_scheduler"], case["optimizer_lr"], case.get("steps_per_epoch"), case["steps"]
        )
    except Unsupported as error:
        assert "not supported yet" in str(error), str(error)
        return "unsupported"
    ours = evaluate(curve.schedule, steps=case["steps"], **curve.params)
    theirs = np.asarray(case["lr"])
    bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
    if bad.size:
        return f"step {bad[0]}: lrplot {ours[bad[0]]!r}, mmengine {theirs[bad[0]]!r} ({curve})"
    return None


def test_param_scheduler_equals_mmengine_at_every_iteration():
    cases = json.loads(GOLDEN.read_text())["cases"]
    results = {case["id"]: _compare(case) for case in cases}
    wrong = {case: result for case, result in results.items() if result not in (None, "unsupported")}
    assert not wrong, f"{len(wrong)} cases differ, first: {next(iter(wrong.items()))}"
    matched = sum(result is None for result in results.values())
    assert matched >= REPRODUCED, f"{matched} of {len(results)} cases reproduced"


@pytest.mark.parametrize(
    ("schedulers", "expected"),
    [
        ([{"type": "ReduceOnPlateauLR", "by_epoch": False}],
         "param_scheduler[0] ReduceOnPlateauLR is not supported yet (it follows a validation metric)"),
        ([{"type": "ReduceOnPlateauMomentum", "by_epoch": False}],
         "param_scheduler[0] ReduceOnPlateauMomentum is not supported yet (it follows a validation metric)"),
        # Overlapping windows closing together: no one scheduler goes on alone.
        ([{"type": "LinearLR", "by_epoch": False, "end": 5}, {"type": "ExponentialLR", "gamma": 0.9,
                                                              "by_epoch": False, "end": 5}], "closing their windows together"),
        ([{"type": "QuadraticWarmupLR", "by_epoch": False, "end": 5}, {"type": "CosineAnnealingLR", "eta_min": 0.001,
                                                                       "by_epoch": False}], "overlapping another scheduler"),
        ([{"type": "OneCycleLR", "eta_max": 0.1, "total_steps": 40, "by_epoch": False},
          {"type": "LinearLR", "by_epoch": False, "begin": 30, "end": 35}], "listed before another scheduler"),
        ([{"type": "MultiStepLR", "milestones": [1], "by_epoch": True}], "by_epoch=True in an iteration-based run"),
    ],
)
def test_what_mmengine_does_differently_is_refused(schedulers, expected):
    with pytest.raises(Unsupported, match="not supported yet") as error:
        mmengine.param_scheduler(schedulers, 0.1, None, 40)
    assert expected in str(error.value)


def test_a_cosine_past_t_max_climbs_back_to_the_optimizers_lr():
    # LinearLR 1/3 -> 0.5 over [0, 5) leaves 0.05; the cosine from iteration 5 falls from it to 0 at
    # its step 10, then its step 11 adds 0.1 x (1 - cos(pi / 10)) / 2 (the optimizer's lr, base_values):
    # from there it is 0.1 x (1 + cos(pi k / 10)) / 2, up to 0.1 at k = 20 and down again.
    schedulers = [{"type": "LinearLR", "end_factor": 0.5, "end": 5, "by_epoch": False},
                  {"type": "CosineAnnealingLR", "T_max": 10, "begin": 5, "by_epoch": False}]
    got = evaluate((curve := mmengine.param_scheduler(schedulers, 0.1, None, 40)).schedule, steps=40, **curve.params)
    for t in range(5, 40):
        k = t - 5
        top = 0.05 if k <= 10 else 0.1
        assert got[t] == pytest.approx(top * (1 + math.cos(math.pi * k / 10)) / 2, rel=1e-12, abs=1e-15), t


def test_overlapping_windows_chain_by_hand():
    # LinearLR 0.5 -> 1 over iterations [0, 3) (2 steps) under a cosine from 0.1 to eta_min 0.02 over
    # iterations [0, 5) (T_max 5); the warmup steps first, then the cosine's chained form works on the
    # lr the warmup left: lr_k = (1 + cos(pi k / 5)) / (1 + cos(pi (k - 1) / 5)) x (lr x ratio - 0.02) + 0.02,
    # and after the window the lr holds.
    curve = mmengine.param_scheduler([{"type": "LinearLR", "start_factor": 0.5, "end": 3, "by_epoch": False},
                                      {"type": "CosineAnnealingLR", "end": 5, "eta_min": 0.02, "by_epoch": False}],
                                     0.1, None, 8)
    c = [1 + math.cos(math.pi * k / 5) for k in range(5)]
    expected = [0.05]
    for k, ratio in ((1, 0.75 / 0.5), (2, 1 / 0.75), (3, 1), (4, 1)):
        expected.append(c[k] / c[k - 1] * (expected[-1] * ratio - 0.02) + 0.02)
    expected += [expected[-1]] * 3
    assert evaluate(curve.schedule, steps=8, **curve.params) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- real configs, by hand


def test_faster_rcnn_1x_linear_warmup_times_epoch_milestones():
    # 20000 images on 8 GPUs x 2: ceil(ceil(20000 / 8) / 2) = 1250 iterations per epoch, 12 epochs.
    # LinearLR 0.001 -> 1 over iterations [0, 500): factor 0.001 + 0.999 t / 499 (full at 499);
    # MultiStepLR x0.1 after epochs 8 and 11 -> iterations 10000 and 13750. lr 0.02.
    lr = lrs("--from", str(MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py"),
             "--dataset-size", "20000", "--batch-size", "2", "--world-size", "8")
    assert len(lr) == 15000
    for t in (0, 1, 250, 498):
        assert lr[t] == pytest.approx(0.02 * (0.001 + 0.999 * t / 499), rel=1e-12)
    assert lr[499] == pytest.approx(0.02, rel=1e-12) and lr[9999] == pytest.approx(0.02, rel=1e-12)
    assert lr[10000] == pytest.approx(0.002, rel=1e-12) and lr[13749] == pytest.approx(0.002, rel=1e-12)
    assert lr[13750] == pytest.approx(0.0002, rel=1e-12) and lr[14999] == pytest.approx(0.0002, rel=1e-12)


def test_the_world_size_moves_epoch_milestones_not_the_iteration_warmup():
    # 4 GPUs: ceil(ceil(20000 / 4) / 2) = 2500 iterations per epoch: milestones at 20000 and 27500.
    lr = lrs("--from", str(MMDET / "_base_" / "schedules" / "schedule_1x.py"),
             "--dataset-size", "20000", "--batch-size", "2", "--world-size", "4")
    assert len(lr) == 30000
    assert lr[499] == pytest.approx(0.02, rel=1e-12)
    assert lr[19999] == pytest.approx(0.02, rel=1e-12) and lr[20000] == pytest.approx(0.002, rel=1e-12)
    assert lr[27499] == pytest.approx(0.002, rel=1e-12) and lr[27500] == pytest.approx(0.0002, rel=1e-12)


def test_schedule_160k_poly_reaches_eta_min_on_the_last_iteration():
    # IterBasedTrainLoop, 160000 iterations: PolyLR counts end - begin - 1 = 159999 steps.
    lr = lrs("--from", str(MMSEG / "_base_" / "schedules" / "schedule_160k.py"))
    assert len(lr) == 160000
    for t in (0, 1, 80000, 159998):
        assert lr[t] == pytest.approx((0.01 - 1e-4) * (1 - t / 159999) ** 0.9 + 1e-4, rel=1e-12)
    assert lr[159999] == pytest.approx(1e-4, rel=1e-12)


def test_a_schedule_starting_where_its_warmup_ends_waits_one_step():
    # segformer: LinearLR (start_factor 1e-6) over [0, 1500), PolyLR (power 1, eta_min 0) over
    # [1500, 160000). The warmup reaches 6e-5 on iteration 1499; the PolyLR's step 0 is
    # iteration 1500, so 6e-5 twice; then 6e-5 * (1 - k / 158499) at iteration 1500 + k
    # (MMEngine's PolyLR decays over end - begin - 1 steps).
    path = MMSEG / "segformer" / "segformer_mit-b0_8xb2-160k_ade20k-512x512.py"
    result = run("-o", "-", "--from", str(path))
    assert result.exit_code == 0, result.stderr
    lr = [row[1] for row in read_csv(result.stdout)[1]]
    assert len(lr) == 160000
    assert lr[0] == pytest.approx(6e-5 * 1e-6)
    assert lr[749] == pytest.approx(6e-5 * (1e-6 + (1 - 1e-6) * 749 / 1499), rel=1e-12)
    assert lr[1499] == pytest.approx(6e-5) and lr[1500] == pytest.approx(6e-5)
    assert lr[1501] == pytest.approx(6e-5 * (1 - 1 / 158499), rel=1e-12)
    assert lr[80000] == pytest.approx(6e-5 * (1 - 78500 / 158499), rel=1e-12)


def test_yolox_quadratic_warmup_then_cosine_then_held():
    # 2000 images, 8 GPUs x 8: ceil(ceil(2000 / 8) / 8) = 32 iterations per epoch, 300 epochs.
    # QuadraticWarmupLR over epochs [0, 5) = iterations [0, 160): 0.01 (t + 1)^2 / 160^2.
    # CosineAnnealingLR over epochs [5, 285), T_max 285 epochs = 9120 iterations, from 0.01 to
    # eta_min 0.0005, step k = t - 160; its window closes at k = 8959, before T_max: held after.
    # ConstantLR with factor 1 over the last 15 epochs changes nothing.
    path = MMDET / "yolox" / "yolox_s_8xb8-300e_coco.py"
    lr = lrs("--from", str(path), "--dataset-size", "2000", "--batch-size", "8", "--world-size", "8")
    assert len(lr) == 9600

    def cosine(k: int) -> float:
        return 0.0005 + (0.01 - 0.0005) * (1 + math.cos(math.pi * k / 9120)) / 2

    for t in (0, 1, 80, 159):
        assert lr[t] == pytest.approx(0.01 * (t + 1) ** 2 / 160**2, rel=1e-12)
    for t in (160, 161, 5000, 9119):
        assert lr[t] == pytest.approx(cosine(t - 160), rel=1e-12)
    for t in (9120, 9500, 9599):
        assert lr[t] == pytest.approx(cosine(8959), rel=1e-12)


@pytest.mark.parametrize(
    ("schedulers", "steps", "expected"),
    [
        # A quadratic warmup over [0, 5), then PolyLR over [5, 15): 10 steps, 9 of them decaying.
        ([{"type": "QuadraticWarmupLR", "by_epoch": False, "end": 5},
          {"type": "PolyLR", "by_epoch": False, "begin": 5, "end": 15}], 20,
         [0.1 * (t + 1) ** 2 / 25 for t in range(5)] + [0.1 * (1 - k / 9) for k in range(10)] + [0.0] * 5),
        # A gap: LinearLR from 1/3 over [0, 5) (full at 4), held, a cosine from 8 over T_max 10.
        ([{"type": "LinearLR", "by_epoch": False, "end": 5},
          {"type": "CosineAnnealingLR", "by_epoch": False, "begin": 8, "T_max": 10}], 19,
         [0.1 * (1 / 3 + 2 / 3 * t / 4) for t in range(5)] + [0.1] * 3
         + [0.1 * (1 + math.cos(math.pi * k / 10)) / 2 for k in range(11)]),
        # A window closing before the run: the lr of its last step stays.
        ([{"type": "ExponentialLR", "gamma": 0.9, "end": 10, "by_epoch": False}], 14,
         [0.1 * 0.9**t for t in range(10)] + [0.1 * 0.9**9] * 4),
        # CosineRestartLR: each period a cosine from the optimizer's lr x its weight, never reaching
        # eta_min; held after the last period.
        ([{"type": "CosineRestartLR", "periods": [2, 3], "restart_weights": [1, 0.5], "by_epoch": False}], 7,
         [0.1, 0.05, 0.05, 0.0375, 0.0125, 0.0125, 0.0125]),
        # A cosine past T_max goes back up along the same cosine (T_max 2: 0.1, 0.05, 0, 0.05, 0.1, 0.05).
        ([{"type": "CosineAnnealingLR", "T_max": 2, "by_epoch": False}], 6, [0.1, 0.05, 0.0, 0.05, 0.1, 0.05]),
        # Per-epoch windows of 3 iterations: StepLR every 2 epochs over [0, 4), then ExponentialLR from epoch 4.
        ([{"type": "StepLR", "step_size": 2, "gamma": 0.5, "end": 4},
          {"type": "ExponentialLR", "gamma": 0.8, "begin": 4}], 18,
         [0.1] * 6 + [0.05] * 6 + [0.05 * 0.8**k for k in range(2) for _ in range(3)]),
    ],
)
def test_schedulers_one_after_another_are_a_sequence(schedulers, steps, expected):
    per_epoch = any(s.get("by_epoch", True) for s in schedulers)
    curve = mmengine.param_scheduler(schedulers, 0.1, 3 if per_epoch else None, steps)
    assert curve.schedule == "sequence"
    np.testing.assert_allclose(evaluate(curve.schedule, steps=steps, **curve.params), expected, rtol=1e-12, atol=1e-15)


def test_onecycle_is_torchs_policy_from_eta_max():
    # eta_max 0.1 over 10 steps, linear: from 0.1 / 25 = 0.004 up to 0.1 at step 0.3 x 10 - 1 = 2,
    # then down to 0.004 / 1e4 at step 9.
    schedulers = [{"type": "OneCycleLR", "eta_max": 0.1, "total_steps": 10, "anneal_strategy": "linear",
                   "by_epoch": False}]
    curve = mmengine.param_scheduler(schedulers, 0.5, None, 10)
    expected = [0.004, 0.052, 0.1] + [0.1 + (4e-7 - 0.1) * (k - 2) / 7 for k in range(3, 10)]
    np.testing.assert_allclose(evaluate(curve.schedule, steps=10, **curve.params), expected, rtol=1e-12)


# ---------------------------------------------------------------- small configs, by hand

EPOCHS = """\
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
train_cfg = dict(by_epoch=True, max_epochs=10)
train_dataloader = dict(
    batch_size=10,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='RepeatDataset', times=2, dataset=dict(type='ImageNet')))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.5, by_epoch=True, begin=0, end=3),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, eta_min=0.0),
]
"""


def test_per_epoch_warmup_times_cosine(tmp_path):
    write(tmp_path, "config.py", EPOCHS)
    # 45 images repeated twice = 90, on 2 GPUs: 45 each, batches of 10: ceil = 5 iterations per epoch.
    # Both step after each epoch e: LinearLR over epochs [0, 3) is 0.5 + 0.5 e / 2, then 1; the
    # cosine ends with the run (end = max_epochs = 10 = T_max): (1 + cos(pi e / 10)) / 2.
    lr = lrs("--from", "config.py", "--dataset-size", "45", "--world-size", "2", cwd=tmp_path)
    assert len(lr) == 50
    for t in range(50):
        e = t // 5
        warmup = 0.5 + 0.5 * min(e, 2) / 2
        assert lr[t] == pytest.approx(0.1 * warmup * (1 + math.cos(math.pi * e / 10)) / 2, rel=1e-12), t


def test_drop_last_floors_the_epoch(tmp_path):
    write(tmp_path, "config.py", EPOCHS.replace("batch_size=10,", "batch_size=10, drop_last=True,"))
    # 90 / 2 = 45 samples per GPU: floor(45 / 10) = 4 iterations per epoch.
    lr = lrs("--from", "config.py", "--dataset-size", "45", "--world-size", "2", cwd=tmp_path)
    assert len(lr) == 40
    assert lr[3] == pytest.approx(0.05, rel=1e-12) and lr[4] == pytest.approx(0.1 * 0.75 * (1 + math.cos(math.pi / 10)) / 2)


def test_new_style_config_with_read_base_and_imported_classes(tmp_path):
    write(tmp_path, "_base_/schedule.py", """\
        from mmengine.optim.scheduler.lr_scheduler import LinearLR, MultiStepLR
        from mmengine.runner.loops import EpochBasedTrainLoop
        param_scheduler = [
            dict(type=LinearLR, start_factor=0.1, by_epoch=False, begin=0, end=11),
            dict(type=MultiStepLR, by_epoch=True, milestones=[2], gamma=0.5),
        ]
        train_cfg = dict(type=EpochBasedTrainLoop, max_epochs=3)
        """)
    write(tmp_path, "config.py", """\
        from mmengine.config import read_base
        from torch.optim import SGD
        with read_base():
            from ._base_.schedule import *
        optim_wrapper = dict(optimizer=dict(type=SGD, lr=0.2))
        """)
    # 40 samples, batch 4: 10 iterations per epoch. LinearLR over [0, 11): 0.1 + 0.9 t / 10, full at 10;
    # MultiStepLR x0.5 after epoch 2, iteration 20.
    lr = lrs("--from", "config.py", "--dataset-size", "40", "--batch-size", "4", cwd=tmp_path)
    assert len(lr) == 30
    for t in (0, 5, 9):
        assert lr[t] == pytest.approx(0.2 * (0.1 + 0.9 * t / 10), rel=1e-12)
    assert lr[10] == pytest.approx(0.2, rel=1e-12) and lr[19] == pytest.approx(0.2, rel=1e-12)
    assert lr[20] == pytest.approx(0.1, rel=1e-12) and lr[29] == pytest.approx(0.1, rel=1e-12)


QUADRATIC = """\
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=4)
train_dataloader = dict(batch_size=8, sampler=dict(type='DefaultSampler', shuffle=True))
param_scheduler = [
    dict(type='mmdet.QuadraticWarmupLR', by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[2, 3], gamma=0.1),
]
auto_scale_lr = dict(enable=False, base_batch_size=64)
"""


def test_quadratic_warmup_counts_the_step_being_made(tmp_path):
    write(tmp_path, "config.py", QUADRATIC)
    # 80 samples, batch 8: 10 iterations per epoch. mmdet's QuadraticWarmupLR over 10 iterations:
    # lr (t + 1)^2 / 100, full at t = 9; x0.1 after epochs 2 and 3.
    lr = lrs("--from", "config.py", "--dataset-size", "80", cwd=tmp_path)
    assert len(lr) == 40
    for t in range(10):
        assert lr[t] == pytest.approx(0.01 * (t + 1) ** 2 / 100, rel=1e-12)
    assert lr[19] == pytest.approx(0.01) and lr[20] == pytest.approx(0.001) and lr[30] == pytest.approx(0.0001)


def test_auto_scale_lr_only_when_enabled(tmp_path):
    write(tmp_path, "config.py", QUADRATIC.replace("enable=False", "enable=True"))
    # Runner.scale_lr: 0.01 x (batch 8 x 4 GPUs) / 64 = 0.005 (10 iterations per epoch; epoch 1 is
    # past the warmup); with --batch-size 16: 0.01 x 64 / 64 (5 iterations per epoch).
    lr = lrs("--from", "config.py", "--dataset-size", "320", "--world-size", "4", cwd=tmp_path)
    assert lr[15] == pytest.approx(0.005, rel=1e-12)
    lr = lrs("--from", "config.py", "--dataset-size", "320", "--world-size", "4", "--batch-size", "16", cwd=tmp_path)
    assert lr[9] == pytest.approx(0.01, rel=1e-12)


def test_translate_names_the_keys_and_draws_the_same(tmp_path):
    write(tmp_path, "config.py", QUADRATIC)
    printed = run("translate", "config.py", "--dataset-size", "80", cwd=tmp_path)
    assert printed.exit_code == 0, printed.stderr
    text = printed.stdout
    assert "# train_cfg.max_epochs (4) x 10 iterations per epoch" in text
    assert "lr: 0.01  # optim_wrapper.optimizer.lr" in text
    assert "param_scheduler[0] QuadraticWarmupLR" in text and "param_scheduler[1] MultiStepLR milestones" in text
    (tmp_path / "mine.yaml").write_text(text)
    assert lrs("--config", "mine.yaml", cwd=tmp_path) == lrs("--from", "config.py", "--dataset-size", "80", cwd=tmp_path)


def test_no_param_scheduler_keeps_the_optimizer_lr(tmp_path):
    write(tmp_path, "config.py", "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=3e-4))\n"
                                 "train_cfg = dict(type='IterBasedTrainLoop', max_iters=7)\n")
    assert lrs("--from", "config.py", cwd=tmp_path) == [3e-4] * 7


def test_strict_refuses_a_constructor_of_its_own(tmp_path):
    write(tmp_path, "config.py", "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=3e-4),\n"
                                 "    constructor='MyOwnConstructor')\n"
                                 "train_cfg = dict(type='IterBasedTrainLoop', max_iters=7)\n")
    assert lrs("--from", "config.py", cwd=tmp_path)[0] == 3e-4
    assert_usage_error(run("-o", "-", "--strict", "--from", "config.py", cwd=tmp_path),
                       "optim_wrapper.constructor MyOwnConstructor (a project's own: it may give groups their own lr) "
                       "looks schedule-related")


# ---------------------------------------------------------------- hostile and unsupported configs

HEAD = ("optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\n"
        "train_cfg = dict(type='IterBasedTrainLoop', max_iters=100)\n")


@pytest.mark.parametrize(
    ("files", "args", "expected"),
    [
        ({"config.py": "import os\nprint('not a config')\n"}, (), "not a training configuration lrplot recognises"),
        ({"config.py": "import os\nprint('not a config')\n"}, ("--dialect", "mmengine"), "has no optim_wrapper"),
        ({"config.py": HEAD.replace("type='IterBasedTrainLoop', max_iters=100", "by_epoch=True, max_epochs=3")},
         (), "give --dataset-size"),
        ({"config.py": HEAD + "param_scheduler = [dict(type='OneCycleLR', eta_max=0.1, total_steps=50, by_epoch=False)]\n"},
         (), "param_scheduler[0] OneCycleLR: MMEngine raises at its step 51 (total_steps 50), and the run reaches step 99"),
        ({"config.py": HEAD + "param_scheduler = [dict(type='OneCycleLR', eta_max=0.1, pct_start=1, by_epoch=False)]\n"},
         (), "param_scheduler[0] OneCycleLR pct_start: got 1, expected a float between 0 and 1"),
        ({"config.py": HEAD + "param_scheduler = [dict(type='CosineRestartLR', periods=[5, 5], restart_weights=[1],"
                              " by_epoch=False)]\n"},
         (), "periods and restart_weights must have the same length"),
        ({"config.py": HEAD + "param_scheduler = dict(type='ReduceOnPlateauLR', by_epoch=False)\n"},
         (), "ReduceOnPlateauLR is not supported yet (it follows a validation metric)"),
        ({"config.py": HEAD + "param_scheduler = [dict(type='MyWarmupLR', by_epoch=False)]\n"},
         (), "param_scheduler[0] MyWarmupLR is not supported yet"),
        ({"config.py": HEAD + "param_scheduler = [dict(type='MultiStepLR', milestones=[1], by_epoch=True)]\n"},
         (), "by_epoch=True in an iteration-based run is not supported yet"),
        ({"config.py": HEAD + "param_scheduler = [dict(type='LinearLR', start_factor=0, by_epoch=False, end=9)]\n"},
         (), "start_factor 0: MMEngine divides by it"),
        ({"config.py": HEAD.replace("lr=0.1)", "lr=0.1), accumulative_counts=4")},
         (), "optim_wrapper.accumulative_counts 4 is not supported yet"),
        ({"config.py": HEAD}, ("--grad-accum", "2"), "optim_wrapper.accumulative_counts"),
        ({"config.py": "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\n"}, (), "has no train_cfg"),
        ({"config.py": "optimizer = dict(type='SGD', lr=0.1)\nlr_config = dict(policy='step', step=[8, 11])\n"
                       "optim_wrapper = dict(optimizer=optimizer)\nrunner = dict(max_epochs=12)\n"},
         (), "lr_config (an mmcv 1.x config) is not supported yet"),
        ({"config.py": "_base_ = 'base.py'\n", "base.py": "_base_ = 'config.py'\n"}, (),
         "_base_ files include each other in a loop"),
        ({"config.py": "_base_ = ['../nowhere/schedule.py']\n"}, (), "does not exist"),
        ({"config.py": "param_scheduler = [\n"}, (), "not a Python config: line 1"),
        ({"config.py": HEAD + "param_scheduler = [dict(type='MultiStepLR', milestones=[0] * 10**9)]\n"},
         (), "more than 100,000 elements"),
        ({"config.py": HEAD.replace("type='IterBasedTrainLoop', max_iters=100", "type='EpochBasedTrainLoop', "
                                    "max_epochs=2") + "train_dataloader = dict(batch_size=2, "
                       "dataset=dict(type='ClassBalancedDataset', oversample_thr=1e-3))\n"},
         ("--dataset-size", "100"), "ClassBalancedDataset is not supported yet"),
    ],
)
def test_hostile_and_unsupported_configs_are_one_line(tmp_path, files, args, expected):
    for name, text in files.items():
        write(tmp_path, name, text)
    assert_usage_error(run("-o", "-", "--from", "config.py", *args, cwd=tmp_path), expected)


def test_a_config_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    write(tmp_path, "config.py", f"""\
        import os
        os.system('touch {marker}')
        written = open('{marker}', 'w').write('x')
        optim_wrapper = dict(optimizer=dict(type='SGD', lr=__import__('os').system('touch {marker}')))
        train_cfg = dict(type='IterBasedTrainLoop', max_iters=100)
        """)
    assert_usage_error(run("-o", "-", "--from", "config.py", cwd=tmp_path), "optim_wrapper.optimizer.lr: got")
    assert not marker.exists()


def test_mmdet3d_warmup_under_a_per_epoch_cosine_equals_mmengine(tmp_path):
    # mmdet3d's CenterPoint / BEVFusion schedule (a per-iteration LinearLR under a cosine with an
    # eta_min_ratio, converted to iterations), 6 epochs of 5 iterations: MMEngine 0.10.7's own values
    # (tests/golden/frameworks/mmengine.json) through --from, and through translate and --config.
    case = next(c for c in json.loads(GOLDEN.read_text())["cases"] if "eta_min_ratio=0.0001,convert" in c["id"])
    write(tmp_path, "config.py", f"""\
        optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr={case['optimizer_lr']}))
        train_cfg = dict(by_epoch=True, max_epochs=6)
        train_dataloader = dict(batch_size=1, dataset=dict(type='NuScenesDataset'))
        param_scheduler = {case['args']['param_scheduler']!r}
        """)
    assert lrs("--from", "config.py", "--dataset-size", "5", cwd=tmp_path) == pytest.approx(case["lr"], rel=1e-12)
    printed = run("translate", "config.py", "--dataset-size", "5", cwd=tmp_path)
    assert printed.exit_code == 0, printed.stderr
    (tmp_path / "mine.yaml").write_text(printed.stdout)
    assert lrs("--config", "mine.yaml", cwd=tmp_path) == pytest.approx(case["lr"], rel=1e-12)
