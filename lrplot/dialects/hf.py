"""transformers ``Trainer`` (and TRL, accelerate launches, alignment-handbook
recipes): ``TrainingArguments`` as YAML or JSON, or the trainer's flags on a
command line in a launch script or a README.

The run, as transformers 5.24's Trainer counts it (``set_initial_training_values``):

- batches per device and epoch ``L = ceil(dataset_size / (per_device_train_batch_size
  × world_size))`` (``floor`` with ``dataloader_drop_last``);
- updates per epoch ``max(1, ceil(L / gradient_accumulation_steps))``: the last,
  partial accumulation still steps the optimizer;
- updates ``max_steps`` if > 0, else ``ceil(num_train_epochs × updates per epoch)``;
- warmup ``warmup_steps`` if ≥ 1, else ``ceil(updates × warmup_steps)`` for a
  fraction (transformers 5), else ``ceil(updates × warmup_ratio)`` (4.x).

Each ``lr_scheduler_type`` maps to the lrplot schedule that equals it at every
step (:data:`SCHEDULERS`); one lrplot cannot honour is a one-line error.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from typing import Any, NamedTuple

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.shell import command_lines, launched_processes, number
from lrplot.dialects.source import parse_json, parse_yaml
from lrplot.errors import UsageError
from lrplot.frameworks import MAX_PARTS, next_cycle

# TrainingArguments fields that decide the learning rate, with the Trainer's defaults.
LAUNCHED = "(processes the launcher starts)"  # not an argument name: a command line's torchrun/deepspeed/accelerate
DEFAULTS: dict[str, Any] = {
    "learning_rate": 5e-5,
    "lr_scheduler_type": "linear",
    "lr_scheduler_kwargs": {},
    "warmup_steps": 0,
    "warmup_ratio": 0.0,
    "num_train_epochs": 3.0,
    "max_steps": -1,
    "per_device_train_batch_size": 8,
    "gradient_accumulation_steps": 1,
    "dataloader_drop_last": False,
}
SIGNATURE = ("lr_scheduler_type", "per_device_train_batch_size", "num_train_epochs", "gradient_accumulation_steps",
             "warmup_ratio", "learning_rate")
SCHEDULE_LOOKING = ("lr", "sched", "warmup", "decay")


class Run(NamedTuple):
    lr: float
    warmup: int
    total: int
    kwargs: dict[str, Any]
    shown: str


def _linear(run: Run) -> tuple[str, dict[str, Any]]:
    return "polynomial", {"decay_steps": max(1, run.total - run.warmup), "end_lr": 0.0, "power": 1.0}


def _cycles(run: Run) -> dict[str, Any]:
    """transformers' num_cycles (cos(pi x num_cycles x 2 x progress)), when not the half cosine."""
    cycles = run.kwargs.get("num_cycles", 0.5)
    if isinstance(cycles, bool) or not isinstance(cycles, (int, float)) or not cycles > 0:
        raise UsageError(f"{run.shown}: lr_scheduler_kwargs num_cycles={cycles!r}: expected a number > 0")
    return {} if cycles == 0.5 else {"num_cycles": float(cycles)}


def _cosine(run: Run) -> tuple[str, dict[str, Any]]:
    return "cosine", {"decay_steps": max(1, run.total - run.warmup), "end_lr": 0.0, **_cycles(run)}


