"""Every schedule as one pure numpy closed form, registered with its parameters.

Each function takes ``t``, an ascending float64 array of steps counted from
the end of the curve's warmup (0, 1, 2, ...), plus its parameters, and returns
a float64 array of the same shape. No loops over steps, no state: the value at
``t`` is the learning rate used by optimizer update ``t`` (what torch's
``get_last_lr()`` returns after ``t`` calls of ``scheduler.step()``).

Speed: ``t`` is scratch space the caller owns (:class:`lrplot.registry.Bound`
passes a private copy), so functions compute in place instead of allocating a
temporary per operation; and because ``t`` is ascending, a step function is
filled slice by slice between its edges (found by binary search) instead of
being evaluated element by element.

Warmup and sequences are composed around these in :mod:`lrplot.compose`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from lrplot.breakpoints import grid
from lrplot.codetext import Dialect, chain, count, progress
from lrplot.errors import ParamError
from lrplot.lazy import numpy as np
from lrplot.registry import (
    MODERATE,
    Derived,
    Param,
    Schedule,
    always_bounded,
    register,
    remaining_steps,
)


def _progress(t: np.ndarray, decay_steps: float, staircase: bool) -> np.ndarray:
    t /= decay_steps
    return np.floor(t, out=t) if staircase else t


def _fill_segments(t: np.ndarray, edges: Any, values: Any) -> np.ndarray:
    """Fill ascending ``t`` with ``values[i]`` from edge i-1 (inclusive) to edge i.

    An edge is the first step of the next value; repeated edges give empty
    segments, so the value after them skips accordingly.
    """
    cuts = np.searchsorted(t, np.asarray(edges, dtype=np.float64), side="left").tolist()
    for start, stop, value in zip([0] + cuts, cuts + [t.size], values):
        t[start:stop] = value
    return t


# Above this many segments a per-slice Python loop costs more than the
# element-wise closed form.
MAX_SEGMENTS = 2048


def _is_staircase(params: Mapping[str, Any]) -> bool:
    return bool(params.get("staircase"))


def _decreasing(params: Mapping[str, Any]) -> str:
    return "decreasing"


DECAY_STEPS_1 = Param("decay_steps", "steps", 1, "steps per decay period", low=1)
STAIRCASE = Param("staircase", "bool", False, "decay in whole periods (floor(t / decay_steps))")


def _every(period: float, first: float, what: str, steps: int) -> Iterator[tuple[float, str]]:
    """(step, what) at the first whole step at or after first + k * period, k = 0, 1, ...,
    before ``steps``."""
    k = 0
    while (at := math.ceil(first + k * period)) < steps:
        yield at, what
        k += 1


def _staircase_marks(params: Mapping[str, Any], steps: int) -> Iterator[tuple[float, str]]:
    if params["staircase"]:
        yield from _every(params["decay_steps"], params["decay_steps"], "decay", steps)


# ---------------------------------------------------------------- constant


def constant(t: np.ndarray, *, lr: float) -> np.ndarray:
    t.fill(lr)
    return t


def constant_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr']!r} + 0.0 * t"
def _no_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    """A schedule monotone over its whole clock."""
    return ()


register(
    Schedule(
        "constant",
        constant,
        (),
        "the base learning rate at every step",
        "lr",
        code=constant_code,
        breaks=_no_breaks,
        stepwise=lambda params: True,
        monotone=_decreasing,
        bounded=always_bounded,
    )
)

register(
    Schedule(
        "warmup",
        constant,
        (),
        "linear warmup to lr, then lr (the seed's section 2)",
        "lr * t / warmup_steps for t < warmup_steps, then lr",
        "PaddlePaddle LinearWarmup",
        code=constant_code,
        breaks=_no_breaks,
        monotone=lambda params: "increasing"
        if params["warmup_start_lr"] <= params["lr"]
        else "decreasing",
        overrides=(
            Param(
                "warmup_steps",
                "steps",
                help="linear warmup steps before the schedule starts",
                low=1,
            ),
        ),
        bounded=always_bounded,
    )
)


# ---------------------------------------------------------------- piecewise


def piecewise(t: np.ndarray, *, lr: float, boundaries: list[int], values: list[float]) -> np.ndarray:
    # Edges at the boundaries: the new value takes effect AT the boundary step.
    return _fill_segments(t, boundaries, values)


def _check_piecewise(params: Mapping[str, Any]) -> None:
    boundaries, values = params["boundaries"], params["values"]
    if any(b <= a for a, b in zip(boundaries, boundaries[1:])):
        raise ParamError("boundaries", boundaries, "strictly increasing integers >= 1")
    if len(values) != len(boundaries) + 1:
        raise ParamError(
            "values",
            values,
            f"{len(boundaries) + 1} values (one more than the {len(boundaries)} boundaries)",
        )


def piecewise_code(p: Mapping[str, Any], d: Dialect) -> str:
    return chain(p["boundaries"], [repr(float(v)) for v in p["values"]], d)
def _piecewise_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    return kwargs["boundaries"]


register(
    Schedule(
        "piecewise",
        piecewise,
        (
            Param(
                "boundaries",
                "steps-list",
                help="steps where the next value starts (strictly increasing)",
                low=1,
            ),
            Param(
                "values",
                "floats",
                help="learning rates, one more than boundaries (lr is not used)",
                low=0.0,
            ),
        ),
        "constant values between boundary steps (the seed's 3.1)",
        "values[i], i = number of boundaries <= t",
        "PaddlePaddle PiecewiseDecay; Keras PiecewiseConstantDecay with boundaries - 1",
        code=piecewise_code,
        breaks=_piecewise_breaks,
        check=_check_piecewise,
        stepwise=lambda params: True,
        bounded=always_bounded,
    )
)


# ---------------------------------------------------------------- exponential


def exponential(
    t: np.ndarray, *, lr: float, decay_rate: float, decay_steps: int, staircase: bool
) -> np.ndarray:
    # decay_rate ** p written as exp(p * ln decay_rate): one exp instead of a
    # pow per element; equal to within a few ulps for any p here.
    p = _progress(t, decay_steps, staircase)
    p *= math.log(decay_rate)
    np.exp(p, out=p)
    p *= lr
    return p


def exponential_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr']!r} * {p['decay_rate']!r} ** {progress(p)}"
def _staircase_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    # Monotone either way; a staircase's edges keep its drawn steps exact.
    return grid(kwargs["decay_steps"], high, limit) if kwargs["staircase"] else ()


register(
    Schedule(
        "exponential",
        exponential,
        (
            Param("decay_rate", "float", 0.96, "factor per decay period", low=0.0, low_open=True),
            DECAY_STEPS_1,
            STAIRCASE,
        ),
        "multiply by decay_rate every decay_steps (the seed's 3.2)",
        "lr * decay_rate ** (t / decay_steps)",
        "Keras ExponentialDecay; torch ExponentialLR, Paddle ExponentialDecay (decay_steps=1)",
        code=exponential_code,
        marks=_staircase_marks,
        stepwise=_is_staircase,
        breaks=_staircase_breaks,
        monotone=lambda params: "decreasing" if params["decay_rate"] <= 1 else "increasing",
    )
)


def natural_exp(
    t: np.ndarray, *, lr: float, decay_rate: float, decay_steps: int, staircase: bool
) -> np.ndarray:
    p = _progress(t, decay_steps, staircase)
    p *= -decay_rate
    np.exp(p, out=p)
    p *= lr
    return p


def natural_exp_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr']!r} * exp({-p['decay_rate']!r} * {progress(p)})"


register(
    Schedule(
        "natural-exp",
        natural_exp,
        (
            Param("decay_rate", "float", 0.05, "rate of the exponent", low=0.0),
            DECAY_STEPS_1,
            STAIRCASE,
        ),
        "natural exponential decay (the seed's 3.3)",
        "lr * exp(-decay_rate * t / decay_steps)",
        "Paddle NaturalExpDecay(gamma) with decay_steps=1; TF1 natural_exp_decay",
        code=natural_exp_code,
        marks=_staircase_marks,
        stepwise=_is_staircase,
        breaks=_staircase_breaks,
        monotone=_decreasing,
        bounded=always_bounded,
    )
)


def inverse_time(
    t: np.ndarray, *, lr: float, decay_rate: float, decay_steps: int, staircase: bool
) -> np.ndarray:
    p = _progress(t, decay_steps, staircase)
    p *= decay_rate
    p += 1.0
    return np.divide(lr, p, out=p)


def inverse_time_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr']!r} / (1.0 + {p['decay_rate']!r} * {progress(p)})"


register(
    Schedule(
        "inverse-time",
        inverse_time,
        (
            Param("decay_rate", "float", 0.5, "rate of the hyperbolic decay", low=0.0),
            DECAY_STEPS_1,
            STAIRCASE,
        ),
        "hyperbolic decay",
        "lr / (1 + decay_rate * t / decay_steps)",
        "Keras InverseTimeDecay; Paddle InverseTimeDecay (decay_steps=1)",
        code=inverse_time_code,
        marks=_staircase_marks,
        stepwise=_is_staircase,
        breaks=_staircase_breaks,
        monotone=_decreasing,
        bounded=always_bounded,
    )
)


# ---------------------------------------------------------------- range test


def range_test(t: np.ndarray, *, lr: float, step_rate: float, step_size: int, staircase: bool) -> np.ndarray:
    # DeepSpeed's LRRangeTest: lr grows by step_rate x lr every step_size steps, without end.
    p = _progress(t, step_size, staircase)
    p *= step_rate
    p += 1.0
    p *= lr
    return p


def range_test_code(p: Mapping[str, Any], d: Dialect) -> str:
    ratio = f"t / {float(p['step_size'])!r}"
    return f"{p['lr']!r} * (1.0 + {p['step_rate']!r} * {f'floor({ratio})' if p['staircase'] else f'({ratio})'})"


register(
    Schedule(
        "range-test",
        range_test,
        (
            Param("step_rate", "float", 1.0, "lr added per step_size steps, as a multiple of lr", low=0.0),
            Param("step_size", "steps", remaining_steps(10), "steps per increase of step_rate x lr", low=1),
            Param("staircase", "bool", False, "grow in whole periods (floor(t / step_size))"),
        ),
        "the learning-rate range test: a rise from lr without end",
        "lr * (1 + step_rate * t / step_size)",
        "DeepSpeed LRRangeTest",
        code=range_test_code,
        marks=lambda params, steps: _every(params["step_size"], params["step_size"], "step", steps)
        if params["staircase"] else iter(()),
        stepwise=_is_staircase,
        breaks=lambda kwargs, high, limit: grid(kwargs["step_size"], high, limit) if kwargs["staircase"] else (),
        monotone=lambda params: "increasing",
        # Unchecked where no clock (at most ~1e30: 1e12 updates at a 2**53 step_scale) can overflow it.
        bounded=lambda params: params["lr"] * (1.0 + params["step_rate"] * 1e30) < 1e300,
    )
)


# ---------------------------------------------------------------- polynomial


def polynomial(
    t: np.ndarray,
    *,
    lr: float,
    decay_steps: int,
    end_lr: float,
    power: float,
    cycle: bool,
    k_decay: float = 1.0,
) -> np.ndarray:
    if cycle:
        # decay_steps grows to the first multiple of itself >= t (at least 1x),
        # so the rate jumps back up after each multiple (the seed's figure 5).
        period = np.ceil(t / decay_steps)
        np.maximum(period, 1.0, out=period)
        period *= decay_steps
        t /= period
    else:
        np.minimum(t, decay_steps, out=t)
        t /= decay_steps
    if k_decay != 1.0:
        np.power(t, k_decay, out=t)  # timm's t**k / t_i**k
    np.subtract(1.0, t, out=t)
    if power != 1.0:
        t **= power
    # Where no decay has happened yet the rate is lr itself, not (lr - end_lr) + end_lr,
    # which loses lr's digits when end_lr is far larger (MMEngine's PolyLR rising to eta_min).
    untouched = (t == 1.0) if end_lr != 0 else None
    t *= lr - end_lr
    t += end_lr
    if untouched is not None:
        t[untouched] = lr
    return t


def polynomial_code(p: Mapping[str, Any], d: Dialect) -> str | list[str]:
    steps, scale, power, end = float(p["decay_steps"]), p["lr"] - p["end_lr"], p["power"], p["end_lr"]
    bend = "" if p["k_decay"] == 1.0 else f" ** {p['k_decay']!r}"
    if p["cycle"]:
        return [
            f"period = {steps!r} * maximum(1.0, ceil(t / {steps!r}))",
            f"value = {scale!r} * (1.0 - (t / period){bend}) ** {power!r} + {end!r}",
        ]
    return f"{scale!r} * (1.0 - (minimum(t, {steps!r}) / {steps!r}){bend}) ** {power!r} + {end!r}"
def _polynomial_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    # Cycling: the period grows past each multiple k * decay_steps, so the
    # rate is back up at the next step.
    decay = kwargs["decay_steps"]
    return grid(decay, high, limit, first=decay + 1) if kwargs["cycle"] else (decay,)


register(
    Schedule(
        "polynomial",
        polynomial,
        (
            Param("decay_steps", "length", remaining_steps(), "steps to reach end_lr (a fraction allowed: "
                  "timm's cycles with a cycle_mul)", low=1),
            Param("end_lr", "float", 0.0001, "learning rate reached at decay_steps", low=0.0),
            Param("power", "float", 1.0, "exponent of the decay", low=0.0, low_open=True),
            Param("cycle", "bool", False, "restart at each multiple of decay_steps"),
            Param("k_decay", "float", 1.0, "the progress t / decay_steps raised to this power (timm's k_decay)",
                  low=0.0, low_open=True),
        ),
        "polynomial decay to end_lr, optionally cycling (the seed's 3.4)",
        "(lr - end_lr) * (1 - min(t, decay_steps) / decay_steps) ** power + end_lr",
        "Keras PolynomialDecay, Paddle PolynomialDecay; torch PolynomialLR (end_lr = 0)",
        code=polynomial_code,
        breaks=_polynomial_breaks,
        monotone=lambda params: ""
        if params["cycle"]
        else ("decreasing" if params["end_lr"] <= params["lr"] else "increasing"),
        bounded=always_bounded,
        decay_end="decay_steps",
        # With cycle the rate jumps back up one step after each multiple of decay_steps.
        marks=lambda params, steps: _every(params["decay_steps"], params["decay_steps"] + 1, "restart", steps)
        if params["cycle"]
        else iter(()),
    )
)


# ---------------------------------------------------------------- linear


def linear(
    t: np.ndarray, *, lr: float, start_factor: float, end_factor: float, total_steps: int
) -> np.ndarray:
    np.minimum(t, total_steps, out=t)
    t /= total_steps
    t *= end_factor - start_factor
    t += start_factor
    t *= lr
    return t


def linear_code(p: Mapping[str, Any], d: Dialect) -> str:
    return (
        f"{p['lr']!r} * ({p['start_factor']!r} + {p['end_factor'] - p['start_factor']!r}"
        f" * minimum(t, {float(p['total_steps'])!r}) / {float(p['total_steps'])!r})"
    )
def _linear_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    return (kwargs["total_steps"],)


register(
    Schedule(
        "linear",
        linear,
        (
            Param("start_factor", "float", 1.0, "multiple of lr at step 0", low=0.0),
            Param("end_factor", "float", 0.0, "multiple of lr from total_steps on", low=0.0),
            Param("total_steps", "steps", remaining_steps(), "steps of the linear ramp", low=1),
        ),
        "linear ramp between two multiples of lr",
        "lr * (start_factor + (end_factor - start_factor) * min(t, total_steps) / total_steps)",
        "torch LinearLR, Paddle LinearLR",
        code=linear_code,
        breaks=_linear_breaks,
        monotone=lambda params: "decreasing"
        if params["end_factor"] <= params["start_factor"]
        else "increasing",
        # lr * (start + (end - start) * p), p in [0, 1], never exceeds lr * max(start, end).
        bounded=lambda params: params["lr"] * max(params["start_factor"], params["end_factor"]) <= MODERATE,
        decay_end="total_steps",
    )
)


# ---------------------------------------------------------------- step / multistep


def step(t: np.ndarray, *, lr: float, step_size: float, gamma: float) -> np.ndarray:
    decays = int(t[-1] // step_size) if t.size else 0
    # A fractional step size (timm's decay_t = 2.4) is counted as Python's //
    # counts it; edges at k * step_size could round the other way.
    if decays <= MAX_SEGMENTS and float(step_size).is_integer():
        edges = np.arange(1, decays + 1) * float(step_size)
        return _fill_segments(t, edges, _powers(lr, gamma, decays + 1))
    np.floor_divide(t, step_size, out=t)
    t *= math.log(gamma)
    np.exp(t, out=t)
    t *= lr
    return t


def step_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr']!r} * {p['gamma']!r} ** floor(t / {float(p['step_size'])!r})"
def _step_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    return grid(kwargs["step_size"], high, limit)


register(
    Schedule(
        "step",
        step,
        (
            Param("step_size", "span", 30, "steps between decays (a fraction allowed: 2.4 decays at 3, 5, 8, ...)", low=0, low_open=True),
            Param("gamma", "float", 0.1, "factor at each decay", low=0.0, low_open=True),
        ),
        "multiply by gamma every step_size steps",
        "lr * gamma ** floor(t / step_size)",
        "torch StepLR, Paddle StepDecay",
        code=step_code,
        breaks=_step_breaks,
        stepwise=lambda params: True,
        marks=lambda params, steps: _every(params["step_size"], params["step_size"], "decay", steps),
        monotone=lambda params: "decreasing" if params["gamma"] <= 1 else "increasing",
    )
)


def multistep(t: np.ndarray, *, lr: float, milestones: list[int], gamma: float) -> np.ndarray:
    return _fill_segments(t, milestones, _powers(lr, gamma, len(milestones) + 1))


def _powers(lr: float, gamma: float, count: int) -> np.ndarray:
    """lr * gamma**k for k < count, in numpy: overflow gives inf (reported by
    the caller), where Python floats would raise."""
    return lr * np.power(gamma, np.arange(count, dtype=np.float64))


def _check_sorted(name: str) -> Any:
    def check(params: Mapping[str, Any]) -> None:
        values = params[name]
        if any(b < a for a, b in zip(values, values[1:])):
            raise ParamError(name, values, "integers >= 1 in increasing order")

    return check


def multistep_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr']!r} * {p['gamma']!r} ** {count(p['milestones'], d)}"
def _multistep_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    return kwargs["milestones"]


register(
    Schedule(
        "multistep",
        multistep,
        (
            Param(
                "milestones",
                "steps-list",
                help="steps where lr is multiplied by gamma (sorted; a repeat decays twice)",
                low=1,
            ),
            Param("gamma", "float", 0.1, "factor at each milestone", low=0.0, low_open=True),
        ),
        "multiply by gamma at each milestone",
        "lr * gamma ** (number of milestones <= t)",
        "torch MultiStepLR, Paddle MultiStepDecay",
        code=multistep_code,
        breaks=_multistep_breaks,
        check=_check_sorted("milestones"),
        stepwise=lambda params: True,
        monotone=lambda params: "decreasing" if params["gamma"] <= 1 else "increasing",
    )
)


# ---------------------------------------------------------------- cosine family


def _half_cosine(fraction: np.ndarray) -> np.ndarray:
    """(1 + cos(pi * fraction)) / 2, in place."""
    fraction *= math.pi
    np.cos(fraction, out=fraction)
    fraction += 1.0
    fraction *= 0.5
    return fraction


def cosine(t: np.ndarray, *, lr: float, decay_steps: int, end_lr: float, num_cycles: float = 0.5,
           k_decay: float = 1.0) -> np.ndarray:
    np.minimum(t, decay_steps, out=t)
    t /= decay_steps
    if k_decay != 1.0:
        np.power(t, k_decay, out=t)  # timm's t**k / t_i**k
    if num_cycles != 0.5:
        t *= 2.0 * num_cycles  # transformers' cos(pi x num_cycles x 2 x progress)
    _half_cosine(t)
    t *= lr - end_lr
    t += end_lr
    return t


def cosine_code(p: Mapping[str, Any], d: Dialect) -> str:
    steps = float(p["decay_steps"])
    cycles = "" if p["num_cycles"] == 0.5 else f" * {2.0 * p['num_cycles']!r}"
    progress = f"minimum(t, {steps!r}) / {steps!r}"
    if p["k_decay"] != 1.0:
        progress = f"({progress}) ** {p['k_decay']!r}"
    return f"{p['end_lr']!r} + {p['lr'] - p['end_lr']!r} * (1.0 + cos(pi * {progress}{cycles})) / 2.0"
def _decay_end_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    return (kwargs["decay_steps"],)


def _cosine_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    # Its turns: every half period, decay_steps / (2 num_cycles) steps, up to decay_steps.
    cycles, steps = kwargs["num_cycles"], kwargs["decay_steps"]
    if cycles <= 0.5:
        return (steps,)
    turns = grid(steps / (2.0 * cycles), min(high, steps), limit)
    return None if turns is None else np.concatenate([turns, [steps]])


# decay_steps and end_lr of the cosines that fall once to end_lr and hold it.
COSINE_DECAY = (
    Param("decay_steps", "length", remaining_steps(), "steps to reach end_lr (a fraction allowed: OLMo's t_max in tokens)", low=1),
    Param("end_lr", "float", 0.0, "learning rate reached at decay_steps", low=0.0),
)


register(
    Schedule(
        "cosine",
        cosine,
        (
            *COSINE_DECAY,
            Param("num_cycles", "float", 0.5, "cosine periods over decay_steps: 0.5 falls to end_lr once, "
                  "more goes back up and down (transformers' num_cycles)", low=0.0, low_open=True),
            Param("k_decay", "float", 1.0, "the progress t / decay_steps raised to this power "
                  "(timm's k_decay: > 1 holds the lr longer, < 1 drops it sooner)", low=0.0, low_open=True),
        ),
        "half a cosine from lr to end_lr, then end_lr",
        "end_lr + (lr - end_lr) * (1 + cos(2 pi num_cycles (min(t, decay_steps) / decay_steps) ** k_decay)) / 2",
        "Keras CosineDecay(alpha=end_lr/lr), optax cosine_decay_schedule; "
        "torch CosineAnnealingLR for t <= T_max",
        code=cosine_code,
        breaks=_cosine_breaks,
        monotone=lambda params: "" if params["num_cycles"] > 0.5
        else ("decreasing" if params["end_lr"] <= params["lr"] else "increasing"),
        bounded=always_bounded,
        decay_end="decay_steps",
    )
)


def cosine_linear_envelope(t: np.ndarray, *, lr: float, decay_steps: int, end_lr: float) -> np.ndarray:
    # OLMo's CosLinearEnvelope: the cosine's distance above end_lr times 1 - x,
    # so it lands on end_lr with a flat cosine and a straight line multiplied.
    np.minimum(t, decay_steps, out=t)
    t /= decay_steps
    envelope = 1.0 - t
    _half_cosine(t)
    t *= envelope
    t *= lr - end_lr
    t += end_lr
    return t


def cosine_linear_envelope_code(p: Mapping[str, Any], d: Dialect) -> str:
    steps = float(p["decay_steps"])
    progress = f"minimum(t, {steps!r}) / {steps!r}"
    return (f"{p['end_lr']!r} + {p['lr'] - p['end_lr']!r} * (1.0 - {progress}) * (1.0 + cos(pi * {progress})) / 2.0")


register(
    Schedule(
        "cosine-linear-envelope",
        cosine_linear_envelope,
        COSINE_DECAY,
        "a cosine times a linear decay, from lr to end_lr, then end_lr",
        "end_lr + (lr - end_lr) * (1 - x) * (1 + cos(pi x)) / 2, x = min(t, decay_steps) / decay_steps",
        "OLMo cosine_linear_envelope (CosLinearEnvelope)",
        code=cosine_linear_envelope_code,
        breaks=_decay_end_breaks,
        monotone=lambda params: "decreasing" if params["end_lr"] <= params["lr"] else "increasing",
        bounded=always_bounded,
        decay_end="decay_steps",
    )
)


def cosine_restarts(
    t: np.ndarray,
    *,
    lr: float,
    first_decay_steps: int,
    t_mul: float,
    m_mul: float,
    end_lr: float,
) -> np.ndarray:
    if not t.size:
        return t
    geometry = sgdr_geometry(first_decay_steps, t_mul)
    low, high = cycle_index(geometry, t[[0, -1]]).tolist()
    if high - low < MAX_SEGMENTS:
        # Few cycles in this chunk: fill them slice by slice. The boundary
        # step itself opens the new cycle, as in torch's bookkeeping.
        cycles = np.arange(low, high + 2)
        starts = cycle_starts(geometry, cycles)
        cuts = np.searchsorted(t, starts, side="left").tolist()
        for i, start, begin, end in zip(cycles.tolist(), starts.tolist(), cuts, cuts[1:]):
            segment = t[begin:end]
            segment -= start
            segment /= geometry.first * np.float64(t_mul) ** i
            _half_cosine(segment)
            segment *= (lr - end_lr) * np.float64(m_mul) ** i
            segment += end_lr
        return t
    # Many short cycles: the same starts, one cycle index per element.
    cycle = cycle_index(geometry, t)
    t -= cycle_starts(geometry, cycle)
    t /= geometry.first * np.power(t_mul, cycle)
    _half_cosine(t)
    if m_mul != 1.0:
        t *= np.power(m_mul, cycle)
    t *= lr - end_lr
    t += end_lr
    return t


class CycleGeometry(NamedTuple):
    """Where SGDR's cycles start: cycle i lasts ``first * t_mul**i`` steps, so
    it starts at ``first * (t_mul**i - 1) / (t_mul - 1)`` (``first * i`` when
    ``t_mul = 1``).

    Written that way the start loses digits when ``t_mul**i`` is close to 1
    (``t_mul = 1.001``: ``t_mul**i - 1`` cancels), so there ``t_mul**i - 1``
    is ``expm1(i * log1p(t_mul - 1))``; where the power is exact in float64
    (integer and dyadic ``t_mul`` such as 2 or 1.5) or at least 2, the power
    itself is used, which keeps integer starts exact. :mod:`lrplot.emit`
    writes the same arithmetic into exported code.
    """

    first: float
    t_mul: float
    rise: float  # t_mul - 1
    log_mul: float  # log1p(rise), ln(t_mul)
    exact_until: int  # t_mul**i is exact in float64 for i <= exact_until
    doubled_from: int  # t_mul**i >= 2 for i >= doubled_from
    last: int  # t_mul**i is finite for i <= last; later cycles start at inf


def sgdr_geometry(first_decay_steps: float, t_mul: float) -> CycleGeometry:
    first = float(first_decay_steps)
    if t_mul == 1.0:
        return CycleGeometry(first, 1.0, 0.0, 0.0, 0, 0, 0)
    rise = t_mul - 1.0
    log_mul = math.log1p(rise)
    last = int(math.log(sys.float_info.max) / log_mul)
    while _power_is_finite(t_mul, last + 1):
        last += 1
    while not _power_is_finite(t_mul, last):
        last -= 1
    doubled_from = max(1, math.ceil(math.log(2.0) / log_mul))
    while doubled_from > 1 and t_mul ** (doubled_from - 1) >= 2.0:
        doubled_from -= 1
    while t_mul**doubled_from < 2.0:
        doubled_from += 1
    # t_mul = odd * 2**k: t_mul**i is exact while odd**i fits in 53 bits.
    numerator = t_mul.as_integer_ratio()[0]
    odd = numerator >> ((numerator & -numerator).bit_length() - 1)
    exact_until = last
    if odd > 1:
        exact_until = 0
        while odd ** (exact_until + 1) < 2**53:
            exact_until += 1
    return CycleGeometry(first, t_mul, rise, log_mul, min(exact_until, last), doubled_from, last)


def _restarts(first_decay_steps: int, t_mul: float, steps: int) -> Iterator[tuple[float, str]]:
    """The steps that open cycles 1, 2, ... before ``steps``."""
    geometry = sgdr_geometry(first_decay_steps, t_mul)
    cycle = 1
    while cycle <= geometry.last:
        at = math.ceil(float(cycle_starts(geometry, np.array([float(cycle)]))[0]))
        if at >= steps:
            return
        yield at, "restart"
        cycle += 1


def _power_is_finite(base: float, exponent: int) -> bool:
    try:
        return math.isfinite(base**exponent)
    except OverflowError:
        return False


def cycle_starts(geometry: CycleGeometry, cycles: np.ndarray) -> np.ndarray:
    """The start of each cycle in ``cycles`` (whole numbers, as floats): a step,
    or a point between two steps, in which case the next step opens the cycle."""
    if geometry.t_mul == 1.0:
        return geometry.first * cycles
    with np.errstate(over="ignore"):  # past `last` a cycle starts at inf: no step reaches it
        growth = np.power(geometry.t_mul, cycles)
    growth -= 1.0
    cancelling = (cycles > geometry.exact_until) & (cycles < geometry.doubled_from)
    if cancelling.any():
        growth[cancelling] = np.expm1(cycles[cancelling] * geometry.log_mul)
    # (t_mul**i - 1) / (t_mul - 1) first: exactly 1 for cycle 1, and a whole
    # or dyadic number wherever the power is exact, so first * it is too.
    growth /= geometry.rise
    growth *= geometry.first
    return growth


def cycle_index(geometry: CycleGeometry, t: np.ndarray) -> np.ndarray:
    """The cycle each step of ``t`` is in (whole numbers, as floats): the last
    cycle whose start is <= the step."""
    if geometry.t_mul == 1.0:
        return np.floor(t / geometry.first)
    # A first guess from the inverse of the start formula, then the starts
    # decide: next to a boundary the guess rounds either way. Clamping the
    # log1p argument at 1e300 keeps the guess finite for an enormous t_mul,
    # where it stays within a cycle of the truth.
    with np.errstate(over="ignore"):
        guess = t * (geometry.rise / geometry.first)
    np.minimum(guess, 1e300, out=guess)
    np.log1p(guess, out=guess)
    guess /= geometry.log_mul
    cycle = np.minimum(np.floor(guess, out=guess), float(geometry.last))
    while True:
        early = cycle_starts(geometry, cycle) > t
        if not early.any():
            break
        cycle[early] -= 1.0
    while True:
        reached = (cycle < geometry.last) & (cycle_starts(geometry, cycle + 1.0) <= t)
        if not reached.any():
            break
        cycle[reached] += 1.0
    return cycle


def cosine_restarts_code(p: Mapping[str, Any], d: Dialect) -> list[str]:
    """cycle_starts and cycle_index as text, so the script puts every boundary
    step in the same cycle as lrplot."""
    g = sgdr_geometry(p["first_decay_steps"], p["t_mul"])
    first, m, q, last = g.first, g.t_mul, p["m_mul"], float(g.last)
    if m == 1.0:
        lines = [f"cycle = floor(t / {first!r})", f"frac = t / {first!r} - cycle"]
    else:
        power = f"{m!r} ** i - 1.0"
        growth = d.where(f"i > {float(g.exact_until)!r}", d.where(f"i < {float(g.doubled_from)!r}", f"expm1(i * {g.log_mul!r})", power), power)
        lines = [
            f"# Cycle i lasts {first!r} * {m!r}**i steps from start(i); {m!r}**i - 1 is",
            "# computed without cancellation (expm1 where the power is inexact and near 1).",
            "def start(i):",
            f"    return {growth} / {g.rise!r} * {first!r}",
            "",
            "# A guess from the inverse of start(), then the starts decide: a step on a",
            "# boundary opens the new cycle.",
            f"cycle = minimum(floor(log1p(minimum(t * {g.rise / first!r}, 1e300)) / {g.log_mul!r}), {last!r})",
            f"cycle = {d.where('start(cycle) > t', 'cycle - 1.0', 'cycle')}",
            f"cycle = {d.where(f'cycle < {last!r}', d.where('start(cycle + 1.0) <= t', 'cycle + 1.0', 'cycle'), 'cycle')}",
            f"frac = (t - start(cycle)) / ({first!r} * {m!r} ** cycle)",
        ]
    lines.append(
        f"value = {p['end_lr']!r} + {p['lr'] - p['end_lr']!r} * {q!r} ** cycle * (1.0 + cos(pi * frac)) / 2.0"
    )
    return lines
def _restart_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    # The cycles' starts, computed as the closed form computes them.
    geometry = sgdr_geometry(kwargs["first_decay_steps"], kwargs["t_mul"])
    last = int(cycle_index(geometry, np.array([high]))[0])
    if last > limit:
        return None
    return cycle_starts(geometry, np.arange(1, last + 1, dtype=np.float64))


register(
    Schedule(
        "cosine-restarts",
        cosine_restarts,
        (
            Param(
                "first_decay_steps",
                "steps",
                remaining_steps(4),
                "length of the first cycle",
                low=1,
            ),
            Param("t_mul", "float", 2.0, "each cycle is t_mul times longer", low=1.0),
            Param("m_mul", "float", 1.0, "each restart peaks m_mul times lower", low=0.0, low_open=True),
            Param("end_lr", "float", 0.0, "learning rate at the end of each cycle", low=0.0),
        ),
        "cosine annealing with warm restarts (SGDR)",
        "cycle i lasts first_decay_steps * t_mul**i; "
        "end_lr + (lr - end_lr) * m_mul**i * (1 + cos(pi * frac)) / 2",
        "Keras CosineDecayRestarts(alpha=end_lr/lr); "
        "torch CosineAnnealingWarmRestarts (integer t_mul, m_mul = 1)",
        code=cosine_restarts_code,
        marks=lambda params, steps: _restarts(params["first_decay_steps"], params["t_mul"], steps),
        breaks=_restart_breaks,
    )
)


# ---------------------------------------------------------------- one-cycle


# onecycle and cyclic cycle momentum as torch does, drawn by lrplot.quantities
# (the two classes' defaults differ).
def momentum_params(base: float, peak: float) -> tuple[Param, ...]:
    return (
        Param(
            "cycle_momentum",
            "bool",
            True,
            "cycle momentum (β1) opposite to the lr, between base_momentum and max_momentum",
        ),
        Param("base_momentum", "float", base, "momentum at the lr's peak", low=0.0),
        Param("max_momentum", "float", peak, "momentum at the lr's lowest", low=0.0),
    )


def _anneal(kind: str, start: float, end: float, fraction: np.ndarray) -> None:
    """torch's annealing from start (fraction 0) to end (fraction 1), in place."""
    if kind == "cos":
        fraction *= math.pi
        np.cos(fraction, out=fraction)
        fraction += 1.0
        fraction *= (start - end) / 2.0
        fraction += end
    else:
        fraction *= end - start
        fraction += start


