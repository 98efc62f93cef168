"""Draw a :class:`~lrplot.plan.Plan` as text for a terminal (``--term``).

Each character cell holds a Unicode braille pattern of 2 x 4 dots, so an
80 x 20 terminal plot has 150 x 80 dots. Curves are first reduced to the M4
envelope the figures use (:func:`lrplot.plotting.reduce_curve`: the first,
last, lowest and highest step of each bucket), so a 10^9-step run costs its
evaluation and a few thousand points to draw, never a list of every step,
and step edges stay exact.

Colour (ANSI, 8 or 256 colours) only when stdout is a terminal and NO_COLOR
is unset, or when FORCE_COLOR asks for it. Without colour the first curve is
drawn in braille and each other curve with its own character (``*``, ``+``,
...), named in the legend, so curves stay apart in a pipe or a log.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from lrplot.errors import tell
from lrplot.plan import Plan

# Narrower terminals get this many columns anyway: below it the axis labels
# leave no room for a curve.
MIN_COLUMNS = 20
MAX_COLUMNS = 1000
# Plot rows (braille cells), outside the title, axis and legend lines.
MIN_ROWS, MAX_ROWS = 8, 20

# M4 buckets per dot column: as with figures, enough that the segments joining
# kept points stay inside one dot column.
BUCKETS_PER_DOT = 8

BRAILLE = 0x2800
# Bit of each dot of a 2-wide, 4-high braille cell, indexed [row][column].
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int64)

# Without colour: the first curve is braille, the others use these characters.
MARKERS = "*+xo#%@=&$"

# matplotlib's default colour cycle (tab10), which the figures use.
TAB10 = (
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
)
# The 8-colour palette's nearest matches to TAB10, in the same order.
BASIC_CYCLE = ("34", "33", "32", "31", "35", "33", "35", "39", "33", "36")
# ANSI foreground codes and the colours xterm gives them; 39 (the terminal's
# own text colour) stands for black, white and grey, which would vanish on
# one background or the other.
BASIC_RGB = {
    "31": (205, 0, 0), "32": (0, 205, 0), "33": (205, 205, 0), "34": (0, 0, 238),
    "35": (205, 0, 205), "36": (0, 205, 205),
    "39": (127, 127, 127),
}
CUBE = (0, 95, 135, 175, 215, 255)  # the levels of the 256-colour cube
RESET = "\x1b[0m"


class Series(NamedTuple):
    """One line to draw: reduced points and how to show it."""

    label: str
    x: np.ndarray  # steps
    y: np.ndarray
    stepwise: bool
    color: str | None  # the user's colour (a matplotlib name), if any
    overlay: bool = False
    slot: int | None = None  # drawn as the series at this index (a curve's momentum: as the curve)
    tone: int | None = None  # coloured as the series at this index (a curve's groups: in its colour)


# --- where and how to draw -------------------------------------------------


def terminal_size() -> tuple[int, int]:
    """Columns and lines: COLUMNS / LINES when they are positive numbers, else
    the terminal's own size, else 80 x 24 (a pipe); at least MIN_COLUMNS."""
    columns, lines = shutil.get_terminal_size((80, 24))
    return min(max(columns, MIN_COLUMNS), MAX_COLUMNS), max(lines, 1)


def colour_mode(stream: Any = None) -> str | None:
    """``"256"``, ``"8"`` or None (no colour). NO_COLOR (https://no-color.org)
    wins; FORCE_COLOR (not "0") asks for colour in a pipe too; otherwise colour
    only on a terminal that is not TERM=dumb."""
    stream = sys.stdout if stream is None else stream
    env = os.environ
    if env.get("NO_COLOR"):
        return None
    forced = env.get("FORCE_COLOR", "") not in ("", "0")
    if not forced:
        try:
            if not stream.isatty():
                return None
        except (AttributeError, ValueError):
            return None
        if env.get("TERM") == "dumb":
            return None
    term, colorterm = env.get("TERM", ""), env.get("COLORTERM", "")
    return "256" if "256" in term or colorterm in ("truecolor", "24bit") or env.get("FORCE_COLOR") == "2" else "8"


def plot_rows(lines: int, extra_lines: int) -> int:
    """Rows of plot that leave room, in ``lines``, for the ``extra_lines``
    of title, axis and legend, and the shell's prompt."""
    return min(max(lines - extra_lines - 1, MIN_ROWS), MAX_ROWS)


