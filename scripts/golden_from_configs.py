"""Golden learning rates for the real config files in tests/fixtures/configs.

Run from the repository root, in the framework venv (never in CI; this script
installs nothing):

    /work/fw/bin/python scripts/golden_from_configs.py [dialect ...]

Dialects: hf timm deepspeed mmengine detectron2 torchtitan composer olmo
fairseq espnet paddle paddledet megatron (default: all).  Each evaluated fixture gets
``tests/golden/from/<dialect>/<fixture file name>.json``; the index
``tests/golden/from/README.md`` is rewritten from the JSON files on disk and
the SKIPPED table below.

Convention: ``values[t]`` is the learning rate the optimizer uses for optimizer
update t (0-based) -- torch's ``get_last_lr()`` after t scheduler steps for a
per-update scheduler, read from ``optimizer.param_groups[0]["lr"]`` just before
update t in the other cases.  Runs longer than 20,000 updates are stored as
``points`` ([step, value] pairs: every boundary step +-1, every detected phase
change +-1 and ~2,000 evenly spaced steps) instead of ``values``.

No value is computed with lrplot.  Every value comes from the framework's own
scheduler objects, stepped the way the framework's trainer steps them (read
from the installed source, or from the upstream source named below when the
trainer is not installed):

hf (transformers 5.24.0)
    ``Trainer.set_initial_training_values`` (trainer.py) is called unbound on
    the file's arguments to get updates per epoch
    (``len(dl) // accum + (len(dl) % accum > 0)``) and ``max_steps``
    (``ceil(epochs * updates_per_epoch)`` unless max_steps > 0);
    ``TrainingArguments.get_warmup_steps`` (training_args.py) gives the warmup
    (``ceil(ratio * max_steps)`` for a float < 1); ``transformers.get_scheduler``
    builds the scheduler; ``_run_epoch`` calls ``lr_scheduler.step()`` right
    after every ``optimizer.step()``, so value[t] = get_last_lr() after t steps.
    ``len(dl)`` per process is accelerate's ``BatchSamplerShard.__len__``
    (accelerate/data_loader.py: even_batches, drop_last False):
    ceil(ceil(D / b) / W).  5.24 has no ``warmup_ratio`` argument any more: the
    file's ``warmup_ratio`` is passed as the float ``warmup_steps`` that replaced
    it (same ceil(ratio * N) as 4.x's get_warmup_steps).
timm (1.0.31)
    train.py (huggingface/pytorch-image-models @ 2aabaef, functions ``main`` and
    ``train_one_epoch``): the schedule arguments are parsed with train.py's own
    defaults (an argparse copy of its "Learning rate schedule parameters"
    group), ``create_scheduler_v2(optimizer, **scheduler_kwargs(args),
    updates_per_epoch=ceil(len(loader) / grad_accum))``, then per epoch:
    ``step_update(num_updates)`` after every update and ``step(epoch + 1)`` at
    the epoch end; num_epochs is the second value create_scheduler_v2 returns
    (cooldown included).  ``len(loader)`` is a real torch DataLoader over a
    DistributedSampler (num_replicas=W) with drop_last=True, as
    timm.data.create_loader builds it for training.
deepspeed (0.19.8)
    ``DeepSpeedEngine._scheduler_from_config`` (runtime/engine.py) builds
    ``getattr(lr_schedules, type)(optimizer, **params)``; ``_take_model_step``
    calls ``lr_scheduler.step()`` after every optimizer step.  The lr is read
    from the optimizer before each update (WarmupLR/OneCycle set it in
    ``__init__``, before any step()).
mmengine (0.10.7)
    ``Config.fromfile`` (resolves ``_base_``), then a real ``Runner`` with a
    one-weight model, a dataset of ceil(D / W) items (DefaultSampler
    round_up, so len(dataloader) = ceil(ceil(D / W) / b)), the file's
    optim_wrapper, param_scheduler and train_cfg, and the file's
    ParamSchedulerHook; ``runner.train()`` runs and a hook records the lr in
    ``before_train_iter``.  ``mmdet.QuadraticWarmupLR`` (mmdet is not
    installed) is registered from a copy of
    mmdet/engine/schedulers/quadratic_warmup.py (``QuadraticWarmupParamScheduler``
    / ``QuadraticWarmupLR``) into an ``mmdet`` child registry.  The venv has no
    opencv/matplotlib: ``cv2`` is stubbed (imported by mmengine.hooks and
    Runner.setup_env only) and the Runner gets a Visualizer that draws no
    figure.  paramwise_cfg / clip_grad are dropped (one parameter group).
detectron2 (fvcore 0.1.5.post20221221; detectron2 is not installed)
    ``_BASE_`` merged like ``CfgNode.load_yaml_with_base`` (detectron2/config/
    config.py), strings literal_eval'ed like yacs, defaults from
    detectron2/config/defaults.py; ``build_lr_scheduler`` rebuilt as in
    detectron2/solver/build.py: ``MultiStepParamScheduler`` (fvcore) wrapped in
    ``WarmupParamScheduler`` (a CompositeParamScheduler, detectron2/solver/
    lr_scheduler.py) inside ``LRMultiplier`` (a torch LRScheduler calling
    ``multiplier(last_epoch / max_iter)``); DeepLab's ``WarmupPolyLR`` is a copy
    of projects/DeepLab/deeplab/lr_scheduler.py (selected by
    projects/DeepLab/deeplab/build_solver.py).  ``hooks.LRScheduler.after_step``
    steps it after every iteration: value[t] = get_last_lr() after t steps.
torchtitan (0.3.0)
    ``LRSchedulersContainer.Config(**[lr_scheduler]).build(optimizers,
    training_steps=[training].steps)``; trainer.py ``train_step`` calls
    ``optimizers.step()`` then ``lr_schedulers.step()``.  The legacy layout
    (warmup_steps in [training], no [lr_scheduler]) is not read by any
    torchtitan that reads TOML tables this way; it is evaluated with that era's
    ``linear_warmup_linear_decay`` (torchtitan/lr_scheduling.py @ 419a202,
    copied below) in a torch LambdaLR, stepped the same way.
composer (0.32.1)
    A real ``composer.Trainer`` (CPU, one-weight model, batches made of the
    global batch) with the scheduler built as llm-foundry's ``build_scheduler``
    does; a callback records the lr in ``before_train_batch``.  The trainer
    steps the compiled LambdaLR *before* advancing ``state.timestamp``
    (trainer.py ``_train_loop``), so update t uses f(t - 1) (f(0) for t = 0).
olmo (ai2-olmo 0.6.0)
    ``olmo.optim.build_scheduler(SchedulerConfig)``; olmo/train.py ``fit``
    increments ``global_step`` / ``global_train_tokens_seen`` *before*
    ``train_step``, which sets ``lr = get_lr(lr, scheduler_current,
    scheduler_max)`` (the Trainer properties are compiled from the installed
    olmo/train.py, whose import needs wandb/sklearn); ``stop_at`` defaults to
    ``max_steps + 10``.  The Composer-era OLMo config
    (``t_warmup: 100ba``) is run like the early OLMo repo did (olmo/composer.py
    ``build_scheduler`` -> Composer's CosineAnnealingWithWarmupScheduler in a
    Composer Trainer).
fairseq (0.12.2, source only)
    Ports below of fairseq/optim/lr_scheduler/{polynomial_decay_schedule,
    tri_stage_lr_scheduler, cosine_lr_scheduler, pass_through}.py and
    optim/composite.py, cross-checked against the real source files (executed
    with stub imports) when /work/fw/src/fairseq-0.12.2 exists.  trainer.py
    calls ``step_update(0)`` right after building the scheduler and
    ``step_update(num_updates)`` after every update (``set_num_updates``):
    value[t] = step_update(t).
espnet (espnet 202511)
    Scheduler classes as espnet2/tasks/abs_task.py ``scheduler_classes`` maps
    them (warmuplr -> WarmupLR, noamlr -> NoamLR, exponentiallr -> torch
    ExponentialLR).  espnet2/train/trainer.py ``train_one_epoch``: an update every
    ``accum_grad`` mini-batches (iiter restarts at 1 each epoch, leftovers do
    not update), ``AbsBatchStepScheduler.step()`` after each update;
    ``AbsEpochStepScheduler.step()`` at the end of ``run``'s epoch loop.
paddle (paddlepaddle 3.3.1)
    PaddleClas ppcls/optimizer/learning_rate.py (Cosine, Piecewise with
    by_epoch=False) and PaddleOCR ppocr/optimizer/learning_rate.py (Cosine)
    rebuilt with paddle.optimizer.lr classes (LinearWarmup around
    CosineAnnealingDecay / PiecewiseDecay), step_each_epoch = len(train
    dataloader) (DistributedBatchSampler: ceil(ceil(D / W) / b));
    ppcls/engine/train/train.py and PaddleOCR tools/program.py call
    ``lr_sch.step()`` after every optimizer step: value[t] = scheduler() after
    t steps.
megatron (megatron-core 0.16.1)
    ``get_optimizer_param_scheduler`` and ``update_train_iters`` from
    megatron/training/training.py (copied below) turn the command line into
    ``OptimizerParamScheduler`` arguments (samples clock: decay/warmup
    iterations x global batch); ``train`` calls ``update_num_microbatches(
    consumed_samples)`` before each step and ``train_step`` calls
    ``opt_param_scheduler.step(increment=num_microbatches * micro_batch *
    dp)`` after it; the real ``RampupBatchsizeNumMicroBatchesCalculator``
    supplies the ramping batch.  ``__init__`` calls ``step(0)``, so update t
    uses the lr at consumed_samples(t).
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import math
import os
import re
import shlex
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from golden_frameworks import (  # one port each of detectron2's and mmdet's scheduler code (not installable here)
    D2_SOLVER_DEFAULTS,
    d2_classes,
    mm_quadratic_warmup_classes,
)

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "configs"
OUT = ROOT / "tests" / "golden" / "from"
STORE_ALL_MAX = 20_000
EVEN_POINTS = 2_000

warnings.filterwarnings("ignore")
os.environ.setdefault("DS_ACCELERATOR", "cpu")

# Fixtures that describe no plottable schedule (or no schedule at all).
SKIPPED: dict[str, str] = {
    "timm/configs-train-plateau.yaml": "sched: plateau -- timm's PlateauLRScheduler decays on a validation metric, so the curve depends on metrics the file cannot give (the warmup alone, warmup_epochs 10 > epochs' decay interval, is not a schedule)",
    "deepspeed/transformers-zero2-warmuplr-auto.json": 'every WarmupLR parameter is "auto" (filled in by the HF Trainer from TrainingArguments at run time); the file fixes no value',
    "deepspeed/alpaca-zero3-warmupdecaylr-auto.json": 'every WarmupDecayLR parameter (total_num_steps, warmup_min_lr, warmup_max_lr, warmup_num_steps) is "auto"; the file fixes no value',
    "mmengine/mmdetection/configs/yolox/yolox_tta.py": "test-time-augmentation base of the YOLOX config: no optimizer, no param_scheduler",
    "mmengine/mmdetection/configs/_base_/default_runtime.py": "runtime base (hooks, env): no schedule",
    "mmengine/mmdetection/configs/_base_/models/faster-rcnn_r50_fpn.py": "model base: no schedule",
    "mmengine/mmdetection/configs/_base_/datasets/coco_detection.py": "dataset base: no schedule",
    "mmengine/mmpretrain/configs/_base_/default_runtime.py": "runtime base: no schedule",
    "mmengine/mmpretrain/configs/_base_/models/swin_transformer/tiny_224.py": "model base: no schedule",
    "mmengine/mmpretrain/configs/_base_/datasets/imagenet_bs64_swin_224.py": "dataset base: no schedule",
    "mmengine/mmsegmentation/configs/_base_/default_runtime.py": "runtime base: no schedule",
    "mmengine/mmsegmentation/configs/_base_/models/segformer_mit-b0.py": "model base: no schedule",
    "mmengine/mmsegmentation/configs/_base_/datasets/ade20k.py": "dataset base: no schedule",
    "mmengine/mmsegmentation/configs/_base_/datasets/ade20k_640x640.py": "dataset base (mmseg 0.x layout): no schedule",
    "mmengine/mmsegmentation/configs/_base_/models/upernet_beit.py": "model base (BEiT backbone, num_layers 12): no schedule",
    "mmengine/mmsegmentation/configs/_base_/models/upernet_convnext.py": "model base (mmpretrain ConvNeXt backbone): no schedule",
    "mmengine/mmocr/configs/textdet/_base_/schedules/schedule_sgd_base.py": "schedule base with max_epochs=None (its header says users fill it in): no run length; lrplot refuses it in one line",
    "mmengine/mmpose/configs/_base_/default_runtime.py": "runtime base: no schedule",
    "deepspeed/bing-bert-lamb-64k-no-scheduler.json": "no scheduler section: bing_bert's training script (deepspeed_train.py) sets the lr itself with its own warmup schedule; the file fixes no schedule",
    **{f"paddledet/configs/{base}": "PaddleDetection _BASE_ file, read through the configs that list it"
       for base in ("runtime.yml", "datasets/coco_detection.yml", "ppyoloe/_base_/optimizer_300e.yml",
                    "ppyoloe/_base_/ppyoloe_crn.yml", "ppyoloe/_base_/ppyoloe_reader.yml",
                    "picodet/_base_/optimizer_300e.yml", "picodet/_base_/picodet_320_reader.yml",
                    "picodet/_base_/picodet_v2.yml", "faster_rcnn/_base_/optimizer_swin_1x.yml",
                    "faster_rcnn/_base_/faster_rcnn_swin_tiny_fpn.yml", "faster_rcnn/_base_/faster_rcnn_swin_reader.yml",
                    "yolox/_base_/optimizer_300e.yml", "yolox/_base_/yolox_reader.yml", "yolox/_base_/yolox_cspdarknet.yml")},
    "detectron2/configs/common/optim.py": "LazyConfig building block (optimizers SGD, AdamW): no schedule",
    "detectron2/configs/common/train.py": "LazyConfig building block (train.max_iter 90000): no schedule",
    "detectron2/configs/common/coco_schedule.py": "LazyConfig building block (lr_multiplier_1x ... 9x): no optimizer or train; used by COCO-InstanceSegmentation/mask_rcnn_R_50_FPN_1x.py",
    "espnet/an4-rnn-reducelronplateau.yaml": "scheduler reducelronplateau halves the lr when the validation loss stops improving: the curve depends on metrics the file cannot give",
    "espnet/ls100-lightning-ebranchformer-warmuplr.yaml": "run by ESPnet's Lightning trainer (lightning_conf: max_epochs 70, Lightning steps the scheduler), not espnet2/train/trainer.py; lrplot refuses it rather than read the commented-out max_epoch",
}


# --------------------------------------------------------------------- output


def _fmt(x: float) -> str:
    return json.dumps(float(x))


def dump_json(record: dict[str, Any]) -> str:
    """JSON with one key per line and the long arrays on one line each."""
    lines = ["{"]
    items = list(record.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if key == "values":
            text = "[" + ", ".join(_fmt(v) for v in value) + "]"
        elif key == "points":
            text = "[" + ", ".join(f"[{int(s)}, {_fmt(v)}]" for s, v in value) + "]"
        elif key == "curves":
            inner = [dump_json(c).replace("\n", "\n  ") for c in value]
            text = "[\n  " + ",\n  ".join(inner) + "\n ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        lines.append(f" {json.dumps(key)}: {text}{comma}")
    lines.append("}")
    return "\n".join(lines)


def compact_points(values: Sequence[float], boundaries: Sequence[int] = ()) -> list[tuple[int, float]]:
    """Boundary steps +-1, detected phase changes +-1 and ~EVEN_POINTS evenly spaced steps."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    n = len(v)
    keep: set[int] = {0, n - 1}
    keep.update(int(round(i)) for i in np.linspace(0, n - 1, EVEN_POINTS))
    for b in boundaries:
        for s in (b - 1, b, b + 1):
            if 0 <= s < n:
                keep.add(int(s))
    if n > 2:
        # phase changes: a second difference far above the curve's typical curvature (kinks, jumps)
        scale = float(np.max(np.abs(v))) or 1.0
        d2 = np.abs(np.diff(v, 2))
        threshold = max(1e-9 * scale, 50.0 * float(np.median(d2)))
        for i in np.nonzero(d2 > threshold)[0]:
            for s in (i, i + 1, i + 2):  # d2[i] involves v[i..i+2]: a kink at k keeps k-1..k+1
                if 0 <= s < n:
                    keep.add(int(s))
    return [(s, float(v[s])) for s in sorted(keep)]


def make_record(
    fixture: str,
    framework: str,
    version: str,
    scheduler: str,
    stepping: str,
    facts: dict[str, Any],
    values: Sequence[float],
    notes: str,
    *,
    epochs: int | None = None,
    updates_per_epoch: int | None = None,
    boundaries: Sequence[int] = (),
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "fixture": fixture,
        "framework": framework,
        "version": version,
        "scheduler": scheduler,
        "stepping": stepping,
        "facts": facts,
        "total_updates": len(values),
    }
    if epochs is not None:
        rec["epochs"] = epochs
    if updates_per_epoch is not None:
        rec["updates_per_epoch"] = updates_per_epoch
    if extra:
        rec.update(extra)
    rec["notes"] = notes
    if len(values) <= STORE_ALL_MAX:
        rec["values"] = [float(x) for x in values]
    else:
        rec["points"] = compact_points(values, boundaries)
        if "quantities" in rec:  # the other columns at the lr's steps
            steps = [step for step, _ in rec["points"]]
            rec["quantities"] = {name: [float(column[step]) for step in steps]
                                 for name, column in rec["quantities"].items()}
    return rec


def wanted(fixture: str) -> bool:
    """GOLDEN_ONLY=substring regenerates only the fixtures whose path contains it (a whole
    dialect's Runner runs take minutes)."""
    return os.environ.get("GOLDEN_ONLY", "") in fixture


