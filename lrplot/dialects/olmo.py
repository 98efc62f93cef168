"""OLMo's training YAML (ai2-olmo ``TrainConfig``): ``scheduler``,
``optimizer.learning_rate``, ``max_duration``, ``stop_at`` (see
:mod:`lrplot.frameworks.olmo`).

As ai2-olmo 0.6's ``Trainer`` counts the run: ``max_duration`` is steps (an
integer, or ``"2e4"``), or tokens (``"10e9T"``: ``ceil(tokens / (
global_train_batch_size x model.max_sequence_length))`` steps); training stops
at ``stop_at`` (``stop_after`` steps at most), else at ``max_steps + 10`` --
``fit``'s default, which runs 10 updates at the floor when the data lasts.
Values are read as OmegaConf reads them: ``5e12`` is a number and
``${max_duration}`` the value it names.

The first OLMo (2023) trained with Composer: a ``t_warmup`` or
``max_duration`` that is a Composer time (``100ba``) is run as its
``olmo/composer.py`` did, by Composer's schedulers (:mod:`lrplot.frameworks.composer`).
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.source import parse_yaml_mapping
from lrplot.errors import UsageError
from lrplot.frameworks import composer, olmo

# TrainConfig / OptimizerConfig / ModelConfig defaults (ai2-olmo 0.6).
DEFAULTS = {"learning_rate": 1e-4, "max_duration": 10000, "max_sequence_length": 1024, "global_train_batch_size": 512}
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")  # what OmegaConf's YAML reads as a number
REFERENCE = re.compile(r"^\$\{([A-Za-z_][\w.]*)\}$")
# olmo/composer.py (2023) build_scheduler: OLMo's names for Composer's schedulers.
COMPOSER_ERA = {
    "constant_with_warmup": "ConstantWithWarmupScheduler",
    "cosine_with_warmup": "CosineAnnealingWithWarmupScheduler",
    "linear_decay_with_warmup": "LinearWithWarmupScheduler",
}
SCHEDULER_KEYS = ("name", "units", "t_warmup", "t_max", "alpha_f", "warmup_min_lr", "grad_clip_warmup_steps",
                  "grad_clip_warmup_factor")


def detect(source: Source) -> int:
    if source.suffix not in (".yaml", ".yml"):
        return 0
    text = source.text
    if "scheduler:" in text and "learning_rate:" in text and "max_duration:" in text:
        return 2 if "t_warmup:" in text or "global_train_batch_size:" in text else 1
    return 0


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    config = parse_yaml_mapping(source.text, source.path, "an OLMo training config")
    if not any(key in config for key in ("scheduler", "optimizer", "max_duration")):
        raise UsageError(f"{shown}: has no scheduler, optimizer or max_duration: not an OLMo training config")
    value = config_reader(config, shown)
    section = value("scheduler", {})
    if not isinstance(section, dict):
        raise UsageError(f"{shown}: scheduler must be a mapping, got {section!r}")
    lr = _number(value("optimizer.learning_rate", DEFAULTS["learning_rate"]), "optimizer.learning_rate", shown)
    duration = value("max_duration", DEFAULTS["max_duration"])
    # "ep" is both OLMo's and Composer's: only the other units mark a Composer-era file.
    if _composer_time(section.get("t_warmup")) or (_composer_time(duration) and not str(duration).strip().endswith("ep")):
        return _composer_era(source, value, section, lr, duration)
    unknown = sorted(key for key in section if key not in SCHEDULER_KEYS)
    if unknown:
        raise UsageError(f"{shown}: scheduler.{unknown[0]} is not an OLMo scheduler key ({', '.join(SCHEDULER_KEYS)})")
    scheduler = {key: value(f"scheduler.{key}", None) for key in SCHEDULER_KEYS if key in section}
    for key in ("t_warmup", "t_max", "alpha_f", "warmup_min_lr"):
        if scheduler.get(key) is not None:
            scheduler[key] = _number(scheduler[key], f"scheduler.{key}", shown)
    units = scheduler.get("units", "steps")
    if units not in ("steps", "tokens"):
        raise UsageError(f"{shown}: scheduler.units {units!r} is not steps or tokens")
    batch = _whole(value("global_train_batch_size", DEFAULTS["global_train_batch_size"]), "global_train_batch_size", shown)
    length = _whole(value("model.max_sequence_length", DEFAULTS["max_sequence_length"]), "model.max_sequence_length", shown)
    per_step = batch * length  # Trainer.tokens_per_batch
    max_steps, max_tokens, said = _duration(duration, per_step, shown)
    stop, stop_said = _stop(value, max_steps, shown)
    try:
        curve = olmo.from_config(scheduler, lr, max_tokens if units == "tokens" else max_steps,
                                 per_step if units == "tokens" else 1)
    except UsageError as error:
        raise UsageError(f"{shown}: scheduler: {error}") from None
    tokens = f" tokens / {per_step} tokens per step" if units == "tokens" else ""
    origin = {
        "steps": stop_said,
        "lr": "optimizer.learning_rate",
        "step_offset": "Trainer.fit adds 1 to global_step before the update: update t uses step t + 1",
        "warmup_steps": f"scheduler.t_warmup{tokens}",
        "warmup_start_lr": "scheduler.warmup_min_lr" if scheduler.get("warmup_min_lr") is not None
        else "10% of learning_rate (warmup_min_lr unset)",
        "decay_steps": (f"scheduler.t_max{tokens}" if scheduler.get("t_max") is not None else said) + " - t_warmup",
        "end_lr": "scheduler.alpha_f × learning_rate",
        "power": "linear decay",
        "timescale": "scheduler.t_warmup: lr * sqrt(t_warmup / step)",
        "boundaries": "the floor from the first step after the warmup",
        "values": "the floor from the first step after the warmup",
        "warmup_target": "the warmup rises to learning_rate",
    }
    return Imported(
        label=os.path.basename(source.path),
        schedule=curve.schedule,
        params=curve.params,
        total_steps=stop,
        steps_per_epoch=None,
        origin=origin,
        dialect="olmo",
        ignored=tuple(f"scheduler.{key}" for key in ("grad_clip_warmup_steps", "grad_clip_warmup_factor") if key in section),
    )


def _composer_era(source: Source, value, section: dict[str, Any], lr: float, duration: Any) -> Imported:
    shown = f"--from {source.path}"
    name = value("scheduler.name", "cosine_with_warmup")
    if name not in COMPOSER_ERA:
        raise UsageError(f"{shown}: scheduler.name {name!r} is not one of the Composer-era OLMo's {', '.join(COMPOSER_ERA)}")
    # olmo/composer.py passed t_warmup (and alpha_f, 0.1 unless set) and nothing else.
    args = {"t_warmup": value("scheduler.t_warmup", "100ba")}
    if name != "constant_with_warmup":
        args["alpha_f"] = _number(value("scheduler.alpha_f", 0.1), "scheduler.alpha_f", shown)
    batch = value("global_train_batch_size", None)
    try:
        run = composer.Run(composer.scaled_duration(str(duration), 1.0), None,
                           batch if isinstance(batch, int) and not isinstance(batch, bool) else None)
        curve = composer.scheduler(COMPOSER_ERA[name], args, lr, run)
        steps = run.batches
    except UsageError as error:
        raise UsageError(f"{shown}: Composer-era OLMo config: {error}") from None
    origin = {
        "steps": f"max_duration {duration}",
        "lr": "optimizer.learning_rate",
        "step_offset": "Composer steps the scheduler before the batch count moves on: updates 0 and 1 both use batch 0",
        "warmup_steps": "scheduler.t_warmup (a Composer time: this OLMo trained with Composer)",
        "warmup_start_lr": "Composer warms up from 0",
        "decay_steps": "max_duration - t_warmup",
        "end_lr": "scheduler.alpha_f × learning_rate",
        "start_factor": "LinearWithWarmupScheduler's alpha_i (1)",
        "end_factor": "scheduler.alpha_f",
        "total_steps": "max_duration - t_warmup",
    }
    return Imported(
        label=os.path.basename(source.path),
        schedule=curve.schedule,
        params=curve.params,
        total_steps=steps,
        steps_per_epoch=None,
        origin=origin,
        dialect="olmo",
    )


def config_reader(config: dict[str, Any], shown: str):
    """``value("a.b", default)``: the config's value, ``${a.b}`` references followed."""

    def value(path: str, default: Any, seen: tuple[str, ...] = ()) -> Any:
        node: Any = config
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        match = REFERENCE.match(node) if isinstance(node, str) else None
        if match:
            if path in seen:
                raise UsageError(f"{shown}: {path} refers to itself through ${{{match.group(1)}}}")
            return value(match.group(1), None, (*seen, path))
        return node

    return value


