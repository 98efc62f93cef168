"""``--annotate``: a dot on every mark of every curve (:mod:`lrplot.marks`)
and, where there is room, its label: the warmup's end, boundaries,
milestones, restarts with the value that starts there, the peak and the
final value.

Labels never overlap each other, the legend or another mark's dot: each is
tried at a few places around its dot, in display coordinates after the
figure's layout, and left out (its dot stays) when none is free. Places
that no curve crosses are preferred. The most
telling go first: peaks and final values, then warmup ends, then the rest
from left to right.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lrplot.marks import Mark, breakpoints, combine, extremes
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
        for mark in combine(extremes(x, y) + breakpoints(curve.bound, plan.steps)):
            if np.isfinite(mark.value) and not (log and mark.value <= 0):
                first = min(FIRST.get(what, 2) for what in (mark.what, *mark.also))
                found.append((first, mark.step, number, mark, line.get_color()))
    if not found:
        return []
    found.sort(key=lambda item: item[:3])
    limits = axes.get_xlim(), axes.get_ylim()
    axes.scatter([m.step / scale for *_, m, _ in found], [m.value for *_, m, _ in found],
                 s=DOT_SIZE**2, c=[color for *_, color in found], zorder=3, linewidths=0)
    axes.set_xlim(*limits[0])
    axes.set_ylim(*limits[1])
    _lay_out(figure)
    obstacles = []
    if legend is not None and legend.axes is axes:
        box = legend.get_window_extent()
        _pin(legend, axes, box)
        obstacles.append(box)
    points = axes.transData.transform([(m.step / scale, m.value) for *_, m, _ in found])
    dot = DOT_SIZE * figure.dpi / 72.0
    obstacles += [_box(px - dot / 2, py - dot / 2, dot, dot) for px, py in points]
    frame = axes.get_window_extent()
    drawn = _drawn_points(axes.get_lines()[: len(plan.curves)], figure.dpi / 72.0)
    from matplotlib.backends.backend_agg import RendererAgg

    renderer = RendererAgg(1, 1, figure.dpi)  # measures text as a full one would
    placed = []
    for (_, _, _, mark, color), (px, py) in zip(found, points):
        label = axes.annotate(mark.text(), xy=(mark.step / scale, mark.value), xytext=(0, 0),
                              textcoords="offset points", ha="left", va="bottom", fontsize=FONT_SIZE,
                              color=color, annotation_clip=False, **PLAIN_TEXT)
        label.set_in_layout(False)
        size = label.get_window_extent(renderer)
        spot = _free_spot(px, py, size.width, size.height, figure.dpi / 72.0, frame, obstacles, (px, py, dot), drawn)
        if spot is None:
            label.remove()
            continue
        dx, dy = spot
        label.xyann = (dx * 72.0 / figure.dpi, dy * 72.0 / figure.dpi)
        obstacles.append(_box(px + dx, py + dy, size.width, size.height))
        placed.append(label)
    return placed


# Laying a figure out draws it on a full-size raster: past this many pixels
# (--size 100x100 at 100 dpi is 100 million, 400 MB) it is laid out at a lower
# dpi. The layout is kept as fractions of the figure, the same at any dpi to
# within a pixel of text hinting, which PAD absorbs.
LAYOUT_PIXELS = 4_000_000
PAD = 1.0  # pixels kept between a label and anything else


def _lay_out(figure: Any) -> None:
    """Place the axes as saving will: labels are placed around them. The
    layout's warnings (a figure too small) are said when it is saved."""
    dpi = figure.dpi
    pixels = figure.bbox.width * figure.bbox.height
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pixels > LAYOUT_PIXELS:
            figure.set_dpi(dpi * (LAYOUT_PIXELS / pixels) ** 0.5)
        try:
            figure.draw_without_rendering()
        finally:
            figure.set_dpi(dpi)


def _free_spot(px: float, py: float, width: float, height: float, points: float, frame: Any,
               obstacles: list[Any], own: tuple[float, float, float], drawn: np.ndarray) -> tuple[float, float] | None:
    """Offsets in pixels of a label's lower-left corner from its dot: the
    first place around it inside ``frame`` that touches no obstacle, one
    that no curve crosses if there is one."""
    gap = GAP * points
    free = []
    for ring in range(RINGS):
        lift = gap + ring * (height + 2 * points)
        for dx, dy in ((gap, lift), (gap, -lift - height), (-gap - width, lift),
                       (-gap - width, -lift - height), (-width / 2, lift), (-width / 2, -lift - height)):
            box = _box(px + dx, py + dy, width, height)
            if not _within(box, frame):
                continue
            if any(_touch(box, other) for other in obstacles if not _is_dot(other, own)):
                continue
            inside = (drawn[:, 0] >= box.x0) & (drawn[:, 0] <= box.x1) & (drawn[:, 1] >= box.y0) & (drawn[:, 1] <= box.y1)
            if not inside.any():
                return dx, dy
            free.append((dx, dy))
    return free[0] if free else None


def _drawn_points(lines: list[Any], points: float) -> np.ndarray:
    """Points along the drawn curves, in display coordinates, at most two
    points apart (so a label box that a segment crosses holds one)."""
    spacing = 2.0 * points
    parts = [np.empty((0, 2))]
    for line in lines:
        xy = line.get_xydata()
        if line.get_drawstyle() == "steps-post" and len(xy) > 1:
            corners = np.column_stack([xy[1:, 0], xy[:-1, 1]])
            xy = np.insert(xy, np.arange(1, len(xy)), corners, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shown = line.axes.transData.transform(xy)
        shown = shown[np.isfinite(shown).all(axis=1)]
        if len(shown) < 2:
            parts.append(shown)
            continue
        lengths = np.hypot(*np.diff(shown, axis=0).T)
        # a segment longer than the figure is cut at the same spacing as the rest
        counts = np.minimum(np.ceil(lengths / spacing), 4000).astype(np.int64) + 1
        begins = np.cumsum(counts) - counts
        fractions = np.arange(counts.sum()) - np.repeat(begins, counts)
        fractions = fractions / np.repeat(np.maximum(counts - 1, 1), counts)  # 0 to 1 along each segment
        starts = np.repeat(shown[:-1], counts, axis=0)
        steps = np.repeat(np.diff(shown, axis=0), counts, axis=0)
        parts.append(starts + steps * fractions[:, None])
    return np.concatenate(parts)


def _box(x: float, y: float, width: float, height: float) -> Any:
    from matplotlib.transforms import Bbox

    return Bbox.from_bounds(x, y, width, height)


def _within(box: Any, frame: Any) -> bool:
    return frame.x0 + 1 <= box.x0 and box.x1 <= frame.x1 - 1 and frame.y0 + 1 <= box.y0 and box.y1 <= frame.y1 - 1


def _touch(a: Any, b: Any) -> bool:
    return not (a.x1 + PAD <= b.x0 or b.x1 + PAD <= a.x0 or a.y1 + PAD <= b.y0 or b.y1 + PAD <= a.y0)


def _is_dot(box: Any, own: tuple[float, float, float]) -> bool:
    """The label's own dot is not in its way."""
    px, py, dot = own
    return abs(box.x0 - (px - dot / 2)) < 1e-9 and abs(box.y0 - (py - dot / 2)) < 1e-9 and abs(box.width - dot) < 1e-9


def _pin(legend: Any, axes: Any, box: Any) -> None:
    """Keep the legend where "best" put it: labels added now would otherwise move it."""
    corner = axes.transAxes.inverted().transform((box.x0, box.y0))
    setter = getattr(legend, "set_loc", None) or legend._set_loc
    setter(tuple(float(v) for v in corner))
