"""A curve's envelope over a long run without evaluating every step.

A figure (and a terminal or HTML view) shows, per pixel column, where the
curve enters and leaves it and its lowest and highest value there. Between
its breakpoints (lrplot.breakpoints) a bound curve is monotone, so over any
range of steps its extremes lie at the range's ends or next to a breakpoint
inside it: evaluating the first and last step of every bucket and the two
steps around every breakpoint gives the exact minimum and maximum of every
bucket, in O(buckets + breakpoints) whatever the number of steps (10**12).

A curve whose breakpoints are not known, or more than BREAKS_BUDGET in the
run (10**8 short cycles), is evaluated at every step in chunks, as before;
past MAX_EVALUATED steps that would take hours, and such a figure is refused.
The same breakpoints find an overflow before anything is written.

For views: :func:`reduce_bound` gives the points a line through them draws
like every step; :func:`column_range` the lowest and highest value per
column (a terminal's cells, a page's pixels).
"""

from __future__ import annotations

import math
import os
from typing import Any, NamedTuple

from lrplot.breakpoints import sorted_unique
from lrplot.errors import UsageError
from lrplot.lazy import numpy as np
from lrplot.plan import CHUNK
from lrplot.registry import MAX_EVALUATED, Bound

# Breakpoints evaluated instead of every step: a few float64 arrays of this
# size stay in tens of MB, and evaluating them takes well under a second.
BREAKS_BUDGET = 2_000_000

WORKERS = min(4, os.cpu_count() or 1)

# A drawn line through the kept points stays this close (in pixels) to the
# line through every step. Agg, matplotlib's rasteriser, places a stroke's
# outline to 1/256 of a pixel; closer than that the kept points draw what
# every step draws, up to that rounding (README, "Pixel identity").
TOLERANCE = 1 / 256

# The steps on each side of a breakpoint are kept (a jump drawn at its
# exact step, every turn of a cyclic curve) while there are at most this many
# breakpoints per bucket; past that a bucket shows more turns than a pixel
# column can, and its first, last, lowest and highest points stand for them.
BREAKS_PER_BUCKET = 8


class Frame(NamedTuple):
    """Where a reduced curve is drawn: at most ``width`` x ``height`` pixels
    (the figure's: its axes are smaller, so a distance measured here bounds
    the drawn one) spanning the run's steps and the curve's own range of
    values (the axes' limits hold it); ``log``: on a logarithmic y axis."""

    width: float
    height: float
    log: bool = False


def breaks_of(bound: Bound, steps: int) -> Any:
    """The curve's breakpoints in [1, steps - 1], or None if unknown or over budget."""
    if bound.breaks is None or steps < 2:
        return None if bound.breaks is None else np.empty(0, dtype=np.int64)
    points = bound.breaks(steps - 1, BREAKS_BUDGET)
    if points is None or points.size > BREAKS_BUDGET:
        return None
    return np.asarray(points, dtype=np.int64)


def reduce_bound(
    bound: Bound, steps: int, buckets: int, advance: Any = None, frame: Frame | None = None
) -> tuple[Any, Any]:
    """Steps and values of the M4 reduction of ``bound`` over ``steps`` steps
    in ``buckets`` buckets of whole steps: each bucket's first and last
    point and the first of its lowest and of its highest, in step order;
    drawn in ``frame``, also the steps around its breakpoints and the points
    a straight line would miss by more than TOLERANCE pixels (see
    :func:`refine`) — the same points as :func:`reduce_curve` keeps from
    every step."""
    if steps <= 4 * buckets:
        return reduce_curve(bound.evaluate_at, steps, buckets, advance=advance)
    width = math.ceil(steps / buckets)
    points = breaks_of(bound, steps)
    if points is None or 2 * points.size > steps // 4:
        if steps > MAX_EVALUATED:
            raise UsageError(too_many_breaks(bound, steps))
        return reduce_curve(bound.evaluate_at, steps, buckets, advance=advance,
                            breaks=drawn_breaks(bound, steps, buckets, points), frame=frame)
    starts = np.arange(0, steps, width, dtype=np.int64)
    ends = np.minimum(starts + (width - 1), steps - 1)
    candidates = sorted_unique(np.concatenate([starts, ends, points - 1, points]))
    values = evaluate(bound, candidates)
    if advance is not None:
        advance(steps)
    bucket = candidates // width
    firsts = np.flatnonzero(np.diff(bucket, prepend=-1))
    lasts = np.append(firsts[1:] - 1, candidates.size - 1)
    # lexsort is stable: within a bucket, equal values keep step order, so
    # these are the first steps of each bucket's minimum and maximum.
    lowest = np.lexsort((values, bucket))[firsts]
    highest = np.lexsort((-values, bucket))[firsts]
    keep = sorted_unique(np.concatenate([firsts, lasts]))
    x = np.concatenate([candidates[keep], _first_of(bound, candidates, values, lowest, firsts),
                        _first_of(bound, candidates, values, highest, firsts)])
    y = np.concatenate([values[keep], values[lowest], values[highest]])
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    fresh = np.ones(x.size, dtype=bool)
    fresh[1:] = x[1:] != x[:-1]
    return _drawn(bound.evaluate_at, steps, buckets, x[fresh].astype(np.float64), y[fresh], drawn_breaks(bound, steps, buckets, points), frame)


