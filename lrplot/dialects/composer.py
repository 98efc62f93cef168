"""Composer / llm-foundry training YAML: ``scheduler``, ``optimizer.lr``,
``max_duration``, ``global_train_batch_size`` (see
:mod:`lrplot.frameworks.composer` for the curve).

llm-foundry's ``build_scheduler`` makes the Composer scheduler its
``scheduler.name`` names with the section's other keys as arguments. The run
is ``max_duration``: batches (``ba``), samples (``sp``, in global batches), or
epochs (``ep``): each device gets ``dataset_size / world_size`` samples
(``floor`` when ``train_loader.drop_last``, else ``ceil``, as
``DistributedSampler`` splits them) and makes batches of
``global_train_batch_size / world_size`` of them (the last partial one kept
unless ``drop_last``).
"""

from __future__ import annotations

import os
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.olmo import NUMBER, config_reader
from lrplot.dialects.source import parse_yaml_mapping
from lrplot.errors import UsageError
from lrplot.frameworks import composer

# llm-foundry's scheduler registry (and Composer's own YAML names) -> Composer's classes.
NAMES = {
    "constant_with_warmup": "ConstantWithWarmupScheduler",
    "cosine_with_warmup": "CosineAnnealingWithWarmupScheduler",
    "cosine_decay_with_warmup": "CosineAnnealingWithWarmupScheduler",
    "linear_decay_with_warmup": "LinearWithWarmupScheduler",
    "polynomial_decay_with_warmup": "PolynomialWithWarmupScheduler",
    "multistep_with_warmup": "MultiStepWithWarmupScheduler",
}
NOT_YET = ("inv_sqrt_with_warmup",)  # llm-foundry's InverseSquareRootWithWarmupScheduler


def detect(source: Source) -> int:
    if source.suffix not in (".yaml", ".yml"):
        return 0
    text = source.text
    if "scheduler:" in text and "t_warmup:" in text and "max_duration:" in text and "learning_rate:" not in text:
        return 2
    return 0


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    config = parse_yaml_mapping(source.text, source.path, "a Composer / llm-foundry config")
    value = config_reader(config, shown)
    section = value("scheduler", None)
    if not isinstance(section, dict):
        raise UsageError(f"{shown}: scheduler must be a mapping with a name, got {section!r}")
    name = value("scheduler.name", None)
    if name in NOT_YET:
        raise UsageError(f"{shown}: scheduler {name} is not supported yet ({', '.join(NAMES)})")
    if name not in NAMES:
        raise UsageError(f"{shown}: scheduler.name {name!r} is not one of {', '.join(NAMES)}")
    args = {key: _omegaconf(value(f"scheduler.{key}", None)) for key in section if key != "name"}
    lr = _omegaconf(value("optimizer.lr", None))
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise UsageError(f"{shown}: optimizer.lr: got {lr!r}, expected a number")
    ratio = value("scale_schedule_ratio", 1.0)
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or ratio <= 0:
        raise UsageError(f"{shown}: scale_schedule_ratio: got {ratio!r}, expected a number > 0")
    duration = value("max_duration", None)
    try:
        length = composer.scaled_duration(duration, float(ratio))
        world, device_batch = _batch(value, facts)
        per_epoch = _per_epoch(value, facts, world, device_batch) if _needs_epochs(length, args) else None
        run = composer.Run(length, per_epoch, device_batch and world * device_batch, float(ratio))
        curve = composer.scheduler(NAMES[name], args, float(lr), run)
        steps = run.batches
    except UsageError as error:
        raise UsageError(f"{shown}: {error}") from None
    origin = {
        "steps": f"max_duration {duration}" + (f" × scale_schedule_ratio {ratio}" if ratio != 1.0 else "")
        + (f" = {steps} batches of {run.samples_per_batch} samples" if length.unit == "sp" else ""),
        "steps_per_epoch": "the dataloader's batches: --dataset-size over --world-size, in batches of "
                           "global_train_batch_size / world size",
        "lr": "optimizer.lr" + (" × scheduler.alpha" if name == "constant_with_warmup" and "alpha" in args else ""),
        "step_offset": "Composer steps the scheduler before the batch count moves on: updates 0 and 1 both use batch 0",
        "warmup_steps": "scheduler.t_warmup",
        "warmup_start_lr": "Composer warms up from 0",
        "warmup_clock": "the milestones count from batch 0",
        "warmup_target": "the warmup rises to the full lr",
        "decay_steps": "scheduler.t_max (1dur: max_duration) - t_warmup",
        "total_steps": "scheduler.t_max (1dur: max_duration) - t_warmup",
        "end_lr": "scheduler.alpha_f × lr",
        "start_factor": "scheduler.alpha_i",
        "end_factor": "scheduler.alpha_f",
        "power": "scheduler.power",
        "milestones": "scheduler.milestones",
        "gamma": "scheduler.gamma",
        "parts": "the warmup (scheduler.t_warmup batches; it rises over t_warmup × scale_schedule_ratio with "
                 "scale_warmup), then the schedule from the warmup's end, on its own clock (milestones counted "
                 "from batch 0: those passed by then are in its lr)",
    }
    epochs = per_epoch if length.unit == "ep" else None
    return Imported(
        label=os.path.basename(source.path),
        schedule=curve.schedule,
        params=curve.params,
        total_steps=steps,
        steps_per_epoch=epochs,
        origin=origin,
        dialect="composer",
    )


