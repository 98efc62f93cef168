"""Quantities a curve carries besides its learning rate: momentum (β1 for
Adam-like optimizers) and weight decay.

A curve gets momentum in one of two ways: ``onecycle`` and ``cyclic`` cycle
it themselves when ``cycle_momentum`` is true, as torch's ``OneCycleLR`` and
``CyclicLR`` do (same phases and annealing as the learning rate, in the
opposite direction); or the curve is given a schedule of its own
(``momentum:`` / ``weight_decay:`` in YAML, any lrplot schedule, its ``lr``
being the quantity's value). The writers ask :func:`extras` which columns a
curve adds; a curve with none adds none, so its outputs are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lrplot.compose import CurveFunction, join, with_conventions
from lrplot.lazy import numpy as np
from lrplot.registry import Bound

QUANTITIES = ("momentum", "weight_decay")
# What a curve may carry, as YAML keys and command-line options.
KEYS = (*QUANTITIES, "groups", "layer_decay")
# More layers than this would be more CSV columns than anyone reads.
MAX_LAYERS = 1000


def _onecycle_momentum(p: Mapping[str, Any]) -> CurveFunction:
    from lrplot.schedules import _anneal  # torch's annealing, the lr's own

    low, high, total = p["base_momentum"], p["max_momentum"], p["total_steps"]
    up_end = float(p["pct_start"] * total) - 1.0
    if p["three_phase"]:
        phases = [
            (up_end, high, low),
            (2.0 * float(p["pct_start"] * total) - 2.0, low, high),
            (total - 1.0, high, high),
        ]
    else:
        phases = [(up_end, high, low), (total - 1.0, low, high)]

    def momentum(t: np.ndarray) -> np.ndarray:
        cuts = [0] + np.searchsorted(t, [end for end, _, _ in phases], side="right").tolist()
        begin = 0.0
        for i, (end, start_value, end_value) in enumerate(phases):
            segment = t[cuts[i] : cuts[i + 1]]
            segment -= begin
            segment /= end - begin
            _anneal(p["anneal"], start_value, end_value, segment)
            begin = end
        t[cuts[-1] :] = high  # past the cycle, as the lr holds its minimum
        return t

    return momentum


def _cyclic_momentum(p: Mapping[str, Any]) -> CurveFunction:
    from lrplot.schedules import cyclic

    high = p["max_momentum"]
    # cyclic() with base_lr 0 gives triangle * (max - base) * scale exactly as
    # torch's base_height * scale_fn; momentum is max_momentum less that.
    kwargs = {name: p[name] for name in ("step_size_up", "step_size_down", "mode", "gamma")}

    def momentum(t: np.ndarray) -> np.ndarray:
        height = cyclic(t, lr=high - p["base_momentum"], base_lr=0.0, **kwargs)
        np.subtract(high, height, out=height)
        return height

    return momentum


CYCLED: dict[str, Callable[[Mapping[str, Any]], CurveFunction]] = {
    "onecycle": _onecycle_momentum,
    "cyclic": _cyclic_momentum,
}


def cycled_momentum(bound: Bound) -> CurveFunction | None:
    """The momentum a onecycle or cyclic curve (or a sequence with such
    parts) cycles, on the curve's clock; a warmup holds the cycle's first
    value (the schedule has not started)."""
    p = bound.params
    make = CYCLED.get(bound.name)
    if bound.name == "sequence":
        own = _sequence_momentum(*p["parts"])
    elif make is not None and p.get("cycle_momentum"):
        own = make(p)
    else:
        own = None
    if own is None:
        return None
    if p["warmup_steps"] and p.get("warmup_clock", "after") == "after":
        first = float(own(np.zeros(1))[0])
        held = {"warmup_shape": "constant", "warmup_start_lr": first, "warmup_start_factor": None,
                "warmup_mode": "replace"}
        return with_conventions(own, {**p, **held})
    return with_conventions(own, {**p, "warmup_steps": 0})


def _sequence_momentum(parts: list[Bound], lengths: list[int]) -> CurveFunction | None:
    """A sequence's momentum as torch's SequentialLR leaves it: every
    scheduler is built before the first step, in list order, and each
    OneCycleLR / CyclicLR constructor sets the momentum of its own step 0
    (its max_momentum, unless a rise shorter than a step starts it part-way
    down), so the last one's holds until a cycling part runs; a cycling part
    sets it at each of its steps; a part that cycles nothing leaves the last
    value set."""
    cycled = [cycled_momentum(part) for part in parts]
    cycling = [own for own in cycled if own is not None]
    if not cycling:
        return None
    held = float(cycling[-1](np.zeros(1))[0])
    functions: list[CurveFunction] = []
    for own, length in zip(cycled, lengths):
        if own is None:
            functions.append(_held(held))
        else:
            functions.append(own)
            held = float(own(np.array([length - 1.0]))[0])
    return join(functions, lengths)


def check_cycled(bound: Bound) -> None:
    """Refuse a sequence whose onecycle part's momentum torch would take from
    a later part: OneCycleLR reads base_momentum and max_momentum from the
    optimizer's group at every step, and every later OneCycleLR or CyclicLR
    constructor overwrites them there with its own."""
    from lrplot.errors import UsageError

    if bound.name != "sequence":
        return
    parts, _ = bound.params["parts"]
    cycling = [(number, part) for number, part in enumerate(parts, 1)
               if part.name in CYCLED and part.params.get("cycle_momentum")]
    for number, part in cycling:
        for later, other in cycling:
            momenta = [(p.params["base_momentum"], p.params["max_momentum"]) for p in (part, other)]
            if part.name == "onecycle" and later > number and momenta[0] != momenta[1]:
                raise UsageError(
                    f"part {number} (onecycle) and part {later} ({other.name}) cycle momentum between other values: "
                    "torch's OneCycleLR would cycle between the later part's (it reads them from the optimizer, "
                    "where the later constructor writes its own); give both the same base_momentum and "
                    "max_momentum, or the curve a momentum of its own"
                )


def _held(value: float) -> CurveFunction:
    def held(t: np.ndarray) -> np.ndarray:
        t.fill(value)
        return t

    return held


def group_columns(curve: Any) -> list[tuple[str, CurveFunction]]:
    """``(group, its learning rate)``: the curve's learning rate times the
    group's multiplier, as timm's schedulers set ``lr * lr_scale``."""
    groups = dict(getattr(curve, "quantities", ())).get("groups", ())

    def scaled(name: str, multiplier: float) -> CurveFunction:
        def values(t: np.ndarray) -> np.ndarray:
            start = float(t[0]) if t.size else 0.0
            out = curve.bound.evaluate_at(t)
            with np.errstate(over="ignore"):
                out *= multiplier
            if out.size and not np.isfinite(out.max()):  # never inf in a file
                from lrplot.errors import UsageError

                step = int(start + np.flatnonzero(~np.isfinite(out))[0])
                raise UsageError(
                    f"{curve.label}: group {name}: the learning rate x {multiplier:g} overflows float64 "
                    f"at step {step}; use a smaller multiplier"
                )
            return out

        return values

    return [(name, scaled(name, multiplier)) for name, multiplier in groups]


def columns(curve: Any) -> list[tuple[str, CurveFunction]]:
    """What the CSV writes for ``curve`` after the learning rates: its
    quantities, then its parameter groups."""
    return extras(curve) + group_columns(curve)


def extras(curve: Any) -> list[tuple[str, CurveFunction]]:
    """``(quantity, function of steps)`` for each quantity ``curve`` carries
    besides its learning rate, in QUANTITIES order."""
    own = dict(getattr(curve, "quantities", ()))
    out: list[tuple[str, CurveFunction]] = []
    for name in QUANTITIES:
        if name in own:
            out.append((name, own[name].evaluate_at))
        elif name == "momentum":
            cycled = cycled_momentum(curve.bound)
            if cycled is not None:
                out.append((name, cycled))
    return out


def split(values: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """A curve's values (an importer's parameters) as the schedule's own and
    the quantities it carries, as written."""
    own = {key: value for key, value in values.items() if key not in KEYS}
    return own, tuple((key, values[key]) for key in KEYS if key in values)


SPEC_HELP = (
    "a number (held), or a schedule and its parameters, its lr the value: "
    "'cosine lr=0.04 end_lr=0.4'"
)


def parse(name: str, raw: Any) -> tuple[str, dict[str, Any]]:
    """A quantity as written — a number, ``"cosine lr=0.04 end_lr=0.4"`` on
    the command line, or a YAML mapping with ``schedule:`` (``value:`` may
    stand for ``lr:``) — as a schedule name and its raw parameters."""
    from lrplot.errors import UsageError, show_value

    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return "constant", {"lr": raw}
    if isinstance(raw, str):
        words = raw.split()
        if len(words) == 1:
            try:
                return "constant", {"lr": float(words[0])}
            except ValueError:
                pass
        values: dict[str, Any] = {}
        for word in words[1:]:
            key, equals, value = word.partition("=")
            if not equals or not key or not value:
                raise UsageError(f"{name}: got {show_value(raw)}, expected {SPEC_HELP}")
            values[key.lstrip("-").replace("-", "_")] = value
        if not words:
            raise UsageError(f"{name}: got {show_value(raw)}, expected {SPEC_HELP}")
        return words[0], values
    if isinstance(raw, Mapping):
        values = dict(raw)
        schedule = values.pop("schedule", None)
        if not isinstance(schedule, str):
            raise UsageError(f"{name}: `schedule:` is required (a schedule name), or give a number")
        if "value" in values:
            if "lr" in values:
                raise UsageError(f"{name}: give value or lr, not both")
            values["lr"] = values.pop("value")
        if schedule == "sequence" and isinstance(values.get("parts"), list):
            # A part's value is its lr too (the part's own error names a clash).
            values["parts"] = [_value_as_lr(part) for part in values["parts"]]
        return schedule, values
    raise UsageError(f"{name}: got {show_value(raw)}, expected {SPEC_HELP}")


def _value_as_lr(part: Any) -> Any:
    if isinstance(part, Mapping) and "value" in part and "lr" not in part:
        part = dict(part)
        part["lr"] = part.pop("value")
    return part


def bind_quantities(
    raw: Any, steps: int, steps_per_epoch: int | None
) -> tuple[tuple[str, Bound], ...]:
    """The quantities a curve was given, each bound as a curve of its own over
    the run (errors name the quantity; the caller adds the curve)."""
    from lrplot.binding import bind
    from lrplot.errors import ParamError, UsageError

    out: list[tuple[str, Any]] = []
    groups = bind_groups([(name, spec) for name, spec in raw if name in ("groups", "layer_decay")])
    for name, spec in raw:
        if name not in QUANTITIES:
            continue
        schedule, values = parse(name, spec)
        try:
            out.append((name, bind(schedule, values, steps, steps_per_epoch)))
        except ParamError as error:
            raise UsageError(f"{name} ({schedule}): {error.locate('', 'yaml')}") from None
        except UsageError as error:
            raise UsageError(f"{name}: {error}") from None
    if groups:
        out.append(("groups", groups))
    return tuple(out)


GROUPS_HELP = "group names with their lr multipliers: 'backbone=0.1 head=1'"
LAYER_DECAY_HELP = "rate=R layers=N: groups layer_0 ... layer_N, layer i at R ** (N - i) of the lr (timm, BEiT)"


def _pairs(name: str, raw: Any, allowed: str) -> dict[str, Any]:
    """``"a=1 b=2"`` or a YAML mapping as a dict."""
    from lrplot.errors import UsageError, show_value

    if isinstance(raw, Mapping) and raw:
        return dict(raw)
    if isinstance(raw, str) and raw.split():
        pairs = [word.partition("=") for word in raw.split()]
        if all(key and equals and value for key, equals, value in pairs):
            return {key: value for key, _, value in pairs}
    raise UsageError(f"{name}: got {show_value(raw)}, expected {allowed}")


def bind_groups(raw: list[tuple[str, Any]]) -> tuple[tuple[str, float], ...]:
    """``groups`` and ``layer_decay`` as (group name, lr multiplier) pairs."""
    from lrplot.errors import UsageError
    from lrplot.registry import Param, check_text, convert

    out: dict[str, float] = {}
    for key, spec in raw:
        if key == "groups":
            for name, value in _pairs(key, spec, GROUPS_HELP).items():
                name = check_text(f"groups: {name}", str(name)) if isinstance(name, (str, int)) else name
                if not isinstance(name, str) or name in out:
                    raise UsageError(f"groups: {name!r} is given twice" if name in out else f"groups: {name!r} is not a name")
                out[name] = convert(Param(f"groups: {name}", "float", low=0.0), value)
        else:
            pairs = _pairs(key, spec, LAYER_DECAY_HELP)
            if set(pairs) != {"rate", "layers"}:
                raise UsageError(f"layer_decay: got keys {', '.join(map(str, pairs))}, expected {LAYER_DECAY_HELP}")
            rate = convert(Param("layer_decay: rate", "float", low=0.0, low_open=True), pairs["rate"])
            layers = convert(Param("layer_decay: layers", "int", low=1, high=MAX_LAYERS), pairs["layers"])
            for i in range(layers + 1):
                if f"layer_{i}" in out:
                    raise UsageError(f"groups: 'layer_{i}' is given twice (groups and layer_decay)")
                out[f"layer_{i}"] = rate ** (layers - i)  # as timm: layer_decay ** (layer_max - i)
    return tuple(out.items())



def evaluate_all(plan: Any, chunk: int = 1 << 20) -> None:
    """Evaluate every carried column once, raising as its writers would (a
    stdout cannot be taken back: run.py calls this before its first byte)."""
    for curve in plan.curves:
        for _, function in columns(curve):
            for start in range(0, plan.steps, chunk):
                function(np.arange(start, min(start + chunk, plan.steps), dtype=np.float64))
