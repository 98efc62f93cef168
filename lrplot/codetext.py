"""Closed forms as Python text: the vocabulary a schedule's ``code`` form is
written in, and the helpers every ``--emit`` script defines for it.

A schedule's ``code(params, dialect)`` (declared with the schedule, in
:mod:`lrplot.schedules`) returns a Python expression of ``t`` (steps since
the end of warmup, a float >= 0), or lines ending in ``value = ...``, written
with the helper names every script defines: floor, ceil, exp, expm1, log1p,
cos, sqrt, minimum, maximum, pi, and (arrays only) where. Scripts bind them to
``math`` (torch, paddle: one step at a time) or to jax.numpy / keras.ops
(traced). Every number is written with repr and is finite.

Nothing here imports the rest of lrplot: the schedules import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


class Dialect(NamedTuple):
    """How a script computes its closed forms."""

    scalar: bool  # Python floats one step at a time (torch, paddle), else traced arrays

    def where(self, condition: str, if_true: str, if_false: str) -> str:
        if self.scalar:
            # Only the branch taken is computed: math raises OverflowError
            # where numpy gives inf, and a branch not taken may overflow (an
            # exponential warmup ramp long after the warmup, a rising
            # sequence part after its end).
            return f"({if_true} if {condition} else {if_false})"
        # Arrays compute both branches; an inf in the one not taken is dropped.
        return f"where({condition}, {if_true}, {if_false})"


SCALAR, ARRAYS = Dialect(scalar=True), Dialect(scalar=False)

# The helpers of a script that computes one step at a time with Python floats.
SCALAR_HELPERS = (
    "# Helpers for the closed forms below, one step at a time.\n"
    "floor, ceil, exp, expm1, log1p, cos, sqrt, pi = (\n"
    "    math.floor, math.ceil, math.exp, math.expm1, math.log1p, math.cos, math.sqrt, math.pi\n)\n"
    "minimum, maximum = min, max\n\n\n"
    "def lookup(table, step):\n"
    "    return table[min(int(step), len(table) - 1)]\n"
)


def progress(p: Mapping[str, Any]) -> str:
    """t / decay_steps, floored to whole periods with ``staircase``."""
    ratio = f"t / {p['decay_steps']!r}"
    return f"floor({ratio})" if p["staircase"] else f"({ratio})"


def chain(steps: list[int], values: list[str], d: Dialect) -> str:
    """values[i] from steps[i-1] on: a nested where."""
    text = values[-1]
    for step, value in zip(reversed(steps), reversed(values[:-1])):
        text = d.where(f"t < {float(step)!r}", value, text)
    return text


def count(marks: list[int], d: Dialect) -> str:
    """How many of ``marks`` t has reached."""
    return "(" + " + ".join(d.where(f"t >= {float(m)!r}", "1.0", "0.0") for m in marks) + ")"
