"""timm's ``train.py``: the ``args.yaml`` it writes, or its command line (a
launch script, or each command line in a README's code).

As train.py 1.0 runs it: ``updates_per_epoch = ceil(len(loader) / grad_accum_steps)``
with ``len(loader) = floor(ceil(dataset_size / world_size) / batch_size)``
(the training loader drops its last partial batch), the scheduler from
``create_scheduler_v2`` (see :mod:`lrplot.frameworks.timm`), and the run
``num_epochs`` (cooldown and a warmup prefix included) x updates per epoch.
Without ``--lr``, lr = ``lr_base`` x (global batch / ``lr_base_size``),
square-rooted for Ada*/LAMB optimizers, as train.py computes it.
``distributed_train.sh N`` sets the world size to N.
"""

from __future__ import annotations

import math
import os
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.shell import CommandLine, command_lines, launched_processes, number
from lrplot.dialects.source import parse_yaml
from lrplot.errors import UsageError, show_value
from lrplot.frameworks import timm

# train.py's argparse defaults for what the schedule depends on.
DEFAULTS: dict[str, Any] = {
    "sched": "cosine", "epochs": 300, "lr": None, "lr_base": 0.1, "lr_base_size": 256, "lr_base_scale": "",
    "opt": "sgd", "warmup_lr": 1e-5, "min_lr": 0.0, "warmup_epochs": 5, "warmup_prefix": False,
    "cooldown_epochs": 0, "decay_epochs": 90, "decay_milestones": [90, 180, 270], "decay_rate": 0.1,
    "lr_noise": None, "lr_noise_pct": 0.67, "lr_noise_std": 1.0, "seed": 42, "lr_cycle_mul": 1.0,
    "lr_cycle_decay": 0.5, "lr_cycle_limit": 1, "lr_k_decay": 1.0, "batch_size": 128, "grad_accum_steps": 1,
    "sched_on_updates": False, "model": None, "num_classes": None, "layer_decay": None,
    "layer_decay_min_scale": None, "layer_decay_no_opt_scale": None,
}
FLAGS = {"b": "batch_size", "j": "workers"}
LISTS = ("decay_milestones", "lr_noise")
SWITCHES = ("warmup_prefix", "sched_on_updates")
SIGNATURE = ("sched", "warmup_epochs", "warmup_lr", "decay_epochs", "cooldown_epochs", "model_ema", "drop_path")


def detect(source: Source) -> int:
    text = source.text
    if source.suffix in (".yaml", ".yml"):
        hits = sum(f"\n{key}:" in f"\n{text}" for key in SIGNATURE)
        return 2 if hits >= 3 else 0
    flags = sum(f"--{key.replace('_', '-')}" in text for key in SIGNATURE)
    return 2 if flags >= 2 and ("train.py" in text or "distributed_train" in text) else (1 if flags >= 3 else 0)


def read(source: Source, facts: Facts) -> list[Imported]:
    if source.suffix in (".yaml", ".yml"):
        args = parse_yaml(source.text, source.path, last_key_wins=True)
        if not isinstance(args, dict):
            raise UsageError(f"--from {source.path}: expected train.py's args.yaml (a mapping)")
        if "sched" not in args:  # train.py writes every argument; e.g. an Ultralytics args.yaml has lr0, lrf
            raise UsageError(f"--from {source.path}: not timm train.py's args.yaml (it has no sched key)")
        return [_curve(source, args, facts, os.path.basename(source.path), None)]
    lines = [line for line in command_lines(source.text, markdown=source.suffix in (".md", ".markdown", ".rst", ".txt"))
             if line.get("sched", "epochs", "lr") is not None]
    if not lines:
        raise UsageError(f"--from {source.path}: no train.py command line (--sched, --epochs, --lr) in it")
    name = os.path.basename(source.path)
    return [
        _curve(source, _arguments(line), facts, name if len(lines) == 1 else f"{name} ({index})", _launched(line))
        for index, line in enumerate(lines, 1)
    ]


def _arguments(line: CommandLine) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for flag in line.flags:
        key = FLAGS.get(flag.name, flag.name.replace("-", "_"))
        if key in SWITCHES:
            args[key] = True
        elif key in LISTS:
            args[key] = [number(v, f"--{flag.name}") for v in flag.values]
        elif flag.values:
            args[key] = flag.values[0]
    return args


def _launched(line: CommandLine) -> int | None:
    """``distributed_train.sh N ...`` runs N processes (so does a launcher that says N)."""
    words = list(line.words)
    for index, word in enumerate(words[:-1]):
        if word.endswith("distributed_train.sh") and words[index + 1].isdigit():
            return int(words[index + 1])
    launched = launched_processes(line)  # torchrun --nproc_per_node=8 train.py ...
    return launched[0] if launched else None