def _cosine_with_restarts(run: Run) -> tuple[str, dict[str, Any]]:
    cycles = run.kwargs.get("num_cycles", 1)
    if isinstance(cycles, bool) or not isinstance(cycles, (int, float)) or not cycles > 0:
        raise UsageError(f"{run.shown}: lr_scheduler_kwargs num_cycles={cycles!r}: expected a number > 0")
    span = max(1, run.total - run.warmup)
    if cycles == 1:
        return "cosine", {"decay_steps": span, "end_lr": 0.0}
    if float(cycles).is_integer() and span % int(cycles) == 0 and _restarts_on_time(int(cycles), span):
        # Hard restarts: (num_cycles x progress) % 1, i.e. a new cosine every span / num_cycles steps.
        return "cosine-restarts", {"first_decay_steps": span // int(cycles), "t_mul": 1.0, "m_mul": 1.0, "end_lr": 0.0}
    return "sequence", {"parts": _restart_parts(run, float(cycles), span)}


def _restarts_on_time(cycles: int, span: int) -> bool:
    """Whether transformers' ``num_cycles x progress`` (in floats) restarts at
    every multiple of span / num_cycles, not a step later (23 x 39 / 69 is
    12.999999999999998)."""
    length = span // cycles
    return cycles <= MAX_PARTS and all(math.floor(cycles * (float(k * length) / float(span))) == k for k in range(1, cycles))


def _restart_parts(run: Run, cycles: float, span: int) -> list[dict[str, Any]]:
    """Hard restarts whose cycles start between steps: one cosine part per
    cycle, each step in the cycle transformers' own arithmetic
    (``num_cycles x progress``, floored) puts it, the part starting
    ``step_offset`` into its cycle of span / num_cycles steps."""
    length = span / cycles

    def cycle(step: int) -> int:
        return math.floor(cycles * (float(step) / float(span)))

    parts: list[dict[str, Any]] = []
    step = 0
    while step < span:
        index = cycle(step)
        end = next_cycle(cycle, step, (index + 1) * length, span)
        if end - step == 1:
            # A cycle with one step in it (cycles shorter than a step, or cut short): its value.
            progress = float(step) / float(span)
            factor = max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((cycles * progress) % 1.0))))
            parts.append({"schedule": "constant", "lr": run.lr * factor, "steps": 1})
        else:
            offset = step - index * length
            parts.append({"schedule": "cosine", "decay_steps": int(length) if length.is_integer() else length,
                          "end_lr": 0.0, "step_offset": int(offset) if float(offset).is_integer() else offset,
                          "steps": end - step})
        step = end
        if len(parts) > MAX_PARTS:
            raise UsageError(f"{run.shown}: cosine_with_restarts with more than {MAX_PARTS:,} cycles in the run "
                             "is not supported yet")
    # After the last cycle transformers holds 0, as the last cosine does past its end.
    parts.append({"schedule": "constant", "lr": 0.0, "steps": 1})
    del parts[-1]["steps"]
    return parts


def _cosine_with_min_lr(run: Run) -> tuple[str, dict[str, Any]]:
    min_lr, rate = run.kwargs.get("min_lr"), run.kwargs.get("min_lr_rate")
    if (min_lr is None) == (rate is None):
        raise UsageError(f"{run.shown}: cosine_with_min_lr needs exactly one of min_lr, min_lr_rate in lr_scheduler_kwargs")
    end = float(min_lr) if min_lr is not None else run.lr * float(rate)
    return "cosine", {"decay_steps": max(1, run.total - run.warmup), "end_lr": end, **_cycles(run)}


def _polynomial(run: Run) -> tuple[str, dict[str, Any]]:
    end = float(run.kwargs.get("lr_end", 1e-7))
    if not run.lr > end:
        raise UsageError(f"{run.shown}: polynomial needs learning_rate > lr_end ({end}), as transformers does")
    return "polynomial", {
        "decay_steps": max(1, run.total - run.warmup),
        "end_lr": end,
        "power": float(run.kwargs.get("power", 1.0)),
    }


def _constant(run: Run) -> tuple[str, dict[str, Any]]:
    return "constant", {}


def _inverse_sqrt(run: Run) -> tuple[str, dict[str, Any]]:
    timescale = run.kwargs.get("timescale") or run.warmup or 10_000
    return "inverse-sqrt", {"timescale": int(timescale)}


