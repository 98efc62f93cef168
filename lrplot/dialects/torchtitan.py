"""torchtitan's TOML job config: ``[lr_scheduler]``, ``[training] steps`` and
``[optimizer] lr`` (see :mod:`lrplot.frameworks.torchtitan` for the curve).

The run is ``[training] steps`` updates. A file with ``warmup_steps`` in
``[training]`` and no ``[lr_scheduler]`` table is the 2024 layout, run by
that era's ``linear_warmup_linear_decay``. Missing keys take torchtitan's
defaults (lr 8e-4, 10000 steps, a 200-step warmup, linear decay to 0); a file
with neither layout's warmup says too little to know which torchtitan reads
it, and is refused.
"""

from __future__ import annotations

import os
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.source import parse_toml
from lrplot.errors import UsageError
from lrplot.frameworks import number, torchtitan

# What torchtitan's job config defaults these to (0.1 - 0.3, and the 2024 layout).
DEFAULT_LR = 8e-4
DEFAULT_STEPS = 10000
SCHEDULER_KEYS = ("warmup_steps", "decay_ratio", "decay_type", "min_lr_factor", "lr_min", "total_steps")
SCHEDULE_LOOKING = ("lr", "sched", "warmup", "decay")


def detect(source: Source) -> int:
    if source.suffix != ".toml":
        return 0
    text = source.text
    if "[training]" not in text:
        return 0
    if "[lr_scheduler]" in text or ("[optimizer]" in text and "warmup_steps" in text):
        return 2
    return 1 if "[optimizer]" in text else 0


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    config = parse_toml(source.text, source.path)
    training = _table(config, "training", shown)
    optimizer = _table(config, "optimizer", shown)
    steps = _steps(training, shown)
    try:
        lr = float(number(optimizer, "lr", DEFAULT_LR))
    except UsageError as error:
        raise UsageError(f"{shown}: [optimizer] {error}") from None
    origin = {
        "steps": "[training] steps" if "steps" in training else f"torchtitan's default [training] steps ({DEFAULT_STEPS})",
        "lr": "[optimizer] lr" if "lr" in optimizer else f"torchtitan's default [optimizer] lr ({DEFAULT_LR})",
    }
    used = {("training", "steps"), ("optimizer", "lr")}
    if "lr_scheduler" in config:
        curve = _modern(config, steps, lr, shown, origin)
        used |= {("lr_scheduler", key) for key in SCHEDULER_KEYS}
    elif "warmup_steps" in training:
        try:
            curve = torchtitan.legacy(training["warmup_steps"], lr, steps)
        except UsageError as error:
            raise UsageError(f"{shown}: [training] {error}") from None
        used.add(("training", "warmup_steps"))
        origin.update(
            warmup_steps="[training] warmup_steps + 1: the 2024 lr_scheduling.py warms up by (t + 1) / (warmup_steps + 1)",
            warmup_start_lr="torchtitan's warmup starts from 0",
            step_offset="the lambda counts step t + 1 during the warmup",
            decay_steps="[training] steps - warmup_steps: linear decay after the warmup",
            end_lr="the decay reaches 0 one step after the run",
            power="linear decay",
        )
    else:
        raise UsageError(
            f"{shown}: no [lr_scheduler] table and no [training] warmup_steps: which torchtitan "
            "(and so which defaults) runs this file is unknown; add an [lr_scheduler] table"
        )
    ignored = tuple(
        f"[{table}] {key}"
        for table in ("training", "optimizer", "lr_scheduler")
        for key in _table(config, table, shown)
        if (table, key) not in used and "weight_decay" not in key and any(s in key for s in SCHEDULE_LOOKING)
    )
    return Imported(
        label=os.path.basename(source.path),
        schedule=curve.schedule,
        params=curve.params,
        total_steps=steps,
        steps_per_epoch=None,
        origin=origin,
        dialect="torchtitan",
        ignored=ignored,
    )


def _modern(config: dict[str, Any], steps: int, lr: float, shown: str, origin: dict[str, str]):
    section = _table(config, "lr_scheduler", shown)
    unknown = sorted(key for key in section if key not in SCHEDULER_KEYS)
    if unknown:
        raise UsageError(f"{shown}: [lr_scheduler] {unknown[0]} is not supported yet ({', '.join(SCHEDULER_KEYS)})")
    try:
        total, warmup, decay = torchtitan.resolve(section, steps)
        if total != steps:
            raise UsageError(
                f"total_steps {total} differs from [training] steps {steps}: "
                "a schedule decoupled from the run is not supported yet"
            )
        curve = torchtitan.lr_scheduler(section, lr, steps)
    except UsageError as error:
        raise UsageError(f"{shown}: [lr_scheduler] {error}") from None
    floor = "lr_min" if section.get("lr_min") is not None else "min_lr_factor"
    decayed = (f"round([training] steps × decay_ratio {section['decay_ratio']}) = {decay}"
               if section.get("decay_ratio") is not None else f"[training] steps - warmup_steps = {decay}")
    origin.update(
        warmup_steps=f"[lr_scheduler] warmup_steps ({warmup} after torchtitan cuts it to the run)",
        warmup_start_lr="torchtitan's warmup starts from 0: (t + 1) / warmup_steps",
        step_offset="the lambda counts step t + 1: update 0 has lr / warmup_steps, and the decay never reaches its floor",
        decay_steps=decayed,
        end_lr=f"[lr_scheduler] {floor} × lr",
        decay_shape="[lr_scheduler] decay_type (sqrt is 1-sqrt)",
    )
    return curve


def _steps(training: dict[str, Any], shown: str) -> int:
    steps = training.get("steps", DEFAULT_STEPS)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise UsageError(f"{shown}: [training] steps: got {steps!r}, expected a whole number of steps >= 1")
    return steps


def _table(config: Any, name: str, shown: str) -> dict[str, Any]:
    table = config.get(name, {})
    if not isinstance(table, dict):
        raise UsageError(f"{shown}: {name} must be a TOML table ([{name}]), got {table!r}")
    return table


register(Dialect("torchtitan", "torchtitan TOML job config", detect, read))