def _value(args: dict[str, Any], key: str, shown: str) -> Any:
    value = args.get(key, DEFAULTS[key])
    if key in ("sched", "opt", "lr_base_scale", "model"):
        return value
    if isinstance(value, str):
        value = number(value, f"{shown}: {key}")
    if key in SWITCHES or (value is None and DEFAULTS[key] is None):
        return value
    items = value if key in LISTS and isinstance(value, list) else [value]
    if not all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items):
        # an args.yaml edited by hand (lr: {}, epochs: null): train.py's argparse types would refuse it
        raise UsageError(f"{shown}: {key}: got {show_value(value)}, expected a number")
    return value


def _curve(source: Source, args: dict[str, Any], facts: Facts, label: str, launched: int | None) -> Imported:
    shown = f"--from {source.path}"
    get = {key: _value(args, key, shown) for key in DEFAULTS}
    if get["sched"] in ("plateau", "none"):
        raise UsageError(f"{shown}: sched {get['sched']} {'follows the validation metric' if get['sched'] == 'plateau' else 'leaves the lr alone'}: nothing to plan")
    batch = facts.batch_size or int(get["batch_size"])
    accumulation = facts.grad_accum or int(get["grad_accum_steps"])
    world = facts.world_size or launched or 1
    if facts.dataset_size is None:
        raise UsageError(f"{shown}: give --dataset-size (the number of training images): train.py counts epochs of it")
    loader = (-(-facts.dataset_size // world)) // batch
    if loader < 1:
        raise UsageError(f"{shown}: --dataset-size {facts.dataset_size} makes no full batch of {batch} on each of {world} devices")
    per_epoch = -(-loader // accumulation)
    lr = _lr(get, batch * world * accumulation)
    v2 = {
        "sched": get["sched"], "num_epochs": get["epochs"], "decay_epochs": get["decay_epochs"],
        "decay_milestones": get["decay_milestones"], "warmup_epochs": get["warmup_epochs"],
        "cooldown_epochs": get["cooldown_epochs"], "decay_rate": get["decay_rate"], "min_lr": get["min_lr"],
        "warmup_lr": get["warmup_lr"], "warmup_prefix": bool(get["warmup_prefix"]), "noise": get["lr_noise"],
        "noise_pct": get["lr_noise_pct"], "noise_std": get["lr_noise_std"], "noise_seed": get["seed"],
        "cycle_mul": get["lr_cycle_mul"], "cycle_decay": get["lr_cycle_decay"], "cycle_limit": get["lr_cycle_limit"],
        "k_decay": get["lr_k_decay"], "step_on_epochs": not get["sched_on_updates"],
    }
    try:
        curve, epochs = timm.create_scheduler_v2(v2, lr, per_epoch)
    except UsageError as error:
        raise UsageError(f"{shown}: {error}") from None
    origin = {
        "steps": f"num_epochs ({epochs}, cooldown included) × {per_epoch} updates per epoch",
        "steps_per_epoch": f"floor(ceil(--dataset-size {facts.dataset_size} / {world} devices) / batch {batch}) "
                           f"= {loader} batches, / {accumulation} accumulated",
        "lr": "lr" if args.get("lr") is not None else "lr_base × global batch / lr_base_size",
        "decay_steps": "epochs", "end_lr": "min_lr", "step_size": "decay_epochs", "milestones": "decay_milestones",
        "gamma": "decay_rate", "power": "decay_rate (the poly power)", "warmup_steps": "warmup_epochs",
        "warmup_start_lr": "warmup_lr", "warmup_target": "timm warms up to the base lr",
        "warmup_clock": "warmup_prefix", "step_every": "per-epoch stepping (not sched_on_updates)",
    }
    params = dict(curve.params)
    if get["layer_decay"] is not None:
        try:
            grouped = timm.layer_decay(get["model"], get["num_classes"], get["layer_decay"],
                                       get["layer_decay_min_scale"], get["layer_decay_no_opt_scale"])
        except UsageError as error:
            raise UsageError(f"{shown}: {error}") from None
        params.update(grouped)
        origin.update(dict.fromkeys(grouped, f"layer_decay over the layers of model {get['model']} "
                                             "(param_groups_layer_decay; num_classes decides the head's layer)"))
    return Imported(
        label=label, schedule=curve.schedule, params=params, total_steps=epochs * per_epoch,
        steps_per_epoch=per_epoch, origin=origin,
        dialect="timm",
    )


def _lr(get: dict[str, Any], global_batch: int) -> float:
    if get["lr"] is not None:
        return float(get["lr"])
    ratio = global_batch / float(get["lr_base_size"])
    scale = get["lr_base_scale"] or ("sqrt" if any(o in str(get["opt"]).lower() for o in ("ada", "lamb")) else "linear")
    if scale == "sqrt":
        ratio = math.sqrt(ratio)
    return float(get["lr_base"]) * ratio


register(Dialect("timm", "timm train.py (args.yaml or its command line)", detect, read))
