"""--emit scripts run to their last step, in a real subprocess, without the
frameworks installed.

lrplot's closed forms need only `math` (torch and Paddle scripts compute one
step at a time) or jax.numpy (optax scripts); the framework itself is reached
only through a LambdaLR-style wrapper. STAND_INS below provide exactly those
names: torch's LambdaLR and Paddle's LambdaDecay reduced to what they do with
a function (base rate x f(number of step() calls)), numpy standing in for
jax.numpy, every other class a stub that fails if called. The scripts run
as written, `__main__` included, over 5,000 steps, and print what must equal
lrplot at every step. Keras scripts compute in float32 through keras.ops and
are checked only live (tests/test_emit.py); the native classes too.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lrplot.emit import emit
from lrplot.plan import CurveRequest, Plan, make_curves

STAND_INS = {
    "torch/__init__.py": "from . import nn, optim\n\n\ndef zeros(size):\n    return [0.0] * size\n",
    "torch/nn.py": "def Parameter(data):\n    return data\n",
    "torch/optim/__init__.py": (
        "from . import lr_scheduler\n\n\n"
        "class SGD:\n"
        "    # torch: a list of parameters is one group; a list of dicts, a group each (its own lr)\n"
        "    def __init__(self, parameters, lr, momentum=0.0):\n"
        "        parameters = list(parameters)\n"
        "        groups = parameters if parameters and isinstance(parameters[0], dict) else [{'params': parameters}]\n"
        "        self.param_groups = [{'lr': lr, 'momentum': momentum, 'weight_decay': 0.0, **g} for g in groups]\n\n"
        "    def step(self):\n        pass\n"
    ),
    "torch/optim/lr_scheduler.py": (
        "class LambdaLR:\n"
        "    # torch: get_last_lr() is each group's lr x lr_lambda(number of step() calls)\n"
        "    def __init__(self, optimizer, lr_lambda):\n"
        "        self.bases, self.factor, self.count = [g['lr'] for g in optimizer.param_groups], lr_lambda, 0\n\n"
        "    def get_last_lr(self):\n        return [base * self.factor(self.count) for base in self.bases]\n\n"
        "    def step(self):\n        self.count += 1\n\n\n"
        "def __getattr__(name):  # native classes: imported by every script, never called here\n"
        "    def refuse(*args, **kwargs):\n        raise AssertionError(f'{name} is a stub')\n\n    return refuse\n"
    ),
    "paddle/__init__.py": "from . import optimizer\n",
    "paddle/optimizer/__init__.py": "from . import lr\n",
    "paddle/optimizer/lr.py": (
        "class LambdaDecay:\n"
        "    # Paddle: last_lr is learning_rate x lr_lambda(number of step() calls)\n"
        "    def __init__(self, learning_rate, lr_lambda):\n"
        "        self.base, self.factor, self.count = learning_rate, lr_lambda, 0\n"
        "        self.last_lr = self.base * self.factor(0)\n\n"
        "    def step(self):\n"
        "        self.count += 1\n        self.last_lr = self.base * self.factor(self.count)\n\n\n"
        "def __getattr__(name):\n"
        "    def refuse(*args, **kwargs):\n        raise AssertionError(f'{name} is a stub')\n\n    return refuse\n"
    ),
    "jax/__init__.py": "from types import SimpleNamespace\n\nfrom . import numpy\n\nconfig = SimpleNamespace(update=lambda name, value: None)\n",
    "jax/numpy.py": (
        "from numpy import (arange, asarray, broadcast_to, ceil, cos, exp, expm1, float64, floor, log1p,\n"
        "                   maximum, minimum, pi, sqrt, where)\n"
    ),
    "optax/__init__.py": (
        "def __getattr__(name):\n"
        "    def refuse(*args, **kwargs):\n        raise AssertionError(f'{name} is a stub')\n\n    return refuse\n"
    ),
}
RUNNABLE = ["torch", "paddle", "optax"]
STEPS = 5000


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("stand_ins")
    for name, text in STAND_INS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run_script(code: str, stand_ins: Path, tmp_path: Path) -> str:
    script = tmp_path / "schedule.py"
    script.write_text(code, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(stand_ins), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    return done.stdout.decode("utf-8")


def read_output(text: str, labels: list[str], steps: int) -> list[np.ndarray]:
    """The script prints `# <label>` (the label exactly, whatever it holds)
    and then one value per line, for each curve in order."""
    curves, position = [], 0
    for label in labels:
        head = f"# {label}\n"
        assert text.startswith(head, position), (label, text[position : position + 200])
        position += len(head)
        lines = text[position:].split("\n", steps)
        curves.append(np.array([float(line) for line in lines[:steps]]))
        position += sum(len(line) + 1 for line in lines[:steps])
    assert position == len(text)
    return curves


def assert_equal_to_lrplot(plan: Plan, printed: list[np.ndarray]) -> None:
    for curve, ours, theirs in zip(plan.curves, plan.values(), printed):
        # 1e-9 relative (SPEC's float64 "exact"); a value that is a difference
        # of peak-sized terms keeps only ulps of the peak.
        allowed = 1e-9 * np.abs(ours) + 1e-15 * np.abs(ours).max() + 1e-300
        bad = np.flatnonzero(np.abs(theirs - ours) > allowed)
        assert bad.size == 0, f"{curve.label}: step {bad[0]}: script {theirs[bad[0]]!r}, lrplot {ours[bad[0]]!r} ({bad.size} steps differ)"


def plan_of(curves: list[tuple[str, dict]], steps: int = STEPS, labels: list[str] | None = None) -> Plan:
    labels = labels or [f"{name} {i}" for i, (name, _) in enumerate(curves)]
    requests = [CurveRequest(name, params, label=label) for (name, params), label in zip(curves, labels)]
    return Plan(steps=steps, curves=make_curves(requests, steps))


# Every schedule over a long run, and the curves that broke scripts: a branch
# not taken that overflows (exponential warmup ramps, rising sequence parts),
# 2**cycle past 1024 cycles, SGDR with thousands of cycles of t_mul near 1.
LONG_CURVES = [
    ("constant", {"lr": 0.3}),
    ("tanh", {"decay_steps": 4000, "end_lr": 0.001}),
    ("warmup", {"warmup_steps": 500}),
    ("piecewise", {"boundaries": [1000, 2500, 5999], "values": [0.3, 0.1, 0.02, 0.001]}),
    ("exponential", {"decay_rate": 0.999}),
    ("exponential", {"decay_rate": 1.0005, "decay_steps": 3, "staircase": True}),
    ("natural-exp", {"decay_rate": 0.002, "decay_steps": 7}),
    ("inverse-time", {"decay_rate": 0.5, "decay_steps": 100, "staircase": True}),
    ("range-test", {"lr": 1e-5, "step_rate": 0.2, "step_size": 700, "staircase": True}),
    ("polynomial", {"decay_steps": 4000, "end_lr": 0.001, "power": 2.0}),
    ("polynomial", {"decay_steps": 700, "end_lr": 0.01, "power": 0.5, "cycle": True}),
    ("linear", {"start_factor": 0.0, "end_factor": 2.0, "total_steps": 3000}),
    ("step", {"step_size": 7, "gamma": 0.9}),  # ~860 decays, down to subnormal numbers
    ("multistep", {"milestones": list(range(5, 6000, 5)), "gamma": 0.999}),
    ("cosine", {"end_lr": 0.001}),
    ("cosine-linear-envelope", {"decay_steps": 700.5, "end_lr": 0.001}),
    ("cosine-restarts", {"first_decay_steps": 5, "t_mul": 1.001}),  # the issue's SGDR
    ("cosine-restarts", {"first_decay_steps": 3, "t_mul": 1.0 + 2**-40, "m_mul": 0.999}),
    ("cosine-restarts", {"first_decay_steps": 7, "t_mul": 1.5, "m_mul": 0.8, "end_lr": 0.001}),
    ("cosine-restarts", {"first_decay_steps": 2, "t_mul": 3.0}),
    ("cosine-restarts", {"first_decay_steps": 1, "t_mul": 1e300}),
    ("cosine-restarts", {"first_decay_steps": 9}),
    # the learning rate alone (Paddle cannot cycle momentum): cycled momentum is in CARRYING below
    ("onecycle", {"total_steps": 4000, "three_phase": True, "cycle_momentum": False}),  # held at its minimum past total_steps
    ("onecycle", {"pct_start": 0.0001, "anneal": "linear", "cycle_momentum": False}),
    ("cyclic", {"step_size_up": 2, "mode": "triangular2", "cycle_momentum": False}),  # 1,500 cycles
    ("cyclic", {"step_size_up": 50, "step_size_down": 13, "mode": "exp_range", "gamma": 0.9995, "cycle_momentum": False}),
    ("noam", {"lr": 1.0, "d_model": 64, "noam_warmup": 400}),
    ("inverse-sqrt", {"timescale": 300}),
    ("wsd", {"decay_steps": 900, "end_lr": 0.001, "decay_shape": "cosine"}),
    ("cosine", {"warmup_steps": 50, "warmup_shape": "exponential", "warmup_start_lr": 1e-6}),
    ("constant", {"lr": 1.0, "warmup_steps": 10, "warmup_shape": "exponential", "warmup_start_lr": 1e-300}),
    ("step", {"step_size": 100, "warmup_steps": 30, "warmup_start_lr": 0.5}),  # a warmup that falls
    ("noam", {"warmup_steps": 9, "warmup_start_lr": 0.001}),  # the issue's Paddle case: falls to noam's 0
    ("multistep", {"milestones": [3000], "warmup_steps": 40, "warmup_start_lr": 0.02, "warmup_shape": "constant"}),
    (
        "sequence",
        {
            "parts": [
                {"schedule": "exponential", "decay_rate": 1.05, "steps": 200},  # 1.05**5800 overflows after its end
                {"schedule": "constant", "lr": 0.5, "warmup_steps": 20, "warmup_shape": "exponential", "warmup_start_lr": 1e-200, "steps": 300},
                {"schedule": "cyclic", "mode": "triangular2", "step_size_up": 3, "cycle_momentum": False},
            ]
        },
    ),
]


def test_every_schedule_is_run_long_below():
    from lrplot.binding import all_schedules

    assert {name for name, _ in LONG_CURVES} == set(all_schedules())


@pytest.mark.parametrize("framework", RUNNABLE)
def test_closed_form_scripts_run_to_the_last_step_and_equal_lrplot(framework, stand_ins, tmp_path):
    plan = plan_of(LONG_CURVES)
    output = run_script(emit(framework, plan, closed_forms_only=True), stand_ins, tmp_path)
    assert_equal_to_lrplot(plan, read_output(output, [c.label for c in plan.curves], STEPS))


@pytest.mark.parametrize("framework", ["torch", "paddle"])
def test_scripts_as_emitted_run_where_no_class_is_exact(framework, stand_ins, tmp_path):
    # Curves no class of these frameworks reproduces: the script is emitted
    # as usual (not forced), and needs no framework class to run.
    curves = [
        ("noam", {"warmup_steps": 9, "warmup_start_lr": 0.001}),
        ("cosine-restarts", {"first_decay_steps": 5, "t_mul": 1.001}),
        ("cosine", {"warmup_steps": 50, "warmup_shape": "exponential", "warmup_start_lr": 1e-6}),
        ("wsd", {"decay_steps": 900}),
    ]
    plan = plan_of(curves)
    code = emit(framework, plan)
    assert "LinearWarmup(" not in code and "SequentialLR(" not in code
    output = run_script(code, stand_ins, tmp_path)
    assert_equal_to_lrplot(plan, read_output(output, [c.label for c in plan.curves], STEPS))


# ------------------------------------------------------------------ labels are data

HOSTILE_LABELS = [
    'three quotes """ inside',
    "ends with a backslash \\",
    "\\N{DEGREE SIGN} is not an escape here",
    "a NUL \x00 byte",
    "two\nlines",
    "carriage\r\nreturn",
    "single ' and double \" quotes",
    "'''",
    "non-ASCII: λ, 学习率, 🚀",
    "{braces} %s %(x)s",
    "# not a comment",
    "\\",
]


