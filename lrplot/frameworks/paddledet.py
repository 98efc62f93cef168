"""PaddleDetection's ``LearningRate`` (``ppdet/optimizer/optimizer.py``,
PaddlePaddle/PaddleDetection @ 63bcf54577f5fcfa0425466e1ef1a12c0a375a29),
ported as lrplot curves.

``LearningRate(base_lr, schedulers)(step_per_epoch)``: when the first
scheduler (a decay) has ``use_warmup`` false it alone builds the lr;
otherwise the second (a warmup) returns ``boundary = [1 .. W]`` and
``value = [v_0 .. v_W]``, which the decay extends and hands to paddle's
``PiecewiseDecay``:

* ``LinearWarmup(steps, start_factor, epochs, epochs_first)``: ``W = epochs x
  step_per_epoch`` (when ``epochs_first`` and ``epochs`` is given) else
  ``steps``, at least 1; ``v_i = base_lr (start_factor (1 - i/W) + i/W)``.
* ``ExpWarmup(steps, epochs, power)``: ``v_i = base_lr (i/W)^power``
  (``power`` 1 and 2 are lrplot's linear and quadratic warmups from 0).
* ``PiecewiseDecay(gamma, milestones, values, use_warmup)``: boundaries
  ``milestone x step_per_epoch`` (not shifted by the warmup), values
  ``base_lr x gamma[i]`` (a scalar ``gamma`` is ``[gamma / 10^i]``: 0.1 gives
  0.1, 0.01, not powers) or ``values`` as written (without a warmup only).
* ``CosineDecay(max_epochs, use_warmup, min_lr_ratio, last_plateau_epochs)``:
  with a warmup, ``value[t] = min + (base - min)(1 + cos(pi (t - W) / (M - W -
  P))) / 2`` for ``W <= t < M - P`` (``M = max_epochs x step_per_epoch``, ``P``
  the plateau), ``min`` after; from ``t = M - 1`` on the last value is held,
  which is not ``min`` when ``P = 0``: a run past ``M`` is refused. Without
  a warmup and plateau it is paddle's ``CosineAnnealingDecay(T_max=M)``.

``BurninWarmup`` ((i/W)^4 over ``min(steps, step_per_epoch)``) and other
powers of ``ExpWarmup`` have no lrplot warmup shape: refused.
"""

from __future__ import annotations

from typing import Any

from lrplot.frameworks import Curve, Unsupported, number, whole
from lrplot.frameworks import paddle as paddle_lr

# Each class's constructor arguments, in order (positional YAML lists), with defaults.
CLASSES: dict[str, dict[str, Any]] = {
    "CosineDecay": {"max_epochs": 1000, "use_warmup": True, "min_lr_ratio": 0.0, "last_plateau_epochs": 0},
    "PiecewiseDecay": {"gamma": [0.1, 0.01], "milestones": [8, 11], "values": None, "use_warmup": True},
    "LinearWarmup": {"steps": 500, "start_factor": 1.0 / 3, "epochs": None, "epochs_first": True},
    "ExpWarmup": {"steps": 1000, "epochs": None, "power": 2},
}
DECAYS = ("CosineDecay", "PiecewiseDecay")
WARMUPS = ("LinearWarmup", "ExpWarmup", "BurninWarmup")
DEFAULT_SCHEDULERS = [("PiecewiseDecay", {}), ("LinearWarmup", {})]


def arguments(name: str, given: Any) -> dict[str, Any]:
    """The class's arguments: its defaults with ``given`` (a mapping, or a
    list of positional values) over them, as ppdet's YAML constructor calls it."""
    if name not in CLASSES:
        if name in WARMUPS:
            raise Unsupported(f"{name} (a (t/W)^4 warmup) is not supported yet")
        raise Unsupported(f"scheduler {name} is not supported yet ({', '.join(CLASSES)})")
    defaults = CLASSES[name]
    if isinstance(given, list):
        if len(given) > len(defaults):
            raise Unsupported(f"{name} takes at most {len(defaults)} arguments, got {len(given)}")
        given = dict(zip(defaults, given))
    if not isinstance(given, dict):
        raise Unsupported(f"{name}: got {given!r}, expected a mapping of its arguments")
    unknown = sorted(str(key) for key in given if key not in defaults)
    if unknown:
        raise Unsupported(f"{name} has no argument {', '.join(unknown)} (PaddleDetection would fail)")
    return {**defaults, **given}


