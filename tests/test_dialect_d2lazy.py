"""detectron2 LazyConfig ``.py`` files (``--from``): small configs in a copy of
detectron2's configs/common (real files, tests/fixtures/configs/detectron2),
expected values worked out by hand from fvcore's formulas (the real configs
are checked against fvcore in test_from_golden.py), and hostile files: one
line, exit 2, nothing run."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from tests.helpers import assert_usage_error, read_csv, run

COMMON = Path(__file__).parent / "fixtures" / "configs" / "detectron2" / "configs" / "common"


def tree(tmp_path: Path, text: str, name: str = "mine.py") -> Path:
    """``text`` as configs/project/<name> of a detectron2 tree holding the real configs/common."""
    shutil.copytree(COMMON, tmp_path / "configs" / "common")
    (tmp_path / "configs" / "project").mkdir()
    path = tmp_path / "configs" / "project" / name
    path.write_text(text)
    return path


def lrs(path: Path) -> list[float]:
    result = run("-o", "-", "--from", str(path))
    assert result.exit_code == 0, result.stderr
    return [row[1] for row in read_csv(result.stdout)[1]]


def test_coco_schedule_1x_is_scale_invariant(tmp_path):
    """lr_multiplier_1x (milestones 60000, 80000 of num_updates 90000; warmup
    1000/90000) over a 900-iteration run: steps at 600 and 800, a 10-iteration
    warmup from 0.001 x SGD's lr 0.02."""
    path = tree(tmp_path, "from ..common.optim import SGD as optimizer\n"
                          "from ..common.coco_schedule import lr_multiplier_1x as lr_multiplier\n"
                          "from ..common.data.coco import dataloader\n"
                          "from ..common.train import train\n"
                          "train.max_iter = 900\n")
    values = lrs(path)
    expected = [0.02 * (0.001 + 0.999 * t / 10) if t < 10 else 0.02 if t < 600 else 0.002 if t < 800 else 0.0002
                for t in range(900)]
    assert values == pytest.approx(expected, rel=1e-12)


def test_a_function_of_the_config_is_called(tmp_path):
    """default_X_scheduler(3): its other branch, milestones 270000 - 60000 and
    - 20000 of 270000, here over 2700 iterations; optimizer.lr set afterwards."""
    path = tree(tmp_path, "from ..common.optim import SGD as optimizer\n"
                          "from ..common.coco_schedule import default_X_scheduler\n"
                          "from ..common.train import train\n"
                          "lr_multiplier = default_X_scheduler(3)\n"
                          "train['max_iter'] = 2700\n"
                          "optimizer.lr = 0.04\n")
    values = lrs(path)
    assert len(values) == 2700
    assert values[0] == pytest.approx(0.04 * 0.001, rel=1e-12)
    assert values[5] == pytest.approx(0.04 * (0.001 + 0.999 * 5 / 10), rel=1e-12)
    assert values[10] == values[2099] == pytest.approx(0.04, rel=1e-12)
    assert values[2100] == values[2499] == pytest.approx(0.004, rel=1e-12)
    assert values[2500] == values[2699] == pytest.approx(0.0004, rel=1e-12)


def test_cosine_under_a_constant_warmup_and_linear(tmp_path):
    head = ("from detectron2.config import LazyCall as L\n"
            "from detectron2.solver import WarmupParamScheduler\n"
            "from fvcore.common.param_scheduler import CosineParamScheduler, LinearParamScheduler\n"
            "train = dict(max_iter=100)\noptimizer = dict(lr=0.5)\n")
    cosine = tree(tmp_path / "a", head + "lr_multiplier = L(WarmupParamScheduler)(\n"
                  "    scheduler=L(CosineParamScheduler)(start_value=1.0, end_value=0.01),\n"
                  "    warmup_length=5 / train['max_iter'], warmup_factor=0.1, warmup_method='constant')\n")
    expected = [0.05 if t < 5 else 0.5 * (0.01 + 0.5 * 0.99 * (1 + math.cos(math.pi * t / 100))) for t in range(100)]
    assert lrs(cosine) == pytest.approx(expected, rel=1e-12)
    linear = tree(tmp_path / "b", head + "lr_multiplier = L(LinearParamScheduler)(start_value=1.0, end_value=0.2)\n")
    assert lrs(linear) == pytest.approx([0.5 * (0.2 * t / 100 + (1 - t / 100)) for t in range(100)], rel=1e-12)


def test_a_target_written_as_a_string(tmp_path):
    path = tree(tmp_path, "lr_multiplier = dict(_target_='fvcore.common.param_scheduler.ConstantParamScheduler', "
                          "value=0.5)\ntrain = dict(max_iter=4)\noptimizer = dict(lr=0.2)\n", name="mine.py")
    result = run("-o", "-", "--from", str(path), "--dialect", "detectron2")
    assert result.exit_code == 0, result.stderr
    assert [row[1] for row in read_csv(result.stdout)[1]] == [0.1] * 4


