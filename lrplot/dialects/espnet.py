"""ESPnet2 training YAML (``conf/train*.yaml``): ``optim_conf.lr``,
``scheduler`` and ``scheduler_conf`` (and ``optim2``/``scheduler2``... for
GAN tasks, one curve each), as ``espnet2/train/trainer.py`` steps them (see
:mod:`lrplot.frameworks.espnet`).

ESPnet batches by ``batch_bins`` (or ``batch_size``), so how many
mini-batches an epoch holds depends on the data: it is
``num_iters_per_epoch`` when the file sets it, else
``ceil(--dataset-size / --batch-size)``. The trainer updates every
``accum_grad`` mini-batches, counted from 1 again each epoch, so an epoch
makes ``floor(mini-batches / accum_grad)`` updates; the run is ``max_epoch``
of them.
"""

from __future__ import annotations

import os
import re
from typing import Any

from lrplot.dialects import Dialect, Facts, Imported, Source, register
from lrplot.dialects.source import parse_yaml_mapping
from lrplot.errors import UsageError
from lrplot.frameworks import espnet

SIGNATURE = ("optim", "optim_conf", "scheduler", "scheduler_conf", "max_epoch", "accum_grad", "batch_bins",
             "batch_type", "best_model_criterion", "keep_nbest_models")
SIZED = ("unsorted", "sorted", "folded")  # batch types counted in batch_size (numel/length: in batch_bins)


def detect(source: Source) -> int:
    if source.suffix not in (".yaml", ".yml"):
        return 0
    text = f"\n{source.text}"
    hits = sum(bool(re.search(rf"\n{key}:", text)) for key in SIGNATURE)
    if hits >= 4 and "\nscheduler:" in text and "\noptim_conf:" in text:
        return 2
    return 1 if hits >= 5 else 0


