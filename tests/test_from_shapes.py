"""The shapes lrplot used to refuse, as users meet them: a training file read
with ``--from`` (and ``translate`` + ``--config``) equals the real framework
at every update. The expected values are the framework's own
(tests/golden/frameworks, written by scripts/golden_frameworks.py with timm,
transformers, fvcore + detectron2's glue and DeepSpeed installed); each file
here says in the framework's own keys what that golden case built."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import assert_usage_error, read_csv, run

GOLDEN = Path(__file__).parent / "golden" / "frameworks"


def golden(framework: str, **args) -> list[float]:
    """The values of the one golden case built from exactly ``args``."""
    cases = json.loads((GOLDEN / f"{framework}.json").read_text())["cases"]
    found = [case for case in cases if case["args"] == args]
    assert len(found) == 1, (framework, args)
    return found[0]["lr"]


# (file name, text, facts, framework values, updates compared)
CASES = {
    "timm cosine, cycle_mul 1.5, noise": (
        "args.yaml",
        "sched: cosine\nepochs: 6\nlr: 0.1\nwarmup_epochs: 1\nwarmup_lr: 1.0e-5\nlr_cycle_mul: 1.5\n"
        "lr_cycle_limit: 3\nlr_cycle_decay: 0.1\nlr_noise: [0.3, 0.9]\ncooldown_epochs: 0\nbatch_size: 4\n",
        ["--dataset-size", "16"],
        golden("timm", sched="cosine", num_epochs=6, cycle_mul=1.5, cycle_limit=3, warmup_epochs=1,
               noise=[0.3, 0.9], step_on_epochs=True),
        None,
    ),
    "timm cosine, cycle_mul 1.5, noise, per update": (
        "args.yaml",
        "sched: cosine\nepochs: 6\nlr: 0.1\nwarmup_epochs: 1\nwarmup_lr: 1.0e-5\nlr_cycle_mul: 1.5\n"
        "lr_cycle_limit: 3\nlr_cycle_decay: 0.1\nlr_noise: [0.3, 0.9]\nsched_on_updates: true\nbatch_size: 4\n",
        ["--dataset-size", "16"],
        golden("timm", sched="cosine", num_epochs=6, cycle_mul=1.5, cycle_limit=3, warmup_epochs=1,
               noise=[0.3, 0.9], step_on_epochs=False, updates_per_epoch=4),
        None,
    ),
    "timm poly, cycle_mul 1.5": (
        "args.yaml",
        "sched: poly\nepochs: 5\nlr: 0.1\nwarmup_epochs: 0\ncooldown_epochs: 0\nmin_lr: 1.0e-4\ndecay_rate: 0.5\nlr_cycle_mul: 1.5\n"
        "lr_cycle_limit: 2\nlr_cycle_decay: 0.1\nbatch_size: 4\n",
        ["--dataset-size", "16"],
        golden("timm", sched="poly", num_epochs=5, cycle_mul=1.5, cycle_limit=2, decay_rate=0.5, min_lr=1e-4,
               step_on_epochs=True),
        None,
    ),
    "transformers WSD, num_cycles 1.5": (
        "training_args.yaml",
        "learning_rate: 0.1\nlr_scheduler_type: warmup_stable_decay\nlr_scheduler_kwargs:\n  num_decay_steps: 37\n"
        "  num_cycles: 1.5\n  min_lr_ratio: 0.1\n  warmup_type: 1-sqrt\nwarmup_steps: 7\nmax_steps: 100\n"
        "per_device_train_batch_size: 8\n",
        [],
        golden("transformers", name="warmup_stable_decay", num_warmup_steps=7, num_training_steps=100,
               scheduler_specific_kwargs={"num_decay_steps": 37, "num_cycles": 1.5, "min_lr_ratio": 0.1,
                                          "warmup_type": "1-sqrt"}),
        100,
    ),
    "transformers hard restarts between steps": (
        "training_args.json",
        json.dumps({"learning_rate": 0.1, "lr_scheduler_type": "cosine_with_restarts",
                    "lr_scheduler_kwargs": {"num_cycles": 7}, "warmup_steps": 3, "max_steps": 40,
                    "per_device_train_batch_size": 8}),
        [],
        golden("transformers", name="cosine_with_restarts", num_warmup_steps=3, num_training_steps=40,
               scheduler_specific_kwargs={"num_cycles": 7}),
        40,
    ),
    "transformers cosine_warmup_with_min_lr, warmup_lr_rate, warmup 2": (
        "training_args.yaml",
        "learning_rate: 0.1\nlr_scheduler_type: cosine_warmup_with_min_lr\nlr_scheduler_kwargs: "
        "{min_lr_rate: 0.05, warmup_lr_rate: 0.2}\nwarmup_steps: 2\nmax_steps: 20\nper_device_train_batch_size: 8\n",
        [],
        golden("transformers", name="cosine_warmup_with_min_lr", num_warmup_steps=2, num_training_steps=20,
               scheduler_specific_kwargs={"min_lr_rate": 0.05, "warmup_lr_rate": 0.2}),
        20,
    ),
    "detectron2 RESCALE_INTERVAL, cosine": (
        "config.yaml",
        "SOLVER:\n  LR_SCHEDULER_NAME: WarmupCosineLR\n  MAX_ITER: 100\n  BASE_LR: 0.1\n  BASE_LR_END: 0.01\n"
        "  WARMUP_ITERS: 10\n  WARMUP_FACTOR: 0.001\n  WARMUP_METHOD: linear\n  RESCALE_INTERVAL: true\n",
        [],
        golden("detectron2", LR_SCHEDULER_NAME="WarmupCosineLR", MAX_ITER=100, BASE_LR=0.1, WARMUP_ITERS=10,
               WARMUP_FACTOR=0.001, WARMUP_METHOD="linear", RESCALE_INTERVAL=True, BASE_LR_END=0.01),
        None,
    ),
    "detectron2 RESCALE_INTERVAL, milestones past the run": (
        "config.yaml",
        "SOLVER:\n  LR_SCHEDULER_NAME: WarmupMultiStepLR\n  MAX_ITER: 100\n  BASE_LR: 0.1\n  STEPS: (5, 50, 150)\n"
        "  WARMUP_ITERS: 10\n  WARMUP_FACTOR: 0.1\n  WARMUP_METHOD: constant\n  RESCALE_INTERVAL: true\n",
        [],
        golden("detectron2", LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=100, BASE_LR=0.1, WARMUP_ITERS=10,
               WARMUP_FACTOR=0.1, WARMUP_METHOD="constant", RESCALE_INTERVAL=True, STEPS=[5, 50, 150]),
        None,
    ),
    "detectron2 WarmupPolyLR, POLY_LR_CONSTANT_ENDING": (
        "config.yaml",
        "SOLVER:\n  LR_SCHEDULER_NAME: WarmupPolyLR\n  MAX_ITER: 100\n  BASE_LR: 0.1\n  POLY_LR_POWER: 0.9\n"
        "  POLY_LR_CONSTANT_ENDING: 0.3\n  WARMUP_ITERS: 1\n  WARMUP_FACTOR: 0.001\n  WARMUP_METHOD: linear\n",
        [],
        golden("detectron2", LR_SCHEDULER_NAME="WarmupPolyLR", MAX_ITER=100, BASE_LR=0.1, WARMUP_ITERS=1,
               WARMUP_FACTOR=0.001, WARMUP_METHOD="linear", RESCALE_INTERVAL=False, POLY_LR_POWER=0.9,
               POLY_LR_CONSTANT_ENDING=0.3),
        None,
    ),
    "DeepSpeed LRRangeTest, staircase": (
        "ds_config.json",
        json.dumps({"train_batch_size": 8, "optimizer": {"type": "Adam", "params": {"lr": 0.1}},
                    "scheduler": {"type": "LRRangeTest", "params": {
                        "lr_range_test_min_lr": 3e-4, "lr_range_test_step_size": 7, "lr_range_test_step_rate": 0.05,
                        "lr_range_test_staircase": True}}}),
        ["--steps", "100"],
        golden("deepspeed", lr_range_test_min_lr=3e-4, lr_range_test_step_size=7, lr_range_test_step_rate=0.05,
               lr_range_test_staircase=True),
        None,
    ),
    "DeepSpeed LRRangeTest, two updates": (
        "ds_config.json",
        json.dumps({"train_batch_size": 8, "scheduler": {"type": "LRRangeTest", "params": {
            "lr_range_test_min_lr": 0.02, "lr_range_test_step_size": 3, "lr_range_test_step_rate": 10.0}}}),
        ["--steps", "2"],
        golden("deepspeed", lr_range_test_min_lr=0.02, lr_range_test_step_size=3, lr_range_test_step_rate=10.0),
        None,
    ),
}


def _assert_equal(result, expected: list[float], count: int | None) -> None:
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    ours = np.array([row[1] for row in rows])
    theirs = np.asarray(expected[:count])
    assert ours.size >= theirs.size
    ours = ours[: theirs.size]
    bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
    assert bad.size == 0, f"update {bad[0]}: lrplot {ours[bad[0]]!r}, framework {theirs[bad[0]]!r}"


@pytest.mark.parametrize("name", CASES)
def test_from_and_translate_equal_the_framework(name, tmp_path):
    filename, text, facts, expected, count = CASES[name]
    path = tmp_path / filename
    path.write_text(text)
    _assert_equal(run("-o", "-", "--from", str(path), *facts), expected, count)
    printed = run("translate", str(path), *facts)
    assert printed.exit_code == 0, printed.stderr
    config = tmp_path / "translated.yaml"
    config.write_text(printed.stdout)
    _assert_equal(run("-o", "-", "--config", str(config)), expected, count)


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("config.yaml", "SOLVER:\n  LR_SCHEDULER_NAME: WarmupPolyLR\n  MAX_ITER: 100\n  POLY_LR_CONSTANT_ENDING: 0.9\n"
         "  WARMUP_ITERS: 50\n  WARMUP_FACTOR: 1.0\n  WARMUP_METHOD: constant\n",
         "POLY_LR_CONSTANT_ENDING takes over during its warmup is not supported yet"),
        ("config.yaml", "SOLVER:\n  LR_SCHEDULER_NAME: WarmupCosineLR\n  MAX_ITER: 2000000\n  WARMUP_ITERS: 1000\n"
         "  RESCALE_INTERVAL: true\n", "fvcore's 1e-6 tolerance moves the warmup's end"),
        ("config.yaml", "SOLVER:\n  LR_SCHEDULER_NAME: WarmupStepWithFixedGammaLR\n  MAX_ITER: 100\n"
         "  WARMUP_ITERS: 250\n", "detectron2 fails (an IndexError in fvcore's StepParamScheduler"),
        ("config.yaml", "SOLVER:\n  LR_SCHEDULER_NAME: WarmupMultiStepLR\n  MAX_ITER: 12\n  STEPS: (0, 3, 12)\n",
         "fvcore's MultiStepParamScheduler raises \"Milestone must be smaller than total number of updates"),
        ("config.yaml", "SOLVER:\n  LR_SCHEDULER_NAME: WarmupMultiStepLR\n  MAX_ITER: 12\n  STEPS: (3, 3)\n",
         "Milestone must be smaller than start epoch"),
        # Cycles of 6, 3, 1.5, ... epochs end after 12; the cooldown runs on to 16 and timm's math.log fails.
        ("args.yaml", "sched: cosine\nepochs: 6\nlr: 0.1\nwarmup_epochs: 1\ncooldown_epochs: 5\nlr_cycle_mul: 0.5\n"
         "lr_cycle_limit: 10\nbatch_size: 4\n", "timm fails (math domain error) once its cycles, 12 steps in all, are over"),
        ("ds_config.json", json.dumps({"train_batch_size": 8, "scheduler": {"type": "LRRangeTest", "params": {
            "lr_range_test_step_size": 0}}}), "lr_range_test_step_size 0: DeepSpeed requires a positive integer"),
        ("training_args.yaml", "lr_scheduler_type: warmup_stable_decay\nlr_scheduler_kwargs: {num_decay_steps: 5, "
         "num_cycles: 0}\nmax_steps: 10\nper_device_train_batch_size: 4\n", "num_cycles=0: expected a number > 0"),
    ],
)
def test_what_the_framework_or_lrplot_cannot_run_is_one_line(filename, text, expected, tmp_path):
    path = tmp_path / filename
    path.write_text(text)
    out = tmp_path / "out.png"
    assert_usage_error(run("-o", str(out), "--from", str(path), "--dataset-size", "16"), expected)
    assert not out.exists()
