"""fairseq Hydra YAML (``fairseq-hydra-train --config-name ...``): its
``lr_scheduler`` and ``optimization`` sections, stepped by fairseq's trainer
once per update (see :mod:`lrplot.frameworks.fairseq`). A ``fairseq-train``
command line (a script, or each one in a README's code) is read as the same
sections: ``--lr-scheduler NAME`` and that scheduler's ``--warmup-updates``
..., ``--lr``, ``--max-update``.

Values are read as OmegaConf reads them (``1e-3`` a number, ``${a.b}``
followed). The scheduler's ``lr`` and ``max_update`` default to
``optimization.lr`` and ``optimization.max_update`` (fairseq's ``II``
interpolation); ``lr_scheduler: pass_through`` runs the scheduler of a
``composite`` optimizer's single group, with its ``lr_float`` (or ``lr``).
The run is ``optimization.max_update`` updates: update counts do not depend
on the batch size, ``update_freq`` or the world size.
"""

from __future__ import annotations

import os
import re
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.shell import CommandLine, command_lines
from lrplot.dialects.source import parse_yaml_mapping
from lrplot.errors import UsageError
from lrplot.frameworks import fairseq

NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")  # what OmegaConf's YAML reads as a number
REFERENCE = re.compile(r"^\$\{([A-Za-z_][\w.]*)\}$")
# Each scheduler's config keys (fairseq 0.12.2 dataclasses), lr and max_update included.
KEYS = {
    "polynomial_decay": ("warmup_updates", "force_anneal", "end_learning_rate", "power", "total_num_update", "lr"),
    "cosine": ("warmup_updates", "warmup_init_lr", "lr", "min_lr", "max_lr", "t_mult", "lr_period_updates",
               "lr_shrink", "max_update"),
    "inverse_sqrt": ("warmup_updates", "warmup_init_lr", "lr"),
    "tri_stage": ("warmup_steps", "hold_steps", "decay_steps", "phase_ratio", "init_lr_scale", "final_lr_scale",
                  "max_update", "lr"),
    "fixed": ("warmup_updates", "force_anneal", "lr_shrink", "lr"),
}
SECTIONS = ("task", "criterion", "dataset", "checkpoint", "common", "model", "optimizer", "distributed_training")


COMMAND = re.compile(r"fairseq-train\b|fairseq_cli[./]train\b")


def detect(source: Source) -> int:
    if source.suffix not in (".yaml", ".yml"):
        return 2 if source.suffix not in (".json", ".toml", ".py") and COMMAND.search(source.text) else 0
    text = f"\n{source.text}"
    if "\nlr_scheduler:" in text and "\noptimization:" in text:
        return 2
    hits = sum(f"\n{key}:" in text for key in SECTIONS)
    return 1 if "\noptimization:" in text and hits >= 3 else 0


def _resolver(config: dict[str, Any], shown: str):
    def resolve(node: Any, seen: tuple[str, ...] = ()) -> Any:
        if isinstance(node, dict):
            return {key: resolve(value, seen) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value, seen) for value in node]
        if isinstance(node, str):
            match = REFERENCE.match(node.strip())
            if match:
                path = match.group(1)
                if path in seen:
                    raise UsageError(f"{shown}: ${{{path}}} refers to itself")
                target: Any = config
                for part in path.split("."):
                    if not isinstance(target, dict) or part not in target:
                        raise UsageError(f"{shown}: ${{{path}}} names no key in the file")
                    target = target[part]
                return resolve(target, (*seen, path))
            if NUMBER.match(node.strip()):
                number = float(node)
                return int(number) if re.fullmatch(r"[-+]?\d+", node.strip()) else number
        return node

    return resolve


def _section(value: Any, where: str, shown: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"_name": value}
    if not isinstance(value, dict):
        raise UsageError(f"{shown}: {where} must be a mapping or a scheduler name")
    return value


