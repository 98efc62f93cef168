"""OpenMMLab / MMEngine Python configs (mmdetection, mmsegmentation,
mmpretrain ... 3.x): read with :mod:`lrplot.dialects.pyconfig` (``ast``,
never run), ``_base_`` files and ``read_base()`` imports merged in.

As MMEngine 0.10's Runner runs them:

- lr: ``optim_wrapper.optimizer.lr``; with ``auto_scale_lr.enable`` (the
  tools' ``--auto-scale-lr``) times ``(batch_size x world_size) /
  base_batch_size`` (``Runner.scale_lr``), else as written.
- the run: ``train_cfg`` builds an ``EpochBasedTrainLoop``
  (``max_epochs`` x ``len(train_dataloader)`` iterations) or an
  ``IterBasedTrainLoop`` (``max_iters``), by ``type`` or ``by_epoch``.
  ``len(train_dataloader)`` for rank 0 with ``DefaultSampler``:
  ``ceil(dataset_size / world_size)`` samples, in batches of
  ``train_dataloader.batch_size`` (``--batch-size`` overrides), the last one
  partial unless ``drop_last``. A ``RepeatDataset`` repeats the dataset.
- ``param_scheduler``: a scheduler without ``end`` ends with the run
  (``max_epochs``, or ``max_iters``: ``Runner._build_param_scheduler``),
  then :mod:`lrplot.frameworks.mmengine`. No ``param_scheduler``: the lr
  stays the optimizer's.

Each x step is one training iteration, which is one optimizer update
unless ``optim_wrapper.accumulative_counts`` says otherwise (refused).
"""

from __future__ import annotations

import os
import re
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, pyconfig, register
from lrplot.errors import UsageError
from lrplot.frameworks import Unsupported, mmengine

SIGNATURE = ("param_scheduler", "train_cfg", "optim_wrapper")
TOP_LEVEL_NAME = re.compile(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)", re.MULTILINE)
SAMPLERS = ("DefaultSampler",)  # len(sampler) = ceil(dataset / world) for rank 0
BATCH_SAMPLERS = (None, "AspectRatioBatchSampler")  # mmdet's groups by aspect ratio, same length


def detect(source: Source) -> int:
    if source.suffix != ".py":
        return 0
    names = set(TOP_LEVEL_NAME.findall(source.text))
    if names & set(SIGNATURE):
        return 2
    # A config that only names its bases (faster-rcnn_r50_fpn_1x_coco.py is four _base_ files).
    if "_base_" in names or re.search(r"^\s*with\s+read_base\(\)\s*:", source.text, re.MULTILINE):
        return 1
    return 0


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    try:
        config = pyconfig.load(source.path)
    except UsageError as error:
        message = str(error)
        if message.startswith("--from "):
            raise
        if message.startswith(f"{source.path}:"):
            raise UsageError(f"--from {message}") from None
        raise UsageError(f"{shown}: {message}") from None
    try:
        return _imported(source, config, facts)
    except UsageError as error:  # Unsupported included
        raise UsageError(f"{shown}: {error}") from None


def _imported(source: Source, config: dict[str, Any], facts: Facts) -> Imported:
    if "param_scheduler" not in config and "lr_config" in config:
        raise Unsupported("lr_config (an mmcv 1.x config) is not supported yet: MMEngine reads param_scheduler")
    optimizer = _optimizer(config)
    if facts.grad_accum not in (None, 1):
        raise UsageError("--grad-accum: MMEngine accumulates gradients as optim_wrapper.accumulative_counts says")
    loop, length = _loop(config)
    loader = _mapping(config.get("train_dataloader"), "train_dataloader")
    batch = facts.batch_size or loader.get("batch_size")
    world = facts.world_size or 1
    origin: dict[str, str] = {}
    if loop == "epoch":
        per_epoch = _iterations_per_epoch(loader, batch, world, facts, origin)
        total = length * per_epoch
        origin["steps"] = f"train_cfg.max_epochs ({length}) x {per_epoch} iterations per epoch"
        ends = {True: length, False: total}  # the Runner's default end: max_epochs, or max_iters
    else:
        per_epoch = None
        total = length
        origin["steps"] = "train_cfg.max_iters"
        ends = {True: 1, False: total}  # an IterBasedTrainLoop counts one epoch
    lr, lr_source = _lr(config, optimizer, batch, world)
    schedulers = _schedulers(config.get("param_scheduler"), ends)
    mapped = mmengine.map_param_scheduler(schedulers, lr, per_epoch, total, lr_source)
    origin.update(mapped.origin)
    curve = mapped.curve
    params = dict(curve.params)
    for name in ("momentum", "weight_decay"):
        params.update(_scheduled(name, schedulers, optimizer, per_epoch, total, origin))
    grouped, told = mmengine.groups(config["optim_wrapper"], config.get("model"))
    if grouped:
        mmengine.groups_follow_the_lr(schedulers, lr, per_epoch, total)
        params.update(grouped)
        origin.update(dict.fromkeys(grouped, told))
    return Imported(
        label=os.path.basename(source.path),
        schedule=curve.schedule,
        params=params,
        total_steps=total,
        steps_per_epoch=per_epoch,
        origin=origin,
        dialect="mmengine",
        ignored=tuple(_lr_multipliers(config)),
    )


