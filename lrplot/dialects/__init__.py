"""``--from FILE``: other frameworks' training configurations, read as data.

Each dialect is one module that registers a :class:`Dialect`: how to
recognise its files, and how to turn one into an lrplot curve (a schedule
with parameters) plus the run's length, exactly as that framework's trainer
runs it. Nothing in a file is imported or executed.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any, NamedTuple

from lrplot.errors import UsageError

MODULES = ("hf", "deepspeed", "detectron2", "timm", "torchtitan", "mmengine", "olmo", "composer", "paddle", "paddledet", "espnet", "fairseq", "megatron")  # one module per dialect, registered on import


class Facts(NamedTuple):
    """What a file may not say about the run, from the command line
    (``--dataset-size`` ...); None when not given."""

    dataset_size: int | None = None
    batch_size: int | None = None
    grad_accum: int | None = None
    world_size: int | None = None


class Source(NamedTuple):
    path: str
    text: str
    suffix: str  # lower case, with the dot: ".yaml"


class Imported(NamedTuple):
    """One curve read from a file."""

    label: str
    schedule: str
    params: dict[str, Any]  # lrplot's names
    total_steps: int  # optimizer updates in the whole run, as the trainer counts them
    steps_per_epoch: int | None
    origin: dict[str, str]  # lrplot parameter, "steps" or "steps_per_epoch" -> where it came from, for `translate`
    dialect: str
    ignored: tuple[str, ...] = ()  # keys that look schedule-related but were not used (--strict refuses them)
    length_given: bool = True  # False: the file does not say how long the run is (--steps does)


class Dialect(NamedTuple):
    name: str
    title: str  # the frameworks it reads, for messages and README
    # How sure it is that a file is its own: 0 (not), 1 (by content), 2 (by name and content).
    detect: Callable[[Source], int]
    read: Callable[[Source, Facts], Imported | list[Imported]]  # a README may hold several runs


DIALECTS: dict[str, Dialect] = {}


def register(dialect: Dialect) -> Dialect:
    DIALECTS[dialect.name] = dialect
    return dialect


def all_dialects() -> dict[str, Dialect]:
    """Every dialect, in MODULES order (whichever module was imported first)."""
    for module in MODULES:
        importlib.import_module(f"lrplot.dialects.{module}")
    return {name: DIALECTS[name] for name in MODULES}


def load(path: str, facts: Facts, dialect: str | None = None) -> list[Imported]:
    """The curves a file describes (one per run), read by ``dialect`` or the
    one that recognises it."""
    from lrplot.dialects.source import read_text

    dialects = all_dialects()
    source = Source(path, read_text(path), os.path.splitext(path)[1].lower())
    if dialect is not None:
        chosen = dialects[dialect]
    else:
        scores = sorted(((d.detect(source), name) for name, d in dialects.items()), reverse=True)
        if not scores or scores[0][0] == 0:
            raise UsageError(
                f"--from {path}: not a training configuration lrplot recognises; "
                f"name its kind with --dialect ({'|'.join(dialects)})"
            )
        chosen = dialects[scores[0][1]]
    read = chosen.read(source, facts)
    return [_origin_of_what_is_used(item) for item in (read if isinstance(read, list) else [read])]


def _origin_of_what_is_used(item: Imported) -> Imported:
    """A dialect notes where each value it worked out came from; keep the notes
    of what the curve uses (its parameters and the run's length)."""
    used = set(item.params) | {"steps"} | ({"steps_per_epoch"} if item.steps_per_epoch else set())
    return item._replace(origin={key: text for key, text in item.origin.items() if key in used})
