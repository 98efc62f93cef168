"""PaddleDetection training YAML: ``LearningRate`` (``base_lr`` and
``schedulers`` written as ``!PiecewiseDecay {...}`` tags, read as data),
built as ``ppdet/optimizer/optimizer.py`` builds it (see
:mod:`lrplot.frameworks.paddledet`) and stepped by ppdet's trainer after
every iteration for ``epoch`` epochs.

``_BASE_`` lists files relative to the file naming them; they are merged
depth first, in order, the file's own keys last (``ppdet/core/workspace.py``
``_load_config_with_base``: mappings merged key by key, anything else
replaced). ``step_per_epoch`` is the train loader's length, ppdet's
``DistributedBatchSampler``: ``floor(ceil(dataset_size / world_size) /
TrainReader.batch_size)`` (``ceil`` with ``drop_last: false``; ppdet's
``TrainReader`` drops the last batch unless told not to).
"""

from __future__ import annotations

import os
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.source import parse_yaml, read_text
from lrplot.errors import UsageError, show_text
from lrplot.frameworks import Unsupported, number, paddledet
from lrplot.yaml_safe import Tagged, Unread

MAX_BASES = 20  # _BASE_ files in one chain (PaddleDetection's own go three deep)


def detect(source: Source) -> int:
    if source.suffix not in (".yaml", ".yml"):
        return 0
    text = f"\n{source.text}"
    if "\nLearningRate:" in text:
        return 2
    lines = source.text.splitlines()
    top = {line.split(":", 1)[0] for line in lines if line[:1].isalpha() or line.startswith("_BASE_")}
    # A top-level PaddleDetection config is often only a _BASE_ list and a few keys.
    if "_BASE_" in top and not top & {"MODEL", "INPUT", "SOLVER"} and ("TrainReader" in top or "weights" in top
                                                                         or "architecture" in top or "epoch" in top):
        return 1
    return 0


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    """ppdet's ``dict_merge``."""
    for key, value in other.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        else:
            into[key] = value


def merged(path: str, shown: str, chain: tuple[str, ...] = ()) -> dict[str, Any]:
    """The config with its _BASE_ files merged under it."""
    real = os.path.realpath(path)
    if real in chain:
        raise UsageError(f"--from {shown}: _BASE_ files include each other in a loop ({path})")
    if len(chain) >= MAX_BASES:
        raise UsageError(f"--from {shown}: more than {MAX_BASES} _BASE_ files in one chain")
    if chain and not os.path.isfile(path):
        raise UsageError(f"--from {shown}: _BASE_ file {path} is not a file")
    # ppdet loads with yaml.Loader: local tags build its classes, !!python tags Python objects; both kept as data.
    data = parse_yaml(read_text(path, shown), path, last_key_wins=True, python_tags=True, local_tags=True)
    if not isinstance(data, dict):
        where = f"_BASE_ file {path}: " if chain else ""
        raise UsageError(f"--from {shown}: {where}expected a PaddleDetection config (a mapping)")
    bases = data.pop("_BASE_", None)
    if bases is None:
        return data
    if not isinstance(bases, list) or not all(isinstance(base, str) and base for base in bases):
        raise UsageError(f"--from {shown}: _BASE_ in {path}: got {show_text(repr(bases))}, expected a list of file names")
    config: dict[str, Any] = {}
    for base in bases:
        base = os.path.expanduser(base) if base.startswith("~") else base
        full = base if base.startswith("/") else os.path.join(os.path.dirname(path), base)
        _merge(config, merged(full, shown, (*chain, real)))
    _merge(config, data)
    return config


def _scheduler(item: Any, index: int) -> tuple[str, Any]:
    if isinstance(item, Tagged):
        return item.tag, item.value
    if isinstance(item, dict) and isinstance(item.get("name"), str):  # LearningRate's dict form
        return item["name"], {key: value for key, value in item.items() if key != "name"}
    shown = item.tag if isinstance(item, Unread) else repr(item)
    raise UsageError(f"LearningRate.schedulers[{index}]: got {show_text(shown)}, expected a !Scheduler tag "
                     "or a mapping with a name")