def _scheduled(name: str, schedulers: list[dict[str, Any]], optimizer: dict[str, Any], per_epoch: int | None,
               total: int, origin: dict[str, str]) -> dict[str, Any]:
    """``{name: its schedule}`` when param_scheduler changes the optimizer's
    momentum or weight decay during the run, else nothing (a value held
    adds no column)."""
    mine = [entry for index, entry in enumerate(schedulers) if mmengine.target(index, entry)[0] == name]
    if not mine:
        return {}
    generic = any(str(entry.get("type", "")).endswith("ParamScheduler") for entry in mine)
    start, source = mmengine.start_value(optimizer, name, generic)
    mapped = mmengine.map_param_scheduler(schedulers, start, per_epoch, total, source, param=name)
    if mapped.curve.schedule == "constant" and mapped.curve.params == {"lr": start}:
        return {}
    origin[name] = "; ".join(f"{key}: {text}" for key, text in mapped.origin.items())
    return {name: {"schedule": mapped.curve.schedule, **mapped.curve.params}}


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"{name} must be a dict(...), got {value!r}")
    return value


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value) or value < 1:
        raise UsageError(f"{name}: got {value!r}, expected a whole number >= 1")
    return int(value)


def _optimizer(config: dict[str, Any]) -> dict[str, Any]:
    wrapper = config.get("optim_wrapper")
    if wrapper is None:
        raise UsageError("has no optim_wrapper: the lr is optim_wrapper.optimizer.lr")
    wrapper = _mapping(wrapper, "optim_wrapper")
    if "optimizer" not in wrapper:
        several = sorted(k for k, v in wrapper.items() if isinstance(v, dict) and "optimizer" in v)
        if several:
            raise Unsupported(f"several optimizers (optim_wrapper.{', optim_wrapper.'.join(several)}) are not supported yet")
        raise UsageError("optim_wrapper has no optimizer: the lr is optim_wrapper.optimizer.lr")
    counts = wrapper.get("accumulative_counts", 1)
    if counts != 1:
        raise Unsupported(f"optim_wrapper.accumulative_counts {counts!r} is not supported yet "
                          "(the schedulers step every iteration, the optimizer every few)")
    return _mapping(wrapper["optimizer"], "optim_wrapper.optimizer")


def _loop(config: dict[str, Any]) -> tuple[str, int]:
    """("epoch", max_epochs) or ("iteration", max_iters), as Runner.build_train_loop reads train_cfg."""
    train = config.get("train_cfg")
    if train is None:
        raise UsageError("has no train_cfg: the run's length is train_cfg.max_epochs or max_iters")
    train = _mapping(train, "train_cfg")
    if "type" in train and "by_epoch" in train:
        raise UsageError("train_cfg gives both type and by_epoch (MMEngine refuses it)")
    if "type" in train:
        kind = str(train["type"]).rsplit(".", 1)[-1]
        if kind not in ("EpochBasedTrainLoop", "IterBasedTrainLoop"):
            raise Unsupported(f"train_cfg type {kind} is not supported yet (EpochBasedTrainLoop, IterBasedTrainLoop)")
        by_epoch = kind == "EpochBasedTrainLoop"
    elif "by_epoch" in train:
        by_epoch = bool(train["by_epoch"])
    else:
        raise UsageError("train_cfg has neither type nor by_epoch (MMEngine needs one)")
    if by_epoch:
        return "epoch", _whole(train.get("max_epochs"), "train_cfg.max_epochs")
    return "iteration", _whole(train.get("max_iters"), "train_cfg.max_iters")