def write(dialect: str, fixture: str, record: dict[str, Any]) -> Path:
    path = OUT / dialect / (Path(fixture).name + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_json(record) + "\n", encoding="utf-8")
    n = record.get("total_updates") or sum(c["total_updates"] for c in record.get("curves", []))
    print(f"  wrote {path.relative_to(ROOT)}  ({n} updates)")
    return path


def torch_param_optimizer(cls_name: str = "SGD", lr: float = 0.1, **kw: Any):
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    return getattr(torch.optim, cls_name)([p], lr=lr, **kw)


def step_torch(scheduler: Any, optimizer: Any, n: int) -> list[float]:
    """value[t] = get_last_lr() after t scheduler steps (scheduler stepped after each update)."""
    out = []
    for _ in range(n):
        out.append(float(scheduler.get_last_lr()[0]))
        optimizer.step()
        scheduler.step()
    return out


def shell_tokens(text: str) -> list[str]:
    """Join backslash continuations, drop comments, split like a shell."""
    text = re.sub(r"\\\r?\n", " ", text)
    lines = []
    for line in text.splitlines():
        lines.append(line)
    return shlex.split("\n".join(lines), comments=True)


def flags(tokens: Sequence[str]) -> dict[str, Any]:
    """--key value / --key=value / bare --flag (True); later repeats win."""
    out: dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("--"):
            key = tok[2:]
            if "=" in key:
                key, val = key.split("=", 1)
                out[key] = val
            elif i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
                out[key] = tokens[i + 1]
                i += 1
            else:
                out[key] = True
        i += 1
    return out


# ------------------------------------------------------------------------ hf