# --- the plot ----------------------------------------------------------------


def render(
    plan: Plan,
    columns: int = 80,
    lines: int = 24,
    colour: str | None = None,
    advance: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The plot as text of at most ``columns`` columns per line (lines end in
    "\\n"), ``colour`` ``"8"``, ``"256"`` or None. ``warn(line)`` is told what
    the plot cannot show (default: stderr). A plan without --descent panels."""
    warn = tell if warn is None else warn
    columns = max(columns, MIN_COLUMNS)
    series = _series(plan, columns, advance, warn)
    series += _group_extremes(plan, series)
    panels = _quantity_panels(plan, columns, series)
    legend = _legend(series, colour, columns)
    xname = f"epoch ({plan.steps_per_epoch:,} steps)" if plan.steps_per_epoch else "step"
    below = sum(1 + PANEL_ROWS for _ in panels)
    rows = plot_rows(lines, 4 + len(legend) + below)
    yaxis = _y_axis(series, plan.log_y, rows * 4)
    axes = [_y_axis(items, False, PANEL_ROWS * 4, from_zero=False) for _, items in panels]
    labels = [label for axis in [yaxis, *axes] for _, label in axis.ticks]
    margin = max(_width(label) for label in labels) if labels else 1
    width = columns - margin - 2  # "label ┤" then the cells
    xmax = max(plan.steps - 1, 1)
    scale = plan.steps_per_epoch or 1

    out = [_centre(plan.title if plan.title is not None else _default_title(plan), margin + 2, width)]
    out += _rows(series, yaxis, xmax, width, rows, colour, margin)
    for (name, items), axis in zip(panels, axes):
        out.append(" " * margin + " │" + _centre(name, 0, width))  # the axis runs on through the panels
        out += _rows(items, axis, xmax, width, PANEL_ROWS, colour, margin)
    xticks = _x_ticks(xmax / scale, width * 2, integer=scale == 1)
    axis = ["─"] * width
    for column, _ in xticks:
        axis[column] = "┬"
    out.append(" " * margin + " └" + "".join(axis))
    out.extend(_x_labels(xticks, margin + 2, width, columns, xname))
    out.extend(legend)
    return "".join(line.rstrip() + "\n" for line in out)


def _rows(series: list[Series], yaxis: Axis, xmax: float, width: int, rows: int, colour: str | None, margin: int) -> list[str]:
    """One plot's rows: the y tick labels, the axis, the cells."""
    cells, tint = _raster(series, yaxis, xmax, width, rows, colour)
    tick_rows: dict[int, str] = {}
    for dot, label in yaxis.ticks:
        tick_rows.setdefault((rows * 4 - 1 - dot) // 4, label)
    out = []
    for row in range(rows):
        label = tick_rows.get(row)
        axis = (label or "").rjust(margin) + (" ┤" if label is not None else " │")
        out.append(axis + _paint(cells[row], tint[row], colour))
    return out


# Rows of each panel below the learning rate's (momentum, weight decay):
# enough for two or three labelled ticks.
PANEL_ROWS = 5


def _quantity_panels(plan: Plan, columns: int, series: list[Series]) -> list[tuple[str, list[Series]]]:
    """(title, each curve's line) for each quantity some curve carries, each
    line drawn as its curve (the same character or colour), as the figures'
    panels below the learning rate."""
    from lrplot.quantity_panels import carried
    from lrplot.quantity_points import TITLES, carried_points

    names = carried(plan)
    if not names:
        return []
    buckets = max(1, 2 * columns * BUCKETS_PER_DOT)
    panels: dict[str, list[Series]] = {name: [] for name in names}
    for number, (curve, line) in enumerate(zip(plan.curves, series), 1):
        for name, x, y, stepwise in carried_points(plan, number, curve, line.x, buckets):
            panels[name].append(Series(curve.label, x, y, stepwise, curve.color, slot=number - 1))
    return [(TITLES[name], items) for name, items in panels.items()]


def _group_extremes(plan: Plan, series: list[Series]) -> list[Series]:
    """A curve's parameter groups as the two groups with the smallest and the
    largest multiplier, each the curve's drawn line scaled (the figures shade
    the band between them), named in the legend, in the curve's colour; a
    multiplier of 1 is the curve's own line."""
    from lrplot.plotting import _check_drawable

    out = []
    for number, (curve, item) in enumerate(zip(plan.curves, series), 1):
        groups = dict(dict(curve.quantities).get("groups", ()))
        if not groups:
            continue
        low, high = min(groups, key=groups.__getitem__), max(groups, key=groups.__getitem__)
        for name in dict.fromkeys((high, low)):
            if groups[name] == 1:
                continue
            with np.errstate(over="ignore"):
                y = item.y * groups[name]
            _check_drawable(item.x, y, f"curve {number} ({curve.label}): group {name}")
            extreme = "highest" if name == high else "lowest"
            label = f"{curve.label}: {name} ×{groups[name]:.3g} ({extreme} group)"
            out.append(Series(label, item.x, y, item.stepwise, curve.color, tone=number - 1))
    return out


def _default_title(plan: Plan) -> str:
    from lrplot.plotting import _default_title

    return _default_title(plan)


def _series(plan: Plan, columns: int, advance: Any, warn: Callable[[str], None]) -> list[Series]:
    from lrplot.plotting import _check_drawable, drawn_curve, reduce_points

    buckets = max(1, 2 * columns * BUCKETS_PER_DOT)
    out = []
    for number, curve in enumerate(plan.curves, 1):
        x, y = drawn_curve(plan, number, curve, buckets, advance, warn)
        out.append(Series(curve.label, x, y, curve.bound.stepwise, curve.color))
    for overlay in plan.overlays:
        x, y = reduce_points(overlay.steps, overlay.values, 0.0, max(plan.steps - 1, 1), buckets)
        _check_drawable(x, y, f"overlay {overlay.label}: its logged value")
        out.append(Series(overlay.label, x, y, False, None, overlay=True))
    return out


class Axis(NamedTuple):
    """The y axis: ``to_dot(y)`` gives dot rows from the bottom (NaN where a
    value cannot be drawn); ``ticks`` are (dot row, label)."""

    low: float
    high: float
    log: bool
    dots: int
    ticks: list[tuple[int, str]]

    def to_dot(self, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan) if self.log else y
            return (values - self.low) / (self.high - self.low) * (self.dots - 1)


def _y_axis(series: list[Series], log: bool, dots: int, from_zero: bool = True) -> Axis:
    values = [s.y for s in series if s.y.size]
    if log:
        positive = [v[v > 0] for v in values]
        positive = [v for v in positive if v.size]
        if not positive:
            low, high = -1.0, 0.0  # nothing to show: 0.1 to 1
        else:
            low = math.floor(math.log10(min(float(v.min()) for v in positive)))
            high = math.ceil(math.log10(max(float(v.max()) for v in positive)))
            if high == low:  # a flat curve at a power of ten: the decades around it
                low, high = low - 1, high + 1
        step = _decade_step(high - low, dots)
        # Both ends (whole decades) are labelled, and every step-th decade
        # between them that is not crowding an end.
        inner = [k for k in range(math.ceil(low / step) * step, high, step) if k > low]
        axis = Axis(float(low), float(high), True, dots, [])
        ticks: list[tuple[int, str]] = []
        for k in [low, high, *inner]:
            dot = _dot(axis, float(k))
            if all(abs(dot - other) >= 8 for other, _ in ticks):
                ticks.append((dot, _number(10.0**k)))
        return axis._replace(ticks=sorted(ticks))
    low = min((float(v.min()) for v in values), default=0.0)
    high = max((float(v.max()) for v in values), default=0.0)
    if from_zero:
        low, high = min(0.0, low), max(0.0, high)
    elif high == low:  # a flat quantity: the ticks around it
        low, high = low - max(abs(low) * 0.1, 1e-300), high + max(abs(high) * 0.1, 1e-300)
    if high == low:
        high = low + 1.0  # every value 0: an axis from 0 to 1
    step = _nice_step((high - low) / max(2, dots // 12))
    # The axis ends on ticks, so its top and bottom rows are labelled.
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    low, high = first * step, last * step
    ticks = [k * step for k in range(first, last + 1)]
    axis = Axis(low, high, False, dots, [])
    return axis._replace(ticks=[(_dot(axis, t), _number(t, step)) for t in ticks])


def _dot(axis: Axis, value: float) -> int:
    return min(max(round((value - axis.low) / (axis.high - axis.low) * (axis.dots - 1)), 0), axis.dots - 1)


def _decade_step(decades: int, dots: int) -> int:
    """Decades between labelled ticks: at least 12 dots (3 rows) apart."""
    most = max(1, dots // 12)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200):
        if decades / step <= most:
            return step
    return 500


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= raw."""
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-12):
            return factor * power
    return 10.0 * power


def _number(value: float, step: float | None = None) -> str:
    """A tick label: as many significant digits as the step between ticks
    needs (``0.06``, not ``0.06000000000000001``), exponents short (``1e-5``)."""
    if value == 0:
        return "0"
    if step is None:
        digits = 1
    else:
        digits = max(1, math.floor(math.log10(abs(value))) - math.floor(math.log10(step)) + 2)
    if abs(value) >= 1 and float(value).is_integer() and abs(value) < 1e7:
        return str(int(value))
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def _x_ticks(high: float, dots: int, integer: bool) -> list[tuple[int, str]]:
    """(cell column, label) of ticks over 0..high, as many as fit with a
    space or two between labels."""
    cells = dots // 2
    for count in range(max(2, cells // 6), 0, -1):
        step = _nice_step(high / count)
        if integer:
            step = max(step, 1.0)
        ticks = [k * step for k in range(math.floor(high / step + 1e-9) + 1)]
        labels = [_number(t, step) for t in ticks]
        widest = max(_width(label) for label in labels)
        if len(ticks) <= 1 or cells / len(ticks) >= widest + 2:
            break
    return [(min(round(t / high * (dots - 1)) // 2, cells - 1), label) for t, label in zip(ticks, labels)]


def _x_labels(ticks: list[tuple[int, str]], left: int, width: int, columns: int, name: str) -> list[str]:
    """The tick labels under the axis, each centred on its tick unless that
    overlaps the previous one; the axis name after them, or on its own line."""
    line = [" "] * (left + width)
    end = 0
    for column, label in ticks:
        size = _width(label)
        start = min(max(left + column - size // 2, 0), left + width - size)
        if start < end + 1 and end:
            continue
        line[start : start + size] = list(label)  # ticks are ASCII: one column a character
        end = start + size
    text = "".join(line).rstrip()
    if _width(text) + 2 + _width(name) <= columns:
        return [text + "  " + name]
    return [text, _fit(name, columns).rjust(columns)]


def _raster(
    series: list[Series], yaxis: Axis, xmax: float, width: int, rows: int, colour: str | None
) -> tuple[list[list[str]], list[list[str | None]]]:
    """Each plot cell's character, and its colour code (None: uncoloured)."""
    cells = [[" "] * width for _ in range(rows)]
    tint: list[list[str | None]] = [[None] * width for _ in range(rows)]
    codes = np.zeros((rows, width), dtype=np.int64)
    for index, item in enumerate(series):
        dots = _dots(item, yaxis, xmax, width * 2, rows * 4)
        blocks = dots.reshape(rows, 4, width, 2)
        mine = np.einsum("rick,ik->rc", blocks.astype(np.int64), DOT_BITS)
        slot = index if item.slot is None else item.slot
        marker = _marker(slot, colour)
        paint = _code(item, slot if item.tone is None else item.tone, colour)
        for row, column in zip(*np.nonzero(mine)):
            if marker is None:
                codes[row, column] |= mine[row, column]
                cells[row][column] = chr(BRAILLE + int(codes[row, column]))
            else:
                cells[row][column] = marker
            tint[row][column] = paint
    return cells, tint


def _dots(item: Series, yaxis: Axis, xmax: float, columns: int, rows: int) -> np.ndarray:
    """The dots (rows x columns, row 0 at the top) a series' line covers:
    straight segments between its points, or steps (hold, then jump)."""
    grid = np.zeros((rows, columns), dtype=bool)
    if not item.x.size:
        return grid
    px = item.x / xmax * (columns - 1)
    py = yaxis.to_dot(item.y)
    if item.stepwise and px.size > 1:
        # hold each value until the next point's step, then jump
        px = np.repeat(px, 2)[1:]
        py = np.repeat(py, 2)[:-1]
    x0, x1, y0, y1 = px[:-1], px[1:], py[:-1], py[1:]
    ok = np.isfinite(y0) & np.isfinite(y1)
    x0, x1, y0, y1 = x0[ok], x1[ok], y0[ok], y1[ok]
    counts = np.ceil(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))).astype(np.int64) + 1
    which = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    fraction = (np.arange(which.size) - starts[which]) / np.maximum(counts[which] - 1, 1)
    xs = np.concatenate([x0[which] + (x1 - x0)[which] * fraction, px])
    ys = np.concatenate([y0[which] + (y1 - y0)[which] * fraction, py])
    keep = np.isfinite(ys)
    xs, ys = np.rint(xs[keep]).astype(np.int64), np.rint(ys[keep]).astype(np.int64)
    inside = (xs >= 0) & (xs < columns) & (ys >= 0) & (ys < rows)
    grid[rows - 1 - ys[inside], xs[inside]] = True
    return grid


def _marker(index: int, colour: str | None) -> str | None:
    """None: braille dots; else the character that draws series ``index``."""
    if colour is not None or index == 0:
        return None
    return MARKERS[(index - 1) % len(MARKERS)]


def _code(item: Series, index: int, colour: str | None) -> str | None:
    """The ANSI colour code (``"34"``, ``"38;5;67"``) of series ``index``."""
    if colour is None:
        return None
    if item.overlay:
        return "39"  # the figures draw logged rates in black: here the terminal's text colour
    if item.color is not None:
        from matplotlib.colors import to_rgb

        rgb = tuple(round(255 * c) for c in to_rgb(item.color))
    else:
        rgb = TAB10[index % len(TAB10)]
        if colour == "8":
            return BASIC_CYCLE[index % len(BASIC_CYCLE)]
    if colour == "256":
        return "38;5;" + str(16 + 36 * _level(rgb[0]) + 6 * _level(rgb[1]) + _level(rgb[2]))
    if max(rgb) - min(rgb) < 40:  # black, grey, white
        return "39"
    return min(BASIC_RGB, key=lambda code: sum((a - b) ** 2 for a, b in zip(BASIC_RGB[code], rgb)))


def _level(channel: int) -> int:
    return min(range(len(CUBE)), key=lambda i: abs(CUBE[i] - channel))


def _paint(cells: list[str], tint: list[str | None], colour: str | None) -> str:
    """Cells joined, with an escape code where the colour changes."""
    used = max((i + 1 for i, char in enumerate(cells) if char != " "), default=0)
    if colour is None:
        return "".join(cells[:used])
    out, current = [], None
    for char, code in zip(cells[:used], tint):
        if char == " ":
            code = current  # a blank keeps whatever colour is on
        if code != current:
            out.append(RESET if code is None else f"\x1b[{code}m")
            current = code
        out.append(char)
    if current is not None:
        out.append(RESET)
    return "".join(out)


def _legend(series: list[Series], colour: str | None, columns: int) -> list[str]:
    out = []
    for index, item in enumerate(series):
        marker = _marker(index, colour)
        sample = "⠒⠒" if marker is None else marker * 2
        label = _fit(_printable(item.label), columns - 5)
        if colour is not None:
            sample = f"\x1b[{_code(item, index if item.tone is None else item.tone, colour)}m{sample}{RESET}"
        out.append(f"  {sample} {label}")
    return out


# --- text ------------------------------------------------------------------


def _printable(text: str) -> str:
    """A label as it may be shown: control characters (a newline, an escape
    that would recolour the terminal) written as escapes, ``\\x1b``."""
    return "".join(
        ascii(char)[1:-1] if unicodedata.category(char) in ("Cc", "Cs") else char for char in text
    )


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide East Asian characters 2,
    combining and zero-width characters 0."""
    return sum(_char_width(char) for char in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _fit(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` display columns, ending in "…" if cut."""
    if _width(text) <= columns:
        return text
    out, used = [], 0
    for char in text:
        size = _char_width(char)
        if used + size > columns - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def _centre(text: str, left: int, width: int) -> str:
    text = _fit(_printable(text), left + width)
    pad = max(0, left + (width - _width(text)) // 2)
    pad = min(pad, left + width - _width(text))
    return " " * pad + text