def test_hostile_labels_through_the_command_line_give_scripts_that_print_them(stand_ins, tmp_path):
    # A YAML config, as users write one (the NUL and the line breaks need its
    # escapes). inverse-sqrt has no class in any framework: a plain function,
    # whose script runs here.
    config = tmp_path / "labels.yaml"
    curves = [{"schedule": "inverse-sqrt", "label": label} for label in HOSTILE_LABELS]
    config.write_text(yaml.safe_dump({"steps": 50, "curves": curves}, allow_unicode=True), encoding="utf-8")
    expected = plan_of([("inverse-sqrt", {})] * len(HOSTILE_LABELS), steps=50, labels=HOSTILE_LABELS)
    for framework in ["torch", "keras", "optax", "paddle"]:
        done = subprocess.run(
            [sys.executable, "-m", "lrplot", "--emit", framework, "--config", str(config)],
            capture_output=True,
            env=dict(os.environ, PYTHONIOENCODING="utf-8"),
        )
        assert done.returncode == 0, done.stderr
        code = done.stdout.decode("utf-8")
        assert_documented(code, HOSTILE_LABELS, framework)
        if framework in RUNNABLE:
            output = run_script(code, stand_ins, tmp_path)
            assert_equal_to_lrplot(expected, read_output(output, HOSTILE_LABELS, 50))


