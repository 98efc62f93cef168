"""The closed forms --emit writes, run without any framework: for every
registered schedule, with and without warmup and with each convention, the
emitted function of the step equals lrplot's own values at every step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.binding import all_schedules
from lrplot.emit import HELPERS, SCALAR, function_source
from lrplot.plan import CurveRequest, make_curves
from lrplot.registry import schedule_steps

STEPS = 300
# Parameters that make each schedule do something within STEPS.
SHAPES = {
    "piecewise": {"boundaries": [40, 90], "values": [0.3, 0.1, 0.02]},
    "exponential": {"decay_rate": 0.9, "decay_steps": 10},
    "natural-exp": {"decay_rate": 0.05},
    "inverse-time": {"decay_rate": 0.1},
    "range-test": {"step_rate": 0.5, "step_size": 30, "staircase": True},
    "polynomial": {"decay_steps": 120, "end_lr": 0.001, "power": 2.0},
    "linear": {"start_factor": 0.5, "end_factor": 0.1, "total_steps": 90},
    "step": {"step_size": 37, "gamma": 0.5},
    "multistep": {"milestones": [30, 60, 200], "gamma": 0.3},
    "cosine": {"decay_steps": 150, "end_lr": 0.001},
    "cosine-restarts": {"first_decay_steps": 20, "t_mul": 1.5, "m_mul": 0.8, "end_lr": 0.001},
    "onecycle": {"total_steps": 300},
    "cyclic": {"step_size_up": 17, "step_size_down": 23, "mode": "triangular2"},
    "noam": {"lr": 1.0, "d_model": 64, "noam_warmup": 30},
    "inverse-sqrt": {"timescale": 20},
    "wsd": {"decay_steps": 40, "end_lr": 0.001, "decay_shape": "cosine"},
    "warmup": {"warmup_steps": 10},
    "sequence": {"parts": [{"schedule": "linear", "start_factor": 0.1, "end_factor": 1.0, "steps": 20},
                           {"schedule": "cosine", "end_lr": 0.001}]},
}
VARIANTS = {
    "plain": {},
    "warmup": {"warmup_steps": 15, "warmup_start_lr": 0.01},
    "shared clock, to lr": {"warmup_steps": 15, "warmup_start_lr": 0.001, "warmup_clock": "shared", "warmup_target": "lr"},
    "multiply": {"warmup_steps": 12, "warmup_start_factor": 0.1, "warmup_mode": "multiply", "warmup_clock": "shared"},
    "log warmup, offset -1": {"warmup_steps": 10, "warmup_shape": "log", "step_offset": -1},
    "cosine warmup": {"warmup_steps": 10, "warmup_shape": "cosine", "warmup_start_lr": 0.001},
    "per-epoch": {"step_every": 7, "warmup_steps": 2, "warmup_start_lr": 0.001},
    "offset +1": {"step_offset": 1},
    "held a step": {"warmup_steps": 9, "warmup_start_factor": 0.001, "warmup_hold": 1},
    "sample clock": {"step_scale": 3, "step_offset": 2, "warmup_steps": 10, "warmup_start_lr": 0.001},
    "a step ahead": {"warmup_steps": 10, "warmup_shape": "log", "warmup_hold": -1, "warmup_target": "lr",
                     "step_offset": -1},
}
SCHEDULES = sorted(all_schedules())


def scalar_namespace() -> dict:
    namespace: dict = {"math": math}
    exec(HELPERS["scalar"], namespace)  # noqa: S102 - our own helper text, as every emitted script defines it
    return namespace


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", SCHEDULES)
def test_emitted_closed_form_equals_lrplot(name, variant):
    params = {**SHAPES.get(name, {}), **VARIANTS[variant]}
    if name == "warmup" and "warmup_steps" not in VARIANTS[variant]:
        params["warmup_steps"] = 10
    (curve,) = make_curves([CurveRequest(name, params)], STEPS)
    bound = curve.bound
    horizon = max(1, schedule_steps(bound.params, STEPS))
    namespace = scalar_namespace()
    exec(function_source("lr", bound, horizon, "doc", SCALAR, STEPS), namespace)  # noqa: S102 - text lrplot wrote
    emitted = np.array([namespace["lr"](float(step)) for step in range(STEPS)])
    ours = evaluate(name, steps=STEPS, **params)
    bad = np.flatnonzero(~np.isclose(emitted, ours, rtol=1e-9, atol=1e-15))
    assert bad.size == 0, f"step {bad[0]}: emitted {emitted[bad[0]]!r}, lrplot {ours[bad[0]]!r}"
