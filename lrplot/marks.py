"""Where a curve changes course, read from its parameters: the marks that
``--annotate`` draws. Pure data, no matplotlib.

Most marks come from the registry without knowing the schedule: the end of
the warmup (the common parameters), every value of a list of steps
(``boundaries``, ``milestones``), the ``decay_end`` parameter, the joins of a
sequence's ``parts`` (and their own marks); a schedule whose changes are
computed (``step``'s decays, SGDR's restarts) lists them in
``Schedule.marks``. Each mark carries the value that starts there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import islice
from typing import NamedTuple

import numpy as np

from lrplot.registry import Bound, first_update, schedule_steps

# Marks per curve: past this many (a step_size of 1), a figure shows the
# first ones; their labels would not fit anyway.
MAX_MARKS = 64


class Mark(NamedTuple):
    step: float  # the update where it happens
    what: str  # "boundary", "restart", "peak", ...
    value: float  # the learning rate from that update on
    also: tuple[str, ...] = ()  # "peak", "final": at the same step (see combine)

    def text(self) -> str:
        if self.what in EXTREMES:
            return f"{' and '.join((self.what, *self.also))} {self.value:.3g}"
        return f"{self.what} → {self.value:.3g}" + (f" ({', '.join(self.also)})" if self.also else "")


EXTREMES = ("peak", "final")


def combine(marks: list[Mark]) -> list[Mark]:
    """One mark per step: a peak or final value where something else happens
    joins it (``warmup end → 0.1 (peak)``), in the order first seen."""
    by_step: dict[float, Mark] = {}
    for mark in marks:
        held = by_step.get(mark.step)
        if held is None:
            by_step[mark.step] = mark
        elif held.what in EXTREMES and mark.what not in EXTREMES:
            by_step[mark.step] = mark._replace(also=(held.what, *held.also))
        else:
            by_step[mark.step] = held._replace(also=(*held.also, mark.what))
    return list(by_step.values())


def breakpoints(bound: Bound, steps: int) -> list[Mark]:
    """The marks of ``bound`` in a run of ``steps`` updates, by step, each
    step once (the first reason given for it wins)."""
    params = bound.params
    found: dict[float, str] = {}
    if params["warmup_steps"]:
        end = math.ceil(params["warmup_steps"] - params.get("step_offset", 0)) * params.get("step_every", 1)
        found[float(end)] = "warmup end"
    own = schedule_steps(params, steps)
    for step, what in islice(_schedule_breaks(bound, own), MAX_MARKS):
        update = float(first_update(params, step))
        found.setdefault(update, what)
    at = sorted(step for step in found if 0 < step < steps)[:MAX_MARKS]
    if not at:
        return []
    values = bound(np.array(at, dtype=np.float64))
    marks = [Mark(step, found[step], float(value)) for step, value in zip(at, values)]
    return [_direction(bound, mark) for mark in marks]


def _schedule_breaks(bound: Bound, steps: int) -> Iterator[tuple[float, str]]:
    """(step on the schedule's own clock, what) from the parameter table and
    the schedule's ``breaks``."""
    schedule, params = bound.schedule, bound.params
    for param in schedule.params:
        if param.kind == "steps-list":
            for step in params[param.name]:
                yield step, _singular(param.name)
        elif param.kind == "parts":
            yield from _part_breaks(params[param.name])
    if schedule.decay_end is not None and not params.get("cycle"):
        yield params[schedule.decay_end], "decay end"
    if schedule.marks is not None:
        yield from schedule.marks(params, steps)


def _part_breaks(parts: tuple[list[Bound], list[int]]) -> Iterator[tuple[float, str]]:
    """A sequence: where each part after the first starts, and the marks
    inside every part, on the sequence's clock."""
    offset = 0
    for number, (part, length) in enumerate(zip(*parts), 1):
        if number > 1:
            yield offset, part.name
        for mark in breakpoints(part, length):
            yield offset + mark.step, mark.what
        offset += length


def _singular(name: str) -> str:
    return name[:-3] + "y" if name.endswith("ies") else name.removesuffix("s")


def _direction(bound: Bound, mark: Mark) -> Mark:
    """A "decay end" where the curve rose is the end of a ramp (linear's
    start_factor below its end_factor)."""
    if mark.what == "decay end" and mark.value > float(bound(np.zeros(1))[0]):
        return mark._replace(what="ramp end")
    return mark


def extremes(x: np.ndarray, y: np.ndarray) -> list[Mark]:
    """The peak (its first step) and the final value of drawn points (a
    reduced curve keeps both exactly)."""
    finite = np.where(np.isfinite(y), y, -np.inf)
    if not y.size or not np.isfinite(finite.max()):
        return []
    top = int(np.argmax(finite))
    return [Mark(float(x[top]), "peak", float(y[top])), Mark(float(x[-1]), "final", float(y[-1]))]
