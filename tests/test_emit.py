"""--emit: the exported script builds each curve with the framework's own
scheduler. Always: it compiles and names the right classes. When the
framework is importable (not in CI; see scripts/make_golden.py for the
environment): the script is RUN and its printed values equal lrplot's."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from lrplot.emit import emit
from lrplot.plan import CurveRequest, Plan, make_curves
from tests.helpers import run

STEPS = 120

# (schedule, params): every schedule, with and without warmup, native and fallback paths.
CURVES = [
    ("constant", {}),
    ("warmup", {"warmup_steps": 10}),
    ("piecewise", {"boundaries": [20, 50], "values": [0.3, 0.1, 0.02]}),
    ("exponential", {"decay_rate": 0.97}),
    ("exponential", {"decay_rate": 0.8, "decay_steps": 10, "staircase": True}),
    ("natural-exp", {"decay_rate": 0.03}),
    ("natural-exp", {"decay_rate": 0.2, "decay_steps": 7}),
    ("inverse-time", {"decay_rate": 0.1}),
    ("inverse-time", {"decay_rate": 0.5, "decay_steps": 5, "staircase": True}),
    ("polynomial", {"decay_steps": 60, "end_lr": 0.001, "power": 2.0}),
    ("polynomial", {"decay_steps": 30, "end_lr": 0.01, "power": 0.5, "cycle": True}),
    ("polynomial", {"decay_steps": 80, "end_lr": 0.0}),
    ("linear", {"start_factor": 0.5, "end_factor": 0.1, "total_steps": 90}),
    ("linear", {"start_factor": 0.0, "end_factor": 1.0, "total_steps": 30}),
    ("step", {"step_size": 25, "gamma": 0.5}),
    ("multistep", {"milestones": [30, 60, 90], "gamma": 0.3}),
    ("cosine", {}),
    ("cosine", {"decay_steps": 50, "end_lr": 0.001}),
    ("cosine-restarts", {"first_decay_steps": 10}),
    ("cosine-restarts", {"first_decay_steps": 8, "t_mul": 1.5, "m_mul": 0.8, "end_lr": 0.001}),
    # The learning rate alone (every framework); cycled momentum: tests/test_emit_scripts.py.
    ("onecycle", {"cycle_momentum": False}),
    ("onecycle", {"three_phase": True, "anneal": "linear", "total_steps": 100, "cycle_momentum": False}),
    ("onecycle", {"three_phase": True, "pct_start": 0.6, "cycle_momentum": False}),  # Paddle refuses its class here
    ("onecycle", {"pct_start": 0.005, "cycle_momentum": False}),  # a rise shorter than one step
    ("cyclic", {"step_size_up": 7, "step_size_down": 13, "mode": "triangular2", "cycle_momentum": False}),
    ("cyclic", {"step_size_up": 10, "mode": "exp_range", "gamma": 0.99, "cycle_momentum": False}),
    ("noam", {"lr": 1.0, "d_model": 64, "noam_warmup": 30}),
    ("inverse-sqrt", {"timescale": 20}),
    ("wsd", {"decay_steps": 30, "end_lr": 0.001, "decay_shape": "cosine"}),
    ("wsd", {"decay_steps": 20}),
    ("cosine", {"warmup_steps": 10, "warmup_start_lr": 0.01}),
    ("cosine", {"warmup_steps": 10}),
    ("step", {"step_size": 20, "warmup_steps": 15, "warmup_start_lr": 0.005}),
    ("exponential", {"decay_rate": 0.95, "warmup_steps": 8, "warmup_start_lr": 0.001, "warmup_shape": "exponential"}),
    ("multistep", {"milestones": [40], "warmup_steps": 5, "warmup_start_lr": 0.02, "warmup_shape": "constant"}),
    ("sequence", {"parts": [{"schedule": "linear", "start_factor": 0.1, "end_factor": 1.0, "steps": 20}, {"schedule": "cosine", "end_lr": 0.001}]}),
    # The conventions (always lrplot's closed form: no framework class has them).
    ("cosine", {"decay_steps": 100, "end_lr": 1e-5, "warmup_steps": 3, "warmup_start_lr": 1e-4, "warmup_target": "lr",
                "warmup_clock": "shared", "step_every": 4}),
    ("polynomial", {"decay_steps": 90, "power": 1.0, "warmup_steps": 10, "warmup_shape": "log", "step_offset": -1}),
    ("multistep", {"milestones": [60, 80], "warmup_steps": 10, "warmup_start_factor": 0.001, "warmup_clock": "shared"}),
    ("polynomial", {"decay_steps": 120, "power": 0.9, "warmup_steps": 10, "warmup_start_factor": 0.001,
                    "warmup_mode": "multiply", "warmup_clock": "shared"}),
    ("wsd", {"decay_steps": 30, "decay_shape": "cosine", "warmup_steps": 5, "step_offset": 1, "stable_steps": 80}),
    ("cosine", {"decay_steps": 100, "warmup_steps": 9, "warmup_start_factor": 1e-6, "warmup_hold": 1}),
]
FRAMEWORKS = ["torch", "keras", "optax", "paddle"]


def plan_of(curves, steps=STEPS) -> Plan:
    requests = [CurveRequest(name, params, label=f"c{i}") for i, (name, params) in enumerate(curves)]
    return Plan(steps=steps, curves=make_curves(requests, steps))


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_schedule_emits_code_that_compiles(framework):
    for name, params in CURVES:
        code = emit(framework, plan_of([(name, params)]))
        compile(code, f"<emit {framework} {name}>", "exec")
        assert 'if __name__ == "__main__":' in code
        assert "import lrplot" not in code


@pytest.mark.parametrize(
    "framework,curve,expected",
    [
        ("torch", ("cosine", {}), "CosineAnnealingLR(optimizer, T_max=120"),
        ("torch", ("step", {"step_size": 25, "gamma": 0.5}), "StepLR(optimizer, step_size=25, gamma=0.5)"),
        ("torch", ("cosine", {"warmup_steps": 10, "warmup_start_lr": 0.01}), "SequentialLR(optimizer, [LinearLR(optimizer, start_factor=0.09999999999999999"),
        ("torch", ("cosine", {"warmup_steps": 10}), "LinearLR refuses a start factor of 0"),
        ("torch", ("onecycle", {}), "OneCycleLR(optimizer, max_lr=0.1, total_steps=120"),
        ("keras", ("piecewise", {"boundaries": [20, 50], "values": [0.3, 0.1, 0.02]}), "PiecewiseConstantDecay([19, 49]"),
        ("keras", ("cosine", {"warmup_steps": 10}), "CosineDecay(0.0, decay_steps=110, alpha=0.0, warmup_target=0.1, warmup_steps=10)"),
        ("optax", ("cosine", {"warmup_steps": 10}), "optax.join_schedules([optax.linear_schedule(0.0, 0.1, transition_steps=10), optax.cosine_decay_schedule(0.1, decay_steps=110"),
        ("paddle", ("noam", {}), "NoamDecay(d_model=512, warmup_steps=4000"),
        ("paddle", ("polynomial", {"warmup_steps": 5}), "LinearWarmup(paddle.optimizer.lr.PolynomialDecay"),
    ],
)
def test_native_classes_are_used(framework, curve, expected):
    assert expected in emit(framework, plan_of([curve]))


def test_cli_emit_prints_the_script_and_writes_no_figure(tmp_path):
    result = run("--steps", "30", "--emit", "optax", "cosine", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "optax.cosine_decay_schedule(0.1, decay_steps=30, alpha=0.0)" in result.stdout
    assert list(tmp_path.iterdir()) == []
    bad = run("--emit", "jax", "cosine")
    assert bad.exit_code == 2 and "--emit: got jax, expected one of torch, keras, optax, paddle" in bad.stderr


def parse(output: str) -> dict[str, list[float]]:
    curves: dict[str, list[float]] = {}
    label = None
    for line in output.splitlines():
        if line.startswith("# "):
            label = line[2:]
            curves[label] = []
        elif line.strip():
            curves[label].append(float(line))
    return curves


MODULES = {"torch": "torch", "keras": "keras", "optax": "optax", "paddle": "paddle"}


@pytest.mark.live
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_emitted_script_reproduces_lrplot_in_the_real_framework(framework, tmp_path):
    if importlib.util.find_spec(MODULES[framework]) is None:
        pytest.skip(f"{framework} is not installed (see scripts/make_golden.py)")
    plan = plan_of(CURVES)
    script = tmp_path / f"emit_{framework}.py"
    script.write_text(emit(framework, plan))
    env = dict(os.environ, KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "jax"))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    printed = parse(done.stdout)
    assert list(printed) == [curve.label for curve in plan.curves]
    for curve, ours in zip(plan.curves, plan.values()):
        theirs = np.asarray(printed[curve.label])
        if framework == "keras":  # float32
            allowed = np.maximum(1e-6 * np.abs(ours), 1e-7 * np.abs(ours).max())
            # Keras rounds the base of a power to float32: r**t drifts by t x |ln(r32/r)|.
            for key in ("decay_rate", "gamma"):
                rate = curve.bound.params.get(key)
                if rate:
                    allowed = allowed + np.arange(STEPS) * abs(np.log(float(np.float32(rate)) / rate)) * np.abs(ours)
        else:
            allowed = 1e-9 * np.abs(ours)
        bad = np.flatnonzero(np.abs(theirs - ours) > allowed)
        assert bad.size == 0, f"{framework} {curve.schedule} {curve.bound.params}: step {bad[0]}: {theirs[bad[0]]!r} vs lrplot {ours[bad[0]]!r}"

