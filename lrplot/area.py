"""The sum of a curve's learning rates over a run too long to evaluate every
step (``--stats``' area past 10**9 steps).

Between two breakpoints (lrplot.breakpoints) a curve updated every step is
a smooth closed form of the step, so the sum over a long piece follows from
the Euler-Maclaurin formula,

    sum_{k=a}^{b} g(k) = integral_a^b g + (g(a) + g(b)) / 2
                         + (g'(b) - g'(a)) / 12 - (g'''(b) - g'''(a)) / 720 + ...,

with the integral by Gauss-Legendre quadrature (subintervals halved until
two rounds agree to 1e-14) and the derivatives by finite differences of
whole steps. Short pieces, and the first and last steps of long ones
(where a clamp or a jump at a fraction of a step may sit, or the curve
changes much per step), are summed step by step: 8 at each end, then 64,
512, ... until two rounds agree. Relative error ~1e-13: the float sum over every step is itself
only that close to the true sum.

A curve stepped every few updates is that many times its schedule's sum
over its own steps. Not possible (None): a sequence with a part stepped
every few updates (a staircase between breakpoints), a curve whose jumps
are too many to list, or more pieces than can be summed in a second or two.
"""

from __future__ import annotations

from typing import Any

from lrplot.envelope import BREAKS_BUDGET, evaluate
from lrplot.lazy import numpy as np
from lrplot.registry import Bound

DIRECT = 4096  # pieces up to this long are summed step by step
# Steps summed one by one at each end of a longer piece, tried in turn until
# two give the same sum (the curve is smooth at the scale of a step there).
EDGES = (8, 64, 512, 4096, 32768)
EDGE = EDGES[0]
AGREE = 1e-13
MOST_DIRECT = 20_000_000  # steps summed one by one, at most
MOST_LONG = 5_000  # long pieces (each a few thousand evaluations), at most
NODES = 20
TOLERANCE = 1e-14
MOST_SPLITS = 1 << 6


def area(bound: Bound, steps: int) -> float | None:
    """sum(values at steps 0 .. steps - 1), or None where it cannot be had
    without evaluating every step."""
    every, offset = bound.params.get("step_every", 1), bound.params.get("step_offset", 0)
    if offset != int(offset):
        return None  # a part starting between its schedule's steps: summed step by step
    if every != 1 or offset != 0:
        return _clocked(bound, steps, every, int(offset))
    return _area(bound, steps)


def _clocked(bound: Bound, steps: int, every: int, offset: int) -> float | None:
    """A schedule stepped every ``every`` updates from ``offset``: update u
    takes the schedule's own step max(u // every + offset, 0), so the sum is
    ``every`` times the schedule's sum over its own steps (its own warmup
    included), less what the last, partial period does not hold."""
    if "parts" in bound.params:
        return None  # a sequence's parts are bound already: not rebuilt here
    from lrplot.binding import build_curve

    own = build_curve(bound.schedule, dict(bound.params, step_every=1, step_offset=0), bound.given, steps)
    last = (steps - 1) // every  # the last update's period
    held = steps - last * every  # updates in it
    top = max(last + offset, 0)  # the schedule's step there
    first = float(own.evaluate_at(np.zeros(1))[0])
    if offset >= 0:
        upto, before = _area(own, top + 1), _area(own, offset) if offset else 0.0
        if upto is None or before is None:
            return None
        periods = upto - before
    else:
        clamped = min(-offset, last + 1)  # periods held at the schedule's step 0
        rest = _area(own, last + offset + 1) if last + offset >= 0 else 0.0
        if rest is None:
            return None
        periods = clamped * first + rest
    at_top = float(own.evaluate_at(np.array([float(top)]))[0])
    return every * periods - (every - held) * at_top


def _area(bound: Bound, steps: int) -> float | None:
    """The sum for a curve updated every step."""
    if steps <= 0:
        return 0.0
    if bound.breaks is None or not _smooth(bound.params):
        return None
    points = bound.breaks(steps - 1, BREAKS_BUDGET, exact=True) if steps > 1 else np.empty(0, np.int64)
    if points is None:
        return None
    starts = np.concatenate([[0], points]).astype(np.int64)
    ends = np.concatenate([points - 1, [steps - 1]]).astype(np.int64) + 1  # exclusive
    long = ends - starts > DIRECT
    if int((ends - starts)[~long].sum()) > MOST_DIRECT or int(long.sum()) > MOST_LONG:
        return None
    total = float(_sums(bound, starts[~long], ends[~long]).sum())
    if long.any():
        sums = _long_sums(bound, starts[long], ends[long])
        if sums is None:
            return None
        total += float(sums.sum())
    return total


def _long_sums(bound: Bound, starts: Any, ends: Any) -> Any:
    """Each long piece's sum: its first and last ``edge`` steps one by one,
    Euler-Maclaurin between, for growing edges until two agree. A curve
    that changes much from one step to the next (a decay of half per step,
    t**-0.5 near 0) is summed one by one until it no longer does."""
    result = np.full(starts.size, np.nan)
    previous = np.full(starts.size, np.nan)
    pending = np.arange(starts.size)
    for edge in EDGES:
        fits = ends[pending] - starts[pending] > 2 * edge + DIRECT // 2
        last_round = pending[~fits]
        if last_round.size:  # too short for this edge: every step of it
            if int((ends[last_round] - starts[last_round]).sum()) > MOST_DIRECT:
                return None
            result[last_round] = _sums(bound, starts[last_round], ends[last_round])
        pending = pending[fits]
        if pending.size == 0:
            return result
        a, b = starts[pending], ends[pending]
        current = (
            _sums(bound, a, a + edge)
            + _sums(bound, b - edge, b)
            + _euler_maclaurin(bound, a + edge, b - edge - 1, float(edge))
        )
        settled = np.abs(current - previous[pending]) <= AGREE * np.abs(current)
        result[pending] = current
        previous[pending] = current
        pending = pending[~settled]
        if pending.size == 0:
            return result
    return None