def onecycle_phases(
    lr: float, total_steps: int, pct_start: float, div_factor: float, final_div_factor: float, three_phase: bool
) -> tuple[list[tuple[float, float, float]], float]:
    """The phases as torch lays them out: (last step, start value, end value);
    a phase holds the steps after the previous phase's last step up to its
    own. And the minimum, held after the last."""
    initial = lr / div_factor
    minimum = initial / final_div_factor
    up_end = float(pct_start * total_steps) - 1.0
    if three_phase:
        phases = [
            (up_end, initial, lr),
            (2.0 * float(pct_start * total_steps) - 2.0, lr, initial),
            (total_steps - 1.0, initial, minimum),
        ]
    else:
        phases = [(up_end, initial, lr), (total_steps - 1.0, lr, minimum)]
    return phases, minimum


def onecycle(
    t: np.ndarray,
    *,
    lr: float,
    total_steps: int,
    pct_start: float,
    anneal: str,
    div_factor: float,
    final_div_factor: float,
    three_phase: bool,
    **momentum: Any,  # cycle_momentum, base_momentum, max_momentum: lrplot.quantities
) -> np.ndarray:
    phases, minimum = onecycle_phases(lr, total_steps, pct_start, div_factor, final_div_factor, three_phase)
    # The run ends at step total_steps - 1. torch extrapolates the last phase
    # one step further (then raises), which with linear annealing goes below
    # zero; past the end lrplot holds the final minimum instead.
    ends = [end for end, _, _ in phases]
    cuts = [0] + np.searchsorted(t, ends, side="right").tolist()
    begin = 0.0
    for i, (end, start_value, end_value) in enumerate(phases):
        segment = t[cuts[i] : cuts[i + 1]]
        segment -= begin
        segment /= end - begin
        _anneal(anneal, start_value, end_value, segment)
        begin = end
    t[cuts[-1] :] = minimum
    return t