def test_lr_multiplier_and_a_list_comprehension(tmp_path):
    path = tree(tmp_path, "from detectron2.config import LazyCall as L\n"
                          "from detectron2.solver import LRMultiplier\n"
                          "from fvcore.common.param_scheduler import MultiStepParamScheduler\n"
                          "train = dict(max_iter=90)\noptimizer = dict(lr=1.0)\n"
                          "lr_multiplier = L(LRMultiplier)(max_iter=train['max_iter'], multiplier=L(MultiStepParamScheduler)(\n"
                          "    values=[0.5 ** k for k in range(3)], milestones=[k * 30 for k in range(1, 3)],\n"
                          "    num_updates=90))\n")
    assert lrs(path) == [1.0] * 30 + [0.5] * 30 + [0.25] * 30


HOSTILE = {
    "outside": ("from ......................etc.passwd import train\n", "from outside the config's tree"),
    "dunder import": ("train = dict(max_iter=10)\noptimizer = dict(lr=__import__('os').getpid())\n"
                      "lr_multiplier = 1\n", "optimizer.lr is not set"),
    "huge range": ("train = dict(max_iter=len(list(range(10 ** 9))))\n", "more than 100,000 elements"),
    "huge comprehension": ("x = [i for i in range(1000) for j in range(1000)]\n", "more than 100,000 elements"),
    "memory bomb": ("x = [[0] * 100000 for _ in range(100000)]\n", "elements built in all"),
    "copy bomb": ("a = dict(x=list(range(99999)))\n" + "a = dict(b=a, c=a)\n" * 40, "elements built in all"),
    "missing file": ("from ..common.train import train\nfrom ..common.nothere import lr_multiplier\n",
                     "lr_multiplier comes from `..common.nothere import lr_multiplier (no file configs/common/nothere.py)`"),
    "huge power": ("x = 10 ** 10 ** 10\n", "too large to compute"),
    "recursion": ("def f(n):\n    return f(n)\ntrain = dict(max_iter=f(1))\n", "functions calling each other"),
    "import loop": ("from .mine import train\n", "its imports form a loop"),
    "loop statement": ("train = dict(max_iter=10)\nfor i in range(3):\n    train.max_iter += 1\n", "not supported yet"),
    "deep nesting": ("x = " + "[" * 3000 + "]" * 3000 + "\n", "not a Python config"),
    "step scheduler": ("from detectron2.config import LazyCall as L\n"
                       "from fvcore.common.param_scheduler import StepParamScheduler\n"
                       "train = dict(max_iter=10)\noptimizer = dict(lr=1.0)\n"
                       "lr_multiplier = L(StepParamScheduler)(num_updates=10, values=[1, 0.1])\n",
                       "StepParamScheduler is not supported yet"),
    "own class": ("from detectron2.config import LazyCall as L\nfrom mine import Warmup\n"
                  "train = dict(max_iter=10)\noptimizer = dict(lr=1.0)\nlr_multiplier = L(Warmup)()\n",
                  "L(mine.Warmup) is not one of detectron2's or fvcore's schedulers"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_lazyconfigs_are_one_line(tmp_path, case):
    text, expected = HOSTILE[case]
    path = tree(tmp_path, "# lr_multiplier, a detectron2 LazyConfig\n" + text)
    result = run("-o", str(tmp_path / "out.csv"), "--from", str(path), "--dialect", "detectron2")
    assert_usage_error(result, expected)
    assert not (tmp_path / "out.csv").exists()


def test_a_warmup_over_a_fraction_of_an_iteration_count(tmp_path):
    """warmup_length 0.25 of 10 iterations: fvcore ramps 0.1 + 0.9 x (t / 10) / 0.25 while
    t / 10 + 1e-6 <= 0.25 (t = 0, 1, 2), then the steps (milestone 5 of 10)."""
    path = tree(tmp_path, "from detectron2.config import LazyCall as L\n"
                          "from detectron2.solver import WarmupParamScheduler\n"
                          "from fvcore.common.param_scheduler import MultiStepParamScheduler\n"
                          "train = dict(max_iter=10)\noptimizer = dict(lr=1.0)\n"
                          "lr_multiplier = L(WarmupParamScheduler)(warmup_length=0.25, warmup_factor=0.1,\n"
                          "    scheduler=L(MultiStepParamScheduler)(values=[1.0, 0.1], milestones=[5], num_updates=10))\n")
    assert lrs(path) == pytest.approx([0.1, 0.46, 0.82, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1, 0.1], rel=1e-12)


def test_a_symlink_out_of_the_tree_is_not_followed(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("train = dict(max_iter=10)\n")
    path = tree(tmp_path / "t", "# lr_multiplier\nfrom .other import train\n")
    (path.parent / "other.py").symlink_to(outside)
    result = run("-o", "-", "--from", str(path), "--dialect", "detectron2")
    assert_usage_error(result, "from outside the config's tree")
