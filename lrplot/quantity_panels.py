"""Figure panels for the quantities beside the learning rate: the learning
rate keeps the top axis, momentum and weight decay get one axis each below
it, on the same x axis. A plan whose curves carry nothing more is drawn on
one axis exactly as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lrplot.plan import Plan
from lrplot.quantities import QUANTITIES, extras
from lrplot.style import PLAIN_TEXT

TITLES = {"momentum": "momentum", "weight_decay": "weight decay"}


def carried(plan: Plan) -> list[str]:
    """The quantities some curve of ``plan`` carries, in QUANTITIES order."""
    names = {name for curve in plan.curves for name, _ in extras(curve)}
    return [name for name in QUANTITIES if name in names]


def subplots(figure: Any, plan: Plan) -> tuple[Any, list[Any]]:
    """The learning rate's axis, and one axis per carried quantity below it."""
    names = carried(plan)
    if not names:
        return figure.add_subplot(), []
    axes = figure.subplots(len(names) + 1, 1, sharex=True, height_ratios=[2] + [1] * len(names), squeeze=False)
    return axes[0, 0], list(axes[1:, 0])


def draw(
    plan: Plan, top: Any, below: list[Any], lines: list[Any], reduce: Callable[..., Any], check: Callable[..., None]
) -> None:
    """Each curve's quantities on their panels, in its learning rate's colour
    (``lines``: the learning-rate lines, one per curve), reduced for drawing
    (``reduce(function, its bound)``: the quantity's own schedule, or the
    curve's for what cycles on the curve's clock)
    and checked drawable as the learning rate is; the x label moves to the
    bottom panel."""
    for number, (curve, line) in enumerate(zip(plan.curves, lines), 1):
        _group_band(top, curve, line, check, f"curve {number} ({curve.label})")
    if not below:
        return
    scale = plan.steps_per_epoch or 1
    panels = dict(zip(carried(plan), below))
    for number, (curve, line) in enumerate(zip(plan.curves, lines), 1):
        own = dict(curve.quantities)
        for name, function in extras(curve):
            x, y = reduce(function, own.get(name, curve.bound))
            check(x, y, f"curve {number} ({curve.label}): its {TITLES[name]}")
            stepwise = name in own and own[name].stepwise
            panels[name].plot(x / scale, y, color=line.get_color(), linewidth=1.5,
                              drawstyle="steps-post" if stepwise else "default")
    for name, axes in panels.items():
        axes.set_ylabel(TITLES[name])
        axes.grid(True, alpha=0.3)
    below[-1].set_xlabel(top.get_xlabel())
    top.set_xlabel("")


def _group_band(axes: Any, curve: Any, line: Any, check: Callable[..., None], where: str) -> None:
    """A curve's parameter groups as a band in its colour, from the group
    with the smallest multiplier to the largest (each group is the lr times
    its multiplier, so the band's edges are the drawn lr scaled: no new
    evaluation), the two extremes named where the lr peaks."""
    groups = dict(dict(getattr(curve, "quantities", ())).get("groups", ()))
    if not groups:
        return
    import numpy as np

    low, high = min(groups, key=groups.__getitem__), max(groups, key=groups.__getitem__)
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    with np.errstate(over="ignore"):
        bottom, top = y * groups[low], y * groups[high]
    check(x, top, f"{where}: group {high}")  # refused beyond what a figure can draw, as the lr is
    step = "post" if line.get_drawstyle() == "steps-post" else None
    axes.fill_between(x, bottom, top, color=line.get_color(), alpha=0.18, linewidth=0, step=step)
    peak = int(np.argmax(y)) if y.size else 0
    for name, side in dict.fromkeys(((low, "top"), (high, "bottom"))):
        if y.size and (name != low or low != high):
            axes.annotate(f"{name} ×{groups[name]:.3g}", (x[peak], y[peak] * groups[name]), fontsize=7,
                          color=line.get_color(), ha="left", va=side, annotation_clip=False, **PLAIN_TEXT)