def _hf_args(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        return yaml.safe_load(text)
    if path.suffix == ".md":
        blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
        text = next(b for b in blocks if "torchrun" in b)
    start = text.index("torchrun")
    return flags(shell_tokens(text[start:]))


def _num(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError:
            try:
                return float(v)
            except ValueError:
                return v
    return v


HF_FACTS = {
    # fixture: (dataset_size, world_size) -- per-device batch and accumulation come from the file
    "hf/zephyr-7b-sft-full-cosine.yaml": (100_000, 8),
    "hf/gpt2-nl-cpt-cosine-warmup-ratio.yaml": (50_000, 8),
    "hf/olympiccoder-7b-sft-cosine-min-lr.yaml": (10_000, 8),
    "hf/structurecoder-dpo-readme-cosine-min-lr.md": (100_000, 8),
    "hf/codefuse-devops-pt-cosine-max-steps.sh": (None, None),
    "hf/fastchat-train_vicuna_7b.sh": (100_001, 16),  # torchrun --nproc_per_node=16 in the file
    "hf/llama3-8b-orpo-inverse-sqrt.yaml": (60_013, 8),
}


class _SizedLoader:
    """Stands for the accelerate-prepared train dataloader: its per-process length and its dataset."""

    def __init__(self, length: int, dataset: list[int]) -> None:
        self.length = length
        self.dataset = dataset

    def __len__(self) -> int:
        return self.length


def gen_hf() -> None:
    import transformers
    from transformers import Trainer, TrainingArguments, get_scheduler

    for fixture, (dataset_size, world) in HF_FACTS.items():
        if not wanted(fixture):
            continue
        a = {k: _num(v) for k, v in _hf_args(FIX / fixture).items()}
        b = int(a.get("per_device_train_batch_size", 8))
        accum = int(a.get("gradient_accumulation_steps", 1))
        max_steps = int(a.get("max_steps", -1))
        epochs = float(a.get("num_train_epochs", 3.0))
        lr = float(a.get("learning_rate", 5e-5))
        name = str(a.get("lr_scheduler_type", "linear"))
        kwargs = a.get("lr_scheduler_kwargs") or {}
        if isinstance(kwargs, str):  # TrainingArguments.__post_init__ json.loads the _VALID_DICT_FIELDS
            kwargs = json.loads(kwargs)
        warmup = float(a.get("warmup_steps", 0) or 0)
        if not warmup and a.get("warmup_ratio"):
            warmup = float(a["warmup_ratio"])  # 5.24 folded warmup_ratio into a float warmup_steps < 1

        facts: dict[str, Any] = {}
        if dataset_size is None:
            len_dl = max_steps * accum  # any length: max_steps > 0 fixes the run
            world = 1
        else:
            n_batches = math.ceil(dataset_size / b)  # torch BatchSampler, drop_last=False
            # accelerate BatchSamplerShard.__len__ (even_batches=True, drop_last=False)
            len_dl = n_batches // world + (1 if n_batches % world else 0)
            facts = {"--dataset-size": dataset_size, "--batch-size": b, "--world-size": world, "--grad-accum": accum}

        loader = _SizedLoader(len_dl, list(range(dataset_size or len_dl * b)))
        total_batch = b * accum * world
        fake = SimpleNamespace(  # the Trainer methods set_initial_training_values calls
            get_total_train_batch_size=lambda args, n=total_batch: n,
            get_sp_size=lambda: 1,
            num_examples=lambda dl: len(dl.dataset),
        )
        targs = SimpleNamespace(max_steps=max_steps, num_train_epochs=epochs, gradient_accumulation_steps=accum,
                                per_device_train_batch_size=b)
        (n_epochs, upe, _, _, _, _, total) = Trainer.set_initial_training_values(fake, targs, loader)
        n_warm = TrainingArguments.get_warmup_steps(SimpleNamespace(warmup_steps=warmup), total)
        opt = torch_param_optimizer("AdamW", lr=lr)
        sched = get_scheduler(name, opt, num_warmup_steps=n_warm, num_training_steps=total,
                              scheduler_specific_kwargs=dict(kwargs))
        values = step_torch(sched, opt, total)
        notes = [
            f"num_training_steps={total}, num_warmup_steps={n_warm}.",
        ]
        if a.get("warmup_ratio"):
            notes.append(
                f"warmup_ratio {a['warmup_ratio']} -> ceil({a['warmup_ratio']} * {total}) = {n_warm} warmup steps "
                "(transformers 5.24 removed `warmup_ratio`: TrainingArguments/HfArgumentParser reject it; the float "
                "`warmup_steps` < 1 that replaced it computes the same ceil(ratio * num_training_steps) as 4.x did).")
        if dataset_size is not None:
            notes.append(
                f"per-process dataloader length ceil(ceil({dataset_size}/{b})/{world}) = {len_dl} batches; "
                f"updates per epoch = {len_dl} // {accum} + ({len_dl} % {accum} > 0) = {upe} "
                "(a partial last accumulation step still counts as an update).")
        if kwargs:
            notes.append(f"lr_scheduler_kwargs {kwargs} passed as scheduler_specific_kwargs.")
        if "evaluation_strategy" in a:
            notes.append("`evaluation_strategy` (removed in transformers 5) has no effect on the schedule.")
        notes.append("The first update uses lr 0 when there is warmup (LambdaLR factor 0/num_warmup_steps).")
        rec = make_record(
            fixture, "transformers", transformers.__version__,
            f"get_scheduler({name!r}, num_warmup_steps={n_warm}, num_training_steps={total}"
            + (f", scheduler_specific_kwargs={kwargs}" if kwargs else "") + ")",
            "Trainer: lr_scheduler.step() right after every optimizer.step(); value[t] = get_last_lr() after t steps.",
            facts, values, " ".join(notes),
            epochs=None if max_steps > 0 else math.ceil(epochs),
            updates_per_epoch=None if max_steps > 0 else upe,
            boundaries=[n_warm],
        )
        write("hf", fixture, rec)


# ---------------------------------------------------------------------- timm


def timm_parser() -> argparse.ArgumentParser:
    """The schedule-related arguments of timm's train.py (@2aabaef), same names and defaults."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("-b", "--batch-size", type=int, default=128)
    p.add_argument("--grad-accum-steps", type=int, default=1)
    p.add_argument("--sched", type=str, default="cosine")
    p.add_argument("--sched-on-updates", action="store_true", default=False)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--lr-base", type=float, default=0.1)
    p.add_argument("--lr-base-size", type=int, default=256)
    p.add_argument("--lr-base-scale", type=str, default="")
    p.add_argument("--lr-noise", type=float, nargs="+", default=None)
    p.add_argument("--lr-noise-pct", type=float, default=0.67)
    p.add_argument("--lr-noise-std", type=float, default=1.0)
    p.add_argument("--lr-cycle-mul", type=float, default=1.0)
    p.add_argument("--lr-cycle-decay", type=float, default=0.5)
    p.add_argument("--lr-cycle-limit", type=int, default=1)
    p.add_argument("--lr-k-decay", type=float, default=1.0)
    p.add_argument("--warmup-lr", type=float, default=1e-5)
    p.add_argument("--min-lr", type=float, default=0)
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--epoch-repeats", type=float, default=0.0)
    p.add_argument("--start-epoch", default=None, type=int)
    p.add_argument("--decay-milestones", default=[90, 180, 270], type=int, nargs="+")
    p.add_argument("--decay-epochs", type=float, default=90)
    p.add_argument("--warmup-epochs", type=int, default=5)
    p.add_argument("--warmup-prefix", action="store_true", default=False)
    p.add_argument("--cooldown-epochs", type=int, default=0)
    p.add_argument("--patience-epochs", type=int, default=10)
    p.add_argument("--decay-rate", "--dr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--eval-metric", default="top1", type=str)
    return p


def timm_loader_len(dataset_size: int, world: int, batch: int) -> int:
    from torch.utils.data import DataLoader
    from torch.utils.data.distributed import DistributedSampler

    ds = list(range(dataset_size))
    sampler = DistributedSampler(ds, num_replicas=world, rank=0) if world > 1 else None
    return len(DataLoader(ds, batch_size=batch, sampler=sampler, shuffle=False, drop_last=True))


def timm_run(args: argparse.Namespace, dataset_size: int, world: int) -> dict[str, Any]:
    sys.path.insert(0, "/work/fw/stubs")
    from timm.scheduler import create_scheduler_v2, scheduler_kwargs

    len_loader = timm_loader_len(dataset_size, world, args.batch_size)
    upe = (len_loader + args.grad_accum_steps - 1) // args.grad_accum_steps
    assert args.lr is not None, "every fixture sets --lr"
    opt = torch_param_optimizer("SGD", lr=args.lr)
    sched, num_epochs = create_scheduler_v2(opt, **scheduler_kwargs(args), updates_per_epoch=upe)
    values: list[float] = []
    for epoch in range(num_epochs):
        num_updates = epoch * upe
        for _ in range(upe):
            values.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            num_updates += 1
            sched.step_update(num_updates=num_updates, metric=None)
        sched.step(epoch + 1, None)
    kw = scheduler_kwargs(args)
    desc = (f"create_scheduler_v2(sched={kw['sched']!r}, num_epochs={kw['num_epochs']}, "
            f"warmup_epochs={kw['warmup_epochs']}, warmup_lr={kw['warmup_lr']}, min_lr={kw['min_lr']}, "
            f"decay_epochs={kw['decay_epochs']}, decay_rate={kw['decay_rate']}, cooldown_epochs={kw['cooldown_epochs']}, "
            f"noise={kw['noise']}, noise_seed={kw['noise_seed']}) -> {type(sched).__name__}, {num_epochs} epochs")
    return dict(values=values, upe=upe, num_epochs=num_epochs, desc=desc, len_loader=len_loader, kw=kw)


TIMM_STEPPING = ("train.py: per-epoch schedule (t_in_epochs): step(epoch + 1) at each epoch end sets the lr for the "
                 "whole next epoch; step_update() after every update is a no-op for per-epoch schedules; epoch 0 "
                 "uses the lr set in __init__ (warmup_lr when warmup_epochs > 0).")


def gen_timm() -> None:
    sys.path.insert(0, "/work/fw/stubs")
    import timm

    dataset_size = 10_000
    # --- the hparam examples: several command lines in one file
    fixture = "timm/training-hparam-examples.md"
    text = (FIX / fixture).read_text(encoding="utf-8")
    curves = []
    heading = ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        for cmd in re.findall(r"`(\./distributed_train\.sh [^`]*)`", line):
            toks = shlex.split(cmd)
            world = int(toks[1])
            args, _unknown = timm_parser().parse_known_args(toks[3:])
            r = timm_run(args, dataset_size, world)
            notes = (f"len(loader) = floor(ceil({dataset_size}/{world})/{args.batch_size}) = {r['len_loader']} "
                     "(DistributedSampler pads to ceil(D/W) per rank; the training loader drops the last partial batch).")
            if args.lr_noise:
                notes += (f" --lr-noise {args.lr_noise}: noise on epochs [{args.lr_noise[0]}*{r['num_epochs']}, "
                          f"{args.lr_noise[-1]}*{r['num_epochs']}) -- lr * (1 + n), n ~ N(0, {args.lr_noise_std}) "
                          f"resampled until |n| < {args.lr_noise_pct}, torch.Generator seeded with seed({args.seed}) + epoch.")
            if "--warmup-epochs" not in toks:
                notes += f" warmup_epochs defaults to {args.warmup_epochs} (train.py default)."
            if args.sched == "step":
                notes += (f" StepLRScheduler: lr * decay_rate ** (epoch // {args.decay_epochs}) with a fractional decay "
                          "interval; warmup is not a prefix (the decay clock starts at epoch 0, warmup epochs included).")
            curve = make_record(
                fixture, "timm", timm.__version__, r["desc"], TIMM_STEPPING,
                {"--dataset-size": dataset_size, "--batch-size": args.batch_size, "--world-size": world},
                r["values"], notes, epochs=r["num_epochs"], updates_per_epoch=r["upe"])
            curve = {"label": heading, "command": cmd, **{k: v for k, v in curve.items() if k != "fixture"}}
            curves.append(curve)
    rec = {
        "fixture": fixture, "framework": "timm", "version": timm.__version__,
        "notes": ("One curve per distributed_train.sh command line (label = the section heading); each curve has the "
                  "usual keys.  Arguments the lines omit take today's train.py defaults (warmup_lr 1e-5, min_lr 0, "
                  "warmup_epochs 5, cooldown_epochs 0, decay_epochs 90, from train.py @2aabaef); older train.py "
                  "versions differed (e.g. @004fb5f: warmup_lr 1e-4, min_lr 1e-6, warmup_epochs 3, cooldown_epochs "
                  "10, decay_epochs 100), so the same line meant a different curve when it was written."),
        "curves": curves,
    }
    write("timm", fixture, rec)

    # --- args.yaml written by train.py (used as --config: parser.set_defaults(**yaml))
    fixture = "timm/efficientnet_b0-adabelief-cosine-args.yaml"
    cfg = yaml.safe_load((FIX / fixture).read_text(encoding="utf-8"))
    parser = timm_parser()
    parser.set_defaults(**cfg)
    args, _ = parser.parse_known_args([])
    world = 4
    r = timm_run(args, dataset_size, world)
    notes = (f"num_epochs = epochs {args.epochs} + cooldown_epochs {args.cooldown_epochs} = {r['num_epochs']} "
             f"(create_scheduler_v2 adds the cooldown for cycle schedulers; the last {args.cooldown_epochs} epochs sit "
             f"at min_lr {args.min_lr}).  Warmup is not a prefix: the cosine's t runs from epoch 0, so after warmup "
             f"it starts at cos(pi*{args.warmup_epochs}/{args.epochs}), not at the peak.  decay_epochs/decay_rate are "
             "unused by cosine.  Keys missing from this 2021 args.yaml (warmup_prefix, lr_cycle_decay, "
             "sched_on_updates) take today's defaults.  "
             f"len(loader) = floor(ceil({dataset_size}/{world})/{args.batch_size}) = {r['len_loader']}.")
    rec = make_record(fixture, "timm", timm.__version__, r["desc"], TIMM_STEPPING,
                      {"--dataset-size": dataset_size, "--batch-size": args.batch_size, "--world-size": world},
                      r["values"], notes, epochs=r["num_epochs"], updates_per_epoch=r["upe"])
    write("timm", fixture, rec)


# ----------------------------------------------------------------- deepspeed


DS_STEPS = {"deepspeed/qanet-warmuplr.json": 3000, "deepspeed/qanet-onecycle-stairs.json": 5000,
            "deepspeed/cifar-warmuplr-log-1000.json": 1500}


def gen_deepspeed() -> None:
    import deepspeed
    from deepspeed.runtime import lr_schedules

    for fixture, n in DS_STEPS.items():
        if not wanted(fixture):
            continue
        cfg = json.loads((FIX / fixture).read_text(encoding="utf-8"))
        opt_cfg = cfg["optimizer"]["params"]
        opt = torch_param_optimizer("Adam", lr=opt_cfg["lr"], betas=tuple(opt_cfg["betas"]), eps=opt_cfg["eps"])
        name, params = cfg["scheduler"]["type"], cfg["scheduler"]["params"]
        sched = getattr(lr_schedules, name)(opt, **params)  # DeepSpeedEngine._scheduler_from_config
        values, momentum = [], []
        for _ in range(n):
            values.append(float(opt.param_groups[0]["lr"]))
            momentum.append(float(opt.param_groups[0]["betas"][0]))  # OneCycle cycles Adam's beta1
            opt.step()
            sched.step()  # DeepSpeedEngine._take_model_step
        if name == "WarmupLR":
            notes = ("WarmupLR sets lr = warmup_min_lr (0) in __init__ (last_batch_iteration = -1) and the engine "
                     "steps it only after an update, so updates 0 and 1 both use 0: the first step() computes "
                     "gamma = log(0 + 1) / log(warmup_num_steps) = 0.  value[t] = min + (max - min) * "
                     "log(t) / log(1000) for 1 <= t < 1001 (warmup_type 'log' by default), then warmup_max_lr.  The "
                     "file gives no run length: --steps is the chosen number of updates.  train_batch_size only "
                     "sets the accumulation; the clock is optimizer updates.")
            boundaries = [1, 2, params["warmup_num_steps"] + 1]
        else:
            notes = ("OneCycle sets lr = cycle_min_lr in __init__; step() k uses batch_iteration = k + 1, so update t "
                     "uses scale(t).  Staircase: floor(position * stair_count) / stair_count over the 1000-step rise "
                     "and 100-step fall (the stairs make the lr constant for 10 updates at a time, and 1 update "
                     "at a time on the fall); after the 1100-step cycle lr = cycle_min_lr / (1 + decay_lr_rate * "
                     "k / decay_step_size) with k = t - 1100 counted continuously (no staircase in the decay).  The "
                     "optimizer's lr 0.001 is overridden.  Momentum (Adam betas[0], `quantities.momentum`) is cycled "
                     "too: __init__ writes betas = (cycle_min_mom 0.8, 0.99) for update 0, then cycle_max_mom 0.9 "
                     "less the same stairs scaled to 0.1, back at 0.9 after the cycle (decay_mom_rate 0).  The file "
                     "gives no run length: --steps is the chosen number of updates.")
            boundaries = [1000, 1100, 2100, 3100, 4100]
        rec = make_record(
            fixture, "deepspeed", deepspeed.__version__, f"deepspeed.runtime.lr_schedules.{name}(**{params})",
            "DeepSpeedEngine: lr_scheduler.step() after every optimizer step (gradient-accumulation boundary); "
            "value[t] = optimizer lr before update t.",
            {"--steps": n}, values, notes, boundaries=boundaries,
            extra={"quantities": {"momentum": momentum}} if name == "OneCycle" else None)
        write("deepspeed", fixture, rec)


# ------------------------------------------------------------------ mmengine


def _register_quadratic_warmup() -> None:
    """mmdet's QuadraticWarmupLR (golden_frameworks' port), registered under scope 'mmdet'."""
    from mmengine.registry import PARAM_SCHEDULERS, Registry

    if "mmdet" in PARAM_SCHEDULERS.children:
        return
    child = Registry("parameter scheduler", parent=PARAM_SCHEDULERS, scope="mmdet")
    child.register_module(name="QuadraticWarmupLR", module=mm_quadratic_warmup_classes())


def _register_layer_decay_constructors() -> None:
    """mmsegmentation's LearningRateDecayOptimizerConstructor and the deprecated
    LayerDecayOptimizerConstructor (mmseg/engine/optimizers/
    layer_decay_optimizer_constructor.py @ 4b76f27; mmseg is not installed),
    ported onto MMEngine's real DefaultOptimWrapperConstructor: the layer id of
    each parameter name, and its group's lr = decay_rate ** (num_layers + 2 -
    layer_id - 1) x the optimizer's lr."""
    from mmengine.optim import DefaultOptimWrapperConstructor
    from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS

    if "LayerDecayOptimizerConstructor" in OPTIM_WRAPPER_CONSTRUCTORS.module_dict:
        return
    embeddings = ("backbone.cls_token", "backbone.mask_token", "backbone.pos_embed")

    def convnext_layer(name: str, top: int) -> int:  # top: paramwise num_layers
        if name in embeddings:
            return 0
        if name.startswith("backbone.downsample_layers"):
            return {0: 0, 1: 2, 2: 3, 3: top}[int(name.split(".")[2])]
        if name.startswith("backbone.stages"):
            stage, block = int(name.split(".")[2]), int(name.split(".")[3])
            return {0: 1, 1: 2, 2: 3 + block // 3, 3: top}[stage]
        return top + 1

    def convnext_stage(name: str, count: int) -> int:  # count: num_layers + 2
        if name in embeddings or name.startswith("backbone.downsample_layers"):
            return 0
        if name.startswith("backbone.stages"):
            return int(name.split(".")[2]) + 1
        return count - 1

    def vit_layer(name: str, count: int) -> int:  # count: num_layers + 2
        if name in embeddings or name.startswith("backbone.patch_embed"):
            return 0
        if name.startswith("backbone.layers"):
            return int(name.split(".")[2]) + 1
        return count - 1

    class LearningRateDecayOptimizerConstructor(DefaultOptimWrapperConstructor):
        def add_params(self, params, module, **kwargs):
            groups = {}
            count = self.paramwise_cfg.get("num_layers") + 2
            rate = self.paramwise_cfg.get("decay_rate")
            kind = self.paramwise_cfg.get("decay_type", "layer_wise")
            backbone = module.backbone.__class__.__name__
            for name, param in module.named_parameters():
                if not param.requires_grad:
                    continue
                flat = len(param.shape) == 1 or name.endswith(".bias") or name in ("pos_embed", "cls_token")
                if "layer_wise" in kind:
                    if "ConvNeXt" in backbone:
                        layer = convnext_layer(name, self.paramwise_cfg.get("num_layers"))
                    elif "BEiT" in backbone or "MAE" in backbone:
                        layer = vit_layer(name, count)
                    else:
                        raise NotImplementedError()
                elif kind == "stage_wise" and "ConvNeXt" in backbone:
                    layer = convnext_stage(name, count)
                else:
                    raise NotImplementedError()
                key = f"layer_{layer}_{'no_decay' if flat else 'decay'}"
                if key not in groups:
                    scale = rate ** (count - layer - 1)
                    groups[key] = {"weight_decay": 0.0 if flat else self.base_wd, "params": [], "lr_scale": scale,
                                   "group_name": key, "lr": scale * self.base_lr}
                groups[key]["params"].append(param)
            params.extend(groups.values())

    class LayerDecayOptimizerConstructor(LearningRateDecayOptimizerConstructor):
        def __init__(self, optim_wrapper_cfg, paramwise_cfg):
            paramwise_cfg.update({"decay_type": "layer_wise_vit"})
            paramwise_cfg["decay_rate"] = paramwise_cfg.pop("layer_decay_rate")
            super().__init__(optim_wrapper_cfg, paramwise_cfg)

    for cls in (LearningRateDecayOptimizerConstructor, LayerDecayOptimizerConstructor):
        OPTIM_WRAPPER_CONSTRUCTORS.register_module(name=cls.__name__, module=cls)


def _mm_model(base: Any, cfg: Any) -> tuple[Any, dict[str, Any]]:
    """A model with one parameter in each group the config's optim_wrapper
    makes, and ``{lrplot's group name: that parameter}`` (``base`` is the
    one-weight model: its ``w`` is in the optimizer's own group)."""
    import torch

    wrapper = cfg.optim_wrapper
    paramwise = dict(wrapper.get("paramwise_cfg") or {})
    constructor = str(wrapper.get("constructor", "")).split(".")[-1]
    model, groups = base, {}

    def weight(owner: torch.nn.Module, path: str) -> torch.nn.Parameter:
        """A parameter at ``path`` (dotted) under ``owner``."""
        *modules, last = path.split(".")
        for name in modules:
            if not hasattr(owner, name):
                owner.add_module(name, torch.nn.Module())
            owner = getattr(owner, name)
        owner.register_parameter(last, torch.nn.Parameter(torch.zeros(2, 2)))
        return getattr(owner, last)

    if constructor in ("LearningRateDecayOptimizerConstructor", "LayerDecayOptimizerConstructor"):
        # The backbone's parameter names (BEiT's, or mmpretrain ConvNeXt's for its arch); the
        # constructor names each group layer_<id>_<decay>, which the record hook reads.
        backbone_cfg = cfg.model["backbone"]
        kind = backbone_cfg["type"].split(".")[-1]
        model.backbone = type(kind, (torch.nn.Module,), {})()
        if "ConvNeXt" in kind:
            depths = {"tiny": [3, 3, 9, 3], "small": [3, 3, 27, 3], "base": [3, 3, 27, 3]}[backbone_cfg["arch"]]
            for stage, blocks in enumerate(depths):
                weight(model, f"backbone.downsample_layers.{stage}.weight")
                for block in range(blocks):
                    weight(model, f"backbone.stages.{stage}.{block}.weight")
        else:
            weight(model, "backbone.cls_token")
            for block in range(backbone_cfg.get("num_layers", 12)):
                weight(model, f"backbone.layers.{block}.weight")
        return model, "group_name"
    for key, settings in (paramwise.get("custom_keys") or {}).items():
        if settings.get("lr_mult", 1) != 1:
            groups[key] = weight(model, f"{key}.weight")
    if paramwise.get("bias_lr_mult", 1) not in (None, 1):
        model.proj = torch.nn.Linear(2, 2)
        groups["bias"] = model.proj.bias
    if groups:
        groups["others"] = model.w
    return model, groups


MM_FACTS = {
    # fixture: (dataset_size, world_size, batch_size or None = the file's train_dataloader.batch_size)
    "mmengine/mmdetection/configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py": (20_000, 8, None),
    "mmengine/mmdetection/configs/_base_/schedules/schedule_1x.py": (20_000, 8, 2),
    "mmengine/mmdetection/configs/yolox/yolox_s_8xb8-300e_coco.py": (2_000, 8, None),
    "mmengine/mmpretrain/configs/swin_transformer/swin-tiny_16xb64_in1k.py": (10_000, 16, None),
    "mmengine/mmpretrain/configs/_base_/schedules/imagenet_bs1024_adamw_swin.py": (10_000, 16, 64),
    "mmengine/mmsegmentation/configs/segformer/segformer_mit-b0_8xb2-160k_ade20k-512x512.py": (None, 8, None),
    "mmengine/mmsegmentation/configs/_base_/schedules/schedule_160k.py": (None, 8, 2),
    "mmengine/mmdetection3d/configs/_base_/schedules/cyclic-40e.py": (3_712, 8, 6),
    "mmengine/mmsegmentation/configs/beit/beit-base_upernet_8xb2-160k_ade20k-640x640.py": (None, 8, None),
    "mmengine/mmsegmentation/configs/convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py": (None, 8, None),
    "mmengine/mmpretrain/configs/_base_/schedules/imagenet_bs256_coslr_coswd_300e.py": (10_000, 8, 32),
    "mmengine/mmpose/configs/body_2d_keypoint/topdown_heatmap/coco/td-hm_hrnet-w32_8xb64-210e_coco-256x192.py": (
        5_000, 8, None),
    "mmengine/mmpretrain/configs/_base_/schedules/imagenet_bs2048_rsb.py": (10_000, 8, 64),
    "mmengine/mmpretrain/configs/_base_/schedules/imagenet_bs256_epochstep.py": (3_000, 4, 64),
    "mmengine/mmpretrain/configs/_base_/schedules/imagenet_bs2048_deit3.py": (10_000, 8, 256),
}


def gen_mmengine() -> None:
    import types

    try:
        import cv2  # noqa: F401
    except ImportError:  # mmengine.hooks imports cv2 for the visualization hook only; not used here
        cv2 = types.ModuleType("cv2")
        cv2.setNumThreads = lambda n: None  # called by Runner.setup_env
        cv2.__version__ = "not installed (stub)"  # read by Runner._log_env
        sys.modules["cv2"] = cv2
    import mmengine
    import torch
    from mmengine.config import Config
    from mmengine.hooks import Hook
    from mmengine.model import BaseModel
    from mmengine.runner import Runner
    from mmengine.visualization import Visualizer

    _register_quadratic_warmup()
    _register_layer_decay_constructors()

    class _NoFigure:
        def get_dpi(self):
            return 100

    class HeadlessVisualizer(Visualizer):
        """matplotlib is not installed: no figure (the Runner only stores the visualizer here)."""

        def _initialize_fig(self, fig_cfg):
            return None, _NoFigure(), None

    class OneWeight(BaseModel):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, inputs, data_samples=None, mode="tensor"):
            return {"loss": (self.w * 0.0).sum()}

    class Items(torch.utils.data.Dataset):
        def __init__(self, n):
            self.n = n

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return {"inputs": torch.zeros(1)}

    class Record(Hook):
        priority = "VERY_HIGH"

        def __init__(self):
            self.lrs = []

            self.columns = {}

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            groups = runner.optim_wrapper.optimizer.param_groups
            base = next(g for g in groups if any(p is runner.model.w for p in g["params"]))  # the default group
            self.lrs.append(float(base["lr"]))
            for name in self.quantities:
                value = base["betas"][0] if name == "momentum" and "betas" in base else base[name]
                self.columns.setdefault(name, []).append(float(value))
            if self.groups == "group_name":  # a layer-decay constructor's groups: layer_<id>_(no_)decay
                for name in sorted({re.match(r"layer_\d+", g["group_name"]).group() for g in groups},
                                   key=lambda name: int(name.split("_")[1])):
                    group = next(g for g in groups if g["group_name"].startswith(f"{name}_"))
                    self.columns.setdefault(name, []).append(float(group["lr"]))
                return
            for name, parameter in self.groups.items():
                group = next(g for g in groups if any(p is parameter for p in g["params"]))
                self.columns.setdefault(name, []).append(float(group["lr"]))

    for fixture, (dataset_size, world, batch) in MM_FACTS.items():
        if not wanted(fixture):
            continue
        # custom_imports (mmpretrain.models for its ConvNeXt) are not installed and not needed.
        cfg = Config.fromfile(str(FIX / fixture), import_custom_modules=False)
        if isinstance(cfg.param_scheduler, dict):  # one scheduler, not a list (Runner takes either)
            cfg.param_scheduler = [cfg.param_scheduler]
        model, groups = _mm_model(OneWeight(), cfg)
        rec_hook = Record()
        # Momentum / weight decay: recorded when a scheduler changes it (betas[0] for Adam-like optimizers).
        rec_hook.quantities = [name for name in ("momentum", "weight_decay")
                               if any(_mm_target(s_) == name for s_ in cfg.param_scheduler)]
        rec_hook.groups = groups
        train_cfg = dict(cfg.train_cfg)
        loop_type = train_cfg.pop("type", None)
        by_epoch = loop_type != "IterBasedTrainLoop" and "max_iters" not in train_cfg
        if batch is None:
            batch = cfg.train_dataloader["batch_size"]
        if dataset_size is None:  # iteration-based: length fixed by the file; one pass over the data
            # (mmengine's _InfiniteDataloaderIterator sleeps 2 s at every re-iteration)
            items = batch * cfg.train_cfg["max_iters"]
        else:
            items = -(-dataset_size // world)  # DefaultSampler(round_up=True): ceil(D / W) samples per rank
        train_cfg.pop("val_interval", None)
        train_cfg.pop("val_begin", None)
        if by_epoch:
            train_cfg = dict(by_epoch=True, max_epochs=train_cfg["max_epochs"])
        else:
            train_cfg = dict(by_epoch=False, max_iters=train_cfg["max_iters"])
        optim_wrapper = dict(cfg.optim_wrapper)
        optim_wrapper.pop("clip_grad", None)
        if optim_wrapper.get("type") == "AmpOptimWrapper":  # mixed precision needs a GPU; the lrs are the same
            optim_wrapper.update(type="OptimWrapper")
            optim_wrapper.pop("loss_scale", None)
        if not hasattr(torch.optim, optim_wrapper["optimizer"]["type"]):  # Lamb & co. (mmpretrain's): the lr is all that matters
            optim_wrapper["optimizer"] = dict(type="SGD", lr=optim_wrapper["optimizer"]["lr"])
        with tempfile.TemporaryDirectory() as work:
            runner = Runner(
                model=model,
                work_dir=work,
                train_dataloader=dict(batch_size=batch, num_workers=0, dataset=Items(items),
                                      sampler=dict(type="DefaultSampler", shuffle=False),
                                      collate_fn=dict(type="default_collate")),
                train_cfg=train_cfg,
                optim_wrapper=optim_wrapper,
                param_scheduler=list(cfg.param_scheduler),
                auto_scale_lr=cfg.get("auto_scale_lr"),
                default_hooks=dict(param_scheduler=dict(type="ParamSchedulerHook")),
                custom_hooks=[rec_hook],
                visualizer=HeadlessVisualizer.get_instance(f"golden-{Path(fixture).stem}"),
                default_scope=None,
                log_level="ERROR",
                cfg=dict(),
            )
            runner.train()
            epoch_length = len(runner.train_dataloader)
        values = rec_hook.lrs
        scheds = []
        for s in cfg.param_scheduler:
            s = dict(s)
            scheds.append(", ".join(f"{k}={v!r}" for k, v in s.items()))
        facts: dict[str, Any] = {}
        if dataset_size is not None:
            facts = {"--dataset-size": dataset_size, "--batch-size": batch, "--world-size": world}
        boundaries = []
        for s in cfg.param_scheduler:
            mult = epoch_length if (s.get("by_epoch", True)) else 1
            for key in ("begin", "end"):
                if key in s:
                    boundaries.append(int(s[key]) * mult)
            for m in s.get("milestones", []):
                boundaries.append(int(m) * mult)
        notes = mm_notes(fixture, cfg, epoch_length, values, dataset_size, world, batch)
        rec = make_record(
            fixture, "mmengine", mmengine.__version__,
            "param_scheduler = [" + "; ".join(scheds) + "] (optimizer lr "
            + repr(cfg.optim_wrapper["optimizer"]["lr"]) + ")",
            "ParamSchedulerHook: schedulers with by_epoch=False (incl. convert_to_iter_based) step after every "
            "iteration, by_epoch=True ones after every epoch, in list order; value[t] = optimizer lr in "
            "before_train_iter of iteration t (and `quantities`: the momentum or betas[0], weight decay, or a "
            "parameter group's lr, the same way).",
            facts, values, notes,
            epochs=train_cfg.get("max_epochs"), updates_per_epoch=epoch_length if by_epoch else None,
            boundaries=boundaries,
            extra={"quantities": rec_hook.columns} if rec_hook.columns else None,
        )
        write("mmengine", fixture, rec)


def _mm_target(scheduler: Any) -> str:
    """What a param_scheduler entry schedules, as MMEngine's classes say it."""
    kind = scheduler["type"].split(".")[-1]
    if kind.endswith("Momentum"):
        return "momentum"
    return scheduler.get("param_name", "lr") if kind.endswith("ParamScheduler") else "lr"


def mm_notes(fixture, cfg, epoch_length, values, dataset_size, world, batch) -> str:
    notes = []
    names = {s["type"].split(".")[-1] for s in cfg.param_scheduler}
    if names & {"LinearLR", "PolyLR", "ConstantLR"}:
        notes.append("MMEngine's LinearLR/PolyLR/ConstantLR use total_iters = end - begin - 1 (param_scheduler.py), "
                     "so they reach their end value at the LAST step of [begin, end) (LinearLR warmup over "
                     "[0, 500) is at the full lr from step 499; PolyLR is at eta_min on the run's last update), "
                     "one step earlier than torch's LinearLR/PolynomialLR(total_iters = end - begin); "
                     "CosineAnnealingLR uses T_max = end - begin.")
    if dataset_size is not None:
        notes.append(f"len(train_dataloader) = ceil(ceil({dataset_size}/{world})/{batch}) = {epoch_length} "
                     "(DefaultSampler round_up, drop_last False).")
    asl = cfg.get("auto_scale_lr")
    if asl is not None:
        notes.append(f"auto_scale_lr {dict(asl)} is not applied: Runner.scale_lr only scales when "
                     "auto_scale_lr.enable is True (set by the tools' --auto-scale-lr flag).")
    if "faster" in fixture or "schedule_1x" in fixture:
        notes.append("LinearLR (by_epoch=False, iterations [0, 500)) and MultiStepLR (by_epoch=True, epochs "
                     "[0, 12)) are chained: each step multiplies the current lr, so the warmup goes from 0.001 * lr at "
                     "iteration 0 to lr at iteration 500 whatever the epoch length, and MultiStepLR multiplies by "
                     "0.1 at the first iteration of epochs 8 and 11 (it steps at epoch ends).  Chained products leave "
                     "float noise (0.019999999999999952, not 0.02).")
    if "yolox" in fixture:
        notes.append("mmdet.QuadraticWarmupLR over epochs [0, 5) converted to iterations (T = 5 * epoch_length): "
                     "lr_t = lr * (t + 1)^2 / T^2, so the first update uses lr / T^2, not 0.  CosineAnnealingLR "
                     "(converted to iterations) runs over epochs [5, 285) but with T_max = 285 epochs (the config's "
                     "max_epochs - num_last_epochs), not end - begin = 280: it stops at 280/285 of its period, at "
                     "0.000507 instead of eta_min = 0.05 * 0.01 = 0.0005.  ConstantLR(factor=1) over the last 15 "
                     "epochs (epoch-stepped) leaves that lr unchanged.")
    if "swin" in fixture:
        notes.append("lr = 5e-4 * 1024 / 512 = 0.001 (Python arithmetic in the config).  LinearLR start_factor 1e-3 "
                     "over epochs [0, 20) converted to iterations (no `begin` -> 0), stepped every iteration.  "
                     "CosineAnnealingLR has no `end`: the Runner sets end = max_epochs = 300, so T_max = end - begin = "
                     "280 epochs; it is by_epoch without convert_to_iter_based, so it steps once per epoch and the lr "
                     "is constant within each epoch from epoch 20 on.")
    if "segformer" in fixture:
        notes.append("The file replaces the base PolyLR list and the optimizer (_delete_=True): AdamW lr 6e-5.  "
                     "LinearLR start_factor 1e-6 over iterations [0, 1500), then PolyLR power 1.0 to eta_min 0 over "
                     "[1500, 160000).  paramwise_cfg head lr_mult=10: the `quantities` hold the lr of a parameter "
                     "named head.weight (10x) and of one no custom key names (others; also `values`), from MMEngine's "
                     "DefaultOptimWrapperConstructor.")
    if "convnext" in fixture:
        notes.append("LearningRateDecayOptimizerConstructor (mmseg's, ported) stage_wise with decay_rate 0.9 and "
                     "num_layers 6 on a model with mmpretrain ConvNeXt-T's parameter names (downsample_layers.<s>, "
                     "stages.<s>.<block> for depths 3, 3, 9, 3, and one outside the backbone): groups layer_0 "
                     "(downsampling), layer_1-4 (the stages), layer_7 (the rest), lr x 0.9 ** (7 - id), each "
                     "group's lr in `quantities` under the constructor's own group name.  AmpOptimWrapper run as "
                     "OptimWrapper (CPU: no mixed precision; the lrs do not depend on it).")
    if "beit" in fixture:
        notes.append("LayerDecayOptimizerConstructor (mmseg's, ported: mmseg is not installed) with num_layers 12 and "
                     "layer_decay_rate 0.9: a model with BEiT's parameter names (backbone.cls_token, "
                     "backbone.layers.<i>.weight for 12 blocks, and one outside the backbone) gets layer ids 0, 1-12 "
                     "and 13, lr x 0.9 ** (13 - id); `quantities` hold each group's lr under the constructor's own "
                     "group name.  LinearLR warmup over "
                     "[0, 1500) and PolyLR power 1 to 0 over [1500, 160000), as segformer's.")
    if "cyclic-40e" in fixture:
        notes.append("mmdetection3d's KITTI cyclic schedule: two CosineAnnealingLR windows (epochs [0, 16) up to "
                     "lr x 10, [16, 40) down to lr x 1e-4) and two CosineAnnealingMomentum windows on AdamW's "
                     "betas[0] (0.95 down to 0.85 / 0.95, then up to 1), all converted to iterations.  A window "
                     "starts from the value the one before left (chainable forms).  3712 samples: KITTI's train split.")
    if "coswd" in fixture:
        notes.append("CosineAnnealingParamScheduler(param_name='weight_decay') per epoch over [0, 300) (T_max = "
                     "end - begin = 300), from SGD's weight_decay 1e-4 towards eta_min 1e-5, beside the lr's "
                     "warmup and cosine.")
    if "schedule_160k" in fixture:
        notes.append("PolyLR power 0.9 from 0.01 to eta_min 1e-4 over 160000 iterations (iteration-based loop).")
    return " ".join(notes)


# ---------------------------------------------------------------- detectron2

D2_DEFAULT_SOLVER = {**D2_SOLVER_DEFAULTS, "IMS_PER_BATCH": 16, "REFERENCE_WORLD_SIZE": 0}


def d2_load_yaml_with_base(filename: Path) -> dict[str, Any]:
    """detectron2/config/config.py CfgNode.load_yaml_with_base.  detectron2 uses yaml.unsafe_load;
    here a !!python/... value (Mask2Former's INPUT sizes) is read as None instead of run: no
    SOLVER key uses one."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    cfg = yaml.load(filename.read_text(encoding="utf-8"), Loader=Loader) or {}

    def merge_a_into_b(a: dict, b: dict) -> None:
        for k, v in a.items():
            if isinstance(v, dict) and k in b:
                assert isinstance(b[k], dict), f"Cannot inherit key '{k}' from base!"
                merge_a_into_b(v, b[k])
            else:
                b[k] = v

    if "_BASE_" in cfg:
        base = d2_load_yaml_with_base(filename.parent / cfg.pop("_BASE_"))
        merge_a_into_b(cfg, base)
        return base
    return cfg


def d2_decode(v: Any) -> Any:
    """yacs _decode_cfg_value: strings go through literal_eval when they parse."""
    if isinstance(v, str):
        try:
            return ast.literal_eval(v)
        except (ValueError, SyntaxError):
            return v
    return v


def gen_detectron2() -> None:
    import fvcore

    build_lr_scheduler = d2_classes()["build_lr_scheduler"]

    files = sorted(p for p in (FIX / "detectron2").rglob("*.yaml"))
    for path in files:
        fixture = str(path.relative_to(FIX))
        if not wanted(fixture):
            continue
        raw = d2_load_yaml_with_base(path)
        S = dict(D2_DEFAULT_SOLVER)
        for k, v in (raw.get("SOLVER") or {}).items():
            S[k] = d2_decode(v)
        opt = torch_param_optimizer("SGD", lr=S["BASE_LR"], momentum=0.9)
        sched, name = build_lr_scheduler(S, opt), S["LR_SCHEDULER_NAME"]
        n = S["MAX_ITER"]
        values = step_torch(sched, opt, n)
        if name == "WarmupPolyLR":
            desc = (f"WarmupPolyLR(max_iters={n}, warmup_factor={S['WARMUP_FACTOR']}, warmup_iters="
                    f"{S['WARMUP_ITERS']}, warmup_method={S['WARMUP_METHOD']!r}, power={S['POLY_LR_POWER']}, "
                    f"constant_ending={S['POLY_LR_CONSTANT_ENDING']}) (DeepLab project), BASE_LR {S['BASE_LR']}")
            notes = ("WarmupPolyLR multiplies the poly factor (1 - t/max_iter)^0.9 by the warmup factor during the "
                     "first WARMUP_ITERS (the poly clock is not shifted by the warmup); STEPS inherited from the base "
                     "are ignored.  LR_SCHEDULER_NAME WarmupPolyLR is only known to the DeepLab project's "
                     "build_lr_scheduler (add_deeplab_config supplies POLY_LR_POWER 0.9, POLY_LR_CONSTANT_ENDING 0).")
            boundaries = [S["WARMUP_ITERS"]]
        else:
            steps = [x for x in S["STEPS"] if x <= n]
            desc = (f"LRMultiplier(WarmupParamScheduler(MultiStepParamScheduler(values={[S['GAMMA'] ** k for k in range(len(steps) + 1)]}, "
                    f"milestones={steps}, num_updates={n}), warmup_factor={S['WARMUP_FACTOR']}, "
                    f"warmup_length={S['WARMUP_ITERS']}/{n}, {S['WARMUP_METHOD']!r}), max_iter={n}), BASE_LR {S['BASE_LR']}")
            notes = ("Warmup: linear from WARMUP_FACTOR * BASE_LR at iteration 0 towards BASE_LR, reached at "
                     "WARMUP_ITERS (fvcore CompositeParamScheduler, 'rescaled' warmup then the multi-step schedule on "
                     "the global 'fixed' clock t / MAX_ITER); the lr is multiplied by GAMMA from iteration STEPS[i] on.")
            if S["WARMUP_FACTOR"] == 1.0:
                notes += "  WARMUP_FACTOR 1.0 makes the 10-iteration warmup a no-op (constant BASE_LR)."
            if "mask2former" in fixture:
                notes += ("  Mask2Former's SOLVER.BACKBONE_MULTIPLIER 0.1 scales the backbone's param groups (not "
                          "shown: the values are the base group's).")
            boundaries = [S["WARMUP_ITERS"], *steps]
        notes += (f"  Iteration-based (MAX_ITER {n}); IMS_PER_BATCH {S['IMS_PER_BATCH']} is the global batch and "
                  "does not change the schedule (REFERENCE_WORLD_SIZE 0: no auto-scaling).")
        rec = make_record(fixture, "detectron2 (rebuilt on fvcore)", "fvcore " + fvcore.__version__
                          if hasattr(fvcore, "__version__") else "fvcore 0.1.5.post20221221", desc,
                          "hooks.LRScheduler.after_step: scheduler.step() after every iteration; value[t] = "
                          "get_last_lr() after t steps = BASE_LR * multiplier(t / MAX_ITER).",
                          {}, values, notes, boundaries=boundaries)
        write("detectron2", fixture, rec)
    gen_detectron2_lazy(build_lr_scheduler)


D2_LAZY = ("configs/new_baselines/mask_rcnn_R_50_FPN_100ep_LSJ.py", "configs/new_baselines/mask_rcnn_R_50_FPN_400ep_LSJ.py",
           "configs/COCO-InstanceSegmentation/mask_rcnn_R_50_FPN_1x.py",
           "projects/ViTDet/configs/COCO/mask_rcnn_vitdet_b_100ep.py", "projects/ViTDet/configs/COCO/mask_rcnn_vitdet_h_75ep.py")


def d2_lazy_load(path: Path, root: Path) -> dict[str, Any]:
    """detectron2/config/lazy.py ``LazyConfig.load`` (ported: detectron2 is not installable): the file is
    exec'd with ``_patch_import``'s relative imports (each runs its file afresh and casts the imported
    names to DictConfig), ``LazyCall`` building ``DictConfig({**kwargs, "_target_": target})``,
    ``model_zoo.get_config(p)`` loading ``configs/p``.  Modules other than fvcore, functools and the
    detectron2 pieces named below are stand-ins (models and data are never built)."""
    import builtins
    import functools
    import importlib
    import types

    from omegaconf import DictConfig, ListConfig

    classes = d2_classes()

    class LazyCall:
        def __init__(self, target: Any) -> None:
            self._target = target

        def __call__(self, **kwargs: Any) -> Any:
            return DictConfig(content={**kwargs, "_target_": self._target}, flags={"allow_objects": True})

    class Stub(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            return Stub(f"{self.__name__}.{name}")

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return self

    def cast(obj: Any) -> Any:  # lazy.py _cast_to_config
        return DictConfig(obj, flags={"allow_objects": True}) if isinstance(obj, dict) else obj

    def get_config(rel: str) -> Any:  # model_zoo.get_config (trained=False): LazyConfig.load of configs/rel
        if not (root / "configs" / rel).is_file():  # a model file not kept as a fixture: a stand-in
            return Stub(rel)
        return DictConfig(run(root / "configs" / rel), flags={"allow_objects": True})

    known = {
        "detectron2.config": {"LazyCall": LazyCall},
        "detectron2.config.lazy": {"LazyCall": LazyCall},
        "detectron2.solver": {"WarmupParamScheduler": classes["WarmupParamScheduler"],
                              "LRMultiplier": classes["LRMultiplier"]},
        "detectron2": {"model_zoo": types.SimpleNamespace(get_config=get_config)},
    }
    real_import = builtins.__import__

    def run(file: Path) -> dict[str, Any]:
        namespace: dict[str, Any] = {"__file__": str(file), "__name__": "detectron2._cfg_loader"}

        def new_import(name, globals=None, locals=None, fromlist=(), level=0):
            if level > 0:  # _patch_import
                cur = file.parent
                for _ in range(level - 1):
                    cur = cur.parent
                target = cur.joinpath(*name.split(".")).with_suffix(".py")
                if not target.is_file():  # a model / data file not kept as a fixture: a stand-in
                    return Stub(name)
                names = run(target)
                module = types.ModuleType(name)
                for key in fromlist:
                    setattr(module, key, cast(names[key]))
                return module
            if name in ("fvcore.common.param_scheduler", "functools", "math"):
                return real_import(name, globals, locals, fromlist, level)
            if name in known and fromlist:
                module = Stub(name)
                for key, value in known[name].items():
                    setattr(module, key, value)
                return module
            return Stub(name)

        namespace["__builtins__"] = {**vars(builtins), "__import__": new_import}
        exec(compile(file.read_text(encoding="utf-8"), str(file), "exec"), namespace)
        return {k: v for k, v in namespace.items() if not k.startswith("__")}

    del functools, importlib
    names = run(path)
    return {k: cast(v) for k, v in names.items() if isinstance(v, (DictConfig, ListConfig, dict)) and not k.startswith("_")}


def d2_instantiate(cfg: Any) -> Any:
    """detectron2/config/instantiate.py ``instantiate`` for what an lr_multiplier holds."""
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(cfg, ListConfig):
        return [d2_instantiate(x) for x in cfg]
    if isinstance(cfg, DictConfig) and "_target_" in cfg:
        kwargs = {k: d2_instantiate(cfg[k]) for k in cfg if k != "_target_"}
        return cfg._target_(**kwargs)
    if isinstance(cfg, DictConfig):
        return OmegaConf.to_container(cfg)
    return cfg


def gen_detectron2_lazy(build_lr_scheduler: Any) -> None:
    del build_lr_scheduler
    root = FIX / "detectron2"
    for rel in D2_LAZY:
        path = root / rel
        fixture = str(path.relative_to(FIX))
        if not wanted(fixture):
            continue
        cfg = d2_lazy_load(path, root)
        n, lr = int(cfg["train"]["max_iter"]), float(cfg["optimizer"]["lr"])
        multiplier = d2_instantiate(cfg["lr_multiplier"])
        opt = torch_param_optimizer("SGD", lr=lr, momentum=0.9)
        sched = d2_classes()["LRMultiplier"](opt, multiplier, max_iter=n)
        values = step_torch(sched, opt, n)
        inner = cfg["lr_multiplier"]["scheduler"]
        warm = cfg["lr_multiplier"]
        desc = (f"LRMultiplier(WarmupParamScheduler(MultiStepParamScheduler(values={list(inner['values'])}, "
                f"milestones={list(inner['milestones'])}, num_updates={inner['num_updates']}), warmup_factor="
                f"{warm['warmup_factor']}, warmup_length={warm['warmup_length']!r}), max_iter={n}), optimizer.lr {lr}")
        warmup = math.floor(warm["warmup_length"] * n + 0.5)
        notes = ("LazyConfig.load (ported) + instantiate(cfg.lr_multiplier), wrapped by hooks.LRScheduler in "
                 "LRMultiplier(max_iter=train.max_iter); fvcore's real MultiStepParamScheduler.")
        rec = make_record(fixture, "detectron2 LazyConfig (rebuilt on fvcore + omegaconf)", "fvcore 0.1.5.post20221221",
                          desc, "hooks.LRScheduler.after_step: scheduler.step() after every iteration; value[t] = "
                          "optimizer.lr * multiplier(t / train.max_iter).", {}, values, notes,
                          boundaries=[warmup, *[int(m * n / inner["num_updates"]) for m in inner["milestones"]]])
        write("detectron2", fixture, rec)


# ---------------------------------------------------------------- torchtitan


def linear_warmup_linear_decay(warmup_steps: int, decay_steps: int, current_step: int) -> float:
    """torchtitan/lr_scheduling.py (@419a202, same math through the functools.partial version of mid-2024)."""
    if current_step < warmup_steps:
        # linear warmup
        # 0-indexed step, hence + 1 adjustments
        current_step += 1
        curr_adjustment = float(current_step / (warmup_steps + 1))
    else:
        # linear decay
        normalized_step = decay_steps - (current_step - warmup_steps)
        curr_adjustment = 1 - (decay_steps - normalized_step) / decay_steps
    return curr_adjustment


def torchtitan_022_agrees(kw: dict[str, Any], steps: int, lam: Callable[[int], float]) -> bool:
    """Compile linear_warmup_stable_decay from torchtitan 0.2.2's lr_scheduler.py (the TOML-era source, not
    importable next to 0.3.0) and compare its factors with 0.3.0's for every step."""
    import ast

    src = Path("/work/fw/src/torchtitan-0.2.2/torchtitan/components/lr_scheduler.py")
    if not src.exists():
        return False
    tree = ast.parse(src.read_text(encoding="utf-8"))
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "linear_warmup_stable_decay")
    module = ast.Module(body=[fn], type_ignores=[])
    ast.fix_missing_locations(module)
    ns: dict[str, Any] = {"math": math}
    exec(compile(module, str(src), "exec"), ns)
    old = functools.partial(ns["linear_warmup_stable_decay"], **kw)
    for t in range(steps):
        if old(t) != lam(t):
            raise AssertionError(f"torchtitan 0.2.2 and 0.3.0 differ at step {t}: {old(t)} vs {lam(t)}")
    return True


