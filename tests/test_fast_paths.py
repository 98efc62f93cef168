"""Every shortcut lrplot takes gives the plain formula's numbers, on long runs.

The shortcuts (lrplot/schedules.py, lrplot/compose.py): step functions filled
slice by slice between edges found by binary search (piecewise, multistep,
step, one-cycle phases, SGDR cycles, WSD's plateau, noam's two halves, warmup
and sequence joins); `step` and `cosine-restarts` switching to a per-element
closed form above MAX_SEGMENTS segments in a chunk; `r**t` taken as
exp(t ln r); bounded curves skipping the overflow check. Each curve here runs
for 10**5 steps or more, evaluated in chunks of a drawn size the way exports
and figures stream it (chunk edges anywhere, many cycles in one chunk), and is
compared at every step with an oracle written in this file: a Python loop
following the framework's definition, sharing no code with lrplot. The SGDR
oracle walks the cycles in exact decimal arithmetic.
"""

from __future__ import annotations

import bisect
import math
import subprocess
import sys
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import lrplot
from lrplot import schedules
from lrplot.plan import Curve, Plan
from lrplot.registry import MAX_STEPS
from tests.test_robustness import BOUNDED_EXTREMES
from tests.test_robustness import RATE as EXTREME_RATE
from tests.test_schedules import (
    oracle_cosine,
    oracle_cyclic,
    oracle_exponential,
    oracle_inverse_time,
    oracle_natural_exp,
    oracle_noam,
    oracle_onecycle,
    oracle_polynomial,
    oracle_wsd,
    with_warmup,
)

LONG = 100_000
CHUNK = st.integers(1_000, 300_000)


def chunked(bound, steps: int, chunk: int) -> np.ndarray:
    """The curve as outputs evaluate it: Plan.chunks, one chunk after another."""
    plan = Plan(steps, (Curve("c", bound),))
    return np.concatenate([columns[0] for _, columns in plan.chunks(chunk)])


def assert_close(ours: np.ndarray, expected: list[float], rel: float, context) -> None:
    expected_array = np.asarray(expected)
    # A value that is a difference of peak-sized terms (a linear ramp or a
    # cosine reaching 0) keeps only ulps of the peak: 1e-15 x peak absolute.
    floor = 1e-15 * np.abs(expected_array).max() + 1e-300
    bad = np.flatnonzero(np.abs(ours - expected_array) > rel * np.abs(expected_array) + floor)
    assert bad.size == 0, f"{context}: step {bad[0]}: lrplot {ours[bad[0]]!r}, oracle {expected_array[bad[0]]!r} ({bad.size} steps differ)"


# The shortcuts switch at MAX_SEGMENTS segments per chunk: force each side.
PATHS = {"as shipped": None, "segments": 10**12, "per element": 0}


@pytest.fixture(params=list(PATHS))
def path(request, monkeypatch):
    if PATHS[request.param] is not None:
        monkeypatch.setattr(schedules, "MAX_SEGMENTS", PATHS[request.param])
    return request.param


# ------------------------------------------------------------------ cosine-restarts


