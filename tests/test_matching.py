"""The framework descriptions (lrplot/frameworks/*.py ``MATCHING``): every
one is named, every template names only what a curve has, every class that
--emit does not write is backed by golden values, a few decisions checked by
hand, and a framework added as one module reaches --emit and README."""

from __future__ import annotations

import ast
import json
import math
import string
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import lrplot.frameworks
from lrplot.binding import all_schedules
from lrplot.codetext import SCALAR, SCALAR_HELPERS
from lrplot.emit import emit
from lrplot.matching import (
    Condition,
    CurveFacts,
    Exact,
    Framework,
    Script,
    all_frameworks,
    exact_call,
    reason,
)
from lrplot.matchtable import doc_call, render_table
from lrplot.plan import CurveRequest, Plan, make_curves

ROOT = Path(__file__).parent.parent
FACTS = {"schedule", "shown", "run", "warmup_from", "warmup_to"}


def _fields(template: str) -> set[str]:
    return {field.split("!")[0].split(".")[0].split("[")[0]
            for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_module_with_a_matching_is_named_and_emit_lists_those_with_a_script():
    declared = set()
    for path in (ROOT / "lrplot" / "frameworks").glob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MATCHING" for t in node.targets)
               for node in tree.body):
            declared.add(path.stem)
    assert declared == set(lrplot.frameworks.MATCHINGS)
    assert all(name == fw.name for name, fw in all_frameworks().items())
    with_script = tuple(name for name, fw in all_frameworks().items() if fw.script is not None)
    assert with_script == lrplot.frameworks.EMIT


def test_every_template_names_a_parameter_a_value_or_a_fact():
    schedules = all_schedules()
    for fw in all_frameworks().values():
        for rule in fw.exact:
            assert rule.schedule in schedules, f"{fw.name}: {rule.schedule} is not a schedule"
            known = {p.name for p in schedules[rule.schedule].all_params} | {v.name for v in rule.values} | FACTS
            for template in (rule.call, rule.inner or ""):
                unknown = _fields(template) - known
                assert not unknown, f"{fw.name} {rule.schedule}: {template} names {unknown}"
        if fw.warmup:
            known = {p.name for p in schedules["constant"].all_params} | {v.name for v in fw.warmup.values} | FACTS
            for template in (fw.warmup.call, *fw.warmup.shapes.values()):
                assert not _fields(template) - known - {"inner", "warm"}, f"{fw.name} warmup: {template}"


def test_classes_emit_does_not_write_have_golden_values_from_their_framework():
    """README lists them as exact: the golden files, made by the frameworks
    themselves (scripts/make_golden.py), must hold a case of each."""
    for fw in all_frameworks().values():
        calls = [case["call"] for case in json.loads((ROOT / "tests" / "golden" / f"{fw.name}.json").read_text())["cases"]]
        for rule in fw.exact:
            if not rule.emitted:
                name = doc_call(rule.call).split("(")[0]
                assert any(f"{name}(" in call for call in calls), (
                    f"{fw.name} {name} ({rule.schedule}) has no golden values"
                )


def test_calls_read_with_lrplot_parameter_names():
    assert doc_call("ExponentialLR(optimizer, gamma={decay_rate!r})") == "ExponentialLR(gamma=decay_rate)"
    assert doc_call("StepLR(optimizer, step_size={step_size}, gamma={gamma!r})") == "StepLR(step_size, gamma)"
    assert doc_call("paddle.optimizer.lr.LinearWarmup({inner}, warmup_steps={warmup_steps})", inner="X") == (
        "LinearWarmup(X, warmup_steps)"
    )


def facts(name: str, params: dict, steps: int) -> CurveFacts:
    (curve,) = make_curves([CurveRequest(name, params)], steps)
    return CurveFacts(curve.bound, steps)


FW = {}


def fw(name: str) -> Framework:
    if not FW:
        FW.update(all_frameworks())
    return FW[name]


