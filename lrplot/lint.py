"""Warnings for the schedule mistakes users report.

Each warning is one line on stderr starting with ``warning:``; they never
stop the run unless ``--strict`` turns them into an error (exit 2).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lrplot.plan import Plan
from lrplot.registry import Bound, first_update, schedule_steps

# A decay that ends before this fraction of the run is probably a mistake.
EARLY_END = 0.75


def lint(plan: Plan) -> list[str]:
    warnings = []
    for number, curve in enumerate(plan.curves, 1):
        where = f"curve {number} ({curve.schedule})"
        warnings += [f"warning: {where}: {text}" for text in _curve_warnings(curve.bound, plan.steps)]
    return warnings


def _curve_warnings(bound: Bound, steps: int) -> Iterator[str]:
    params = bound.params
    warmup = params["warmup_steps"]
    remaining = schedule_steps(params, steps)  # the schedule's own steps after its warmup
    if first_update(params, 0) >= steps and warmup:
        yield (
            f"warmup_steps = {warmup} is not shorter than the run ({steps} steps): "
            "the schedule itself never starts"
        )
        return
    for name in ("boundaries", "milestones"):
        late = [b for b in params.get(name, ()) if b >= remaining]
        if late:
            yield (
                f"{name} {late} at or beyond the run's last step ({remaining - 1} after "
                f"{warmup} warmup steps; step-valued parameters count from the end of warmup): "
                "that change never happens"
            )
    if bound.name == "step" and params["step_size"] >= remaining:
        yield f"step_size = {params['step_size']} >= the {remaining} steps after warmup: the rate never decays"
    if float(bound(np.zeros(1))[0]) == 0.0:
        yield "the learning rate is 0 at step 0: the first update is wasted (start the warmup above 0?)"
    ramp = params.get("pct_start", 0.0) * params.get("total_steps", 0)
    if bound.name == "onecycle" and ramp < 1:
        shown = f"{ramp:.6g}" if float(f"{ramp:.6g}") < 1 else repr(ramp)  # never "1 < 1"
        yield (
            f"pct_start * total_steps = {shown} < 1: the rise has no step, "
            "so the curve starts part-way down from lr (as torch's OneCycleLR does)"
        )
    if bound.name == "onecycle" and params["total_steps"] < remaining:
        yield (
            f"total_steps = {params['total_steps']} is shorter than the {remaining} steps shown: "
            f"torch's OneCycleLR raises 'Tried to step {params['total_steps'] + 2} times' past it"
        )
    horizon = bound.schedule.decay_end
    if horizon is not None and not params.get("cycle"):
        end = int(first_update(params, params[horizon]))
        if end < EARLY_END * steps:
            yield (
                f"the decay ends at step {end} ({horizon} = {params[horizon]}), "
                f"{100 * (steps - end) / steps:.0f} % of the run stays at the final rate"
            )
    if "end_lr" in params and params["end_lr"] > params["lr"]:
        yield f"end_lr = {params['end_lr']!r} is above lr = {params['lr']!r}: this decay rises"
