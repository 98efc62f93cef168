"""The dialects beyond transformers: DeepSpeed, detectron2, timm. Expected
values are hand calculations from each framework's documented rules (the
real frameworks' values are in tests/test_from_golden.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.helpers import assert_usage_error, read_csv, run

FIXTURES = Path(__file__).parent / "fixtures" / "configs"
D2 = FIXTURES / "detectron2"


def values(*args: str, cwd: Path | None = None) -> tuple[list[str], list[list[float]]]:
    result = run("-o", "-", *args, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    return header, [row[1:] for row in rows]


def test_detectron2_base_chain_and_shared_clock_warmup():
    # faster_rcnn_R_50_FPN_3x: STEPS (210000, 250000), MAX_ITER 270000 over Base-RCNN-FPN's
    # BASE_LR 0.02; detectron2's defaults WARMUP_ITERS 1000, WARMUP_FACTOR 0.001, GAMMA 0.1.
    _, rows = values("--from", str(D2 / "configs" / "COCO-Detection" / "faster_rcnn_R_50_FPN_3x.yaml"))
    lr = [row[0] for row in rows]
    assert len(lr) == 270000
    assert lr[0] == pytest.approx(0.02 * 0.001)
    assert lr[500] == pytest.approx(0.02 * 0.001 + (0.02 - 0.02 * 0.001) * 500 / 1000)
    assert lr[1000] == pytest.approx(0.02) and lr[209999] == pytest.approx(0.02)
    assert lr[210000] == pytest.approx(0.002) and lr[250000] == pytest.approx(0.0002)


def test_detectron2_reference_world_size_rescales_the_solver(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "SOLVER:\n  BASE_LR: 0.02\n  MAX_ITER: 1000\n  STEPS: (600, 800)\n  WARMUP_ITERS: 100\n"
        "  IMS_PER_BATCH: 16\n  REFERENCE_WORLD_SIZE: 8\n"
    )
    # 4 devices instead of 8: scale 0.5 -> lr 0.01, 2000 iterations, steps (1200, 1600), warmup 200.
    _, rows = values("--from", str(tmp_path / "c.yaml"), "--world-size", "4")
    lr = [row[0] for row in rows]
    assert len(lr) == 2000
    assert lr[200] == pytest.approx(0.01) and lr[1199] == pytest.approx(0.01) and lr[1200] == pytest.approx(0.001)


def test_detectron2_base_loop_is_one_line(tmp_path):
    (tmp_path / "a.yaml").write_text('_BASE_: "b.yaml"\nSOLVER:\n  BASE_LR: 0.1\n')
    (tmp_path / "b.yaml").write_text('_BASE_: "a.yaml"\nMODEL:\n  MASK_ON: False\n')
    assert_usage_error(run("-o", "-", "--from", "a.yaml", cwd=tmp_path), "_BASE_ files include each other in a loop")


def test_deepspeed_warmup_gives_the_minimum_to_two_updates():
    # QANet: WarmupLR 0 -> 0.001 over 1000 steps, log warmup (DeepSpeed's default);
    # update t uses iteration t - 1: 0, 0, then 0.001 * log(t) / log(1000).
    _, rows = values("--steps", "1500", "--from", str(FIXTURES / "deepspeed" / "qanet-warmuplr.json"))
    lr = [row[0] for row in rows]
    assert lr[0] == 0.0 and lr[1] == 0.0
    for t in (2, 10, 500, 1000):
        assert lr[t] == pytest.approx(0.001 * math.log(t) / math.log(1000), rel=1e-12)
    assert lr[1001] == pytest.approx(0.001) and lr[1499] == pytest.approx(0.001)


def test_deepspeed_one_cycle_then_its_decay(tmp_path):
    # 0.001 up to 0.01 over 4 batches, back over 2; update t uses batch t. After the 6-batch cycle
    # 0.001 / (1 + 0.5 k / 2), k = t - 6 (no staircase in the decay). The optimizer's lr is ignored.
    (tmp_path / "ds_config.json").write_text(
        '{"train_batch_size": 8, "optimizer": {"type": "Adam", "params": {"lr": 0.5}}, "scheduler": {"type": '
        '"OneCycle", "params": {"cycle_min_lr": 0.001, "cycle_max_lr": 0.01, "cycle_first_step_size": 4, '
        '"cycle_second_step_size": 2, "decay_step_size": 2, "decay_lr_rate": 0.5}}}')
    _, rows = values("--from", "ds_config.json", cwd=tmp_path)
    lr = [row[0] for row in rows]
    assert len(lr) == 12  # twice the cycle: the file gives no run length
    expected = [0.001 + 0.009 * t / 4 for t in range(5)] + [0.0055] + [0.001 / (1 + 0.5 * k / 2) for k in range(6)]
    assert lr == pytest.approx(expected, rel=1e-12)


def test_deepspeed_one_cycle_stairs(tmp_path):
    # 2 stairs up over 4 batches (position t x 2 / 4, floored), 2 down over 4: 0.01, 0.01, 0.055,
    # 0.055, 0.1 (the peak), then (8 - t) x 2 / 4 floored: 0.055, 0.055, 0.01; then 0.01 stays.
    (tmp_path / "ds_config.json").write_text(
        '{"train_batch_size": 8, "scheduler": {"type": "OneCycle", "params": {"cycle_min_lr": 0.01, '
        '"cycle_max_lr": 0.1, "cycle_first_step_size": 4, "cycle_first_stair_count": 2}}}')
    _, rows = values("--from", "ds_config.json", "--steps", "10", cwd=tmp_path)
    assert [row[0] for row in rows] == pytest.approx([0.01, 0.01, 0.055, 0.055, 0.1, 0.055, 0.055, 0.01, 0.01, 0.01],
                                                     rel=1e-12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"train_batch_size": 8, "scheduler": {"type": "WarmupLR", "params": {"warmup_max_lr": "auto"}}}',
         'scheduler.params.warmup_max_lr is "auto", filled in by the transformers Trainer'),
        ('{"train_batch_size": 8, "scheduler": {"type": "LRRangeTest", "params": {"lr_range_test_step_size": 2.5}}}',
         "scheduler LRRangeTest: lr_range_test_step_size 2.5: DeepSpeed requires a positive integer"),
        ('{"train_batch_size": 8, "scheduler": {"type": "LRRangeTest", "params": {"lr_range_test_step_rate": -1}}}',
         "LRRangeTest with lr_range_test_step_rate -1.0 < 0 (an lr falling through 0) is not supported yet"),
        ('{"train_batch_size": 8, "scheduler": {"type": "LRRangeTest", "params": {"lr_range_test_staircase": "yes"}}}',
         "lr_range_test_staircase 'yes': expected true or false"),
        ('{"train_batch_size": 8, "scheduler": {"type": "LRRangeTest", "params": {"lr_range_test_min_lr": [0.1, 0.2]}}}',
         "a lr_range_test_min_lr per parameter group is not supported yet"),
        ('{"train_batch_size": 8, "scheduler": {"type": "LRRangeTest", "params": {"lr_range_test_min_lr": 1e308, '
         '"lr_range_test_step_rate": 1e300}}}', "overflows float64"),
        ('{"train_batch_size": 8, "scheduler": {"type": "OneCycle", "params": {"cycle_max_lr": 0.1}}}',
         "scheduler OneCycle: cycle_min_lr: got None, expected a number"),
        ('{"train_batch_size": 8, "scheduler": {"type": "OneCycle", "params": {"cycle_min_lr": 0.01, '
         '"cycle_max_lr": 0.1, "cycle_first_step_size": 2.5}}}',
         "OneCycle with cycle_first_step_size 2.5 is not supported yet"),
        ('{"train_batch_size": 8, "scheduler": {"type": "OneCycle", "params": {"cycle_min_lr": 0.01, '
         '"cycle_max_lr": 0.1, "cycle_first_stair_count": 4, "cycle_second_stair_count": 0}}}',
         "stairs on one half of the cycle only"),
        ('{"train_batch_size": 8, "zero_optimization": {"stage": 2}}', "has no scheduler section"),
        ('{"train_batch_size": 8, "scheduler": {"type": "WarmupDecayLR", "params": {"warmup_num_steps": 5, "warmup_max_lr": 0.1}}}',
         "total_num_steps: got None, expected a number"),
    ],
)
def test_deepspeed_refusals(tmp_path, text, expected):
    (tmp_path / "ds_config.json").write_text(text)
    assert_usage_error(run("-o", "-", "--from", "ds_config.json", cwd=tmp_path), expected)


def test_timm_lr_from_lr_base_and_the_world_size_of_distributed_train(tmp_path):
    # lr not given: lr_base 0.1 x global batch (64 x 2 processes) / 256 = 0.05 (linear for SGD).
    # 1000 images on 2 devices: floor(500 / 64) = 7 batches per epoch; 10 epochs + 0 cooldown.
    (tmp_path / "train.sh").write_text(
        "./distributed_train.sh 2 /data --model resnet18 -b 64 --sched step --epochs 10 --decay-epochs 2.5 "
        "--decay-rate 0.5 --warmup-epochs 0\n"
    )
    header, rows = values("--from", "train.sh", "--dataset-size", "1000", cwd=tmp_path)
    lr = [row[0] for row in rows]
    assert len(lr) == 70
    # per epoch: epoch e uses 0.05 * 0.5 ** (e // 2.5): epochs 0-2 -> 0.05, 3-4 -> 0.025, 5-7 -> 0.0125
    assert lr[0] == lr[20] == pytest.approx(0.05)
    assert lr[21] == lr[34] == pytest.approx(0.025)
    assert lr[35] == pytest.approx(0.0125)


def test_timm_needs_the_dataset_size(tmp_path):
    (tmp_path / "args.yaml").write_text("sched: cosine\nepochs: 10\nwarmup_epochs: 1\nwarmup_lr: 1.0e-5\nlr: 0.1\n"
                                        "decay_epochs: 3\ncooldown_epochs: 0\n")
    assert_usage_error(run("-o", "-", "--from", "args.yaml", cwd=tmp_path), "give --dataset-size")


@pytest.mark.parametrize("dialect", ["hf", "deepspeed", "detectron2", "timm", "torchtitan", "mmengine", "olmo",
                                     "composer", "paddle", "paddledet", "espnet", "fairseq", "megatron"])
def test_a_forced_dialect_on_a_file_that_is_not_its_own_is_one_line(tmp_path, dialect):
    # A file with nothing any trainer reads: never a curve of some dialect's defaults.
    (tmp_path / "other.json").write_text('{"model": {"layers": 12}, "data": {"path": "/data"}}')
    result = run("-o", "-", "--dialect", dialect, "--from", "other.json", cwd=tmp_path)
    assert result.exit_code == 2, (dialect, result.stdout[:200])
    assert result.stderr.startswith("lrplot: error: ") and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize("dialect,kind", [
    ("composer", "a Composer / llm-foundry config"),
    ("espnet", "an ESPnet training config"),
    ("fairseq", "a fairseq Hydra config"),
    ("olmo", "an OLMo training config"),
    ("paddle", "a PaddleClas / PaddleOCR config"),
    ("paddledet", "a PaddleDetection config"),
])
def test_a_yaml_file_that_is_not_a_mapping_is_named_as_such(tmp_path, dialect, kind):
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    result = run("-o", "-", "--dialect", dialect, "--from", "list.yaml", cwd=tmp_path)
    assert_usage_error(result, f"--from list.yaml: expected {kind} (a mapping)")
