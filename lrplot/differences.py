"""``--stats`` differences between two curves past 10**9 steps, from their
breakpoints.

Between the breakpoints of both curves (every jump: ``exact``), each is a
smooth monotone function of the step, so their difference is smooth there:
it is sampled at SAMPLES points spread over the run (each piece's ends
among them), and around every local maximum of the samples the exact
integer maximum is found by ternary search (a smooth difference turns at
most once between two samples that close). The first step where the
curves differ is bisected between the last sample where they agree and the
first where they do not. Tested against every step (tests/test_stats_long.py).

Two curves stepped every few updates compare stair by stair when they
step together (the same ``step_every``); stepped differently (a difference
then saws at every stair) or with too many jumps, they get no differences
("-").
"""

from __future__ import annotations

import math
from typing import Any

from lrplot.breakpoints import sorted_unique
from lrplot.envelope import BREAKS_BUDGET, evaluate
from lrplot.lazy import numpy as np
from lrplot.registry import Bound

# Points where both curves are evaluated, spread over the pieces: a few float64 arrays.
SAMPLES = 1 << 20
# Local maxima of the samples refined, the highest first.
REFINED = 256


def differences(first: Bound, other: Bound, steps: int) -> dict[str, Any] | None:
    """``max_abs_diff``, ``max_rel_diff``, ``first_diff`` of ``other`` to
    ``first`` over ``steps`` steps, as stats.compute finds them from every
    step; None when the breakpoints cannot give them."""
    every = first.params.get("step_every", 1)
    if every != 1 and every == other.params.get("step_every", 1):
        # Both stepped every `every` updates: both hold their value on each
        # stair [k every, (k + 1) every), so compare them stair by stair.
        found = differences(_stairs(first, every), _stairs(other, every), -(-steps // every))
        if found and found["first_diff"] is not None:
            found["first_diff"] *= every
        return found
    points = _joint_breaks(first, other, steps)
    if points is None:
        return None
    t = _samples(points, steps)
    a, b = evaluate(first, t), evaluate(other, t)
    absolute = _refined_max(first, other, t, _absolute(a, b), points, _absolute)
    relative = _refined_max(first, other, t, _relative(a, b), points, _relative)
    return {"max_abs_diff": absolute, "max_rel_diff": relative, "first_diff": _first_diff(first, other, t, a != b)}


def _stairs(bound: Bound, every: int) -> Bound:
    """``bound`` read at the first update of each stair: stair k is update
    k x every. Its breakpoints (updates where a stair starts, multiples of
    ``every``) as stairs."""

    def values_at(t: Any) -> Any:
        t *= every
        return bound.evaluate_at(t)

    def breaks(high: int, limit: int, exact: bool = False) -> Any:
        points = bound.breaks(high * every, limit, exact)
        return None if points is None else sorted_unique(-(-points // every))

    params = {**bound.params, "step_every": 1}
    return bound._replace(params=params, evaluate_at=values_at, breaks=None if bound.breaks is None else breaks)


def _joint_breaks(first: Bound, other: Bound, steps: int) -> Any:
    if steps < 2:
        return np.empty(0, dtype=np.int64)
    found = []
    for bound in (first, other):
        if bound.breaks is None or bound.params.get("step_every", 1) != 1:
            return None
        points = bound.breaks(steps - 1, BREAKS_BUDGET, exact=True)
        if points is None:
            return None
        found.append(np.asarray(points, dtype=np.int64))
    points = sorted_unique(np.concatenate(found))
    return None if points.size > BREAKS_BUDGET else points


def _samples(points: Any, steps: int) -> Any:
    """Each piece's first and last step, and evenly spread steps inside the
    pieces, SAMPLES in all (at least the ends)."""
    starts = np.concatenate([[0], points])
    ends = np.append(points - 1, steps - 1)
    inner = max(0, (SAMPLES - 2 * starts.size) // max(starts.size, 1))
    if inner == 0:
        return sorted_unique(np.concatenate([starts, ends]))
    fractions = np.arange(1, inner + 1) / (inner + 1)
    spread = starts[:, None] + np.floor((ends - starts)[:, None] * fractions[None, :]).astype(np.int64)
    return sorted_unique(np.concatenate([starts, ends, spread.ravel()]))


def _absolute(a: Any, b: Any) -> Any:
    return np.abs(b - a)


def relative_to(reference: Any, diff: Any) -> Any:
    """``diff / |reference|``: 0 where the curves agree, inf where only the
    reference is 0 (stats.compute's measure over every step, and this module's)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(diff == 0, 0.0, diff / np.abs(reference))


def _relative(a: Any, b: Any) -> Any:
    return relative_to(a, _absolute(a, b))


def _refined_max(first: Bound, other: Bound, t: Any, values: Any, points: Any, measure: Any) -> float:
    """The largest ``measure`` over every step: the samples' largest, and
    around each of the REFINED highest local maxima of the samples (between
    the samples on either side, inside one piece) the integer maximum."""
    best = float(values.max()) if values.size else 0.0
    if t.size < 3 or math.isinf(best):
        return best
    middle = np.arange(1, t.size - 1)
    peaks = middle[(values[middle] >= values[middle - 1]) & (values[middle] >= values[middle + 1])
                   & (t[middle + 1] - t[middle - 1] > 2)]
    peaks = peaks[np.argsort(-values[peaks], kind="stable")[:REFINED]]
    low, high = t[peaks - 1].copy(), t[peaks + 1].copy()
    # Keep each bracket inside the piece of its peak (a jump at a breakpoint is not smooth).
    piece = np.searchsorted(points, t[peaks], side="right")
    starts = np.concatenate([[0], points])
    ends = np.append(points - 1, np.iinfo(np.int64).max)
    low, high = np.maximum(low, starts[piece]), np.minimum(high, ends[piece])

    def at(steps: Any) -> Any:
        order = np.argsort(steps, kind="stable")
        out = np.empty(steps.size)
        out[order] = measure(evaluate(first, steps[order]), evaluate(other, steps[order]))
        return out

    while True:
        active = np.flatnonzero(high - low > 2)
        if active.size == 0:
            break
        third = (high[active] - low[active]) // 3
        left, right = low[active] + third, high[active] - third
        left_values, right_values = at(left), at(right)
        rising = left_values < right_values
        low[active[rising]] = left[rising] + 1
        high[active[~rising]] = right[~rising]
    last = np.concatenate([low, (low + 1).clip(max=high), high])
    if last.size:
        best = max(best, float(at(last).max()))
    return best


def _first_diff(first: Bound, other: Bound, t: Any, differ: Any) -> int | None:
    """The first step where the curves differ: the first differing sample,
    bisected back to the last agreeing sample before it."""
    hits = np.flatnonzero(differ)
    if hits.size == 0:
        return None
    at = int(hits[0])
    if at == 0:
        return int(t[0])
    low, high = int(t[at - 1]), int(t[at])
    while high - low > 1:
        middle = np.array([(low + high) // 2], dtype=np.int64)
        if evaluate(first, middle)[0] != evaluate(other, middle)[0]:
            high = int(middle[0])
        else:
            low = int(middle[0])
    return high