def _iterations_per_epoch(loader: dict[str, Any], batch: Any, world: int, facts: Facts, origin: dict[str, str]) -> int:
    """len(train_dataloader) on rank 0, as the EpochBasedTrainLoop counts an epoch."""
    if facts.dataset_size is None:
        raise UsageError("give --dataset-size (the number of training samples): an EpochBasedTrainLoop counts epochs of it")
    if batch is None:
        raise UsageError("give --batch-size (per device): the file has no train_dataloader.batch_size")
    batch = _whole(batch, "train_dataloader.batch_size")
    sampler = _mapping(loader.get("sampler"), "train_dataloader.sampler")
    kind = str(sampler.get("type", "DefaultSampler")).rsplit(".", 1)[-1]
    if kind not in SAMPLERS:
        raise Unsupported(f"train_dataloader.sampler type {kind} is not supported yet (DefaultSampler)")
    batches = _mapping(loader.get("batch_sampler"), "train_dataloader.batch_sampler").get("type")
    batches = None if batches is None else str(batches).rsplit(".", 1)[-1]
    if batches not in BATCH_SAMPLERS:
        raise Unsupported(f"train_dataloader.batch_sampler type {batches} is not supported yet")
    size, repeats = _dataset_size(loader.get("dataset"), facts.dataset_size)
    drop_last = bool(loader.get("drop_last", False))
    samples = -(-size // world)  # DefaultSampler: ceil(len(dataset) / world_size) on each rank
    per_epoch = samples // batch if drop_last else -(-samples // batch)
    if per_epoch < 1:
        raise UsageError(f"--dataset-size {facts.dataset_size} makes no full batch of {batch} on each of {world} devices")
    rounding = "floor (drop_last)" if drop_last else "ceil"
    origin["steps_per_epoch"] = (f"{rounding}(ceil(--dataset-size {facts.dataset_size}{repeats} / world size {world}) "
                                 f"/ batch {batch}) (DefaultSampler)")
    return per_epoch


def _dataset_size(dataset: Any, given: int) -> tuple[int, str]:
    """The training set's length: --dataset-size, repeated by RepeatDataset wrappers."""
    size, note = given, ""
    while isinstance(dataset, dict):
        kind = str(dataset.get("type", "")).rsplit(".", 1)[-1]
        if kind == "ClassBalancedDataset":
            raise Unsupported("train_dataloader.dataset ClassBalancedDataset is not supported yet "
                              "(its length depends on the annotations)")
        if kind == "RepeatDataset":
            times = _whole(dataset.get("times"), "RepeatDataset times")
            size, note = size * times, f"{note} x {times} (RepeatDataset)"
        dataset = dataset.get("dataset")
    return size, note


def _lr(config: dict[str, Any], optimizer: dict[str, Any], batch: Any, world: int) -> tuple[float, str]:
    lr = optimizer.get("lr")
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise UsageError(f"optim_wrapper.optimizer.lr: got {lr!r}, expected a number")
    scale = config.get("auto_scale_lr")
    if not isinstance(scale, dict) or not scale.get("enable", False):
        return float(lr), "optim_wrapper.optimizer.lr"
    base = scale.get("base_batch_size")
    if isinstance(base, bool) or not isinstance(base, (int, float)) or base <= 0:
        raise UsageError(f"auto_scale_lr.base_batch_size: got {base!r}, expected a number > 0")
    if batch is None:
        raise UsageError("give --batch-size (per device): auto_scale_lr scales the lr by it")
    batch = _whole(batch, "train_dataloader.batch_size")
    # Runner.scale_lr: lr * (world_size * batch_size) / base_batch_size, in this order.
    ratio = float(world * batch) / float(base)
    return float(lr) * ratio, f"optim_wrapper.optimizer.lr x (batch {batch} x world size {world}) / {base} (auto_scale_lr)"


def _schedulers(value: Any, ends: dict[bool, int]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, dict):
        if "type" not in value and value and all(isinstance(v, (dict, list)) for v in value.values()):
            raise Unsupported(f"param_scheduler per optimizer ({', '.join(map(str, value))}) is not supported yet")
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise UsageError(f"param_scheduler must be a list of dict(type=...), got {value!r}")
    out = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise UsageError(f"param_scheduler[{index}] must be a dict(type=...), got {entry!r}")
        entry = dict(entry)
        # The Runner ends a scheduler with the run unless it says otherwise.
        entry.setdefault("end", ends[bool(entry.get("by_epoch", True))])
        out.append(entry)
    return out


def _lr_multipliers(config: dict[str, Any]) -> list[str]:
    """What may change the lr that lrplot does not read: an optimizer-wrapper
    constructor of a project's own (it may set each group's lr)."""
    out = []
    wrapper = config.get("optim_wrapper")
    constructor = str(wrapper.get("constructor", "")).rsplit(".", 1)[-1] if isinstance(wrapper, dict) else ""
    if constructor and constructor not in ("DefaultOptimWrapperConstructor", *mmengine.LAYER_DECAY):
        out.append(f"optim_wrapper.constructor {constructor} (a project's own: it may give groups their own lr)")
    if "lr_config" in config:
        out.append("lr_config (mmcv 1.x; MMEngine reads param_scheduler)")
    return out


register(Dialect("mmengine", "OpenMMLab / MMEngine Python config", detect, read))