@pytest.mark.parametrize("framework", ["torch", "keras", "optax", "paddle"])
def test_hostile_labels_on_native_classes(framework):
    # cyclic, cosine, exponential: native classes in some frameworks, plain functions in others
    curves = [("cyclic", {"cycle_momentum": framework in ("torch", "optax")}), ("cosine", {}), ("exponential", {})] * 4
    code = emit(framework, plan_of(curves, steps=50, labels=HOSTILE_LABELS))
    assert_documented(code, HOSTILE_LABELS, framework)


def assert_documented(code: str, labels: list[str], framework: str) -> None:
    """Each curve's builder (or Keras schedule class) has the label as its docstring."""
    namespace: dict = {}
    exec(compile(_definitions_only(code), framework, "exec"), namespace)
    for index, label in enumerate(labels, 1):
        documented = namespace[f"build_{index}"].__doc__ or namespace[f"Schedule{index}"].__doc__
        assert documented == label, (framework, index)


def _definitions_only(code: str) -> str:
    """The script without its imports and `__main__`: its def and class
    statements, each with the framework names it would call left unresolved."""
    import ast

    tree = ast.parse(code)
    tree.body = [node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            node.bases = []  # keras.optimizers.schedules.LearningRateSchedule
    return ast.unparse(tree)


# ------------------------------------------------------------------ numbers the frameworks accept


def _names(code: str) -> set[str]:
    return {token.string for token in tokenize.generate_tokens(io.StringIO(code).readline) if token.type == tokenize.NAME}


TINY, HUGE = 5e-324, 1e300
EXTREMES = [
    ("cosine", {"lr": TINY, "end_lr": 1.0}),  # Keras / optax alpha = end_lr / lr = inf
    ("cosine-restarts", {"lr": TINY, "end_lr": 1.0}),
    ("piecewise", {"boundaries": [3, 6], "values": [HUGE, 1e-300, 1.0]}),  # optax scales 1e-600, 1e300
    ("constant", {"lr": 1.0, "warmup_steps": 1, "warmup_shape": "exponential", "warmup_start_lr": TINY}),  # target / start = inf
    ("cosine", {"lr": 10.0, "warmup_steps": 5, "warmup_start_lr": TINY}),  # torch start factor underflows to 0
    ("linear", {"lr": HUGE, "start_factor": 1.5, "end_factor": 0.0}),
    ("onecycle", {"lr": HUGE, "div_factor": 1e-8, "cycle_momentum": False}),
]


@pytest.mark.parametrize("framework", ["torch", "keras", "optax", "paddle"])
@pytest.mark.parametrize("name,params", EXTREMES)
def test_every_number_written_is_finite(framework, name, params):
    try:
        code = emit(framework, plan_of([(name, params)], steps=10))
    except Exception as error:  # lrplot refuses the curve itself (it overflows): fine
        assert "overflows float64" in str(error)
        return
    assert not {"inf", "nan"} & _names(code)
    if name == "cosine" and params.get("warmup_start_lr") == TINY:
        assert "SequentialLR(" not in code  # LinearLR(start_factor=0.0) raises in torch
    if name in ("cosine", "cosine-restarts") and params["lr"] == TINY:
        assert "alpha=" not in code


@settings(max_examples=150, deadline=None)
@given(
    framework=st.sampled_from(["torch", "keras", "optax", "paddle"]),
    name=st.sampled_from(["cosine", "cosine-restarts", "piecewise", "linear", "exponential", "step", "polynomial"]),
    lr=st.sampled_from([0.0, TINY, 1e-300, 0.1, HUGE]),
    other=st.sampled_from([0.0, TINY, 0.1, 1.0, HUGE]),
    warmup=st.sampled_from([0, 1, 5]),
    shape=st.sampled_from(["linear", "exponential", "constant"]),
)
def test_extreme_numbers_never_reach_a_script_as_inf_or_nan(framework, name, lr, other, warmup, shape):
    from lrplot.errors import UsageError

    params = {
        "cosine": {"end_lr": other},
        "cosine-restarts": {"end_lr": other},
        "piecewise": {"boundaries": [2], "values": [other, lr]},
        "linear": {"start_factor": other, "end_factor": 1.0},
        "exponential": {"decay_rate": max(other, TINY)},
        "step": {"gamma": max(other, TINY), "step_size": 2},
        "polynomial": {"end_lr": other, "power": 2.0},
    }[name]
    start = other if shape != "exponential" else max(other, TINY)
    try:
        plan = plan_of([(name, {"lr": lr, **params, "warmup_steps": warmup, "warmup_start_lr": start, "warmup_shape": shape})], steps=8)
        code = emit(framework, plan)
    except UsageError as error:
        assert "overflows float64" in str(error) or "warmup_start_lr" in str(error)
        return
    compile(code, "emitted", "exec")
    assert not {"inf", "nan"} & _names(code)


# ------------------------------------------------------------------ what Paddle's and torch's classes refuse


@pytest.mark.parametrize(
    "framework,name,params,refused",
    [
        # Paddle's LinearWarmup asserts end_lr > start_lr (the issue's command line)
        ("paddle", "noam", {"warmup_steps": 9, "warmup_start_lr": 0.001}, "LinearWarmup"),
        ("paddle", "cosine", {"warmup_steps": 9, "warmup_start_lr": 0.2}, "LinearWarmup"),
        ("paddle", "cosine", {"warmup_steps": 9, "warmup_start_lr": 0.1}, "LinearWarmup"),  # flat: not > either
        ("paddle", "exponential", {"decay_rate": 1.0}, "ExponentialDecay"),  # asserts 0 < gamma < 1
        ("paddle", "exponential", {"decay_rate": 1.01}, "ExponentialDecay"),
        ("paddle", "natural-exp", {"decay_rate": 0.0}, "NaturalExpDecay"),  # asserts gamma > 0
        ("paddle", "step", {"gamma": 1.0}, "StepDecay"),  # raises for gamma >= 1
        ("paddle", "multistep", {"milestones": [3], "gamma": 2.0}, "MultiStepDecay"),
        ("torch", "cosine", {"lr": 10.0, "warmup_steps": 5, "warmup_start_lr": TINY}, "SequentialLR"),
        # CyclicLR's 1 / 2.0 ** (cycle - 1) raises past cycle 1024 (found running torch and Paddle live)
        ("torch", "cyclic", {"step_size_up": 1, "mode": "triangular2"}, "CyclicLR"),
        ("paddle", "cyclic", {"step_size_up": 1, "mode": "triangular2", "cycle_momentum": False}, "CyclicLR"),
    ],
)
def test_a_class_the_framework_refuses_is_not_written(framework, name, params, refused):
    code = emit(framework, plan_of([(name, params)], steps=2050))
    assert refused + "(" not in code
    assert "lrplot's closed form" in code


@pytest.mark.parametrize(
    "framework,steps,native",
    # 2 steps per cycle: step 2047 is the last of cycle 1024, step 2048 opens cycle 1025
    [("torch", 2048, True), ("torch", 2049, False), ("paddle", 2047, True), ("paddle", 2048, False)],
)
def test_triangular2_classes_up_to_cycle_1024(framework, steps, native):
    params = {"step_size_up": 1, "mode": "triangular2", "cycle_momentum": framework == "torch"}
    code = emit(framework, plan_of([("cyclic", params)], steps=steps))
    assert ("CyclicLR(" in code) is native


def test_the_issue_paddle_command_line_names_the_reason(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "--emit", "paddle", "noam", "--warmup-steps", "9", "--warmup-start-lr", "0.001"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "LinearWarmup(" not in done.stdout
    assert "Paddle's LinearWarmup asserts end_lr > start_lr, and this warmup does not rise" in done.stdout


def test_a_curve_that_overflows_within_the_run_is_refused_as_for_files(tmp_path):
    # 1.01**t passes float64's 1.8e308 after t = ln(1.8e308) / ln(1.01) = 709.78 / 0.0099503
    # = 71332.6: from step 71333 on the script's `1.01 ** t` raises OverflowError.
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "--steps", "100000", "--emit", "torch", "exponential", "--decay-rate", "1.01"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "lrplot: error: exponential(decay_rate=1.01): the learning rate overflows float64 at step 71333; use smaller rates or factors\n"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ live: the real frameworks


@pytest.mark.live
@pytest.mark.parametrize("framework", RUNNABLE)
def test_long_run_scripts_in_the_real_framework(framework, tmp_path):
    """The long curves, emitted as usual (native classes where exact), run by
    the real framework when it is importable (see scripts/make_golden.py).
    Not Keras: a schedule call costs milliseconds there (20 minutes for
    these 5,000 steps), and it is float32; tests/test_emit.py runs it live."""
    import importlib.util

    if importlib.util.find_spec(framework) is None:
        pytest.skip(f"{framework} is not installed")
    plan = plan_of(LONG_CURVES)
    script = tmp_path / "schedule.py"
    script.write_text(emit(framework, plan), encoding="utf-8")
    env = dict(os.environ, KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "jax"))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = read_output(done.stdout, [c.label for c in plan.curves], STEPS)
    assert_equal_to_lrplot(plan, printed)


# ------------------------------------------------------------------ momentum, weight decay, parameter groups

# (schedule, params, quantities as written): each printed as `# <label>`, `# <label>:momentum`, ...
# in the CSV's column order, and held to lrplot's columns at every step.
CARRYING = [
    ("onecycle", {"total_steps": 300}, ()),  # torch's OneCycleLR cycles it itself
    ("cyclic", {"step_size_up": 40, "mode": "triangular2"}, ()),
    ("onecycle", {"total_steps": 300, "anneal": "linear", "base_momentum": 0.8, "max_momentum": 0.99},
     (("weight_decay", "cosine lr=0.04 end_lr=0.4"),)),
    ("onecycle", {"total_steps": 200}, ()),  # past total_steps: the closed form, the momentum as lrplot's values
    ("onecycle", {"warmup_steps": 20}, ()),  # a warmup holds the cycle's first momentum
    ("cyclic", {"step_size_up": 25, "mode": "exp_range", "gamma": 0.995},
     (("momentum", "linear lr=0.9 start_factor=1 end_factor=0.5"),)),  # its own momentum replaces the cycled one
    ("step", {"step_size": 50, "gamma": 0.5}, (("momentum", 0.9), ("weight_decay", "multistep lr=0.05 milestones=100,200"))),
]
GROUPED = [
    ("cosine", {"warmup_steps": 30, "warmup_start_lr": 1e-4, "end_lr": 1e-5}, (("layer_decay", "rate=0.75 layers=4"),)),
    ("step", {"step_size": 60, "gamma": 0.3}, (("groups", "backbone=0.1 head=2.5"),)),
]
CARRY_STEPS = 260


def carrying_plan(curves: list) -> Plan:
    requests = [CurveRequest(name, params, label=f"{name} {i}", quantities=quantities)
                for i, (name, params, quantities) in enumerate(curves)]
    return Plan(steps=CARRY_STEPS, curves=make_curves(requests, CARRY_STEPS))


def lrplot_columns(plan: Plan) -> dict[str, np.ndarray]:
    """lrplot's CSV, as columns by name, written by lrplot itself."""
    from lrplot.export import write_csv

    handle = io.StringIO()
    write_csv(plan, handle)
    rows = handle.getvalue().splitlines()
    header = rows[0].split(",")
    values = np.array([[float(x) for x in row.split(",")] for row in rows[1:]])
    return {name: values[:, i] for i, name in enumerate(header) if name != "step"}


def printed_columns(text: str) -> dict[str, np.ndarray]:
    columns: dict[str, list[float]] = {}
    for line in text.splitlines():
        if line.startswith("# "):
            current = columns.setdefault(line[2:], [])
        else:
            current.append(float(line))
    return {name: np.array(values) for name, values in columns.items()}


def assert_columns_equal(plan: Plan, output: str) -> None:
    ours, theirs = lrplot_columns(plan), printed_columns(output)
    assert list(theirs) == list(_by_curve(plan, ours)), "the script prints lrplot's columns, curve by curve"
    for name, values in ours.items():
        allowed = 1e-9 * np.abs(values) + 1e-15 * np.abs(values).max() + 1e-300
        bad = np.flatnonzero(np.abs(theirs[name] - values) > allowed)
        assert bad.size == 0, f"{name}: step {bad[0]}: script {theirs[name][bad[0]]!r}, lrplot {values[bad[0]]!r}"


def _by_curve(plan: Plan, ours: dict) -> list[str]:
    """The CSV's columns, each curve's learning rate followed by its own columns."""
    order = []
    for curve in plan.curves:
        order += [name for name in ours if name == curve.label or name.startswith(curve.label + ":")]
    return order


def test_torch_carries_momentum_weight_decay_and_groups(stand_ins, tmp_path):
    # closed forms only: the stand-ins' LambdaLR and SGD groups, every column set per step
    plan = carrying_plan(CARRYING + GROUPED)
    output = run_script(emit("torch", plan, closed_forms_only=True), stand_ins, tmp_path)
    assert_columns_equal(plan, output)


def test_torch_native_classes_cycle_the_curves_momentum():
    code = emit("torch", carrying_plan(CARRYING[:3]))
    assert "OneCycleLR(optimizer, max_lr=0.1, total_steps=300, pct_start=0.3, anneal_strategy='cos', div_factor=25.0, " \
           "final_div_factor=10000.0, three_phase=False, cycle_momentum=True, base_momentum=0.85, max_momentum=0.95)" in code
    assert "cycle_momentum=True, base_momentum=0.8, max_momentum=0.9)" in code  # CyclicLR's own defaults
    assert "base_momentum=0.8, max_momentum=0.99)" in code
    assert "def momentum_" not in code  # the classes cycle it: no values of lrplot's in the script
    assert "group['weight_decay'] = weight_decay_3(step)" in code


def test_an_own_momentum_turns_the_classes_cycle_off():
    code = emit("torch", carrying_plan([("onecycle", {"total_steps": 300}, (("momentum", 0.9),))]))
    assert "cycle_momentum=False" in code and "group['momentum'] = momentum_1(step)" in code


@pytest.mark.parametrize(
    "framework,args,expected",
    [
        ("keras", ["onecycle"], "lrplot: error: --emit keras: curve 1 (onecycle) carries momentum: Keras optimizers take "
         "momentum (beta_1) as a fixed float, not a schedule; leave out its momentum (--momentum; --no-cycle-momentum "
         "for onecycle and cyclic, cycle_momentum: false on such sequence parts) to emit the rest\n"),
        ("paddle", ["cyclic"], "lrplot: error: --emit paddle: curve 1 (cyclic) carries momentum: Paddle's optimizers take "
         "a fixed momentum (its OneCycleLR and CyclicLR set the learning rate only); leave out its momentum (--momentum; "
         "--no-cycle-momentum for onecycle and cyclic, cycle_momentum: false on such sequence parts) to emit the rest\n"),
        ("paddle", ["cosine", "cosine", "--weight-decay", "0.05"], "lrplot: error: --emit paddle: curve 2 (cosine (2)) "
         "carries a weight decay schedule: Paddle's optimizers take a fixed weight decay, not a schedule; leave out its "
         "weight decay (--weight-decay) to emit the rest\n"),
        ("keras", ["cosine", "--groups", "head=1 backbone=0.1"], "lrplot: error: --emit keras: curve 1 (cosine) carries "
         "parameter groups: Keras optimizers have no parameter groups with their own learning rates; leave out its "
         "groups (--groups, --layer-decay) to emit the rest\n"),
        # a cycled momentum no class reproduces is written as its values: not past 10**6 steps
        ("optax", ["--steps", "1000001", "onecycle"], "lrplot: error: --emit optax: curve 1 (onecycle): no class of "
         "the framework cycles its momentum here, and its values over more than 1,000,000 steps would make the script "
         "too large; use --no-cycle-momentum or give --momentum\n"),
        # a group's rate is checked before printing, as -o checks it
        ("torch", ["constant", "--lr", "1e300", "--groups", "a=1e10"], "lrplot: error: constant(lr=1e+300): group a: "
         "the learning rate x 1e+10 overflows float64 at step 0; use a smaller multiplier\n"),
        ("optax", ["--steps", "1000000000000", "constant", "--lr", "1e300", "--groups", "a=1e10"], "lrplot: error: "
         "constant(lr=1e+300): group a: the learning rate x 1e+10 overflows float64 within the run; use a smaller "
         "multiplier\n"),
    ],
)
def test_what_a_framework_cannot_carry_is_a_one_line_error(framework, args, expected, tmp_path):
    done = subprocess.run([sys.executable, "-m", "lrplot", "--emit", framework, *args], capture_output=True, text=True,
                          cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected)
    assert list(tmp_path.iterdir()) == []


def test_without_cycled_momentum_paddle_and_keras_emit_the_learning_rate(tmp_path):
    for framework in ("paddle", "keras"):
        done = subprocess.run([sys.executable, "-m", "lrplot", "--emit", framework, "onecycle", "--no-cycle-momentum"],
                              capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert ":momentum" not in done.stdout


@pytest.mark.live
@pytest.mark.parametrize("framework,curves", [("torch", CARRYING + GROUPED), ("optax", CARRYING + GROUPED), ("paddle", GROUPED)])
def test_carried_columns_in_the_real_framework(framework, curves, tmp_path):
    """Each column read back from the real optimizer (torch's param_groups,
    optax's inject_hyperparams state in each multi_transform branch, Paddle's
    measured update per group)
    equals lrplot's CSV at every step."""
    import importlib.util

    if importlib.util.find_spec(framework) is None:
        pytest.skip(f"{framework} is not installed")
    plan = carrying_plan(curves)
    script = tmp_path / "schedule.py"
    script.write_text(emit(framework, plan), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_columns_equal(plan, done.stdout)
