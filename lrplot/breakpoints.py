"""Where a bound curve may jump or turn: its breakpoints, in updates.

A schedule declares, next to its closed form, the points of its own clock
where it may jump or change direction (``Schedule.breaks``); between two of
them it is monotone. This module carries those points through everything
that wraps a schedule — the warmup (replace or multiply, its clock after or
shared, the hold), ``step_every``, ``step_scale`` and ``step_offset`` (timm's
noise: not known), and a sequence's
parts — so that a bound curve answers ``breaks(high, limit)``: ascending
integer updates in [1, high] where a new monotone piece starts.

On the integers, a jump or turn at a real point ``b`` of the clock starts a
new piece at ``ceil(b)``; ``floor(b)`` is added too (an extra point is
harmless: it only splits a monotone piece), so a point computed a rounding
away from the closed form's own comparison still falls on the right step.

None means "not known" (the curve is then evaluated at every step): a
schedule without ``breaks``, more points than ``limit``, or a warmup that
multiplies a schedule on the same clock (the product of a rising ramp and a
falling schedule may turn anywhere).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from lrplot.lazy import numpy as np

# A bound curve's breakpoints: (high, limit[, exact]) -> integer updates in [1, high], or None.
# exact: every jump, never dropped for a monotone schedule (sums need them).
Breaks = Callable[..., Any]


def schedule_breaks(schedule: Any, kwargs: Mapping[str, Any], params: Mapping[str, Any]) -> Breaks | None:
    """The breakpoints of ``schedule`` closed over ``kwargs`` (its function's,
    lr included), on its own clock; wrapped in the conventions of ``params``."""
    if schedule.breaks is None:
        return None
    monotone = bool(schedule.monotone(params))
    declared = schedule.breaks

    def own(high: int, limit: int, exact: bool = False) -> Any:
        points = declared(kwargs, float(high), limit)
        if points is None:
            if exact:
                return None  # every jump is wanted (lrplot.area)
            # Too many jumps (a staircase with 10**10 steps): a schedule
            # monotone over its whole clock needs none of them for its extremes.
            return np.empty(0) if monotone else None
        return integers(points, high)

    return with_conventions(own, params)


def integers(points: Any, high: int) -> Any:
    """Real clock points as the integer steps where a new piece may start."""
    points = np.asarray(points, dtype=np.float64).ravel()
    points = points[np.isfinite(points)]
    whole = np.concatenate([np.floor(points), np.ceil(points)])
    whole = whole[(whole >= 1) & (whole <= high)]
    return sorted_unique(whole.astype(np.int64))


def sorted_unique(values: Any) -> Any:
    """np.unique by sorting: numpy 2's hashing unique takes seconds on a few
    million evenly spaced integers."""
    values = np.sort(np.asarray(values), kind="stable")
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def grid(period: float, high: float, limit: int, first: float | None = None) -> Any:
    """``first, first + period, ...`` up to ``high`` (``first`` defaults to
    ``period``), or None if more than ``limit``."""
    start = period if first is None else first
    if start > high:
        return np.empty(0)
    count = int((high - start) // period) + 1
    if count > limit:
        return None
    return start + period * np.arange(count, dtype=np.float64)


def with_conventions(own: Breaks, params: Mapping[str, Any]) -> Breaks | None:
    """``own`` (integers on the schedule's clock) as lrplot.compose.with_conventions
    runs the schedule: warmed up, stepped every ``step_every`` updates from
    ``step_offset``."""
    every, offset = params.get("step_every", 1), params.get("step_offset", 0)
    scale = params.get("step_scale", 1)
    if params.get("noise_range"):
        return None  # timm's noise: each noisy step its own draw
    warmup = params["warmup_steps"]
    clock: Breaks | None = _warmed(own, params) if warmup else own
    if clock is None or (every == 1 and offset == 0 and scale == 1):
        return clock
    inner = clock

    def clocked(high: int, limit: int, exact: bool = False) -> Any:
        # Update u runs clock max((u // every) x scale + offset, 0): clock
        # step k is first reached at update ceil((k - offset) / scale) x every.
        # Non-decreasing, so monotone pieces stay monotone.
        top = max(math.ceil((high // every) * scale + offset), 0)
        points = inner(top, limit, exact)
        if points is None:
            return None
        if offset != int(offset):
            # A fractional offset: clock point p (a whole step, standing for a real point
            # within one step of it) is passed between updates floor and ceil of p - offset.
            shifted = (points - offset) / scale
            reached = np.concatenate([np.floor(shifted), np.ceil(shifted)]).astype(np.int64)
            updates = np.concatenate([reached, reached + 1]) * every
        elif scale != 1:
            reached = -((offset - points) // scale)  # ceil((points - offset) / scale), in integers
            updates = np.concatenate([reached, reached - 1]) * every
        else:
            updates = (points - int(offset)) * every
        return sorted_unique(updates[(updates >= 1) & (updates <= high)])

    return clocked


def _warmed(own: Breaks, params: Mapping[str, Any]) -> Breaks | None:
    steps = params["warmup_steps"]
    shared = params.get("warmup_clock", "after") == "shared"
    if shared and params.get("warmup_mode", "replace") == "multiply":
        # ramp x schedule on one clock: every warmup step may turn.
        if steps > 1_000_000:
            return None
        head = np.arange(1, steps + 1, dtype=np.int64)

        def multiplied(high: int, limit: int, exact: bool = False) -> Any:
            points = own(high, limit, exact)
            if points is None or head.size + points.size > limit:
                return None
            return sorted_unique(np.concatenate([head[head <= high], points]))

        return multiplied
    hold = 0 if shared else params.get("warmup_hold", 0)
    shift = 0 if shared else steps + hold

    def warmed(high: int, limit: int, exact: bool = False) -> Any:
        # The ramp (monotone) until `steps`, then the schedule at t - shift,
        # held at its step 0 until `steps + hold` when hold > 0.
        points = own(max(high - shift, 0), limit, exact)
        if points is None:
            return None
        points = points + shift
        extra = [steps, steps + max(hold, 0)]
        points = np.concatenate([points[points > steps], np.array(extra, dtype=np.int64)])
        return sorted_unique(points[(points >= 1) & (points <= high)])

    return warmed


def joined(parts: list[Any], lengths: list[int]) -> Breaks | None:
    """A sequence's breakpoints: each part's, from where it starts, and the starts."""
    if any(part.breaks is None for part in parts):
        return None
    starts = np.cumsum([0] + lengths[:-1]).tolist()

    def points(high: int, limit: int, exact: bool = False) -> Any:
        found = [np.array(starts[1:], dtype=np.int64)]
        for index, (part, start) in enumerate(zip(parts, starts)):
            if start > high:
                break
            last = index == len(parts) - 1
            top = high - start if last else min(high - start, lengths[index] - 1)
            inner = part.breaks(top, limit, exact)
            if inner is None:
                return None
            found.append(inner + start)
        every = sorted_unique(np.concatenate(found))
        every = every[(every >= 1) & (every <= high)]
        return None if every.size > limit else every

    return points
