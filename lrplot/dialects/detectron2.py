"""detectron2 YAML configs: ``SOLVER.*``, with ``_BASE_`` files merged under
them as detectron2's ``CfgNode.merge_from_file`` merges them, and values
like ``STEPS: (60000, 80000)`` read as Python literals (never evaluated as
code). The run is ``MAX_ITER`` iterations, one scheduler step each (see
:mod:`lrplot.frameworks.detectron2`). With ``REFERENCE_WORLD_SIZE`` set and
``--world-size`` different, the solver is rescaled as detectron2's
``DefaultTrainer.auto_scale_workers`` does.
"""

from __future__ import annotations

import ast
import math
import os
import re
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.source import parse_yaml, read_text
from lrplot.errors import UsageError, show_value
from lrplot.frameworks import detectron2

MAX_BASES = 32
NUMBERS = ("BASE_LR", "MAX_ITER", "WARMUP_ITERS", "WARMUP_FACTOR", "GAMMA", "BASE_LR_END", "POLY_LR_POWER",
           "POLY_LR_CONSTANT_ENDING", "NUM_DECAYS", "REFERENCE_WORLD_SIZE")


def detect(source: Source) -> int:
    if source.suffix == ".py":  # a LazyConfig, or one that takes lr_multiplier from another by a relative import
        text = source.text
        return 2 if "lr_multiplier" in text and ("detectron2" in text or "LazyCall" in text
                                                 or re.search(r"^from \.", text, re.MULTILINE)) else 0
    if source.suffix not in (".yaml", ".yml"):
        return 0
    lines = source.text.splitlines()
    top = {line.split(":", 1)[0] for line in lines if line[:1].isalpha() or line.startswith("_BASE_")}
    if "SOLVER" in top or ("_BASE_" in top and ("MODEL" in top or "INPUT" in top)):
        return 2
    return 0


def merged(path: str, chain: tuple[str, ...] = ()) -> dict[str, Any]:
    """The config with its _BASE_ files merged under it."""
    real = os.path.realpath(path)
    if real in chain:
        raise UsageError(f"--from {path}: _BASE_ files include each other in a loop")
    if len(chain) >= MAX_BASES:
        raise UsageError(f"--from {path}: more than {MAX_BASES} _BASE_ files in one chain")
    # detectron2 loads configs with yaml.unsafe_load: Mask2Former's bases hold
    # !!python/object/apply:eval [...] (input sizes); kept unread, never run.
    data = parse_yaml(read_text(path), path, last_key_wins=True, python_tags=True) or {}
    if not isinstance(data, dict):
        raise UsageError(f"--from {path}: expected a detectron2 config (a mapping)")
    base = data.pop("_BASE_", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise UsageError(f"--from {path}: _BASE_ must be a file name, got {base!r}")
    base_path = os.path.join(os.path.dirname(path), os.path.expanduser(base))
    if not os.path.isfile(base_path):
        raise UsageError(f"--from {path}: its _BASE_ file {base!r} does not exist (looked in {base_path})")
    return _merge(merged(base_path, chain + (real,)), data)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _literal(value: Any) -> Any:
    """``"(60000, 80000)"`` -> (60000, 80000), as detectron2 decodes a string value."""
    if isinstance(value, str):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            return value
    return value


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    if source.suffix == ".py":
        return read_lazy(source)
    config = merged(source.path)
    solver = config.get("SOLVER")
    if solver is None:
        raise UsageError(f"{shown}: has no SOLVER section: not a detectron2 config the schedule can be read from")
    if not isinstance(solver, dict):
        raise UsageError(f"{shown}: SOLVER must be a mapping")
    solver = {key: _literal(value) for key, value in solver.items()}
    for key in NUMBERS:
        value = solver.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            # yacs refuses a value whose type differs from the default's (MAX_ITER: null)
            raise UsageError(f"{shown}: SOLVER.{key}: got {show_value(value)}, expected a number")
    steps = solver.get("STEPS")
    if steps is not None and (not isinstance(steps, (list, tuple)) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in steps)):
        raise UsageError(f"{shown}: SOLVER.STEPS: got {show_value(steps)}, expected a list of iteration numbers")
    scaled = _auto_scale(solver, facts.world_size)
    try:
        curve = detectron2.solver(solver)
    except UsageError as error:
        raise UsageError(f"{shown}: SOLVER: {error}") from None
    total = int(solver.get("MAX_ITER", detectron2.DEFAULTS["MAX_ITER"]))
    note = f" (rescaled for --world-size {facts.world_size})" if scaled else ""
    origin = {
        "steps": f"SOLVER.MAX_ITER{note}",
        "lr": f"SOLVER.BASE_LR{note}",
        "milestones": f"SOLVER.STEPS{note}",
        "gamma": "SOLVER.GAMMA",
        "decay_steps": "SOLVER.MAX_ITER",
        "end_lr": "SOLVER.BASE_LR_END",
        "power": "SOLVER.POLY_LR_POWER",
        "warmup_steps": f"SOLVER.WARMUP_ITERS{note}",
        "warmup_start_factor": "SOLVER.WARMUP_FACTOR",
        "warmup_shape": "SOLVER.WARMUP_METHOD",
        "warmup_clock": "detectron2's warmup runs on the schedule's own clock",
        "warmup_mode": "WarmupPolyLR multiplies the decay by its warmup factor",
    }
    return Imported(
        label=os.path.basename(source.path),
        schedule=curve.schedule,
        params=curve.params,
        total_steps=total,
        steps_per_epoch=None,
        origin=origin,
        dialect="detectron2",
    )