def _cosine_warmup_with_min_lr(run: Run) -> tuple[str, dict[str, Any]]:
    # transformers counts this one from the update being made: warmup (t + 1) / W,
    # decay progress (t - W + 1) / (N - W).
    # With warmup_lr_rate r its warmup is r + (1 - r) x t / (W - 1) instead: lr at
    # update W - 1, where the decay (counting the update being made) starts.
    rate = run.kwargs.get("warmup_lr_rate")
    name, params = _cosine_with_min_lr(run)
    if rate is None or not run.warmup:
        return name, {**params, "step_offset": 1}
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < float("inf"):
        raise UsageError(f"{run.shown}: lr_scheduler_kwargs warmup_lr_rate={rate!r}: expected a number >= 0")
    start = run.lr * float(rate)
    if run.warmup == 1:  # update 0 alone at r x lr, then the decay on the updates' clock
        return name, {**params, "warmup_steps": 1, "warmup_shape": "constant", "warmup_start_lr": start,
                      "warmup_clock": "shared"}
    return name, {**params, "warmup_steps": run.warmup - 1, "warmup_start_lr": start}


def _warmup_stable_decay(run: Run) -> tuple[str, dict[str, Any]]:
    kwargs = run.kwargs
    if kwargs.get("num_decay_steps") is None:
        raise UsageError(f"{run.shown}: warmup_stable_decay needs num_decay_steps in lr_scheduler_kwargs")
    decay = int(kwargs["num_decay_steps"])
    stable = kwargs.get("num_stable_steps")
    stable = run.total - run.warmup - decay if stable is None else int(stable)
    if decay < 0:
        raise UsageError(f"{run.shown}: warmup_stable_decay with num_decay_steps {decay}: expected >= 0")
    warmup_type, decay_type = kwargs.get("warmup_type", "linear"), kwargs.get("decay_type", "cosine")
    if warmup_type not in ("linear", "cosine", "1-sqrt") or decay_type not in ("linear", "cosine", "1-sqrt"):
        raise UsageError(f"{run.shown}: warmup_stable_decay types must be linear, cosine or 1-sqrt")
    ratio = float(kwargs.get("min_lr_ratio", 0.0))
    low = run.lr * ratio
    # The warmup rises from min_lr_ratio x lr to lr, whatever follows it (a decay
    # already under way when the stable phase is negative, or none at all).
    warmup = {"warmup_shape": warmup_type, "warmup_start_factor": ratio, "warmup_target": "lr"} if run.warmup else {}
    if decay == 0 or stable + decay <= 0:
        # No decay after the warmup: lr for the stable steps, then min_lr_ratio x lr.
        steps = [stable, [run.lr, low]] if stable >= 1 else [1, [low, low]]
        return "piecewise", {"boundaries": [steps[0]], "values": steps[1], **warmup}
    params: dict[str, Any] = {
        "decay_steps": decay, "stable_steps": stable, "end_lr": low, "decay_shape": decay_type, **warmup,
    }
    if decay_type == "cosine":
        params.update(_cycles(run))
    return "wsd", params


SCHEDULERS: dict[str, Callable[[Run], tuple[str, dict[str, Any]]]] = {
    "linear": _linear,
    "cosine": _cosine,
    "cosine_with_restarts": _cosine_with_restarts,
    "cosine_with_min_lr": _cosine_with_min_lr,
    "polynomial": _polynomial,
    "constant": _constant,
    "constant_with_warmup": _constant,
    "inverse_sqrt": _inverse_sqrt,
    "cosine_warmup_with_min_lr": _cosine_warmup_with_min_lr,
    "warmup_stable_decay": _warmup_stable_decay,
}
# Warmup the scheduler ignores: get_constant_schedule takes no warmup.
NO_WARMUP = ("constant",)
KWARGS = {
    "cosine": ("num_cycles",),
    "cosine_with_restarts": ("num_cycles",),
    "cosine_with_min_lr": ("num_cycles", "min_lr", "min_lr_rate"),
    "polynomial": ("lr_end", "power"),
    "inverse_sqrt": ("timescale",),
    "cosine_warmup_with_min_lr": ("num_cycles", "min_lr", "min_lr_rate", "warmup_lr_rate"),
    "warmup_stable_decay": ("num_decay_steps", "num_stable_steps", "warmup_type", "decay_type", "min_lr_ratio",
                            "num_cycles"),
}
REFUSED = {
    "reduce_lr_on_plateau": "follows the validation loss, which a plan cannot know",
    "greedy": "follows the training loss, which a plan cannot know",
}