def _whole(value: Any, key: str, shown: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise UsageError(f"--from {shown}: {key} is {show_text(repr(value))}, expected a whole number >= {low}")
    return value


def read(source: Source, facts: Facts) -> Imported:
    shown = source.path
    config = merged(source.path, shown)
    section = config.get("LearningRate")
    if not isinstance(section, dict):
        raise UsageError(f"--from {shown}: has no LearningRate section (in it or its _BASE_ files)")
    unknown = sorted(str(key) for key in section if key not in ("base_lr", "schedulers"))
    if unknown:
        raise UsageError(f"--from {shown}: LearningRate has no argument {', '.join(unknown)} (PaddleDetection would fail)")
    try:
        base_lr = float(number(section, "base_lr", 0.01))
    except UsageError as error:
        raise UsageError(f"--from {shown}: LearningRate.{error}") from None
    written = section.get("schedulers")
    if written is None:
        schedulers = list(paddledet.DEFAULT_SCHEDULERS)
    elif isinstance(written, list):
        try:
            schedulers = [_scheduler(item, i) for i, item in enumerate(written)]
        except UsageError as error:
            raise UsageError(f"--from {shown}: {error}") from None
    else:
        raise UsageError(f"--from {shown}: LearningRate.schedulers: got {show_text(repr(written))}, expected a list")
    if "epoch" not in config:
        raise UsageError(f"--from {shown}: has no epoch (the number of epochs ppdet trains for)")
    epochs = _whole(config["epoch"], "epoch", shown)
    reader = config.get("TrainReader")
    reader = reader if isinstance(reader, dict) else {}
    batch, batch_key = reader.get("batch_size", 1 if "TrainReader" in config else None), "TrainReader.batch_size"
    if facts.batch_size is not None:
        batch, batch_key = facts.batch_size, "--batch-size"
    if batch is None:
        raise UsageError(f"--from {shown}: has no TrainReader: give --batch-size (per card)")
    batch = _whole(batch, batch_key, shown)
    drop_last = reader.get("drop_last", True)
    if not isinstance(drop_last, bool):
        raise UsageError(f"--from {shown}: TrainReader.drop_last is {show_text(repr(drop_last))}, expected true or false")
    if facts.grad_accum not in (None, 1):
        raise UsageError(f"--from {shown}: --grad-accum {facts.grad_accum} is not supported "
                         "(PaddleDetection steps the lr every batch)")
    if facts.dataset_size is None:
        raise UsageError(f"--from {shown}: give --dataset-size (the number of training images): "
                         "PaddleDetection counts epochs of it")
    world = facts.world_size or 1
    per_card = -(-facts.dataset_size // world)
    per_epoch = per_card // batch if drop_last else -(-per_card // batch)
    if per_epoch < 1:
        raise UsageError(f"--from {shown}: --dataset-size {facts.dataset_size} makes no full batch of {batch} "
                         f"on each of {world} devices")
    total = epochs * per_epoch
    try:
        curve, where, unused = paddledet.build(base_lr, schedulers, per_epoch, total)
    except Unsupported as error:
        raise UsageError(f"--from {shown}: LearningRate: {error}") from None
    except UsageError as error:  # a value of the wrong type, named by its key
        raise UsageError(f"--from {shown}: LearningRate.schedulers: {error}") from None
    rounding = "floor" if drop_last else "ceil"
    origin = {
        "steps": f"epoch ({epochs}) × {per_epoch} updates per epoch",
        "steps_per_epoch": f"{rounding}(ceil(--dataset-size {facts.dataset_size} / {world} devices) / "
                           f"{batch_key} {batch}) = {per_epoch}",
        **where,
    }
    if "base_lr" not in section:
        origin["lr"] = "LearningRate.base_lr unset: PaddleDetection's default 0.01"
    if written is None:
        origin["steps"] += "; LearningRate.schedulers unset: ppdet's default PiecewiseDecay() + LinearWarmup()"
    return Imported(
        label=os.path.basename(source.path), schedule=curve.schedule, params=curve.params, total_steps=total,
        steps_per_epoch=per_epoch, origin=origin, dialect="paddledet",
        ignored=tuple(f"LearningRate.schedulers[{i}] ({schedulers[i][0]}, never called by PaddleDetection)"
                      for i in unused),
    )


register(Dialect("paddledet", "PaddleDetection YAML (LearningRate, _BASE_)", detect, read))
