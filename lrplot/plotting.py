"""Draw a :class:`~lrplot.plan.Plan` on a matplotlib ``Figure``.

matplotlib is imported inside the functions, never at module import, so
``lrplot --help`` and ``lrplot list`` do not pay for it; pyplot (global state)
is used only for ``--show``.

Long curves are reduced before drawing to what a pixel column can show: for
each column of steps the first, last, lowest and highest points (the M4
reduction), in step order. The drawn line then covers the same pixels as the
full curve (to a pixel here and there where a line through other vertices
rasterises differently). The points come from the curve's breakpoints
(lrplot.envelope), so a run of 10**12 steps costs what one of 1,000 does.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

from lrplot import annotate, diff, legend
from lrplot.envelope import Frame, reduce_beside, reduce_bound, reduce_curve  # noqa: F401 - reduce_curve: the every-step reduction, for callers
from lrplot.errors import UsageError, tell
from lrplot.plan import Plan
from lrplot.style import PLAIN_TEXT

# Buckets per pixel column of the figure. Buckets of whole steps do not line up
# with pixel columns; at 8 per pixel the segments joining kept points stay
# inside one column, and the raster equals drawing every point to a few
# pixels of vertex rounding (tests/test_envelope.py).
BUCKETS_PER_PIXEL = 8

# A PNG is drawn in memory at 4 bytes a pixel, and saving needs about as much
# again: 100 megapixels (10000 x 10000, a 33-inch square at 300 dpi) peak
# near 500 MB and take ~2 s. Larger rasters are refused before any work.
MAX_PIXELS = 100_000_000

# Titles and labels are the user's text, drawn as typed: "$\\eta$" is not
# parsed as mathtext (a typo in it would crash matplotlib's parser), nor sent
# to LaTeX when a matplotlibrc turns text.usetex on.

# matplotlib's axis arithmetic (margins, tick steps) overflows float64 near
# its largest values: a figure is refused for values larger than this.
MAX_DRAWN = 1e300

# SVG and PDF have no pixels: --dpi does not apply to them. A figure written
# only as vectors is laid out and its curves reduced at this resolution.
VECTOR_DPI = 100


def reduce_points(x: np.ndarray, y: np.ndarray, low: float, high: float, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """The M4 reduction of points at ascending, irregular ``x`` (a logged
    learning rate) drawn over ``low..high``: the points inside, plus one on
    each side so the line runs on to the frame; past ``4 * buckets`` points,
    each bucket's first, last, lowest and highest point."""
    begin = max(int(np.searchsorted(x, low, side="left")) - 1, 0)
    end = int(np.searchsorted(x, high, side="right")) + 1
    x, y = x[begin:end], y[begin:end]
    if x.size <= 4 * buckets:
        return x, y
    span = max(high - low, 1.0)
    bucket = np.clip(np.floor((x - low) * (buckets / span)), -1, buckets).astype(np.int64)
    firsts = np.flatnonzero(np.diff(bucket, prepend=bucket[0] - 1))
    lasts = np.append(firsts[1:] - 1, x.size - 1)
    by_value = np.lexsort((y, bucket))  # within each bucket, lowest value first
    keep = np.unique(np.concatenate([firsts, lasts, by_value[firsts], by_value[lasts]]))
    return x[keep], y[keep]


def draw(
    plan: Plan, figure: Any = None, advance: Any = None, runs: Any = None, warn: Any = None, raster: bool = True
) -> Any:
    """Draw one line per curve on ``figure`` (a new ``Figure`` by default, at
    ``plan.dpi`` if it will be ``raster``-ised, else at VECTOR_DPI);
    ``advance(n)`` is told of every n values evaluated; ``warn(line)`` of what
    the figure cannot show (default: stderr). With descent panels, draw those
    instead (``runs``: their simulations, computed if not given)."""
    if warn is None:
        warn = tell
    check_backend()

    from matplotlib.figure import Figure

    width, height = plan.size
    if plan.panels:
        from lrplot import descent

        if figure is None:
            figure = Figure(figsize=figure_size(plan), dpi=plan.dpi if raster else VECTOR_DPI, layout="constrained")
        return descent.draw(plan, runs if runs is not None else descent.simulate_panels(plan), figure)
    if figure is None:
        figure = Figure(figsize=(width, height), dpi=plan.dpi if raster else VECTOR_DPI, layout="constrained")
    from lrplot import quantity_panels

    if plan.diff:  # the difference panel takes the place of momentum's and weight decay's
        (axes, lower), below = diff.split(figure), []
    else:
        (axes, below), lower = quantity_panels.subplots(figure, plan), None
    buckets = max(1, int(width * figure.dpi * BUCKETS_PER_PIXEL))
    frame = Frame(width * figure.dpi, height * figure.dpi, plan.log_y)
    scale = plan.steps_per_epoch or 1
    for number, curve in enumerate(plan.curves, 1):
        x, y = drawn_curve(plan, number, curve, buckets, advance, warn, frame)
        axes.plot(
            x / scale,
            y,
            label=curve.label,
            color=curve.color,
            drawstyle="steps-post" if curve.bound.stepwise else "default",
            linewidth=1.8,
        )
    for overlay in plan.overlays:
        x, y = reduce_points(overlay.steps, overlay.values, 0.0, max(plan.steps - 1, 1), buckets)
        _check_drawable(x, y, f"overlay {overlay.label}: its logged value")
        axes.plot(
            x / scale,
            y,
            label=overlay.label,
            linestyle="--",
            linewidth=1.2,
            color="black",
            alpha=0.8,
        )
    axes.set_xlabel("epoch" if plan.steps_per_epoch else "step")
    if plan.steps_per_epoch:
        top = axes.secondary_xaxis("top", functions=(lambda e: e * scale, lambda s: s / scale))
        top.set_xlabel("step")
    axes.set_ylabel("learning rate")
    axes.set_title(plan.title if plan.title is not None else _default_title(plan), **PLAIN_TEXT)
    if plan.log_y:
        _log_scale(axes)
    else:
        axes.set_ylim(bottom=min(0.0, axes.get_ylim()[0]))
    axes.set_xlim(0, max(plan.steps - 1, 1) / scale)
    axes.grid(True, alpha=0.3)
    quantity_panels.draw(plan, axes, below, list(axes.get_lines())[: len(plan.curves)],
                         lambda f, bound: reduce_beside(f, bound, plan.steps, buckets, frame), _check_drawable)
    if lower is not None:
        plain = frame._replace(log=False)
        diff.draw(plan, axes, lower, lambda bound: reduce_bound(bound, plan.steps, buckets, frame=plain), warn)
    placed = legend.place(figure, axes, list(axes.get_lines()))
    if plan.annotate:
        annotate.draw(figure, axes, plan, placed)
    return figure