def read(source: Source, facts: Facts) -> Imported | list[Imported]:
    shown = f"--from {source.path}"
    if source.suffix not in (".yaml", ".yml"):
        lines = [line for line in command_lines(source.text, markdown=source.suffix in (".md", ".markdown", ".rst", ".txt"))
                 if any(COMMAND.search(word) for word in line.words)]
        if not lines:
            raise UsageError(f"{shown}: no fairseq-train command line in it")
        name = os.path.basename(source.path)
        return [_read(_command_config(line, shown), shown, name if len(lines) == 1 else f"{name} ({index})", True)
                for index, line in enumerate(lines, 1)]
    config = parse_yaml_mapping(source.text, source.path, "a fairseq Hydra config")
    return _read(config, shown, os.path.basename(source.path), False)


def _command_config(line: CommandLine, shown: str) -> dict[str, Any]:
    """A fairseq-train command line as the Hydra sections it sets
    (fairseq's argparse names are the dataclass fields with dashes)."""
    def value(key: str) -> str | None:
        flag = line.get(key)
        return None if flag is None else flag.value

    name = value("lr-scheduler") or "fixed"  # fairseq's default
    scheduler: dict[str, Any] = {"_name": name}
    for key in KEYS.get(name, ()):
        if key != "lr" and value(key) is not None:
            scheduler[key] = _literal(value(key), f"--{key.replace('_', '-')}", shown)
    optimization: dict[str, Any] = {}
    if value("lr") is not None:  # eval_str_list: "0.25" or "0.25,0.1"
        lrs = _literal(value("lr"), "--lr", shown)
        optimization["lr"] = list(lrs) if isinstance(lrs, (list, tuple)) else [lrs]
    for key in ("max_update", "max_epoch"):
        if value(key) is not None:
            optimization[key] = _literal(value(key), f"--{key.replace('_', '-')}", shown)
    return {"optimization": optimization, "lr_scheduler": scheduler}


def _literal(text: str, flag: str, shown: str) -> Any:
    """A flag's value as fairseq's argparse types read it: a number, or a
    list/tuple of numbers (``--phase-ratio "(0.1, 0.4, 0.5)"``, ``--lr 0.25,0.1``)."""
    import ast

    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        raise UsageError(f"{shown}: {flag}: got {text!r}, expected a number") from None
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in items):
        raise UsageError(f"{shown}: {flag}: got {text!r}, expected a number")
    return value