def gen_torchtitan() -> None:
    from importlib.metadata import version

    import tomllib
    import torch
    from torchtitan.components.optimizer.lr_scheduler import LRSchedulersContainer

    tt_version = version("torchtitan")
    for path in sorted((FIX / "torchtitan").glob("*.toml")):
        fixture = str(path.relative_to(FIX))
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
        lr = cfg["optimizer"]["lr"]
        steps = cfg["training"]["steps"]
        opt = torch_param_optimizer("AdamW", lr=lr)
        if "lr_scheduler" in cfg:
            conf = LRSchedulersContainer.Config(**cfg["lr_scheduler"])
            cont = conf.build(optimizers=[opt], training_steps=steps)
            sched = cont.schedulers[0]
            lam = sched.lr_lambdas[0]
            values = []
            for _ in range(steps):
                values.append(float(sched.get_last_lr()[0]))
                opt.step()
                cont.step()
            kw = lam.keywords
            checked = torchtitan_022_agrees(kw, steps, lam)
            desc = (f"LRSchedulersContainer.Config({cfg['lr_scheduler']}).build(training_steps={steps}) -> "
                    f"LambdaLR(linear_warmup_stable_decay, warmup_steps={kw['warmup_steps']}, stable_steps="
                    f"{kw['stable_steps']}, decay_steps={kw['decay_steps']}, lr_decay_type={kw['lr_decay_type']!r}, "
                    f"min_lr_factor={kw['min_lr_factor']})")
            notes = (f"warmup factor (t + 1) / warmup_steps (the first update already uses lr/{kw['warmup_steps']}); "
                     f"decay_steps = round(steps * decay_ratio) = {kw['decay_steps']}, stable_steps = steps + 1 - "
                     f"warmup - decay = {kw['stable_steps']} (the '+1' virtual step keeps the last update above "
                     "min_lr); in the decay progress = (t + 1 - warmup - stable) / decay_steps, so the last update "
                     f"(t = {steps - 1}) has progress (decay_steps - 1) / decay_steps and never reaches "
                     "min_lr_factor * lr.  The TOML layout is torchtitan 0.1/0.2's; 0.3.0 configures runs in Python "
                     "(config_registry) but its Config.build computes the same factors"
                     + (" (checked step by step against 0.2.2's linear_warmup_stable_decay)." if checked else "."))
            boundaries = [kw["warmup_steps"], kw["warmup_steps"] + kw["stable_steps"]]
        else:
            warmup = int(cfg["training"]["warmup_steps"])
            decay = float(max(1, steps - warmup))
            sched = torch.optim.lr_scheduler.LambdaLR(
                opt, lr_lambda=functools.partial(linear_warmup_linear_decay, warmup, decay))
            values = step_torch(sched, opt, steps)
            desc = (f"LambdaLR(linear_warmup_linear_decay(warmup_steps={warmup}, decay_steps={decay})) "
                    "(legacy torchtitan/lr_scheduling.py)")
            c = LRSchedulersContainer.Config(warmup_steps=warmup).build(
                optimizers=[torch_param_optimizer("AdamW", lr=lr)], training_steps=steps)
            modern = [lr * c.schedulers[0].lr_lambdas[0](t) for t in (0, warmup - 1, warmup, steps - 1)]
            notes = ("Legacy layout: warmup_steps sits in [training] and there is no [lr_scheduler] table, as in "
                     "torchtitan before the lr_scheduler section (mid-2024).  That code's warmup factor is "
                     f"(t + 1) / (warmup_steps + 1) and its decay 1 - (t - warmup) / (steps - warmup), reaching 0 "
                     f"only after the run (last update factor 1/{int(decay)}).  Today's torchtitan (0.2.x TOML "
                     "[lr_scheduler], 0.3.0 Config) would give a different curve for the same numbers "
                     f"(warmup (t+1)/warmup, stable_steps 1): lr at t = 0, {warmup - 1}, {warmup}, {steps - 1} would be "
                     f"{[float(x) for x in modern]} instead of "
                     f"{[values[0], values[warmup - 1], values[warmup], values[steps - 1]]}.  batch_size/seq_len do "
                     "not affect the schedule.")
            boundaries = [warmup]
        version_text = tt_version if "lr_scheduler" in cfg else (
            f"{tt_version} installed; values from the legacy lr_scheduling.py (@419a202) copied here")
        rec = make_record(fixture, "torchtitan", version_text, desc,
                          "train_step: optimizers.step() then lr_schedulers.step(); value[t] = get_last_lr() after "
                          "t steps = lr * lambda(t).", {}, values, notes, boundaries=boundaries)
        write("torchtitan", fixture, rec)


