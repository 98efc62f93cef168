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
import io
import math
import os
import re
from array import array
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np

from lrplot.errors import UsageError, show_text, show_value, shown_count
from lrplot.inputs import open_regular
from lrplot.plan import CHUNK
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


# Memory is bounded: rows are read one at a time, a line may be at most
# MAX_LINE characters, and at most MAX_VALUES logged values are kept (8 bytes
# for the step and 8 for the value each: 160 MB at the limit).
MAX_LINE = 1_000_000
MAX_VALUES = 10_000_000


def load(spec: str) -> Overlay:
    path, column = split_spec(spec)
    where = f"--overlay {spec}"
    try:
        with open_regular(path, where, "a CSV file") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
            return _read(csv.reader(_lines(handle, where)), path, column, where)
    except UsageError:
        raise
    except (OSError, ValueError, csv.Error) as error:  # ValueError: a NUL in the name, bad UTF-8
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise UsageError(f"{where}: cannot read {path!r}: {reason}") from None


def _lines(handle: Any, where: str) -> Iterator[str]:
    """The lines of ``handle``, each refused past MAX_LINE characters (a
    binary file, or one row of a million columns, never fills memory)."""
    for number, line in enumerate(iter(lambda: handle.readline(MAX_LINE + 1), ""), 1):
        if len(line) > MAX_LINE:
            raise UsageError(f"{where}: line {number:,} is longer than {MAX_LINE:,} characters; is it a CSV file?")
        yield line


def _read(rows: Iterator[list[str]], path: str, column: str | None, where: str) -> Overlay:
    header = [name.strip() for name in next(rows, [])]
    if not header:
        raise UsageError(f"{where}: expected a header and at least one row")
    lowered = [name.lower() for name in header]
    step_index = next((lowered.index(name) for name in STEP_COLUMNS if name in lowered), None)
    if step_index is None:
        raise UsageError(f"{where}: no step column (expected one of {', '.join(STEP_COLUMNS)}); columns: {_columns(header)}")
    value_index = _value_column(header, step_index, column, where)
    # array('d') holds 8 bytes per number; a list of floats would take 32.
    steps, values = array("d"), array("d")
    rows_read = 0
    for line in rows:
        rows_read += 1
        if len(line) <= max(step_index, value_index) or not line[value_index].strip():
            continue  # Lightning logs other metrics on rows of their own
        try:
            step, value = float(line[step_index]), float(line[value_index])
        except ValueError:
            raise UsageError(f"{where}: row {show_value(line)} is not numeric") from None
        if math.isfinite(step) and math.isfinite(value):
            if len(steps) == MAX_VALUES:
                raise UsageError(f"{where}: more than {MAX_VALUES:,} logged values; lrplot reads at most that many (keep every n-th row)")
            steps.append(step)
            values.append(value)
    if not rows_read:
        raise UsageError(f"{where}: expected a header and at least one row")
    if not steps:
        raise UsageError(f"{where}: column {show_value(header[value_index])} has no values")
    logged_steps = np.frombuffer(steps, dtype=np.float64)
    logged = np.frombuffer(values, dtype=np.float64)
    if np.any(logged_steps[1:] < logged_steps[:-1]):  # logs are usually in order already
        order = np.argsort(logged_steps, kind="stable")
        logged_steps, logged = logged_steps[order], logged[order]
    label = f"logged: {show_text(os.path.basename(path))}:{show_text(header[value_index])}"
    return Overlay(label, logged_steps, logged)


def _columns(header: list[str]) -> str:
    """The column names for a message, the first few of a long header."""
    names = ", ".join(show_text(name) for name in header[: shown_count(len(header))])
    return names + (f", … {len(header):,} columns" if len(header) > shown_count(len(header)) else "")


def _value_column(header: list[str], step_index: int, column: str | None, where: str) -> int:
    if column is not None:
        if column in header:
            return header.index(column)
        raise UsageError(f"{where}: no column {show_value(column)}{did_you_mean(column, header, quote=chr(39))}")
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
    raise UsageError(f"{where}: no learning-rate column found; name one: FILE.csv:COLUMN (columns: {_columns(header)})")


def compare(overlay: Overlay, planned: Bound, steps: int) -> str:
    """One line for stderr: the largest relative difference to the planned
    curve and the first step where they diverge by more than 1 %."""
    # Steps are in order: the ones inside the plan are one slice, compared
    # chunk by chunk so a long log costs no more than a chunk's temporaries.
    begin, end = np.searchsorted(overlay.steps, [0, steps], side="left")
    if begin == end:
        return f"overlay {overlay.label}: no logged step falls within steps 0..{steps - 1}"
    worst = (-1.0, 0.0)  # (relative difference, step)
    first = None  # (step, logged, planned) where they first diverge
    for start in range(begin, end, CHUNK):
        logged_steps = overlay.steps[start : min(start + CHUNK, end)]
        logged = overlay.values[start : start + logged_steps.size]
        plan = planned(logged_steps)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            diff = np.abs(logged - plan)
            relative = np.where(diff == 0, 0.0, diff / np.abs(plan))
        at = int(np.argmax(relative))
        if relative[at] > worst[0]:
            worst = (float(relative[at]), float(logged_steps[at]))
        diverged = np.flatnonzero(relative > DIVERGED)
        if first is None and diverged.size:
            at = diverged[0]
            first = (float(logged_steps[at]), float(logged[at]), float(plan[at]))
    text = (
        f"overlay {overlay.label}: {end - begin} logged steps; largest relative difference "
        f"to {planned.name!r} {worst[0]:.3g} at step {int(worst[1])}"
    )
    if first is not None:
        text += (
            f"; first diverges by more than 1 % at step {int(first[0])} "
            f"(logged {first[1]!r}, planned {first[2]!r})"
        )
    else:
        text += "; within 1 % everywhere"
    return text
