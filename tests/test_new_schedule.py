"""A schedule added with one register(Schedule(...)) call reaches every face
of lrplot with no other edit: the command line, YAML, `lrplot list`, the
README table's generator and --emit (as its values, step by step)."""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest

from lrplot.binding import all_schedules
from lrplot.emit import emit
from lrplot.listing import render_listing
from lrplot.plan import CurveRequest, Plan, make_curves
from lrplot.registry import SCHEDULES, Param, Schedule, register
from tests.helpers import read_csv, run


def halving(t: np.ndarray, *, lr: float, every: int) -> np.ndarray:
    np.floor_divide(t, every, out=t)
    return lr * 0.5**t


TOY = Schedule("halving", halving, (Param("every", "steps", 5, "steps between halvings", low=1),),
               "halve every few steps", "lr * 0.5 ** floor(t / every)")


@pytest.fixture
def toy():
    all_schedules()  # the built-ins first, as lrplot loads them
    register(TOY)
    yield TOY
    del SCHEDULES[TOY.name]


def expected(steps: int, every: int, lr: float = 0.1) -> list[float]:
    return [lr * 0.5 ** (t // every) for t in range(steps)]


def test_command_line_and_yaml(toy, tmp_path):
    result = run("--steps", "12", "-o", "-", "halving", "--every", "4")
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    assert header == ["step", "halving(every=4)"]
    assert [row[1] for row in rows] == pytest.approx(expected(12, 4))
    (tmp_path / "c.yaml").write_text("steps: 12\ncurves:\n  - {schedule: halving, every: 3}\n")
    from_yaml = run("-o", "-", "--config", str(tmp_path / "c.yaml"))
    assert [row[1] for row in read_csv(from_yaml.stdout)[1]] == pytest.approx(expected(12, 3))


def test_list_and_the_readme_table(toy):
    assert "halving" in run("list").stdout
    row = "| `halving` | `every (5)` | `lr * 0.5 ** floor(t / every)` | — |"
    assert row in render_listing("markdown").splitlines()


@pytest.mark.parametrize("framework", ["torch", "keras", "optax", "paddle"])
def test_emit_writes_its_values(toy, framework):
    curves = make_curves([CurveRequest("halving", {"every": 4, "warmup_steps": 3})], 20)
    code = emit(framework, Plan(steps=20, curves=curves))
    compile(code, "<emit>", "exec")
    assert "halving has no closed form in lrplot's --emit" in code


def test_emitted_values_run_without_a_framework(toy, tmp_path):
    from lrplot.emit import HELPERS, SCALAR, function_source

    (curve,) = make_curves([CurveRequest("halving", {"every": 4, "warmup_steps": 3})], 20)
    namespace: dict = {"math": __import__("math")}
    exec(HELPERS["scalar"], namespace)  # noqa: S102 - the helper text every emitted script defines
    exec(function_source("lr", curve.bound, 17, "doc", SCALAR, 20), namespace)  # noqa: S102 - text lrplot wrote
    ours = curve.bound.evaluate_at(np.arange(20, dtype=np.float64))
    assert [namespace["lr"](float(t)) for t in range(20)] == ours.tolist()
    script = tmp_path / "check.py"
    script.write_text(HELPERS["scalar"].join(["import math\n", ""]) + function_source("lr", curve.bound, 17, "d", SCALAR, 20)
                      + "\nprint([lr(t) for t in range(25)])\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    printed = ast.literal_eval(done.stdout)
    assert printed == ours.tolist() + [ours[-1]] * 5  # held after the last step


def test_a_closed_form_declared_with_the_schedule_is_written_into_the_script():
    from lrplot.emit import HELPERS, SCALAR, function_source

    coded = TOY._replace(name="halving-coded", code=lambda p, d: f"{p['lr']!r} * 0.5 ** floor(t / {float(p['every'])!r})")
    all_schedules()
    register(coded)
    try:
        (curve,) = make_curves([CurveRequest("halving-coded", {"every": 4, "warmup_steps": 3})], 20)
        code = emit("torch", Plan(steps=20, curves=[curve]))
        assert "value = 0.1 * 0.5 ** floor(t / 4.0)" in code
        namespace: dict = {"math": __import__("math")}
        exec(HELPERS["scalar"], namespace)  # noqa: S102 - the helper text every emitted script defines
        exec(function_source("lr", curve.bound, 17, "doc", SCALAR, 20), namespace)  # noqa: S102 - text lrplot wrote
        warmup = [0.1 * t / 3 for t in range(3)]
        assert [namespace["lr"](float(t)) for t in range(20)] == pytest.approx(warmup + expected(17, 4))
    finally:
        del SCHEDULES["halving-coded"]
