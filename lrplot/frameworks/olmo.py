"""OLMo's schedulers (``olmo.optim``, ai2-olmo 0.6) as its trainer steps them.

``Trainer.fit`` adds 1 to ``global_step`` (and the batch's tokens to
``global_train_tokens_seen``) before ``train_step``, which sets the lr to
``scheduler.get_lr(lr, scheduler_current, scheduler_max)``: update t uses
step t + 1 (``step_offset 1``), and step 0 -- the warmup's start -- is never
used. With ``units: tokens`` the clock is tokens, ``(t + 1)`` x tokens per
update; lrplot counts updates, so every token length must be a whole number
of updates, except the cosine's ``t_max`` (a fractional ``decay_steps``).

The schedulers, for step s: a warmup ``warmup_min_lr + (lr - warmup_min_lr)
* s / W`` for s < W (``warmup_min_lr`` unset: 10% of lr), then cosine / linear
to ``alpha_f * lr`` at ``t_max`` (else the run's end) and that floor after
it (``CosLinearEnvelope``: the cosine above the floor times ``1 - x``),
``lr * sqrt(W / s)``, or lr.
"""

from __future__ import annotations

from typing import Any

from lrplot.frameworks import Curve, Unsupported, number

# olmo.config.SchedulerType -> the olmo.optim class build_scheduler makes of it.
CLASSES = {
    "cosine_with_warmup": "CosWithWarmup",
    "linear_with_warmup": "LinearWithWarmup",
    "inverse_sqrt_with_warmup": "InvSqrtWithWarmup",
    "constant": "ConstantScheduler",
    "constant_with_warmup": "ConstantWithWarmupScheduler",
    "cosine_linear_envelope": "CosLinearEnvelope",
    "max_scheduler": "MaxScheduler",
}
SUPPORTED = ("CosWithWarmup", "LinearWithWarmup", "InvSqrtWithWarmup", "ConstantScheduler", "ConstantWithWarmupScheduler",
             "CosLinearEnvelope")


def scheduler(
    name: str, args: dict[str, Any], lr: float, scheduler_max: int, unit: int = 1, warmup_key: str = "warmup_steps"
) -> Curve:
    """The ``olmo.optim`` class ``name`` with its fields (``warmup_steps``,
    ``alpha_f``, ``t_max``, ``warmup_min_lr``, in the scheduler's units),
    stepped by ``Trainer.fit`` with ``scheduler_max`` (``max_steps``, or
    ``max_tokens`` with ``unit`` tokens per update). ``warmup_key``: the
    warmup's name in messages (the config's ``t_warmup``)."""
    if name not in SUPPORTED:
        raise Unsupported(f"OLMo scheduler {name} is not supported yet ({', '.join(SUPPORTED)})")
    params: dict[str, Any] = {"lr": float(lr), "step_offset": 1}
    if name == "ConstantScheduler":  # no warmup: warmup_min_lr is not read
        return Curve("constant", params)
    warmup = _updates(number(args, "warmup_steps", None), unit, warmup_key)
    if warmup < 0:
        raise Unsupported(f"{warmup_key} {warmup} is negative")
    low = args.get("warmup_min_lr")
    low = 0.1 * lr if low is None else float(number(args, "warmup_min_lr", None))
    if warmup >= 2 and not 0 <= low < lr:
        # Update 0 uses step 1 < warmup_steps, where OLMo asserts this.
        raise Unsupported(f"warmup_min_lr {low!r} is not in [0, learning rate {lr!r}): OLMo's warmup asserts it")
    if warmup:
        # A 1-step warmup never shows (update 0 is step 1) but still shifts the
        # schedule's clock by one, as OLMo's ``step - warmup_steps`` does.
        params.update(warmup_steps=warmup, warmup_start_lr=low)
    if name == "ConstantWithWarmupScheduler":
        return Curve("constant", params)
    if name == "InvSqrtWithWarmup":
        if warmup == 0:  # lr * sqrt(0 / step): 0 at every update
            return Curve("piecewise", {**params, "boundaries": [1], "values": [0.0, 0.0]})
        return Curve("inverse-sqrt", {**params, "timescale": warmup})
    floor = float(number(args, "alpha_f", 0.1))
    if floor < 0:
        raise Unsupported(f"alpha_f {floor} is negative")
    # The cosine's length may fall between updates (t_max in tokens): its clock is exact in updates.
    end = _updates(number(args, "t_max", scheduler_max), unit, "t_max" if args.get("t_max") is not None else "the run",
                   fraction=name in ("CosWithWarmup", "CosLinearEnvelope"))
    if end <= warmup:
        # Past the warmup the step is already at t_max: the floor, reached right after the ramp to lr.
        low_lr = floor * lr
        return Curve("piecewise", {**params, "boundaries": [1], "values": [low_lr, low_lr], "warmup_target": "lr"})
    decay = {"decay_steps": end - warmup, "end_lr": floor * lr}
    if name == "CosWithWarmup":
        return Curve("cosine", {**params, **decay})
    if name == "CosLinearEnvelope":
        return Curve("cosine-linear-envelope", {**params, **decay})
    return Curve("polynomial", {**params, **decay, "power": 1.0})


def from_config(section: dict[str, Any], lr: float, scheduler_max: int, unit: int = 1) -> Curve:
    """OLMo's ``scheduler:`` section as ``build_scheduler`` reads it
    (``name``, ``t_warmup``, ``t_max``, ``alpha_f``, ``warmup_min_lr``)."""
    name = section.get("name", "cosine_with_warmup")
    if name not in CLASSES:
        raise Unsupported(f"name {name!r} is not an OLMo scheduler ({', '.join(CLASSES)})")
    args = {
        # build_scheduler truncates t_warmup and t_max with int().
        "warmup_steps": int(number(section, "t_warmup", 100)),
        "alpha_f": section.get("alpha_f", 0.1),
        "t_max": None if section.get("t_max") is None else int(number(section, "t_max", None)),
        "warmup_min_lr": section.get("warmup_min_lr"),
    }
    return scheduler(CLASSES[name], args, lr, scheduler_max, unit, warmup_key="t_warmup")


def _updates(value: Any, unit: int, key: str, fraction: bool = False) -> int | float:
    """``value`` (steps, or tokens with ``unit`` tokens per update) in updates;
    a fraction of an update only where ``fraction`` allows it."""
    value = int(value)
    if value % unit and fraction:
        return value / unit
    if value % unit:
        raise Unsupported(
            f"{key} {value} tokens is not a whole number of updates of {unit} tokens "
            f"({value / unit:.6g}): not supported yet"
        )
    return value // unit
