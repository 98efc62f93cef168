"""``--diff``: a panel under the curves with each curve minus the first, or
relative to it (``--diff rel``: ``(curve - first) / first``).

Where the first curve is 0 (a warmup from 0, a decay to 0) a relative
difference has no value: those steps are left out of the panel (a gap in the
line) and one ``warning:`` line says where, as ``--log-y`` does for values it
cannot show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lrplot.errors import UsageError
from lrplot.plan import Plan
from lrplot.registry import Bound

# Heights of the curves' axes and the difference panel.
HEIGHTS = (3.0, 1.3)


def check(plan: Plan) -> None:
    """Before any work: --diff needs something to compare."""
    if plan.diff is None:
        return
    if plan.panels:
        raise UsageError("--diff compares learning-rate curves; it does not apply to --descent panels")
    if len(plan.curves) < 2:
        raise UsageError("--diff draws each curve minus the first: give two or more curves")


def split(figure: Any) -> tuple[Any, Any]:
    """The curves' axes and, under it on the same x axis, the panel's."""
    grid = figure.add_gridspec(2, 1, height_ratios=HEIGHTS)
    top = figure.add_subplot(grid[0])
    return top, figure.add_subplot(grid[1], sharex=top)


def difference(first: Bound, other: Bound, relative: bool, gaps: list[float] | None = None) -> Callable[[np.ndarray], np.ndarray]:
    """``other - first`` (or relative to ``first``) at ascending steps ``t``,
    which it may overwrite; the first step of each chunk where the relative
    difference has no value goes to ``gaps``."""

    def values_at(t: np.ndarray) -> np.ndarray:
        start = t[0] if t.size else 0.0
        base = first.evaluate_at(t.copy())
        values = other.evaluate_at(t)
        values -= base
        if relative:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                values /= base
            missing = ~np.isfinite(values)
            if missing.any():
                values[missing] = np.nan
                if gaps is not None:
                    gaps.append(start + float(np.argmax(missing)))
        return values

    return values_at


def difference_bound(first: Bound, other: Bound, relative: bool) -> Bound:
    """The difference as a curve lrplot.envelope reduces from breakpoints:
    both curves' breakpoints, the pieces between them the pieces where both
    are monotone. Their difference may still turn inside one (where their
    slopes cross): each bucket shows its values at its ends and around the
    breakpoints, and a figure's refinement (envelope.refine) adds the steps
    a straight line would miss by more than its tolerance."""
    if first.breaks is None or other.breaks is None:
        breaks = None
    else:
        def breaks(high: int, limit: int, exact: bool = False) -> Any:
            mine, theirs = first.breaks(high, limit, exact), other.breaks(high, limit, exact)
            if mine is None or theirs is None or mine.size + theirs.size > limit:
                return None
            return np.union1d(mine, theirs)

    return other._replace(evaluate_at=difference(first, other, relative), breaks=breaks)


def first_gap(values_at: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray) -> int | None:
    """The first step where the reduced relative difference ``x``, ``y`` has
    no value, bisected between the kept steps around it (the first curve is
    monotone there, so once 0 it stays 0 until the next kept step)."""
    missing = np.flatnonzero(np.isnan(y))
    if missing.size == 0:
        return None
    at = int(missing[0])
    low, high = (int(x[at - 1]) if at else -1), int(x[at])
    while high - low > 1:
        middle = (low + high) // 2
        if np.isnan(values_at(np.array([float(middle)]))[0]):
            high = middle
        else:
            low = middle
    return high


def draw(plan: Plan, top: Any, bottom: Any, reduce: Callable[[Bound], tuple[np.ndarray, np.ndarray]], warn: Callable[[str], None]) -> None:
    """Draw the panel on ``bottom`` under ``top``'s curves, in their colours;
    ``reduce(bound)`` gives the points to draw (see :func:`difference_bound`)."""
    relative = plan.diff == "rel"
    scale = plan.steps_per_epoch or 1
    first = plan.curves[0]
    lines = top.get_lines()
    bottom.axhline(0.0, color=lines[0].get_color(), linewidth=1.2)
    gaps: list[float] = []
    for curve, line in zip(plan.curves[1:], lines[1:len(plan.curves)]):
        drawn = difference_bound(first.bound, curve.bound, relative)
        x, y = reduce(drawn)
        if relative and curve is plan.curves[1] and (gap := first_gap(drawn.evaluate_at, x, y)) is not None:
            gaps.append(gap)
        both_steps = first.bound.stepwise and curve.bound.stepwise
        bottom.plot(x / scale, y, color=line.get_color(), linewidth=1.4,
                    drawstyle="steps-post" if both_steps else "default")
    if gaps:
        warn(
            f"warning: --diff rel: curve 1 ({first.label}) is 0 or too small to divide by "
            f"(the first time at step {int(min(gaps))}); the relative difference is left out there"
        )
    bottom.set_xlabel(top.get_xlabel())
    top.set_xlabel("")
    top.tick_params(labelbottom=False)
    bottom.set_ylabel("rel. to curve 1" if relative else "minus curve 1", fontsize=9)
    if relative:
        from matplotlib.ticker import PercentFormatter

        bottom.yaxis.set_major_formatter(PercentFormatter(1.0))
    bottom.grid(True, alpha=0.3)
