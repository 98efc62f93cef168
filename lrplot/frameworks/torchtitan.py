"""torchtitan's learning-rate schedule as its trainer steps it.

torchtitan 0.1 - 0.3 (``[lr_scheduler]``; ``LRSchedulersContainer`` /
``build_lr_schedulers``) wraps ``linear_warmup_stable_decay`` in a torch
``LambdaLR`` and steps it after every update, so update t uses the factor of
step t:

- warmup, t < W: ``(t + 1) / W`` -- the lambda adds 1 to its 0-indexed step,
  which is lrplot's ``step_offset 1`` (update 0 already has lr / W, update
  W - 1 the full lr);
- then ``stable = T + 1 - W - D`` steps at lr (the "+1" is torchtitan's
  virtual last step, so the decay never reaches its floor within the run);
- then ``min_lr_factor + (1 - min_lr_factor) * shape(p)`` with
  ``p = (t + 1 - W - stable) / D``, shape ``linear`` 1 - p, ``sqrt``
  1 - sqrt(p), ``cosine`` (1 + cos(pi p)) / 2.

``D = round(T * decay_ratio)`` (Python's round, half to even) or ``T - W``,
cut to ``T - W``; ``W`` is cut to ``T``. With the offset, lrplot's ``wsd``
counts ``T + 1 - W`` steps after the warmup and decays over the last D of
them: the same p at every update t <= T. Past T torchtitan's p exceeds 1 (the
factor leaves [min_lr_factor, 1]; with D = 0 the lambda raises), which lrplot
does not draw: :func:`lr_scheduler` refuses more than T + 1 updates.

The legacy layout (``warmup_steps`` in ``[training]``, no ``[lr_scheduler]``,
torchtitan's ``lr_scheduling.py`` of mid-2024) is :func:`legacy`: warmup
``(t + 1) / (W + 1)``, then ``1 - (t - W) / max(1, T - W)``.
"""

from __future__ import annotations

from typing import Any

from lrplot.frameworks import Curve, Unsupported, number

DECAY_SHAPES = {"linear": "linear", "sqrt": "1-sqrt", "cosine": "cosine"}
# LRScheduler's defaults (torchtitan 0.1 - 0.3).
DEFAULTS = {"warmup_steps": 200, "decay_ratio": None, "decay_type": "linear", "min_lr_factor": 0.0}


def resolve(args: dict[str, Any], training_steps: int) -> tuple[int, int, int]:
    """``(T, W, D)`` exactly as torchtitan's builder computes them."""
    total = args.get("total_steps")
    total = training_steps if total is None else _whole(args, "total_steps")
    if total < 1:
        raise Unsupported(f"total_steps {total}: torchtitan needs at least 1 step")
    warmup = int(number(args, "warmup_steps", DEFAULTS["warmup_steps"]))
    if warmup < 0:
        raise Unsupported(f"warmup_steps {warmup} is negative")
    warmup = min(warmup, total)  # torchtitan warns and cuts the warmup to the run
    ratio = args.get("decay_ratio")
    if ratio is None:
        decay = total - warmup
    else:
        ratio = number(args, "decay_ratio", None)
        if not 0 <= ratio <= 1:
            raise Unsupported(f"decay_ratio {ratio} is not a fraction in [0, 1]")
        decay = min(round(total * ratio), total - warmup)  # round: half to even, as torchtitan's Python does
    return total, warmup, decay


def lr_scheduler(args: dict[str, Any], lr: float, training_steps: int, updates: int | None = None) -> Curve:
    """``[lr_scheduler]`` (``warmup_steps``, ``decay_ratio``, ``decay_type``,
    ``min_lr_factor`` or 0.1's ``lr_min``, ``total_steps``) for a run of
    ``training_steps``, drawn for ``updates`` updates (default: the run)."""
    if args.get("min_lr_factor") is not None and args.get("lr_min") is not None:
        raise Unsupported("both min_lr_factor and lr_min are set: torchtitan 0.1 reads lr_min, later ones min_lr_factor")
    floor_key = "lr_min" if args.get("lr_min") is not None else "min_lr_factor"
    floor = float(number(args, floor_key, DEFAULTS["min_lr_factor"]))
    kind = args.get("decay_type", DEFAULTS["decay_type"])
    if kind not in DECAY_SHAPES:
        raise Unsupported(f"decay_type {kind!r} is not one of {', '.join(DECAY_SHAPES)}")
    total, warmup, decay = resolve(args, training_steps)
    updates = training_steps if updates is None else updates
    if updates > total + 1:
        # torchtitan's factor past the schedule's end: below min_lr_factor (linear
        # goes negative), back up (cosine), or an AssertionError (no decay).
        raise Unsupported(
            f"{updates} updates past the schedule's {total} steps (total_steps shorter than the run) "
            "is not supported yet"
        )
    params: dict[str, Any] = {"lr": float(lr), "step_offset": 1}
    if warmup:
        params.update(warmup_steps=warmup, warmup_start_lr=0.0)
    if decay == 0:  # only warmup and the stable lr within the run
        return Curve("constant", params)
    # With step_offset 1 the schedule counts total + 1 - warmup steps after the
    # warmup (the "virtual last step"); the decay ends there.
    stable = max(0, total + 1 - warmup - decay)
    return Curve("wsd", {**params, "decay_steps": decay, "end_lr": floor * lr, "decay_shape": DECAY_SHAPES[kind],
                         "stable_steps": stable})


def legacy(warmup_steps: Any, lr: float, training_steps: int) -> Curve:
    """``linear_warmup_linear_decay`` (torchtitan/lr_scheduling.py, 2024):
    factor ``(t + 1) / (W + 1)`` for t < W, then ``1 - (t - W) / D`` with
    ``D = max(1, T - W)``; the last update keeps 1 / D of lr."""
    warmup = int(number({"warmup_steps": warmup_steps}, "warmup_steps", 200))
    if warmup < 0:
        raise Unsupported(f"warmup_steps {warmup} is negative")
    decay = max(1, training_steps - warmup)
    params: dict[str, Any] = {"lr": float(lr)}
    if warmup:
        # (t + 1) / (W + 1) is lrplot's linear ramp over W + 1 steps seen one step on.
        params.update(warmup_steps=warmup + 1, warmup_start_lr=0.0, step_offset=1)
    return Curve("polynomial", {**params, "decay_steps": decay, "end_lr": 0.0, "power": 1.0})


def _whole(args: dict[str, Any], key: str) -> int:
    value = number(args, key, None)
    if value != int(value):
        raise Unsupported(f"{key} {value} is not a whole number of steps")
    return int(value)
