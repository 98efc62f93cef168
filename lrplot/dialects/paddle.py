"""PaddleClas / PaddleOCR training YAML: the ``Optimizer.lr`` section, built
as ``ppcls/optimizer`` or ``ppocr/optimizer`` builds it (see
:mod:`lrplot.frameworks.paddle`) and stepped by the trainer after every
update (once per epoch with PaddleClas's ``by_epoch``).

``step_each_epoch`` is the training loader's length:
``ceil(ceil(dataset_size / world_size) / batch_size)`` with Paddle's
``DistributedBatchSampler`` (``floor`` with ``drop_last``); the run is
``Global.epochs`` (PaddleOCR: ``Global.epoch_num``) of them.
"""

from __future__ import annotations

import os
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.source import parse_yaml_mapping
from lrplot.errors import UsageError
from lrplot.frameworks import paddle

SIGNATURE = ("Global:", "Optimizer:", "Arch:", "Architecture:", "DataLoader:", "Train:", "Loss:")


def detect(source: Source) -> int:
    if source.suffix not in (".yaml", ".yml"):
        return 0
    text = f"\n{source.text}"
    if "\nOptimizer:" not in text or "\nGlobal:" not in text:
        return 0
    if "\n  lr:" in text and any(f"\n{key}" in text for key in ("Arch:", "Architecture:")):
        return 2
    return 1


def _section(config: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(config, dict):
            return None
        config = config.get(key)
    return config


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    config = parse_yaml_mapping(source.text, source.path, "a PaddleClas / PaddleOCR config", last_key_wins=True)
    lr_cfg = _section(config, "Optimizer", "lr")
    if not isinstance(lr_cfg, dict) or "name" not in lr_cfg:
        raise UsageError(f"{shown}: has no Optimizer.lr section with a name")
    glob = config.get("Global") or {}
    ocr = "epoch_num" in glob or "Train" in config and "DataLoader" not in config
    suite = "PaddleOCR" if ocr else "PaddleClas"
    epochs_key = "epoch_num" if ocr else "epochs"
    epochs = glob.get(epochs_key)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise UsageError(f"{shown}: Global.{epochs_key} must be a whole number of epochs, got {epochs!r}")
    if ocr:
        loader = _section(config, "Train", "loader") or {}
        batch_key, batch = "Train.loader.batch_size_per_card", loader.get("batch_size_per_card")
        drop_last = bool(loader.get("drop_last", False))
    else:
        train = _section(config, "DataLoader", "Train") or {}
        sampler = train.get("sampler")
        if isinstance(sampler, dict):
            batch_key, batch = "DataLoader.Train.sampler.batch_size", sampler.get("batch_size")
            drop_last = bool(sampler.get("drop_last", False))
            name = str(sampler.get("name", "DistributedBatchSampler"))
            if name != "DistributedBatchSampler":
                raise UsageError(f"{shown}: DataLoader.Train.sampler {name} is not supported yet (DistributedBatchSampler)")
        else:
            batch_key, batch = "DataLoader.Train.batch_size", train.get("batch_size")
            drop_last = False
            if (facts.world_size or 1) > 1 and facts.batch_size is None:
                raise UsageError(
                    f"{shown}: the old-style {batch_key} is per card or global depending on the PaddleClas version: "
                    "give --batch-size (per card)")
    for key in ("update_freq", "iter_per_epoch"):
        if glob.get(key) not in (None, 1):
            raise UsageError(f"{shown}: Global.{key} is not supported yet")
    if facts.grad_accum not in (None, 1):
        raise UsageError(f"{shown}: --grad-accum {facts.grad_accum} is not supported yet ({suite} steps the lr every batch)")
    if facts.batch_size is not None:
        batch, batch_key = facts.batch_size, "--batch-size"
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise UsageError(f"{shown}: {batch_key} is {batch!r}: give --batch-size (per card)")
    if facts.dataset_size is None:
        raise UsageError(f"{shown}: give --dataset-size (the number of training samples): {suite} counts epochs of it")
    world = facts.world_size or 1
    per_card = -(-facts.dataset_size // world)
    per_epoch = per_card // batch if drop_last else -(-per_card // batch)
    if per_epoch < 1:
        raise UsageError(f"{shown}: --dataset-size {facts.dataset_size} makes no full batch of {batch} on each of {world} devices")
    try:
        curve, total = paddle.builder(lr_cfg, epochs, per_epoch, suite)
    except UsageError as error:
        raise UsageError(f"{shown}: Optimizer.lr {lr_cfg.get('name')}: {error}") from None
    params = curve.params
    rounding = "floor" if drop_last else "ceil"
    origin = {
        "steps": f"Global.{epochs_key} ({epochs}) × {per_epoch} updates per epoch",
        "steps_per_epoch": f"{rounding}(ceil(--dataset-size {facts.dataset_size} / {world} devices) / "
                           f"{batch_key} {batch}) = {per_epoch}",
        "lr": "Optimizer.lr.values[0]" if lr_cfg.get("name") == "Piecewise" else "Optimizer.lr.learning_rate",
        "values": "Optimizer.lr.values",
        "boundaries": "Optimizer.lr.decay_epochs × updates per epoch",
        "milestones": "Optimizer.lr.milestones × updates per epoch",
        "gamma": "Optimizer.lr.gamma",
        "step_size": "Optimizer.lr.step_size × updates per epoch",
        "decay_steps": ("epochs × updates per epoch (PaddleOCR: the warmup not subtracted)" if ocr
                        else "(epochs − warmup_epoch) × updates per epoch"),
        "end_lr": "Optimizer.lr.eta_min" if lr_cfg.get("name") == "Cosine" else "Optimizer.lr.end_lr",
        "power": "Optimizer.lr.power",
        "warmup_steps": "round(Optimizer.lr.warmup_epoch × updates per epoch)",
        "warmup_start_lr": "Optimizer.lr.warmup_start_lr" if not ocr else "PaddleOCR warms up from 0",
        "warmup_target": "LinearWarmup rises to end_lr (the first of values)",
        "step_every": "Optimizer.lr.by_epoch: the engine steps the scheduler once per epoch",
    }
    if params.get("step_every"):
        origin["warmup_steps"] = "Optimizer.lr.warmup_epoch (epochs, with by_epoch)"
        for key in ("boundaries", "milestones", "step_size", "decay_steps"):
            origin[key] = origin[key].replace(" × updates per epoch", " (epochs, with by_epoch)")
    return Imported(
        label=os.path.basename(source.path), schedule=curve.schedule, params=params, total_steps=total,
        steps_per_epoch=per_epoch, origin=origin,
        dialect="paddle",
    )


register(Dialect("paddle", "PaddleClas / PaddleOCR YAML (Optimizer.lr)", detect, read))
