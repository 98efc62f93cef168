"""ESPnet's schedulers (``espnet2.schedulers``, 202511) as
``espnet2/train/trainer.py`` steps them.

Batch schedulers (``warmuplr``, ``noamlr``, ``piecewiselinearwarmuplr``)
step after every optimizer update, and compute from ``s = last_epoch + 1``:
update t uses step t + 1 (``step_offset 1``), so update 0 already has
``lr / W``. ``WarmupLR`` is ``lr * W**0.5 * min(s**-0.5, s * W**-1.5)``:
lrplot's ``noam`` with ``d_model`` 1 and lr x W**0.5; ``NoamLR`` is ``noam``
itself; ``PiecewiseLinearWarmupLR`` with knots ``[0, W]`` rising from 0 to
the optimizer's lr is ``WarmupLR(W)``.

Epoch schedulers (torch's ``exponentiallr``, ``steplr``, ``multisteplr``,
``cosineannealinglr``) step once at the end of every epoch: ``step_every`` =
updates per epoch; torch's cosine past ``T_max`` climbs back along the same
cosine (parts down and up). torch's batch schedulers ESPnet registers
(``cycliclr``, ``onecyclelr``, ``cosineannealingwarmrestarts``) step after
every update from their constructor's step 0, as torch counts them: update t
uses step t (``CyclicLR`` starts from its ``base_lr``, whatever the
optimizer's lr; ``OneCycleLR`` raises past ``total_steps``).
"""

from __future__ import annotations

import math
from typing import Any

from lrplot.errors import UsageError
from lrplot.frameworks import MAX_PARTS, Curve, Unsupported, number, sequence, whole

BATCH = ("warmuplr", "noamlr", "piecewiselinearwarmuplr", "warmupsteplr", "tristagelr", "exponentialdecaywarmup",
         "cosineannealingwarmuprestarts", "cycliclr", "onecyclelr", "cosineannealingwarmrestarts")
EPOCH = ("exponentiallr", "steplr", "multisteplr", "cosineannealinglr")


def _warmup(conf: dict[str, Any], key: str = "warmup_steps") -> int:
    value = number(conf, key, 25000)
    if float(value) != int(value) or value < 1:
        raise Unsupported(f"{key}={value} is not supported yet (a whole number of steps >= 1)")
    return int(value)


