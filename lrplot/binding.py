"""Binding: raw values -> validated parameters -> a curve.

:func:`bind` is the single validation point (the CLI, YAML and the Python
API all call it, so their messages match word for word); it closes a
schedule's numpy form over its parameters and wraps it in the conventions
(warmup, clock) and the overflow guard. The registry's lookups live here
too, because knowing every schedule means importing them all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from lrplot import breakpoints
from lrplot.compose import join, with_conventions
from lrplot.errors import ParamError, UsageError, show_value, shown_count
from lrplot.lazy import numpy as np
from lrplot.registry import (
    MODERATE,
    SCHEDULES,
    Bound,
    Derived,
    Param,
    Schedule,
    closest,
    convert,
    did_you_mean,
    format_value,
    register,
    schedule_steps,
    warmup_start,
)


def get_schedule(name: str) -> Schedule:
    _load_builtins()
    try:
        return SCHEDULES[name]
    except KeyError:
        raise UsageError(
            f"unknown schedule {name!r}{did_you_mean(name, list(SCHEDULES))}; "
            "run `lrplot list` to see them all"
        ) from None


def all_schedules() -> dict[str, Schedule]:
    _load_builtins()
    return dict(SCHEDULES)


def _load_builtins() -> None:
    import lrplot.schedules  # noqa: F401  (registering is a side effect of the import)

    if SEQUENCE.name not in SCHEDULES:  # joins the others, so registered after them
        register(SEQUENCE)



def bind(
    name: str, values: Mapping[str, Any], steps: int, steps_per_epoch: int | None = None
) -> Bound:
    """Validate ``values`` for schedule ``name`` over ``steps`` steps
    (step counts may be given in epochs, ``30ep``, when ``steps_per_epoch`` is known).

    Unknown names, wrong types, values out of range, missing required values
    and cross-parameter rules all raise :class:`ParamError` / :class:`UsageError`
    naming the parameter, the value and what is allowed.
    """
    schedule = get_schedule(name)
    known = [p.name for p in schedule.all_params]
    for key in values:
        if key not in known:
            raise ParamError(
                key,
                values[key],
                f"not a parameter of {name}{did_you_mean(key, known)}",
                unknown=True,
                suggestion=closest(key, known),
            )
    params: dict[str, Any] = {}
    for p in schedule.all_params:
        if p.name in values and values[p.name] is not None:
            params[p.name] = convert(p, values[p.name], steps_per_epoch)
        elif p.required:
            raise ParamError(p.name, None, f"required for {name}: {p.allowed()}", missing=True)
        elif not isinstance(p.default, Derived):
            params[p.name] = p.default
    remaining = schedule_steps(params, steps)
    context = dict(params, remaining=remaining)
    for p in schedule.all_params:
        if p.name not in params and isinstance(p.default, Derived):
            params[p.name] = p.default.compute(context)
            context[p.name] = params[p.name]
    # Keep declaration order so labels, JSON and `list` read the same way.
    params = {p.name: params[p.name] for p in schedule.all_params}
    if params["warmup_start_factor"] is not None and "warmup_start_lr" in values and values["warmup_start_lr"] is not None:
        raise ParamError(
            "warmup_start_factor", params["warmup_start_factor"], "not given together with warmup_start_lr"
        )
    if (params["warmup_mode"] == "multiply" and params["warmup_steps"] > 0 and params["warmup_start_factor"] is None
            and params["lr"] and not math.isfinite(params["warmup_start_lr"] / params["lr"])):
        raise ParamError("warmup_start_lr", params["warmup_start_lr"],
                         "a finite multiple of lr when warmup_mode is multiply (give warmup_start_factor)")
    if params["noise_range"] is not None and len(params["noise_range"]) not in (1, 2):
        raise ParamError("noise_range", params["noise_range"], "[start] or [start, end] (timm's noise_range_t)")
    if params["warmup_shape"] == "exponential" and params["warmup_steps"] > 0:
        if warmup_start(params) <= 0:
            raise ParamError(
                "warmup_start_lr",
                params["warmup_start_lr"],
                "> 0 when warmup_shape is exponential",
            )
    if schedule.check is not None:
        schedule.check(params)
    given = tuple(k for k in known if k in values and values[k] is not None)
    return build_curve(schedule, params, given, remaining, steps_per_epoch)


def build_curve(
    schedule: Schedule,
    params: dict[str, Any],
    given: tuple[str, ...],
    remaining: int,
    steps_per_epoch: int | None = None,
) -> Bound:
    """Close a schedule's function over its validated parameters."""
    if "parts" in params and not isinstance(params["parts"], tuple):  # a tuple: parts already bound
        parts = _bind_parts(params["parts"], params["lr"], remaining, steps_per_epoch)
        params = dict(params, parts=parts)
    kwargs = {p.name: params[p.name] for p in schedule.params}
    if schedule.uses_horizon:
        kwargs["horizon"] = max(1, remaining)
    function = schedule.function

    def curve(t: np.ndarray) -> np.ndarray:
        return function(t, lr=params["lr"], **kwargs)

    warmed = with_conventions(curve, params)
    if "parts" in params:
        joined = breakpoints.joined(*params["parts"])
        breaks = None if joined is None else breakpoints.with_conventions(joined, params)
    else:
        breaks = breakpoints.schedule_breaks(schedule, dict(kwargs, lr=params["lr"]), params)

    # An exponential warmup computes (lr / start) ** (t / W), which can overflow.
    exponential_warmup = params["warmup_steps"] and params["warmup_shape"] in ("exponential", "log")
    if schedule.bounded(params) and not exponential_warmup and _moderate(params.values()):
        return Bound(schedule, params, given, warmed, breaks)

    def finite(t: np.ndarray) -> np.ndarray:
        # Valid parameters can still overflow float64 (decay_rate 1e16, gamma
        # 1e300 ...): that is the user's input, reported as such, never inf
        # in a file. max() propagates inf and nan and allocates nothing.
        start = float(t[0]) if t.size else 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            values = warmed(t)
        if values.size and not np.isfinite(values.max()):
            step = int(start + np.flatnonzero(~np.isfinite(values))[0])
            shown = short_params(Bound(schedule, params, given, warmed))
            raise UsageError(
                f"{schedule.name}({shown}): the learning rate overflows float64 at step {step}; "
                "use smaller rates or factors"
            )
        return values

    return Bound(schedule, params, given, finite, breaks)


