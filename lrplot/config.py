"""YAML configs: ``yaml.safe_load`` into figure options and curve requests.

Top-level keys are the figure options in snake_case plus ``curves``; curve
keys are ``schedule``, ``label``, ``color`` and the schedule's parameter
names. Anything else is an error naming the file, the curve, the key and the
closest valid name. Values are validated by the same code as the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lrplot.errors import UsageError
from lrplot.options import FIGURE_BY_NAME
from lrplot.plan import CurveRequest
from lrplot.registry import did_you_mean

CURVE_KEYS = ("schedule", "label", "color")
EXTRA_TOP_KEYS = ("curves",)


def read_yaml(path: str) -> Any:
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--config: file {path!r} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"--config: {path!r} is a directory, expected a YAML file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"--config: cannot read {path!r}: {error}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise UsageError(f"{path}: invalid YAML{where}: {problem}") from None


def load(path: str) -> tuple[dict[str, Any], list[CurveRequest]]:
    """Figure options and curve requests, both raw (validated later, with the
    command line's)."""
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
                f"{path}: unknown key {key!r}{did_you_mean(str(key), allowed, quote='`')}; "
                f"allowed: {', '.join(allowed)}"
            )
        options[key] = raw  # converted with the command line's, in options.resolve
    if "curves" not in data:
        raise UsageError(f"{path}: `curves:` is required (a list of curves)")
    curves = data["curves"]
    if not isinstance(curves, list) or not curves:
        raise UsageError(f"{path}: curves: expected a non-empty list of curves")
    return options, [curve_request(path, number, raw) for number, raw in enumerate(curves, 1)]


def curve_request(path: str, number: int, raw: Any) -> CurveRequest:
    where = f"{path}: curve {number}"
    if not isinstance(raw, dict):
        raise UsageError(f"{where}: expected a mapping with a `schedule:` key")
    values = dict(raw)
    schedule = values.pop("schedule", None)
    if schedule is None:
        raise UsageError(f"{where}: `schedule:` is required")
    if not isinstance(schedule, str):
        raise UsageError(f"{where}: schedule: got {schedule!r}, expected a schedule name")
    for key, value in values.items():
        if value is None:
            raise UsageError(f"{where} ({schedule}): {key}: got null, expected a value (or leave the key out)")
    label = values.pop("label", None)
    color = values.pop("color", None)
    for key, value in (("label", label), ("color", color)):
        if value is not None and not isinstance(value, (str, int, float)):
            raise UsageError(f"{where} ({schedule}): {key}: got {value!r}, expected a text")
    return CurveRequest(
        schedule,
        values,
        label=None if label is None else str(label),
        color=None if color is None else str(color),
        where=where,
        style="yaml",
    )