def _check_onecycle(params: Mapping[str, Any]) -> None:
    ramp = params["pct_start"] * params["total_steps"]
    # Below 1 the rise has no step and torch starts part-way down the fall
    # (reproduced); at exactly 1 torch divides by zero at step 0.
    if float(ramp) - 1.0 == 0:
        raise ParamError(
            "pct_start",
            params["pct_start"],
            f"a fraction with pct_start * total_steps != 1 (total_steps = {params['total_steps']})",
        )


def onecycle_code(p: Mapping[str, Any], d: Dialect) -> str:
    phases, low = onecycle_phases(
        p["lr"], p["total_steps"], p["pct_start"], p["div_factor"], p["final_div_factor"], p["three_phase"]
    )
    pieces, begin = [], 0.0
    for end, a, b in phases:
        f = f"(t - {begin!r}) / {end - begin!r}"
        if p["anneal"] == "cos":
            pieces.append(f"{b!r} + {(a - b) / 2.0!r} * (cos(pi * {f}) + 1.0)")
        else:
            pieces.append(f"{b - a!r} * {f} + {a!r}")
        begin = end
    text = repr(low)  # past the last step the run is over: hold the minimum
    for (end, _, _), piece in zip(reversed(phases), reversed(pieces)):
        text = d.where(f"t <= {end!r}", piece, text)
    return text
