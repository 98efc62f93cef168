"""DeepSpeed ``ds_config.json``: its ``scheduler`` section, stepped by the
engine after every optimizer update (see :mod:`lrplot.frameworks.deepspeed`).

The file does not say how long the run is unless the scheduler decays to an
end (``total_num_steps``); otherwise ``--steps`` sets it (default: twice the
warmup, so the warmup and what follows both show).
"""

from __future__ import annotations

import os
import re
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.source import parse_json, parse_yaml
from lrplot.errors import UsageError
from lrplot.frameworks import deepspeed

SIGNATURE = ("train_batch_size", "train_micro_batch_size_per_gpu", "zero_optimization", "gradient_accumulation_steps",
             "fp16", "bf16")


# DeepSpeed's own scheduler names (runtime/lr_schedules.py VALID_LR_SCHEDULES): a file naming one is a
# ds_config even when it holds nothing but the optimizer and the scheduler.
OWN_SCHEDULER = re.compile(r'"type"\s*:\s*"(WarmupLR|WarmupDecayLR|WarmupCosineLR|OneCycle|LRRangeTest)"')


def detect(source: Source) -> int:
    if source.suffix not in (".json", ".yaml", ".yml"):
        return 0
    text = source.text
    if '"scheduler"' in text and (any(f'"{key}"' in text for key in SIGNATURE) or OWN_SCHEDULER.search(text)):
        return 2
    return 1 if sum(f'"{key}"' in text for key in SIGNATURE) >= 2 else 0


def read(source: Source, facts: Facts) -> Imported:
    shown = f"--from {source.path}"
    parse = parse_json if source.suffix == ".json" else parse_yaml
    config = parse(source.text, source.path)
    if not isinstance(config, dict):
        raise UsageError(f"{shown}: expected a DeepSpeed config (a JSON object)")
    section = config.get("scheduler")
    if not isinstance(section, dict) or "type" not in section:
        # Most ds_config files have none: the training script passes its own scheduler to
        # deepspeed.initialize (the HF Trainer, Megatron-DeepSpeed, DeepSpeedExamples' bing_bert do).
        raise UsageError(f"{shown}: has no scheduler section with a type: the lr comes from the training script's "
                         "own scheduler (read its arguments instead), or stays the optimizer's if it passes none")
    name = str(section["type"])
    args = section.get("params") or {}
    if not isinstance(args, dict):
        raise UsageError(f"{shown}: scheduler.params must be a mapping")
    auto = sorted(key for key, value in args.items() if value == "auto")
    if auto:
        raise UsageError(
            f"{shown}: scheduler.params.{auto[0]} is \"auto\", filled in by the transformers Trainer: "
            "read the Trainer's arguments with --from instead"
        )
    optimizer_lr = _optimizer_lr(config)
    try:
        curve = deepspeed.scheduler(name, args, optimizer_lr)
    except UsageError as error:
        raise UsageError(f"{shown}: scheduler {name}: {error}") from None
    params = dict(curve.params)
    momentum = None
    if name == "OneCycle":
        try:
            momentum = deepspeed.one_cycle_momentum(args, _optimizer_type(config))
        except UsageError as error:
            raise UsageError(f"{shown}: scheduler {name}: {error}") from None
    if momentum is not None:
        params["momentum"] = momentum
    total = args.get("total_num_steps")
    warmup = params.get("warmup_steps", 0)
    origin: dict[str, Any] = {
        "lr": "scheduler.params.warmup_max_lr" if args.get("warmup_max_lr") is not None
        else ("WarmupDecayLR's default warmup_max_lr" if name == "WarmupDecayLR" else "optimizer.params.lr"),
        "warmup_steps": "scheduler.params.warmup_num_steps (at least 2, as DeepSpeed makes it)",
        "warmup_start_lr": "scheduler.params.warmup_min_lr",
        "warmup_shape": "scheduler.params.warmup_type (default log)",
        "step_offset": "the engine steps the scheduler after each update: update t uses iteration t - 1",
    }
    if name == "OneCycle":
        origin = {
            "lr": "scheduler.params.cycle_max_lr",
            "momentum": "OneCycle cycles betas[0] (betas[1] becomes 0.99): cycle_min_mom for update 0, then "
                        "cycle_max_mom less the lr's cycle scaled to cycle_max_mom - cycle_min_mom, then cycle_max_mom "
                        "x (1 + decay_mom_rate x k / decay_step_size)",
            "parts": "OneCycle: cycle_min_lr up to cycle_max_lr over cycle_first_step_size and back over "
                     "cycle_second_step_size (in cycle_*_stair_count stairs), then cycle_min_lr / (1 + "
                     "decay_lr_rate x k / decay_step_size); update t uses batch t",
        }
    if name == "LRRangeTest":
        origin = {
            "lr": "scheduler.params.lr_range_test_min_lr",
            "step_rate": "scheduler.params.lr_range_test_step_rate",
            "step_size": "scheduler.params.lr_range_test_step_size",
            "staircase": "scheduler.params.lr_range_test_staircase",
        }
    if total is not None and name != "LRRangeTest":  # a range test runs until it is stopped
        steps = int(total)
        origin["steps"] = "scheduler.params.total_num_steps"
        origin["decay_steps"] = "total_num_steps - warmup_num_steps"
        origin["end_lr"] = "scheduler.params.warmup_min_lr"
    elif name == "OneCycle":
        steps = 2 * deepspeed.one_cycle_length(args)
        origin["steps"] = "the file does not say: twice the cycle (give --steps)"
    elif name == "LRRangeTest":
        steps = 10 * params["step_size"]
        origin["steps"] = "the file does not say: ten step sizes (give --steps)"
    else:
        steps = max(2 * warmup, 100)
        origin["steps"] = "the file does not say: twice the warmup (give --steps)"
    return Imported(
        label=os.path.basename(source.path),
        schedule=curve.schedule,
        params=params,
        total_steps=steps,
        steps_per_epoch=None,
        origin=origin,
        dialect="deepspeed",
        length_given=total is not None and name != "LRRangeTest",
    )


def _optimizer_type(config: dict[str, Any]) -> str | None:
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("type"), str):
        return optimizer["type"]
    return None


def _optimizer_lr(config: dict[str, Any]) -> float | None:
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("params"), dict):
        lr = optimizer["params"].get("lr")
        if isinstance(lr, (int, float)) and not isinstance(lr, bool):
            return float(lr)
    return None


register(Dialect("deepspeed", "DeepSpeed ds_config.json", detect, read))