def reduce_beside(values_at: Any, bound: Bound, steps: int, buckets: int, frame: Frame | None = None) -> tuple[Any, Any]:
    """A quantity drawn beside a curve (its momentum, its weight decay),
    reduced as :func:`reduce_bound` does: a schedule of its own (``bound``,
    ``values_at`` its ``evaluate_at``) through its own breakpoints; a
    function of the curve's clock (``bound`` the curve's: the momentum a
    onecycle or cyclic curve cycles turns where its learning rate turns)
    through the curve's."""
    if bound.evaluate_at is not values_at:
        bound = bound._replace(evaluate_at=values_at)
    return reduce_bound(bound, steps, buckets, frame=frame)


def drawn_breaks(bound: Bound, steps: int, buckets: int, points: Any = ()) -> Any:
    """The steps :func:`reduce_bound` keeps both sides of when drawing
    ``bound`` (``points``: its breakpoints, if already found): its
    breakpoints and, for a curve stepped every few updates, the edges of
    its stairs, while they fit BREAKS_PER_BUCKET per bucket. Each stair's
    corners drawn as every step draws them: a line cutting across stairs
    as tall as the line is wide would be rasterised otherwise (Agg adds up
    a stroke's overlapping outline around every corner)."""
    if isinstance(points, tuple):
        points = breaks_of(bound, steps)
    every = bound.params.get("step_every", 1)
    if points is None or every == 1 or (steps - 1) // every + points.size > BREAKS_PER_BUCKET * buckets:
        return points
    return sorted_unique(np.concatenate([points, np.arange(every, steps, every, dtype=np.int64)]))


def _drawn(values_at: Any, steps: int, buckets: int, x: Any, y: Any, breaks: Any, frame: Frame | None) -> tuple[Any, Any]:
    """The M4 points ``x``, ``y`` and, drawn in ``frame``, the steps on each
    side of the ``breaks`` (up to BREAKS_PER_BUCKET per bucket) and what
    :func:`refine` adds."""
    if frame is None or x.size < 3 or breaks is None:
        return x, y  # breakpoints unknown (timm's noise): no monotone piece to refine
    if breaks.size <= BREAKS_PER_BUCKET * buckets:
        around = sorted_unique(np.concatenate([breaks - 1, breaks]))
        around = around[(around >= 0) & (around < steps)].astype(np.float64)
        around = around[~np.isin(around, x)]
        x, y = _merged(x, y, around, evaluate_with(values_at, around))
        return refine(values_at, steps, x, y, frame)
    return refine(values_at, steps, x, y, frame, breaks)


