"""DeepSpeed (``deepspeed.runtime.lr_schedules``, 0.19) as stepped by its engine.

The engine builds the scheduler, whose constructor writes the lr of
iteration -1, and calls ``step()`` after every optimizer update, so update t
uses the scheduler's value at iteration t - 1, held at 0: ``step_offset -1``.
(With WarmupLR that is ``warmup_min_lr`` for the first two updates.)
``warmup_num_steps`` is at least 2, as DeepSpeed makes it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lrplot.errors import UsageError
from lrplot.frameworks import Curve, Unsupported, number, sequence, whole
from lrplot.registry import MAX_STEPS

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


MOMENTUM_RAMP = MAX_STEPS  # a ramp longer than any run lrplot draws

SUPPORTED = ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest")
MAX_STAIRS = 100_000  # a staircase written out as piecewise values; past this it is not worth a list


def one_cycle_length(args: dict[str, Any]) -> int:
    """Updates in OneCycle's cycle: the rise and the fall."""
    first = whole(args, "cycle_first_step_size", 2000, 1, "OneCycle")
    second = args.get("cycle_second_step_size")
    return first + (first if second is None else whole(args, "cycle_second_step_size", None, 0, "OneCycle"))


def _one_cycle(args: dict[str, Any]) -> Curve:
    """OneCycle: a triangle from cycle_min_lr up to cycle_max_lr and back (the
    formula of torch's CyclicLR, or stairs of it), then cycle_min_lr / (1 +
    decay_lr_rate x k / decay_step_size). Its constructor writes the value of
    batch 0 and ``step()`` k computes batch k + 1, so update t uses batch t."""
    for key in ("cycle_min_lr", "cycle_max_lr"):
        if isinstance(args.get(key), (list, tuple)):
            raise Unsupported(f"OneCycle with a {key} per parameter group is not supported yet")
    low, high = float(number(args, "cycle_min_lr", None)), float(number(args, "cycle_max_lr", None))
    first = whole(args, "cycle_first_step_size", 2000, 1, "OneCycle")
    total = one_cycle_length(args)
    up_stairs = whole(args, "cycle_first_stair_count", 0, 0, "OneCycle")
    down = args.get("cycle_second_stair_count")
    down_stairs = up_stairs if down is None else whole(args, "cycle_second_stair_count", None, 0, "OneCycle")
    if up_stairs and down_stairs:
        cycle = _stairs(low, high, first, total, up_stairs, down_stairs)
    elif up_stairs or down_stairs:
        raise Unsupported("OneCycle with stairs on one half of the cycle only is not supported yet")
    elif total == first:
        cycle = {"schedule": "linear", "lr": high, "start_factor": low / high, "end_factor": 1.0, "total_steps": first}
    else:
        # DeepSpeed's momentum is its own (one_cycle_momentum), never torch's CyclicLR's.
        cycle = {"schedule": "cyclic", "lr": high, "base_lr": low, "step_size_up": first,
                 "step_size_down": total - first, "cycle_momentum": False}
    rate, size = float(number(args, "decay_lr_rate", 0.0)), float(number(args, "decay_step_size", 0))
    if math.isclose(rate, 0) or math.isclose(size, 0):  # DeepSpeed then skips the decay: cycle_min_lr stays
        after = {"schedule": "constant", "lr": low}
    else:
        after = {"schedule": "inverse-time", "lr": low, "decay_rate": rate,
                 "decay_steps": whole(args, "decay_step_size", None, 1, "OneCycle")}
    return sequence(high, [{**cycle, "steps": total}, {**after, "steps": 1}])


def _stair_scale(batch: np.ndarray, first: int, total: int, up: int, down: int) -> np.ndarray:
    """DeepSpeed's staircase scale (0 at the cycle's ends, 1 at its peak) at
    the batches ``batch`` of one cycle (``total`` is batch 0 of the next)."""
    if up + down > MAX_STAIRS:
        raise Unsupported(f"OneCycle with {up + down:,} stairs is not supported yet")
    second = total - first
    # Which half's stair count applies follows the triangle's own test (x <= step_ratio),
    # the position the integer batch, as DeepSpeed does.
    x = 1.0 + batch / total - np.floor(1 + batch / total)
    count = np.where(x <= first / total, up, down)
    within = batch % total
    with np.errstate(divide="ignore", invalid="ignore"):
        position = np.where(within <= first, within * count / first, (total - within) * count / max(second, 1))
    return np.floor(position) / count