def _onecycle_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    # Each phase ends on its last step; the next starts one later.
    ramp = float(kwargs["pct_start"] * kwargs["total_steps"])
    ends = [ramp - 1.0, kwargs["total_steps"] - 1.0]
    if kwargs["three_phase"]:
        ends.append(2.0 * ramp - 2.0)
    return [end + extra for end in ends for extra in (0.0, 1.0)]


register(
    Schedule(
        "onecycle",
        onecycle,
        (
            Param("total_steps", "steps", remaining_steps(), "length of the cycle", low=1),
            Param(
                "pct_start",
                "float",
                0.3,
                "fraction of the cycle spent rising",
                low=0.0,
                low_open=True,
                high=1.0,
                high_open=True,
            ),
            Param("anneal", "choice", "cos", "annealing shape", choices=("cos", "linear")),
            Param("div_factor", "float", 25.0, "start = lr / div_factor", low=0.0, low_open=True),
            Param(
                "final_div_factor",
                "float",
                1e4,
                "end = start / final_div_factor",
                low=0.0,
                low_open=True,
            ),
            Param("three_phase", "bool", False, "fall back to the start before the final anneal"),
            *momentum_params(0.85, 0.95),
        ),
        "one-cycle policy; lr is the peak",
        "lr/div_factor up to lr at pct_start*total_steps - 1, "
        "down to lr/(div_factor*final_div_factor) at total_steps - 1",
        "torch OneCycleLR; Paddle OneCycleLR",
        code=onecycle_code,
        breaks=_onecycle_breaks,
        check=_check_onecycle,
        decay_end="total_steps",
    )
)


