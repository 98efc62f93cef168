"""``--annotate``: a dot on every mark of every curve (:mod:`lrplot.marks`)
and, where there is room, its label: the warmup's end, boundaries,
milestones, restarts with the value that starts there, the peak and the
final value.

Labels never overlap each other, the legend or another mark's dot: each is
tried at a few places around its dot, in display coordinates after the
figure's layout, and left out (its dot stays) when none is free. The most
telling go first: peaks and final values, then warmup ends, then the rest
from left to right.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lrplot.marks import Mark, breakpoints, extremes
from lrplot.plan import Plan
from lrplot.style import PLAIN_TEXT

FONT_SIZE = 8.0
GAP = 4.0  # points between a dot and its label
RINGS = 3  # rows of places above and below a dot
DOT_SIZE = 4.0  # points
FIRST = {"peak": 0, "final": 0, "warmup end": 1}


def draw(figure: Any, axes: Any, plan: Plan, legend: Any) -> list[Any]:
    """Mark every curve of ``plan`` on ``axes`` (its lines are the curves, in
    order); returns the labels placed."""
    scale = plan.steps_per_epoch or 1
    log = axes.get_yscale() == "log"
    found: list[tuple[int, float, int, Mark, str]] = []
    for number, (curve, line) in enumerate(zip(plan.curves, axes.get_lines())):
        x = np.asarray(line.get_xdata(), dtype=np.float64) * scale
        y = np.asarray(line.get_ydata(), dtype=np.float64)
        for mark in extremes(x, y) + breakpoints(curve.bound, plan.steps):
            if np.isfinite(mark.value) and not (log and mark.value <= 0):
                found.append((FIRST.get(mark.what, 2), mark.step, number, mark, line.get_color()))
    if not found:
        return []
    found.sort(key=lambda item: item[:3])
    limits = axes.get_xlim(), axes.get_ylim()
    axes.scatter([m.step / scale for *_, m, _ in found], [m.value for *_, m, _ in found],
                 s=DOT_SIZE**2, c=[color for *_, color in found], zorder=3, linewidths=0)
    axes.set_xlim(*limits[0])
    axes.set_ylim(*limits[1])
    # Place labels where the layout puts the axes: lay the figure out now
    # (its warnings, a figure too small, are said when it is saved).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure.draw_without_rendering()
    obstacles = []
    if legend is not None and legend.axes is axes:
        box = legend.get_window_extent()
        _pin(legend, axes, box)
        obstacles.append(box)
    points = axes.transData.transform([(m.step / scale, m.value) for *_, m, _ in found])
    dot = DOT_SIZE * figure.dpi / 72.0
    obstacles += [_box(px - dot / 2, py - dot / 2, dot, dot) for px, py in points]
    frame = axes.get_window_extent()
    from matplotlib.backends.backend_agg import RendererAgg

    renderer = RendererAgg(1, 1, figure.dpi)  # measures text as a full one would
    placed = []
    for (_, _, _, mark, color), (px, py) in zip(found, points):
        label = axes.annotate(mark.text(), xy=(mark.step / scale, mark.value), xytext=(0, 0),
                              textcoords="offset points", ha="left", va="bottom", fontsize=FONT_SIZE,
                              color=color, annotation_clip=False, **PLAIN_TEXT)
        label.set_in_layout(False)
        size = label.get_window_extent(renderer)
        spot = _free_spot(px, py, size.width, size.height, figure.dpi / 72.0, frame, obstacles, own=(px, py, dot))
        if spot is None:
            label.remove()
            continue
        dx, dy = spot
        label.xyann = (dx * 72.0 / figure.dpi, dy * 72.0 / figure.dpi)
        obstacles.append(_box(px + dx, py + dy, size.width, size.height))
        placed.append(label)
    return placed


def _free_spot(px: float, py: float, width: float, height: float, points: float, frame: Any,
               obstacles: list[Any], own: tuple[float, float, float]) -> tuple[float, float] | None:
    """Offsets in pixels of a label's lower-left corner from its dot: the
    first place around it inside ``frame`` that touches no obstacle."""
    gap = GAP * points
    for ring in range(RINGS):
        lift = gap + ring * (height + 2 * points)
        for dx, dy in ((gap, lift), (gap, -lift - height), (-gap - width, lift),
                       (-gap - width, -lift - height), (-width / 2, lift), (-width / 2, -lift - height)):
            box = _box(px + dx, py + dy, width, height)
            if not _within(box, frame):
                continue
            if any(_touch(box, other) for other in obstacles if not _is_dot(other, own)):
                continue
            return dx, dy
    return None


def _box(x: float, y: float, width: float, height: float) -> Any:
    from matplotlib.transforms import Bbox

    return Bbox.from_bounds(x, y, width, height)


def _within(box: Any, frame: Any) -> bool:
    return frame.x0 + 1 <= box.x0 and box.x1 <= frame.x1 - 1 and frame.y0 + 1 <= box.y0 and box.y1 <= frame.y1 - 1


def _touch(a: Any, b: Any) -> bool:
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


def _is_dot(box: Any, own: tuple[float, float, float]) -> bool:
    """The label's own dot is not in its way."""
    px, py, dot = own
    return abs(box.x0 - (px - dot / 2)) < 1e-9 and abs(box.y0 - (py - dot / 2)) < 1e-9 and abs(box.width - dot) < 1e-9


def _pin(legend: Any, axes: Any, box: Any) -> None:
    """Keep the legend where "best" put it: labels added now would otherwise move it."""
    corner = axes.transAxes.inverted().transform((box.x0, box.y0))
    setter = getattr(legend, "set_loc", None) or legend._set_loc
    setter(tuple(float(v) for v in corner))
