"""ESPnet's schedulers (``espnet2.schedulers``, 202511) as
``espnet2/train/trainer.py`` steps them.

Batch schedulers (``warmuplr``, ``noamlr``, ``piecewiselinearwarmuplr``)
step after every optimizer update, and compute from ``s = last_epoch + 1``:
update t uses step t + 1 (``step_offset 1``), so update 0 already has
``lr / W``. ``WarmupLR`` is ``lr * W**0.5 * min(s**-0.5, s * W**-1.5)``:
lrplot's ``noam`` with ``d_model`` 1 and lr x W**0.5; ``NoamLR`` is ``noam``
itself; ``PiecewiseLinearWarmupLR`` with knots ``[0, W]`` rising from 0 to
the optimizer's lr is ``WarmupLR(W)``.

Epoch schedulers (torch's ``exponentiallr``, ``steplr``, ``multisteplr``)
step once at the end of every epoch: ``step_every`` = updates per epoch.
"""

from __future__ import annotations

from typing import Any

from lrplot.frameworks import Curve, Unsupported, number

BATCH = ("warmuplr", "noamlr", "piecewiselinearwarmuplr")
EPOCH = ("exponentiallr", "steplr", "multisteplr")


def _warmup(conf: dict[str, Any], key: str = "warmup_steps") -> int:
    value = number(conf, key, 25000)
    if float(value) != int(value) or value < 1:
        raise Unsupported(f"{key}={value} is not supported yet (a whole number of steps >= 1)")
    return int(value)


def scheduler(name: str, conf: dict[str, Any], lr: float, updates_per_epoch: int = 1) -> Curve:
    """An ESPnet ``scheduler`` name (any case) with its ``scheduler_conf``,
    over an optimizer with ``lr``."""
    key = name.lower()
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
            raise Unsupported("PiecewiseLinearWarmupLR other than warmup_steps_list [0, W] with warmup_lr_list "
                              "[0, the optimizer's lr] is not supported yet")
        return _warmuplr(lr, _warmup({"warmup_steps_list[1]": knots[1]}, "warmup_steps_list[1]"))
    if key in EPOCH:
        params: dict[str, Any] = {"lr": float(lr)}
        if updates_per_epoch > 1:
            params["step_every"] = int(updates_per_epoch)
        for neutral in ("last_epoch",):
            if conf.get(neutral, -1) != -1:
                raise Unsupported(f"{name} with {neutral}={conf[neutral]!r} is not supported yet")
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
    raise Unsupported(f"scheduler {name} is not supported yet ({', '.join(BATCH + EPOCH)})")


def _warmuplr(lr: float, warmup: int) -> Curve:
    return Curve("noam", {"lr": float(lr) * warmup**0.5, "d_model": 1, "noam_warmup": warmup, "step_offset": 1})
