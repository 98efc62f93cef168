"""The one warmup wrapper and the one sequence join.

Every schedule gets warmup the same way (SPEC §2): for ``t < W`` a ramp from
``warmup_start_lr`` to the schedule's own value at its step 0, then the
schedule evaluated at ``t - W``. A ``sequence`` joins curves end to end, each
starting at its own step 0 (optax ``join_schedules``, torch ``SequentialLR``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from lrplot.errors import ParamError, UsageError, show_value, shown_count
from lrplot.registry import (
    MODERATE,
    Bound,
    Param,
    Schedule,
    bind,
    convert,
    did_you_mean,
    format_value,
    get_schedule,
)

# A curve as a function: ascending float64 steps (overwritten) -> values.
CurveFunction = Callable[[np.ndarray], np.ndarray]


def _ramp(shape: str, start: float, target: float, fraction: np.ndarray) -> np.ndarray:
    if shape == "linear":
        return start + (target - start) * fraction
    if shape == "exponential":
        return start * np.power(target / start, fraction)
    return np.full(fraction.shape, start)


def with_warmup(curve: CurveFunction, steps: int, start: float, shape: str) -> CurveFunction:
    """Prefix ``curve`` with ``steps`` warmup steps.

    Like every curve here, the result takes an ascending float64 array of
    steps that it may overwrite, and returns the values.
    """
    if steps == 0:
        return curve
    with np.errstate(over="ignore", invalid="ignore"):  # an inf is reported by the overflow check
        target = float(curve(np.zeros(1))[0])

    def warmed(t: np.ndarray) -> np.ndarray:
        split = int(np.searchsorted(t, steps, side="left"))
        if split == 0:
            t -= steps
            return curve(t)
        ramp = _ramp(shape, start, target, t[:split] / steps)
        _evaluate_into(curve, t[split:], offset=steps)
        t[:split] = ramp
        return t

    return warmed


def _evaluate_into(curve: CurveFunction, piece: np.ndarray, offset: float) -> None:
    """Overwrite ``piece`` (a view) with ``curve`` at ``piece - offset``."""
    if piece.size == 0:
        return
    piece -= offset
    values = curve(piece)
    if values is not piece:
        piece[...] = values


def join(parts: list[CurveFunction], lengths: list[int]) -> CurveFunction:
    """Run ``parts`` one after another; each sees its own steps from 0. The
    last part continues past its length."""
    starts = np.cumsum([0] + lengths[:-1]).astype(np.float64)

    def joined(t: np.ndarray) -> np.ndarray:
        cuts = [0] + np.searchsorted(t, starts[1:], side="left").tolist() + [t.size]
        for part, begin, end, start in zip(parts, cuts, cuts[1:], starts):
            _evaluate_into(part, t[begin:end], offset=start)
        return t

    return joined


def build_curve(
    schedule: Schedule,
    params: dict[str, Any],
    given: tuple[str, ...],
    remaining: int,
    steps_per_epoch: int | None = None,
) -> Bound:
    """Close a schedule's function over its validated parameters."""
    if "parts" in params:
        parts = _bind_parts(params["parts"], params["lr"], remaining, steps_per_epoch)
        params = dict(params, parts=parts)
    kwargs = {p.name: params[p.name] for p in schedule.params}
    if schedule.uses_horizon:
        kwargs["horizon"] = max(1, remaining)
    function = schedule.function

    def curve(t: np.ndarray) -> np.ndarray:
        return function(t, lr=params["lr"], **kwargs)

    warmed = with_warmup(
        curve, params["warmup_steps"], params["warmup_start_lr"], params["warmup_shape"]
    )

    # An exponential warmup computes (lr / start) ** (t / W), which can overflow.
    exponential_warmup = params["warmup_steps"] and params["warmup_shape"] == "exponential"
    if schedule.bounded(params) and not exponential_warmup and _moderate(params.values()):
        return Bound(schedule, params, given, warmed)

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

    return Bound(schedule, params, given, finite)


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
