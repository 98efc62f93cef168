"""PaddleDetection configs (``LearningRate`` with ``!PiecewiseDecay`` /
``!CosineDecay`` / ``!LinearWarmup`` tags, ``_BASE_`` lists) against hand
calculations from ppdet/optimizer/optimizer.py (the real paddle values for the
fixtures are in tests/golden/from/paddledet, checked by tests/test_from_golden.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.helpers import assert_usage_error, lrplot_process, read_csv, run

CONFIGS = Path(__file__).parent / "fixtures" / "configs" / "paddledet" / "configs"
FASTER = CONFIGS / "faster_rcnn" / "faster_rcnn_swin_tiny_fpn_1x_coco.yml"
PPYOLOE = CONFIGS / "ppyoloe" / "ppyoloe_crn_l_300e_coco.yml"


def lrs(*args: str, cwd: Path | None = None) -> list[float]:
    result = run("-o", "-", *args, cwd=cwd)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    return [row[1] for row in rows]


def test_faster_rcnn_piecewise_milestones_count_from_update_0():
    # 3000 images / batch 2 = 1500 updates an epoch; LinearWarmup 1000 steps from 0.1 x 1e-4;
    # milestones 8, 11 epochs = updates 12000, 16500; scalar gamma 0.1 -> factors 0.1, 0.01.
    lr = lrs("--from", str(FASTER), "--dataset-size", "3000")
    assert len(lr) == 12 * 1500
    assert lr[0] == pytest.approx(1e-5, rel=1e-12)
    assert lr[500] == pytest.approx(1e-4 * (0.1 * 0.5 + 0.5), rel=1e-12)
    assert lr[1000] == lr[11999] == 1e-4
    assert lr[12000] == pytest.approx(1e-5, rel=1e-12) and lr[16499] == lr[12000]
    assert lr[16500] == pytest.approx(1e-6, rel=1e-12) and lr[-1] == lr[16500]


def test_ppyoloe_warms_up_for_epochs_then_cosine_over_max_epochs():
    # 2000 / 4 cards = 500 each, / TrainReader.batch_size 20 = 25 an epoch; warmup 5 epochs = 125 from 0;
    # cosine over 360 epochs (9000) minus the warmup, the run stops at 300 epochs (7500).
    lr = lrs("--from", str(PPYOLOE), "--dataset-size", "2000", "--world-size", "4")
    assert len(lr) == 7500
    assert lr[0] == 0.0 and lr[25] == pytest.approx(0.025 * 25 / 125, rel=1e-12)
    for t in (125, 3000, 7499):
        assert lr[t] == pytest.approx(0.025 * (1 + math.cos(math.pi * (t - 125) / 8875)) / 2, rel=1e-12)


def config(tmp_path: Path, schedulers: str, rest: str = "", name: str = "det.yml") -> Path:
    path = tmp_path / name
    path.write_text(f"epoch: 5\nTrainReader:\n  batch_size: 2\n{rest}LearningRate:\n  base_lr: 0.1\n"
                    f"  schedulers:\n{schedulers}")
    return path


def test_cosine_without_warmup_holds_its_plateau(tmp_path):
    # 10 images / 2 = 5 an epoch; M = 20, plateau 5, min 0.01: the cosine over 15 updates, then 0.01 (past M too).
    path = config(tmp_path, "  - !CosineDecay {max_epochs: 4, use_warmup: false, min_lr_ratio: 0.1, "
                            "last_plateau_epochs: 1}\n")
    lr = lrs("--from", str(path), "--dataset-size", "10")
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * t / 15)) / 2 if t < 15 else 0.01 for t in range(25)]
    assert lr == pytest.approx(expected, rel=1e-12)


def test_exp_warmup_positional_and_dict_forms(tmp_path):
    # ExpWarmup power 2 over 4 updates from 0; PiecewiseDecay given as LearningRate's dict form.
    path = config(tmp_path, "  - name: PiecewiseDecay\n    gamma: [0.5]\n    milestones: [2]\n"
                            "  - !ExpWarmup [4, null, 2]\n")
    lr = lrs("--from", str(path), "--dataset-size", "10")
    assert lr == pytest.approx([0.1 * (t / 4) ** 2 for t in range(4)] + [0.1] * 6 + [0.05] * 15, rel=1e-12)


def test_base_files_merge_and_drop_last_false_rounds_up(tmp_path):
    (tmp_path / "_base_").mkdir()
    (tmp_path / "_base_" / "opt.yml").write_text(
        "epoch: 2\nLearningRate:\n  base_lr: 0.4\n  schedulers:\n  - !PiecewiseDecay {milestones: [1], gamma: 0.5}\n"
        "  - !LinearWarmup {steps: 2, start_factor: 0.5}\n")
    (tmp_path / "top.yml").write_text("_BASE_: ['_base_/opt.yml']\nweights: x\nTrainReader: {batch_size: 4, "
                                      "drop_last: false}\nLearningRate: {base_lr: 0.2}\n")
    # 11 images / 4 with the last batch kept: 3 an epoch; base_lr 0.2 over the base's 0.4, schedulers kept.
    lr = lrs("--from", str(tmp_path / "top.yml"), "--dataset-size", "11")
    assert lr == pytest.approx([0.1, 0.15, 0.2, 0.1, 0.1, 0.1], rel=1e-12)


def test_more_gamma_factors_than_milestones_end_on_the_last(tmp_path):
    # The default gamma [0.1, 0.01] with one milestone: paddle's PiecewiseDecay returns its last value
    # (base_lr x 0.01) past the last boundary; base_lr x 0.1 is never used.
    path = config(tmp_path, "  - !PiecewiseDecay {milestones: [2]}\n  - !LinearWarmup {steps: 2, start_factor: 0.5}\n")
    lr = lrs("--from", str(path), "--dataset-size", "10")
    assert lr == pytest.approx([0.05, 0.075] + [0.1] * 8 + [0.001] * 15, rel=1e-12)


def test_a_scheduler_ppdet_never_calls_is_refused_with_strict(tmp_path):
    path = config(tmp_path, "  - !PiecewiseDecay {milestones: [1]}\n  - !LinearWarmup {steps: 1}\n"
                            "  - !LinearWarmup {steps: 3}\n")
    assert len(lrs("--from", str(path), "--dataset-size", "10")) == 25
    assert_usage_error(run("-o", "-", "--strict", "--from", str(path), "--dataset-size", "10"),
                       "LearningRate.schedulers[2] (LinearWarmup, never called by PaddleDetection)")


def test_figure_and_csv_at_once_from_a_real_process(tmp_path):
    proc = lrplot_process("--from", str(FASTER), "--dataset-size", "300", "-o", "lr.png", "-o", "lr.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "lr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _, rows = read_csv((tmp_path / "lr.csv").read_text())
    assert len(rows) == 12 * 150 and rows[1200][1] == pytest.approx(1e-5, rel=1e-12)


HOSTILE = [
    ("  - !OneCycle {}\n", "the first scheduler is OneCycle"),
    ("  - !CosineDecay {}\n  - !Foo {}\n", "the second scheduler is Foo"),
    ("  - !PiecewiseDecay {milestones: [9], gamma: [0.1]}\n  - !Foo {}\n", "the second scheduler is Foo"),
    ("  - !LinearWarmup {steps: 3}\n  - !CosineDecay {}\n", "the first scheduler is LinearWarmup"),
    ("  - !CosineDecay {max_epochs: 5}\n", "no warmup scheduler follows"),
    ("  - !CosineDecay {max_epochs: 5}\n  - !PiecewiseDecay {}\n", "the second scheduler is PiecewiseDecay"),
    ("  - !CosineDecay {max_epochs: 5}\n  - !BurninWarmup {steps: 3}\n", "BurninWarmup (a (t/W)^4 warmup)"),
    ("  - !CosineDecay {max_epochs: 5}\n  - !ExpWarmup {steps: 3, power: 3}\n", "ExpWarmup with power 3"),
    ("  - !CosineDecay {max_epochs: 4}\n  - !LinearWarmup {steps: 3}\n", "past CosineDecay's 20"),
    ("  - !CosineDecay {max_epochs: 1}\n  - !LinearWarmup {steps: 9}\n", "leaves no cosine"),
    ("  - !CosineDecay {max_epochs: .nan}\n  - !LinearWarmup {}\n", "max_epochs: got nan"),
    ("  - !PiecewiseDecay {milestones: [1], values: [1, 2]}\n  - !LinearWarmup {steps: 2}\n", "values with a warmup"),
    ("  - !PiecewiseDecay {milestones: [1], gamma: [0.1]}\n  - !LinearWarmup {steps: 5}\n", "falls inside the 5-update warmup"),
    ("  - !PiecewiseDecay {milestones: [2, 1]}\n  - !LinearWarmup {steps: 1}\n", "are not increasing"),
    ("  - !PiecewiseDecay {milestones: [1, 2], gamma: [0.1]}\n  - !LinearWarmup {steps: 1}\n", "1 factors for 2"),
    ("  - !PiecewiseDecay {milestones: 3}\n  - !LinearWarmup {steps: 1}\n", "milestones: got 3"),
    ("  - !PiecewiseDecay {milestone: [3]}\n  - !LinearWarmup {steps: 1}\n", "has no argument milestone"),
    ("  - !PiecewiseDecay\n  - !LinearWarmup {steps: 1}\n", "expected a mapping of its arguments"),
    ("  - !PiecewiseDecay {use_warmup: 'no'}\n", "use_warmup: got 'no'"),
    ("  - !!python/object/apply:os.system ['true']\n", "schedulers[0]: got tag:yaml.org,2002:python/object/apply"),
    ("  - 3\n", "schedulers[0]: got 3"),
    ("  - !PiecewiseDecay {gamma: [true]}\n  - !LinearWarmup {steps: 1}\n", "gamma: got True"),
]


@pytest.mark.parametrize("schedulers, message", HOSTILE, ids=[m for _, m in HOSTILE])
def test_hostile_schedulers_are_one_line(tmp_path, schedulers, message):
    path = config(tmp_path, schedulers)
    assert_usage_error(run("-o", "-", "--from", str(path), "--dataset-size", "10"), message)


@pytest.mark.parametrize("text, message", [
    ("_BASE_: ['missing.yml']\nweights: x\n", "_BASE_ file"),
    ("_BASE_: 'other.yml'\nweights: x\n", "expected a list of file names"),
    ("_BASE_: ['top.yml']\nweights: x\n", "include each other in a loop"),
    ("_BASE_: ['list.yml']\nweights: x\n", "_BASE_ file"),
    ("epoch: 3\nweights: x\nLearningRate: [1]\n", "has no LearningRate section"),
    ("epoch: 3\nLearningRate: {base_lr: 0.1, warmup: 3}\n", "LearningRate has no argument warmup"),
    ("epoch: 3\nLearningRate: {base_lr: abc}\n", "LearningRate.base_lr: got 'abc'"),
    ("epoch: 3\nLearningRate: {schedulers: {a: 1}}\n", "LearningRate.schedulers: got"),
    ("LearningRate: {base_lr: 0.1}\nTrainReader: {batch_size: 2}\n", "has no epoch"),
    ("epoch: 2.5\nLearningRate: {base_lr: 0.1}\nTrainReader: {batch_size: 2}\n", "epoch is 2.5"),
    ("epoch: 2\nLearningRate: {base_lr: 0.1}\n", "has no TrainReader: give --batch-size"),
    ("epoch: 2\nLearningRate: {}\nTrainReader: {batch_size: 0}\n", "TrainReader.batch_size is 0"),
    ("epoch: 2\nLearningRate: {}\nTrainReader: {batch_size: 2, drop_last: 'no'}\n", "drop_last is 'no'"),
    ("epoch: 2\nLearningRate: {}\nTrainReader: {batch_size: 64}\n", "makes no full batch of 64"),
    ("epoch: 2\nLearningRate: !Foo {}\nTrainReader: {batch_size: 2}\n", "has no LearningRate section"),
])
def test_hostile_files_are_one_line(tmp_path, text, message):
    (tmp_path / "list.yml").write_text("- 1\n")
    (tmp_path / "top.yml").write_text(text)
    assert_usage_error(run("-o", "-", "--from", str(tmp_path / "top.yml"), "--dialect", "paddledet",
                           "--dataset-size", "10"), message)


def test_grad_accum_and_missing_dataset_size_are_named(tmp_path):
    path = config(tmp_path, "  - !PiecewiseDecay {milestones: [1]}\n  - !LinearWarmup {steps: 1}\n")
    assert_usage_error(run("-o", "-", "--from", str(path)), "give --dataset-size")
    assert_usage_error(run("-o", "-", "--from", str(path), "--dataset-size", "10", "--grad-accum", "2"),
                       "--grad-accum 2 is not supported")


def test_detected_without_naming_the_dialect():
    result = run("translate", str(FASTER), "--dataset-size", "3000")
    assert result.exit_code == 0, result.stderr
    assert "paddledet: PaddleDetection YAML" in result.stdout and "PiecewiseDecay.milestones" in result.stdout


def test_an_empty_learning_rate_is_ppdets_defaults(tmp_path):
    # LearningRate() = base_lr 0.01, [PiecewiseDecay(gamma [0.1, 0.01], milestones [8, 11]),
    # LinearWarmup(steps 500, start_factor 1/3)]; 1000 images / 2 = 500 updates an epoch.
    (tmp_path / "d.yml").write_text("epoch: 12\nTrainReader: {batch_size: 2}\nLearningRate: {}\n")
    lr = lrs("--from", str(tmp_path / "d.yml"), "--dataset-size", "1000")
    assert len(lr) == 6000
    assert lr[0] == pytest.approx(0.01 / 3, rel=1e-12) and lr[250] == pytest.approx(0.01 * (0.5 / 3 + 0.5), rel=1e-12)
    assert lr[500] == lr[3999] == 0.01
    assert lr[4000] == pytest.approx(0.001, rel=1e-12) and lr[5500] == pytest.approx(0.0001, rel=1e-12)