# ---------------------------------------------------------------- cyclic


def cyclic(
    t: np.ndarray,
    *,
    lr: float,
    base_lr: float,
    step_size_up: int,
    step_size_down: int,
    mode: str,
    gamma: float,
    **momentum: Any,  # cycle_momentum, base_momentum, max_momentum: lrplot.quantities
) -> np.ndarray:
    total = float(step_size_up + step_size_down)
    up_ratio = step_size_up / total
    x = t / total
    cycle = np.floor(x + 1.0)
    x += 1.0
    x -= cycle
    # torch: x / up_ratio rising, (x - 1) / (up_ratio - 1) falling; the
    # smaller of the two is the right branch, with no mask.
    falling = np.subtract(1.0, x)
    falling /= 1.0 - up_ratio
    x /= up_ratio
    np.minimum(x, falling, out=x)
    x *= lr - base_lr
    if mode == "triangular2":
        np.subtract(1.0, cycle, out=cycle)
        x *= np.exp2(cycle, out=cycle)  # 1 / 2**(cycle - 1), exact
    elif mode == "exp_range":
        t *= math.log(gamma)
        x *= np.exp(t, out=t)
    x += base_lr
    return x


def _check_cyclic(params: Mapping[str, Any]) -> None:
    if params["base_lr"] > params["lr"]:
        raise ParamError("base_lr", params["base_lr"], f"a number <= lr ({params['lr']!r})")


