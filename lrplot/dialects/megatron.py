"""Megatron-LM launch scripts: the ``pretrain_*.py`` command line (its
``--lr-*`` flags, ``--train-iters`` or ``--train-samples``,
``--global-batch-size``), read as data (see :mod:`lrplot.dialects.shell`).

As ``get_optimizer_param_scheduler`` (megatron/training/training.py) turns
them into an ``OptimizerParamScheduler`` on the consumed-samples clock:
iteration-based runs multiply ``--lr-decay-iters`` (default
``--train-iters``), ``--lr-warmup-iters`` and ``--lr-wsd-decay-iters`` by the
global batch, or take ``--lr-warmup-fraction`` of the decay; sample-based
runs use ``--lr-decay-samples`` (default ``--train-samples``) and the
``--train-samples // global batch`` iterations ``update_train_iters`` gives.
``train_step`` steps it by the global batch, so in updates the lengths are
divided by it again (see :mod:`lrplot.frameworks.megatron`). A ramping batch
(``--rampup-batch-size``, sample-based runs only, as Megatron asserts) runs
the sample clock slower while the batch grows: one sequence part per batch.
"""

from __future__ import annotations

import os
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.shell import CommandLine, command_lines
from lrplot.errors import UsageError
from lrplot.frameworks import megatron

SIGNATURE = ("--lr-decay-style", "--train-iters", "--train-samples", "--global-batch-size", "--micro-batch-size",
             "--lr-warmup-fraction", "--lr-decay-iters", "--tensor-model-parallel-size", "--min-lr")


def detect(source: Source) -> int:
    if source.suffix in (".yaml", ".yml", ".json", ".toml", ".py"):
        return 0
    text = source.text
    hits = sum(flag in text for flag in SIGNATURE)
    if hits >= 2 and ("pretrain_" in text or "megatron" in text.lower()):
        return 1 if source.suffix in (".md", ".markdown", ".rst", ".txt") else 2
    return 1 if hits >= 4 else 0


def read(source: Source, facts: Facts) -> list[Imported]:
    shown = f"--from {source.path}"
    lines: list[CommandLine] = []
    for line in command_lines(source.text, markdown=source.suffix in (".md", ".markdown", ".rst", ".txt")):
        if line.words and line.words[0] == "echo":
            continue
        if line.get("train-iters", "train-samples") is None:
            continue
        if all(line.flags != seen.flags for seen in lines):
            lines.append(line)
    if not lines:
        raise UsageError(f"{shown}: no Megatron command line (--train-iters or --train-samples) in it")
    name = os.path.basename(source.path)
    return [_curve(line, facts, shown, name if len(lines) == 1 else f"{name} ({index})")
            for index, line in enumerate(lines, 1)]


def _value(line: CommandLine, flag: str, shown: str, kind: type = float, default: Any = None) -> Any:
    found = line.get(flag)
    if found is None:
        return default
    if not found.values:
        raise UsageError(f"{shown}: --{flag} needs a value")
    text = found.values[0]
    try:
        return kind(text)  # argparse's int/float (which accept 9_765_625)
    except ValueError:
        raise UsageError(f"{shown}: --{flag} {text}: expected {'an integer' if kind is int else 'a number'}") from None


