"""MMEngine schedulers whose windows overlap, as its Runner chains them.

Every MMEngine lr scheduler updates the lr the others left (its "chainable
form"), so while windows overlap the lr is a recursion, not a product of
closed forms: a ``LinearLR`` warmup under a ``CosineAnnealingLR`` with an
``eta_min`` gives ``eta_min + (lr x ratio - eta_min) x cos ratio`` at every
step. This module runs that recursion (each scheduler's ``_get_value``, in
list order, per-iteration ones after every iteration and per-epoch ones after
every epoch, as ``ParamSchedulerHook`` steps them) over the iterations where
the windows overlap, as a table, and then continues with the one scheduler
still running as a closed form from the lr the table ended at: a cosine or
polynomial on its own clock (``step_offset`` its step count), a step decay,
and so on. :mod:`lrplot.frameworks.mmengine` describes each scheduler as a
:class:`Chained` record; nothing here reads a config.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, NamedTuple

from lrplot.frameworks import MAX_PARTS, Curve, Unsupported, part_value, sequence

KINDS = ("LinearLR", "ConstantLR", "ExponentialLR", "StepLR", "MultiStepLR", "CosineAnnealingLR", "PolyLR")


class Chained(NamedTuple):
    """One scheduler, its numbers on its own clock (iterations, or epochs when ``per_epoch``)."""

    where: str
    kind: str
    begin: int
    end: int
    per_epoch: bool
    first: int  # the iterations [first, stop) of the run its window covers
    stop: int
    numbers: dict[str, Any]  # start/end factor, factor, gamma, step_size, milestones, T_max, eta_min, power


def _value(s: Chained, k: int, lr: float, base: float) -> float:
    """``_get_value`` of MMEngine 0.10's chainable forms at the scheduler's step ``k``."""
    n, length = s.numbers, s.end - s.begin - 1
    if s.kind == "LinearLR":
        start, end = n["start_factor"], n["end_factor"]
        if k == 0:
            return lr * start
        return lr * (1.0 + (end - start) / (length * start + (k - 1) * (end - start)))
    if s.kind == "ConstantLR":
        if k == 0:
            return lr * n["factor"]
        return lr * (1.0 / n["factor"]) if k == length else lr
    if s.kind == "ExponentialLR":
        return lr if k == 0 else lr * n["gamma"]
    if s.kind == "StepLR":
        return lr if k == 0 or k % n["step_size"] else lr * n["gamma"]
    if s.kind == "MultiStepLR":
        count = n["milestones"].get(k, 0)
        return lr * n["gamma"] ** count if count else lr
    if s.kind == "CosineAnnealingLR":
        t_max, low = n["T_max"], n["eta_min"]
        if k == 0:
            return lr
        if (k - 1 - t_max) % (2 * t_max) == 0:
            return lr + (base - low) * (1 - math.cos(math.pi / t_max)) / 2
        return (1 + math.cos(math.pi * k / t_max)) / (1 + math.cos(math.pi * (k - 1) / t_max)) * (lr - low) + low
    # PolyLR
    if k == 0:
        return lr
    return (lr - n["eta_min"]) * (1 - 1 / (length - k + 1)) ** n["power"] + n["eta_min"]


def _simulate(schedulers: list[Chained], lr: float, per_epoch: int | None, upto: int) -> tuple[list[float], list[int]]:
    """The lr of iterations 0..upto and each scheduler's step count at ``upto`` (-1: not begun)."""
    clock = [-1] * len(schedulers)
    steps = [-1] * len(schedulers)
    base = lr

    def step(which: bool) -> None:
        nonlocal lr
        for i, s in enumerate(schedulers):
            if s.per_epoch == which:
                clock[i] += 1
                if s.begin <= clock[i] < s.end:
                    steps[i] += 1
                    lr = _value(s, steps[i], lr, base)

    # Each constructor steps once, in list order, whatever its clock.
    for i, s in enumerate(schedulers):
        clock[i] += 1
        if s.begin <= clock[i] < s.end:
            steps[i] += 1
            lr = _value(s, steps[i], lr, base)
    values = [lr]
    for iteration in range(upto):
        step(False)
        if per_epoch and (iteration + 1) % per_epoch == 0:
            step(True)
        values.append(lr)
    return values, steps