def _composer_time(value: Any) -> bool:
    """A Composer time string (100ba, 0.1dur), which ai2-olmo 0.6 does not read."""
    return isinstance(value, str) and bool(re.fullmatch(r"\s*[0-9.eE+-]+\s*(ba|ep|sp|dur|tok)\s*", value))


def _number(value: Any, key: str, shown: str) -> float:
    if isinstance(value, str) and NUMBER.match(value.strip()):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{shown}: {key}: got {value!r}, expected a number")
    return value


def _whole(value: Any, key: str, shown: str) -> int:
    number = _number(value, key, shown)
    if number != int(number) or number < 1:
        raise UsageError(f"{shown}: {key}: got {value!r}, expected a whole number >= 1")
    return int(number)


def _duration(duration: Any, per_step: int, shown: str) -> tuple[int, int, str]:
    """``Trainer.max_steps`` and ``max_tokens`` at the start of the run."""
    if isinstance(duration, bool) or not isinstance(duration, (int, str)):
        raise UsageError(f"{shown}: max_duration: got {duration!r}, expected steps (an integer) or tokens (10e9T)")
    if isinstance(duration, str) and duration.strip().endswith("T"):
        tokens = int(_number(duration.strip()[:-1].strip(), "max_duration", shown))
        steps = math.ceil(tokens / per_step)  # OLMo's float division, then ceil
        return steps, tokens, f"max_duration {duration} = {steps} steps of {per_step} tokens"
    if isinstance(duration, str) and duration.strip().endswith("ep"):
        raise UsageError(f"{shown}: max_duration {duration!r} in epochs (OLMo counts its dataset's instances) is not supported yet")
    steps = duration if isinstance(duration, int) else int(_number(duration, "max_duration", shown))
    if steps < 1:
        raise UsageError(f"{shown}: max_duration {duration!r} is not a run")
    return steps, steps * per_step, f"max_duration ({steps} steps)"


def _stop(value, max_steps: int, shown: str) -> tuple[int, str]:
    """Where ``Trainer.fit`` stops: ``stop_at``, at most ``stop_after`` steps, else max_steps + 10."""
    stop_at, after = value("stop_at", None), value("stop_after", None)
    if after is not None:
        after = _whole(after, "stop_after", shown)
        if stop_at is None:
            return after, "stop_after"
    if stop_at is None:
        return max_steps + 10, f"max_duration's {max_steps} steps + 10: Trainer.fit's default stop_at"
    stop_at = _whole(stop_at, "stop_at", shown)
    if after is not None and after < stop_at:
        return after, "stop_after (before stop_at)"
    return stop_at, "stop_at"


register(Dialect("olmo", "OLMo training YAML (ai2-olmo)", detect, read))