def refine(values_at: Any, steps: int, x: Any, y: Any, frame: Frame, breaks: Any = None) -> tuple[Any, Any]:
    """``x``, ``y`` (ascending steps of the curve ``values_at``) and the
    points that keep the line through them within TOLERANCE pixels of the
    line through every step, in ``frame``: between two kept steps the middle
    step is kept, and both halves looked at again, where it lies more than
    half of TOLERANCE from the straight line (a curve bending one way
    between them stays within twice its middle's distance); where it lies
    closer, the straight line stands for the steps between. Steep curved
    parts (a warmup's knee, a decay's first steps at 10**12 steps) get the
    points they need; straight and flat parts none; a pixel of curve costs a
    few evaluations, whatever the number of steps. Between two kept steps
    with one of ``breaks`` inside (more turns than the bucket can show) the
    curve is not one monotone piece, and is left as it is."""
    with np.errstate(divide="ignore", invalid="ignore"):
        heights = np.log10(y) if frame.log else y
        shown = heights[np.isfinite(heights)]
        span = float(shown.max() - shown.min()) if shown.size else 0.0
        if not span > 0 or not math.isfinite(span):
            return x, y  # flat: every straight line through it is exact
        across, up = frame.width / max(steps - 1, 1), frame.height / span
        gap = np.flatnonzero(np.diff(x) >= 2)
        if breaks is not None:  # a breakpoint b in (x[i], x[i + 1]]: not monotone there
            gap = gap[np.searchsorted(breaks, x[gap], side="right") == np.searchsorted(breaks, x[gap + 1], side="right")]
        low_x, low_y, high_x, high_y = x[gap], heights[gap], x[gap + 1], heights[gap + 1]
        found_x, found_y = [x], [y]
        while low_x.size:
            middle = np.floor((low_x + high_x) / 2)
            value = evaluate_with(values_at, middle.copy())
            height = np.log10(value) if frame.log else value
            dx, dy = (high_x - low_x) * across, (high_y - low_y) * up
            off = np.abs(dx * (height - low_y) * up - dy * (middle - low_x) * across) / np.hypot(dx, dy)
            split = off > TOLERANCE / 2  # NaN (a value a log axis leaves out): no
            found_x.append(middle[split])
            found_y.append(value[split])
            low_x, low_y, high_x, high_y, middle, height = (
                a[split] for a in (low_x, low_y, high_x, high_y, middle, height)
            )
            # Both halves, in step order: [low, middle] then [middle, high].
            low_x, low_y = np.stack([low_x, middle]).T.ravel(), np.stack([low_y, height]).T.ravel()
            high_x, high_y = np.stack([middle, high_x]).T.ravel(), np.stack([height, high_y]).T.ravel()
            wide = high_x - low_x >= 2
            low_x, low_y, high_x, high_y = low_x[wide], low_y[wide], high_x[wide], high_y[wide]
    if len(found_x) == 1:
        return x, y
    return _merged(x, y, np.concatenate(found_x[1:]), np.concatenate(found_y[1:]))


def _merged(x: Any, y: Any, more_x: Any, more_y: Any) -> tuple[Any, Any]:
    """Two sets of points (steps not shared) as one, in step order."""
    x, y = np.concatenate([x, more_x]), np.concatenate([y, more_y])
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


def evaluate_with(values_at: Any, steps: Any) -> Any:
    """``values_at`` at ascending float64 ``steps``, in chunks (it may overwrite them)."""
    out = np.empty(steps.size)
    for begin in range(0, steps.size, CHUNK):
        piece = steps[begin : begin + CHUNK].astype(np.float64)
        out[begin : begin + piece.size] = values_at(piece)
    return out


def _first_of(bound: Bound, candidates: Any, values: Any, at: Any, firsts: Any) -> Any:
    """The first step with the value ``values[at]`` in each bucket, as
    evaluating every step finds it: a plateau (a curve held between its
    updates, a staircase) reaches it before the candidate does. The
    candidate before has another value (it would have been chosen), and
    the curve is monotone from there, so the steps with that value end the
    range: bisected for all buckets at once."""
    steps = candidates[at].copy()
    search = at > firsts
    low = np.where(search, candidates[np.maximum(at - 1, 0)], steps)  # its value differs
    high = steps  # its value is the one sought
    while True:
        active = np.flatnonzero(high - low > 1)
        if active.size == 0:
            return high
        middle = (low[active] + high[active]) // 2
        # Each middle beside the step known to hold the value, in one call
        # (ascending: middle < high, buckets in order): a schedule may take
        # other (equally exact) arithmetic for a batch of another size, an
        # ulp apart, and a plateau would not be recognised.
        both = evaluate(bound, np.column_stack([middle, high[active]]).ravel())
        same = both[0::2] == both[1::2]
        high[active[same]] = middle[same]
        low[active[~same]] = middle[~same]