def _flag(args: dict[str, Any], key: str, name: str) -> bool:
    value = args[key]
    if not isinstance(value, bool):
        raise Unsupported(f"{name}.{key}: got {value!r}, expected true or false")
    return value


def _ints(args: dict[str, Any], key: str, name: str) -> list[int]:
    value = args[key]
    if not isinstance(value, list) or not value:
        raise Unsupported(f"{name}.{key}: got {value!r}, expected a list of whole numbers of epochs")
    return [whole({key: item}, key, None, 1, name) for item in value]


def _warmup(name: str, args: dict[str, Any], base_lr: float, spe: int) -> tuple[int, dict[str, Any], str]:
    """(W, lrplot's warmup parameters, where W came from)."""
    epochs = args["epochs"]
    by_epochs = epochs is not None and (name == "ExpWarmup" or _flag(args, "epochs_first", name))
    if by_epochs:
        steps, origin = whole(args, "epochs", None, 0, name) * spe, f"{name}.epochs × updates per epoch"
    else:
        steps, origin = whole(args, "steps", None, 0, name), f"{name}.steps"
    steps = max(steps, 1)  # ppdet: warmup_steps = max(warmup_steps, 1)
    if name == "LinearWarmup":
        factor = float(number(args, "start_factor", None))
        return steps, {"warmup_steps": steps, "warmup_start_lr": base_lr * factor}, origin
    power = number(args, "power", None)
    if power not in (1, 2):
        raise Unsupported(f"ExpWarmup with power {power} is not supported yet (1 or 2)")
    shape = {"warmup_shape": "quadratic"} if power == 2 else {}
    return steps, {"warmup_steps": steps, "warmup_start_lr": 0.0, **shape}, origin


def build(base_lr: float, schedulers: list[tuple[str, Any]], spe: int, run: int) -> tuple[Curve, dict[str, str], list[int]]:
    """``LearningRate(base_lr, schedulers)(spe)`` stepped ``run`` times: the
    curve, where its values came from, and the indices of schedulers it never uses."""
    if not schedulers:
        raise Unsupported("LearningRate.schedulers is empty (PaddleDetection asserts at least one)")
    first, given = schedulers[0]
    if first not in DECAYS:
        raise Unsupported(f"the first scheduler is {first}: PaddleDetection needs a decay first "
                          "(CosineDecay or PiecewiseDecay), then the warmup")
    args = arguments(first, given)
    warm = _flag(args, "use_warmup", first)
    origin: dict[str, str] = {"lr": "LearningRate.base_lr"}
    params: dict[str, Any] = {}
    W = 0
    if warm:
        if len(schedulers) < 2:
            raise Unsupported(f"{first} has use_warmup true but no warmup scheduler follows "
                              "(PaddleDetection fails on schedulers[1])")
        name, wgiven = schedulers[1]
        if name not in WARMUPS:
            raise Unsupported(f"the second scheduler is {name}: PaddleDetection calls it as the warmup "
                              f"({', '.join(WARMUPS)})")
        W, params, where = _warmup(name, arguments(name, wgiven), base_lr, spe)
        origin.update({"warmup_steps": f"{where} (at least 1)", "warmup_shape": f"{name}.power 2",
                       "warmup_start_lr": (f"base_lr × {name}.start_factor" if name == "LinearWarmup"
                                           else f"{name} starts at 0")})
    unused = list(range(2 if warm else 1, len(schedulers)))
    if first == "PiecewiseDecay":
        curve = _piecewise(args, base_lr, spe, W if warm else None, origin)
    else:
        curve = _cosine(args, base_lr, spe, W if warm else None, run, origin)
    if curve.schedule == "constant" and not params:
        return curve, origin, unused
    return Curve(curve.schedule, {**curve.params, **params}), origin, unused


