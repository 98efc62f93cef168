"""detectron2's ``build_lr_scheduler`` (``detectron2/solver/build.py``): fvcore
param schedulers over ``where = iter / MAX_ITER``, wrapped in
``WarmupParamScheduler`` and stepped once per iteration.

The warmup rises from ``WARMUP_FACTOR`` x the schedule's start to the
schedule's value where the warmup ends, on the schedule's own clock
(``warmup_clock shared``), unless ``RESCALE_INTERVAL`` squeezes the schedule
into the iterations after the warmup (a ``sequence``: the ramp, then the
schedule from its start). ``WarmupPolyLR`` (the
DeepLab projects) multiplies the schedule by its warmup factor instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lrplot.errors import UsageError
from lrplot.frameworks import Curve, Unsupported, number, sequence

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
    _fvcore_checks(s, name, total, iters)
    warmup = min(iters, total)
    length = min(iters / total, 1.0)  # build_lr_scheduler's warmup_length
    if warmup and not (warmup - 1) / total + EPSILON <= length < warmup / total + EPSILON:
        # fvcore's composite switches where ``where + 1e-6 > warmup_length``: past 10**6 iterations, early.
        raise Unsupported(f"a warmup with MAX_ITER {total:,} (fvcore's 1e-6 tolerance moves the warmup's end) "
                          "is not supported yet")
    rescaled = bool(s["RESCALE_INTERVAL"]) and 0 < warmup < total
    if rescaled:
        return _rescaled(s, name, lr, total, warmup, method)
    params: dict[str, Any] = {"lr": lr}
    if warmup:
        params.update(
            warmup_steps=warmup,
            warmup_start_factor=float(number(s, "WARMUP_FACTOR", 0.001)),
            warmup_shape=method,
            warmup_clock="shared",
        )
    if name == "WarmupMultiStepLR":
        steps = [_reached(int(x), total) for x in s["STEPS"] if int(x) <= total]
        return Curve("multistep", {**params, "milestones": steps or [total + 1],
                                   "gamma": float(number(s, "GAMMA", 0.1))})
    if name == "WarmupCosineLR":
        return Curve("cosine", {**params, "decay_steps": max(1, total), "end_lr": float(number(s, "BASE_LR_END", 0.0))})
    if name == "WarmupStepWithFixedGammaLR":
        decays = int(number(s, "NUM_DECAYS", 3))
        return Curve("multistep", {**params, "milestones": _even_steps(decays, total),
                                   "gamma": float(number(s, "GAMMA", 0.1))})
    raise Unsupported(f"LR_SCHEDULER_NAME {name} is not supported yet (WarmupMultiStepLR, WarmupCosineLR, WarmupPolyLR)")


def _poly(s: dict[str, Any], lr: float, total: int, warmup: int, method: str) -> Curve:
    """``WarmupPolyLR``: lr x warmup factor x (1 - iter / MAX_ITER) ** power,
    the factor rising from WARMUP_FACTOR to 1 over WARMUP_ITERS."""
    power, factor = float(number(s, "POLY_LR_POWER", 0.9)), float(number(s, "WARMUP_FACTOR", 0.001))
    params: dict[str, Any] = {"lr": lr, "decay_steps": total, "end_lr": 0.0, "power": power}
    if warmup:
        params.update(warmup_steps=warmup, warmup_start_factor=factor,
                      warmup_shape=method, warmup_mode="multiply", warmup_clock="shared")
    ending = float(number(s, "POLY_LR_CONSTANT_ENDING", 0.0))
    if ending <= 0:
        return Curve("polynomial", params)
    # Once the warmup factor is 1.0, lr x POLY_LR_CONSTANT_ENDING wherever the
    # decay (1 - iter / MAX_ITER) ** power falls below it: from iteration `held` on.
    def below(t: int) -> bool:
        return math.pow(1.0 - t / total, power) < ending

    def warmup_factor(t: int) -> float:  # _get_warmup_factor_at_iter
        if method == "constant":
            return factor
        alpha = t / warmup
        return factor * (1 - alpha) + alpha

    if warmup > MAX_SCANNED:
        raise Unsupported(f"WarmupPolyLR with POLY_LR_CONSTANT_ENDING and WARMUP_ITERS > {MAX_SCANNED:,} is not supported yet")
    if any(warmup_factor(t) == 1.0 and below(t) for t in range(min(warmup, total))):
        raise Unsupported("WarmupPolyLR whose POLY_LR_CONSTANT_ENDING takes over during its warmup is not supported yet")
    low = first_where(below, min(warmup, total), total)
    if low >= total:
        return Curve("polynomial", params)
    if low == 0:
        return Curve("constant", {"lr": lr * ending})
    return sequence(lr, [{"schedule": "polynomial", **params, "steps": low},
                         {"schedule": "constant", "lr": lr * ending, "steps": 1}])


# Warmup iterations checked one by one, at most.
MAX_SCANNED = 1_000_000


def _rescaled(s: dict[str, Any], name: str, lr: float, total: int, warmup: int, method: str) -> Curve:
    """``RESCALE_INTERVAL: true``: fvcore's ``CompositeParamScheduler`` runs the
    warmup, rising from WARMUP_FACTOR x the schedule's start to the schedule's
    value at ``where = WARMUP_ITERS / MAX_ITER`` on its unscaled clock, then
    the schedule from its start, squeezed into the iterations after the warmup
    (``where' = (where - w) / (1 - w)``). Step changes (milestones, fixed-gamma
    decays) are found where fvcore's own arithmetic puts them."""
    length = warmup / total  # build_lr_scheduler's warmup_length
    gamma = float(number(s, "GAMMA", 0.1))
    if name == "WarmupCosineLR":
        end = float(number(s, "BASE_LR_END", 0.0)) / lr if lr else 0.0

        def schedule(where: float) -> float:
            return end + 0.5 * (1 - end) * (1 + math.cos(math.pi * where))
        after: dict[str, Any] = {"schedule": "cosine", "decay_steps": total - warmup,
                                 "end_lr": float(number(s, "BASE_LR_END", 0.0))}
    elif name in ("WarmupMultiStepLR", "WarmupStepWithFixedGammaLR"):
        if name == "WarmupMultiStepLR":
            steps = [int(x) for x in s["STEPS"] if int(x) <= total]
            values = [gamma**k for k in range(len(steps) + 1)]

            def index(where: Any) -> Any:  # MultiStepParamScheduler
                return np.searchsorted(steps, np.trunc((where + EPSILON) * total), side="right")
        else:
            values = [1.0]
            for _ in range(int(number(s, "NUM_DECAYS", 3))):
                values.append(values[-1] * gamma)

            def index(where: Any) -> Any:  # StepParamScheduler
                return np.trunc((where + EPSILON) * len(values)).astype(np.int64)

        def schedule(where: float) -> float:
            return values[int(index(np.array([where]))[0])]
        # The schedule at each iteration after the warmup, where fvcore puts it.
        start = (length + (1 - length)) - (1 - length)
        at = index((np.arange(warmup, total, dtype=np.float64) / total - start) / (1 - length))
        changes = np.flatnonzero(at[1:] != at[:-1]) + 1
        after = {"schedule": "piecewise", "boundaries": changes.tolist() or [total],
                 "values": [lr * values[int(at[0])]] + [lr * values[int(at[c])] for c in changes]
                 + ([] if changes.size else [lr * values[int(at[0])]])}
    else:
        raise Unsupported(f"RESCALE_INTERVAL with {name} is not supported yet")
    first, reached = float(number(s, "WARMUP_FACTOR", 0.001)) * schedule(0.0), schedule(length)
    if method == "constant":
        ramp: dict[str, Any] = {"schedule": "constant", "lr": lr * first}
    else:
        ramp = {"schedule": "linear", "lr": lr, "start_factor": first, "end_factor": reached, "total_steps": warmup}
    return sequence(lr, [{**ramp, "steps": warmup}, {**after, "lr": lr, "steps": 1}])


