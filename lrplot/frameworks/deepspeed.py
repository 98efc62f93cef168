"""DeepSpeed (``deepspeed.runtime.lr_schedules``, 0.19) as stepped by its engine.

The engine builds the scheduler, whose constructor writes the lr of
iteration -1, and calls ``step()`` after every optimizer update, so update t
uses the scheduler's value at iteration t - 1, held at 0: ``step_offset -1``.
(With WarmupLR that is ``warmup_min_lr`` for the first two updates.)
``warmup_num_steps`` is at least 2, as DeepSpeed makes it.
"""

from __future__ import annotations

from typing import Any

from lrplot.frameworks import Curve, Unsupported, number

WARMUP_TYPES = {"log": "log", "linear": "linear"}


def _warmup(args: dict[str, Any], lr: float) -> dict[str, Any]:
    kind = args.get("warmup_type", "log")
    if kind not in WARMUP_TYPES:
        raise Unsupported(f"warmup_type {kind!r} is not one of log, linear")
    steps = max(2, int(number(args, "warmup_num_steps", 1000)))
    return {
        "lr": lr,
        "warmup_steps": steps,
        "warmup_start_lr": float(number(args, "warmup_min_lr", 0.0)),
        "warmup_shape": WARMUP_TYPES[kind],
        "step_offset": -1,
    }


SUPPORTED = ("WarmupLR", "WarmupDecayLR")


def scheduler(name: str, args: dict[str, Any], optimizer_lr: float | None = None) -> Curve:
    if name not in SUPPORTED:
        raise Unsupported(f"DeepSpeed scheduler {name} is not supported yet ({', '.join(SUPPORTED)})")
    peak = args.get("warmup_max_lr")
    if peak is None:
        if optimizer_lr is None:
            raise Unsupported("warmup_max_lr is not set and the optimizer's lr is not known")
        peak = optimizer_lr
    lr = float(peak)
    params = _warmup(args, lr)
    if name == "WarmupLR":
        return Curve("constant", params)
    # WarmupDecayLR: linear from the peak to warmup_min_lr at total_num_steps.
    total = int(number(args, "total_num_steps", None))
    low = params["warmup_start_lr"]
    if total <= params["warmup_steps"]:
        # DeepSpeed's decay factor is (total - t) / max(1, total - W) <= 0 here:
        # the warmup rises to the peak, then the rate is warmup_min_lr.
        return Curve("piecewise", {**params, "boundaries": [1], "values": [low, low], "warmup_target": "lr"})
    return Curve("polynomial", {**params, "decay_steps": total - params["warmup_steps"], "end_lr": low, "power": 1.0})