def read_lazy(source: Source) -> Imported:
    """A LazyConfig ``.py``: ``optimizer.lr`` x ``lr_multiplier`` over ``train.max_iter`` iterations
    (see :mod:`lrplot.dialects.lazyconfig` and :mod:`lrplot.frameworks.detectron2_lazy`)."""
    from lrplot.dialects import lazyconfig
    from lrplot.frameworks import detectron2_lazy

    shown = f"--from {source.path}"
    try:
        config = lazyconfig.load(source.path)
    except UsageError as error:
        message = str(error)
        raise UsageError(message if message.startswith("--from ") else f"--from {message}") from None
    missing = "is not set (or comes from a file or call lrplot does not read)"
    for name in ("train", "optimizer", "lr_multiplier"):
        if isinstance(config.get(name), lazyconfig.Opaque):
            raise UsageError(f"{shown}: {name} comes from `{config[name]!r}`, which lrplot does not read")
    train, optimizer = config.get("train"), config.get("optimizer")
    total = train.get("max_iter") if isinstance(train, dict) else None
    if isinstance(total, bool) or not isinstance(total, int) or total < 1:
        raise UsageError(f"{shown}: train.max_iter {missing}: got {total!r}" if total is not None
                         else f"{shown}: train.max_iter {missing}")
    lr = optimizer.get("lr") if isinstance(optimizer, dict) else None
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr):
        raise UsageError(f"{shown}: optimizer.lr {missing}" + (f": got {lr!r}" if lr is not None else ""))
    if "lr_multiplier" not in config:
        raise UsageError(f"{shown}: lr_multiplier {missing}")
    try:
        curve = detectron2_lazy.curve(config["lr_multiplier"], float(lr), total)
    except UsageError as error:
        raise UsageError(f"{shown}: lr_multiplier: {error}") from None
    origin = {key: "lr_multiplier" for key in curve.params}
    origin.update(steps="train.max_iter", lr="optimizer.lr x lr_multiplier")
    if "warmup_steps" in curve.params:
        origin["warmup_steps"] = "lr_multiplier.warmup_length x train.max_iter"
        origin["warmup_clock"] = "WarmupParamScheduler's warmup runs on the schedule's own clock"
    return Imported(label=os.path.basename(source.path), schedule=curve.schedule, params=curve.params,
                    total_steps=total, steps_per_epoch=None, origin=origin, dialect="detectron2")


def _auto_scale(solver: dict[str, Any], world: int | None) -> bool:
    reference = int(solver.get("REFERENCE_WORLD_SIZE", 0) or 0)
    if reference == 0 or world is None or world == reference:
        return False
    scale = world / reference
    solver["BASE_LR"] = float(solver.get("BASE_LR", detectron2.DEFAULTS["BASE_LR"])) * scale
    solver["MAX_ITER"] = int(round(int(solver.get("MAX_ITER", detectron2.DEFAULTS["MAX_ITER"])) / scale))
    solver["WARMUP_ITERS"] = int(round(int(solver.get("WARMUP_ITERS", detectron2.DEFAULTS["WARMUP_ITERS"])) / scale))
    solver["STEPS"] = tuple(int(round(s / scale)) for s in solver.get("STEPS", detectron2.DEFAULTS["STEPS"]))
    return True


register(Dialect("detectron2", "detectron2 YAML (SOLVER) and LazyConfig .py (lr_multiplier)", detect, read))