def _omegaconf(value: Any) -> Any:
    """A scalar as llm-foundry's OmegaConf reads it: ``1e-5`` is a number there (YAML 1.1 reads a string)."""
    return float(value) if isinstance(value, str) and NUMBER.match(value.strip()) else value


def _needs_epochs(length: composer.Time, args: dict[str, Any]) -> bool:
    """Whether anything is counted in epochs (max_duration, or a time in ep)."""
    times = [v for v in args.values() if isinstance(v, str)] + [
        m for m in (args.get("milestones") or []) if isinstance(m, str)]
    return length.unit == "ep" or any(t.strip().lower().endswith("ep") for t in times)


def _batch(value, facts: Facts) -> tuple[int, int | None]:
    """World size and per-device batch (None: not known, and only needed for
    samples and epochs): llm-foundry divides the global batch by the world size."""
    world = facts.world_size or 1
    total = value("global_train_batch_size", None)
    if total is None:
        return world, facts.batch_size
    if isinstance(total, bool) or not isinstance(total, int) or total < 1:
        raise UsageError(f"global_train_batch_size: got {total!r}, expected a whole number >= 1")
    if total % world:
        raise UsageError(f"global_train_batch_size {total} is not divisible by --world-size {world} (llm-foundry refuses it)")
    if facts.batch_size is not None and facts.batch_size != total // world:
        raise UsageError(
            f"--batch-size {facts.batch_size} contradicts global_train_batch_size {total} over --world-size {world} "
            f"({total // world} per device)"
        )
    return world, total // world


def _per_epoch(value, facts: Facts, world: int, device_batch: int | None) -> int:
    if facts.dataset_size is None:
        raise UsageError("give --dataset-size (the training samples): the run is counted in epochs")
    if device_batch is None:
        raise UsageError("give --batch-size (per device): the file has no global_train_batch_size")
    drop_last = value("train_loader.drop_last", False) is True
    per_device = facts.dataset_size // world if drop_last else -(-facts.dataset_size // world)
    batches = per_device // device_batch if drop_last else -(-per_device // device_batch)
    if batches < 1:
        raise UsageError(f"--dataset-size {facts.dataset_size} makes no full batch of {device_batch} on each of {world} devices")
    return batches


register(Dialect("composer", "Composer / llm-foundry training YAML", detect, read))