def _curve(line: CommandLine, facts: Facts, shown: str, label: str) -> Imported:
    value = lambda flag, kind=float, default=None: _value(line, flag, shown, kind, default)  # noqa: E731
    ramp_flag = line.get("rampup-batch-size")
    if ramp_flag is not None and line.get("train-iters") is not None:
        raise UsageError(f"{shown}: --rampup-batch-size with --train-iters: Megatron asserts \"expected no batch-size "
                         "rampup for iteration-based training\" (give --train-samples)")
    style_flag = line.get("lr-decay-style")
    style = style_flag.value if style_flag is not None and style_flag.value else "linear"
    wsd_flag = line.get("lr-wsd-decay-style")
    lr = value("lr")
    fraction = value("lr-warmup-fraction")
    batch, batch_origin = _global_batch(line, facts, shown)
    iterations = value("train-iters", int)
    args: dict[str, Any] = {
        "init_lr": value("lr-warmup-init", float, 0.0), "max_lr": lr, "min_lr": value("min-lr", float, 0.0),
        "lr_decay_style": style, "lr_wsd_decay_style": wsd_flag.value if wsd_flag is not None else "exponential",
    }
    if iterations is not None:
        if line.get("train-samples") is not None:
            raise UsageError(f"{shown}: both --train-iters and --train-samples (Megatron asserts one)")
        unit = "iters"
        decay = value("lr-decay-iters", int) or iterations
        args["lr_decay_steps"] = decay * batch
        wsd = value("lr-wsd-decay-iters", int)
        if fraction is not None:
            args["lr_warmup_steps"] = fraction * args["lr_decay_steps"]
        else:
            args["lr_warmup_steps"] = value("lr-warmup-iters", int, 0) * batch
        steps = iterations
        steps_origin = "--train-iters"
    else:
        unit = "samples"
        samples = value("train-samples", int)
        for flag in ("lr-decay-iters", "lr-warmup-iters", "lr-wsd-decay-iters"):
            if line.get(flag) is not None:
                raise UsageError(f"{shown}: --{flag} with --train-samples (Megatron asserts samples throughout)")
        args["lr_decay_steps"] = value("lr-decay-samples", int) or samples
        wsd = value("lr-wsd-decay-samples", int)
        if fraction is not None:
            args["lr_warmup_steps"] = fraction * args["lr_decay_steps"]
        else:
            args["lr_warmup_steps"] = value("lr-warmup-samples", int, 0)
        if ramp_flag is not None:
            ramp = _ramp(ramp_flag, batch, shown)
            steps = megatron.ramped_updates(ramp, samples)
            steps_origin = (f"--train-samples {samples}: the updates of the ramp up to {ramp.samples} samples, "
                            f"then // global batch {batch} (update_train_iters)")
        else:
            steps = samples // batch
            steps_origin = f"--train-samples {samples} // global batch {batch} (update_train_iters)"
    if lr is None:
        raise UsageError(f"{shown}: --lr is not set (Megatron needs it)")
    if fraction is not None and value(f"lr-warmup-{unit}", int, 0):
        raise UsageError(f"{shown}: both --lr-warmup-fraction and --lr-warmup-{unit} (Megatron asserts one)")
    if wsd is not None:
        args["wsd_decay_steps"] = wsd * (batch if unit == "iters" else 1)
    if steps < 1:
        raise UsageError(f"{shown}: {steps_origin} is not a run")
    try:
        if ramp_flag is not None:
            curve = megatron.ramped(args, ramp, steps)
        else:
            curve = megatron.scheduler(args, batch, steps)
    except UsageError as error:
        raise UsageError(f"{shown}: {error}") from None
    origin = {
        "steps": steps_origin,
        "lr": "--lr",
        "warmup_steps": "--lr-warmup-fraction × the decay" if fraction is not None else f"--lr-warmup-{unit}",
        "warmup_start_lr": "--lr-warmup-init (default 0)",
        "decay_steps": (f"--lr-wsd-decay-{unit}" if style == "WSD"
                        else f"--lr-decay-{unit} (default --train-{unit}) - warmup"),
        "end_lr": "--min-lr",
        "power": "--lr-decay-style linear",
        "timescale": "the warmup (Megatron: lr × sqrt(warmup / iteration))",
        "step_offset": "Megatron's inverse-square-root counts max(iteration, 1)",
        "decay_shape": "--lr-wsd-decay-style",
        "stable_steps": f"--lr-decay-{unit} - --lr-wsd-decay-{unit} - warmup",
    }
    if ramp_flag is not None:
        origin["parts"] = (f"--rampup-batch-size {ramp.start} {ramp.increment} {ramp.samples}: one part per global "
                           "batch, the scheduler on the consumed-samples clock (step_scale: that batch; step_offset: "
                           "the samples consumed before it; lengths in samples)")
    elif "step_scale" in curve.params:
        origin["step_scale"] = (f"global batch {batch} ({batch_origin}): lengths not whole batches, so the schedule "
                                "runs on Megatron's own consumed-samples clock, advanced by the batch at each update")
    elif unit == "samples":
        origin["warmup_steps"] += f" / global batch {batch} ({batch_origin})"
    return Imported(
        label=label, schedule=curve.schedule, params=curve.params, total_steps=steps, steps_per_epoch=None,
        origin=origin, dialect="megatron",
    )


def _ramp(flag: Any, batch: int, shown: str) -> megatron.Ramp:
    if len(flag.values) != 3:
        raise UsageError(f"{shown}: --rampup-batch-size takes 3 values: start batch, increment, ramp-up samples")
    try:
        start, increment, samples = (int(value) for value in flag.values)
    except ValueError:
        raise UsageError(f"{shown}: --rampup-batch-size {' '.join(flag.values)}: expected 3 integers") from None
    try:
        return megatron.Ramp(start, increment, samples, batch).checked()
    except UsageError as error:
        raise UsageError(f"{shown}: {error}") from None


def _global_batch(line: CommandLine, facts: Facts, shown: str) -> tuple[int, str]:
    """The global batch; "" when the script does not give it (an iteration-based
    run does not need it: its lengths are counted in iterations)."""
    batch = _value(line, "global-batch-size", shown, int)
    if batch is not None:
        return batch, "--global-batch-size"
    if line.get("train-iters") is not None:
        return 1, ""
    # Megatron's default: micro batch × data-parallel size.
    micro = _value(line, "micro-batch-size", shown, int, 1)
    if facts.world_size is None:
        raise UsageError(f"{shown}: no --global-batch-size: give --world-size (the global batch is "
                         "--micro-batch-size × the data-parallel size)")
    split = 1
    for flag in ("tensor-model-parallel-size", "pipeline-model-parallel-size", "context-parallel-size"):
        split *= _value(line, flag, shown, int, 1)
    if facts.world_size % split:
        raise UsageError(f"{shown}: --world-size {facts.world_size} is not a multiple of the model-parallel size {split}")
    return micro * (facts.world_size // split), f"--micro-batch-size {micro} × data-parallel size"


register(Dialect("megatron", "Megatron-LM launch scripts (pretrain_*.py flags)", detect, read))