def drawn_curve(
    plan: Plan, number: int, curve: Any, buckets: int, advance: Any, warn: Any, frame: Frame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Curve ``number`` reduced to ``buckets`` (see :func:`reduce_bound`),
    refused if too large to draw; ``warn(line)`` of values --log-y leaves out."""
    x, y = reduce_bound(curve.bound, plan.steps, buckets, advance=advance, frame=frame)
    _check_drawable(x, y, f"curve {number} ({curve.label}): its learning rate")
    # The reduction keeps every bucket's minimum, so this sees the full curve's.
    if plan.log_y and y.size and y.min() <= 0:
        warn(
            f"warning: curve {number} ({curve.label}): --log-y cannot show its values <= 0 "
            f"(the first at step {int(x[np.argmax(y <= 0)])}); they are left out of the plot"
        )
    return x, y


def _check_drawable(x: np.ndarray, y: np.ndarray, what: str) -> None:
    """Refuse values a figure's axis cannot hold (``what`` names them)."""
    if y.size:
        at = int(np.argmax(np.abs(y)))
        if abs(y[at]) > MAX_DRAWN:
            raise UsageError(
                f"{what} reaches {y[at]:.3g} at step {x[at]:.0f}, beyond the {MAX_DRAWN:g} a figure can draw: "
                "lower the rates, or write the numbers only (-o FILE.csv or FILE.json)"
            )


def _log_scale(axes: Any) -> None:
    """A logarithmic y axis that holds any positive float64 (a decay reaches
    5e-324). matplotlib's own margins and ticks overflow near float64's ends
    (its limits fall back to 1..10, its ticks to inf): the same 5 % margins
    are computed here and kept in range, and ticks past it are dropped."""
    import warnings

    from matplotlib.ticker import LogLocator

    class FiniteLogLocator(LogLocator):
        def tick_values(self, vmin: float, vmax: float) -> Any:
            with np.errstate(over="ignore"):
                ticks = super().tick_values(vmin, vmax)
            return ticks[np.isfinite(ticks)]

    # matplotlib autoscales as the scale changes; its limits are replaced below.
    with warnings.catch_warnings(), np.errstate(over="ignore", under="ignore"):
        warnings.simplefilter("ignore", UserWarning)  # values <= 0: said in one line per curve
        axes.set_yscale("log")
    locator = FiniteLogLocator()
    axes.yaxis.set_major_locator(locator)
    axes.yaxis.set_minor_locator(FiniteLogLocator(subs="auto"))
    drawn = [line.get_ydata() for line in axes.get_lines()]
    positive = np.concatenate([y[(y > 0) & np.isfinite(y)] for y in drawn]) if drawn else np.empty(0)
    if positive.size == 0:
        return
    tiny, huge = np.finfo(np.float64).smallest_subnormal, np.finfo(np.float64).max

    def in_range(limits: Any) -> list[float]:
        return [min(max(float(limit), tiny), huge) for limit in limits]

    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        # As matplotlib does: a flat curve is widened to the decades around
        # it, then 5 % of the span is added on each side, in log space.
        low, high = np.log10(in_range(locator.nonsingular(positive.min(), positive.max())))
        margin = axes.margins()[1] * (high - low)
        axes.set_ylim(*in_range((10 ** (low - margin), 10 ** (high + margin))))


# A longer label would not fit the title line of a default-size figure; the
# legend shows it in full anyway.
TITLE_LABEL_CHARS = 32


def _default_title(plan: Plan) -> str:
    if len(plan.curves) == 1:
        curve = plan.curves[0]
        name = curve.label if len(curve.label) <= TITLE_LABEL_CHARS else curve.schedule
        return f"{name} learning-rate schedule"
    return "learning-rate schedules"


def figure_size(plan: Plan) -> tuple[float, float]:
    """The figure's width and height in inches: --size, or for gradient-descent
    panels one row of two plots per panel."""
    width, height = plan.size
    if plan.panels:
        return (width * 1.5, height * 0.85 * len(plan.panels))
    return (width, height)


def check_figure(plan: Plan, raster: bool) -> None:
    """Before any work: refuse a figure that cannot be drawn. A raster (PNG,
    --show) of more than MAX_PIXELS pixels; logged values beyond MAX_DRAWN
    (curves are checked as they are drawn: that needs their values)."""
    width, height = figure_size(plan)
    columns, rows = round(width * plan.dpi), round(height * plan.dpi)
    if raster and columns * rows > MAX_PIXELS:
        size = "x".join(f"{inches:g}" for inches in plan.size)
        panels = f" and {len(plan.panels)} panel{'s' if len(plan.panels) > 1 else ''}" if plan.panels else ""
        raise UsageError(
            f"--dpi {plan.dpi} with --size {size}{panels} makes a {columns:,} x {rows:,} pixel figure "
            f"({columns * rows / 1e6:,.0f} megapixels); lrplot draws at most {MAX_PIXELS // 1_000_000} megapixels: "
            "lower --dpi or --size (SVG and PDF have no pixels: --dpi does not apply to them)"
        )
    diff.check(plan)
    if plan.annotate and plan.panels:
        raise UsageError("--annotate marks learning-rate curves; it does not apply to --descent panels")
    if not plan.panels:
        for overlay in plan.overlays:
            _check_drawable(*_drawn_part(overlay, plan), f"overlay {overlay.label}: its logged value")


def _drawn_part(overlay: Any, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """The logged points inside the plot, and one on each side (see reduce_points)."""
    return reduce_points(overlay.steps, overlay.values, 0.0, max(plan.steps - 1, 1), buckets=overlay.steps.size)


# What matplotlib warns when a figure is too small for its axes' labels.
CRAMPED = "constrained_layout not applied"


def save(figure: Any, handle: Any, fmt: str, dpi: int, metadata: dict[str, Any] | None = None) -> None:
    import warnings

    import matplotlib

    # A raster draws the kept points as they are: matplotlib's own path
    # simplification would move a line of every step and one of the kept
    # points differently, by up to 80/255 at edge pixels (README, "Pixel
    # identity"). A vector file keeps it: its viewer rasterises, and its size
    # stays small.
    raster = {"path.simplify": fmt != "png"}
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(raster):
        warnings.simplefilter("always")
        # A vector format is written at VECTOR_DPI whatever --dpi says:
        # matplotlib would otherwise lay it out at --dpi first.
        figure.savefig(handle, format=fmt, dpi=dpi if fmt == "png" else VECTOR_DPI, metadata=metadata)
    for warning in caught:
        if CRAMPED not in str(warning.message):
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        elif not getattr(figure, "lrplot_cramped", False):  # once per figure, not per format
            figure.lrplot_cramped = True
            size = "x".join(f"{inches:g}" for inches in figure.get_size_inches())
            tell(
                f"warning: a {size}-inch figure is too small for its axes and labels: "
                "drawn without matplotlib's layout, labels may overlap (a larger --size helps)"
            )


def check_backend() -> None:
    """A bad MPLBACKEND makes ``import matplotlib`` raise: say so in one line."""
    name = os.environ.get("MPLBACKEND")
    if not name:
        return
    try:
        import matplotlib  # noqa: F401 - the import is the check
    except ValueError:
        raise UsageError(
            f"MPLBACKEND={name!r} is not a backend matplotlib knows; unset it, or set MPLBACKEND=Agg"
        ) from None


def show(plan: Plan) -> None:
    """Open a window (pyplot owns it); only called for --show."""
    check_backend()
    import matplotlib
    import matplotlib.pyplot as plt

    if not _interactive(matplotlib.get_backend()):
        tell("warning: --show: no display to open a window on; use -o FILE to save the figure")
        return
    draw(plan, plt.figure(figsize=figure_size(plan), dpi=plan.dpi, layout="constrained"))
    plt.show()


def has_display() -> bool:
    """Whether --show can open a window: on Linux a DISPLAY or WAYLAND_DISPLAY,
    and an interactive matplotlib backend (MPLBACKEND=Agg has none)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    check_backend()
    import matplotlib
    import matplotlib.pyplot  # noqa: F401 - resolves the automatic backend

    return _interactive(matplotlib.get_backend())


def _interactive(backend: str) -> bool:
    from matplotlib import backends

    try:
        return backend.lower() not in backends.backend_registry.list_builtin(
            backends.BackendFilter.NON_INTERACTIVE
        )
    except AttributeError:  # matplotlib < 3.9
        return backend.lower() not in ("agg", "pdf", "ps", "svg", "cairo", "pgf", "template")