def _piecewise(values: np.ndarray, peak: float) -> dict[str, Any]:
    """Values step by step as piecewise values (each stair a constant)."""
    changes = np.flatnonzero(values[1:] != values[:-1]) + 1
    if not changes.size:  # a cycle too short for its stairs to show
        return {"schedule": "constant", "lr": float(values[0])}
    return {"schedule": "piecewise", "lr": peak, "boundaries": changes.tolist(),
            "values": [float(values[0])] + values[changes].tolist()}


def _stairs(low: float, high: float, first: int, total: int, up: int, down: int) -> dict[str, Any]:
    """DeepSpeed's staircase over one cycle, step by step as it computes it."""
    scale = _stair_scale(np.arange(total, dtype=np.float64), first, total, up, down)
    return _piecewise(low + (high - low) * scale, high)


# Optimizers DeepSpeed builds from ``optimizer.type`` (lower case, as it compares
# them; other names are torch.optim classes) whose defaults have ``betas``:
# OneCycle cycles betas[0] only for those, and warns and cycles nothing for the rest.
WITH_BETAS = ("adam", "adamw", "lamb", "lion", "muadam", "muadamw", "nadam", "radam", "adamax")
WITHOUT_BETAS = ("adagrad", "musgd", "sgd", "rmsprop", "adadelta", "asgd", "rprop", "lbfgs")


def one_cycle_momentum(args: dict[str, Any], optimizer: str | None) -> dict[str, Any] | None:
    """OneCycle's momentum as a quantity (a sequence, in lrplot's YAML form),
    or None when DeepSpeed leaves it alone: ``cycle_momentum`` false, an
    optimizer without ``betas``, or none named (the script's own, unknown
    here). Its constructor writes ``betas = (cycle_min_mom, 0.99)`` for update
    0; update t >= 1 uses batch t: ``cycle_max_mom`` less the lr's triangle
    (or stairs) scaled to ``cycle_max_mom - cycle_min_mom``, then
    ``cycle_max_mom x (1 + decay_mom_rate x k / decay_step_size)``."""
    cycle = args.get("cycle_momentum", True)
    if not isinstance(cycle, bool):
        raise Unsupported(f"OneCycle cycle_momentum: got {cycle!r}, expected true or false")
    if not cycle:
        return None
    if optimizer is None or optimizer.lower() in WITHOUT_BETAS:
        return None
    if optimizer.lower() not in WITH_BETAS:
        raise Unsupported(f"OneCycle momentum with optimizer {optimizer!r} is not supported yet "
                          "(lrplot knows which of DeepSpeed's optimizers have betas)")
    for key in ("cycle_min_mom", "cycle_max_mom"):
        if isinstance(args.get(key), (list, tuple)):
            raise Unsupported(f"OneCycle with a {key} per parameter group is not supported yet")
    low, high = float(number(args, "cycle_min_mom", 0.8)), float(number(args, "cycle_max_mom", 0.9))
    if low < 0 or high <= 0 or not (math.isfinite(low) and math.isfinite(high)):
        raise Unsupported(f"OneCycle momentum from {low} to {high} is not supported yet (cycle_max_mom > 0, "
                          "cycle_min_mom >= 0)")
    first = whole(args, "cycle_first_step_size", 2000, 1, "OneCycle")
    total = one_cycle_length(args)
    second = total - first
    up_stairs = whole(args, "cycle_first_stair_count", 0, 0, "OneCycle")
    down = args.get("cycle_second_stair_count")
    down_stairs = up_stairs if down is None else whole(args, "cycle_second_stair_count", None, 0, "OneCycle")
    if up_stairs and down_stairs:
        # Batches 1 .. total (scale 0 again at total), after the constructor's update 0.
        scale = _stair_scale(np.arange(1, total + 1, dtype=np.float64), first, total, up_stairs, down_stairs)
        values = np.concatenate([[low], high - (high - low) * scale])
        parts = [{**_piecewise(values, high), "steps": total + 1}]
    else:  # stairs on one half only: the lr refuses it already
        # Down from cycle_max_mom over the rise, back up over the fall; at its step k
        # a part computes batch k + 1. Without a fall, batch `total` is the next
        # cycle's batch 0: cycle_max_mom.
        rise = first if second else first - 1
        parts = [{"schedule": "constant", "value": low, "steps": 1}]
        if rise:
            parts.append({"schedule": "linear", "value": high, "start_factor": 1.0, "end_factor": low / high,
                          "total_steps": first, "step_offset": 1, "steps": rise})
        if second:
            parts.append({"schedule": "linear", "value": high, "start_factor": low / high, "end_factor": 1.0,
                          "total_steps": second, "step_offset": 1, "steps": second})
        else:
            parts.append({"schedule": "constant", "value": high, "steps": 1})
    rate, size = float(number(args, "decay_mom_rate", 0.0)), float(number(args, "decay_step_size", 0))
    if rate < 0 or size < 0:
        raise Unsupported(f"OneCycle with decay_mom_rate {rate} and decay_step_size {size} is not supported yet "
                          "(both >= 0)")
    if math.isclose(rate, 0) or math.isclose(size, 0):  # DeepSpeed then skips the decay: cycle_max_mom stays
        parts.append({"schedule": "constant", "value": high})
    else:
        # max x (1 + rate x k / size) grows without end: a linear ramp longer than any run.
        parts.append({"schedule": "linear", "value": high, "start_factor": 1.0,
                      "end_factor": 1.0 + rate * MOMENTUM_RAMP / size, "total_steps": MOMENTUM_RAMP,
                      "step_offset": 1})
    return {"schedule": "sequence", "value": high, "parts": parts}



