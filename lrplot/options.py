"""Figure options: one table for the command line (``--log-y``) and YAML (``log_y``)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from lrplot.errors import ParamError
from lrplot.registry import MAX_STEPS, Param, convert


class FigureOption(NamedTuple):
    name: str
    kind: str  # a registry kind, or "text", "size", "paths"
    default: Any
    help: str
    low: float | None = None
    high: float | None = None

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


FIGURE_OPTIONS: tuple[FigureOption, ...] = (
    FigureOption("steps", "steps", 100, "steps to evaluate: 0, 1, ..., N-1", 1, MAX_STEPS),
    FigureOption(
        "output",
        "paths",
        (),
        "file to write; the suffix picks the format: .png .svg .pdf .csv .json, - = CSV on stdout",
    ),
    FigureOption("title", "text", None, "figure title"),
    FigureOption("log_y", "bool", False, "logarithmic learning-rate axis"),
    FigureOption("steps_per_epoch", "steps", None, "draw the x axis in epochs of this many steps", 1),
    FigureOption("dpi", "int", 100, "resolution of PNG figures, dots per inch", 10, 2000),
    FigureOption("size", "size", (8.0, 4.5), "figure size in inches, WxH"),
    FigureOption("show", "bool", False, "open a window with the figure (needs a display)"),
)

FIGURE_BY_NAME = {option.name: option for option in FIGURE_OPTIONS}


def convert_figure_option(option: FigureOption, raw: Any) -> Any:
    if option.kind == "text":
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            return str(raw)
        raise ParamError(option.name, raw, "a text")
    if option.kind == "size":
        return _size(option, raw)
    if option.kind == "paths":
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) and i for i in items):
            raise ParamError(option.name, raw, "a file name or a list of file names")
        return tuple(items)
    param = Param(option.name, option.kind, option.default, option.help, low=option.low, high=option.high)
    return convert(param, raw)


def _size(option: FigureOption, raw: Any) -> tuple[float, float]:
    allowed = "WxH in inches, e.g. 8x4.5, each from 1 to 100"
    if isinstance(raw, (list, tuple)) and len(raw) == 2:
        parts = list(raw)
    elif isinstance(raw, str) and raw.lower().count("x") == 1:
        parts = raw.lower().split("x")
    else:
        raise ParamError(option.name, raw, allowed)
    try:
        width, height = (float(p) for p in parts)
    except (TypeError, ValueError):
        raise ParamError(option.name, raw, allowed) from None
    if not all(math.isfinite(v) and 1 <= v <= 100 for v in (width, height)):
        raise ParamError(option.name, raw, allowed)
    return (width, height)