def _moderate(values: Any) -> bool:
    """Every number in ``values`` (lists included) is at most MODERATE in size."""
    for value in values:
        if isinstance(value, (list, tuple)):
            if not _moderate(value):
                return False
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MODERATE:
            return False
    return True


# ---------------------------------------------------------------- sequence


def _bind_parts(
    raw_parts: list[Any], lr: float, remaining: int, steps_per_epoch: int | None
) -> tuple[list[Bound], list[int]]:
    parts: list[Bound] = []
    lengths: list[int] = []
    offset = 0
    for number, raw in enumerate(raw_parts, start=1):
        where = f"part {number}"
        if not isinstance(raw, Mapping):
            raise UsageError(f"{where}: expected a mapping with schedule and steps")
        values = dict(raw)
        name = values.pop("schedule", None)
        if not isinstance(name, str):
            raise UsageError(f"{where}: schedule is required (a schedule name)")
        if name == "sequence":
            raise UsageError(f"{where}: a sequence cannot contain a sequence")
        try:
            schedule = get_schedule(name)
        except UsageError as error:
            raise UsageError(f"{where}: {error}") from None
        known = [p.name for p in schedule.all_params] + ["schedule", "steps"]
        for key in values:
            if key not in known:
                raise UsageError(
                    f"{where} ({name}): unknown key {show_value(key)}{did_you_mean(str(key), known, quote='`')}; "
                    f"allowed: {', '.join(known)}"
                )
        last = number == len(raw_parts)
        length_raw = values.pop("steps", None)
        if length_raw is None:
            if not last:
                raise UsageError(f"{where} ({name}): steps is required (an integer >= 1)")
            length = max(1, remaining - offset)
        else:
            try:
                length = convert(Param("steps", "steps", low=1), length_raw, steps_per_epoch)
            except ParamError as error:
                raise UsageError(f"{where} ({name}): {error}") from None
        values.setdefault("lr", lr)
        try:
            parts.append(bind(name, values, length, steps_per_epoch))
        except ParamError as error:
            raise UsageError(f"{where} ({name}): {error}") from None
        except UsageError as error:
            raise UsageError(f"{where}: {error}") from None
        lengths.append(length)
        offset += length
    return parts, lengths


def _sequence_function(t: np.ndarray, *, lr: float, parts: Any) -> np.ndarray:
    bound, lengths = parts
    return join([part.evaluate_at for part in bound], lengths)(t)


# Registered by lrplot.schedules, after the built-in schedules.
SEQUENCE = (
    Schedule(
        "sequence",
        _sequence_function,
        (
            Param(
                "parts",
                "parts",
                help="curves joined end to end, each with `steps` (optional on the last)",
            ),
        ),
        "several curves one after another (YAML only)",
        "part k evaluated at t - (steps of the parts before it)",
        "optax join_schedules, torch SequentialLR",
    )
)


def describe(bound: Bound) -> dict[str, Any]:
    """JSON-ready parameters of a curve (sequence parts included)."""
    out: dict[str, Any] = {}
    for name, value in bound.params.items():
        if name == "parts":
            parts, lengths = value
            out[name] = [
                {"schedule": part.name, "steps": length, "params": describe(part)}
                for part, length in zip(parts, lengths)
            ]
        else:
            out[name] = value
    return out


def short_params(bound: Bound) -> str:
    """The parameters the user set that differ from their defaults, for labels."""
    shown = []
    for name in bound.given:
        if name == "parts":
            parts, _ = bound.params[name]
            names = [part.name for part in parts[: shown_count(len(parts))]]
            shown.append("+".join(names) + (f"+… {len(parts):,} parts" if len(parts) > len(names) else ""))
            continue
        param = bound.schedule.param(name)
        value = bound.params[name]
        if value == param.default:
            continue
        text = format_value(value, separator=", ")
        shown.append(f"{name}=[{text}]" if isinstance(value, list) else f"{name}={text}")
    return ", ".join(shown)
