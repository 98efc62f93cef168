"""The CSV and JSON writers, streaming every step in chunks.

Which writer a path gets is :mod:`lrplot.outputs`' table; where the files
go, all or nothing, is :mod:`lrplot.files`' job.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import IO

import numpy as np

from lrplot import quantities
from lrplot.binding import describe
from lrplot.plan import Plan, unique_labels


def _rows(plan: Plan, chunk_size: int, advance: Callable[[int], None] | None) -> Iterator[str]:
    more = [function for curve in plan.curves for _, function in quantities.columns(curve)]
    for t, columns in plan.chunks(chunk_size, advance):
        steps = map(str, range(int(t[0]), int(t[0]) + t.size))
        columns += [function(t.copy()) for function in more]
        # float.__repr__ is the shortest text that reads back as the same float64.
        texts = [map(repr, column.tolist()) for column in columns]
        yield "\n".join(map(",".join, zip(steps, *texts))) + "\n"


def csv_header(plan: Plan) -> list[str]:
    """``step`` and the labels; a curve labelled ``step`` is ``step (2)`` here,
    so no two columns share a name. Then ``<label>:momentum`` and the like for
    the curves that carry more than a learning rate."""
    labels = [c.label for c in plan.curves]
    header = unique_labels(["step", *labels], [True] + [label != "step" for label in labels])
    more = [f"{column}:{name}" for curve, column in zip(plan.curves, header[1:]) for name, _ in quantities.columns(curve)]
    if not more:
        return header
    return unique_labels(header + more, [True] * len(header) + [False] * len(more))


def write_csv(
    plan: Plan,
    handle: IO[str],
    chunk_size: int = 1 << 16,
    advance: Callable[[int], None] | None = None,
) -> None:
    """Header ``step,<label 1>,...``; one row per step; repr precision."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(csv_header(plan))
    handle.write(header.getvalue())
    for block in _rows(plan, chunk_size, advance):
        handle.write(block)


def write_json(
    plan: Plan,
    handle: IO[str],
    chunk_size: int = 1 << 16,
    advance: Callable[[int], None] | None = None,
) -> None:
    """``{"steps": N, "curves": [{"label", "schedule", "params", "lr": [...]}]}``,
    streamed curve by curve so memory stays flat in the number of steps."""
    handle.write(f'{{"steps": {plan.steps}, "curves": [')
    for index, curve in enumerate(plan.curves):
        head = {"label": curve.label, "schedule": curve.schedule, "params": describe(curve.bound)}
        if curve.color:
            head["color"] = curve.color
        text = json.dumps(head)
        handle.write(("" if index == 0 else ", ") + text[:-1] + ', "lr": [')
        first = True
        for _, columns in Plan(plan.steps, (curve,)).chunks(chunk_size, advance):
            handle.write(("" if first else ", ") + ", ".join(map(repr, columns[0].tolist())))
            first = False
        handle.write("]")
        for name, function in quantities.extras(curve):
            handle.write(f', "{name}": [')
            _write_values(function, plan.steps, chunk_size, handle)
        for number, (name, function) in enumerate(quantities.group_columns(curve)):
            handle.write((', "groups": {' if number == 0 else ", ") + json.dumps(name) + ": [")
            _write_values(function, plan.steps, chunk_size, handle)
        if quantities.group_columns(curve):
            handle.write("}")
        handle.write("}")
    handle.write("]}\n")


def _write_values(function: Callable[[np.ndarray], np.ndarray], steps: int, chunk_size: int, handle: IO[str]) -> None:
    """A quantity's values over the run, chunk by chunk, and the closing bracket."""
    for start in range(0, steps, chunk_size):
        t = np.arange(start, min(start + chunk_size, steps), dtype=np.float64)
        handle.write(("" if start == 0 else ", ") + ", ".join(map(repr, function(t).tolist())))
    handle.write("]")


# Bytes a value takes as repr writes it, with its separator: typically
# 0.0123456789012345 or 1.2345678901234567e-05, 19 to 23 characters.
VALUE_BYTES = 21
# Files larger than this are said before they are written: a run of 10**9
# steps is tens of GB of CSV.
LARGE_FILE = 10**9


def estimated_size(fmt: str, steps: int, curves: int) -> int:
    """About how many bytes a ``fmt`` (csv, json) file of the run takes; 0 for figures."""
    if fmt == "csv":
        return steps * (len(str(steps - 1)) + 1 + VALUE_BYTES * curves)
    if fmt == "json":
        return steps * (VALUE_BYTES + 1) * curves
    return 0


def human_size(size: int) -> str:
    for unit, scale in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:,} bytes"