def sgdr_oracle(steps: int, lr: float, first: int, t_mul: float, m_mul: float, end: float):
    """Keras CosineDecayRestarts / torch CosineAnnealingWarmRestarts: cycle i
    lasts first * t_mul**i steps, the step where a cycle starts belongs to it.

    Cycle starts are summed in exact decimal arithmetic (t_mul's float64 value
    is a finite binary fraction), so the step opening each cycle is exact.
    Returns the values, each value's amplitude (lr - end) * m_mul**i, and, at
    the rare steps where a start that is not a whole number lies within
    float64 rounding (1e-13 relative) of the step, the value the step would
    have in the other cycle: float64 cannot tell those two apart.
    """
    exact = Context(prec=200)
    multiplier = Decimal(t_mul)
    values, amplitudes, other_side = [], [], {}
    i, start, length, step = 0, Decimal(0), Decimal(first), 0

    def value(t: int, i: int, start: Decimal, length: Decimal) -> float:
        frac = (t - float(start)) / float(length)
        return end + (lr - end) * m_mul**i * (1 + math.cos(math.pi * frac)) / 2

    while step < steps:
        following = exact.add(start, length)
        opens = int(following.to_integral_value(rounding=ROUND_CEILING))
        for t in range(step, min(opens, steps)):
            values.append(value(t, i, start, length))
            amplitudes.append(abs(lr - end) * m_mul**i)
        step = opens
        nearest = int(following.to_integral_value(rounding=ROUND_HALF_EVEN))
        if following != nearest and abs(following - nearest) <= Decimal("1e-13") * following and nearest < steps:
            # Exactly, `nearest` belongs to the cycle that `following` opens
            # only if following <= nearest.
            old_side = value(nearest, i, start, length)
            new_side = value(nearest, i + 1, following, exact.multiply(length, multiplier))
            other_side[nearest] = old_side if following < nearest else new_side
        start, length, i = following, exact.multiply(length, multiplier), i + 1
    return values, amplitudes, other_side


def assert_sgdr(ours: np.ndarray, steps: int, params: dict, context, at: np.ndarray | None = None) -> None:
    """``ours`` holds the values at steps 0..steps-1, or at the steps ``at``."""
    values, amplitudes, other_side = sgdr_oracle(
        steps, params["lr"], params["first_decay_steps"], params["t_mul"], params["m_mul"], params["end_lr"]
    )
    at = np.arange(steps) if at is None else at
    expected, amplitude = np.asarray(values)[at], np.asarray(amplitudes)[at]
    # A step's place in its cycle (frac) carries float64 rounding of the cycle
    # start; its effect on the value scales with the cycle's amplitude.
    allowed = 1e-9 * amplitude + 1e-12 * np.abs(expected) + 1e-300
    bad = [int(i) for i in np.flatnonzero(np.abs(ours - expected) > allowed)]
    bad = [i for i in bad if not (int(at[i]) in other_side and abs(ours[i] - other_side[int(at[i])]) <= allowed[i])]
    assert not bad, f"{context}: step {at[bad[0]]}: lrplot {ours[bad[0]]!r}, oracle {expected[bad[0]]!r} ({len(bad)} steps differ)"


T_MUL = st.one_of(
    st.just(1.0),
    st.floats(1.0, 1.0 + 1e-6, exclude_min=True),  # thousands of cycles, each about first_decay_steps long
    st.floats(1.0, 1.01, exclude_min=True),
    st.floats(1.01, 3.0),
    st.sampled_from([1.001, 1.1, 1.25, 1.5, 2.0, 3.0]),
)


def test_sgdr_oracle_by_hand():
    # first 2, t_mul 1.5: cycles of 2, 3, 4.5, 6.75 steps start at 0, 2, 5, 9.5, 16.25;
    # step 9 ends cycle 2, step 10 is the first step of cycle 3 (9.5 <= 10).
    values, amplitudes, other = sgdr_oracle(12, 1.0, 2, 1.5, 0.5, 0.0)
    assert values[5] == 0.25  # cycle 2 starts at step 5, at its peak 0.5**2
    assert amplitudes[4] == 0.5 and amplitudes[5] == 0.25 and amplitudes[9] == 0.25 and amplitudes[10] == 0.125
    assert values[10] == pytest.approx(0.125 * (1 + math.cos(math.pi * 0.5 / 6.75)) / 2)
    assert other == {}