def column_range(bound: Bound, steps: int, columns: int) -> tuple[Any, Any]:
    """The lowest and highest value of the curve in each of ``columns``
    equal ranges of steps (a terminal's or a page's columns; the last ones
    are empty, NaN, when there are more columns than steps): exact, from the
    breakpoints, or from every step where they are not known."""
    edges = np.arange(columns + 1, dtype=np.int64) * steps // columns  # exact to 10**12 x 10**6
    points = breaks_of(bound, steps)
    if points is None or 2 * points.size > steps // 4:
        if steps > MAX_EVALUATED:
            raise UsageError(too_many_breaks(bound, steps))
        inside = np.arange(steps, dtype=np.int64)
    else:
        inside = np.concatenate([edges[:-1], edges[1:] - 1, points - 1, points])
        inside = sorted_unique(inside[(inside >= 0) & (inside < steps)])
    values = evaluate(bound, inside)
    column = np.searchsorted(edges, inside, side="right") - 1
    lows, highs = np.full(columns, np.nan), np.full(columns, np.nan)
    starts = np.flatnonzero(np.diff(column, prepend=-1))
    lows[column[starts]] = np.minimum.reduceat(values, starts)
    highs[column[starts]] = np.maximum.reduceat(values, starts)
    return lows, highs


def evaluate(bound: Bound, steps: Any) -> Any:
    """``bound`` at ascending integer ``steps``, in chunks."""
    return evaluate_with(bound.evaluate_at, steps)


def too_many_breaks(bound: Bound, steps: int, where: str | None = None) -> str:
    return (
        f"{where or bound.name}: over {steps:,} steps it changes direction or jumps more than "
        f"{BREAKS_BUDGET:,} times (or lrplot cannot tell where), and drawing it would evaluate "
        f"every step: figures and --stats of such a curve go up to {MAX_EVALUATED:,} steps "
        "(CSV and JSON have no limit)"
    )


def check_envelope(bound: Bound, steps: int, where: str | None = None) -> None:
    """Before any work: refuse a figure of a curve that would need every one
    of more than MAX_EVALUATED steps evaluated."""
    if steps > MAX_EVALUATED:
        points = breaks_of(bound, steps)
        if points is None or 2 * points.size > steps // 4:
            raise UsageError(too_many_breaks(bound, steps, where))


def check_finite(bound: Bound, steps: int) -> None:
    """Raise the overflow error of the first step where ``bound`` leaves
    float64 (the one a full evaluation would raise), or nothing; found from
    the breakpoints, before anything is written. A curve whose breakpoints
    are unknown is checked as it is written, as before."""
    points = breaks_of(bound, steps)
    if points is None:
        return
    candidates = sorted_unique(np.concatenate([[0, steps - 1], points - 1, points]))
    candidates = candidates[(candidates >= 0) & (candidates < steps)]
    try:
        evaluate(bound, candidates)
        return
    except UsageError:
        pass
    # The first candidate that overflows, then bisect the monotone piece
    # before it: once a monotone piece leaves float64 it stays out.
    finite = [_finite_at(bound, int(step)) for step in candidates]
    bad = finite.index(False)
    low = int(candidates[bad - 1]) if bad else -1  # finite (or before step 0)
    high = int(candidates[bad])  # not finite
    while high - low > 1:
        middle = (low + high) // 2
        if _finite_at(bound, middle):
            low = middle
        else:
            high = middle
    bound.evaluate_at(np.array([float(high)]))  # raises the error, naming `high`


def _finite_at(bound: Bound, step: int) -> bool:
    try:
        bound.evaluate_at(np.array([float(step)]))
    except UsageError:
        return False
    return True