# ------------------------------------------------------------------ composer


def composer_fit(scheduler: Any, max_duration: str, lr: float, batch: int, n_batches_per_epoch: int | None) -> list[float]:
    """A real composer Trainer on CPU; returns the lr seen by every optimizer update."""
    sys.path.insert(0, "/work/fw/stubs")
    import logging

    import torch
    from composer import Trainer
    from composer.core import Callback
    from composer.models import ComposerModel

    logging.getLogger("composer").setLevel(logging.ERROR)

    class OneWeight(ComposerModel):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, batch):
            return self.w * batch[0].sum()

        def loss(self, outputs, batch):
            return (outputs * 0.0).sum()

    class Batches(torch.utils.data.Dataset):
        """Each item is a whole batch (DataLoader(batch_size=None))."""

        def __init__(self, n):
            self.n = n
            self.x = (torch.zeros(batch, 1),)

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return self.x

    class Record(Callback):
        def __init__(self):
            self.lrs: list[float] = []

        def before_train_batch(self, state, logger):
            self.lrs.append(float(state.optimizers[0].param_groups[0]["lr"]))

    n = n_batches_per_epoch or 1_000_000_000
    dl = torch.utils.data.DataLoader(Batches(n), batch_size=None, shuffle=False)
    model = OneWeight()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    rec = Record()
    trainer = Trainer(model=model, train_dataloader=dl, max_duration=max_duration, optimizers=opt,
                      schedulers=scheduler, callbacks=[rec], device="cpu", progress_bar=False,
                      log_to_console=False, loggers=[], save_folder=None, device_train_microbatch_size=batch)
    trainer.fit()
    return rec.lrs


COMPOSER_FACTS = {
    "composer/llmfoundry-mpt-125m-cosine-warmup-ba.yaml": None,
    "composer/llmfoundry-7b-dolly-sft-linear-1ep.yaml": (15_000, 8),
    "composer/mosaicbert-base-linear-warmup-dur-samples.yaml": None,
    "composer/llmfoundry-mpt-30b-instruct-linear-8ep.yaml": (7_300, 8),
}

COMPOSER_STEPPING = ("Composer Trainer: the compiled LambdaLR is stepped after each batch but before "
                     "state.timestamp advances, so update t uses the scheduler evaluated at batch t - 1 "
                     "(update 0 uses batch 0).")


def gen_composer() -> None:
    sys.path.insert(0, "/work/fw/stubs")
    import composer
    from composer.optim.scheduler import (
        ConstantWithWarmupScheduler,
        CosineAnnealingWithWarmupScheduler,
        LinearWithWarmupScheduler,
    )

    def build(cfg):  # llm-foundry / mosaicml examples build_scheduler
        name = cfg["name"]
        if name == "constant_with_warmup":
            return ConstantWithWarmupScheduler(t_warmup=cfg["t_warmup"])
        if name == "cosine_with_warmup":
            return CosineAnnealingWithWarmupScheduler(t_warmup=cfg["t_warmup"], alpha_f=cfg["alpha_f"])
        if name == "linear_decay_with_warmup":
            return LinearWithWarmupScheduler(t_warmup=cfg["t_warmup"], alpha_f=cfg["alpha_f"])
        raise ValueError(name)

    for fixture, facts_in in COMPOSER_FACTS.items():
        if not wanted(fixture):
            continue
        cfg = yaml.safe_load((FIX / fixture).read_text(encoding="utf-8"))
        sc = cfg["scheduler"]
        lr = cfg["optimizer"]["lr"]
        gbs = cfg["global_train_batch_size"]
        dur = str(cfg["max_duration"])
        facts: dict[str, Any] = {}
        per_epoch = None
        if facts_in is not None:
            dataset_size, world = facts_in
            device_batch = gbs // world
            # llm-foundry finetuning loader: DistributedSampler(drop_last=True) + DataLoader(drop_last=True)
            per_rank = dataset_size // world
            per_epoch = per_rank // device_batch
            facts = {"--dataset-size": dataset_size, "--batch-size": device_batch, "--world-size": world}
            batch = device_batch
        else:
            batch = gbs
        values = composer_fit(build(sc), dur, lr, batch, per_epoch)
        notes = [f"max_duration {dur}, t_warmup {sc['t_warmup']}, alpha_f {sc['alpha_f']}."]
        notes.append("Composer steps the scheduler before advancing the timestamp: values[0] == values[1] == "
                     "lr * f(0) and the last update uses f(N - 2), so the curve lags the scheduler by one update "
                     "and never reaches alpha_f * lr.")
        if "dur" in str(sc["t_warmup"]):
            notes.append("t_warmup 0.06dur = 0.06 * 286720000 samples = 17203200 samples = 4200 batches of 4096; "
                         "time is measured in samples (max_duration unit), advanced by the global batch each step.")
        if facts_in is not None:
            notes.append(f"max_duration 1ep = len(dataloader) batches per rank: floor(floor({facts_in[0]}/"
                         f"{facts_in[1]})/{batch}) = {per_epoch} (drop_last true); t_warmup 0ba gives no warmup "
                         "(Composer warns) and the first update already uses the full lr.")
        rec = make_record(fixture, "composer", composer.__version__,
                          f"{type(build(sc)).__name__}(t_warmup={sc['t_warmup']!r}, alpha_f={sc['alpha_f']}), "
                          f"lr {lr}, max_duration {dur}",
                          COMPOSER_STEPPING, facts, values, " ".join(notes),
                          epochs=1 if facts_in else None, updates_per_epoch=per_epoch,
                          boundaries=[1, max(range(len(values)), key=values.__getitem__)])
        write("composer", fixture, rec)


# ---------------------------------------------------------------------- olmo


def olmo_trainer_properties(train_py: Path, SchedulerUnits: Any) -> type:
    """The real olmo/train.py Trainer properties (tokens_per_batch, max_steps, max_tokens, scheduler_current,
    scheduler_max), compiled from the installed source: importing olmo.train needs wandb, sklearn, ...,
    which the venv does not have and the schedule does not use."""
    import ast

    tree = ast.parse(train_py.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Trainer")
    wanted = {"tokens_per_batch", "max_steps", "max_tokens", "scheduler_current", "scheduler_max"}
    body = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
    assert {n.name for n in body} == wanted, "olmo/train.py changed"
    module = ast.Module(body=[ast.ClassDef(name="Trainer", bases=[], keywords=[], body=body, decorator_list=[],
                                           type_params=[])], type_ignores=[])
    ast.fix_missing_locations(module)
    ns: dict[str, Any] = {"math": math, "SchedulerUnits": SchedulerUnits}
    exec(compile(module, str(train_py), "exec"), ns)
    return ns["Trainer"]


def gen_olmo() -> None:
    sys.path.insert(0, "/work/fw/stubs")
    from importlib.metadata import version

    import olmo
    from olmo.config import SchedulerConfig, SchedulerUnits
    from olmo.optim import build_scheduler

    OlmoTrainer = olmo_trainer_properties(Path(olmo.__file__).parent / "train.py", SchedulerUnits)

    olmo_version = version("ai2-olmo")
    for path in sorted((FIX / "olmo").glob("*.yaml")):
        fixture = str(path.relative_to(FIX))
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
        sc = dict(cfg["scheduler"])
        lr = cfg["optimizer"]["learning_rate"]
        if isinstance(sc.get("t_warmup"), str) and not re.fullmatch(r"[0-9.e+]+", sc["t_warmup"]):
            # Composer-era OLMo: olmo/composer.py build_scheduler -> Composer scheduler in a Composer Trainer
            import composer
            from composer.optim.scheduler import CosineAnnealingWithWarmupScheduler

            assert sc["name"] == "cosine_with_warmup"
            gbs = cfg["global_train_batch_size"]
            values = composer_fit(CosineAnnealingWithWarmupScheduler(t_warmup=sc["t_warmup"], alpha_f=sc["alpha_f"]),
                                  str(cfg["max_duration"]), lr, gbs, None)
            notes = ("Early (Composer-era) OLMo config: t_warmup '100ba' is a Composer time string, which ai2-olmo "
                     "0.6.0's SchedulerConfig (t_warmup: int | float) rejects.  The OLMo code of that time "
                     "(olmo/composer.py build_scheduler) built composer's CosineAnnealingWithWarmupScheduler("
                     "t_warmup, alpha_f) and trained with the Composer Trainer, so this is Composer's curve: "
                     "warmup from 0, cosine to alpha_f * lr at max_duration, with Composer's one-update lag "
                     "(values[0] == values[1] == 0).")
            rec = make_record(fixture, "composer (Composer-era OLMo)", composer.__version__,
                              f"CosineAnnealingWithWarmupScheduler(t_warmup={sc['t_warmup']!r}, alpha_f={sc['alpha_f']}),"
                              f" lr {lr}, max_duration {cfg['max_duration']}",
                              COMPOSER_STEPPING, {}, values, notes, boundaries=[1, 101])
            write("olmo", fixture, rec)
            continue
        sched_cfg = SchedulerConfig(**{k: (float(v) if k in ("t_max",) and isinstance(v, str) else v)
                                       for k, v in sc.items()})
        sched = build_scheduler(None, sched_cfg)
        seq = cfg["model"]["max_sequence_length"]
        gbs = cfg["global_train_batch_size"]
        md = cfg["max_duration"]
        if isinstance(md, str) and re.fullmatch(r"[0-9]+", md):
            md = int(md)
        fake = OlmoTrainer()
        fake.cfg = SimpleNamespace(max_duration=md, scheduler=SimpleNamespace(units=sched_cfg.units),
                                   global_train_batch_size=gbs, model=SimpleNamespace(max_sequence_length=seq))
        fake.global_step, fake.global_train_tokens_seen = 0, 0
        max_steps = fake.max_steps
        stop_at = cfg.get("stop_at")
        if isinstance(stop_at, str) and stop_at.strip() == "${max_duration}":
            stop_at = md if isinstance(md, int) else max_steps
        explicit_stop = stop_at is not None
        if stop_at is None:
            stop_at = max_steps + 10  # Trainer.fit
        values = []
        while fake.global_step < stop_at:
            fake.global_step += 1
            fake.global_train_tokens_seen += gbs * seq
            cur = fake.scheduler_current
            mx = fake.scheduler_max
            values.append(float(sched.get_lr(lr, cur, mx)))
        notes = [f"lr = get_lr({lr}, scheduler_current, scheduler_max) with global_step incremented before the "
                 "step: update t uses step t + 1 (tokens (t + 1) * global_batch * seq_len with units: tokens), so "
                 "the warmup's 0-step value is never used."]
        if sched_cfg.warmup_min_lr is None:
            notes.append("warmup_min_lr unset -> warmup starts from 10% of the lr (Scheduler._linear_warmup).")
        if sched_cfg.units == SchedulerUnits.tokens:
            notes.append(f"units tokens: t_warmup {sc['t_warmup']} tokens = {int(sc['t_warmup']) // (gbs * seq)} "
                         f"steps of {gbs}x{seq} tokens; t_max {sc['t_max']} tokens (far past the run) replaces "
                         "scheduler_max, so only the start of the cosine is used.")
        notes.append(f"max_duration {cfg['max_duration']} -> max_steps {max_steps}.")
        if explicit_stop:
            notes.append(f"stop_at {stop_at} ends the run.")
        else:
            notes.append(f"No stop_at: Trainer.fit sets stop_at = max_steps + 10 = {stop_at}, and training runs "
                         "those 10 extra steps when the data lasts (assumed here).")
        rec = make_record(fixture, "ai2-olmo", olmo_version,
                          f"{type(sched).__name__}(warmup_steps={getattr(sched, 'warmup_steps', None)}, "
                          f"alpha_f={getattr(sched, 'alpha_f', None)}, t_max={getattr(sched, 't_max', None)}, "
                          f"warmup_min_lr={sched.warmup_min_lr}), units {sched_cfg.units}, lr {lr}",
                          "olmo Trainer.fit: global_step += 1 (tokens += batch tokens) before train_step, which "
                          "sets every group's lr = scheduler.get_lr(lr, scheduler_current, scheduler_max) before "
                          "optim.step().", {}, values, " ".join(notes))
        write("olmo", fixture, rec)


# ------------------------------------------------------------------- fairseq
#
# Ports of fairseq 0.12.2 (source in /work/fw/src/fairseq-0.12.2):


class FairseqPolynomialDecay:
    """fairseq/optim/lr_scheduler/polynomial_decay_schedule.py lines 43-89."""

    def __init__(self, lr, warmup_updates=0, force_anneal=None, end_learning_rate=0.0, power=1.0,
                 total_num_update=None):
        assert total_num_update > 0
        self.lrs = lr
        self.lr = lr[0]
        self.warmup_updates = warmup_updates
        self.force_anneal = force_anneal
        self.warmup_factor = 1.0 / warmup_updates if warmup_updates > 0 else 1
        self.end_learning_rate = end_learning_rate
        self.total_num_update = total_num_update
        self.power = power
        self.opt_lr = self.warmup_factor * self.lr

    def step_begin_epoch(self, epoch):
        if self.force_anneal is None or epoch < self.force_anneal:
            self.lr = self.lrs[min(epoch, len(self.lrs) - 1)]
        else:
            self.lr = self.opt_lr
        self.opt_lr = self.warmup_factor * self.lr
        return self.opt_lr

    def step_update(self, num_updates):
        if self.warmup_updates > 0 and num_updates <= self.warmup_updates:
            self.warmup_factor = num_updates / float(self.warmup_updates)
            lr = self.warmup_factor * self.lr
        elif num_updates >= self.total_num_update:
            lr = self.end_learning_rate
        else:
            warmup = self.warmup_updates
            lr_range = self.lr - self.end_learning_rate
            pct_remaining = 1 - (num_updates - warmup) / (self.total_num_update - warmup)
            lr = lr_range * pct_remaining ** (self.power) + self.end_learning_rate
        self.opt_lr = lr
        return self.opt_lr


class FairseqTriStage:
    """fairseq/optim/lr_scheduler/tri_stage_lr_scheduler.py lines 89-175."""

    def __init__(self, lr, max_update, phase_ratio=None, warmup_steps=0, hold_steps=0, decay_steps=0,
                 init_lr_scale=0.01, final_lr_scale=0.01):
        if len(lr) > 1:
            raise ValueError("Cannot use a fixed learning rate schedule with tri-stage lr.")
        self.peak_lr = lr[0]
        self.init_lr = init_lr_scale * lr[0]
        self.final_lr = final_lr_scale * lr[0]
        if phase_ratio is not None:
            assert max_update > 0
            assert sum(phase_ratio) == 1, "phase ratios must add up to 1"
            self.warmup_steps = int(max_update * phase_ratio[0])
            self.hold_steps = int(max_update * phase_ratio[1])
            self.decay_steps = int(max_update * phase_ratio[2])
        else:
            self.warmup_steps, self.hold_steps, self.decay_steps = warmup_steps, hold_steps, decay_steps
        assert self.warmup_steps + self.hold_steps + self.decay_steps > 0
        self.warmup_rate = (self.peak_lr - self.init_lr) / self.warmup_steps if self.warmup_steps != 0 else 0
        self.decay_factor = -math.log(final_lr_scale) / self.decay_steps
        self.lr = self.init_lr

    def _decide_stage(self, update_step):
        if update_step < self.warmup_steps:
            return 0, update_step
        offset = self.warmup_steps
        if update_step < offset + self.hold_steps:
            return 1, update_step - offset
        offset += self.hold_steps
        if update_step <= offset + self.decay_steps:
            return 2, update_step - offset
        offset += self.decay_steps
        return 3, update_step - offset

    def step_begin_epoch(self, epoch):
        return self.lr

    def step_update(self, num_updates):
        stage, steps_in_stage = self._decide_stage(num_updates)
        if stage == 0:
            self.lr = self.init_lr + self.warmup_rate * steps_in_stage
        elif stage == 1:
            self.lr = self.peak_lr
        elif stage == 2:
            self.lr = self.peak_lr * math.exp(-self.decay_factor * steps_in_stage)
        elif stage == 3:
            self.lr = self.final_lr
        else:
            raise ValueError("Undefined stage")
        return self.lr


class FairseqCosine:
    """fairseq/optim/lr_scheduler/cosine_lr_scheduler.py lines 71-147."""

    def __init__(self, lr, max_update, warmup_updates=0, warmup_init_lr=-1, min_lr=0.0, t_mult=1.0,
                 lr_period_updates=-1, lr_shrink=0.1):
        if isinstance(lr, Sequence) and len(lr) > 1:
            raise ValueError("Cannot use a fixed learning rate schedule with cosine.")
        self.max_lr = lr[0] if isinstance(lr, Sequence) else lr
        assert self.max_lr > min_lr
        warmup_end_lr = self.max_lr
        if warmup_init_lr < 0:
            warmup_init_lr = min_lr
        self.warmup_init_lr, self.min_lr = warmup_init_lr, min_lr
        self.t_mult = t_mult
        self.period = lr_period_updates
        if self.period <= 0:
            assert max_update > 0, "Either --max_update or --lr-period-updates must be set"
            self.period = max_update - warmup_updates
        self.lr_step = (warmup_end_lr - warmup_init_lr) / warmup_updates if warmup_updates > 0 else 1
        self.warmup_updates = warmup_updates
        self.lr_shrink = lr_shrink
        self.lr = warmup_init_lr

    def step_begin_epoch(self, epoch):
        return self.lr

    def step_update(self, num_updates):
        if num_updates < self.warmup_updates:
            self.lr = self.warmup_init_lr + num_updates * self.lr_step
        else:
            curr_updates = num_updates - self.warmup_updates
            if self.t_mult != 1:
                i = math.floor(math.log(1 - curr_updates / self.period * (1 - self.t_mult), self.t_mult))
                t_i = self.t_mult ** i * self.period
                t_curr = curr_updates - (1 - self.t_mult ** i) / (1 - self.t_mult) * self.period
            else:
                i = math.floor(curr_updates / self.period)
                t_i = self.period
                t_curr = curr_updates - (self.period * i)
            lr_shrink = self.lr_shrink ** i
            min_lr = self.min_lr * lr_shrink
            max_lr = self.max_lr * lr_shrink
            self.lr = min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * t_curr / t_i))
        return self.lr


