"""A detectron2 LazyConfig's ``lr_multiplier`` as lrplot curves.

detectron2's tools/lazyconfig_train_net.py registers
``hooks.LRScheduler(scheduler=instantiate(cfg.lr_multiplier))``; the hook
wraps a ``ParamScheduler`` in ``LRMultiplier(optimizer, multiplier,
max_iter=train.max_iter)`` and steps it after every iteration, so iteration
t runs at ``optimizer.lr x multiplier(t / max_iter)``. ``multiplier`` is an
fvcore scheduler, usually inside detectron2's ``WarmupParamScheduler`` (a
``CompositeParamScheduler``: a rescaled warmup from ``warmup_factor x
scheduler(0)`` to ``scheduler(warmup_length)``, then the scheduler on the
run's own clock). fvcore's arithmetic (``int((where + 1e-6) x
num_updates)``) places each step; anything lrplot cannot reproduce exactly
is refused in one line.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from lrplot.errors import UsageError
from lrplot.frameworks import Curve, Unsupported, sequence
from lrplot.frameworks.detectron2 import EPSILON, first_where

PACKAGES = ("detectron2.", "fvcore.")
SCHEDULERS = ("MultiStepParamScheduler", "CosineParamScheduler", "LinearParamScheduler",
              "PolynomialDecayParamScheduler", "ConstantParamScheduler")


def target(config: Any) -> str:
    """The class a LazyCall config builds, by its own name ("WarmupParamScheduler")."""
    from lrplot.dialects.lazyconfig import Symbol

    if not isinstance(config, dict) or "_target_" not in config:
        raise Unsupported(f"{_shown(config)} is not a LazyCall config (L(Class)(...)) lrplot can read")
    name = config["_target_"]
    if isinstance(name, str):  # dict(_target_="fvcore.common.param_scheduler.CosineParamScheduler", ...)
        name = Symbol(name)
    if not isinstance(name, Symbol) or not name.name.startswith(PACKAGES):
        raise Unsupported(f"L({name!r}) is not one of detectron2's or fvcore's schedulers: not supported yet")
    return name.name.rsplit(".", 1)[-1]


def curve(multiplier: Any, lr: float, total: int) -> Curve:
    """The lr at each iteration of a ``total``-iteration run, ``lr`` x ``multiplier``."""
    kind = target(multiplier)
    clock = total
    if kind == "LRMultiplier":
        clock = _whole(multiplier, "max_iter", kind)
        if clock != total:
            raise Unsupported(f"LRMultiplier max_iter {clock} != train.max_iter {total}: not supported yet")
        multiplier = multiplier.get("multiplier")
        kind = target(multiplier)
    if kind != "WarmupParamScheduler":
        return _main(multiplier, kind, lr, total)
    inner = multiplier.get("scheduler")
    inner_kind = target(inner)
    factor = _number(multiplier, "warmup_factor", kind)
    length = _number(multiplier, "warmup_length", kind)
    method = multiplier.get("warmup_method", "linear")
    if method not in ("linear", "constant"):
        raise UsageError(f"WarmupParamScheduler warmup_method {method!r}: detectron2 raises \"Unknown warmup method\"")
    if multiplier.get("rescale_interval", False):
        raise Unsupported("WarmupParamScheduler with rescale_interval=True is not supported yet")
    base = _main(inner, inner_kind, lr, total)
    at = _evaluator(inner, inner_kind)
    # CompositeParamScheduler runs the warmup while where + 1e-6 <= warmup_length.
    steps = first_where(lambda t: t / total + EPSILON > length, 0, total)
    if steps == 0 or length <= 0:
        return base
    if steps >= total:
        raise Unsupported(f"a warmup as long as the run (warmup_length {length}) is not supported yet")
    if not math.isclose(length * total, steps, rel_tol=1e-9, abs_tol=1e-9) and base.schedule in ("piecewise", "constant"):
        return _split(base, at, factor, method, length, steps, lr, total)
    if not math.isclose(length * total, steps, rel_tol=1e-9, abs_tol=1e-9):
        raise Unsupported(f"warmup_length {length} x max_iter {total} = {length * total:g} iterations, not a "
                          "whole number: not supported yet")
    if not math.isclose(at(length), at(steps / total), rel_tol=1e-12, abs_tol=0.0):
        raise Unsupported("a warmup that ends on a step of the schedule is not supported yet")
    first = factor * at(0.0)
    params = {**base.params, "warmup_steps": steps, "warmup_shape": method, "warmup_clock": "shared",
              "warmup_start_factor": first * lr / base.params["lr"] if base.params["lr"] else 0.0}
    if not base.params["lr"]:
        raise Unsupported("a warmup over a schedule that starts at 0 is not supported yet")
    return Curve(base.schedule, params)


def _split(base: Curve, at: Any, factor: float, method: str, length: float, steps: int, lr: float,
           total: int) -> Curve:
    """A warmup over a fraction of an iteration count (ViTDet's 250 / 184375 of a 75% run): fvcore's
    ramp, ``start + (end - start) x (t / max_iter) / warmup_length``, for its ``steps`` iterations, then
    the steps of the schedule from there (a ``sequence``)."""
    start, end = factor * at(0.0), at(length)
    if method == "constant":
        ramp: dict[str, Any] = {"schedule": "constant", "lr": lr * start}
    else:
        reached = start + (end - start) * steps / (length * total)
        ramp = {"schedule": "linear", "lr": lr, "start_factor": start, "end_factor": reached, "total_steps": steps}
    bounds, levels = list(base.params.get("boundaries", [])), list(base.params.get("values", [base.params["lr"]]))
    passed = sum(b <= steps for b in bounds)
    rest = [b - steps for b in bounds if b > steps]
    after: dict[str, Any] = {"schedule": "constant", "lr": levels[passed]}
    if rest:
        after = {"schedule": "piecewise", "lr": levels[passed], "boundaries": rest, "values": levels[passed:]}
    return sequence(lr, [{**ramp, "steps": steps}, {**after, "steps": 1}])


def _main(config: dict[str, Any], kind: str, lr: float, total: int) -> Curve:
    if kind not in SCHEDULERS:
        raise Unsupported(f"{kind} is not supported yet ({', '.join(SCHEDULERS)}, inside WarmupParamScheduler "
                          "or LRMultiplier)")
    if kind == "ConstantParamScheduler":
        return Curve("constant", {"lr": lr * _number(config, "value", kind)})
    if kind == "CosineParamScheduler":
        start, end = _number(config, "start_value", kind), _number(config, "end_value", kind)
        return Curve("cosine", {"lr": lr * start, "decay_steps": total, "end_lr": lr * end})
    if kind == "LinearParamScheduler":
        start, end = _number(config, "start_value", kind), _number(config, "end_value", kind)
        return Curve("linear", {"lr": lr, "start_factor": start, "end_factor": end, "total_steps": total})
    if kind == "PolynomialDecayParamScheduler":
        return Curve("polynomial", {"lr": lr * _number(config, "base_value", kind), "decay_steps": total,
                                    "end_lr": 0.0, "power": _number(config, "power", kind)})
    values, milestones, updates = _multistep(config)
    # The first iteration where fvcore's int((t / total + 1e-6) x num_updates) passes each milestone.
    reached = [first_where(lambda t, m=m: int((t / total + EPSILON) * updates) >= m, 0, total) for m in milestones]
    # Several milestones may be passed at one iteration (num_updates far above the run's length).
    boundaries = sorted({t for t in reached if 0 < t < total})
    levels = [values[sum(t <= b for t in reached)] for b in [0, *boundaries]]
    if not boundaries:
        return Curve("constant", {"lr": lr * levels[0]})
    return Curve("piecewise", {"lr": lr * levels[0], "boundaries": boundaries, "values": [lr * v for v in levels]})


def _multistep(config: dict[str, Any]) -> tuple[list[float], list[int], int]:
    """fvcore's MultiStepParamScheduler arguments, checked as its __init__ checks them."""
    kind = "MultiStepParamScheduler"
    values = config.get("values")
    if not isinstance(values, (list, tuple)) or not values or not all(_is_number(v) for v in values):
        raise UsageError(f"{kind} values: got {_shown(values)}, expected a list of numbers")
    updates, milestones = config.get("num_updates"), config.get("milestones")
    if updates is not None:
        updates = _whole(config, "num_updates", kind)
    if milestones is not None and (not isinstance(milestones, (list, tuple))
                                   or not all(_is_number(m) and int(m) == m for m in milestones)):
        raise UsageError(f"{kind} milestones: got {_shown(milestones)}, expected a list of iteration numbers")
    if updates is None and milestones is None:
        raise UsageError(f"{kind}: fvcore raises \"num_updates and milestones cannot both be None\"")
    if milestones is None:
        width = math.ceil(updates / float(len(values)))
        milestones = [width * (i + 1) for i in range(len(values) - 1)]
    elif len(milestones) != len(values) - int(updates is not None):
        raise UsageError(f"{kind}: fvcore raises \"MultiStep scheduler requires a list of "
                         f"{len(values) - int(updates is not None)} miletones\"")
    milestones = [int(m) for m in milestones]
    if updates is None:
        updates, milestones = milestones[-1], milestones[:-1]
    if updates < len(values):
        raise UsageError(f"{kind}: fvcore raises \"Total num_updates must be greater than length of param schedule\"")
    start = 0
    for milestone in milestones:
        if milestone >= updates or start >= milestone:
            raise UsageError(f"{kind} milestones {milestones} with num_updates {updates}: fvcore refuses them "
                             "(increasing, above 0, below num_updates)")
        start = milestone
    return [float(v) for v in values], milestones, updates


def _evaluator(config: dict[str, Any], kind: str) -> Any:
    """The scheduler's value at ``where``, as fvcore computes it."""
    if kind == "MultiStepParamScheduler":
        values, milestones, updates = _multistep(config)
        return lambda where: values[bisect.bisect_right(milestones, int((where + EPSILON) * updates))]
    if kind == "ConstantParamScheduler":
        return lambda where: float(config["value"])
    if kind == "CosineParamScheduler":
        s, e = float(config["start_value"]), float(config["end_value"])
        return lambda where: e + 0.5 * (s - e) * (1 + math.cos(math.pi * where))
    if kind == "LinearParamScheduler":
        s, e = float(config["start_value"]), float(config["end_value"])
        return lambda where: e * where + s * (1 - where)
    b, p = float(config["base_value"]), float(config["power"])
    return lambda where: b * (1 - where) ** p


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(config: dict[str, Any], key: str, kind: str) -> float:
    value = config.get(key)
    if not _is_number(value):
        raise UsageError(f"{kind} {key}: got {_shown(value)}, expected a number")
    return float(value)


def _whole(config: dict[str, Any], key: str, kind: str) -> int:
    value = _number(config, key, kind)
    if value != int(value) or value < 1:
        raise UsageError(f"{kind} {key}: got {value:g}, expected a whole number >= 1")
    return int(value)


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, dict) else "a config"
    return text if len(text) <= 80 else text[:77] + "..."
