"""YAML configs: ``yaml.safe_load`` into figure options and curve requests.

Top-level keys are the figure options in snake_case plus ``curves``; curve
keys are ``schedule``, ``label``, ``color`` and the schedule's parameter
names. Anything else is an error naming the file, the curve, the key and the
closest valid name. Values are validated by the same code as the command line.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from lrplot.binding import all_schedules
from lrplot.errors import ParamError, UsageError, show_value
from lrplot.inputs import read_limited
from lrplot.options import FIGURE_BY_NAME
from lrplot.plan import CurveRequest
from lrplot.registry import check_text, closest, did_you_mean
from lrplot.yaml_safe import parse_yaml_text

CURVE_KEYS = ("schedule", "label", "color", "momentum", "weight_decay", "groups", "layer_decay")
EXTRA_TOP_KEYS = ("curves", "panels")


# Limits on a config file, checked before anything is constructed. A real
# config is a few kB, a few levels deep, with a handful of aliases.
MAX_CONFIG_BYTES = 1_000_000  # PyYAML's pure-Python reader takes ~5 s per MB


def read_yaml(path: str) -> Any:
    data = read_limited(path, "--config", "a YAML file", MAX_CONFIG_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"--config: cannot read {path!r}: {error}") from None
    return parse_yaml_text(text, path)


class PanelRequest(NamedTuple):
    """A `panels:` entry: its own loss, start point and curves (raw)."""

    title: str | None
    options: dict[str, Any]  # descent, x0 (raw; converted like figure options)
    curves: list[CurveRequest]
    where: str


class Config(NamedTuple):
    options: dict[str, Any]
    curves: list[CurveRequest]
    panels: list[PanelRequest]


PANEL_KEYS = ("title", "descent", "x0", "curves")


def load(path: str) -> Config:
    """Figure options, curve and panel requests, all raw (validated later,
    with the command line's)."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with a `curves:` list at the top")
    allowed = list(FIGURE_BY_NAME) + list(EXTRA_TOP_KEYS)
    options: dict[str, Any] = {}
    for key, raw in data.items():
        if key in EXTRA_TOP_KEYS:
            continue
        if key not in FIGURE_BY_NAME:
            raise UsageError(
                f"{path}: unknown key {show_value(key)}{did_you_mean(str(key), allowed, quote='`')}; "
                f"allowed: {', '.join(allowed)}"
            )
        options[key] = raw  # converted with the command line's, in options.resolve
    if "panels" in data:
        if "curves" in data:
            raise UsageError(f"{path}: give `curves:` inside each panel, not next to `panels:`")
        return Config(options, [], _panels(path, data["panels"]))
    if "curves" not in data:
        raise UsageError(f"{path}: `curves:` is required (a list of curves)")
    return Config(options, _curves(path, data["curves"], f"{path}: "), [])


def _curves(path: str, curves: Any, where: str) -> list[CurveRequest]:
    if not isinstance(curves, list) or not curves:
        raise UsageError(f"{where}curves: expected a non-empty list of curves")
    prefix = where.removesuffix(": ")
    return [curve_request(prefix, number, raw) for number, raw in enumerate(curves, 1)]


def _panels(path: str, panels: Any) -> list[PanelRequest]:
    if not isinstance(panels, list) or not panels:
        raise UsageError(f"{path}: panels: expected a non-empty list of panels")
    out = []
    for number, raw in enumerate(panels, 1):
        where = f"{path}: panel {number}"
        if not isinstance(raw, dict):
            raise UsageError(f"{where}: expected a mapping with `descent:` and `curves:`")
        for key in raw:
            if key not in PANEL_KEYS:
                raise UsageError(
                    f"{where}: unknown key {show_value(key)}{did_you_mean(str(key), PANEL_KEYS, quote='`')}; "
                    f"allowed: {', '.join(PANEL_KEYS)}"
                )
        if "curves" not in raw:
            raise UsageError(f"{where}: `curves:` is required")
        title = raw.get("title")
        if title is not None:
            try:
                title = check_text("title", str(title))
            except ParamError as error:
                raise error.locate(where, "yaml") from None
        options = {key: raw[key] for key in ("descent", "x0") if key in raw}
        out.append(PanelRequest(title, options, _curves(path, raw["curves"], f"{where}: "), where))
    return out


def curve_request(path: str, number: int, raw: Any) -> CurveRequest:
    where = f"{path}: curve {number}"
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: expected a mapping with a `schedule:` key")
    values = dict(raw)
    schedule = values.pop("schedule", None)
    if schedule is None:
        typo = next((str(key) for key in values if closest(str(key), ["schedule"])), None)
        hint = f"; unknown key {show_value(typo)} (did you mean `schedule`?)" if typo else ""
        raise UsageError(f"{where}: `schedule:` is required{hint}")
    names = list(all_schedules())
    if not isinstance(schedule, str) or schedule not in names:
        hint = did_you_mean(schedule, names) if isinstance(schedule, str) else ""
        raise UsageError(
            f"{where}: schedule: got {show_value(schedule)}, expected a schedule name{hint}; "
            "`lrplot list` shows them all"
        )
    known = [p.name for p in all_schedules()[schedule].all_params] + list(CURVE_KEYS)
    for key in values:
        if key not in known:
            raise UsageError(
                f"{where} ({schedule}): unknown key {show_value(key)}{did_you_mean(str(key), known, quote='`')}; "
                f"allowed: {', '.join(known)}"
            )
    for key, value in values.items():
        if value is None:
            raise UsageError(f"{where} ({schedule}): {key}: got null, expected a value (or leave the key out)")
    label = values.pop("label", None)
    color = values.pop("color", None)
    quantities = tuple((key, values.pop(key)) for key in CURVE_KEYS[3:] if key in values)
    for key, value in (("label", label), ("color", color)):
        if value is not None and not isinstance(value, (str, int, float)):
            raise UsageError(f"{where} ({schedule}): {key}: got {show_value(value)}, expected a text")
    return CurveRequest(
        schedule,
        values,
        label=None if label is None else str(label),
        color=None if color is None else str(color),
        where=where,
        style="yaml",
        quantities=quantities,
    )
