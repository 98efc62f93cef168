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


SUPPORTED = ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR")


def _warmup_cosine(args: dict[str, Any], optimizer_lr: float | None, steps: int | None) -> Curve:
    """WarmupCosineLR: ratios of the optimizer's lr, warmup from warmup_min_ratio
    to 1, then a cosine to cos_min_ratio whose clock runs one step ahead
    (``last_batch_iteration - warmup_num_steps + 1``): ``warmup_hold -1``."""
    if optimizer_lr is None:
        raise Unsupported("WarmupCosineLR scales the optimizer's lr, which the config does not give")
    low = float(number(args, "warmup_min_ratio", 0.0))
    if low != 0:
        # Its constructor writes 0 for update 0, not warmup_min_ratio: no warmup of lrplot's starts so.
        raise Unsupported(f"WarmupCosineLR with warmup_min_ratio {low} is not supported yet (only 0)")
    total = int(number(args, "total_num_steps", None))
    params = _warmup(args, float(optimizer_lr))
    warmup = params["warmup_steps"]
    if total <= warmup:
        raise Unsupported("WarmupCosineLR with total_num_steps <= warmup_num_steps is not supported yet")
    if steps is not None and steps > total + 1:
        raise Unsupported(f"WarmupCosineLR past total_num_steps ({total}) is not supported yet (its cosine turns back up)")
    params.update(warmup_start_lr=0.0, warmup_hold=-1, warmup_target="lr")
    return Curve("cosine", {**params, "decay_steps": total - warmup,
                            "end_lr": float(number(args, "cos_min_ratio", 0.0001)) * float(optimizer_lr)})


def scheduler(name: str, args: dict[str, Any], optimizer_lr: float | None = None, steps: int | None = None) -> Curve:
    """``steps``: how many updates will be drawn, when known (a schedule that
    turns back up past its end is refused there)."""
    if name not in SUPPORTED:
        raise Unsupported(f"DeepSpeed scheduler {name} is not supported yet ({', '.join(SUPPORTED)})")
    if name == "WarmupCosineLR":
        return _warmup_cosine(args, optimizer_lr, steps)
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