class FairseqPassThrough:
    """pass_through.py lines 33-39 delegating to composite.py CompositeLRScheduler lines 178-190."""

    def __init__(self, group_schedulers: dict[str, Any]):
        self.lr_schedulers = group_schedulers

    def step_begin_epoch(self, epoch):
        return {k: s.step_begin_epoch(epoch) for k, s in self.lr_schedulers.items()}

    def step_update(self, num_updates):
        return {k: s.step_update(num_updates) for k, s in self.lr_schedulers.items()}


def fairseq_build(cfg: dict[str, Any], scfg: dict[str, Any], opt_lr: list[float], max_update: int):
    """build_lr_scheduler with the II("optimization.*") interpolations resolved."""
    name = scfg["_name"]
    kw = {k: v for k, v in scfg.items() if k != "_name"}
    lr = kw.pop("lr", opt_lr)
    if name == "polynomial_decay":
        kw.setdefault("total_num_update", max_update)
        return FairseqPolynomialDecay(lr, **kw)
    if name == "tri_stage":
        kw.pop("max_update", None)
        return FairseqTriStage(lr, max_update, **kw)
    if name == "cosine":
        kw.pop("max_update", None)
        return FairseqCosine(lr, max_update, **kw)
    raise ValueError(name)


def fairseq_real_check(name: str, cfg_kwargs: dict[str, Any], steps: Sequence[int], expected: Callable[[int], float]) -> bool:
    """Run the real fairseq scheduler file (with stub imports) and compare a few step_update values."""
    src = Path("/work/fw/src/fairseq-0.12.2/fairseq/optim/lr_scheduler")
    if not src.exists():
        return False
    import types
    from dataclasses import dataclass

    class FairseqOptimizer:
        def __init__(self):
            self._lr = None

        def set_lr(self, lr):
            self._lr = lr

        def get_lr(self):
            return self._lr

    registry: dict[str, Any] = {}

    def register_lr_scheduler(name, dataclass=None):
        def deco(cls):
            registry[name] = cls
            return cls
        return deco

    @dataclass
    class FairseqDataclass:
        pass

    base_src = (src / "fairseq_lr_scheduler.py").read_text()
    base_src = base_src.replace("from fairseq.dataclass.utils import gen_parser_from_dataclass", "")
    base_src = base_src.replace("from fairseq.optim import FairseqOptimizer", "")
    ns: dict[str, Any] = {"FairseqOptimizer": FairseqOptimizer, "__name__": "fs_base"}
    exec(compile(base_src, str(src / "fairseq_lr_scheduler.py"), "exec"), ns)
    files = {"polynomial_decay": "polynomial_decay_schedule.py", "tri_stage": "tri_stage_lr_scheduler.py",
             "cosine": "cosine_lr_scheduler.py"}
    text = (src / files[name]).read_text()
    text = text.replace("from fairseq.dataclass import FairseqDataclass", "")
    text = text.replace("from fairseq.optim.lr_scheduler import FairseqLRScheduler, register_lr_scheduler", "")
    module = types.ModuleType(f"_fairseq_src_{name}")
    module.__dict__.update(FairseqDataclass=FairseqDataclass, FairseqLRScheduler=ns["FairseqLRScheduler"],
                           register_lr_scheduler=register_lr_scheduler)
    sys.modules[module.__name__] = module  # dataclasses look the module up
    try:
        exec(compile(text, str(src / files[name]), "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    cls = registry[name]
    cfg = SimpleNamespace(**cfg_kwargs)
    sched = cls(cfg, FairseqOptimizer())
    for s in steps:
        got = sched.step_update(s)
        if abs(got - expected(s)) > 1e-15 * max(1.0, abs(got)):
            raise AssertionError(f"fairseq port differs from source at {s}: {got} vs {expected(s)}")
    return True


FAIRSEQ_COMMANDS = {
    # fixture: updates evaluated (--steps; None: the command's --max-update)
    "fairseq/roberta-custom-classification-readme-polynomial.md": 7812,  # --max-epoch 10 only
    "fairseq/language-model-readme-cosine-wikitext103.md": None,
}
# fairseq-train flags of each scheduler's dataclass (0.12.2) and their types; max_lr is a cosine field
# 0.12.2 no longer reads (the peak is --lr).
FAIRSEQ_FLAGS = {
    "polynomial_decay": {"warmup-updates": int, "total-num-update": int, "end-learning-rate": float, "power": float},
    "cosine": {"warmup-updates": int, "warmup-init-lr": float, "min-lr": float, "t-mult": float,
               "lr-period-updates": float, "lr-shrink": float},
    "fixed": {"warmup-updates": int},
}


class FairseqFixed:
    """fairseq/optim/lr_scheduler/fixed_schedule.py (FixedLRSchedule), without force_anneal."""

    def __init__(self, lr, warmup_updates=0):
        self.lrs, self.lr = lr, lr[0]
        self.warmup_updates = warmup_updates
        self.warmup_factor = 1.0 / warmup_updates if warmup_updates > 0 else 1

    def step_begin_epoch(self, epoch):
        self.lr = self.lrs[min(epoch - 1, len(self.lrs) - 1)]
        return self.warmup_factor * self.lr

    def step_update(self, num_updates):
        if self.warmup_updates > 0 and num_updates < self.warmup_updates:
            self.warmup_factor = (num_updates + 1) / float(self.warmup_updates)
            return self.warmup_factor * self.lr
        return self.lr


def fairseq_command(text: str) -> dict[str, str]:
    """The fairseq-train line of a README's bash block as flags, its NAME=value lines substituted."""
    block = next(b for b in re.findall(r"```bash\n(.*?)```", text, re.S) if "fairseq-train" in b)
    for name, value in re.findall(r"^([A-Z_]+)=(\S+)", block, re.M):
        block = block.replace(f"${name}", value)
    return flags(shell_tokens(block[block.index("fairseq-train"):]))


def gen_fairseq_commands() -> None:
    for fixture, n in FAIRSEQ_COMMANDS.items():
        if not wanted(fixture):
            continue
        a = fairseq_command((FIX / fixture).read_text(encoding="utf-8"))
        name = a.get("lr-scheduler", "fixed")
        opt_lr = [float(x) for x in str(a["lr"]).split(",")]
        max_update = int(a.get("max-update", 0))
        n = n or max_update
        scfg = {"_name": name, **{flag.replace("-", "_"): kind(a[flag]) for flag, kind in FAIRSEQ_FLAGS[name].items()
                                  if flag in a}}
        if name == "fixed":
            sched = FairseqFixed(opt_lr, scfg.get("warmup_updates", 0))
        else:
            sched = fairseq_build({}, scfg, opt_lr, max_update)
        values = []
        sched.step_update(0)
        sched.step_begin_epoch(1)
        cur = sched.step_update(0)
        for t in range(n):
            values.append(float(cur))
            cur = sched.step_update(t + 1)  # trainer.lr_step_begin_epoch also ends in step_update(num_updates)
        length = ("--max-epoch without --max-update: the run's length is epochs of the data; the README's "
                  f"count of {n} updates is the length evaluated here (--steps)." if not max_update
                  else f"--max-update {max_update} updates.")
        rec = make_record(
            fixture, "fairseq", "0.12.2 (port, source only)",
            f"{name}({', '.join(f'{k}={v}' for k, v in scfg.items() if k != '_name')}, lr={opt_lr})",
            "fairseq trainer: step_update(num_updates) after every update (and at each epoch start).",
            {"--steps": n} if not max_update else {}, values,
            f"fairseq-train flags (argparse) read with their dataclass names; the README's shell variables "
            f"substituted.  {length}  --max-lr is a field fairseq 0.12.2's cosine no longer reads (the peak is "
            "--lr)." if "max-lr" in a else
            f"fairseq-train flags (argparse) read with their dataclass names; the README's shell variables "
            f"substituted.  {length}",
            boundaries=[scfg.get("warmup_updates", 0)])
        write("fairseq", fixture, rec)


def gen_fairseq() -> None:
    gen_fairseq_commands()
    for path in sorted((FIX / "fairseq").glob("*.yaml")):
        fixture = str(path.relative_to(FIX))
        cfg = yaml.safe_load(path.read_text(encoding="utf-8").replace("\r\n", "\n"))
        optim = cfg["optimization"]
        max_update = int(optim["max_update"])
        opt_lr = [float(x) for x in optim["lr"]]
        top = cfg["lr_scheduler"]
        group_note = ""
        if top == "pass_through" or (isinstance(top, dict) and top.get("_name") == "pass_through"):
            groups = {}
            for gname, g in cfg["optimizer"]["groups"].items():
                gs = dict(g["lr_scheduler"])
                glr = [float(g["lr_float"])] if g.get("lr_float") is not None else [float(x) for x in g.get("lr", opt_lr)]
                gs["lr"] = glr  # composite.py lines 70-75
                groups[gname] = fairseq_build(cfg, gs, glr, max_update)
            sched: Any = FairseqPassThrough(groups)
            scfg = {"_name": "pass_through", "groups": {k: dict(cfg["optimizer"]["groups"][k]["lr_scheduler"]) for k in groups}}
            group_note = ("lr_scheduler: pass_through (a bare string) delegates to the composite optimizer's "
                          "per-group schedulers; group 'default' runs fairseq's cosine with lr_float "
                          f"{cfg['optimizer']['groups']['default']['lr_float']} (composite.py sets the group's "
                          "optimizer.lr and lr_scheduler.lr to [lr_float]) and max_update from optimization "
                          "(II interpolation).  warmup_init_lr defaults to min_lr = 0; period = max_update - "
                          "warmup_updates.  ")
            pick = lambda d: d["default"]  # noqa: E731
        else:
            scfg = dict(top)
            sched = fairseq_build(cfg, scfg, opt_lr, max_update)
            pick = lambda x: x  # noqa: E731
        # trainer.py: step_update(0) at build time, begin_epoch(1) -> step_begin_epoch(1) + step_update(0),
        # then set_num_updates(n) -> step_update(n) after every update.
        values = []
        sched.step_update(0)
        sched.step_begin_epoch(1)
        cur = pick(sched.step_update(0))
        for t in range(max_update):
            values.append(float(cur))
            cur = pick(sched.step_update(t + 1))
        name = scfg["_name"]
        # cross-check the port against the real source file
        if name == "pass_through":
            g = cfg["optimizer"]["groups"]["default"]["lr_scheduler"]
            real_name, real_kw = g["_name"], dict(warmup_updates=g.get("warmup_updates", 0), warmup_init_lr=-1,
                                                   lr=[float(cfg["optimizer"]["groups"]["default"]["lr_float"])],
                                                   min_lr=0.0, t_mult=1.0, lr_period_updates=-1, lr_shrink=0.1,
                                                   max_update=max_update)
        elif name == "polynomial_decay":
            real_name, real_kw = name, dict(warmup_updates=scfg.get("warmup_updates", 0), force_anneal=None,
                                            end_learning_rate=0.0, power=1.0, total_num_update=max_update, lr=opt_lr)
        else:
            real_name, real_kw = name, dict(warmup_steps=0, hold_steps=0, decay_steps=0,
                                            phase_ratio=scfg.get("phase_ratio"), init_lr_scale=0.01,
                                            final_lr_scale=scfg.get("final_lr_scale", 0.01), max_update=max_update,
                                            lr=opt_lr)
        probe = sorted({0, 1, 2, max_update // 3, max_update // 2, max_update - 1, max_update} | set(range(0, max_update, max(1, max_update // 50))))
        def expected(s: int, values=values, max_update=max_update, pick=pick, sched=sched) -> float:
            return values[s] if s < max_update else float(pick(sched.step_update(s)))

        checked = fairseq_real_check(real_name, real_kw, probe, expected)
        if name == "polynomial_decay":
            w = scfg.get("warmup_updates", 0)
            desc = (f"polynomial_decay(warmup_updates={w}, total_num_update=max_update={max_update}, "
                    f"end_learning_rate=0.0, power=1.0, lr={opt_lr})")
            notes = (f"step_update(0) gives 0 * lr: the first update uses lr 0 (warmup factor t/{w}, peak at update "
                     f"{w}), then linear decay to 0 at update {max_update} (never reached: the last update is "
                     f"{max_update - 1}).  update_freq / max_tokens / world size do not change an update-counted "
                     "schedule.")
            boundaries = [w]
        elif name == "tri_stage":
            s = FairseqTriStage(opt_lr, max_update, phase_ratio=scfg.get("phase_ratio"),
                                final_lr_scale=scfg.get("final_lr_scale", 0.01))
            desc = (f"tri_stage(phase_ratio={scfg.get('phase_ratio')} of max_update {max_update} -> warmup "
                    f"{s.warmup_steps}, hold {s.hold_steps}, decay {s.decay_steps}; init_lr_scale 0.01, "
                    f"final_lr_scale {scfg.get('final_lr_scale')}, lr={opt_lr})")
            notes = ("Warmup linear from init_lr_scale * lr (default 0.01) by (peak - init) / warmup_steps per update "
                     "(update 0 uses 0.01 * lr); hold at lr; exponential decay exp(-k * s) with k = -ln(final_scale) "
                     "/ decay_steps over the decay stage (inclusive end); phase steps are int(max_update * ratio).")
            boundaries = [s.warmup_steps, s.warmup_steps + s.hold_steps]
        else:
            g = cfg["optimizer"]["groups"]["default"]["lr_scheduler"]
            w = g.get("warmup_updates", 0)
            desc = (f"pass_through -> composite group 'default': cosine(warmup_updates={w}, lr=[lr_float "
                    f"{cfg['optimizer']['groups']['default']['lr_float']}], min_lr=0, max_update={max_update})")
            notes = group_note + (f"Warmup from 0: update 0 uses lr 0, lr * t / {w}; cosine to 0 at max_update.")
            boundaries = [w]
        if checked:
            notes += "  Port cross-checked against the real fairseq source file."
        rec = make_record(fixture, "fairseq", "0.12.2 (source; faithful port)", desc,
                          "fairseq Trainer: step_update(0) when the scheduler is built, step_update(num_updates) "
                          "after every update; value[t] = step_update(t).", {}, values, notes,
                          boundaries=boundaries)
        write("fairseq", fixture, rec)


# -------------------------------------------------------------------- espnet

ESPNET_FACTS = {
    # fixture: mini-batches per epoch (ESPnet numel batching: the count depends on the data)
    "espnet/aishell-conformer-e12-warmuplr.yaml": 1000,
    "espnet/ljspeech-tts-transformer-noamlr.yaml": 120,
    "espnet/ljspeech-vits-exponentiallr-per-epoch-two-optims.yaml": None,  # num_iters_per_epoch in the file
    "espnet/ls100-whisper-warmuplr-accum4-dupkey.yaml": 1003,  # 3 leftover mini-batches per epoch do not update
}


def gen_espnet() -> None:
    from importlib.metadata import version

    import torch
    from espnet2.schedulers.abs_scheduler import AbsBatchStepScheduler, AbsEpochStepScheduler
    from espnet2.schedulers.noam_lr import NoamLR
    from espnet2.schedulers.warmup_lr import WarmupLR

    # espnet2/tasks/abs_task.py scheduler_classes (lines 165-186; importing abs_task needs humanfriendly etc.)
    scheduler_classes = {"exponentiallr": torch.optim.lr_scheduler.ExponentialLR, "noamlr": NoamLR,
                         "warmuplr": WarmupLR}

    ev = version("espnet")
    for fixture, batches in ESPNET_FACTS.items():
        cfg = yaml.safe_load((FIX / fixture).read_text(encoding="utf-8"))
        accum = int(cfg.get("accum_grad", 1))
        max_epoch = int(cfg["max_epoch"])
        lr = float(cfg["optim_conf"]["lr"])
        name = cfg["scheduler"]
        conf = dict(cfg.get("scheduler_conf") or {})
        opt = torch_param_optimizer("Adam", lr=lr)
        sched = scheduler_classes[name.lower()](opt, **conf)
        if batches is None:
            batches = int(cfg["num_iters_per_epoch"])
            facts: dict[str, Any] = {}
        else:
            facts = {"--dataset-size": batches, "--batch-size": 1, "--grad-accum": accum}
        upe = batches // accum
        values: list[float] = []
        is_batch = isinstance(sched, AbsBatchStepScheduler)
        is_epoch = isinstance(sched, AbsEpochStepScheduler)
        boundaries = []
        for _epoch in range(1, max_epoch + 1):
            if not is_batch and accum == 1:
                # nothing changes the lr inside an epoch: one read per epoch, repeated
                values.extend([float(opt.param_groups[0]["lr"])] * upe)
            else:
                for iiter in range(1, batches + 1):
                    if iiter % accum == 0:
                        values.append(float(opt.param_groups[0]["lr"]))
                        opt.step()
                        if is_batch:
                            sched.step()
            if is_epoch:
                sched.step()
            boundaries.append(len(values))
        if name == "exponentiallr":
            desc = f"torch ExponentialLR(gamma={conf['gamma']}) x2 (scheduler, scheduler2), lr {lr}"
            notes = (f"GAN task: generator and discriminator optimizers (optim/optim2, both adamw lr {lr}) each "
                     f"with ExponentialLR gamma {conf['gamma']}; the two curves are identical and this is one of "
                     "them.  ExponentialLR is an AbsEpochStepScheduler: stepped once at the end of every epoch, "
                     f"so the lr is lr * gamma^e for all {batches} iterations of epoch e (0-based).  An 'update' here "
                     "is one iteration (one generator step and one discriminator step).  num_iters_per_epoch "
                     f"{batches} fixes the epoch length (no dataset size needed); {max_epoch} epochs = "
                     f"{max_epoch * batches} updates.")
            boundaries = boundaries[:-1]
        else:
            desc = f"espnet2 {type(sched).__name__}({', '.join(f'{k}={v}' for k, v in conf.items())}), optim lr {lr}"
            if name == "warmuplr":
                notes = (f"WarmupLR: lr * warmup^0.5 * min(s^-0.5, s * warmup^-1.5) with s = t + 1 (torch "
                         f"last_epoch + 1): peak = optim lr {lr} at update {conf['warmup_steps'] - 1}, then "
                         "inverse-sqrt.  Batch scheduler: stepped after every optimizer update.")
            else:
                notes = (f"NoamLR: lr * model_size^-0.5 * min(s^-0.5, s * warmup^-1.5), s = t + 1; with optim lr "
                         f"{lr} the peak is {lr} * 512^-0.5 * 4000^-0.5 = "
                         f"{lr * 512 ** -0.5 * conf['warmup_steps'] ** -0.5:.6g} at update "
                         f"{conf['warmup_steps'] - 1}.")
            notes += (f"  ESPnet batches by numel (batch_bins), so the number of mini-batches per epoch depends on "
                      f"the data: --dataset-size is the chosen count of mini-batches per epoch ({batches}) with "
                      f"--batch-size 1.  An update every accum_grad={accum} mini-batches; iiter restarts at 1 each "
                      f"epoch, so updates per epoch = floor({batches}/{accum}) = {upe} (a leftover partial "
                      "accumulation does not update).")
            boundaries = []
        rec = make_record(fixture, "espnet", ev, desc,
                          "espnet2 Trainer: AbsBatchStepScheduler.step() after every optimizer update, "
                          "AbsEpochStepScheduler.step() at the end of every epoch.", facts, values, notes,
                          epochs=max_epoch, updates_per_epoch=upe, boundaries=boundaries)
        write("espnet", fixture, rec)


# -------------------------------------------------------------------- paddle

PADDLE_FACTS = {
    # fixture: (dataset_size, world_size)
    "paddle/paddleclas-resnet50-piecewise.yaml": (10_000, 1),
    "paddle/paddleclas-pplcnet-x1_0-cosine-warmup-epoch.yaml": (100_000, 4),
    "paddle/paddleocr-ppocrv3-det-student-cosine-warmup.yml": (1_000, 4),
    "paddle/paddleocr-rec-chinese-lite-v2-cosine-droplast.yml": (20_000, 4),
}


def gen_paddle() -> None:
    import paddle
    from paddle.optimizer import lr as plr

    for fixture, (dataset_size, world) in PADDLE_FACTS.items():
        if not wanted(fixture):
            continue
        cfg = yaml.safe_load((FIX / fixture).read_text(encoding="utf-8"))
        lr_cfg = dict(cfg["Optimizer"]["lr"])
        name = lr_cfg.pop("name")
        if "paddleocr" in fixture:
            epochs = int(cfg["Global"]["epoch_num"])
            batch = int(cfg["Train"]["loader"]["batch_size_per_card"])
        else:
            epochs = int(cfg["Global"]["epochs"])
            tr = cfg["DataLoader"]["Train"]
            batch = int(tr["sampler"]["batch_size"] if "sampler" in tr else tr["batch_size"])
        per_rank = -(-dataset_size // world)  # DistributedBatchSampler: ceil(D / nranks)
        drop_last = bool(cfg.get("Train", {}).get("loader", {}).get("drop_last", False)) if "paddleocr" in fixture else False
        # DistributedBatchSampler's __len__: floor with drop_last, else ceil
        step_each_epoch = per_rank // batch if drop_last else -(-per_rank // batch)
        warmup_epoch = lr_cfg.get("warmup_epoch", 0)
        if "paddleocr" in fixture:
            # ppocr/optimizer/learning_rate.py Cosine
            assert name == "Cosine"
            T_max = step_each_epoch * epochs
            warmup = round(warmup_epoch * step_each_epoch)
            sched = plr.CosineAnnealingDecay(learning_rate=lr_cfg["learning_rate"], T_max=T_max, last_epoch=-1)
            if warmup > 0:
                sched = plr.LinearWarmup(learning_rate=sched, warmup_steps=warmup, start_lr=0.0,
                                         end_lr=lr_cfg["learning_rate"], last_epoch=-1)
            desc = (f"PaddleOCR Cosine -> LinearWarmup(CosineAnnealingDecay(learning_rate={lr_cfg['learning_rate']}, "
                    f"T_max=step_each_epoch*epochs={T_max}), warmup_steps={warmup}, start_lr=0.0)")
            notes = (f"PaddleOCR's Cosine sets T_max = step_each_epoch * epoch_num = {T_max} (the warmup is NOT "
                     f"subtracted, unlike PaddleClas), and LinearWarmup feeds the cosine step t - {warmup} after "
                     f"warmup: the cosine runs only {T_max - warmup} of its {T_max} steps and the last update uses "
                     f"{lr_cfg['learning_rate']} * (1 + cos(pi * {T_max - warmup - 1}/{T_max}))/2 = "
                     f"{lr_cfg['learning_rate'] * (1 + math.cos(math.pi * (T_max - warmup - 1) / T_max)) / 2:.4g} "
                     "instead of reaching 0 (the shift grows with warmup_epoch).  Length from Global.epoch_num.")
            boundaries = [warmup]
        elif name == "Cosine":
            # ppcls/optimizer/learning_rate.py Cosine (by_epoch False)
            T_max = (epochs - warmup_epoch) * step_each_epoch
            warmup = round(warmup_epoch * step_each_epoch)
            eta_min = lr_cfg.get("eta_min", 0.0)
            sched = plr.CosineAnnealingDecay(learning_rate=lr_cfg["learning_rate"], T_max=T_max, eta_min=eta_min,
                                             last_epoch=-1)
            if warmup > 0:
                sched = plr.LinearWarmup(learning_rate=sched, warmup_steps=warmup,
                                         start_lr=lr_cfg.get("warmup_start_lr", 0.0),
                                         end_lr=lr_cfg["learning_rate"], last_epoch=-1)
            desc = (f"PaddleClas Cosine -> LinearWarmup(CosineAnnealingDecay(learning_rate={lr_cfg['learning_rate']}, "
                    f"T_max=(epochs-warmup_epoch)*step_each_epoch={T_max}, eta_min={eta_min}), warmup_steps="
                    f"{warmup}, start_lr=0.0, end_lr={lr_cfg['learning_rate']})")
            notes = (f"warmup_steps = round(warmup_epoch * step_each_epoch) = {warmup}; the cosine runs over the "
                     f"remaining {T_max} iterations (LinearWarmup passes step t - warmup to it).  The first update "
                     "uses lr 0.")
            boundaries = [warmup]
        else:
            assert name == "Piecewise"
            boundaries = [e * step_each_epoch for e in lr_cfg["decay_epochs"]]
            sched = plr.PiecewiseDecay(boundaries=boundaries, values=lr_cfg["values"], last_epoch=-1)
            desc = (f"PaddleClas Piecewise -> PiecewiseDecay(boundaries=decay_epochs*step_each_epoch={boundaries}, "
                    f"values={lr_cfg['values']})")
            notes = ("Piecewise ignores learning_rate (0.1) and uses `values`; boundaries are iterations "
                     "(decay_epochs x step_each_epoch) and the scheduler steps per iteration.  Old-style "
                     "DataLoader.Train.batch_size 256: whether it is per card or global changed across PaddleClas "
                     "versions, so --world-size 1 is chosen (both readings agree).")
        values = []
        n = epochs * step_each_epoch
        for _ in range(n):
            values.append(float(sched()))
            sched.step()
        notes = (f"step_each_epoch = len(train_dataloader) = ceil(ceil({dataset_size}/{world})/{batch}) = "
                 f"{step_each_epoch} (DistributedBatchSampler, drop_last False).  " + notes)
        rec = make_record(fixture, "paddle", paddle.__version__, desc,
                          "PaddleClas/PaddleOCR train loop: lr_sch.step() after every optimizer step (by_epoch "
                          "False); value[t] = scheduler() after t steps.",
                          {"--dataset-size": dataset_size, "--batch-size": batch, "--world-size": world},
                          values, notes, epochs=epochs, updates_per_epoch=step_each_epoch, boundaries=boundaries)
        write("paddle", fixture, rec)


# ----------------------------------------------------------------- paddledet
# PaddleDetection is not installed here (ppdet pulls in its whole model zoo);
# its LearningRate builder and config loader are ported below line for line from
# PaddlePaddle/PaddleDetection @ 63bcf54577f5fcfa0425466e1ef1a12c0a375a29:
# ppdet/optimizer/optimizer.py (CosineDecay, PiecewiseDecay, LinearWarmup,
# ExpWarmup, LearningRate) and ppdet/core/workspace.py (_load_config_with_base,
# dict_merge); the YAML tags construct these classes as ppdet's @serializable
# does (ppdet/core/config/yaml_helpers.py: a mapping node -> cls(**kwargs)).
# The lr objects they return are paddle's own (paddle.optimizer.lr).

PADDLEDET_FACTS = {
    # fixture: (dataset_size, world_size, batch_size or None for TrainReader.batch_size)
    "paddledet/configs/ppyoloe/ppyoloe_crn_l_300e_coco.yml": (2_000, 4, None),
    "paddledet/configs/picodet/picodet_s_320_coco.yml": (4_000, 2, None),
    "paddledet/configs/faster_rcnn/faster_rcnn_swin_tiny_fpn_1x_coco.yml": (3_000, 1, None),
    "paddledet/configs/yolox/yolox_s_300e_coco.yml": (1_000, 4, None),
    "paddle/paddledetection-ppyoloe-optimizer_300e.yml": (640, 4, 8),
}


def _ppdet_classes() -> dict[str, type]:
    from paddle import optimizer

    class CosineDecay:
        def __init__(self, max_epochs=1000, use_warmup=True, min_lr_ratio=0., last_plateau_epochs=0):
            self.max_epochs = max_epochs
            self.use_warmup = use_warmup
            self.min_lr_ratio = min_lr_ratio
            self.last_plateau_epochs = last_plateau_epochs

        def __call__(self, base_lr=None, boundary=None, value=None, step_per_epoch=None):
            assert base_lr is not None, "either base LR or values should be provided"
            max_iters = self.max_epochs * int(step_per_epoch)
            last_plateau_iters = self.last_plateau_epochs * int(step_per_epoch)
            min_lr = base_lr * self.min_lr_ratio
            if boundary is not None and value is not None and self.use_warmup:
                warmup_iters = len(boundary)
                for i in range(int(boundary[-1]), max_iters):
                    boundary.append(i)
                    if i < max_iters - last_plateau_iters:
                        decayed_lr = min_lr + (base_lr - min_lr) * 0.5 * (math.cos(
                            (i - warmup_iters) * math.pi / (max_iters - warmup_iters - last_plateau_iters)) + 1)
                        value.append(decayed_lr)
                    else:
                        value.append(min_lr)
                return optimizer.lr.PiecewiseDecay(boundary, value)
            elif last_plateau_iters > 0:
                boundary = []
                value = []
                for i in range(max_iters):
                    if i < max_iters - last_plateau_iters:
                        decayed_lr = min_lr + (base_lr - min_lr) * 0.5 * (math.cos(
                            i * math.pi / (max_iters - last_plateau_iters)) + 1)
                        value.append(decayed_lr)
                    else:
                        value.append(min_lr)
                    if i > 0:
                        boundary.append(i)
                return optimizer.lr.PiecewiseDecay(boundary, value)
            return optimizer.lr.CosineAnnealingDecay(base_lr, T_max=max_iters, eta_min=min_lr)

    class PiecewiseDecay:
        def __init__(self, gamma=[0.1, 0.01], milestones=[8, 11], values=None, use_warmup=True):  # noqa: B006 (ppdet's)
            if type(gamma) is not list:
                self.gamma = []
                for i in range(len(milestones)):
                    self.gamma.append(gamma / 10**i)
            else:
                self.gamma = gamma
            self.milestones = milestones
            self.values = values
            self.use_warmup = use_warmup

        def __call__(self, base_lr=None, boundary=None, value=None, step_per_epoch=None):
            if boundary is not None and self.use_warmup:
                boundary.extend([int(step_per_epoch) * i for i in self.milestones])
            else:
                boundary = [int(step_per_epoch) * i for i in self.milestones]
                value = [base_lr]
            if self.values is not None:
                assert len(self.milestones) + 1 == len(self.values)
                return optimizer.lr.PiecewiseDecay(boundary, self.values)
            value = value if value is not None else [base_lr]
            for i in self.gamma:
                value.append(base_lr * i)
            return optimizer.lr.PiecewiseDecay(boundary, value)

    class LinearWarmup:
        def __init__(self, steps=500, start_factor=1. / 3, epochs=None, epochs_first=True):
            self.steps = steps
            self.start_factor = start_factor
            self.epochs = epochs
            self.epochs_first = epochs_first

        def __call__(self, base_lr, step_per_epoch):
            boundary = []
            value = []
            if self.epochs_first and self.epochs is not None:
                warmup_steps = self.epochs * step_per_epoch
            else:
                warmup_steps = self.steps
            warmup_steps = max(warmup_steps, 1)
            for i in range(warmup_steps + 1):
                if warmup_steps > 0:
                    alpha = i / warmup_steps
                    factor = self.start_factor * (1 - alpha) + alpha
                    lr = base_lr * factor
                    value.append(lr)
                if i > 0:
                    boundary.append(i)
            return boundary, value

    class ExpWarmup:
        def __init__(self, steps=1000, epochs=None, power=2):
            self.steps = steps
            self.epochs = epochs
            self.power = power

        def __call__(self, base_lr, step_per_epoch):
            boundary = []
            value = []
            warmup_steps = self.epochs * step_per_epoch if self.epochs is not None else self.steps
            warmup_steps = max(warmup_steps, 1)
            for i in range(warmup_steps + 1):
                factor = (i / float(warmup_steps))**self.power
                value.append(base_lr * factor)
                if i > 0:
                    boundary.append(i)
            return boundary, value

    return {cls.__name__: cls for cls in (CosineDecay, PiecewiseDecay, LinearWarmup, ExpWarmup)}


def _ppdet_learning_rate(classes: dict[str, type], base_lr=0.01, schedulers=None):
    """ppdet's LearningRate(base_lr, schedulers); returns its __call__(step_per_epoch)."""
    import copy

    if schedulers is None:
        schedulers = [classes["PiecewiseDecay"](), classes["LinearWarmup"]()]
    built = []
    for sched in copy.deepcopy(schedulers):
        if isinstance(sched, dict):
            kind = sched.pop("name")
            built.append(classes[kind](**sched))
        else:
            built.append(sched)

    def call(step_per_epoch):
        assert len(built) >= 1
        if not built[0].use_warmup:
            return built[0](base_lr=base_lr, step_per_epoch=step_per_epoch)
        boundary, value = built[1](base_lr, step_per_epoch)
        return built[0](base_lr, boundary, value, step_per_epoch)

    return call


def _ppdet_load(path: Path, classes: dict[str, type]) -> dict[str, Any]:
    """ppdet's _load_config_with_base with dict_merge (yaml.Loader plus the
    @serializable constructors)."""

    class Loader(yaml.Loader):
        pass

    for name, cls in classes.items():
        def construct(loader, node, cls=cls):
            if isinstance(node, yaml.SequenceNode):
                return cls(*loader.construct_sequence(node, deep=True))
            return cls(**loader.construct_mapping(node, deep=True))
        Loader.add_constructor("!" + name, construct)

    def dict_merge(dct, merge_dct):
        for k, v in merge_dct.items():  # noqa: B007 (ppdet's)
            if k in dct and isinstance(dct[k], dict) and isinstance(merge_dct[k], dict):
                dict_merge(dct[k], merge_dct[k])
            else:
                dct[k] = merge_dct[k]
        return dct

    def load(file_path: str) -> dict[str, Any]:
        with open(file_path) as f:
            file_cfg = yaml.load(f, Loader=Loader)
        if "_BASE_" in file_cfg:
            all_base_cfg: dict[str, Any] = {}
            for base_yml in list(file_cfg["_BASE_"]):
                if not base_yml.startswith("/"):
                    base_yml = os.path.join(os.path.dirname(file_path), base_yml)
                all_base_cfg = dict_merge(all_base_cfg, load(base_yml))
            del file_cfg["_BASE_"]
            return dict_merge(all_base_cfg, file_cfg)
        return file_cfg

    return load(str(path))


def gen_paddledet() -> None:
    import paddle
    from paddle.io import DistributedBatchSampler

    classes = _ppdet_classes()
    for fixture, (dataset_size, world, batch_flag) in PADDLEDET_FACTS.items():
        if not wanted(fixture):
            continue
        cfg = _ppdet_load(FIX / fixture, classes)
        reader = cfg.get("TrainReader", {})
        batch = batch_flag or reader.get("batch_size", 1)
        drop_last = reader.get("drop_last", True)  # ppdet TrainReader's default
        sampler = DistributedBatchSampler(list(range(dataset_size)), batch_size=batch, num_replicas=world, rank=0,
                                          shuffle=False, drop_last=drop_last)
        steps_per_epoch = len(sampler)  # trainer.py: steps_per_epoch = len(self.loader)
        lr_cfg = cfg["LearningRate"]
        sched = _ppdet_learning_rate(classes, lr_cfg.get("base_lr", 0.01), lr_cfg.get("schedulers"))(steps_per_epoch)
        epochs = int(cfg["epoch"])
        n = epochs * steps_per_epoch
        values = []
        for _ in range(n):
            values.append(float(sched()))
            sched.step()
        kinds = [type(s).__name__ + repr(vars(s)) for s in (lr_cfg.get("schedulers") or [])]
        desc = (f"ppdet LearningRate(base_lr={lr_cfg.get('base_lr')}, schedulers={kinds})(step_per_epoch="
                f"{steps_per_epoch}) -> paddle.optimizer.lr.{type(sched).__name__}")
        facts = {"--dataset-size": dataset_size, "--world-size": world}
        if batch_flag:
            facts["--batch-size"] = batch_flag
        notes = (f"step_per_epoch = len(DistributedBatchSampler(D={dataset_size}, batch_size={batch}, num_replicas="
                 f"{world}, drop_last={drop_last})) = {steps_per_epoch}; epoch {epochs}.  _BASE_ files merged as "
                 "ppdet's load_config merges them.")
        rec = make_record(fixture, "paddle", paddle.__version__, desc,
                          "ppdet/engine/trainer.py: self.lr.step() after every iteration; value[t] = scheduler() "
                          "after t steps.", facts, values, notes, epochs=epochs, updates_per_epoch=steps_per_epoch,
                          boundaries=[])
        write(fixture.split("/")[0], fixture, rec)


# ------------------------------------------------------------------ megatron


def megatron_args(path: Path) -> dict[str, Any]:
    """Resolve the shell variables/arrays of the launch script enough to read the flags."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\\\r?\n", " ", text)
    env: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    # bash arrays NAME=( ... )
    for m in re.finditer(r"^(\w+)=\((.*?)\)", text, re.S | re.M):
        arrays[m.group(1)] = shlex.split(m.group(2), comments=True)
    for line in text.splitlines():
        m = re.match(r"^(?:export\s+)?(\w+)=(.*)$", line.strip())
        if m and not m.group(2).startswith("("):
            val = m.group(2)
            try:
                val = " ".join(shlex.split(val, comments=True))
            except ValueError:
                pass
            env[m.group(1)] = val

    def expand(s: str) -> str:
        for _ in range(5):  # nested variables
            before = s
            s = re.sub(r"\$\{(\w+)\[@\]\}", lambda m: " ".join(arrays.get(m.group(1), [])), s)
            s = re.sub(r"\$\{(\w+)(:-[^}]*)?\}", lambda m: env.get(m.group(1), (m.group(2) or ":-")[2:]), s)
            s = re.sub(r"\$(\w+)", lambda m: env.get(m.group(1), ""), s)
            if s == before:
                break
        return s

    for k in list(env):
        env[k] = expand(env[k])
    # the training command: the line that runs a pretrain_*.py (or the CMD variable)
    cmd = None
    for line in text.splitlines():
        if re.search(r"pretrain_\w+\.py", line) and not line.strip().startswith("#"):
            cmd = line
            if "CMD" in line or "python" in line or "torchrun" in line:
                break
    if "CMD" in env and "pretrain" in env["CMD"]:
        cmd = env["CMD"]
    toks = shlex.split(expand(cmd), comments=True)
    out: dict[str, Any] = {}
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.startswith("--"):
            key = t[2:].replace("-", "_")
            vals = []
            while i + 1 < len(toks) and not toks[i + 1].startswith("--"):
                vals.append(toks[i + 1])
                i += 1
            out[key] = vals if len(vals) != 1 else vals[0]
            if not vals:
                out[key] = True
        i += 1
    return out


# Scripts megatron_args cannot split (here-strings, nested quotes in $(...)): their schedule flags copied by hand.
MEGATRON_ARGS = {
    "megatron/megatron-deepseek2-lite-cosine-samples-not-whole-batches.sh": {
        "micro_batch_size": "1", "global_batch_size": "64", "train_samples": "47340000",
        "lr_decay_samples": "47245280", "lr_warmup_samples": "94720", "lr": "0.00015", "min_lr": "0.00001",
        "lr_decay_style": "cosine",
    },
}


def gen_megatron() -> None:
    from importlib.metadata import version

    from megatron.core.num_microbatches_calculator import (
        ConstantNumMicroBatchesCalculator,
        RampupBatchsizeNumMicroBatchesCalculator,
    )
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    mv = version("megatron-core")

    def num(v: Any) -> float:
        return float(str(v).replace("_", ""))

    for path in sorted((FIX / "megatron").iterdir()):
        fixture = str(path.relative_to(FIX))
        if not wanted(fixture):
            continue
        a = MEGATRON_ARGS.get(fixture) or megatron_args(path)
        gbs = int(num(a["global_batch_size"]))
        mbs = int(num(a.get("micro_batch_size", 1)))
        dp = 1  # the lr depends on the global batch only; dp = 1 divides every ramp step
        if a.get("rampup_batch_size"):
            start, inc, ramp = (int(num(x)) for x in a["rampup_batch_size"])
            calc: Any = RampupBatchsizeNumMicroBatchesCalculator(gbs, mbs, dp, False, 0, start, inc, ramp)
        else:
            calc = ConstantNumMicroBatchesCalculator(gbs, mbs, dp, False, 0)
            start = inc = ramp = None
        lr, min_lr = num(a["lr"]), num(a.get("min_lr", 0.0))
        style = a.get("lr_decay_style", "linear")
        frac = num(a["lr_warmup_fraction"]) if "lr_warmup_fraction" in a else None
        # megatron/training/training.py get_optimizer_param_scheduler (+ update_train_iters)
        if "train_iters" in a:
            train_iters = int(num(a["train_iters"]))
            decay_iters = int(num(a.get("lr_decay_iters", train_iters)))
            lr_decay_steps = decay_iters * gbs
            if frac is not None:
                lr_warmup_steps = frac * lr_decay_steps
            else:
                lr_warmup_steps = int(num(a.get("lr_warmup_iters", 0))) * gbs
        else:
            train_samples = int(num(a["train_samples"]))
            if start is None:
                train_iters = train_samples // gbs
            else:
                iterations, consumed = 0, 0
                while consumed <= ramp:
                    calc.update(consumed, consistency_check=False)
                    consumed += calc.get_current_global_batch_size()
                    iterations += 1
                calc.update(0, consistency_check=False)
                iterations += (train_samples - consumed) // gbs
                train_iters = iterations
            lr_decay_steps = int(num(a.get("lr_decay_samples", train_samples)))
            lr_warmup_steps = frac * lr_decay_steps if frac is not None else int(num(a.get("lr_warmup_samples", 0)))
        opt = torch_param_optimizer("AdamW", lr=lr)
        sched = OptimizerParamScheduler(opt, init_lr=0.0, max_lr=lr, min_lr=min_lr, lr_warmup_steps=lr_warmup_steps,
                                        lr_decay_steps=lr_decay_steps, lr_decay_style=style, start_wd=0.01,
                                        end_wd=0.01, wd_incr_steps=train_iters * gbs, wd_incr_style="constant")
        values = []
        consumed = 0
        boundaries = []
        prev_bs = None
        warm_end = decay_end = None
        for t in range(train_iters):
            calc.update(consumed, consistency_check=True)  # update_num_microbatches(consumed_train_samples)
            bs = calc.get() * mbs * dp  # get_num_microbatches() * micro_batch_size * data_parallel_size
            if bs != prev_bs:
                boundaries.append(t)
                prev_bs = bs
            if warm_end is None and consumed >= lr_warmup_steps:
                warm_end = t
            if decay_end is None and consumed >= lr_decay_steps:
                decay_end = t
            values.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            sched.step(increment=bs)
            consumed += bs
        boundaries += [x for x in (warm_end, decay_end) if x is not None]
        desc = (f"OptimizerParamScheduler(init_lr=0.0, max_lr={lr}, min_lr={min_lr}, lr_warmup_steps={lr_warmup_steps:g}, "
                f"lr_decay_steps={lr_decay_steps}, lr_decay_style={style!r}) on the consumed-samples clock")
        notes = [f"train_iters {train_iters}, global batch {gbs}."]
        if "train_iters" in a:
            notes.append(f"Iteration-based: lr_decay_steps = lr_decay_iters x global_batch = {decay_iters} x {gbs}; "
                         f"lr_warmup_steps = lr_warmup_fraction x lr_decay_steps = {lr_warmup_steps:g} samples "
                         f"(~{lr_warmup_steps / gbs:g} iterations at the full batch).")
        else:
            notes.append(f"Sample-based (--train-samples): lr_decay_steps = lr_decay_samples {lr_decay_steps}, "
                         f"lr_warmup_steps = {lr_warmup_steps:g} samples; train_iters from update_train_iters.")
        notes.append("The warmup starts at init_lr 0 (lr_warmup_init default) and __init__ calls step(0): the first "
                     "update uses lr 0.  Past lr_decay_steps the lr stays at min_lr.")
        if start is not None:
            notes.append(f"--rampup-batch-size {start} {inc} {ramp}: the global batch grows from {start} by {inc} "
                         f"every {ramp}/{(gbs - start) // inc} consumed samples; the scheduler is stepped by the "
                         "batch actually consumed, so during the ramp the lr clock advances by fewer samples per "
                         "update and the warmup/decay (defined in full-batch samples) take more updates.")
        notes.append("Parallel sizes (TP/PP) do not change the schedule; data-parallel size 1 assumed (any size "
                     "dividing every ramp step gives the same global batches).")
        if fixture.endswith(".slurm"):
            notes.append("Megatron-DeepSpeed (bigscience): its AnnealingLR gives the same values for these "
                         "arguments (warmup from 0, cosine to min_lr over lr_decay_samples) and is stepped with the "
                         "same increment through the DeepSpeed engine (lr_kwargs).")
        rec = make_record(fixture, "megatron-core", mv, desc,
                          "train(): update_num_microbatches(consumed_samples) before each iteration, train_step "
                          "calls opt_param_scheduler.step(increment=num_microbatches*micro_batch*dp) after the "
                          "optimizer step; value[t] = lr at consumed_samples(t).", {}, values, " ".join(notes),
                          boundaries=boundaries)
        write("megatron", fixture, rec)


# -------------------------------------------------------------------- README


def write_readme() -> None:
    rows = []
    for path in sorted(p for p in FIX.rglob("*") if p.is_file() and p.name != "SOURCES.md"):
        rel = str(path.relative_to(FIX))
        dialect = rel.split("/")[0]
        gold = OUT / dialect / (path.name + ".json")
        if gold.exists():
            rec = json.loads(gold.read_text(encoding="utf-8"))
            if "curves" in rec:
                sched = "; ".join(f"{c['label']}: {c['scheduler'].split(' -> ')[-1]}" for c in rec["curves"])
                n = ", ".join(str(c["total_updates"]) for c in rec["curves"])
                facts = "; ".join(sorted({json.dumps(c["facts"]) for c in rec["curves"]}))
            else:
                sched, n, facts = rec["scheduler"], str(rec["total_updates"]), json.dumps(rec["facts"])
            rows.append(f"| `{rel}` | evaluated: `{dialect}/{gold.name}` | {rec['framework']} {rec['version']} | {n} | "
                        f"{facts.replace('|', '/')} | {sched.replace('|', '/')} |")
        else:
            reason = SKIPPED.get(rel, "NOT GENERATED (run the generator for this dialect)")
            rows.append(f"| `{rel}` | skipped | | | | {reason.replace('|', '/')} |")
    text = [
        "# Golden learning rates for real config files (`lrplot --from FILE`)",
        "",
        "Generated by `/work/fw/bin/python scripts/golden_from_configs.py [dialect ...]` (run from the repository",
        "root; its docstring says how each framework is stepped and which source it follows).  Never edit by hand.",
        "",
        "Each `<dialect>/<fixture file name>.json` holds: `fixture` (path under tests/fixtures/configs),",
        "`framework`, `version`, `scheduler` (what was built, in the framework's words), `stepping`, `facts`",
        "(lrplot flag -> the value chosen for a fact the file lacks), `total_updates` (N), `epochs` /",
        "`updates_per_epoch` when the file counts epochs, `notes`, and either `values` (N floats, N <= 20000)",
        "or `points` ([step, value] pairs at every boundary step +-1, every detected phase change +-1 and ~2000",
        "evenly spaced steps).  `values[t]` is the learning rate the optimizer uses for optimizer update t",
        "(0-based).  `timm/training-hparam-examples.md.json` holds several command lines: a `curves` list, each",
        "element with the keys above plus `label` (section heading) and `command`.",
        "",
        "| fixture | status | framework | N | facts | scheduler / reason |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    (OUT / "README.md").write_text("\n".join(text), encoding="utf-8")
    print(f"  wrote {(OUT / 'README.md').relative_to(ROOT)}")


DIALECTS: dict[str, Callable[[], None]] = {
    "hf": gen_hf,
    "timm": gen_timm,
    "deepspeed": gen_deepspeed,
    "mmengine": gen_mmengine,
    "detectron2": gen_detectron2,
    "torchtitan": gen_torchtitan,
    "composer": gen_composer,
    "olmo": gen_olmo,
    "fairseq": gen_fairseq,
    "espnet": gen_espnet,
    "paddle": gen_paddle,
    "paddledet": gen_paddledet,
    "megatron": gen_megatron,
}


def main(argv: Sequence[str]) -> int:
    chosen = list(argv) or list(DIALECTS)
    unknown = [d for d in chosen if d not in DIALECTS]
    if unknown:
        print(f"unknown dialect(s): {unknown}; choose from {list(DIALECTS)}", file=sys.stderr)
        return 2
    for d in chosen:
        print(f"[{d}]")
        DIALECTS[d]()
    write_readme()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
