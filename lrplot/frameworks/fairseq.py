"""fairseq's schedulers (``fairseq.optim.lr_scheduler``, 0.12.2) as its trainer steps them.

The trainer calls ``step_update(0)`` when it builds the scheduler and
``step_update(t + 1)`` after update t, so update t runs at ``step_update(t)``:
the schedules below are written on that clock. ``cfg.lr`` is a list (one lr
per epoch for the schedulers that read it); lrplot draws one value.

- ``polynomial_decay``: the warmup factor is ``t / warmup_updates`` up to and
  including ``warmup_updates``, so update 0 runs at lr 0.
- ``cosine``: SGDR restarts every ``lr_period_updates`` (else ``max_update -
  warmup_updates``), each period ``t_mult`` times longer and ``lr_shrink``
  times lower, the floor ``min_lr`` shrunk with it.
- ``inverse_sqrt``: ``lr * sqrt(warmup_updates / t)`` after the warmup.
- ``fixed`` (fairseq's default): ``lr * (t + 1) / warmup_updates`` while
  ``t < warmup_updates``, then lr.
- ``tri_stage``: warmup, hold at lr, then ``lr * exp(-k s)`` with
  ``k = -ln(final_lr_scale) / decay_steps`` for s up to and including
  ``decay_steps``; then ``final_lr_scale * lr``.
"""

from __future__ import annotations

import math
from typing import Any

from lrplot.errors import UsageError
from lrplot.frameworks import Curve, Unsupported, number, only

SUPPORTED = ("polynomial_decay", "cosine", "inverse_sqrt", "tri_stage", "fixed")


def scheduler(name: str, args: dict[str, Any], updates: int | None = None) -> Curve:
    """fairseq scheduler ``name`` with its config ``args`` (``lr`` a list, as
    in fairseq), drawn for a run of ``updates`` updates (None: not known)."""
    if name not in SUPPORTED:
        raise Unsupported(f"fairseq scheduler {name} is not supported yet ({', '.join(SUPPORTED)})")
    lr = _single_lr(args, name)
    if name == "polynomial_decay":
        return _polynomial_decay(args, lr)
    if name == "cosine":
        return _cosine(args, lr, updates)
    if name == "inverse_sqrt":
        return _inverse_sqrt(args, lr)
    if name == "fixed":
        return _fixed(args, lr)
    return _tri_stage(args, lr, updates)


def _single_lr(args: dict[str, Any], name: str) -> float:
    value = args.get("lr", [0.25])  # optimization.lr's default
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            # polynomial_decay takes lr[epoch]; the others reject several values.
            raise Unsupported(f"{name} with several learning rates ({list(value)}) is not supported yet")
        if not value:
            raise UsageError("lr: an empty list")
        value = value[0]
    return float(number({"lr": value}, "lr", None))


def _whole(args: dict[str, Any], key: str, default: int) -> int:
    value = number(args, key, default)
    if float(value) != int(value):
        raise Unsupported(f"{key}={value} (not a whole number of updates) is not supported yet")
    return int(value)


def _polynomial_decay(args: dict[str, Any], lr: float) -> Curve:
    only(args, "force_anneal", None, "polynomial_decay")
    warmup = _whole(args, "warmup_updates", 0)
    total = _whole(args, "total_num_update", 1000000)
    end = float(number(args, "end_learning_rate", 0.0))
    power = float(number(args, "power", 1.0))
    if total <= 0:
        raise UsageError(f"total_num_update={total}: fairseq asserts it is > 0")
    # With a warmup, step_update(0) sets warmup factor 0 / warmup_updates.
    params: dict[str, Any] = {"lr": lr}
    if warmup > 0:
        params.update(warmup_steps=warmup, warmup_start_lr=0.0)
    if total <= warmup:
        # The warmup reaches lr at warmup_updates (inclusive); every later
        # update is past total_num_update: end_learning_rate.
        return Curve("piecewise", {**params, "boundaries": [1], "values": [lr, end], "warmup_target": "lr"})
    return Curve("polynomial", {**params, "decay_steps": total - warmup, "end_lr": end, "power": power})