def _positive_int(value: Any, key: str, shown: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{shown}: {key} must be a whole number >= 1, got {value!r}")
    return value


def read(source: Source, facts: Facts) -> list[Imported]:
    shown = f"--from {source.path}"
    config = parse_yaml_mapping(source.text, source.path, "an ESPnet training config", last_key_wins=True)
    pairs = [("optim", "scheduler")] + [(f"optim{i}", f"scheduler{i}") for i in range(2, 10) if f"optim{i}" in config]
    if not config.get("scheduler"):
        raise UsageError(f"{shown}: scheduler is not set: ESPnet leaves optim_conf.lr constant")
    for _, sched in pairs:  # before asking for facts an unsupported scheduler would not use
        kind = str(config.get(sched) or "").lower()
        if kind and kind not in espnet.BATCH + espnet.EPOCH:
            try:
                espnet.scheduler(kind, {}, 1.0)
            except UsageError as error:  # its message names the scheduler
                raise UsageError(f"{shown}: {error}" if sched == "scheduler" else f"{shown}: {sched}: {error}") from None
    if "lightning_conf" in config:
        # its max_epochs / accumulate_grad_batches replace max_epoch / accum_grad, and Lightning steps the scheduler
        raise UsageError(f"{shown}: lightning_conf: ESPnet's Lightning trainer is not supported yet "
                         "(espnet2/train/trainer.py, with max_epoch and accum_grad, is)")
    epochs = _positive_int(config.get("max_epoch", 40), "max_epoch", shown)
    accum = facts.grad_accum or _positive_int(config.get("accum_grad", 1), "accum_grad", shown)
    if (facts.world_size or 1) > 1:
        raise UsageError(f"{shown}: --world-size {facts.world_size} is not supported yet (give the mini-batches of "
                         "one epoch as --dataset-size with --batch-size 1)")
    iters = config.get("num_iters_per_epoch")
    if iters is not None:
        batches = _positive_int(iters, "num_iters_per_epoch", shown)
        how = f"num_iters_per_epoch {batches}"
    else:
        batch_type = str(config.get("batch_type", "folded"))
        if facts.dataset_size is None:
            raise UsageError(f"{shown}: give --dataset-size (training samples; or mini-batches per epoch with "
                             "--batch-size 1): ESPnet counts epochs of it")
        if facts.batch_size is not None:
            batch, batch_key = facts.batch_size, "--batch-size"
        elif batch_type in SIZED:
            batch, batch_key = _positive_int(config.get("batch_size", 20), "batch_size", shown), "batch_size"
        else:
            raise UsageError(f"{shown}: batch_type {batch_type} makes mini-batches by batch_bins, which depend on "
                             "the data: give --batch-size (samples per mini-batch; 1 with --dataset-size counted "
                             "in mini-batches)")
        batches = -(-facts.dataset_size // batch)
        how = f"ceil(--dataset-size {facts.dataset_size} / {batch_key} {batch}) = {batches} mini-batches"
    per_epoch = batches // accum
    if per_epoch < 1:
        raise UsageError(f"{shown}: {batches} mini-batches per epoch make no update of accum_grad {accum}")
    if len(pairs) > 1 and accum > 1:
        raise UsageError(f"{shown}: accum_grad > 1 with several optimizers: ESPnet's GAN trainer refuses it")
    out = []
    name = os.path.basename(source.path)
    for optim, sched in pairs:
        kind = config.get(sched)
        optim_conf = config.get(f"{optim}_conf") or {}
        lr = optim_conf.get("lr") if isinstance(optim_conf, dict) else None
        if isinstance(lr, bool) or not isinstance(lr, (int, float)):
            raise UsageError(f"{shown}: {optim}_conf.lr must be a number, got {lr!r} (ESPnet's default depends on "
                             "the optimizer: write it in the file)")
        if not kind:
            raise UsageError(f"{shown}: {sched} is not set: not supported yet (a constant lr for {optim})")
        conf = config.get(f"{sched}_conf") or {}
        if not isinstance(conf, dict):
            raise UsageError(f"{shown}: {sched}_conf must be a mapping")
        if len(pairs) > 1 and str(kind).lower() not in espnet.EPOCH:
            raise UsageError(f"{shown}: {sched} {kind} stepped by the GAN trainer is not supported yet "
                             f"(only the epoch schedulers {', '.join(espnet.EPOCH)})")
        try:
            curve = espnet.scheduler(str(kind), conf, float(lr), per_epoch, epochs * per_epoch)
        except UsageError as error:
            raise UsageError(f"{shown}: {sched} {kind}: {error}") from None
        origin = {
            "steps": f"max_epoch ({epochs}) × {per_epoch} updates per epoch",
            "steps_per_epoch": f"floor({how} / accum_grad {accum}) = {per_epoch}",
            "lr": (f"{optim}_conf.lr × scheduler_conf.warmup_steps ** 0.5 (WarmupLR)" if curve.params.get("d_model") == 1
                   else f"{optim}_conf.lr"),
            "d_model": f"{sched}_conf.model_size" if str(kind).lower() == "noamlr" else "1 (WarmupLR)",
            "noam_warmup": f"{sched}_conf.warmup_steps",
            "step_offset": "ESPnet computes from last_epoch + 1: update t uses step t + 1",
            "decay_rate": f"{sched}_conf.gamma", "gamma": f"{sched}_conf.gamma",
            "decay_steps": "one epoch", "step_size": f"{sched}_conf.step_size",
            "milestones": f"{sched}_conf.milestones",
            "step_every": "an epoch scheduler: stepped at the end of every epoch",
            "parts": f"{sched} {kind} with {sched}_conf, as its own counters step it: update t uses step t + 1",
        }
        if str(kind).lower() in espnet.TORCH_BATCH or str(kind).lower() == "cosineannealinglr":
            origin.update(_torch_origin(sched, str(kind).lower()))
        out.append(Imported(
            label=name if len(pairs) == 1 else f"{name} ({sched})", schedule=curve.schedule, params=curve.params,
            total_steps=epochs * per_epoch, steps_per_epoch=per_epoch,
            origin=origin,
            dialect="espnet",
        ))
    return out


def _torch_origin(sched: str, kind: str) -> dict[str, str]:
    """Where torch's schedulers' parameters come from (update t uses torch's step t)."""
    conf = f"{sched}_conf"
    origin = {key: f"{conf}.{name}" for key, name in (
        ("base_lr", "base_lr"), ("step_size_up", "step_size_up"), ("mode", "mode"), ("gamma", "gamma"),
        ("pct_start", "pct_start"), ("anneal", "anneal_strategy"), ("div_factor", "div_factor"),
        ("final_div_factor", "final_div_factor"), ("three_phase", "three_phase"),
        ("cycle_momentum", "cycle_momentum"), ("base_momentum", "base_momentum"), ("max_momentum", "max_momentum"),
        ("first_decay_steps", "T_0"), ("t_mul", "T_mult"), ("end_lr", "eta_min"), ("decay_steps", "T_max (epochs)"))}
    origin["step_size_down"] = f"{conf}.step_size_down (default step_size_up)"
    origin["total_steps"] = f"{conf}.total_steps, or epochs × steps_per_epoch"
    if kind in ("cycliclr", "onecyclelr"):
        origin["lr"] = f"{conf}.max_lr (torch's {kind} sets the lr itself)"
    if kind == "cosineannealinglr":
        origin["parts"] = f"{sched} cosineannealinglr past T_max: torch's cosine climbs back up, T_max epochs a way"
    return origin


register(Dialect("espnet", "ESPnet2 training YAML (scheduler, scheduler_conf)", detect, read))