def cyclic_code(p: Mapping[str, Any], d: Dialect) -> list[str]:
    total = float(p["step_size_up"] + p["step_size_down"])
    ratio = p["step_size_up"] / total
    lines = [
        f"cycle = floor(1.0 + t / {total!r})",
        f"x = 1.0 + t / {total!r} - cycle",
        f"scale = minimum(x / {ratio!r}, (1.0 - x) / {1.0 - ratio!r})",
    ]
    amplitude = f"{p['lr'] - p['base_lr']!r} * scale"
    if p["mode"] == "triangular2":
        amplitude += " * 0.5 ** (cycle - 1.0)"  # 2.0 ** cycle overflows (math raises) after 1024 cycles
    elif p["mode"] == "exp_range":
        amplitude += f" * {p['gamma']!r} ** t"
    lines.append(f"value = {p['base_lr']!r} + {amplitude}")
    return lines
def _cyclic_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    up, total = kwargs["step_size_up"], float(kwargs["step_size_up"] + kwargs["step_size_down"])
    starts = grid(total, high, limit // 4, first=0.0)
    if starts is None:
        return None
    points = [starts, starts + up]
    if kwargs["mode"] == "exp_range" and kwargs["gamma"] != 1.0:
        # gamma**t times a rising (falling) ramp may turn inside it, where
        # the derivative of (t - start) * gamma**t vanishes.
        turn = -1.0 / math.log(kwargs["gamma"])
        points += [starts + turn, starts + total + turn]
    return np.concatenate(points)


register(
    Schedule(
        "cyclic",
        cyclic,
        (
            Param(
                "base_lr",
                "float",
                Derived("= lr / 10", lambda ctx: ctx["lr"] / 10.0),
                "lowest learning rate of the cycle",
                low=0.0,
            ),
            Param(
                "step_size_up",
                "steps",
                remaining_steps(10),
                "steps rising from base_lr to lr",
                low=1,
            ),
            Param(
                "step_size_down",
                "steps",
                Derived("= step_size_up", lambda ctx: ctx["step_size_up"]),
                "steps falling back",
                low=1,
            ),
            Param(
                "mode",
                "choice",
                "triangular",
                "amplitude policy",
                choices=("triangular", "triangular2", "exp_range"),
            ),
            Param("gamma", "float", 1.0, "exp_range: amplitude * gamma**t", low=0.0, low_open=True),
            *momentum_params(0.8, 0.9),
        ),
        "cyclical learning rate between base_lr and lr (lr is the peak)",
        "triangle waves between base_lr and lr; triangular2 halves the amplitude each cycle, "
        "exp_range multiplies it by gamma**t",
        "torch CyclicLR, Paddle CyclicLR",
        code=cyclic_code,
        breaks=_cyclic_breaks,
        check=_check_cyclic,
    )
)


# ---------------------------------------------------------------- transformer family


def noam(t: np.ndarray, *, lr: float, d_model: int, noam_warmup: int) -> np.ndarray:
    # min(t**-0.5, t * w**-1.5): the ramp is the smaller one before step w.
    scale = lr * d_model**-0.5
    split = int(np.searchsorted(t, noam_warmup, side="left"))
    ramp, decay = t[:split], t[split:]
    ramp *= scale * noam_warmup**-1.5
    np.sqrt(decay, out=decay)
    np.divide(scale, decay, out=decay)
    return t


def noam_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr'] * p['d_model'] ** -0.5!r} * minimum(maximum(t, 1.0) ** -0.5, t * {p['noam_warmup'] ** -1.5!r})"
def _noam_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    return (kwargs["noam_warmup"],)


register(
    Schedule(
        "noam",
        noam,
        (
            Param("d_model", "int", 512, "model width", low=1),
            Param("noam_warmup", "steps", 4000, "steps of the built-in warmup", low=1),
        ),
        "the Transformer's schedule (Vaswani et al. 2017)",
        "lr * d_model**-0.5 * min(t**-0.5, t * noam_warmup**-1.5); 0 at t = 0",
        "Paddle NoamDecay",
        code=noam_code,
        breaks=_noam_breaks,
    )
)


def inverse_sqrt(t: np.ndarray, *, lr: float, timescale: int) -> np.ndarray:
    t += timescale
    np.divide(timescale, t, out=t)
    np.sqrt(t, out=t)
    t *= lr
    return t


def inverse_sqrt_code(p: Mapping[str, Any], d: Dialect) -> str:
    return f"{p['lr']!r} * sqrt({float(p['timescale'])!r} / (t + {float(p['timescale'])!r}))"


register(
    Schedule(
        "inverse-sqrt",
        inverse_sqrt,
        (
            Param(
                "timescale",
                "steps",
                # SPEC's default; transformers instead defaults to the warmup
                # length, so matching it takes --timescale W explicitly.
                10000,
                "steps until lr has fallen by sqrt(2)",
                low=1,
            ),
        ),
        "inverse square-root decay",
        "lr * sqrt(timescale / (t + timescale))",
        "transformers get_inverse_sqrt_schedule (with --warmup-steps W, --timescale W)",
        code=inverse_sqrt_code,
        breaks=_no_breaks,
        monotone=_decreasing,
        bounded=always_bounded,
    )
)


def _one_minus_sqrt(p: np.ndarray) -> np.ndarray:
    np.sqrt(p, out=p)
    return np.subtract(1.0, p, out=p)


_WSD_SHAPES = {
    "1-sqrt": _one_minus_sqrt,
    "linear": lambda p: np.subtract(1.0, p, out=p),
    "cosine": _half_cosine,
}


def wsd(
    t: np.ndarray,
    *,
    lr: float,
    decay_steps: int,
    end_lr: float,
    decay_shape: str,
    stable_steps: int,
    num_cycles: float = 0.5,
) -> np.ndarray:
    # Warmup-stable-decay: hold lr for stable_steps (by default, until
    # decay_steps before the end of the run), then decay to end_lr.
    decay_start = stable_steps
    split = int(np.searchsorted(t, max(decay_start, 0), side="left"))
    t[:split] = lr
    progress = t[split:]
    progress -= decay_start
    progress /= decay_steps
    np.clip(progress, 0.0, 1.0, out=progress)
    if decay_shape == "cosine" and num_cycles != 0.5:
        # transformers' cos(pi x num_cycles x 2 x progress) during the decay; end_lr after it.
        done = progress >= 1.0
        progress *= 2.0 * num_cycles
        _half_cosine(progress)
        progress[done] = 0.0
    else:
        _WSD_SHAPES[decay_shape](progress)
    progress *= lr - end_lr
    progress += end_lr
    return t


def wsd_code(p: Mapping[str, Any], d: Dialect) -> str:
    fraction = f"minimum(maximum((t - {float(p['stable_steps'])!r}) / {float(p['decay_steps'])!r}, 0.0), 1.0)"
    cycles = "" if p["num_cycles"] == 0.5 else f" * {2.0 * p['num_cycles']!r}"
    shape = {
        "1-sqrt": f"1.0 - sqrt({fraction})",
        "linear": f"1.0 - {fraction}",
        "cosine": f"(1.0 + cos(pi * {fraction}{cycles})) / 2.0",
    }[p["decay_shape"]]
    if cycles and p["decay_shape"] == "cosine":
        shape = d.where(f"{fraction} < 1.0", shape, "0.0")  # end_lr once the decay is over
    return f"{p['end_lr']!r} + {p['lr'] - p['end_lr']!r} * ({shape})"
def _wsd_breaks(kwargs: Mapping[str, Any], high: float, limit: int) -> Any:
    start, steps, cycles = kwargs["stable_steps"], kwargs["decay_steps"], kwargs["num_cycles"]
    if kwargs["decay_shape"] != "cosine" or cycles <= 0.5:
        return (start, start + steps)
    # A cosine of several periods turns every half period of the decay.
    turns = grid(steps / (2.0 * cycles), min(high - start, steps), limit)
    return None if turns is None else np.concatenate([[start], turns + start, [start + steps]])


register(
    Schedule(
        "wsd",
        wsd,
        (
            Param("decay_steps", "steps", remaining_steps(10), "steps of the final decay", low=1),
            Param("end_lr", "float", 0.0, "learning rate reached at the end of the run", low=0.0),
            Param(
                "decay_shape",
                "choice",
                "1-sqrt",
                "shape of the final decay",
                choices=tuple(_WSD_SHAPES),
            ),
            Param(
                "stable_steps",
                "int",
                Derived("= --steps - decay_steps", lambda ctx: max(1, ctx["remaining"]) - ctx["decay_steps"]),
                "steps at lr before the decay (default: the decay ends with the run; "
                "negative when the decay is longer than the run)",
            ),
            Param("num_cycles", "float", 0.5, "cosine periods over the decay (decay_shape cosine): 0.5 falls to "
                  "end_lr once, more goes back up and down, then end_lr (transformers' num_cycles)",
                  low=0.0, low_open=True),
        ),
        "warmup-stable-decay: hold lr, decay over the last decay_steps",
        "end_lr + (lr - end_lr) * shape((t - stable_steps) / decay_steps)",
        "transformers get_wsd_schedule (warmup_start_lr = end_lr)",
        code=wsd_code,
        marks=lambda params, steps: iter(
            [(params["stable_steps"], "decay start"), (params["stable_steps"] + params["decay_steps"], "decay end")]
        ),
        breaks=_wsd_breaks,
        monotone=lambda params: "decreasing" if params["end_lr"] <= params["lr"]
        and (params["decay_shape"] != "cosine" or params["num_cycles"] <= 0.5) else "",
        bounded=always_bounded,
    )
)


# ---------------------------------------------------------------- tanh


def tanh_decay(
    t: np.ndarray, *, lr: float, decay_steps: int, end_lr: float, lower: float, upper: float
) -> np.ndarray:
    # timm's TanhLRScheduler: a tanh from `lower` to `upper` over the decay,
    # then end_lr (its single cycle is over).
    done = t >= decay_steps
    fraction = t / decay_steps
    values = end_lr + 0.5 * (lr - end_lr) * (1.0 - np.tanh(lower * (1.0 - fraction) + upper * fraction))
    values[done] = end_lr
    return values


register(
    Schedule(
        "tanh",
        tanh_decay,
        (
            Param("decay_steps", "length", remaining_steps(), "steps of the decay (a fraction allowed: "
                  "timm's cycles with a cycle_mul)", low=1),
            Param("end_lr", "float", 0.0, "learning rate at and after the end of the decay", low=0.0),
            Param("lower", "float", -7.0, "tanh argument at the start of the decay"),
            Param("upper", "float", 3.0, "tanh argument at its end"),
        ),
        "tanh decay (timm)",
        "end_lr + (lr - end_lr) * (1 - tanh(lower + (upper - lower) * t / decay_steps)) / 2, "
        "then end_lr",
        "timm TanhLRScheduler (cycle_limit 1)",
        breaks=_decay_end_breaks,
        monotone=lambda params: "decreasing" if params["lower"] <= params["upper"] and params["end_lr"] <= params["lr"] else "",
        bounded=always_bounded,
        decay_end="decay_steps",
    )
)