def _sums(bound: Bound, begins: Any, ends: Any) -> Any:
    """sum of the values at the steps of each [begin, end), one by one."""
    counts = ends - begins
    out = np.zeros(begins.size)
    if counts.sum() == 0:
        return out
    values = evaluate(bound, _ranges(begins, ends))
    nonempty = np.flatnonzero(counts)
    out[nonempty] = np.add.reduceat(values, (np.cumsum(counts) - counts)[nonempty])
    return out


def _smooth(params: dict[str, Any]) -> bool:
    """Updated every step (no staircase between breakpoints), and no clamp
    of a negative step offset past the steps summed one by one."""
    offset = params.get("step_offset", 0)
    if params.get("step_every", 1) != 1 or offset <= -EDGE or offset != int(offset):
        return False
    if "parts" in params:
        parts, _ = params["parts"]
        return all(_smooth(part.params) for part in parts)
    return True


def _ranges(begins: Any, ends: Any) -> Any:
    """The integers of every [begin, end), concatenated."""
    counts = ends - begins
    if counts.sum() == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(begins - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return np.arange(counts.sum(), dtype=np.int64) + offsets


def _euler_maclaurin(bound: Bound, a: Any, b: Any, unit: float) -> Any:
    """sum_{k=a}^{b} g(k) for each piece [a, b] (g smooth two steps around
    it, and up to ``unit`` steps outside)."""
    near = np.arange(-2, 3)
    around = np.concatenate([(a[:, None] + near).ravel(), (b[:, None] + near).ravel()])
    order = np.argsort(around, kind="stable")
    values = np.empty(around.size)
    values[order] = evaluate(bound, around[order])
    at_a, at_b = values[: a.size * 5].reshape(-1, 5), values[a.size * 5 :].reshape(-1, 5)

    def first(v: Any) -> Any:  # g'(x) from g(x - 2 .. x + 2), error ~ g^(5) / 30
        return (v[:, 0] - 8 * v[:, 1] + 8 * v[:, 3] - v[:, 4]) / 12

    def third(v: Any) -> Any:  # g'''(x), error ~ g^(5) / 4
        return (-v[:, 0] + 2 * v[:, 1] - 2 * v[:, 3] + v[:, 4]) / 2

    return (
        _integral(bound, a.astype(np.float64), b.astype(np.float64), unit)
        + (at_a[:, 2] + at_b[:, 2]) / 2
        + (first(at_b) - first(at_a)) / 12
        - (third(at_b) - third(at_a)) / 720
    )


def _integral(bound: Bound, a: Any, b: Any, unit: float) -> Any:
    """integral_a^b g for each piece. The pieces' ends may sit ``unit`` from
    a point where g is not smooth (the start of a 1 - sqrt decay), so each
    piece is cut into subintervals doubling from both ends (unit, 2 unit,
    4 unit, ...), on which Gauss-Legendre converges fast; then every
    subinterval is halved until two rounds agree."""
    nodes, weights = np.polynomial.legendre.leggauss(NODES)
    half = (b - a) / 2
    levels = int(np.ceil(np.log2(max(float(half.max()) / unit, 2.0)))) + 1
    reach = np.concatenate([[0.0], unit * 2.0 ** np.arange(levels)])
    grow = np.minimum(reach[None, :], half[:, None])
    bounds = np.concatenate([a[:, None] + grow, (b[:, None] - grow)[:, ::-1][:, 1:]], axis=1)
    lows, highs = bounds[:, :-1], bounds[:, 1:]
    splits = np.ones(a.size, dtype=np.int64)
    previous = _gauss(bound, lows, highs, splits, nodes, weights)
    result = previous.copy()
    pending = np.arange(a.size)
    while pending.size:
        splits[pending] *= 2
        current = _gauss(bound, lows[pending], highs[pending], splits[pending], nodes, weights)
        result[pending] = current
        scale = np.maximum(np.abs(current), np.finfo(np.float64).tiny)
        unsettled = np.abs(current - previous[pending]) > TOLERANCE * scale
        previous[pending] = current
        pending = pending[unsettled & (splits[pending] < MOST_SPLITS)]
    return result


def _gauss(bound: Bound, lows: Any, highs: Any, splits: Any, nodes: Any, weights: Any) -> Any:
    """Gauss-Legendre over ``splits`` equal parts of each subinterval
    [lows, highs] of each piece (a row); the pieces' integrals."""
    rows, columns = lows.shape
    count = splits.repeat(columns)  # parts of each subinterval
    low, high = lows.ravel().repeat(count), highs.ravel().repeat(count)
    index = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    width = (high - low) / np.repeat(count, count)
    left = low + index * width
    points = (left[:, None] + (nodes + 1.0)[None, :] * (width / 2)[:, None]).ravel()
    values = np.empty(points.size)
    for begin in range(0, points.size, 1 << 20):  # ascending: pieces, subintervals and nodes in order
        chunk = points[begin : begin + (1 << 20)].copy()
        values[begin : begin + chunk.size] = bound.evaluate_at(chunk)
    sums = (values.reshape(-1, NODES) * weights).sum(axis=1) * (width / 2)
    piece = np.repeat(np.arange(rows), columns * splits)
    return np.bincount(piece, weights=sums, minlength=rows)