EPSILON = 1e-6  # fvcore's ParamScheduler.WHERE_EPSILON


def _fvcore_checks(s: dict[str, Any], name: str, total: int, iters: int) -> None:
    """What fvcore refuses when detectron2 builds the scheduler, as one line."""
    if name == "WarmupMultiStepLR":
        steps = [int(x) for x in s["STEPS"] if int(x) <= total]
        problem = None
        if total < len(steps) + 1:
            problem = "Total num_updates must be greater than length of param schedule"
        elif steps and steps[-1] >= total:
            problem = f"Milestone must be smaller than total number of updates: num_updates={total}, milestone={steps[-1]}"
        elif any(b <= a for a, b in zip([0, *steps], steps)):
            problem = "Milestone must be smaller than start epoch (STEPS increasing, above 0)"
        if problem:
            raise UsageError(f"STEPS {tuple(s['STEPS'])} with MAX_ITER {total}: fvcore's MultiStepParamScheduler "
                             f"raises \"{problem}\"")
    if name == "WarmupStepWithFixedGammaLR" and iters >= total:
        raise UsageError("WarmupStepWithFixedGammaLR with WARMUP_ITERS >= MAX_ITER: detectron2 fails (an IndexError "
                         "in fvcore's StepParamScheduler at the warmup's end)")


def first_where(passed: Any, low: int, high: int) -> int:
    """The first iteration in [low, high) where ``passed`` holds, else high;
    ``passed`` is monotone in the iteration (fvcore's ``where`` arithmetic is)."""
    while low < high:
        middle = (low + high) // 2
        if passed(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _reached(milestone: int, total: int) -> int:
    """The first iteration where ``MultiStepParamScheduler`` counts ``milestone``
    as passed: ``int((iter / MAX_ITER + 1e-6) x MAX_ITER)`` reaches it (the
    milestone itself below 10**6 iterations, a few iterations early above)."""
    t = first_where(lambda t: int((t / total + EPSILON) * total) >= milestone, 0, total)
    if t == 0 and milestone > 0:
        raise Unsupported(f"a milestone at {milestone} that fvcore's 1e-6 tolerance moves to iteration 0 is not supported yet")
    return t


def _even_steps(decays: int, total: int) -> list[int]:
    """fvcore's StepParamScheduler over decays + 1 equal parts: part
    int((iter / MAX_ITER + 1e-6) * (decays + 1)) at each iteration."""
    parts = decays + 1
    out, t = [], 0
    for k in range(1, parts):
        t = first_where(lambda t, k=k: int((t / total + EPSILON) * parts) >= k, t, total + 1)
        out.append(max(1, t))
    return out
