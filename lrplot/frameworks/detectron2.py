"""detectron2's ``build_lr_scheduler`` (``detectron2/solver/build.py``): fvcore
param schedulers over ``where = iter / MAX_ITER``, wrapped in
``WarmupParamScheduler`` and stepped once per iteration.

The warmup rises from ``WARMUP_FACTOR`` x the schedule's start to the
schedule's value where the warmup ends, on the schedule's own clock
(``warmup_clock shared``), unless ``RESCALE_INTERVAL`` squeezes the schedule
into the iterations after the warmup (``after``). ``WarmupPolyLR`` (the
DeepLab projects) multiplies the schedule by its warmup factor instead.
"""

from __future__ import annotations

import bisect
from typing import Any

from lrplot.frameworks import Curve, Unsupported, number

DEFAULTS: dict[str, Any] = {
    "LR_SCHEDULER_NAME": "WarmupMultiStepLR",
    "BASE_LR": 0.001,
    "BASE_LR_END": 0.0,
    "GAMMA": 0.1,
    "STEPS": (30000,),
    "NUM_DECAYS": 3,
    "WARMUP_FACTOR": 1.0 / 1000,
    "WARMUP_ITERS": 1000,
    "WARMUP_METHOD": "linear",
    "RESCALE_INTERVAL": False,
    "MAX_ITER": 40000,
    "POLY_LR_POWER": 0.9,
    "POLY_LR_CONSTANT_ENDING": 0.0,
}


def solver(values: dict[str, Any]) -> Curve:
    """The curve of a config's ``SOLVER`` section (missing keys take detectron2's defaults)."""
    s = {**DEFAULTS, **{k: v for k, v in values.items() if v is not None}}
    name = s["LR_SCHEDULER_NAME"]
    lr, total = float(number(s, "BASE_LR", 0.001)), int(number(s, "MAX_ITER", 40000))
    method = s["WARMUP_METHOD"]
    if method not in ("linear", "constant"):
        raise Unsupported(f"WARMUP_METHOD {method!r} is not one of linear, constant")
    iters = int(number(s, "WARMUP_ITERS", 1000))
    if name == "WarmupPolyLR":  # the legacy scheduler, its own warmup: not clamped, not rescaled
        return _poly(s, lr, total, iters, method)
    # warmup_length = min(WARMUP_ITERS / MAX_ITER, 1): at most the whole run.
    warmup = min(iters, total)
    rescaled = bool(s["RESCALE_INTERVAL"]) and warmup > 0
    if rescaled:
        # The warmup then rises to the schedule's value at WARMUP_ITERS on its
        # own clock, and the schedule restarts, squeezed, after it.
        raise Unsupported("RESCALE_INTERVAL: true is not supported yet")
    params: dict[str, Any] = {"lr": lr}
    if warmup:
        params.update(
            warmup_steps=warmup,
            warmup_start_factor=float(number(s, "WARMUP_FACTOR", 0.001)),
            warmup_shape=method,
            warmup_clock="after" if rescaled else "shared",
        )
    span = total - warmup if rescaled else total
    if name == "WarmupMultiStepLR":
        steps = [int(x) for x in s["STEPS"] if int(x) <= total]
        return Curve("multistep", {**params, "milestones": _milestones(steps, total, warmup, rescaled) or [total + 1],
                                   "gamma": float(number(s, "GAMMA", 0.1))})
    if name == "WarmupCosineLR":
        return Curve("cosine", {**params, "decay_steps": max(1, span), "end_lr": float(number(s, "BASE_LR_END", 0.0))})
    if name == "WarmupStepWithFixedGammaLR":
        decays = int(number(s, "NUM_DECAYS", 3))
        return Curve("multistep", {**params, "milestones": _even_steps(decays, total),
                                   "gamma": float(number(s, "GAMMA", 0.1))})
    raise Unsupported(f"LR_SCHEDULER_NAME {name} is not supported yet (WarmupMultiStepLR, WarmupCosineLR, WarmupPolyLR)")


def _poly(s: dict[str, Any], lr: float, total: int, warmup: int, method: str) -> Curve:
    """``WarmupPolyLR``: lr x warmup factor x (1 - iter / MAX_ITER) ** power,
    the factor rising from WARMUP_FACTOR to 1 over WARMUP_ITERS."""
    if float(number(s, "POLY_LR_CONSTANT_ENDING", 0.0)) > 0:
        raise Unsupported("WarmupPolyLR with POLY_LR_CONSTANT_ENDING > 0 is not supported yet")
    params: dict[str, Any] = {"lr": lr, "decay_steps": total, "end_lr": 0.0,
                              "power": float(number(s, "POLY_LR_POWER", 0.9))}
    if warmup:
        params.update(warmup_steps=warmup, warmup_start_factor=float(number(s, "WARMUP_FACTOR", 0.001)),
                      warmup_shape=method, warmup_mode="multiply", warmup_clock="shared")
    return Curve("polynomial", params)


def _even_steps(decays: int, total: int) -> list[int]:
    """fvcore's StepParamScheduler over decays + 1 equal parts: part
    int((iter / MAX_ITER + 1e-6) * (decays + 1)) at each iteration."""
    parts = decays + 1
    out, t = [], 0
    for k in range(1, parts):
        while t <= total and int((t / total + 1e-6) * parts) < k:
            t += 1
        out.append(max(1, t))
    return out


def _milestones(steps: list[int], total: int, warmup: int, rescaled: bool) -> list[int]:
    """The schedule's steps where each decay takes effect. On the shared clock
    they are STEPS; rescaled into the iterations after the warmup, each is the
    first iteration t whose position as fvcore computes it,
    ((t / MAX) - w) / (1 - w) * MAX, reaches the milestone, less the warmup."""
    if not rescaled:
        return steps
    length = warmup / total

    def position(t: int) -> float:
        return (t / total - length) / (1 - length) * total

    out = []
    for milestone in steps:
        t = next((t for t in range(warmup, total + 1) if bisect.bisect_right([milestone], position(t))), total + 1)
        out.append(max(1, t - warmup))  # counted on the schedule's clock, after the warmup
    return out