def overlapping(schedulers: list[Chained], lr: float, per_epoch: int | None, total: int) -> Curve:
    """The lr of a ``total``-iteration run under ``schedulers`` (all active,
    some windows overlapping): the overlap as a table, then the scheduler
    that outlasts the others from where the table ends."""
    for s in schedulers:
        if s.kind not in KINDS:
            raise Unsupported(f"{s.where} overlapping another scheduler is not supported yet ({', '.join(KINDS)})")
    last = max(schedulers, key=lambda s: s.stop)
    others = [s for s in schedulers if s is not last]
    if any(s.stop == last.stop for s in others) and last.stop < total:
        raise Unsupported(f"{last.where} and another scheduler closing their windows together is not supported yet")
    overlap = max(s.stop for s in others)
    # The table runs to a step of the last scheduler's clock, so the closed form starts on one.
    every = per_epoch if last.per_epoch else 1
    table = min(-(-overlap // every) * every, total)
    if table > MAX_PARTS:
        raise Unsupported(f"schedulers overlapping for {table:,} iterations are not supported yet "
                          f"(up to {MAX_PARTS:,}: each is one value of a table)")
    values, steps = _simulate(schedulers, lr, per_epoch, table)
    if table == 1:
        head = {"schedule": "constant", "lr": values[0], "steps": 1}
    else:
        head = {"schedule": "piecewise", "lr": lr, "boundaries": list(range(1, table)), "values": values[:table],
                "steps": table}
    if table >= total:
        return sequence(lr, [head, {"schedule": "constant", "lr": values[-1], "steps": 1}])
    k = steps[schedulers.index(last)]
    if k < 0:
        raise Unsupported(f"{last.where} beginning after the others' windows overlap is not supported yet")
    span = min(last.stop, total) - table
    if span <= 0:  # the last window closed within the table: the lr holds
        return sequence(lr, [head, {"schedule": "constant", "lr": values[table], "steps": 1}])
    parts = [head]
    clock = {"step_every": every} if every > 1 else {}
    tail = _rest(last, k, values[table], clock)
    parts.append({**tail, "steps": span})
    if last.stop < total:  # past its window the lr holds
        parts.append({"schedule": "constant", "lr": part_value(tail, span - 1), "steps": 1})
    return sequence(lr, parts)


def _rest(s: Chained, k: int, lr: float, clock: dict[str, int]) -> dict[str, Any]:
    """The scheduler alone from its step ``k``, where the lr is ``lr``, as a
    sequence part whose step 0 is that step."""
    n, length = s.numbers, s.end - s.begin - 1
    hold = {"schedule": "constant", "lr": lr}
    if s.kind in ("CosineAnnealingLR", "PolyLR") and n["eta_min"] > lr:
        # Rising towards a floor above it, the chained steps cancel digits the closed form does not.
        raise Unsupported(f"{s.where} with eta_min {n['eta_min']} above the lr {lr} it continues from is not "
                          "supported yet")
    if s.kind == "CosineAnnealingLR":
        t_max, low = n["T_max"], n["eta_min"]
        if length > t_max and s.stop > s.first + t_max:
            raise Unsupported(f"{s.where} running past T_max ({t_max} steps) under another scheduler is not "
                              "supported yet")
        top = 1 + math.cos(math.pi * k / t_max)
        if k >= t_max or top == 0:
            return hold
        return {"schedule": "cosine", **clock, "lr": low + 2 * (lr - low) / top, "decay_steps": t_max, "end_lr": low,
                "step_offset": k}
    if s.kind == "PolyLR":
        if k >= length:
            return hold
        low, power = n["eta_min"], n["power"]
        return {"schedule": "polynomial", **clock, "lr": low + (lr - low) / ((length - k) / length) ** power,
                "decay_steps": length, "end_lr": low, "power": power, "step_offset": k}
    if s.kind == "LinearLR":
        if k >= length:
            return hold
        start, end = n["start_factor"], n["end_factor"]
        factor = start + (end - start) * k / length
        return {"schedule": "linear", **clock, "lr": lr / factor, "start_factor": start, "end_factor": end,
                "total_steps": length, "step_offset": k}
    if s.kind == "ExponentialLR":
        return {"schedule": "exponential", **clock, "lr": lr, "decay_rate": n["gamma"], "decay_steps": 1}
    if s.kind == "StepLR":
        size = n["step_size"]
        return {"schedule": "step", **clock, "lr": lr, "step_size": size, "gamma": n["gamma"], "step_offset": k % size}
    if s.kind == "ConstantLR":
        events = Counter({length: 1}) if length > k else Counter()
        gamma = 1.0 / n["factor"]
    else:  # MultiStepLR
        events, gamma = n["milestones"], n["gamma"]
    later = sorted(m - k for m, count in events.items() for _ in range(count) if m > k)
    if not later:
        return hold
    return {"schedule": "multistep", **clock, "lr": lr, "milestones": later, "gamma": gamma}