def _read(config: dict[str, Any], shown: str, label: str, command: bool) -> Imported:
    resolve = _resolver(config, shown)
    optimization = resolve(_section(config.get("optimization"), "optimization", shown))
    scheduler = resolve(_section(config.get("lr_scheduler"), "lr_scheduler", shown))
    lr_from, where = optimization.get("lr", [0.25]), "optimization.lr"
    prefix = "lr_scheduler"
    if scheduler.get("_name") == "pass_through":
        scheduler, lr_from, where, prefix = _composite(resolve(config.get("optimizer")), lr_from, shown)
    name = scheduler.get("_name", "fixed")
    if name not in KEYS:
        raise UsageError(f"{shown}: {prefix}._name {name} is not supported yet ({', '.join(KEYS)})")
    unknown = sorted(key for key in scheduler if key != "_name" and key not in KEYS[name])
    if unknown:
        raise UsageError(f"{shown}: {prefix}.{unknown[0]} is not a key of fairseq's {name} scheduler")
    max_update = optimization.get("max_update", 0)
    if isinstance(max_update, bool) or not isinstance(max_update, int) or max_update < 0:
        raise UsageError(f"{shown}: optimization.max_update: got {max_update!r}, expected a whole number")
    args = {"lr": lr_from, "max_update": max_update, "total_num_update": max_update, **scheduler}
    if "lr" in scheduler:
        where = f"{prefix}.lr"
    if max_update == 0 and optimization.get("max_epoch", 0) and not command:
        raise UsageError(f"{shown}: optimization.max_epoch without max_update (a run counted in epochs of "
                         "token-sized batches) is not supported yet")
    length_given = max_update > 0
    try:
        curve = fairseq.scheduler(name, args, max_update if length_given else None)
    except UsageError as error:
        raise UsageError(f"{shown}: {prefix} {name}: {error}") from None
    params = curve.params
    warmup = params.get("warmup_steps", 0)
    origin = {
        "steps": "optimization.max_update" if length_given else "no optimization.max_update: give --steps",
        "lr": where,
        "warmup_steps": f"{prefix}.warmup_updates" if name != "tri_stage" else f"{prefix}.warmup_steps or phase_ratio[0] × max_update",
        "warmup_start_lr": {"polynomial_decay": "fairseq's warmup starts at 0 (update 0 uses lr 0)",
                            "cosine": f"{prefix}.warmup_init_lr (unset: min_lr)",
                            "inverse_sqrt": f"{prefix}.warmup_init_lr (unset: 0)",
                            "tri_stage": f"{prefix}.init_lr_scale × lr",
                            "fixed": "fairseq's fixed warmup starts at 0"}[name],
        "step_offset": "fixed: update t runs at warmup factor (t + 1) / warmup_updates",
        "decay_steps": {"polynomial_decay": "total_num_update (max_update) - warmup_updates",
                        "cosine": "lr_period_updates, else max_update - warmup_updates",
                        "tri_stage": "1 (the exponent counts updates)"}.get(name, ""),
        "end_lr": f"{prefix}.end_learning_rate" if name == "polynomial_decay" else f"{prefix}.min_lr",
        "power": f"{prefix}.power",
        "timescale": f"{prefix}.warmup_updates (lr × sqrt(warmup_updates / update))",
        "first_decay_steps": "lr_period_updates, else max_update - warmup_updates",
        "t_mul": f"{prefix}.t_mult", "m_mul": f"{prefix}.lr_shrink",
        "decay_rate": f"-ln({prefix}.final_lr_scale) / decay steps",
        "warmup_hold": f"{prefix}.hold_steps or phase_ratio[1] × max_update",
    }
    if command:  # the same sections, spelled as fairseq-train's flags
        origin = {key: _flag_names(text) for key, text in origin.items()}
        if not length_given:
            origin["steps"] = ("--max-epoch without --max-update: the run's length depends on the data, give --steps"
                               if optimization.get("max_epoch") else "no --max-update: give --steps")
    return Imported(
        label=label, schedule=curve.schedule, params=params,
        total_steps=max_update if length_given else max(2 * warmup, 100), steps_per_epoch=None,
        origin=origin, dialect="fairseq",
        length_given=length_given,
    )


def _flag_names(text: str) -> str:
    """``lr_scheduler.warmup_updates`` -> ``--warmup-updates``, in an origin note."""
    return re.sub(r"(?:lr_scheduler|optimization)\.(\w+)", lambda m: "--" + m.group(1).replace("_", "-"), text)


def _composite(optimizer: Any, lr: Any, shown: str) -> tuple[dict[str, Any], Any, str, str]:
    """``pass_through``: the composite optimizer's one group's scheduler, with
    its lr as composite.py sets it (``lr_float``, else the group's ``lr``)."""
    if not isinstance(optimizer, dict) or optimizer.get("_name") != "composite":
        raise UsageError(f"{shown}: lr_scheduler pass_through needs a composite optimizer with its own schedulers")
    groups = optimizer.get("groups")
    if not isinstance(groups, dict) or not groups:
        raise UsageError(f"{shown}: optimizer.groups: a composite optimizer needs its groups")
    if len(groups) > 1:
        raise UsageError(f"{shown}: optimizer.groups: several groups ({', '.join(groups)}), each with its own "
                         "schedule, are not supported yet")
    (group, settings), = groups.items()
    if not isinstance(settings, dict) or not isinstance(settings.get("lr_scheduler"), (dict, str)):
        raise UsageError(f"{shown}: optimizer.groups.{group}.lr_scheduler: the group has no scheduler")
    prefix = f"optimizer.groups.{group}.lr_scheduler"
    scheduler = _section(settings["lr_scheduler"], prefix, shown)
    scheduler = {key: value for key, value in scheduler.items() if key != "lr"}  # composite.py overwrites it
    if settings.get("lr_float") is not None:
        return scheduler, [settings["lr_float"]], f"optimizer.groups.{group}.lr_float", prefix
    if "lr" in settings:
        return scheduler, settings["lr"], f"optimizer.groups.{group}.lr", prefix
    return scheduler, lr, "optimization.lr", prefix


register(Dialect("fairseq", "fairseq Hydra YAML (lr_scheduler, optimization) or a fairseq-train command line", detect, read))