def reduce_curve(
    values_at: Any,
    steps: int,
    buckets: int,
    chunk: int = CHUNK,
    advance: Any = None,
    breaks: Any = None,
    frame: Frame | None = None,
) -> tuple[Any, Any]:
    """Steps and values of the M4 reduction of a curve over ``steps`` steps.

    ``values_at(t)`` evaluates the curve at an ascending array of steps (which
    it may overwrite). With
    ``steps <= 4 * buckets`` nothing is dropped. Otherwise each bucket of
    ``width`` consecutive steps keeps its first and last points and the first
    step of its minimum and of its maximum — so a step function keeps its
    exact edges. Drawn in ``frame``: also the steps around ``breaks`` (the
    curve's breakpoints, if known) and the points :func:`refine` adds.
    """
    if steps <= 4 * buckets:
        return np.arange(steps, dtype=np.float64), values_at(np.arange(steps, dtype=np.float64))
    width = math.ceil(steps / buckets)
    per_chunk = max(1, chunk // width) * width

    def reduce_chunk(start: int) -> tuple[Any, Any]:
        stop = min(start + per_chunk, steps)
        y = values_at(np.arange(start, stop, dtype=np.float64))
        whole = (stop - start) // width * width
        parts = []
        if whole:
            parts.append(_m4(y[:whole].reshape(-1, width), start, width))
        if whole < stop - start:
            parts.append(_m4(y[whole:].reshape(1, -1), start + whole, stop - start - whole))
        if advance is not None:
            advance(stop - start)
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    starts = range(0, steps, per_chunk)
    if len(starts) == 1 or WORKERS == 1:
        reduced = [reduce_chunk(start) for start in starts]
    else:
        # numpy releases the GIL in its loops, so chunks evaluate in parallel;
        # at most WORKERS chunks are in memory at once.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(WORKERS) as pool:
            reduced = list(pool.map(reduce_chunk, starts))
    x, y = np.concatenate([x for x, _ in reduced]), np.concatenate([y for _, y in reduced])
    return _drawn(values_at, steps, buckets, x, y, breaks, frame)


def _m4(blocks: np.ndarray, start: int, width: int) -> tuple[Any, Any]:
    rows = np.arange(blocks.shape[0])
    offsets = np.stack(
        [
            np.zeros_like(rows),
            np.argmin(blocks, axis=1),
            np.argmax(blocks, axis=1),
            np.full_like(rows, blocks.shape[1] - 1),
        ],
        axis=1,
    )
    offsets.sort(axis=1)
    values = blocks[rows[:, None], offsets]
    steps = start + rows[:, None] * width + offsets
    # Drop repeats (first == min, ...) so a flat bucket costs two points.
    keep = np.ones(offsets.shape, dtype=bool)
    keep[:, 1:] = offsets[:, 1:] != offsets[:, :-1]
    return steps[keep].astype(np.float64), values[keep]




def check_overflow(plan: Any, exhaustive: bool) -> None:
    """Refuse, before anything is written, a curve of ``plan`` that overflows
    float64 within the run: from its breakpoints when they are known;
    ``exhaustive``: else by evaluating every step (stdout and --emit cannot
    take back what they printed)."""
    for curve in plan.curves:
        if breaks_of(curve.bound, plan.steps) is not None:
            check_finite(curve.bound, plan.steps)
        elif exhaustive:
            for start in range(0, plan.steps, CHUNK):
                curve.bound.evaluate_at(np.arange(start, min(start + CHUNK, plan.steps), dtype=np.float64))


def summary(bound: Bound, steps: int, fall: float) -> dict[str, Any]:
    """First, last, min, max, the first step of the peak and the first step
    after it below ``fall`` x the peak, exact, from the breakpoints (for
    --stats over runs too long to evaluate every step)."""
    points = breaks_of(bound, steps)
    if points is None or 2 * points.size > steps // 4:
        raise UsageError(too_many_breaks(bound, steps))
    steps_at = sorted_unique(np.concatenate([[0, steps - 1], points - 1, points]))
    steps_at = steps_at[(steps_at >= 0) & (steps_at < steps)]
    values = evaluate(bound, steps_at)
    peak_value = float(values.max())
    top = int(np.argmax(values))
    # Monotone between candidates: the steps at the peak end the piece before it.
    peak = _bisect(bound, int(steps_at[top - 1]) if top else -1, int(steps_at[top]), lambda v: v == peak_value)
    threshold = fall * peak_value
    below = None
    after = np.flatnonzero((steps_at > peak) & (values < threshold))
    if after.size:
        hit = int(after[0])
        below = _bisect(bound, max(int(steps_at[hit - 1]), peak), int(steps_at[hit]), lambda v: v < threshold)
    return {
        "first": float(values[0]), "last": float(values[-1]), "min": float(values.min()),
        "max": peak_value, "peak_at": peak, "below_10pct": below,
    }


def _bisect(bound: Bound, low: int, high: int, reached: Any) -> int:
    """The first step in (low, high] where ``reached(value)`` holds, given
    that it holds at ``high`` and, the curve being monotone there, from
    that step on."""
    while high - low > 1:
        middle = (low + high) // 2
        if reached(float(bound.evaluate_at(np.array([float(middle)]))[0])):
            high = middle
        else:
            low = middle
    return high
