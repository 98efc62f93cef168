"""The sum of a curve's learning rates over a run too long to evaluate every
step (``--stats``' area past 10**9 steps).

Between two breakpoints (lrplot.breakpoints) a curve updated every step is
a smooth closed form of the step, so the sum over a long piece follows from
the Euler-Maclaurin formula,

    sum_{k=a}^{b} g(k) = integral_a^b g + (g(a) + g(b)) / 2
                         + (g'(b) - g'(a)) / 12 - (g'''(b) - g'''(a)) / 720 + ...,

with the integral by Gauss-Legendre quadrature (subintervals halved until
two rounds agree to 1e-14) and the derivatives by finite differences of
whole steps. Short pieces, and the first and last EDGE steps of long ones
(where a clamp or a jump at a fraction of a step may sit), are summed step
by step. Relative error ~1e-13: the float sum over every step is itself
only that close to the true sum.

Not possible (None): a curve stepped every few updates (a staircase
between breakpoints), one whose jumps are too many to list, or more pieces
than can be summed in a second or two.
"""

from __future__ import annotations

from typing import Any

from lrplot.envelope import BREAKS_BUDGET, evaluate
from lrplot.lazy import numpy as np
from lrplot.registry import Bound

DIRECT = 4096  # pieces up to this long are summed step by step
EDGE = 8  # steps summed step by step at each end of a longer piece
MOST_DIRECT = 20_000_000  # steps summed one by one, at most
MOST_LONG = 50_000  # long pieces (each some hundred evaluations), at most
NODES = 20
TOLERANCE = 1e-14
MOST_SPLITS = 1 << 14


def area(bound: Bound, steps: int) -> float | None:
    """sum(values at steps 0 .. steps - 1), or None where it cannot be had
    without evaluating every step."""
    if bound.breaks is None or not _smooth(bound.params):
        return None
    points = bound.breaks(steps - 1, BREAKS_BUDGET, exact=True) if steps > 1 else np.empty(0, np.int64)
    if points is None:
        return None
    starts = np.concatenate([[0], points]).astype(np.int64)
    ends = np.concatenate([points - 1, [steps - 1]]).astype(np.int64)
    long = ends - starts + 1 > DIRECT
    heads = np.where(long, starts + EDGE, ends + 1)  # step by step: [start, head) and (tail, end]
    tails = np.where(long, ends - EDGE, ends)
    if int((heads - starts).sum() + (ends - tails).sum()) > MOST_DIRECT or int(long.sum()) > MOST_LONG:
        return None
    single = np.concatenate([_ranges(starts, heads), _ranges(tails + 1, ends + 1)])
    total = float(evaluate(bound, np.sort(single)).sum())
    if long.any():
        total += float(_euler_maclaurin(bound, heads[long], tails[long]).sum())
    return total


def _smooth(params: dict[str, Any]) -> bool:
    """Updated every step (no staircase between breakpoints), and no clamp
    of a negative step offset past the steps summed one by one."""
    if params.get("step_every", 1) != 1 or params.get("step_offset", 0) <= -EDGE:
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


def _euler_maclaurin(bound: Bound, a: Any, b: Any) -> Any:
    """sum_{k=a}^{b} g(k) for each piece [a, b] (g smooth two steps around it)."""
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
        _integral(bound, a.astype(np.float64), b.astype(np.float64))
        + (at_a[:, 2] + at_b[:, 2]) / 2
        + (first(at_b) - first(at_a)) / 12
        - (third(at_b) - third(at_a)) / 720
    )


def _integral(bound: Bound, a: Any, b: Any) -> Any:
    """integral_a^b g for each piece, subintervals halved until two rounds agree."""
    nodes, weights = np.polynomial.legendre.leggauss(NODES)
    splits = np.full(a.size, 4, dtype=np.int64)
    previous = _gauss(bound, a, b, splits, nodes, weights)
    result = previous.copy()
    pending = np.arange(a.size)
    while pending.size:
        splits[pending] *= 2
        current = _gauss(bound, a[pending], b[pending], splits[pending], nodes, weights)
        result[pending] = current
        scale = np.maximum(np.abs(current), np.finfo(np.float64).tiny)
        unsettled = np.abs(current - previous[pending]) > TOLERANCE * scale
        previous[pending] = current
        pending = pending[unsettled & (splits[pending] < MOST_SPLITS)]
    return result


def _gauss(bound: Bound, a: Any, b: Any, splits: Any, nodes: Any, weights: Any) -> Any:
    """Gauss-Legendre over ``splits`` equal subintervals of each [a, b]."""
    width = (b - a) / splits
    piece = np.repeat(np.arange(a.size), splits)
    index = np.arange(splits.sum()) - np.repeat(np.cumsum(splits) - splits, splits)
    left = a[piece] + index * width[piece]
    points = (left[:, None] + (nodes + 1.0)[None, :] * (width[piece] / 2)[:, None]).ravel()
    values = np.empty(points.size)
    for begin in range(0, points.size, 1 << 20):  # ascending: pieces and nodes in order
        chunk = points[begin : begin + (1 << 20)].copy()
        values[begin : begin + chunk.size] = bound.evaluate_at(chunk)
    sums = (values.reshape(-1, NODES) * weights).sum(axis=1) * (width[piece] / 2)
    return np.bincount(piece, weights=sums, minlength=a.size)