@settings(max_examples=5, deadline=None)
@given(
    first=st.integers(1, 300),
    t_mul=T_MUL,
    m_mul=st.one_of(st.just(1.0), st.floats(0.95, 1.0)),
    lr=st.floats(0.01, 10.0),
    end=st.floats(0.0, 0.01),
    chunk=CHUNK,
)
def check_sgdr(first, t_mul, m_mul, lr, end, chunk, path):
    if path == "segments":
        assume(first >= 20)  # a Python loop per cycle: at most 5000 of them, to stay quick
    params = {"lr": lr, "first_decay_steps": first, "t_mul": t_mul, "m_mul": m_mul, "end_lr": end}
    bound = lrplot.curve("cosine-restarts", steps=LONG, **params)
    assert_sgdr(chunked(bound, LONG, chunk), LONG, params, (path, params, chunk))


def test_sgdr_long_runs_equal_the_cycle_walk(path):
    check_sgdr(path=path)


@pytest.mark.parametrize(
    "params",
    [
        {"first_decay_steps": 5, "t_mul": 1.001},  # the issue: t_mul was taken as 1 once a chunk spans many cycles
        {"first_decay_steps": 20, "t_mul": 1.0 + 2**-52},  # the smallest t_mul above 1
        {"first_decay_steps": 3, "t_mul": 1.5, "m_mul": 0.99},
        {"first_decay_steps": 1, "t_mul": 1e300},  # the second cycle starts beyond float64
    ],
)
def test_sgdr_every_path_on_hand_picked_parameters(params, path):
    params = {"lr": 0.1, "m_mul": 1.0, "end_lr": 0.0, **params}
    bound = lrplot.curve("cosine-restarts", steps=LONG, **params)
    assert_sgdr(chunked(bound, LONG, 3000), LONG, params, (path, params))
    # Scattered steps in any order, as the API and --overlay's logged steps call it.
    scattered = np.random.default_rng(0).permutation(LONG)[:5000]
    assert_sgdr(bound(scattered), LONG, params, (path, params, "scattered"), at=scattered)


def test_issue_command_writes_the_exact_cycles(tmp_path):
    # The issue's command line, run as users run it: t_mul 1.001 over a million steps.
    out = tmp_path / "x.csv"
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "--steps", "1000000", "-o", str(out), "cosine-restarts", "--first-decay-steps", "5", "--t-mul", "1.001"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    header, _, body = out.read_text().partition("\n")
    assert header == 'step,"cosine-restarts(first_decay_steps=5, t_mul=1.001)"'
    ours = np.array(body.replace(",", "\n").split()[1::2], dtype=np.float64)
    assert ours.size == 1_000_000
    assert_sgdr(ours, 1_000_000, {"lr": 0.1, "first_decay_steps": 5, "t_mul": 1.001, "m_mul": 1.0, "end_lr": 0.0}, "issue")
    # By hand: cycle 1 lasts 5 * 1.001 = 5.005 steps from step 5, so step 10
    # is its last step, not a restart (t_mul = 1 restarted there); cycle 2
    # starts at 10.005 and lasts 5.010005 steps.
    assert ours[10] == pytest.approx(0.05 * (1 + math.cos(math.pi * 5 / 5.005)), rel=1e-9)
    assert ours[11] == pytest.approx(0.05 * (1 + math.cos(math.pi * (11 - 10.005) / 5.010005)), rel=1e-12)


# ------------------------------------------------------------------ step