def _piecewise(args: dict[str, Any], base_lr: float, spe: int, W: int | None, origin: dict[str, str]) -> Curve:
    milestones = _ints(args, "milestones", "PiecewiseDecay")
    boundaries = [spe * m for m in milestones]
    if any(b <= a for a, b in zip(boundaries, boundaries[1:])):
        raise Unsupported(f"PiecewiseDecay.milestones {milestones} are not increasing")
    gamma = args["gamma"]
    if args["values"] is not None:
        if W is not None:
            raise Unsupported("PiecewiseDecay.values with a warmup: PaddleDetection hands paddle's PiecewiseDecay "
                              "the warmup's boundaries with only len(milestones) + 1 values, which it refuses")
        values = [float(number({"values": v}, "values", None)) for v in args["values"]] \
            if isinstance(args["values"], list) else None
        if values is None or len(values) != len(milestones) + 1:
            raise Unsupported(f"PiecewiseDecay.values must be {len(milestones) + 1} numbers "
                              "(PaddleDetection asserts one more than milestones)")
        origin["values"] = "PiecewiseDecay.values"
    else:
        if isinstance(gamma, list):
            factors = [float(number({"gamma": g}, "gamma", None)) for g in gamma]
            origin["values"] = "base_lr × PiecewiseDecay.gamma[i]"
        else:
            g = number(args, "gamma", None)
            factors = [g / 10**i for i in range(len(milestones))]
            origin["values"] = "base_lr × PiecewiseDecay.gamma / 10^i (a scalar gamma)"
        if len(factors) < len(milestones):
            raise Unsupported(f"PiecewiseDecay.gamma has {len(factors)} factors for {len(milestones)} milestones "
                              "(paddle's PiecewiseDecay refuses fewer values than boundaries + 1)")
        if len(factors) > len(milestones):
            # paddle's PiecewiseDecay gives its last value past the last boundary: the extra factors
            # are skipped (the default gamma [0.1, 0.01] with one milestone drops to base_lr x 0.01).
            factors = factors[: len(milestones) - 1] + factors[-1:]
            origin["values"] += ", the last factor after the last milestone (paddle's PiecewiseDecay)"
        values = [base_lr] + [base_lr * f for f in factors]
    origin["boundaries"] = "PiecewiseDecay.milestones × updates per epoch"
    if W is not None:
        if boundaries[0] <= W:
            raise Unsupported(f"PiecewiseDecay milestone {milestones[0]} (update {boundaries[0]}) falls inside "
                              f"the {W}-update warmup: not supported yet")
        boundaries = [b - W for b in boundaries]  # lrplot's piecewise clock starts after the warmup
        origin["boundaries"] += " − warmup (lrplot counts them after the warmup, ppdet from update 0)"
    return Curve("piecewise", {"lr": values[0], "boundaries": boundaries, "values": values})


def _cosine(args: dict[str, Any], base_lr: float, spe: int, W: int | None, run: int, origin: dict[str, str]) -> Curve:
    max_iters = whole(args, "max_epochs", None, 1, "CosineDecay") * spe
    plateau = whole(args, "last_plateau_epochs", None, 0, "CosineDecay") * spe
    min_lr = base_lr * float(number(args, "min_lr_ratio", None))
    origin["end_lr"] = "base_lr × CosineDecay.min_lr_ratio"
    if W is None and plateau == 0:
        origin["decay_steps"] = "CosineDecay.max_epochs × updates per epoch (paddle's CosineAnnealingDecay T_max)"
        return paddle_lr.inner("CosineAnnealingDecay", {"learning_rate": base_lr, "T_max": max_iters,
                                                         "eta_min": min_lr}, run)
    warm = W or 0
    span = max_iters - warm - plateau
    if span < 1:
        raise Unsupported(f"CosineDecay over {max_iters} updates leaves no cosine after the {warm}-update warmup "
                          f"and {plateau}-update plateau: not supported yet")
    if plateau == 0 and run > max_iters:
        raise Unsupported(f"a run of {run} updates past CosineDecay's {max_iters} (max_epochs × updates per epoch) "
                          "holds its last-but-one cosine value, not min_lr: not supported yet")
    origin["decay_steps"] = "(CosineDecay.max_epochs − last_plateau_epochs) × updates per epoch − warmup"
    return Curve("cosine", {"lr": base_lr, "decay_steps": span, "end_lr": min_lr})