@pytest.mark.parametrize(
    "framework,name,params,steps,expected",
    [
        ("torch", "exponential", {"decay_rate": 0.9}, 50, "ExponentialLR(optimizer, gamma=0.9)"),
        ("torch", "exponential", {"decay_rate": 0.9, "decay_steps": 2}, 50, None),
        # CosineAnnealingLR rises after T_max: the last step (steps - 1) must be <= 40
        ("torch", "cosine", {"decay_steps": 40}, 41, "CosineAnnealingLR(optimizer, T_max=40, eta_min=0.0)"),
        ("torch", "cosine", {"decay_steps": 40}, 42, None),
        # triangular2 over cycles of 2 steps: torch computes 2 ** (cycle - 1) up to the last
        # step, cycle 1 + (steps - 1) // 2, which must stay <= 1024; Paddle one step further.
        ("torch", "cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2"}, 2048, "CyclicLR("),
        ("torch", "cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2"}, 2049, None),
        ("paddle", "cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2"}, 2047, "paddle.optimizer.lr.CyclicLR("),
        ("paddle", "cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2"}, 2048, None),
        # noam starts at 0: a warmup from 0.001 falls, which LinearWarmup refuses
        ("paddle", "noam", {"warmup_steps": 9, "warmup_start_lr": 0.001}, 100, None),
        ("paddle", "noam", {}, 100, "paddle.optimizer.lr.NoamDecay(d_model=512, warmup_steps=4000, learning_rate=0.1)"),
        ("keras", "cosine", {"decay_steps": 20, "warmup_steps": 5, "warmup_start_lr": 0.01}, 30,
         "keras.optimizers.schedules.CosineDecay(0.01, decay_steps=20, alpha=0.0, warmup_target=0.1, warmup_steps=5)"),
        ("keras", "step", {}, 30, None),
        ("optax", "linear", {"start_factor": 0.5, "end_factor": 0.25, "total_steps": 8}, 10,
         "optax.linear_schedule(0.05, 0.025, transition_steps=8)"),
    ],
)
def test_exact_or_not_checked_by_hand(framework, name, params, steps, expected):
    found = exact_call(fw(framework), facts(name, params, steps))
    if expected is None:
        assert found is None
    else:
        assert found is not None and found[0].startswith(expected)


def test_paddle_says_why_a_falling_warmup_is_a_plain_function():
    why = reason(fw("paddle"), facts("noam", {"warmup_steps": 9, "warmup_start_lr": 0.001}, 100))
    assert why == "Paddle's LinearWarmup asserts end_lr > start_lr, and this warmup does not rise"


# A framework whose "scheduler" is a function the script defines itself, so
# the script runs here with no framework installed.
TOY = Framework(
    "toyfw",
    "Toy",
    exact=(Exact("step", "Halve({lr!r}, every={step_size})",
                 when=(Condition("gamma = 0.5", lambda v: v["gamma"] == 0.5),)),),
    script=Script(
        header="import math\n\n\ndef Halve(lr, every):\n    return lambda step: lr * 0.5 ** (step // every)\n",
        dialect=SCALAR,
        helpers=SCALAR_HELPERS,
        native="def {builder}():\n    {label!r}\n{comment}    return {call}\n",
        fallback="def {builder}():\n    {label!r}\n    return lr_{index}\n",
        loop="    schedule = {builder}()\n    for step in range(STEPS):\n        print(repr(float(schedule(step))))",
    ),
)


@pytest.fixture
def toy_framework(monkeypatch):
    module = types.ModuleType("lrplot.frameworks.toyfw")
    module.MATCHING = TOY
    monkeypatch.setitem(sys.modules, "lrplot.frameworks.toyfw", module)
    monkeypatch.setattr(lrplot.frameworks, "MATCHINGS", (*lrplot.frameworks.MATCHINGS, "toyfw"))
    monkeypatch.setattr(lrplot.frameworks, "toyfw", module, raising=False)
    return TOY


def test_a_framework_is_one_module(toy_framework, tmp_path):
    steps = 30
    requests = [CurveRequest("step", {"step_size": 4, "gamma": 0.5}, label="halving"),
                CurveRequest("step", {"step_size": 4, "gamma": 0.3}, label="not halving"),
                CurveRequest("cosine", {"warmup_steps": 3}, label="cosine")]
    plan = Plan(steps=steps, curves=make_curves(requests, steps))
    code = emit("toyfw", plan)
    assert "return Halve(0.1, every=4)" in code
    assert "toyfw has no exact class for step" in code and "toyfw has no exact class for cosine with this warmup" in code
    script = tmp_path / "toy.py"
    script.write_text(code)
    printed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    values = [float(line) for line in printed.splitlines() if not line.startswith("#")]
    expected = [0.1 * 0.5 ** (t // 4) for t in range(steps)] + [0.1 * 0.3 ** (t // 4) for t in range(steps)]
    cosine = [0.1 * t / 3 for t in range(3)] + [0.1 * (1 + math.cos(math.pi * t / 27)) / 2 for t in range(27)]
    np.testing.assert_allclose(values, expected + cosine, rtol=1e-12, atol=1e-15)
    header = render_table().splitlines()[0]
    assert header.endswith("| Toy |")
    assert "`Halve(lr, every=step_size)` (gamma = 0.5)" in render_table()
