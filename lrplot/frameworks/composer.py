"""Composer's warmup schedulers (``composer.optim.scheduler``, 0.32) as its
Trainer steps them.

A Composer scheduler returns a multiplier of the optimizer's lr at
``state.timestamp``. The Trainer steps the compiled ``LambdaLR`` after each
batch but *before* the timestamp moves on, so batches 0 and 1 both use the
multiplier at batch 0 and update t uses batch t - 1: lrplot's
``step_offset -1``. Every scheduler here first warms up linearly from 0 over
``t_warmup`` (to ``alpha_i`` for the linear one, else to 1), then:

- ``CosineAnnealingWithWarmupScheduler``: ``alpha_f + (1 - alpha_f) (1 + cos(pi x)) / 2``,
- ``LinearWithWarmupScheduler``: ``alpha_i + (alpha_f - alpha_i) x``,
- ``PolynomialWithWarmupScheduler``: ``alpha_f + (1 - alpha_f) (1 - x) ** power``,
- ``ConstantWithWarmupScheduler``: ``alpha``,

with ``x = min(1, (t - t_warmup) / (t_max - t_warmup))``, or
``MultiStepWithWarmupScheduler``: ``gamma ** (milestones passed)``, its
milestones counted from batch 0 (``warmup_clock shared``).

Times are strings: ``ba`` batches, ``ep`` epochs (x batches per epoch), ``sp``
samples, ``dur`` a fraction of ``max_duration`` (``int(fraction x
max_duration)`` in its unit). lrplot counts updates, so a time in samples must
be a whole number of batches; tokens and wall-clock time are refused.
``scale_schedule_ratio`` scales ``max_duration`` and the other times, not the
warmup: with ``scale_warmup`` only its rise is scaled (it still lasts
``t_warmup``), so it rises faster and holds, or is cut off below the top --
a ``sequence`` of the warmup and the schedule after it, as is a multistep
warmup with a milestone already passed at batch 0.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from lrplot.frameworks import Curve, Unsupported, number, sequence

TIME = re.compile(r"^(.+)(iter|ep|ba|sp|tok|dur|sec)$", re.IGNORECASE)  # composer.core.time._TIME_STR_REGEX
# Each scheduler's constructor arguments and their defaults.
ARGUMENTS: dict[str, dict[str, Any]] = {
    "CosineAnnealingWithWarmupScheduler": {"t_warmup": None, "t_max": "1dur", "alpha_f": 0.0, "scale_warmup": False},
    "LinearWithWarmupScheduler": {"t_warmup": None, "alpha_i": 1.0, "alpha_f": 0.0, "t_max": "1dur",
                                  "scale_warmup": False},
    "ConstantWithWarmupScheduler": {"t_warmup": None, "alpha": 1.0, "t_max": "1dur", "scale_warmup": False},
    "PolynomialWithWarmupScheduler": {"t_warmup": None, "power": 2.0, "t_max": "1dur", "alpha_f": 0.0,
                                      "scale_warmup": False},
    "MultiStepWithWarmupScheduler": {"t_warmup": None, "milestones": None, "gamma": 0.1, "scale_warmup": False},
}


class Time(NamedTuple):
    value: float
    unit: str  # ep ba sp tok dur iter sec, lower case


class Run(NamedTuple):
    """What the Trainer knows that turns times into batches."""

    max_duration: Time  # already scaled by scale_schedule_ratio
    batches_per_epoch: int | None  # the dataloader's length, for ep times
    samples_per_batch: int | None  # the global batch, for sp times
    ssr: float = 1.0

    @property
    def batches(self) -> int:
        """The run's length in updates."""
        return self.in_batches(self.max_duration, "max_duration")

    def per_epoch(self) -> int:
        if self.batches_per_epoch is None:
            raise Unsupported("a time in epochs needs the dataloader's length (--dataset-size)")
        return self.batches_per_epoch

    def in_batches(self, time: Time, key: str) -> int:
        """A time in ba, ep or sp as a whole number of batches."""
        if time.unit in ("ba", "ep"):
            return int(time.value * (1 if time.unit == "ba" else self.per_epoch()))
        if time.unit == "sp":
            if not self.samples_per_batch:
                raise Unsupported(f"{key} in samples needs the global batch (global_train_batch_size, or give --batch-size)")
            if time.value % self.samples_per_batch:
                raise Unsupported(
                    f"{key} {time.value} samples is not a whole number of batches of {self.samples_per_batch}: "
                    "not supported yet"
                )
            return int(time.value // self.samples_per_batch)
        raise Unsupported(f"{key} in {time.unit} is not supported yet (ba, ep, sp, dur)")


def parse_time(value: Any, key: str) -> Time:
    """``Time.from_timestring``: a number and a unit; only ``dur`` may be fractional."""
    if not isinstance(value, str):
        raise Unsupported(f"{key}: got {value!r}, expected a Composer time string such as 100ba, 1ep or 0.1dur")
    match = TIME.match(value.strip())
    number_text = match.group(1) if match else ""
    try:
        amount = float(number_text)
    except ValueError:
        raise Unsupported(f"{key}: {value!r} is not a Composer time string (a number and ba, ep, sp, tok or dur)") from None
    unit = match.group(2).lower()
    if unit != "dur":
        if amount != int(amount):
            raise Unsupported(f"{key}: {value!r}: Composer needs a whole number of {unit}")
        amount = int(amount)
    if amount < 0 or not math.isfinite(amount):
        raise Unsupported(f"{key}: {value!r} is not a duration")
    return Time(amount, unit)


def scaled_duration(max_duration: Any, ssr: float) -> Time:
    """``_scale_max_duration_by_ssr``: the value times the ratio, truncated."""
    duration = parse_time(max_duration, "max_duration")
    if duration.unit in ("dur", "iter", "sec", "tok"):
        raise Unsupported(f"max_duration {max_duration!r} in {duration.unit} is not supported yet (ba, ep, sp)")
    value = int(duration.value * ssr)
    if value < 1:
        raise Unsupported(f"max_duration {max_duration!r} scaled by {ssr} is 0: Composer refuses it")
    return Time(value, duration.unit)


def _convert(run: Run, time: Time, ssr: float) -> Time:
    """``_convert_time``: dur of max_duration, ep as batches, scaled by ``ssr``."""
    if time.unit == "dur":
        if run.max_duration.unit == "ep":
            return Time(int(time.value * run.per_epoch() * run.max_duration.value), "ba")
        return Time(int(time.value * run.max_duration.value), run.max_duration.unit)
    if time.unit == "ep":
        time = Time(time.value * run.per_epoch(), "ba")
    return Time(int(time.value * ssr), time.unit)


def scheduler(name: str, args: dict[str, Any], lr: float, run: Run) -> Curve:
    """The Composer scheduler class ``name`` with its constructor ``args``,
    run by the Trainer over ``run``."""
    if name not in ARGUMENTS:
        raise Unsupported(f"Composer scheduler {name} is not supported yet ({', '.join(ARGUMENTS)})")
    unknown = sorted(set(args) - set(ARGUMENTS[name]))
    if unknown:
        raise Unsupported(f"{name} has no argument {unknown[0]} ({', '.join(ARGUMENTS[name])})")
    get = {**ARGUMENTS[name], **{k: v for k, v in args.items() if v is not None}}
    warmup_time = _convert(run, parse_time(get["t_warmup"], "t_warmup"), 1.0)  # the warmup is never scaled
    warmup = run.in_batches(warmup_time, "t_warmup")
    ramp = _ramp(get, run, warmup)
    params: dict[str, Any] = {"lr": float(lr), "step_offset": -1}
    if name == "MultiStepWithWarmupScheduler":
        steps = _milestones(get, run)
        if warmup and (ramp != warmup or steps[0] <= 0):
            return _warmup_then(float(lr), warmup, ramp, _multistep_from(get, float(lr), steps, warmup, {}))
        if warmup:
            params.update(warmup_steps=warmup, warmup_start_lr=0.0)
        return _multistep_from(get, float(lr), steps, 0, params)
    if warmup and ramp != warmup:
        after = _decay(name, get, lr, run, {"lr": float(lr)}, warmup_time, warmup)
        top = after.params["lr"] * after.params.get("start_factor", 1.0)  # the schedule's value at x = 0
        return _warmup_then(top, warmup, ramp, after)
    if warmup:
        params.update(warmup_steps=warmup, warmup_start_lr=0.0)
    return _decay(name, get, lr, run, params, warmup_time, warmup)


def _decay(name: str, get: dict[str, Any], lr: float, run: Run, params: dict[str, Any], warmup_time: Time,
           warmup: int) -> Curve:
    """The schedule after the warmup: lrplot's clock starts at batch ``warmup``."""
    end_time = _convert(run, parse_time(get["t_max"], "t_max"), run.ssr)
    _check_units(warmup_time, end_time, run)
    decay = run.in_batches(end_time, "t_max") - warmup  # x = (t - t_warmup) / (t_max - t_warmup)
    if name == "ConstantWithWarmupScheduler":
        return Curve("constant", {**params, "lr": float(lr) * _factor(get, "alpha")})
    if name == "LinearWithWarmupScheduler":
        start, end = _factor(get, "alpha_i"), _factor(get, "alpha_f")
        if decay <= 0:  # Composer takes x = 0: alpha_i after the warmup
            return Curve("constant", {**params, "lr": float(lr) * start})
        # lrplot's linear counts from lr: lr * start_factor is Composer's alpha_i.
        return Curve("linear", {**params, "start_factor": start, "end_factor": end, "total_steps": decay})
    floor = _factor(get, "alpha_f")
    if decay <= 0:  # x = 0 for ever: the full lr
        return Curve("constant", params)
    if name == "CosineAnnealingWithWarmupScheduler":
        return Curve("cosine", {**params, "decay_steps": decay, "end_lr": floor * lr})
    return Curve("polynomial", {**params, "decay_steps": decay, "end_lr": floor * lr,
                                "power": float(number(get, "power", 2.0))})


def _ramp(get: dict[str, Any], run: Run, warmup: int) -> int:
    """The batches the warmup's linear rise takes: ``t_warmup``, or with
    ``scale_warmup`` the warmup scaled by the ratio (``LinearScheduler``'s
    ``t_max`` under the ratio), though the warmup still lasts ``t_warmup``: it
    rises faster and holds, or is cut off before the top."""
    if not get["scale_warmup"] or run.ssr == 1.0 or not warmup:
        return warmup
    ramp = run.in_batches(_convert(run, parse_time(get["t_warmup"], "t_warmup"), run.ssr), "t_warmup")
    if ramp == 0:
        raise Unsupported(f"t_warmup {get['t_warmup']} with scale_warmup and scale_schedule_ratio {run.ssr} rises "
                          "over 0 batches: Composer divides by it at the first batch")
    return ramp


def _warmup_then(top: float, warmup: int, ramp: int, after: Curve) -> Curve:
    """The warmup, rising from 0 towards ``top`` over ``ramp`` batches, for the
    ``warmup + 1`` updates that use its batches (update t uses batch t - 1),
    then ``after``: the schedule from batch ``warmup`` on its own clock."""
    rise = {"schedule": "constant", "lr": top, "warmup_steps": ramp, "warmup_start_lr": 0.0, "step_offset": -1,
            "steps": warmup + 1}
    return sequence(top, [rise, {"schedule": after.schedule, **after.params, "steps": 1}])


def _milestones(get: dict[str, Any], run: Run) -> list[int]:
    milestones = get["milestones"]
    if not isinstance(milestones, list) or not milestones:
        raise Unsupported("milestones: expected a list of Composer times")
    return sorted(run.in_batches(_convert(run, parse_time(m, "milestones"), run.ssr), "milestones") for m in milestones)


def _multistep_from(get: dict[str, Any], lr: float, steps: list[int], start: int, params: dict[str, Any]) -> Curve:
    """``gamma ** (milestones passed)`` from batch ``start`` on lrplot's clock;
    under a warmup (``params``) the milestones count from batch 0 and the
    warmup rises to the full lr whatever has passed."""
    shared = {"warmup_clock": "shared", "warmup_target": "lr"} if "warmup_steps" in params else {}
    gamma = _factor(get, "gamma")
    passed = sum(1 for step in steps if step <= start)  # already passed at lrplot's step 0
    later = [step - start for step in steps if step > start]
    lr = lr * gamma**passed
    if not later:
        return Curve("constant", {**params, "lr": lr})
    return Curve("multistep", {**params, **shared, "lr": lr, "milestones": later, "gamma": gamma})


def _check_units(warmup: Time, end: Time, run: Run) -> None:
    """Composer's own checks, which raise at the first batch."""
    if warmup.unit != end.unit:
        raise Unsupported(f"t_warmup in {warmup.unit} and t_max in {end.unit}: Composer requires the same units")
    longest = run.max_duration
    if longest.unit == "ep" and end.unit == "ba" and run.batches_per_epoch is not None:
        longest = Time(longest.value * run.batches_per_epoch, "ba")
    if end.unit == longest.unit and end.value < longest.value:
        raise Unsupported(f"t_max {end.value}{end.unit} is shorter than max_duration: Composer refuses it")


def _factor(get: dict[str, Any], key: str) -> float:
    value = float(number(get, key, None))
    if value < 0:
        raise Unsupported(f"{key} {value} is negative")
    return value
