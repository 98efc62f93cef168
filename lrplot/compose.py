"""The one warmup wrapper and the one sequence join, as pure functions of
arrays of steps (binding a schedule to them is :mod:`lrplot.binding`'s job).

Every schedule gets warmup the same way (SPEC §2): for ``t < W`` a ramp from
``warmup_start_lr`` to the schedule's own value at its step 0, then the
schedule evaluated at ``t - W``. A ``sequence`` joins curves end to end, each
starting at its own step 0 (optax ``join_schedules``, torch ``SequentialLR``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lrplot.lazy import numpy as np

# A curve as a function: ascending float64 steps (overwritten) -> values.
CurveFunction = Callable[["np.ndarray"], "np.ndarray"]


def _rise(shape: str, fraction: np.ndarray, clock: np.ndarray, steps: int) -> np.ndarray:
    """How far the warmup has risen, 0 at its start to 1 at its end."""
    if shape in ("linear", "exponential"):
        return fraction
    if shape == "cosine":
        return 0.5 * (1.0 - np.cos(np.pi * fraction))
    if shape == "1-sqrt":
        return 1.0 - np.sqrt(1.0 - fraction)
    if shape == "quadratic":
        return fraction * fraction
    if shape == "log":  # DeepSpeed's WarmupLR: log(t + 1) / log(W), W >= 2
        return np.log1p(clock) / math.log(max(steps, 2))
    return np.zeros_like(fraction)  # constant: hold the start


def _ramp(shape: str, start: float, target: float, clock: np.ndarray, steps: int) -> np.ndarray:
    fraction = clock / steps
    if shape == "exponential":
        return start * np.power(target / start, fraction)
    return start + (target - start) * _rise(shape, fraction, clock, steps)


def with_warmup(curve: CurveFunction, steps: int, start: float, shape: str) -> CurveFunction:
    """Prefix ``curve`` with ``steps`` warmup steps (lrplot's own convention:
    the schedule starts at its step 0 after them, the ramp ends at its value).

    Like every curve here, the result takes an ascending float64 array of
    steps that it may overwrite, and returns the values.
    """
    return with_conventions(curve, {"warmup_steps": steps, "warmup_start_lr": start, "warmup_shape": shape})


def with_conventions(curve: CurveFunction, params: Mapping[str, Any]) -> CurveFunction:
    """``curve`` (the schedule on its own clock) as a trainer runs it: stepped
    every ``step_every`` updates, ``step_scale`` of its steps at a time, from ``step_offset``, warmed up for
    ``warmup_steps`` of its steps (replacing or multiplying it, rising to its
    value or to lr, its clock after the warmup or shared with it)."""
    every, offset = params.get("step_every", 1), params.get("step_offset", 0)
    scale = params.get("step_scale", 1)
    warmup = params["warmup_steps"]
    if warmup:
        curve = _warmed(curve, params)
    if params.get("noise_range"):
        curve = _noisy(curve, params)
    if every == 1 and offset == 0 and scale == 1:
        return curve

    def clocked(t: np.ndarray) -> np.ndarray:
        if every != 1:
            np.floor_divide(t, every, out=t)
        if scale != 1:
            t *= scale
        if offset:
            t += offset
            np.maximum(t, 0.0, out=t)
        return curve(t)

    return clocked


def _noisy(curve: CurveFunction, params: Mapping[str, Any]) -> CurveFunction:
    """timm's noise on the schedule's own steps, after its warmup."""
    from lrplot.noise import apply

    settings = (list(params["noise_range"]), params.get("noise_seed", 42), params.get("noise_type", "normal"),
                params.get("noise_pct", 0.67), params.get("noise_std", 1.0))

    def noisy(t: np.ndarray) -> np.ndarray:
        clock = t.copy()
        return apply(curve(t), clock, *settings)

    return noisy


def _warmed(curve: CurveFunction, params: Mapping[str, Any]) -> CurveFunction:
    steps, shape = params["warmup_steps"], params.get("warmup_shape", "linear")
    shared = params.get("warmup_clock", "after") == "shared"
    multiply = params.get("warmup_mode", "replace") == "multiply"
    lr = params.get("lr", 0.0)
    factor = params.get("warmup_start_factor")
    start = params["warmup_start_lr"] if factor is None else factor * lr
    hold = 0 if shared else params.get("warmup_hold", 0)
    shift = 0.0 if shared else float(steps + hold)
    with np.errstate(over="ignore", invalid="ignore"):  # an inf is reported by the overflow check
        schedule_at_end = float(curve(np.array([max(0.0, steps - shift)]))[0])
    target = lr if params.get("warmup_target", "schedule") == "lr" else schedule_at_end
    if multiply:
        # A factor from start / lr (or warmup_start_factor) up to 1, times the schedule.
        first = factor if factor is not None else (start / lr if lr else 0.0)

    def warmed(t: np.ndarray) -> np.ndarray:
        split = int(np.searchsorted(t, steps, side="left"))
        if split == 0:
            t -= shift
            if hold:
                np.maximum(t, 0.0, out=t)  # held at the schedule's step 0
            return curve(t)
        clock = t[:split].copy()
        if multiply:
            rise = _rise(shape, clock / steps, clock, steps) if shape != "exponential" else clock / steps
            factors = first + (1.0 - first) * rise
            head = curve(clock) if shared else np.full(split, schedule_at_end)
            ramp = head * factors
        else:
            ramp = _ramp(shape, start, target, clock, steps)
        rest = t[split:]
        if hold and rest.size:
            rest -= shift
            np.maximum(rest, 0.0, out=rest)  # held at the schedule's step 0
            _evaluate_into(curve, rest, offset=0.0)
        else:
            _evaluate_into(curve, rest, offset=shift)
        t[:split] = ramp
        return t

    return warmed


def _evaluate_into(curve: CurveFunction, piece: np.ndarray, offset: float) -> None:
    """Overwrite ``piece`` (a view) with ``curve`` at ``piece - offset``."""
    if piece.size == 0:
        return
    piece -= offset
    values = curve(piece)
    if values is not piece:
        piece[...] = values


def join(parts: list[CurveFunction], lengths: list[int]) -> CurveFunction:
    """Run ``parts`` one after another; each sees its own steps from 0. The
    last part continues past its length."""
    starts = np.cumsum([0] + lengths[:-1]).astype(np.float64)

    def joined(t: np.ndarray) -> np.ndarray:
        cuts = [0] + np.searchsorted(t, starts[1:], side="left").tolist() + [t.size]
        for part, begin, end, start in zip(parts, cuts, cuts[1:], starts):
            _evaluate_into(part, t[begin:end], offset=start)
        return t

    return joined