def _only(run: Run, key: str, value: float) -> None:
    given = run.kwargs.get(key, value)
    if float(given) != value:
        raise UsageError(f"{run.shown}: lr_scheduler_kwargs {key}={given} is not supported yet (only {value})")


# ---------------------------------------------------------------- reading


def detect(source: Source) -> int:
    text = source.text
    hits = sum(key in text for key in SIGNATURE)
    if hits == 0 or "lr_scheduler_type" not in text and "per_device_train_batch_size" not in text:
        return 0
    return 2 if hits >= 3 else 1


def _arguments(source: Source) -> tuple[dict[str, Any], dict[str, str]]:
    """TrainingArguments as given (names as in the file) and where each came from."""
    shown = os.path.basename(source.path)
    if source.suffix == ".json":
        data = parse_json(source.text, source.path)
    elif source.suffix in (".yaml", ".yml"):
        data = parse_yaml(source.text, source.path, last_key_wins=True)
    else:
        return _flags(source)
    if not isinstance(data, dict):
        raise UsageError(f"--from {source.path}: expected TrainingArguments as a mapping of names to values")
    return data, {key: f"{shown}: {key}" for key in data}


def _flags(source: Source) -> tuple[dict[str, Any], dict[str, str]]:
    lines = command_lines(source.text, markdown=source.suffix in (".md", ".markdown", ".rst", ".txt"))
    scored = [(sum(line.get(key) is not None for key in SIGNATURE), index) for index, line in enumerate(lines)]
    scored = [pair for pair in scored if pair[0] > 0]
    if not scored:
        raise UsageError(f"--from {source.path}: no command line with the Trainer's flags (--lr_scheduler_type ...)")
    best = max(scored)[1]
    line = lines[best]
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    launched = launched_processes(line)
    if launched is not None:
        values[LAUNCHED], origin[LAUNCHED] = launched
    for flag in line.flags:
        key = flag.name.replace("-", "_")
        values[key] = flag.values[0] if len(flag.values) == 1 else (True if not flag.values else list(flag.values))
        origin[key] = f"--{flag.name}"
    return values, origin


def _number(values: dict[str, Any], key: str, shown: str, integer: bool = False) -> Any:
    raw = values.get(key, DEFAULTS[key])
    if isinstance(raw, bool) or raw is None:
        raise UsageError(f"{shown}: {key}: got {raw!r}, expected a number")
    value = number(str(raw), f"{shown}: {key}") if isinstance(raw, str) else raw
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UsageError(f"{shown}: {key}: got {raw!r}, expected a number")
    if integer:
        if float(value) != int(value):
            raise UsageError(f"{shown}: {key}: got {raw!r}, expected an integer")
        return int(value)
    return value


