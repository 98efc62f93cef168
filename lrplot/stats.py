"""``--stats``: a table of numbers per curve, computed in chunks (any size).

Per curve: the value at the first and last step, min, max, the sum of the
learning rates over the run (the "area" used in LR-annealing scaling-law
work), and the first step after its peak where the rate is below 10 % of it. With
two or more curves, also the largest absolute and relative difference to the
first curve and the first step where they differ. Momentum, weight decay
and parameter groups get a table of their own.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lrplot.differences import relative_to
from lrplot.plan import Plan
from lrplot.registry import MAX_EVALUATED

FALL = 0.1  # "below 10 % of the peak"


def compute(plan: Plan) -> list[dict[str, Any]]:
    if plan.steps > MAX_EVALUATED:
        return _compute_long(plan)
    count = len(plan.curves)
    rows: list[dict[str, Any]] = [
        {"label": c.label, "first": None, "last": None, "min": math.inf, "max": -math.inf, "area": 0.0}
        for c in plan.curves
    ]
    for t, columns in plan.chunks():
        for row, values in zip(rows, columns):
            if row["first"] is None:
                row["first"] = float(values[0])
            row["last"] = float(values[-1])
            row["min"] = min(row["min"], float(values.min()))
            peak = int(np.argmax(values))
            if values[peak] > row["max"]:
                row["max"], row["peak_at"] = float(values[peak]), int(t[peak])
            row["area"] += float(values.sum())  # numpy sums pairwise: accurate
    # Second pass, now that each peak is known.
    for row in rows:
        row["below_10pct"] = None
        row.update(max_abs_diff=None, max_rel_diff=None, first_diff=None)
    for row in rows[1:]:
        row.update(max_abs_diff=0.0, max_rel_diff=0.0)
    for t, columns in plan.chunks():
        reference = columns[0]
        for index in range(count):
            row, values = rows[index], columns[index]
            if row["below_10pct"] is None:
                # "falls below": after the (first) peak, not during a warmup.
                hits = np.flatnonzero((values < FALL * row["max"]) & (t > row["peak_at"]))
                if hits.size:
                    row["below_10pct"] = int(t[hits[0]])
            if index == 0:
                continue
            diff = np.abs(values - reference)
            row["max_abs_diff"] = max(row["max_abs_diff"], float(diff.max()))
            row["max_rel_diff"] = max(row["max_rel_diff"], float(relative_to(reference, diff).max()))
            if row["first_diff"] is None:
                differ = np.flatnonzero(diff)
                if differ.size:
                    row["first_diff"] = int(t[differ[0]])
    return rows


def _compute_long(plan: Plan) -> list[dict[str, Any]]:
    """Past MAX_EVALUATED steps: what the curves' breakpoints give exactly
    (first, last, min, max, the fall below 10 %), the area where its pieces
    can be summed in closed form (lrplot.area, "-" otherwise), the
    differences to the first curve where both are smooth between their
    breakpoints (lrplot.differences, "-" otherwise)."""
    from lrplot.area import area
    from lrplot.differences import differences
    from lrplot.envelope import summary

    rows = []
    for index, curve in enumerate(plan.curves):
        row = {"label": curve.label, "area": area(curve.bound, plan.steps), **summary(curve.bound, plan.steps, FALL)}
        row.update(max_abs_diff=None, max_rel_diff=None, first_diff=None, long=True)
        if index:
            row.update(differences(plan.curves[0].bound, curve.bound, plan.steps) or {})
        rows.append(row)
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "inf" if math.isinf(value) else f"{value:.6g}"
    return str(value)


def format_table(rows: list[dict[str, Any]]) -> str:
    columns = [
        ("curve", "label"),
        ("first", "first"),
        ("last", "last"),
        ("min", "min"),
        ("max", "max"),
        ("area (sum)", "area"),
        ("<10% peak at", "below_10pct"),
    ]
    if len(rows) > 1:
        columns += [
            ("max |diff|", "max_abs_diff"),
            ("max rel diff", "max_rel_diff"),
            ("differs from", "first_diff"),
        ]
    lines = _aligned(columns, rows)
    notes = []
    if len(rows) > 1:
        notes.append("(differences are to the first curve; `differs from` is the first step where they differ)")
    if rows and "peak_at" in rows[0] and rows[0].get("long"):
        notes.append(
            f"(past {MAX_EVALUATED:,} steps: the area from closed-form sums, the differences from the "
            "breakpoints; '-' for a curve with too many pieces or, for differences, stepped every few updates alone)"
        )
    return "\n".join(lines + notes) + "\n"


def carried_table(plan: Any) -> str:
    """``--stats`` for what the curves carry besides their learning rates:
    first, last, lowest and highest value of each column; empty when none."""
    from lrplot.plan import Curve
    from lrplot.quantities import columns

    carried = [
        Curve(f"{curve.label}:{name}", curve.bound._replace(evaluate_at=function))
        for curve in plan.curves
        for name, function in columns(curve)
    ]
    if not carried:
        return ""
    keys = [("column", "label"), ("first", "first"), ("last", "last"), ("min", "min"), ("max", "max")]
    return "\n".join(_aligned(keys, compute(Plan(plan.steps, tuple(carried))))) + "\n"


def _aligned(columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> list[str]:
    """A header of titles and one line per row, in columns padded to line up."""
    table = [[title for title, _ in columns]] + [[_cell(row[key]) for _, key in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
