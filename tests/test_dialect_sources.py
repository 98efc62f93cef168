"""Reading other frameworks' files as data: Python configs through ``ast``
(nothing imported or run), command lines from scripts and READMEs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lrplot.dialects import pyconfig
from lrplot.dialects.shell import command_lines
from lrplot.errors import UsageError

FIXTURES = Path(__file__).parent / "fixtures" / "configs"
MMDET = FIXTURES / "mmengine" / "mmdetection" / "configs"


# ---------------------------------------------------------------- Python configs


def test_a_base_chain_is_merged_as_mmengine_merges_it():
    config = pyconfig.load(str(MMDET / "yolox" / "yolox_s_8xb8-300e_coco.py"))
    # The file's own `max_epochs = 300`, `num_last_epochs = 15`, `base_lr = 0.01`,
    # evaluated: T_max = max_epochs - num_last_epochs, eta_min = base_lr * 0.05.
    cosine = config["param_scheduler"][1]
    assert cosine["type"] == "CosineAnnealingLR"
    assert cosine["T_max"] == 285 and cosine["end"] == 285
    assert cosine["eta_min"] == pytest.approx(0.0005)
    # train_cfg from the file replaces the base's max_epochs (12) key by key.
    assert config["train_cfg"]["max_epochs"] == 300
    assert config["train_cfg"]["type"] == "EpochBasedTrainLoop"  # kept from schedule_1x.py
    assert config["optim_wrapper"]["optimizer"]["lr"] == 0.01


def test_a_config_made_only_of_bases():
    config = pyconfig.load(str(MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py"))
    assert config["param_scheduler"][1]["milestones"] == [8, 11]
    assert config["train_dataloader"]["batch_size"] == 2


def test_delete_replaces_instead_of_merging(tmp_path):
    (tmp_path / "base.py").write_text("optim_wrapper = dict(type='X', optimizer=dict(type='SGD', lr=0.1, momentum=0.9))\n")
    (tmp_path / "child.py").write_text(
        "_base_ = './base.py'\noptim_wrapper = dict(_delete_=True, optimizer=dict(type='AdamW', lr=1e-3))\n"
    )
    assert pyconfig.load(str(tmp_path / "child.py"))["optim_wrapper"] == {"optimizer": {"type": "AdamW", "lr": 1e-3}}


def test_base_references_and_new_style_read_base(tmp_path):
    (tmp_path / "_base_").mkdir()
    (tmp_path / "_base_" / "schedule.py").write_text("max_epochs = 90\nlr = 0.4\n")
    (tmp_path / "old.py").write_text(
        "_base_ = ['./_base_/schedule.py']\nend = '{{_base_.max_epochs}}'\nhalf = _base_.max_epochs // 2\n"
    )
    old = pyconfig.load(str(tmp_path / "old.py"))
    assert (old["end"], old["half"], old["max_epochs"]) == (90, 45, 90)
    (tmp_path / "new.py").write_text(
        "from mmengine.config import read_base\nwith read_base():\n    from ._base_.schedule import *\n"
        "from torch.optim import SGD\noptimizer = dict(type=SGD, lr=lr * 2)\n"
    )
    new = pyconfig.load(str(tmp_path / "new.py"))
    assert new["optimizer"]["lr"] == 0.8
    assert repr(new["optimizer"]["type"]) == "torch.optim.SGD"


def test_nothing_is_run(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(
        f"import os\nos.system('touch {marker}')\nx = __import__('os').system('touch {marker}')\n"
        f"open('{marker}', 'w')\nlr = 0.1\n"
    )
    config = pyconfig.load(str(tmp_path / "evil.py"))
    assert config["lr"] == 0.1
    assert isinstance(config["x"], pyconfig.Opaque)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("_base_ = './loop.py'\n", "include each other in a loop"),
        ("_base_ = './missing.py'\n", "its _base_ file './missing.py' does not exist"),
        ("x = [0] * 10**9\n", "more than 100,000 elements"),
        ("x = 10 ** 10 ** 10\n", "too large to compute"),
        ("x = (\n", "not a Python config: line"),
        ("_base_ = 3\n", "_base_ must be a file name or a list of them"),
    ],
)
def test_hostile_python_configs_are_one_line_errors(tmp_path, text, expected):
    (tmp_path / "loop.py").write_text(text)
    started = time.monotonic()
    with pytest.raises(UsageError, match=expected.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        pyconfig.load(str(tmp_path / "loop.py"))
    assert time.monotonic() - started < 5


def test_deep_nesting_is_an_error_not_a_crash(tmp_path):
    (tmp_path / "deep.py").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(UsageError):
        pyconfig.load(str(tmp_path / "deep.py"))


# ---------------------------------------------------------------- command lines


def flags_of(line, *names):
    return {name: (line.get(name).values if line.get(name) else None) for name in names}


def test_megatron_arrays_and_variables_are_expanded():
    lines = command_lines((FIXTURES / "megatron" / "gpt3-175b-cosine-rampup-batch.sh").read_text())
    launch = max(lines, key=lambda line: len(line.flags))
    assert flags_of(launch, "lr", "lr-decay-style", "rampup-batch-size", "train-iters", "nproc_per_node") == {
        "lr": ("6.0e-5",),
        "lr-decay-style": ("cosine",),
        "rampup-batch-size": ("16", "16", "5859375"),
        "train-iters": ("500000",),
        "nproc_per_node": ("8",),  # $GPUS_PER_NODE
    }


def test_a_command_inside_a_quoted_variable_is_read():
    text = (FIXTURES / "megatron" / "bigscience-tr11e-350M-cosine-samples-rampup.slurm").read_text()
    launch = max(command_lines(text), key=lambda line: len(line.flags))
    assert flags_of(launch, "train-samples", "lr-warmup-samples", "lr_decay_samples") == {
        "train-samples": ("220_000_000",),
        "lr-warmup-samples": ("183_105",),
        "lr_decay_samples": ("200_000_000",),  # either spelling finds --lr-decay-samples
    }


def test_continued_lines_make_one_command():
    lines = command_lines((FIXTURES / "hf" / "codefuse-devops-pt-cosine-max-steps.sh").read_text())
    launch = max(lines, key=lambda line: len(line.flags))
    assert flags_of(launch, "lr_scheduler_type", "warmup_ratio", "max_steps", "learning_rate") == {
        "lr_scheduler_type": ("cosine",), "warmup_ratio": ("0.05",), "max_steps": ("1000",),
        "learning_rate": ("5e-6",),
    }


def test_markdown_inline_commands_are_each_a_command_line():
    lines = command_lines((FIXTURES / "timm" / "training-hparam-examples.md").read_text(), markdown=True)
    assert len(lines) == 8
    assert flags_of(lines[0], "sched", "decay-epochs", "decay-rate", "lr", "b") == {
        "sched": ("step",), "decay-epochs": ("2.4",), "decay-rate": (".97",), "lr": (".016",), "b": ("128",),
    }
    assert lines[6].get("lr-noise").values == ("0.42", "0.9")


def test_shell_arithmetic_and_defaults():
    script = 'N=2\nG=${GPUS:-4}\nW=$(($N * $G))\npython train.py --world $W --x "$(hostname)"\n'
    (line,) = command_lines(script)
    assert flags_of(line, "world", "x") == {"world": ("8",), "x": ("$(hostname)",)}