def _kwargs(values: dict[str, Any], shown: str) -> dict[str, Any]:
    raw = values.get("lr_scheduler_kwargs", {})
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            raise UsageError(f"{shown}: lr_scheduler_kwargs: got {raw!r}, expected a JSON object") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UsageError(f"{shown}: lr_scheduler_kwargs: got {raw!r}, expected a mapping")
    return raw


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    values, where = _arguments(source)
    if not any(key in values for key in (*SIGNATURE, "max_steps", "warmup_steps")):
        raise UsageError(f"{shown}: none of the Trainer's arguments (learning_rate, lr_scheduler_type, "
                         "num_train_epochs, ...) is in it")
    lr = float(_number(values, "learning_rate", shown))
    kind = str(values.get("lr_scheduler_type", DEFAULTS["lr_scheduler_type"])).lower()
    kind = kind.removeprefix("schedulertype.")
    if kind in REFUSED:
        raise UsageError(f"{shown}: lr_scheduler_type {kind} {REFUSED[kind]}")
    if kind not in SCHEDULERS:
        raise UsageError(f"{shown}: lr_scheduler_type {kind!r} is not a transformers scheduler lrplot knows "
                         f"({', '.join(SCHEDULERS)})")
    kwargs = _kwargs(values, shown)
    unknown = sorted(set(kwargs) - set(KWARGS.get(kind, ())))
    if unknown:
        raise UsageError(f"{shown}: lr_scheduler_kwargs {unknown[0]} is not an argument lrplot knows for {kind}")

    batch = facts.batch_size if facts.batch_size is not None else _number(values, "per_device_train_batch_size", shown, True)
    accumulation = (facts.grad_accum if facts.grad_accum is not None
                    else _number(values, "gradient_accumulation_steps", shown, True))
    launched = values.get(LAUNCHED) if facts.world_size is None else None
    world = facts.world_size or launched or 1
    drop_last = str(values.get("dataloader_drop_last", False)).lower() in ("true", "1")
    if batch < 1 or accumulation < 1:
        raise UsageError(f"{shown}: per_device_train_batch_size and gradient_accumulation_steps must be >= 1")
    per_epoch = None
    if facts.dataset_size is not None:
        examples = batch * world
        batches = facts.dataset_size // examples if drop_last else -(-facts.dataset_size // examples)
        per_epoch = max(1, -(-batches // accumulation))
        devices = f"{world} devices" + (f" ({where[LAUNCHED]})" if launched else "")
        epoch_origin = (f"--dataset-size {facts.dataset_size} / ({batch} per device × {devices}) → "
                        f"{batches} batches, ceil(/ {accumulation} accumulated)")
    max_steps = _number(values, "max_steps", shown, True)
    origin: dict[str, str] = {}
    if max_steps > 0:
        total = max_steps
        origin["steps"] = where.get("max_steps", "max_steps")
    else:
        if per_epoch is None:
            raise UsageError(
                f"{shown}: give --dataset-size (the number of training examples): the run is "
                f"num_train_epochs = {values.get('num_train_epochs', DEFAULTS['num_train_epochs'])} epochs of it"
            )
        epochs = float(_number(values, "num_train_epochs", shown))
        if epochs <= 0:
            raise UsageError(f"{shown}: num_train_epochs must be > 0 when max_steps is not set")
        total = max(1, math.ceil(epochs * per_epoch))
        origin["steps"] = f"ceil({where.get('num_train_epochs', 'num_train_epochs (default 3)')} × {per_epoch} updates per epoch)"
        origin["steps_per_epoch"] = epoch_origin
    warmup = _warmup(values, total, shown, where, origin)
    if kind in NO_WARMUP:
        warmup = 0
    schedule, params = SCHEDULERS[kind](Run(lr, warmup, total, kwargs, shown))
    params = {"lr": lr, **params}
    origin["lr"] = where.get("learning_rate", "learning_rate (default 5e-5)")
    for name in params:
        origin.setdefault(name, f"{where.get('lr_scheduler_type', 'lr_scheduler_type (default linear)')} = {kind}")
    if warmup:
        params.setdefault("warmup_steps", warmup)  # a scheduler may count its warmup its own way
    consumed = set(DEFAULTS) | {"warmup_ratio", "warmup_steps"}
    ignored = tuple(sorted(k for k in values if k not in consumed and any(s in k for s in SCHEDULE_LOOKING)))
    return Imported(
        label=os.path.basename(source.path),
        schedule=schedule,
        params=params,
        total_steps=total,
        steps_per_epoch=per_epoch if max_steps <= 0 else None,
        origin=origin,
        dialect="hf",
        ignored=ignored,
    )


def _warmup(values: dict[str, Any], total: int, shown: str, where: dict[str, str], origin: dict[str, str]) -> int:
    steps = float(_number(values, "warmup_steps", shown))
    ratio = float(_number(values, "warmup_ratio", shown))
    if steps < 0 or ratio < 0:
        raise UsageError(f"{shown}: warmup_steps and warmup_ratio must be >= 0")
    if steps >= 1:
        origin["warmup_steps"] = where.get("warmup_steps", "warmup_steps")
        return int(steps)
    if steps > 0:
        origin["warmup_steps"] = f"ceil({where.get('warmup_steps', 'warmup_steps')} × {total} updates)"
        return math.ceil(total * steps)
    if ratio > 0:
        origin["warmup_steps"] = f"ceil({where.get('warmup_ratio', 'warmup_ratio')} × {total} updates)"
        return math.ceil(total * ratio)
    return 0


register(Dialect("hf", "transformers Trainer / TRL / accelerate", detect, read))