def _cosine(args: dict[str, Any], lr: float, updates: int | None) -> Curve:
    warmup = _whole(args, "warmup_updates", 0)
    low = float(number(args, "min_lr", 0.0))
    start = float(number(args, "warmup_init_lr", -1))
    if start < 0:
        start = low  # fairseq: warmup_init_lr unset (-1) starts at min_lr
    t_mult = float(number(args, "t_mult", 1.0))
    shrink = float(number(args, "lr_shrink", 0.1))
    if lr <= low:
        raise UsageError(f"lr {lr} must be more than min_lr {low} (fairseq asserts)")
    period = number(args, "lr_period_updates", -1)
    if period <= 0:
        max_update = number(args, "max_update", 0)
        if max_update <= 0:
            raise UsageError("cosine needs max_update or lr_period_updates (fairseq asserts)")
        period = max_update - warmup
        if period <= 0:
            raise UsageError(f"max_update {max_update} - warmup_updates {warmup} leaves no cosine period")
    if float(period) != int(period):
        raise Unsupported(f"cosine with a fractional period ({period} updates) is not supported yet")
    period = int(period)
    if t_mult < 1.0:
        # Periods shrinking by t_mult add up to period / (1 - t_mult) updates; past them the argument of
        # fairseq's math.log(1 - c / period * (1 - t_mult), t_mult) is <= 0. Before them the cycles start
        # between updates, which lrplot's restarts (t_mul >= 1) and parts (whole offsets) cannot phase.
        limit = period / (1.0 - t_mult)
        if updates is not None and updates - warmup >= limit:  # step_update(updates) follows the last update
            raise UsageError(f"cosine with t_mult={t_mult}: its periods add up to {limit:g} updates after the warmup, "
                             f"and fairseq's math.log fails (math domain error) at step_update({warmup + math.ceil(limit)})")
        raise Unsupported(f"cosine with t_mult={t_mult} (periods that shrink, restarting between updates) "
                          "is not supported yet")
    restarts = updates is None or updates > warmup + period
    if low > 0 and shrink != 1.0 and restarts:
        # fairseq multiplies min_lr by lr_shrink**i too; lrplot's restarts keep one floor.
        raise Unsupported(f"cosine restarts with min_lr={low} and lr_shrink={shrink} (each restart shrinks the "
                          "floor too) are not supported yet")
    params: dict[str, Any] = {"lr": lr, "first_decay_steps": period, "t_mul": t_mult, "m_mul": shrink,
                              "end_lr": low}
    if warmup > 0:
        params.update(warmup_steps=warmup, warmup_start_lr=start)
    return Curve("cosine-restarts", params)


def _inverse_sqrt(args: dict[str, Any], lr: float) -> Curve:
    warmup = _whole(args, "warmup_updates", 4000)
    if warmup <= 0:
        raise Unsupported(f"inverse_sqrt with warmup_updates={warmup} is not supported (fairseq divides by it)")
    start = float(number(args, "warmup_init_lr", -1))
    if start < 0:
        start = 0.0  # fairseq: unset (-1) with a warmup starts at 0
    # After the warmup lr * sqrt(W) / sqrt(t) = lr * sqrt(W / ((t - W) + W)).
    return Curve("inverse-sqrt", {"lr": lr, "timescale": warmup, "warmup_steps": warmup, "warmup_start_lr": start})


def _fixed(args: dict[str, Any], lr: float) -> Curve:
    # FixedLRSchedule.step_update(t): warmup factor (t + 1) / warmup_updates while t < warmup_updates.
    # Its step_begin_epoch takes lr[epoch - 1], or lr_shrink powers from force_anneal on: per epoch.
    if args.get("force_anneal") is not None:
        raise Unsupported("fixed with force_anneal (lr_shrink every epoch from then on) is not supported yet")
    warmup = _whole(args, "warmup_updates", 0)
    if warmup == 0:
        return Curve("constant", {"lr": lr})
    return Curve("constant", {"lr": lr, "warmup_steps": warmup, "warmup_start_lr": 0.0, "step_offset": 1})


def _tri_stage(args: dict[str, Any], lr: float, updates: int | None) -> Curve:
    ratio = args.get("phase_ratio")
    if ratio is not None:
        max_update = number(args, "max_update", 0)
        if max_update <= 0:
            raise UsageError("tri_stage phase_ratio needs max_update > 0 (fairseq asserts)")
        if len(ratio) != 3 or sum(ratio) != 1:
            raise UsageError(f"phase_ratio {list(ratio)}: three ratios adding up to 1 (fairseq asserts)")
        warmup, hold, decay = (int(max_update * part) for part in ratio)
    else:
        warmup, hold, decay = (_whole(args, key, 0) for key in ("warmup_steps", "hold_steps", "decay_steps"))
    if decay <= 0:
        raise Unsupported(f"tri_stage with decay_steps={decay} is not supported (fairseq divides by it)")
    final_scale = float(number(args, "final_lr_scale", 0.01))
    if final_scale <= 0:
        raise UsageError(f"final_lr_scale={final_scale}: fairseq takes its logarithm")
    decay_end = warmup + hold + decay  # the last update still on the decay (inclusive)
    # natural-exp with decay_steps 1: lr * exp(-rate * s), s counting updates into the decay.
    params: dict[str, Any] = {"lr": lr, "decay_rate": -math.log(final_scale) / decay, "decay_steps": 1}
    if warmup > 0:
        params.update(warmup_steps=warmup, warmup_start_lr=float(number(args, "init_lr_scale", 0.01)) * lr,
                      warmup_hold=hold)
    elif hold > 0:
        params["step_offset"] = -hold  # the decay's step 0 (lr) held for the hold
    if updates is None or updates - 1 > decay_end:
        # Past its decay fairseq holds final_lr_scale x lr.
        return Curve("sequence", {"lr": lr, "parts": [{"schedule": "natural-exp", **params, "steps": decay_end + 1},
                                                       {"schedule": "constant", "lr": final_scale * lr}]})
    return Curve("natural-exp", params)
