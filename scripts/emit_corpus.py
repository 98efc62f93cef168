"""Print every --emit script for a fixed corpus of curves: every registered
schedule x every framework x every warmup/convention variant, plus the edge
cases that decide between a framework's class and lrplot's closed form.

A refactoring of --emit must leave this output byte-identical: run it before
and after and compare (``python scripts/emit_corpus.py > before.txt``, then
``cmp before.txt after.txt``). Its output is a comparison of the code with
itself, so it is never used as a test's expected value.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lrplot.binding import all_schedules  # noqa: E402
from lrplot.emit import emit  # noqa: E402
from lrplot.errors import UsageError  # noqa: E402
from lrplot.options import FRAMEWORKS  # noqa: E402
from lrplot.plan import CurveRequest, Plan, make_curves  # noqa: E402
from tests.test_emit import CURVES  # noqa: E402
from tests.test_emit_closed_forms import SHAPES, VARIANTS  # noqa: E402

# Curves on each side of a condition that picks a class or the closed form.
EDGES = [
    ("noam", {"warmup_steps": 9, "warmup_start_lr": 0.001}, 100),
    ("step", {"gamma": 1.5, "step_size": 10}, 60),
    ("step", {"step_size": 2.4}, 60),
    ("multistep", {"milestones": [10, 10, 30], "gamma": 0.5}, 60),
    ("multistep", {"milestones": [10, 30], "gamma": 2.0}, 60),
    ("exponential", {"decay_rate": 1.01}, 60),
    ("exponential", {"decay_rate": 0.9, "staircase": True}, 60),
    ("natural-exp", {"decay_rate": 0.0}, 60),
    ("inverse-time", {"decay_rate": 0.3, "decay_steps": 4}, 60),
    ("cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2"}, 2100),
    ("cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2"}, 2048),
    ("cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2"}, 2049),
    ("cyclic", {"step_size_up": 1, "step_size_down": 1, "mode": "triangular2", "warmup_steps": 3}, 2046),
    ("onecycle", {"total_steps": 50}, 60),
    ("onecycle", {"total_steps": 50}, 50),
    ("onecycle", {"total_steps": 50, "warmup_steps": 5}, 55),
    ("onecycle", {"three_phase": True, "pct_start": 0.5}, 60),
    ("cosine", {"decay_steps": 40}, 41),
    ("cosine", {"decay_steps": 40}, 42),
    ("cosine", {"decay_steps": 40, "warmup_steps": 5, "warmup_start_lr": 0.01}, 46),
    ("cosine", {"decay_steps": 40, "warmup_steps": 5, "warmup_start_lr": 0.01}, 47),
    ("cosine", {"lr": 1e-310, "end_lr": 1.0}, 30),
    ("cosine", {"lr": 0.0}, 30),
    ("cosine", {"warmup_steps": 5, "warmup_start_lr": 0.01, "warmup_shape": "exponential"}, 30),
    ("cosine", {"warmup_steps": 5, "warmup_start_lr": 0.01, "warmup_shape": "constant"}, 30),
    ("cosine", {"warmup_steps": 5, "warmup_start_lr": 0.5}, 30),
    ("cosine", {"warmup_steps": 5, "warmup_start_lr": 1e-320}, 30),
    ("cosine-restarts", {"first_decay_steps": 5, "t_mul": 1.0}, 60),
    ("cosine-restarts", {"first_decay_steps": 5, "t_mul": 3.0, "m_mul": 0.5}, 60),
    ("cosine-restarts", {"first_decay_steps": 5, "lr": 1e-310, "end_lr": 1.0}, 60),
    ("linear", {"start_factor": 1.5, "end_factor": 0.5}, 60),
    ("linear", {"start_factor": 0.5, "end_factor": 1.5}, 60),
    ("linear", {"start_factor": 0.2, "end_factor": 1.0, "warmup_steps": 4, "warmup_start_lr": 0.01}, 60),
    ("polynomial", {"end_lr": 0.0, "cycle": True, "decay_steps": 20}, 60),
    ("polynomial", {"end_lr": 0.0, "decay_steps": 20, "warmup_steps": 3, "warmup_start_lr": 0.02}, 60),
    ("piecewise", {"boundaries": [5, 10], "values": [0.1, 0.0, 0.2]}, 30),
    ("piecewise", {"boundaries": [5, 10], "values": [1e-300, 1e300, 1.0]}, 30),
    ("piecewise", {"boundaries": [5, 10], "values": [0.3, 0.2, 0.1], "warmup_steps": 3}, 30),
    ("constant", {"warmup_steps": 4, "warmup_start_lr": 0.01}, 30),
    ("constant", {"warmup_steps": 4, "warmup_start_lr": 0.01, "warmup_shape": "constant"}, 30),
    ("constant", {"lr": 0.0, "warmup_steps": 4}, 30),
    ("step", {"warmup_steps": 4, "warmup_start_lr": 0.2}, 30),
    ("multistep", {"milestones": [10], "warmup_steps": 4, "warmup_start_lr": 0.01, "warmup_target": "lr"}, 30),
    ("noam", {"warmup_steps": 9, "warmup_start_lr": 0.0}, 30),
    ("wsd", {"decay_steps": 10, "warmup_steps": 5, "warmup_start_lr": 0.01}, 40),
    ("tanh", {"decay_steps": 20}, 30),
    ("tanh", {"decay_steps": 20, "warmup_steps": 5}, 30),
]


# Random draws around the conditions: values on both sides of each limit.
CHOICES = {
    "lr": [0.0, 1e-310, 0.05, 0.1, 1.0],
    "decay_steps": [1, 2, 7, 40, 400],
    "decay_rate": [0.0, 0.5, 0.96, 1.0, 1.2],
    "staircase": [False, True],
    "end_lr": [0.0, 0.001, 0.2],
    "power": [0.5, 1.0, 2.0],
    "cycle": [False, True],
    "start_factor": [0.0, 0.3, 1.0, 1.5],
    "end_factor": [0.0, 0.5, 1.0, 2.0],
    "total_steps": [10, 60, 200],
    "step_size": [1, 7, 2.4, 30],
    "gamma": [0.5, 0.99, 1.0, 2.0],
    "t_mul": [1.0, 1.5, 2.0, 3.0],
    "m_mul": [0.5, 1.0],
    "first_decay_steps": [3, 10, 50],
    "pct_start": [0.2, 0.5, 0.7],
    "three_phase": [False, True],
    "anneal": ["cos", "linear"],
    "mode": ["triangular", "triangular2", "exp_range"],
    "step_size_up": [1, 5, 20],
    "d_model": [16, 512],
    "noam_warmup": [5, 50],
    "timescale": [1, 20],
    "decay_shape": ["1-sqrt", "linear", "cosine"],
}
WARMUPS = [
    {},
    {"warmup_steps": 5},
    {"warmup_steps": 5, "warmup_start_lr": 0.01},
    {"warmup_steps": 7, "warmup_start_lr": 0.5},
    {"warmup_steps": 5, "warmup_start_lr": 0.01, "warmup_shape": "constant"},
    {"warmup_steps": 5, "warmup_start_lr": 0.01, "warmup_shape": "exponential"},
    {"warmup_steps": 4, "warmup_start_lr": 0.001, "warmup_target": "lr"},
]


def random_plans(draws: int = 12):
    rng = random.Random(1)
    for name, schedule in all_schedules().items():
        if name in ("sequence", "piecewise", "multistep", "warmup"):
            continue
        own = [p.name for p in schedule.params] + ["lr"]
        for _ in range(draws):
            params = {key: rng.choice(CHOICES[key]) for key in own if key in CHOICES}
            params.update(rng.choice(WARMUPS))
            yield f"random {name} {params}", [(name, params)], rng.choice([30, 61, 200])


def plans():
    steps = 300
    for name in sorted(all_schedules()):
        for variant in sorted(VARIANTS):
            params = {**SHAPES.get(name, {}), **VARIANTS[variant]}
            if name == "warmup" and "warmup_steps" not in params:
                params["warmup_steps"] = 10
            yield f"{name} / {variant}", [(name, params)], steps
    for name, params in CURVES:
        yield f"test_emit {name} {params}", [(name, params)], 120
    yield "test_emit, all at once", CURVES, 120
    for name, params, steps in EDGES:
        yield f"edge {name} {params} {steps}", [(name, params)], steps
    yield from random_plans()


def main() -> None:
    out = sys.stdout
    for title, curves, steps in plans():
        requests = [CurveRequest(name, params, label=f"c{i}") for i, (name, params) in enumerate(curves)]
        try:
            plan = Plan(steps=steps, curves=make_curves(requests, steps))
        except (UsageError, ValueError) as error:
            out.write(f"=== {title}: refused: {error}\n")
            continue
        for framework in FRAMEWORKS:
            for closed in (False, True):
                out.write(f"=== {title} | {framework} | closed_forms_only={closed}\n")
                try:
                    out.write(emit(framework, plan, closed_forms_only=closed))
                except UsageError as error:
                    out.write(f"refused: {error}\n")


if __name__ == "__main__":
    main()
