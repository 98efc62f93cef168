"""Properties every schedule keeps, for random valid parameters (hypothesis).

For each registered schedule a strategy draws parameters inside SPEC §2's
limits; every curve must then be finite, non-negative, float64 of the right
shape, equal whether evaluated at once, step by step or in chunks, reach its
warmup target, and keep the monotonicity the registry promises.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrplot

RATE = st.floats(min_value=1e-6, max_value=10.0, allow_nan=False)
FACTOR = st.floats(min_value=0.01, max_value=0.999)
COUNT = st.integers(min_value=1, max_value=300)
STEPS = st.integers(min_value=1, max_value=400)


@st.composite
def piecewise_params(draw):
    boundaries = sorted(draw(st.sets(st.integers(1, 500), min_size=1, max_size=6)))
    values = draw(st.lists(st.floats(0.0, 1.0), min_size=len(boundaries) + 1, max_size=len(boundaries) + 1))
    return {"boundaries": boundaries, "values": values}


@st.composite
def onecycle_params(draw):
    total = draw(st.integers(1, 400))
    three = draw(st.booleans())
    # Any fraction, short rises and long three-phase cycles included (as torch);
    # only pct * total == 1 is refused (torch divides by zero there).
    pct = draw(st.floats(1e-6, 1 - 1e-6).filter(lambda pct: float(pct * total) != 1.0))
    return {
        "total_steps": total,
        "pct_start": pct,
        "three_phase": three,
        "anneal": draw(st.sampled_from(["cos", "linear"])),
        "div_factor": draw(st.floats(1.0, 100.0)),
        "final_div_factor": draw(st.floats(1.0, 1e5)),
    }


@st.composite
def cyclic_params(draw):
    lr = draw(RATE)
    return {
        "lr": lr,
        "base_lr": draw(st.floats(0.0, 1.0)) * lr,
        "step_size_up": draw(COUNT),
        "step_size_down": draw(COUNT),
        "mode": draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
        "gamma": draw(st.floats(0.9, 1.0)),
    }


STRATEGIES = {
    "constant": st.fixed_dictionaries({"lr": RATE}),
    "warmup": st.fixed_dictionaries({"lr": RATE, "warmup_steps": COUNT}),
    "piecewise": piecewise_params(),
    "exponential": st.fixed_dictionaries({"lr": RATE, "decay_rate": FACTOR, "decay_steps": COUNT, "staircase": st.booleans()}),
    "natural-exp": st.fixed_dictionaries({"lr": RATE, "decay_rate": st.floats(0.0, 2.0), "decay_steps": COUNT, "staircase": st.booleans()}),
    "inverse-time": st.fixed_dictionaries({"lr": RATE, "decay_rate": st.floats(0.0, 5.0), "decay_steps": COUNT, "staircase": st.booleans()}),
    "range-test": st.fixed_dictionaries({"lr": RATE, "step_rate": st.floats(0.0, 5.0), "step_size": COUNT, "staircase": st.booleans()}),
    "polynomial": st.fixed_dictionaries({"lr": RATE, "decay_steps": COUNT, "end_lr": st.floats(0.0, 1e-3), "power": st.floats(0.1, 5.0), "cycle": st.booleans()}),
    "linear": st.fixed_dictionaries({"lr": RATE, "start_factor": st.floats(0.0, 2.0), "end_factor": st.floats(0.0, 2.0), "total_steps": COUNT}),
    "step": st.fixed_dictionaries({"lr": RATE, "step_size": COUNT, "gamma": FACTOR}),
    "multistep": st.fixed_dictionaries({"lr": RATE, "milestones": st.lists(st.integers(1, 500), min_size=1, max_size=5).map(sorted), "gamma": FACTOR}),
    "cosine": st.fixed_dictionaries({"lr": RATE, "decay_steps": COUNT, "end_lr": st.floats(0.0, 1e-6)}),
    "cosine-linear-envelope": st.fixed_dictionaries({"lr": RATE, "decay_steps": COUNT, "end_lr": st.floats(0.0, 1e-6)}),
    "cosine-restarts": st.fixed_dictionaries({"lr": RATE, "first_decay_steps": COUNT, "t_mul": st.floats(1.0, 3.0), "m_mul": st.floats(0.1, 1.0), "end_lr": st.floats(0.0, 1e-6)}),
    "onecycle": onecycle_params(),
    "cyclic": cyclic_params(),
    "noam": st.fixed_dictionaries({"lr": RATE, "d_model": st.integers(1, 4096), "noam_warmup": COUNT}),
    "inverse-sqrt": st.fixed_dictionaries({"lr": RATE, "timescale": COUNT}),
    "wsd": st.fixed_dictionaries({"lr": RATE, "decay_steps": COUNT, "end_lr": st.floats(0.0, 1e-6), "decay_shape": st.sampled_from(["1-sqrt", "linear", "cosine"])}),
    "tanh": st.fixed_dictionaries({"lr": RATE, "decay_steps": COUNT, "end_lr": st.floats(0.0, 1e-6), "lower": st.floats(-10.0, 0.0), "upper": st.floats(0.0, 10.0)}),
    "sequence": st.fixed_dictionaries(
        {"parts": st.tuples(st.sampled_from(["constant", "cosine", "linear", "exponential"]), COUNT, st.sampled_from(["cosine", "step", "noam"])).map(
            lambda p: [{"schedule": p[0], "steps": p[1]}, {"schedule": p[2]}]
        )}
    ),
}


def test_every_schedule_has_a_strategy():
    assert set(STRATEGIES) == set(lrplot.list_schedules())


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_random_valid_parameters_give_sane_curves(name):
    @settings(max_examples=60, deadline=None)
    @given(params=STRATEGIES[name], steps=STEPS, warmup=st.integers(0, 50), start=st.floats(0.0, 1e-3))
    def check(params, steps, warmup, start):
        if name == "warmup":
            warmup = params["warmup_steps"]
        bound = lrplot.curve(name, steps=steps, **{**params, "warmup_steps": warmup, "warmup_start_lr": start})
        values = lrplot.evaluate(name, steps=steps, **{**params, "warmup_steps": warmup, "warmup_start_lr": start})
        assert values.shape == (steps,) and values.dtype == np.float64
        assert np.all(np.isfinite(values)) and np.all(values >= 0)
        # Whole, one step at a time, in two chunks, and in reverse order: all the same.
        single = np.array([bound([t])[0] for t in range(steps)])
        np.testing.assert_array_equal(values, single)
        cut = steps // 3
        np.testing.assert_array_equal(values, np.concatenate([bound(np.arange(cut)), bound(np.arange(cut, steps))]))
        np.testing.assert_array_equal(values, bound(np.arange(steps)[::-1])[::-1])
        # Warmup reaches the schedule's own step-0 value at step W.
        if 0 < warmup:
            if name == "warmup":  # a constant whose warmup is required
                target = params["lr"]
            else:
                target = lrplot.curve(name, steps=steps, **{**params, "warmup_steps": 0})([0])[0]
            reached = bound([warmup])[0]
            if name not in ("wsd",):  # wsd's horizon depends on the warmup
                assert reached == pytest.approx(target, rel=1e-9, abs=1e-300)
        # The registry's promised monotonicity, after warmup.
        direction = bound.schedule.monotone(bound.params)
        tail = values[warmup:]
        if direction and tail.size > 1:
            steps_diff = np.diff(tail)
            slack = 1e-12 * max(1.0, float(np.abs(tail).max()))
            if direction == "decreasing":
                assert np.all(steps_diff <= slack)
            else:
                assert np.all(steps_diff >= -slack)

    check()


def test_step_functions_take_only_their_values():
    @settings(max_examples=60, deadline=None)
    @given(params=piecewise_params(), steps=STEPS)
    def check(params, steps):
        values = lrplot.evaluate("piecewise", steps=steps, **params)
        assert set(values.tolist()) <= set(params["values"])

    check()


BAD = [
    ("constant", {"lr": -1e-9}),
    ("constant", {"lr": math.nan}),
    ("constant", {"lr": math.inf}),
    ("exponential", {"decay_rate": 0.0}),
    ("exponential", {"decay_steps": 1.5}),
    ("natural-exp", {"decay_rate": -0.1}),
    ("polynomial", {"power": 0.0}),
    ("step", {"gamma": -1.0}),
    ("cosine", {"decay_steps": 0}),
    ("warmup", {"warmup_steps": True}),
]


@pytest.mark.parametrize("name,params", BAD)
def test_invalid_values_raise_usage_error(name, params):
    with pytest.raises(lrplot.UsageError):
        lrplot.evaluate(name, steps=10, **params)


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(sorted(STRATEGIES)),
    key=st.sampled_from(["lr", "decay_rate", "decay_steps", "gamma", "power", "end_lr", "step_size", "total_steps", "warmup_steps", "t_mul", "boundaries", "values", "bogus"]),
    value=st.one_of(st.floats(), st.integers(-(10**30), 10**30), st.text(max_size=5), st.booleans(), st.none(), st.lists(st.floats(), max_size=3)),
)
def test_random_values_raise_only_usage_error(name, key, value):
    try:
        values = lrplot.evaluate(name, steps=20, **{key: value})
    except lrplot.UsageError:
        return
    assert np.all(np.isfinite(values))
