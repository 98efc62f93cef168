"""``--overlay FILE.csv[:COLUMN]``: a learning rate logged by a real run, drawn
over the planned curves and compared with the first of them.

Reads the CSVs training tools write:

- PyTorch Lightning ``CSVLogger`` (+ ``LearningRateMonitor``): a ``step``
  column and ``lr-<optimizer>`` columns, empty on rows that log other metrics;
- TensorBoard's scalar CSV export: ``Wall time,Step,Value``;
- Weights & Biases exports: ``Step`` (or ``_step``) and ``<run> - <metric>``
  columns, with ``__MIN``/``__MAX`` companions that are ignored.

The step column is detected by name; the value column is COLUMN when given,
else the first ``lr-*`` column, else ``Value``, else the first column whose
name mentions ``lr`` or ``learning_rate``.
"""

from __future__ import annotations

import csv
import math
import os
import re
from typing import NamedTuple

import numpy as np

from lrplot.errors import UsageError
from lrplot.registry import Bound, did_you_mean

STEP_COLUMNS = ("step", "_step", "global_step", "trainer/global_step", "train/global_step")
DIVERGED = 0.01  # "diverge by more than 1 %"


class Overlay(NamedTuple):
    label: str
    steps: np.ndarray
    values: np.ndarray


def split_spec(spec: str) -> tuple[str, str | None]:
    """``run.csv:lr-SGD`` -> (``run.csv``, ``lr-SGD``); a path that exists as
    given wins, so a file name containing ``:`` still works."""
    if ":" in spec and not os.path.exists(spec):
        path, column = spec.rsplit(":", 1)
        return path, column or None
    return spec, None


def load(spec: str) -> Overlay:
    path, column = split_spec(spec)
    where = f"--overlay {spec}"
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise UsageError(f"{where}: file {path!r} does not exist") from None
    except (OSError, ValueError, csv.Error) as error:  # ValueError: a NUL in the name, bad UTF-8
        raise UsageError(f"{where}: cannot read {path!r}: {error}") from None
    if len(rows) < 2:
        raise UsageError(f"{where}: expected a header and at least one row")
    header = [name.strip() for name in rows[0]]
    lowered = [name.lower() for name in header]
    step_index = next((lowered.index(name) for name in STEP_COLUMNS if name in lowered), None)
    if step_index is None:
        raise UsageError(f"{where}: no step column (expected one of {', '.join(STEP_COLUMNS)}); columns: {', '.join(header)}")
    value_index = _value_column(header, step_index, column, where)
    steps, values = [], []
    for line in rows[1:]:
        if len(line) <= max(step_index, value_index) or not line[value_index].strip():
            continue  # Lightning logs other metrics on rows of their own
        try:
            step, value = float(line[step_index]), float(line[value_index])
        except ValueError:
            raise UsageError(f"{where}: row {line!r} is not numeric") from None
        if math.isfinite(step) and math.isfinite(value):
            steps.append(step)
            values.append(value)
    if not steps:
        raise UsageError(f"{where}: column {header[value_index]!r} has no values")
    order = np.argsort(steps, kind="stable")
    label = f"logged: {os.path.basename(path)}:{header[value_index]}"
    return Overlay(label, np.asarray(steps)[order], np.asarray(values)[order])


def _value_column(header: list[str], step_index: int, column: str | None, where: str) -> int:
    if column is not None:
        if column in header:
            return header.index(column)
        raise UsageError(f"{where}: no column {column!r}{did_you_mean(column, header, quote=chr(39))}")
    candidates = [i for i, name in enumerate(header) if i != step_index and not name.endswith(("__MIN", "__MAX"))]
    def mentions_lr(name: str) -> bool:
        words = re.split(r"[^a-z0-9]+", name.lower())
        return "lr" in words or ("learning" in words and "rate" in words)

    for test in (
        lambda name: name.lower().startswith("lr-"),  # Lightning LearningRateMonitor
        lambda name: name == "Value",  # TensorBoard export
        mentions_lr,  # W&B and others
    ):
        for i in candidates:
            if test(header[i]):
                return i
    raise UsageError(f"{where}: no learning-rate column found; name one: FILE.csv:COLUMN (columns: {', '.join(header)})")


def compare(overlay: Overlay, planned: Bound, steps: int) -> str:
    """One line for stderr: the largest relative difference to the planned
    curve and the first step where they diverge by more than 1 %."""
    inside = (overlay.steps >= 0) & (overlay.steps < steps)
    logged_steps, logged = overlay.steps[inside], overlay.values[inside]
    if logged_steps.size == 0:
        return f"overlay {overlay.label}: no logged step falls within steps 0..{steps - 1}"
    plan = planned(logged_steps)
    diff = np.abs(logged - plan)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(diff == 0, 0.0, diff / np.abs(plan))
    worst = int(np.argmax(relative))
    text = (
        f"overlay {overlay.label}: {logged_steps.size} logged steps; largest relative difference "
        f"to {planned.name!r} {relative[worst]:.3g} at step {int(logged_steps[worst])}"
    )
    diverged = np.flatnonzero(relative > DIVERGED)
    if diverged.size:
        first = diverged[0]
        text += (
            f"; first diverges by more than 1 % at step {int(logged_steps[first])} "
            f"(logged {float(logged[first])!r}, planned {float(plan[first])!r})"
        )
    else:
        text += "; within 1 % everywhere"
    return text