@settings(max_examples=10, deadline=None)
@given(step_size=st.integers(1, 500), gamma=st.one_of(st.floats(0.5, 1.0), st.floats(1.0, 1.0005)), lr=st.floats(1e-3, 10.0), chunk=CHUNK)
def check_step(step_size, gamma, lr, chunk, path):
    if path == "segments":
        assume(step_size >= 20)  # a Python loop per decay: at most 5000 of them, to stay quick
    bound = lrplot.curve("step", steps=LONG, lr=lr, step_size=step_size, gamma=gamma)
    expected = [lr * gamma ** (t // step_size) for t in range(LONG)]
    assert_close(chunked(bound, LONG, chunk), expected, 1e-11, (path, step_size, gamma, lr, chunk))


def test_step_long_runs_equal_the_plain_power(path):
    check_step(path=path)


# ------------------------------------------------------------------ every schedule


def _sorted_set(low: int, high: int, size: int):
    return st.sets(st.integers(low, high), min_size=1, max_size=size).map(sorted)


@st.composite
def piecewise_params(draw):
    boundaries = draw(_sorted_set(1, 2 * LONG, 60))
    values = draw(st.lists(st.floats(0.0, 1.0), min_size=len(boundaries) + 1, max_size=len(boundaries) + 1))
    return {"boundaries": boundaries, "values": values}


@st.composite
def onecycle_params(draw):
    total = draw(st.integers(1, 2 * LONG))
    pct = draw(st.floats(1e-6, 1 - 1e-6).filter(lambda pct: float(pct * total) != 1.0))
    return {
        "total_steps": total,
        "pct_start": pct,
        "anneal": draw(st.sampled_from(["cos", "linear"])),
        "div_factor": draw(st.floats(1.0, 100.0)),
        "final_div_factor": draw(st.floats(1.0, 1e5)),
        "three_phase": draw(st.booleans()),
    }


@st.composite
def cyclic_params(draw):
    lr = draw(st.floats(0.01, 10.0))
    return {
        "lr": lr,
        "base_lr": draw(st.floats(0.0, 1.0)) * lr,
        "step_size_up": draw(st.integers(1, 5000)),
        "step_size_down": draw(st.integers(1, 5000)),
        "mode": draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
        "gamma": draw(st.floats(0.9999, 1.0)),
    }


PART_SCHEDULES = ["constant", "cosine", "linear", "exponential", "step", "noam", "wsd"]


@st.composite
def sequence_params(draw):
    names = draw(st.lists(st.sampled_from(PART_SCHEDULES), min_size=2, max_size=4))
    lengths = draw(st.lists(st.integers(1, 40_000), min_size=len(names) - 1, max_size=len(names) - 1))
    parts = [{"schedule": name, "steps": length} for name, length in zip(names, lengths)]
    return {"parts": parts + [{"schedule": names[-1]}]}


STEPS_UP_TO = st.integers(1, 2 * LONG)
LONG_RUNS = {
    "constant": st.fixed_dictionaries({"lr": st.floats(0.0, 10.0)}),
    "warmup": st.fixed_dictionaries({"lr": st.floats(0.0, 10.0), "warmup_steps": st.integers(1, 5000)}),
    "piecewise": piecewise_params(),
    "exponential": st.fixed_dictionaries({"decay_rate": st.floats(0.5, 1.0001), "decay_steps": st.integers(1, 1000), "staircase": st.booleans()}),
    "natural-exp": st.fixed_dictionaries({"decay_rate": st.floats(0.0, 0.01), "decay_steps": st.integers(1, 1000), "staircase": st.booleans()}),
    "inverse-time": st.fixed_dictionaries({"decay_rate": st.floats(0.0, 5.0), "decay_steps": st.integers(1, 1000), "staircase": st.booleans()}),
    "range-test": st.fixed_dictionaries({"lr": st.floats(0.0, 1e-3), "step_rate": st.floats(0.0, 5.0), "step_size": st.integers(1, 1000), "staircase": st.booleans()}),
    "polynomial": st.fixed_dictionaries({"decay_steps": STEPS_UP_TO, "end_lr": st.floats(0.0, 1e-3), "power": st.floats(0.1, 5.0), "cycle": st.booleans()}),
    "linear": st.fixed_dictionaries({"start_factor": st.floats(0.0, 2.0), "end_factor": st.floats(0.0, 2.0), "total_steps": STEPS_UP_TO}),
    "step": st.fixed_dictionaries({"step_size": st.integers(1, 500), "gamma": st.floats(0.5, 1.0)}),
    "multistep": st.fixed_dictionaries({"milestones": _sorted_set(1, 2 * LONG, 3000), "gamma": st.floats(0.99, 1.0)}),
    "cosine": st.fixed_dictionaries({"decay_steps": STEPS_UP_TO, "end_lr": st.floats(0.0, 1e-3)}),
    "cosine-linear-envelope": st.fixed_dictionaries({"decay_steps": STEPS_UP_TO, "end_lr": st.floats(0.0, 1e-3)}),
    "cosine-restarts": st.fixed_dictionaries({"first_decay_steps": st.integers(1, 300), "t_mul": T_MUL, "m_mul": st.floats(0.95, 1.0), "end_lr": st.floats(0.0, 1e-3)}),
    "onecycle": onecycle_params(),
    "cyclic": cyclic_params(),
    "noam": st.fixed_dictionaries({"d_model": st.integers(1, 4096), "noam_warmup": st.integers(1, 50_000)}),
    "inverse-sqrt": st.fixed_dictionaries({"timescale": STEPS_UP_TO}),
    "wsd": st.fixed_dictionaries({"decay_steps": STEPS_UP_TO, "end_lr": st.floats(0.0, 1e-3), "decay_shape": st.sampled_from(["1-sqrt", "linear", "cosine"])}),
    "tanh": st.fixed_dictionaries({"decay_steps": STEPS_UP_TO, "end_lr": st.floats(0.0, 1e-3), "lower": st.floats(-10.0, 0.0), "upper": st.floats(0.0, 10.0)}),
    "sequence": sequence_params(),
}


def oracle(name: str, p: dict, steps: int):
    """The curve's value at step t (its own time, after its warmup)."""
    lr = p["lr"]
    if name in ("constant", "warmup"):
        return lambda t: lr
    if name == "piecewise":
        # values[i], i = number of boundaries <= t (bisect: the run is long)
        return lambda t: p["values"][bisect.bisect_right(p["boundaries"], t)]
    if name == "exponential":
        return lambda t: oracle_exponential(t, lr, p["decay_rate"], p["decay_steps"], p["staircase"])
    if name == "natural-exp":
        return lambda t: oracle_natural_exp(t, lr, p["decay_rate"], p["decay_steps"], p["staircase"])
    if name == "inverse-time":
        return lambda t: oracle_inverse_time(t, lr, p["decay_rate"], p["decay_steps"], p["staircase"])
    if name == "range-test":  # DeepSpeed's LRRangeTest: min_lr * (1 + step_rate * interval)
        return lambda t: lr * (1 + p["step_rate"] * (t // p["step_size"] if p["staircase"] else t / p["step_size"]))
    if name == "polynomial":
        return lambda t: oracle_polynomial(t, lr, p["decay_steps"], p["end_lr"], p["power"], p["cycle"])
    if name == "linear":
        a, b, total = p["start_factor"], p["end_factor"], p["total_steps"]
        return lambda t: lr * (a + (b - a) * min(t, total) / total)
    if name == "step":
        return lambda t: lr * p["gamma"] ** (t // p["step_size"])
    if name == "multistep":
        return lambda t: lr * p["gamma"] ** bisect.bisect_right(p["milestones"], t)
    if name == "cosine":
        return lambda t: oracle_cosine(t, lr, p["decay_steps"], p["end_lr"])
    if name == "cosine-linear-envelope":
        # OLMo's CosLinearEnvelope after its warmup: eta_min + (1 - x) (lr - eta_min) (1 + cos(pi x)) / 2.
        d, end = p["decay_steps"], p["end_lr"]
        return lambda t: end + (1 - min(t, d) / d) * (lr - end) * (1 + math.cos(math.pi * min(t, d) / d)) / 2
    if name == "onecycle":
        return lambda t: oracle_onecycle(t, lr, p["total_steps"], p["pct_start"], p["anneal"], p["div_factor"], p["final_div_factor"], p["three_phase"])
    if name == "cyclic":
        return lambda t: oracle_cyclic(t, lr, p["base_lr"], p["step_size_up"], p["step_size_down"], p["mode"], p["gamma"])
    if name == "noam":
        return lambda t: oracle_noam(t, lr, p["d_model"], p["noam_warmup"])
    if name == "inverse-sqrt":
        return lambda t: lr * math.sqrt(p["timescale"] / (t + p["timescale"]))
    if name == "wsd":
        return lambda t: oracle_wsd(t, lr, max(1, steps), p["decay_steps"], p["end_lr"], p["decay_shape"])
    if name == "tanh":
        # timm's TanhLRScheduler, one cycle: then lr_min.
        d, end = p["decay_steps"], p["end_lr"]
        return lambda t: end + 0.5 * (lr - end) * (1 - math.tanh(p["lower"] * (1 - t / d) + p["upper"] * t / d)) if t < d else end
    if name == "sequence":
        return _sequence_oracle(p["parts"], lr, steps)
    raise AssertionError(name)


def _sequence_oracle(parts: list[dict], lr: float, steps: int):
    starts, functions, offset = [], [], 0
    for part in parts:
        length = part.get("steps", max(1, steps - offset))
        bound = lrplot.curve(part["schedule"], steps=length, lr=lr)  # only to learn the defaults it resolves
        functions.append(oracle(part["schedule"], bound.params, length))
        starts.append(offset)
        offset += length

    def value(t):
        k = max(i for i, start in enumerate(starts) if start <= t)
        return functions[k](t - starts[k])

    return value


def test_every_schedule_has_a_long_run_below():
    assert set(LONG_RUNS) == set(lrplot.list_schedules())


@pytest.mark.parametrize("name", sorted(set(LONG_RUNS) - {"cosine-restarts"}))
def test_long_runs_in_chunks_equal_the_per_step_formula(name):
    @settings(max_examples=5, deadline=None)
    @given(params=LONG_RUNS[name], warmup=st.integers(0, 3000), start=st.floats(0.0, 1e-3), chunk=CHUNK)
    def check(params, warmup, start, chunk):
        if name == "warmup":
            warmup = params["warmup_steps"]
        given_params = {**params, "warmup_steps": warmup, "warmup_start_lr": start}
        bound = lrplot.curve(name, steps=LONG, **given_params)
        resolved = {**bound.params, **({"parts": params["parts"]} if name == "sequence" else {})}
        f = oracle(name, resolved, LONG - warmup)
        if warmup:
            f = with_warmup(f, warmup, start)
        assert_close(chunked(bound, LONG, chunk), [f(t) for t in range(LONG)], 1e-11, (name, given_params, chunk))

    check()


# ------------------------------------------------------------------ bounded curves skip the overflow check


@pytest.mark.parametrize("name", sorted(BOUNDED_EXTREMES))
def test_bounded_curves_stay_finite_to_the_last_step_of_the_longest_run(name):
    """A bounded curve whose parameters are all <= MODERATE skips the overflow
    check, on the promise that a closed form over up to 10**9 steps cannot
    overflow. Checked where the products are largest, at the run's last
    steps, with extreme parameters and any overflow warning an error."""

    @settings(max_examples=30, deadline=None)
    @given(data=st.data())
    def check(data):
        given_params = {
            "lr": data.draw(EXTREME_RATE),
            "warmup_start_lr": data.draw(EXTREME_RATE),
            "warmup_steps": data.draw(st.sampled_from([0, 3, 10**8])),
            **data.draw(BOUNDED_EXTREMES[name]),
        }
        steps = np.concatenate([np.arange(2000), np.arange(MAX_STEPS - 2000, MAX_STEPS)])
        with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
            try:
                values = lrplot.curve(name, steps=MAX_STEPS, **given_params)(steps)
            except lrplot.UsageError as error:
                assert "overflows float64" in str(error), given_params
                return
        assert np.isfinite(values).all(), given_params

    check()
