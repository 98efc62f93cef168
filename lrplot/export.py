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

from lrplot.binding import describe
from lrplot.plan import Plan, unique_labels
from lrplot.quantities import extras


def _rows(plan: Plan, chunk_size: int, advance: Callable[[int], None] | None) -> Iterator[str]:
    more = [function for curve in plan.curves for _, function in extras(curve)]
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
    more = [f"{column}:{name}" for curve, column in zip(plan.curves, header[1:]) for name, _ in extras(curve)]
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
        for name, function in extras(curve):
            handle.write(f', "{name}": [')
            for start in range(0, plan.steps, chunk_size):
                t = np.arange(start, min(start + chunk_size, plan.steps), dtype=np.float64)
                handle.write(("" if start == 0 else ", ") + ", ".join(map(repr, function(t).tolist())))
            handle.write("]")
        handle.write("}")
    handle.write("]}\n")
