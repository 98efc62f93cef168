"""Quantities a curve carries besides its learning rate: momentum (β1 for
Adam-like optimizers) and weight decay.

A curve gets momentum in one of two ways: ``onecycle`` and ``cyclic`` cycle
it themselves when ``cycle_momentum`` is true, as torch's ``OneCycleLR`` and
``CyclicLR`` do (same phases and annealing as the learning rate, in the
opposite direction); or the curve is given a schedule of its own
(``momentum:`` / ``weight_decay:`` in YAML, any lrplot schedule, its ``lr``
being the quantity's value). The writers ask :func:`extras` which columns a
curve adds; a curve with none adds none, so its outputs are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lrplot.compose import CurveFunction, with_conventions
from lrplot.registry import Bound
from lrplot.schedules import _anneal, cyclic

QUANTITIES = ("momentum", "weight_decay")


def _onecycle_momentum(p: Mapping[str, Any]) -> CurveFunction:
    low, high, total = p["base_momentum"], p["max_momentum"], p["total_steps"]
    up_end = float(p["pct_start"] * total) - 1.0
    if p["three_phase"]:
        phases = [
            (up_end, high, low),
            (2.0 * float(p["pct_start"] * total) - 2.0, low, high),
            (total - 1.0, high, high),
        ]
    else:
        phases = [(up_end, high, low), (total - 1.0, low, high)]

    def momentum(t: np.ndarray) -> np.ndarray:
        cuts = [0] + np.searchsorted(t, [end for end, _, _ in phases], side="right").tolist()
        begin = 0.0
        for i, (end, start_value, end_value) in enumerate(phases):
            segment = t[cuts[i] : cuts[i + 1]]
            segment -= begin
            segment /= end - begin
            _anneal(p["anneal"], start_value, end_value, segment)
            begin = end
        t[cuts[-1] :] = high  # past the cycle, as the lr holds its minimum
        return t

    return momentum


def _cyclic_momentum(p: Mapping[str, Any]) -> CurveFunction:
    high = p["max_momentum"]
    # cyclic() with base_lr 0 gives triangle * (max - base) * scale exactly as
    # torch's base_height * scale_fn; momentum is max_momentum less that.
    kwargs = {name: p[name] for name in ("step_size_up", "step_size_down", "mode", "gamma")}

    def momentum(t: np.ndarray) -> np.ndarray:
        height = cyclic(t, lr=high - p["base_momentum"], base_lr=0.0, **kwargs)
        np.subtract(high, height, out=height)
        return height

    return momentum


CYCLED: dict[str, Callable[[Mapping[str, Any]], CurveFunction]] = {
    "onecycle": _onecycle_momentum,
    "cyclic": _cyclic_momentum,
}


def cycled_momentum(bound: Bound) -> CurveFunction | None:
    """The momentum a onecycle or cyclic curve cycles, on the curve's clock; a
    warmup holds the cycle's first value (the schedule has not started)."""
    p = bound.params
    make = CYCLED.get(bound.name)
    if make is None or not p.get("cycle_momentum"):
        return None
    own = make(p)
    if p["warmup_steps"] and p.get("warmup_clock", "after") == "after":
        first = float(own(np.zeros(1))[0])
        held = {"warmup_shape": "constant", "warmup_start_lr": first, "warmup_start_factor": None,
                "warmup_mode": "replace"}
        return with_conventions(own, {**p, **held})
    return with_conventions(own, {**p, "warmup_steps": 0})


def extras(curve: Any) -> list[tuple[str, CurveFunction]]:
    """``(quantity, function of steps)`` for each quantity ``curve`` carries
    besides its learning rate, in QUANTITIES order."""
    own = dict(getattr(curve, "quantities", ()))
    out: list[tuple[str, CurveFunction]] = []
    for name in QUANTITIES:
        if name in own:
            out.append((name, own[name].evaluate_at))
        elif name == "momentum":
            cycled = cycled_momentum(curve.bound)
            if cycled is not None:
                out.append((name, cycled))
    return out