def _warmup_cosine(args: dict[str, Any], optimizer_lr: float | None, steps: int | None) -> Curve:
    """WarmupCosineLR: ratios of the optimizer's lr, warmup from warmup_min_ratio
    to 1, then a cosine to cos_min_ratio whose clock runs one step ahead
    (``last_batch_iteration - warmup_num_steps + 1``): ``warmup_hold -1``."""
    if optimizer_lr is None:
        raise Unsupported("WarmupCosineLR scales the optimizer's lr, which the config does not give")
    low = float(number(args, "warmup_min_ratio", 0.0))
    total = int(number(args, "total_num_steps", None))
    params = _warmup(args, float(optimizer_lr))
    warmup = params["warmup_steps"]
    if total <= warmup:
        raise Unsupported("WarmupCosineLR with total_num_steps <= warmup_num_steps is not supported yet")
    if steps is not None and steps > total + 1:
        raise Unsupported(f"WarmupCosineLR past total_num_steps ({total}) is not supported yet (its cosine turns back up)")
    params.update(warmup_start_lr=low * float(optimizer_lr), warmup_hold=-1, warmup_target="lr")
    curve = {**params, "decay_steps": total - warmup,
             "end_lr": float(number(args, "cos_min_ratio", 0.0001)) * float(optimizer_lr)}
    if low == 0:  # iteration -1 and iteration 0 both give 0: the shifted clock says it
        return Curve("cosine", curve)
    # Its constructor writes 0 for update 0, not warmup_min_ratio; update t >= 1 uses iteration t - 1.
    curve["step_offset"] = 0
    return Curve("sequence", {"lr": float(optimizer_lr), "parts": [
        {"schedule": "constant", "lr": 0.0, "steps": 1}, {"schedule": "cosine", **curve}]})


def range_test(args: dict[str, Any]) -> Curve:
    """LRRangeTest: lr_range_test_min_lr x (1 + step_rate x interval), the
    interval t / step_size (floored with staircase). Its constructor writes
    the value of interval 0 and ``step()`` k computes interval (k + 1) /
    step_size, so update t uses interval t / step_size."""
    low = args.get("lr_range_test_min_lr", 1e-3)
    if isinstance(low, (list, tuple)):
        raise Unsupported("LRRangeTest with a lr_range_test_min_lr per parameter group is not supported yet")
    size = args.get("lr_range_test_step_size", 2000)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise UsageError(f"lr_range_test_step_size {size!r}: DeepSpeed requires a positive integer")
    rate = float(number(args, "lr_range_test_step_rate", 1.0))
    if rate < 0:
        raise Unsupported(f"LRRangeTest with lr_range_test_step_rate {rate} < 0 (an lr falling through 0) "
                          "is not supported yet")
    staircase = args.get("lr_range_test_staircase", False)
    if not isinstance(staircase, bool):
        raise UsageError(f"lr_range_test_staircase {staircase!r}: expected true or false")
    return Curve("range-test", {"lr": float(number(args, "lr_range_test_min_lr", 1e-3)), "step_rate": rate,
                                "step_size": size, "staircase": staircase})


def scheduler(name: str, args: dict[str, Any], optimizer_lr: float | None = None, steps: int | None = None) -> Curve:
    """``steps``: how many updates will be drawn, when known (a schedule that
    turns back up past its end is refused there)."""
    if name not in SUPPORTED:
        raise Unsupported(f"DeepSpeed scheduler {name} is not supported yet ({', '.join(SUPPORTED)})")
    if name == "WarmupCosineLR":
        return _warmup_cosine(args, optimizer_lr, steps)
    if name == "OneCycle":
        return _one_cycle(args)
    if name == "LRRangeTest":
        return range_test(args)
    peak = args.get("warmup_max_lr")
    if peak is None and name == "WarmupDecayLR":
        peak = 0.001  # its constructor's default; only WarmupLR's is None, the optimizer's lr
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