def scheduler(name: str, conf: dict[str, Any], lr: float, updates_per_epoch: int = 1, steps: int | None = None) -> Curve:
    """An ESPnet ``scheduler`` name (any case) with its ``scheduler_conf``,
    over an optimizer with ``lr``; ``steps``: the run's updates, when known
    (restarts are written out up to it)."""
    key = name.lower()
    if key in STATEFUL:
        return STATEFUL[key](conf, float(lr), steps)
    if key == "warmuplr":
        return _warmuplr(lr, _warmup(conf))
    if key == "noamlr":
        size = number(conf, "model_size", 320)
        if float(size) != int(size) or size < 1:
            raise Unsupported(f"NoamLR with model_size={size} is not supported yet (a whole number)")
        return Curve("noam", {"lr": float(lr), "d_model": int(size), "noam_warmup": _warmup(conf), "step_offset": 1})
    if key == "piecewiselinearwarmuplr":
        knots = list(conf.get("warmup_steps_list", [0, 25000]))
        values = [float(v) for v in conf.get("warmup_lr_list", [0.0, 0.001])]
        if len(knots) != 2 or knots[0] != 0 or values != [0.0, float(lr)]:
            return _piecewise_linear(knots, values, float(lr))
        return _warmuplr(lr, _warmup({"warmup_steps_list[1]": knots[1]}, "warmup_steps_list[1]"))
    if key in TORCH_BATCH:
        _fresh(name, conf)
        return TORCH_BATCH[key](conf, float(lr), steps)
    if key in EPOCH:
        params: dict[str, Any] = {"lr": float(lr)}
        if updates_per_epoch > 1:
            params["step_every"] = int(updates_per_epoch)
        _fresh(name, conf)
        if key == "cosineannealinglr":
            return _cosine_epochs(conf, params, steps and -(-steps // max(1, updates_per_epoch)))
        if key == "exponentiallr":
            return Curve("exponential", {**params, "decay_rate": float(number(conf, "gamma", None)), "decay_steps": 1})
        if key == "steplr":
            size = number(conf, "step_size", None)
            if float(size) != int(size) or size < 1:
                raise Unsupported(f"StepLR with step_size={size} is not supported yet")
            return Curve("step", {**params, "step_size": int(size), "gamma": float(number(conf, "gamma", 0.1))})
        milestones = sorted(int(m) for m in conf.get("milestones") or ())
        if not milestones:
            return Curve("constant", params)
        return Curve("multistep", {**params, "milestones": milestones, "gamma": float(number(conf, "gamma", 0.1))})
    if key in ("reducelronplateau", "warmupreducelronplateau"):
        raise Unsupported(f"scheduler {name} follows a validation metric: not supported yet")
    if key == "lambdalr":
        raise UsageError(f"scheduler {name} needs an lr_lambda function, which a YAML file cannot give (torch's "
                         "LambdaLR refuses to be built without it)")
    raise Unsupported(f"scheduler {name} is not supported yet ({', '.join(BATCH + EPOCH)})")


def _warmuplr(lr: float, warmup: int) -> Curve:
    return Curve("noam", {"lr": float(lr) * warmup**0.5, "d_model": 1, "noam_warmup": warmup, "step_offset": 1})


# ---------------------------------------------------------------- as sequence parts
# Update t of these batch schedulers uses s = t + 1 (their last_epoch + 1), or
# their own counters; each is written as parts over t, a part's step_offset
# turning its first update into the s its formula counts from.


def _line(start: float, end: float, length: int, offset: int, steps: int) -> dict[str, Any]:
    """``start`` to ``end`` over ``length`` steps of s, from s = offset."""
    top = end if end else start
    if not top:
        return {"schedule": "constant", "lr": 0.0, "steps": steps}
    return {"schedule": "linear", "lr": top, "start_factor": start / top, "end_factor": end / top,
            "total_steps": length, "step_offset": offset, "steps": steps}


def _piecewise_linear(knots: list[Any], values: list[float], lr: float) -> Curve:
    """PiecewiseLinearWarmupLR: np.interp(s, knots, values) up to the last knot,
    then lr x sqrt(last knot / s)."""
    if len(knots) != len(values) or len(knots) < 2:
        raise UsageError("PiecewiseLinearWarmupLR: warmup_steps_list and warmup_lr_list need the same length, >= 2")
    points = [whole({"warmup_steps_list": k}, "warmup_steps_list", None) for k in knots]
    if any(b <= a for a, b in zip(points, points[1:])):
        raise Unsupported("PiecewiseLinearWarmupLR with knots that do not increase is not supported yet")
    parts: list[dict[str, Any]] = []
    s = 1  # the s of the next update
    if points[0] > s:
        parts.append({"schedule": "constant", "lr": values[0], "steps": points[0] - s})
        s = points[0]
    for (a, b), (va, vb) in zip(zip(points, points[1:]), zip(values, values[1:])):
        if b <= s:
            continue
        parts.append(_line(va, vb, b - a, s - a, b - s))
        s = b
    last = points[-1]
    if s == last:  # np.interp gives the last value at the last knot itself
        parts.append({"schedule": "constant", "lr": values[-1], "steps": 1})
        s += 1
    parts.append({"schedule": "inverse-sqrt", "lr": lr, "timescale": last, "step_offset": s - last, "steps": 1})
    return sequence(lr, parts)


def _warmup_step(conf: dict[str, Any], lr: float, steps: int | None) -> Curve:
    """WarmupStepLR: s = t + 1; lr s / W while s <= W, then lr x gamma **
    ((s // steps_per_epoch - W // steps_per_epoch) // step_size)."""
    warmup = whole(conf, "warmup_steps", 25000, 1)
    epoch = whole(conf, "steps_per_epoch", 10000, 1)
    size = whole(conf, "step_size", 1, 1)
    gamma = float(number(conf, "gamma", 0.1))
    first = warmup // epoch
    power = ((warmup + 1) // epoch - first) // size  # at update W, s = W + 1
    period = epoch * size
    # The next decay comes at s = epoch x (first + (power + 1) x size), update s - 1.
    ahead = epoch * (first + (power + 1) * size) - 1 - warmup  # updates after W
    decays = {"schedule": "step", "lr": lr * gamma**power, "step_size": period, "gamma": gamma,
              "step_offset": period - ahead, "steps": 1}
    return sequence(lr, [_line(0.0, lr, warmup, 1, warmup), decays])


def _tristage(conf: dict[str, Any], lr: float, steps: int | None) -> Curve:
    """TristageLR: s = min(t + 1, max_steps); a linear warmup from
    init_lr_scale, a hold, then lr x exp(-decay_factor x (s - W - H))."""
    total = int(number(conf, "max_steps", 25000))
    ratios = [float(number(conf, key, default)) for key, default in
              (("warmup_ratio", 0.1), ("hold_ratio", 0.4), ("decay_ratio", 0.5))]
    start, final = float(number(conf, "init_lr_scale", 0.01)), float(number(conf, "final_lr_scale", 0.01))
    if not math.isclose(sum(ratios), 1.0) or not 0 < start <= 1 or not 0 < final <= 1 or total < 1:
        raise UsageError("TristageLR: the ratios must add up to 1 and the scales be in (0, 1] (ESPnet asserts)")
    warmup, hold = int(total * ratios[0]), int(total * ratios[1])
    decay = total - warmup - hold
    rate = -math.log(final) / decay if decay else 0.0
    parts: list[dict[str, Any]] = []
    s = 1
    if warmup > s:
        parts.append({"schedule": "linear", "lr": lr, "start_factor": start, "end_factor": 1.0,
                      "total_steps": warmup, "step_offset": s, "steps": warmup - s})
        s = warmup
    if warmup + hold > s:
        parts.append({"schedule": "constant", "lr": lr, "steps": warmup + hold - s})
        s = warmup + hold
    if total >= s:
        offset = s - warmup - hold
        parts.append({"schedule": "natural-exp", "lr": lr, "decay_rate": rate, "decay_steps": 1,
                      "step_offset": offset, "steps": total - s + 1})
        held = lr * math.exp(-rate * (total - warmup - hold))
    else:  # the run of s is capped at max_steps before the decay began
        held = parts[-1]["lr"] if parts[-1]["schedule"] == "constant" else lr
    parts.append({"schedule": "constant", "lr": held, "steps": 1})
    return sequence(lr, parts)


def _exponential_decay_warmup(conf: dict[str, Any], lr: float, steps: int | None) -> Curve:
    """ExponentialDecayWarmup: update 0 has 0 (warm_from_zero) or max_lr;
    update t >= 1 uses t: max_lr (t + 1) / W or the optimizer's lr during the warmup,
    then max_lr x exp(log(min_lr / max_lr) x (t - W) / (total_steps - W))."""
    peak, low = float(number(conf, "max_lr", None)), float(number(conf, "min_lr", None))
    total, warmup = whole(conf, "total_steps", None, 1), whole(conf, "warmup_steps", 0)
    if warmup >= total or peak <= 0 or low <= 0:
        raise UsageError("ExponentialDecayWarmup: warmup_steps < total_steps and positive rates (ESPnet asserts)")
    from_zero = bool(conf.get("warm_from_zero", False))
    parts: list[dict[str, Any]] = [{"schedule": "constant", "lr": 0.0 if from_zero else peak, "steps": 1}]
    if warmup > 1:
        # Not from zero it returns base_lrs, which torch's constructor reset to the optimizer's lr.
        parts.append(_line(0.0, peak, warmup, 2, warmup - 1) if from_zero else
                     {"schedule": "constant", "lr": lr, "steps": warmup - 1})
    parts.append({"schedule": "natural-exp", "lr": peak, "decay_rate": -math.log(low / peak),
                  "decay_steps": total - warmup, "step_offset": max(1, warmup) - warmup, "steps": 1})
    return sequence(peak, parts)


def _cosine_restarts(conf: dict[str, Any], lr: float, steps: int | None) -> Curve:
    """CosineAnnealingWarmupRestarts: update 0 has min_lr; update t is step t of
    the cycles, each a linear warmup from min_lr to its max_lr (max_lr x
    gamma ** cycle) then a cosine back; cycle lengths int((L - W) x cycle_mult) + W."""
    first = whole(conf, "first_cycle_steps", None, 1)
    mult, gamma = float(number(conf, "cycle_mult", 1.0)), float(number(conf, "gamma", 1.0))
    peak, low = float(number(conf, "max_lr", 0.1)), float(number(conf, "min_lr", 0.001))
    warmup = whole(conf, "warmup_steps", 0)
    if warmup >= first:
        raise UsageError("CosineAnnealingWarmupRestarts: warmup_steps < first_cycle_steps (ESPnet asserts)")
    if steps is None:
        raise Unsupported("CosineAnnealingWarmupRestarts without a known run length is not supported yet")
    parts: list[dict[str, Any]] = []
    done, length, cycle = 0, first, 0
    while done < steps:
        if length - warmup < 1:
            raise Unsupported("CosineAnnealingWarmupRestarts with cycles shorter than the warmup is not supported yet")
        top = peak * gamma**cycle
        skip = 1 if done == 0 else 0  # update 0 is min_lr whatever the cycle says
        if skip:
            parts.append({"schedule": "constant", "lr": low, "steps": 1})
        if warmup > skip:
            parts.append(_line(low, top, warmup, skip, warmup - skip))
        if length > max(warmup, skip):  # a one-step first cycle is all update 0
            parts.append({"schedule": "cosine", "lr": top, "end_lr": low, "decay_steps": length - warmup,
                          "step_offset": max(0, skip - warmup), "steps": length - max(warmup, skip)})
        done += length
        cycle += 1
        length = int((length - warmup) * mult) + warmup
        if len(parts) > MAX_PARTS:
            raise Unsupported(f"CosineAnnealingWarmupRestarts with more than {MAX_PARTS:,} parts is not supported yet")
    return sequence(low, parts)


# ---------------------------------------------------------------- torch's schedulers


def _fresh(name: str, conf: dict[str, Any]) -> None:
    """Refuse a resumed scheduler (``last_epoch`` other than -1)."""
    if conf.get("last_epoch", -1) != -1:
        raise Unsupported(f"{name} with last_epoch={conf['last_epoch']!r} is not supported yet")


def _rate(conf: dict[str, Any], key: str, default: Any = None) -> float:
    """A learning rate of the conf: one number (a list is one per parameter group)."""
    if isinstance(conf.get(key), (list, tuple)):
        raise Unsupported(f"{key} per parameter group ({conf[key]!r}) is not supported yet")
    if conf.get(key, default) is None:
        raise UsageError(f"{key} is not set (torch needs it)")
    return float(number(conf, key, default))


def _momentum(conf: dict[str, Any], default_base: float, default_max: float) -> dict[str, Any]:
    return {"cycle_momentum": bool(conf.get("cycle_momentum", True)),
            "base_momentum": float(number(conf, "base_momentum", default_base)),
            "max_momentum": float(number(conf, "max_momentum", default_max))}


def _cosine_epochs(conf: dict[str, Any], params: dict[str, Any], epochs: int | None) -> Curve:
    """CosineAnnealingLR(T_max, eta_min), one step per epoch: down to eta_min
    over T_max epochs, then (torch's recursive form) back up over the next
    T_max, and so on."""
    if conf.get("T_max") is None:
        raise UsageError("CosineAnnealingLR needs T_max (torch has no default)")
    length = whole(conf, "T_max", None, 1, "CosineAnnealingLR")
    low, top = float(number(conf, "eta_min", 0.0)), params["lr"]
    if epochs is None or epochs <= length + 1:
        return Curve("cosine", {**params, "decay_steps": length, "end_lr": low})
    every = params.get("step_every", 1)
    parts, done, down = [], 0, True
    while done < epochs:
        start, end = (top, low) if down else (low, top)
        parts.append({"schedule": "cosine", **params, "lr": start, "decay_steps": length, "end_lr": end,
                      "steps": length * every})
        done, down = done + length, not down
        if len(parts) > MAX_PARTS:
            raise Unsupported(f"CosineAnnealingLR past T_max ({length} epochs) more than {MAX_PARTS:,} times "
                              "is not supported yet")
    return sequence(top, parts)


def _cyclic(conf: dict[str, Any], lr: float, steps: int | None) -> Curve:
    """CyclicLR: its constructor sets the lr to base_lr (the optimizer's lr is not used)."""
    mode = conf.get("mode", "triangular")
    if mode not in ("triangular", "triangular2", "exp_range"):
        raise UsageError(f"CyclicLR mode {mode!r}: torch knows triangular, triangular2, exp_range")
    if conf.get("scale_fn") is not None:
        raise UsageError("CyclicLR scale_fn is a function, which a YAML file cannot give")
    up = number(conf, "step_size_up", 2000)
    down = None if conf.get("step_size_down") is None else number(conf, "step_size_down", None)
    if float(up) + float(up if down is None else down) <= 0 or float(up) < 0 or (down is not None and down < 0):
        raise UsageError("CyclicLR: step_size_up and step_size_down must be >= 0 with a cycle longer than 0 "
                         "(torch divides by the cycle)")
    params: dict[str, Any] = {"lr": _rate(conf, "max_lr"), "base_lr": _rate(conf, "base_lr"), "step_size_up": up,
                              "step_size_down": up if down is None else down, "mode": mode,
                              "gamma": float(number(conf, "gamma", 1.0)), **_momentum(conf, 0.8, 0.9)}
    if conf.get("scale_mode", "cycle" if mode != "exp_range" else "iterations") != (
            "cycle" if mode != "exp_range" else "iterations"):
        raise Unsupported(f"CyclicLR with scale_mode {conf['scale_mode']!r} for mode {mode} is not supported yet")
    return Curve("cyclic", params)


def _onecycle(conf: dict[str, Any], lr: float, steps: int | None) -> Curve:
    """OneCycleLR: total_steps, or epochs x steps_per_epoch; torch raises when
    stepped past it, which ESPnet does after update total_steps."""
    total = conf.get("total_steps")
    if total is None:
        if conf.get("epochs") is None or conf.get("steps_per_epoch") is None:
            raise UsageError("OneCycleLR needs total_steps, or epochs and steps_per_epoch (torch raises)")
        total = whole(conf, "epochs", None, 1, "OneCycleLR") * whole(conf, "steps_per_epoch", None, 1, "OneCycleLR")
    else:
        total = whole(conf, "total_steps", None, 1, "OneCycleLR")
    if steps is not None and steps > total:
        raise UsageError(f"OneCycleLR total_steps {total}: torch raises \"Tried to step {total + 1} times\" after "
                         f"update {total} of the run's {steps}")
    pct = float(number(conf, "pct_start", 0.3))
    anneal = conf.get("anneal_strategy", "cos")
    if not 0 <= pct <= 1 or anneal not in ("cos", "linear"):
        raise UsageError("OneCycleLR: pct_start in [0, 1] and anneal_strategy cos or linear (torch raises)")
    three = bool(conf.get("three_phase", False))
    rise = pct * total - 1
    if rise == 0 or (three and 2 * pct * total - 2 == rise) or (not three and total - 1 == rise):
        raise UsageError(f"OneCycleLR pct_start {pct} of {total} steps: a phase of 0 steps, which torch divides by")
    return Curve("onecycle", {"lr": _rate(conf, "max_lr"), "total_steps": total, "pct_start": pct, "anneal": anneal,
                              "div_factor": float(number(conf, "div_factor", 25.0)),
                              "final_div_factor": float(number(conf, "final_div_factor", 1e4)),
                              "three_phase": three, **_momentum(conf, 0.85, 0.95)})


def _warm_restarts(conf: dict[str, Any], lr: float, steps: int | None) -> Curve:
    """CosineAnnealingWarmRestarts(T_0, T_mult, eta_min), stepped without an epoch: SGDR per update."""
    first = whole(conf, "T_0", None, 1, "CosineAnnealingWarmRestarts")
    mult = whole(conf, "T_mult", 1, 1, "CosineAnnealingWarmRestarts")
    return Curve("cosine-restarts", {"lr": float(lr), "first_decay_steps": first, "t_mul": float(mult),
                                     "end_lr": float(number(conf, "eta_min", 0.0))})


TORCH_BATCH = {
    "cycliclr": _cyclic,
    "onecyclelr": _onecycle,
    "cosineannealingwarmrestarts": _warm_restarts,
}

STATEFUL = {
    "warmupsteplr": _warmup_step,
    "tristagelr": _tristage,
    "exponentialdecaywarmup": _exponential_decay_warmup,
    "cosineannealingwarmuprestarts": _cosine_restarts,
}
