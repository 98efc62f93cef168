"""The interactive page (``-o plan.html``): one self-contained HTML file.

The page carries its own script (``webpage.html`` beside this module, no
library, no network) and the curves as JSON. Long curves are embedded as
the figures draw them, reduced to the first, last, lowest and highest step
of each of :data:`BUCKETS` columns (see :func:`lrplot.plotting.reduce_curve`):
every embedded point is a real step and its exact float64 (``repr``), so the
value the page shows on hover is the one the CSV has for that step. A run
of up to ``4 * BUCKETS`` steps is embedded whole.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from importlib import resources
from typing import IO, Any

import numpy as np

from lrplot.errors import UsageError
from lrplot.plan import Plan
from lrplot.plotting import (
    _check_drawable,
    _default_title,
    reduce_bound,
    reduce_points,
)

# Columns a curve is reduced to: a page up to 2048 pixels wide shows the same
# line as every step would, and 3 curves of any length stay under 1 MB
# (at most 4 points a column, ~30 bytes a point).
BUCKETS = 2048


def write(plan: Plan, handle: IO[str], advance: Callable[[int], None] | None = None) -> None:
    """Write the page for ``plan`` (not its descent panels: refused)."""
    if plan.panels:
        raise UsageError(
            "-o/--output: an .html page shows learning-rate curves, not --descent panels: "
            "write those as .png, .svg or .pdf"
        )
    series = []
    for number, curve in enumerate(plan.curves, 1):
        x, y = reduce_bound(curve.bound, plan.steps, BUCKETS, advance=advance)
        _check_drawable(x, y, f"curve {number} ({curve.label}): its learning rate")
        line = _series(curve.label, x, y, _hex(curve.color), curve.bound.stepwise, dashed=False)
        series.append(line[:-1] + _carried(plan, number, curve, x, y) + "}")
    for overlay in plan.overlays:
        x, y = reduce_points(overlay.steps, overlay.values, 0.0, max(plan.steps - 1, 1), BUCKETS)
        _check_drawable(x, y, f"overlay {overlay.label}: its logged value")
        series.append(_series(overlay.label, x, y, "#000000", stepwise=False, dashed=True))
    head = {
        "title": plan.title if plan.title is not None else _default_title(plan),
        "steps": plan.steps,
        "stepsPerEpoch": plan.steps_per_epoch,
        "logY": plan.log_y,
        # Steps per column of the reduction (1: every step is in the page).
        "columnSteps": math.ceil(plan.steps / BUCKETS) if plan.steps > 4 * BUCKETS else 1,
    }
    data = json.dumps(head)[:-1] + ', "series": [' + ", ".join(series) + "]}"
    page = resources.files("lrplot").joinpath("webpage.html").read_text(encoding="utf-8")
    before, after = page.split("/*DATA*/", 1)
    handle.write(before.replace("<!--TITLE-->", html.escape(head["title"])))
    # Inside <script> only "</script" or "<!--" could end the data early.
    handle.write(data.replace("<", "\\u003c"))
    handle.write(after)


def _carried(plan: Plan, number: int, curve: Any, lr_x: np.ndarray, lr_y: np.ndarray) -> str:
    """The JSON members a curve adds for what it carries besides its learning
    rate: ``"momentum"`` and ``"weight_decay"`` as lines of their own (reduced
    as the learning rate is), ``"groups"`` as ``[name, multiplier]`` pairs
    (the page multiplies the drawn rate, as lrplot does: the same float64)."""
    from lrplot.quantity_points import carried_points

    own = dict(curve.quantities)
    out = ""
    for name, x, y, stepwise in carried_points(plan, number, curve, lr_x, BUCKETS):
        out += f', "{name}": ' + _points(x, y, json.dumps({"stepwise": stepwise}))
    if own.get("groups"):
        top = max(multiplier for _, multiplier in own["groups"])
        with np.errstate(over="ignore"):
            _check_drawable(lr_x, lr_y * top, f"curve {number} ({curve.label}): its groups")
        out += ', "groups": ' + json.dumps([[name, multiplier] for name, multiplier in own["groups"]])
    return out


def _points(x: np.ndarray, y: np.ndarray, head: str) -> str:
    steps = ",".join(repr(int(s)) if s.is_integer() else repr(s) for s in x.tolist())
    return f'{head[:-1]}, "x": [{steps}], "y": [{",".join(map(repr, y.tolist()))}]}}'


def _series(label: str, x: np.ndarray, y: np.ndarray, color: str | None, stepwise: bool, dashed: bool) -> str:
    head = json.dumps({"label": label, "color": color, "stepwise": stepwise, "dashed": dashed})
    # repr is the shortest text that reads back as the same float64 (and is valid JSON:
    # values are finite here). Curves' steps are whole; a log's may not be.
    steps = ",".join(repr(int(s)) if s.is_integer() else repr(s) for s in x.tolist())
    values = ",".join(map(repr, y.tolist()))
    return f'{head[:-1]}, "x": [{steps}], "y": [{values}]}}'


def _hex(color: str | None) -> str | None:
    if color is None:
        return None  # the page cycles matplotlib's default colours, as figures do
    from matplotlib.colors import to_hex

    return to_hex(color)
