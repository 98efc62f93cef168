"""Framework-only golden learning-rate values (no lrplot code involved).

Run from /work/main with the reference venv (never in CI):

    /work/fw/bin/python scripts/golden_frameworks.py                 # every framework
    /work/fw/bin/python scripts/golden_frameworks.py timm megatron   # only these

Each framework runs in its own fresh interpreter (``--inline NAME``) so that
global state (the torchvision stub on sys.path, paddle/torch coexistence,
torch RNG) cannot leak between them.  Output, one file per framework:

    tests/golden/frameworks/<framework>.json =
      {"framework", "version", "generated_by": "scripts/golden_frameworks.py",
       "cases": [{"id", "scheduler", "args", "stepping", "steps",
                  "steps_per_epoch"?, "lr": [...], "momentum"?: [...], "notes", ...}]}

Convention: ``lr[t]`` is the learning rate the optimizer USES for optimizer
update t (t = 0..steps-1), obtained by emulating the framework's own training
loop around the framework's own scheduler object (or, for fairseq and the
PaddleClas / detectron2 builders that cannot be imported, a faithful port of
their source, cited below).  For torch-style schedulers that is
``optimizer.param_groups[0]["lr"]`` read just before the t-th
``optimizer.step()``, i.e. ``get_last_lr()`` after t calls of ``step()``.
Values are Python floats (float64) exactly as the framework produced them.

Frameworks, versions (venv /work/fw, see /work/fw/VERSIONS.md) and the source
of each stepping convention:

* deepspeed 0.19.8 -- deepspeed/runtime/lr_schedules.py (WarmupLR,
  WarmupDecayLR, WarmupCosineLR, OneCycle, LRRangeTest).  Stepping:
  deepspeed/runtime/engine.py DeepSpeedEngine._take_model_step: after
  ``self.optimizer.step()`` and only if no fp16 overflow,
  ``self.lr_scheduler.step()``.  The scheduler is built in
  ``_configure_lr_scheduler`` (engine.py ~l.1883) and its constructor already
  writes ``get_lr()`` at last_batch_iteration=-1 into the optimizer.
* timm 1.0.31 -- timm/scheduler/*.py.  Stepping: timm train.py: the
  constructor sets the initial lr (warmup_lr_init when warmup_t>0, else the
  base lr; no noise); ``train_one_epoch`` calls
  ``lr_scheduler.step_update(num_updates=num_updates)`` after each optimizer
  update (num_updates already incremented) and the epoch loop calls
  ``lr_scheduler.step(epoch + 1)`` after each epoch.  ``step`` acts only when
  t_in_epochs=True, ``step_update`` only when t_in_epochs=False.
  create_scheduler_v2 in timm/scheduler/scheduler_factory.py.
* transformers 5.24.0 -- transformers/optimization.py get_scheduler and the
  get_*_schedule* functions (LambdaLR).  Stepping: Trainer inner loop,
  ``self.optimizer.step()`` then ``self.lr_scheduler.step()`` (skipped only
  when the accelerator skipped the optimizer step).
* mmengine 0.10.7 -- mmengine/optim/scheduler/param_scheduler.py.  The
  constructor calls ``self.step()`` once.  Stepping:
  mmengine/hooks/param_scheduler_hook.py ParamSchedulerHook.after_train_iter
  calls ``step()`` of every scheduler with by_epoch=False, in list order,
  after each iteration; after_train_epoch does the same for by_epoch=True.
  ``convert_to_iter_based`` is handled by
  mmengine/registry/build_functions.py build_scheduler_from_cfg with
  ``epoch_length=len(train_dataloader)`` (runner.py _build_param_scheduler).
* detectron2 (via fvcore 0.1.5.post20221221) -- detectron2 is not installable
  here; its WarmupParamScheduler and LRMultiplier are reconstructed below
  from detectron2/solver/lr_scheduler.py (the version with rescale_interval),
  build_lr_scheduler from detectron2/solver/build.py, and WarmupPolyLR from
  projects/DeepLab/deeplab/lr_scheduler.py + build_solver.py, on top of the
  real fvcore ParamSchedulers.  Stepping: detectron2/engine/hooks.py
  LRScheduler.after_step -> ``scheduler.step()`` after each iteration.
* fairseq 0.12.2 (source only, /work/fw/src/fairseq-0.12.2) -- ported below:
  optim/lr_scheduler/tri_stage_lr_scheduler.py, inverse_square_root_schedule.py,
  polynomial_decay_schedule.py, cosine_lr_scheduler.py.  The port is
  cross-checked at generation time against the ORIGINAL class bodies, executed
  from the source files with the fairseq/omegaconf imports stubbed.
  Stepping: fairseq/trainer.py: _build_optimizer calls
  ``lr_scheduler.step_update(0)``; begin_epoch -> lr_step_begin_epoch(epoch)
  -> step_begin_epoch(epoch) then step_update(num_updates); after each
  successful update set_num_updates(n+1) -> step_update(n+1); lr_step(epoch)
  at epoch end -> step(epoch) then step_update(num_updates).
* espnet 202511 -- espnet2/schedulers/*.py.  Stepping:
  espnet2/train/trainer.py train_one_epoch: after ``optimizer.step()``,
  ``if isinstance(scheduler, AbsBatchStepScheduler): scheduler.step()``.
* megatron-core 0.16.1 -- megatron/core/optimizer_param_scheduler.py.  The
  constructor calls ``self.step(0)``.  Stepping: Megatron-LM
  megatron/training/training.py train_step: if the update succeeded,
  ``increment = get_num_microbatches() * micro_batch_size *
  data_parallel_size; opt_param_scheduler.step(increment=increment)``;
  get_optimizer_param_scheduler scales *_iters by global_batch_size
  (iteration-based) or uses *_samples directly (sample-based, the only mode
  allowed with --rampup-batch-size); batch size ramp from
  megatron/core/num_microbatches_calculator.py.
* torchtitan 0.3.0 -- torchtitan/components/optimizer/lr_scheduler.py
  LRSchedulersContainer.Config.build (LambdaLR over
  linear_warmup_stable_decay).  Stepping: torchtitan/trainer.py train_step:
  ``self.optimizers.step()`` then ``self.lr_schedulers.step()``.
* composer 0.32.1 -- composer/optim/scheduler.py; compiled into a LambdaLR by
  compile_composer_scheduler.  Stepping: composer/trainer/trainer.py
  _train_loop: after the batch, ``scheduler.step()`` for every scheduler
  (step_schedulers_every_batch) and only THEN ``state.timestamp =
  state.timestamp.to_next_batch(...)``.
* OLMo (ai2-olmo) 0.6.0 -- olmo/optim.py.  Stepping: olmo/train.py fit():
  ``self.global_step += 1`` happens before ``train_step``, whose
  ``group["lr"] = self.scheduler.get_lr(lr, self.scheduler_current,
  self.scheduler_max)`` precedes ``self.optim.step()``.
* paddle 3.3.1 -- paddle/optimizer/lr.py.  value = ``scheduler()`` after t
  calls of ``scheduler.step()``.  PaddleClas builder
  ppcls/optimizer/learning_rate.py (LRBase version) is ported below; its
  engine (ppcls/engine/train/train.py) calls ``lr_sch.step()`` after each
  iteration unless ``lr_sch.by_epoch`` is True, then after each epoch.
* torch 2.13.0 -- torch.optim.lr_scheduler OneCycleLR / CyclicLR, momentum
  cycling: SGD ``momentum`` or Adam ``betas[0]``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "golden" / "frameworks"
STUBS = "/work/fw/stubs"
FW_SRC = "/work/fw/src"
GENERATED_BY = "scripts/golden_frameworks.py"

warnings.filterwarnings("ignore")


# ----------------------------------------------------------------- helpers


def f(x: Any) -> float:
    """A plain Python float (from float, numpy scalar or 0-d tensor)."""
    if hasattr(x, "item"):
        x = x.item()
    return float(x)


def jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def case(cid: str, scheduler: str, args: dict, stepping: str, lr: list, notes: str = "",
         steps_per_epoch: int | None = None, momentum: list | None = None, **extra: Any) -> dict:
    c: dict[str, Any] = {
        "id": cid,
        "scheduler": scheduler,
        "args": jsonable(args),
        "stepping": stepping,
        "steps": len(lr),
    }
    if steps_per_epoch is not None:
        c["steps_per_epoch"] = steps_per_epoch
    c["lr"] = [f(v) for v in lr]
    if momentum is not None:
        c["momentum"] = [f(v) for v in momentum]
    for k, v in extra.items():
        c[k] = jsonable(v)
    c["notes"] = notes
    for v in c["lr"]:
        assert math.isfinite(v), (cid, v)
    return c


def torch_param():
    import torch

    return torch.nn.Parameter(torch.zeros(2))


def make_opt(kind: str = "sgd", lr: float = 0.1):
    import torch

    p = torch_param()
    if kind == "sgd":
        return torch.optim.SGD([p], lr=lr, momentum=0.9)
    if kind == "adam":
        return torch.optim.Adam([p], lr=lr, betas=(0.9, 0.999))
    if kind == "adamw":
        return torch.optim.AdamW([p], lr=lr)
    raise ValueError(kind)


def group_momentum(opt) -> float | None:
    g = opt.param_groups[0]
    if "betas" in g:
        return f(g["betas"][0])
    if "momentum" in g:
        return f(g["momentum"])
    return None


def run_torch_style(opt, step_fn: Callable[[], None], n: int, record_momentum: bool = False):
    """lr (and momentum) in param_groups[0] before each optimizer.step(); after
    the step call step_fn() (the framework's scheduler step).  No step after
    the last recorded update."""
    lrs, moms = [], []
    for t in range(n):
        lrs.append(f(opt.param_groups[0]["lr"]))
        if record_momentum:
            moms.append(group_momentum(opt))
        if t < n - 1:
            opt.step()
            step_fn()
    return (lrs, moms) if record_momentum else lrs


def write(framework: str, version: str, cases: list[dict], extra: dict | None = None) -> Path:
    ids = [c["id"] for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate case ids: {sorted(dup)}"
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"framework": framework, "version": version, "generated_by": GENERATED_BY}
    if extra:
        doc.update(extra)
    doc["cases"] = cases
    path = OUT / f"{framework}.json"
    text = json.dumps(doc, indent=1)
    assert len(text) < 5_000_000, (framework, len(text))
    path.write_text(text + "\n")
    print(f"{framework} {version}: {len(cases)} cases -> {path.relative_to(ROOT)} ({len(text) // 1024} KiB)")
    return path


def args_str(d: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in d.items())


# =================================================================== DeepSpeed

DS_STEPPING = ("DeepSpeedEngine: scheduler constructed on the optimizer (its __init__ writes get_lr() at "
               "last_batch_iteration=-1), then after every optimizer.step() the engine calls "
               "lr_scheduler.step(); lr[t] = param_groups[0]['lr'] used by update t")

DS_WARMUP_NOTE = (
    "Why the first updates get warmup_min_lr (0 by default): the constructor (last_batch_iteration=-1) writes "
    "get_lr() = min_lrs into the optimizer, so update 0 uses warmup_min_lr; the engine's first step() after "
    "update 0 sets last_batch_iteration=0, where the log warmup gives log(0+1)/log(W)=0 and the linear warmup "
    "0/W=0, so update 1 uses warmup_min_lr again. In general lr[t] = f(t-1) for t>=1. "
    "warmup_num_steps is clamped to max(2, warmup_num_steps) and 0 raises ValueError.")


def gen_deepspeed():
    os.environ.setdefault("DS_ACCELERATOR", "cpu")
    import logging

    import deepspeed
    from deepspeed.runtime import lr_schedules as L

    logging.getLogger("DeepSpeed").setLevel(logging.ERROR)
    for name in ("deepspeed", "DeepSpeed"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cases = []

    def run(cls, kw, n, opt_kind="sgd", base_lr=0.1, mom=False):
        opt = make_opt(opt_kind, base_lr)
        s = getattr(L, cls)(opt, **kw)
        res = run_torch_style(opt, s.step, n, record_momentum=mom)
        return res

    # ---- WarmupLR
    for wtype in ("log", "linear"):
        for W, wmin, n in [(1, 0.0, 6), (2, 0.0, 6), (10, 0.0, 30), (10, 0.01, 30), (100, 0.0, 120),
                           (100, 0.001, 5), (1000, 0.0, 3), (5, 0.0, 1), (5, 0.0, 2)]:
            kw = dict(warmup_min_lr=wmin, warmup_max_lr=0.1, warmup_num_steps=W, warmup_type=wtype)
            cases.append(case(f"WarmupLR({args_str(kw)})/n={n}", "WarmupLR", kw, DS_STEPPING,
                              run("WarmupLR", kw, n), DS_WARMUP_NOTE, optimizer_lr=0.1))
    kw = dict(warmup_num_steps=10, warmup_type="linear")
    cases.append(case("WarmupLR(warmup_max_lr=None->optimizer lr 0.05)", "WarmupLR", kw, DS_STEPPING,
                      run("WarmupLR", kw, 20, base_lr=0.05),
                      DS_WARMUP_NOTE + " warmup_max_lr=None takes the optimizer's lr (0.05).", optimizer_lr=0.05))

    # ---- WarmupDecayLR
    for wtype in ("log", "linear"):
        for total, W, wmin, n in [(20, 1, 0.0, 25), (20, 5, 0.0, 25), (100, 10, 0.0, 110), (100, 10, 0.01, 110),
                                  (5, 10, 0.0, 15), (50, 10, 0.0, 3), (30, 30, 0.0, 35)]:
            kw = dict(total_num_steps=total, warmup_min_lr=wmin, warmup_max_lr=0.1, warmup_num_steps=W,
                      warmup_type=wtype)
            cases.append(case(f"WarmupDecayLR({args_str(kw)})/n={n}", "WarmupDecayLR", kw, DS_STEPPING,
                              run("WarmupDecayLR", kw, n),
                              DS_WARMUP_NOTE + " After warmup gamma = max(0,(total-it)/max(1,total-W)) with "
                              "it = t-1, so the lr reaches warmup_min_lr at update total+1 and stays there.",
                              optimizer_lr=0.1))

    # ---- WarmupCosineLR
    for wtype in ("log", "linear"):
        for total, W, wmr, cmr, n in [(50, 1, 0.0, 0.0001, 55), (50, 10, 0.0, 0.0001, 55), (100, 10, 0.1, 0.0, 105),
                                      (100, 10, 0.0, 0.1, 105), (100, 20, 0.05, 0.01, 3), (10, 20, 0.0, 0.0001, 25),
                                      (60, 2, 0.5, 0.2, 62)]:
            kw = dict(total_num_steps=total, warmup_min_ratio=wmr, warmup_num_steps=W, cos_min_ratio=cmr,
                      warmup_type=wtype)
            cases.append(case(f"WarmupCosineLR({args_str(kw)})/n={n}", "WarmupCosineLR", kw, DS_STEPPING,
                              run("WarmupCosineLR", kw, n),
                              "Optimizer lr 0.1 is the peak (org_lrs). The constructor writes 0.0 (NOT "
                              "warmup_min_ratio*lr: get_lr() returns 0.0 for last_batch_iteration<0), so update 0 "
                              "uses lr 0; update t>=1 uses ratio(t-1): warmup ratio = warmup_min_ratio + "
                              "(1-warmup_min_ratio)*w(t-1), w = log(it+1)/log(W) or it/W; cosine part uses "
                              "real_last_step = it-W+1 over max(1,total-W), clamped at 1 -> cos_min_ratio. "
                              "warmup_num_steps is clamped to >= 2.", optimizer_lr=0.1))

    # ---- OneCycle (lr and Adam betas[0] momentum)
    oc_variants = [
        dict(cycle_first_step_size=10),
        dict(cycle_first_step_size=5, cycle_second_step_size=15),
        dict(cycle_first_step_size=10, cycle_first_stair_count=3),
        dict(cycle_first_step_size=8, cycle_second_step_size=12, cycle_first_stair_count=2,
             cycle_second_stair_count=4),
        dict(cycle_first_step_size=10, decay_step_size=5, decay_lr_rate=0.5),
        dict(cycle_first_step_size=10, decay_step_size=5, decay_lr_rate=0.5, decay_mom_rate=0.1),
        dict(cycle_first_step_size=10, decay_step_size=0, decay_lr_rate=0.5, decay_mom_rate=0.1),
        dict(cycle_first_step_size=1),
        dict(cycle_first_step_size=3, cycle_second_step_size=0),
    ]
    for v in oc_variants:
        kw = dict(cycle_min_lr=0.01, cycle_max_lr=0.1, **v, cycle_momentum=True, cycle_min_mom=0.85,
                  cycle_max_mom=0.95)
        size = v["cycle_first_step_size"] + (v.get("cycle_second_step_size") if v.get("cycle_second_step_size")
                                             is not None else v["cycle_first_step_size"])
        n = int(size) + 20
        lr, mom = run("OneCycle", kw, n, opt_kind="adam", mom=True)
        cases.append(case(f"OneCycle({args_str(kw)})/adam", "OneCycle", kw, DS_STEPPING, lr,
                          "Adam optimizer; momentum = param_groups[0]['betas'][0] (OneCycle writes betas=(mom, 0.99)). "
                          "Constructor writes cycle_min_lr and betas=(cycle_min_mom,0.99) (update 0). step() at "
                          "iteration it uses scale from batch_iteration = it+1 (update t>=1 uses it=t-1, i.e. "
                          "position t in the cycle); after it >= total_size the decay phase uses "
                          "decay_batch_iteration = it-total_size+1: lr = cycle_min_lr/(1+decay_lr_rate*d/"
                          "decay_step_size) and mom = cycle_max_mom*(1+decay_mom_rate*d/decay_step_size); with "
                          "decay_step_size=0 (or decay rate 0) lr stays cycle_min_lr and momentum cycle_max_mom.",
                          momentum=mom))
    kw = dict(cycle_min_lr=0.01, cycle_max_lr=0.1, cycle_first_step_size=5, cycle_momentum=True)
    lr, mom = run("OneCycle", kw, 15, opt_kind="sgd", mom=True)
    cases.append(case("OneCycle(cycle_first_step_size=5)/sgd(momentum not cycled)", "OneCycle", kw, DS_STEPPING, lr,
                      "With torch SGD (no 'betas' in optimizer.defaults) DeepSpeed disables cycle_momentum with a "
                      "warning; SGD momentum stays 0.9.", momentum=mom))
    # ---- LRRangeTest
    for kw in (dict(lr_range_test_min_lr=0.001, lr_range_test_step_size=5, lr_range_test_step_rate=1.0,
                    lr_range_test_staircase=False),
               dict(lr_range_test_min_lr=0.001, lr_range_test_step_size=5, lr_range_test_step_rate=2.0,
                    lr_range_test_staircase=True)):
        cases.append(case(f"LRRangeTest({args_str(kw)})", "LRRangeTest", kw, DS_STEPPING,
                          run("LRRangeTest", kw, 30), "Constructor writes lr_range_test_min_lr."))
    for kw, n in ((dict(lr_range_test_min_lr=1e-5, lr_range_test_step_size=1, lr_range_test_step_rate=0.3), 40),
                  (dict(lr_range_test_min_lr=3e-4, lr_range_test_step_size=7, lr_range_test_step_rate=0.05,
                        lr_range_test_staircase=True), 100),
                  (dict(lr_range_test_min_lr=0.02, lr_range_test_step_size=3, lr_range_test_step_rate=10.0), 2),
                  (dict(lr_range_test_min_lr=0.02, lr_range_test_step_size=3, lr_range_test_staircase=True), 1),
                  (dict(), 30)):
        cases.append(case(f"LRRangeTest({args_str(kw)})/n={n}", "LRRangeTest", kw, DS_STEPPING,
                          run("LRRangeTest", kw, n), "Constructor writes lr_range_test_min_lr; update t uses "
                          "min_lr * (1 + step_rate * t / step_size), floored with staircase. Defaults: min_lr "
                          "1e-3, step_size 2000, step_rate 1.0."))
    return "deepspeed", deepspeed.__version__, cases


# ======================================================================== timm

TIMM_STEPPING_EPOCH = ("timm train.py: constructor sets the epoch-0 lr; after each epoch lr_scheduler.step(epoch+1); "
                       "step_update(num_updates) after each update is a no-op because t_in_epochs=True")
TIMM_STEPPING_UPDATE = ("timm train.py with t_in_epochs=False (--sched-on-updates): constructor sets the lr of update 0; "
                        "after update t (num_updates = t+1) lr_scheduler.step_update(num_updates=t+1); "
                        "lr_scheduler.step(epoch+1) at epoch ends is a no-op")


def timm_loop(sched, opt, epochs: int, k: int) -> list[float]:
    """Emulate timm train.py: per epoch, K updates each followed by
    step_update(num_updates); then step(epoch + 1)."""
    lrs = []
    num_updates = 0
    for epoch in range(epochs):
        for _ in range(k):
            lrs.append(f(opt.param_groups[0]["lr"]))
            opt.step()
            num_updates += 1
            sched.step_update(num_updates=num_updates)
        sched.step(epoch + 1)
    return lrs


def gen_timm():
    sys.path.insert(0, STUBS)
    import timm
    from timm.scheduler import (
        CosineLRScheduler,
        MultiStepLRScheduler,
        PolyLRScheduler,
        StepLRScheduler,
        TanhLRScheduler,
    )
    from timm.scheduler.scheduler_factory import create_scheduler_v2

    classes = dict(CosineLRScheduler=CosineLRScheduler, TanhLRScheduler=TanhLRScheduler,
                   StepLRScheduler=StepLRScheduler, MultiStepLRScheduler=MultiStepLRScheduler,
                   PolyLRScheduler=PolyLRScheduler)
    cases = []
    K = 4  # steps per epoch for the per-update expansion of per-epoch schedules

    variants = {
        "CosineLRScheduler": [
            dict(t_initial=20),
            dict(t_initial=20, lr_min=1e-3),
            dict(t_initial=20, warmup_t=3, warmup_lr_init=1e-4),
            dict(t_initial=20, warmup_t=3, warmup_lr_init=1e-4, warmup_prefix=True),
            dict(t_initial=20, warmup_t=1, warmup_lr_init=0.0),
            dict(t_initial=20, warmup_t=1, warmup_lr_init=0.0, warmup_prefix=True),
            dict(t_initial=10, cycle_limit=3),
            dict(t_initial=10, cycle_limit=3, cycle_decay=0.5, lr_min=1e-3),
            dict(t_initial=5, cycle_mul=2.0, cycle_limit=3, cycle_decay=0.5),
            dict(t_initial=5, cycle_mul=1.5, cycle_limit=4, warmup_t=2, warmup_lr_init=1e-3, warmup_prefix=True),
            dict(t_initial=20, k_decay=2.0),
            dict(t_initial=20, k_decay=0.5, lr_min=1e-3),
            dict(t_initial=1),
            dict(t_initial=20, warmup_t=30, warmup_lr_init=1e-4),
            dict(t_initial=20, noise_range_t=5, noise_pct=0.67, noise_std=1.0, noise_seed=42),
            dict(t_initial=20, noise_range_t=[4, 12], noise_pct=0.2, noise_std=0.5, noise_seed=7),
            dict(t_initial=20, noise_range_t=0, noise_pct=0.1, noise_std=1.0, noise_seed=3),
            # Cycles that start and last between scheduler steps (cycle_mul not whole), with noise.
            dict(t_initial=4, cycle_mul=1.5, cycle_limit=5, cycle_decay=0.7, lr_min=1e-3),
            dict(t_initial=3, cycle_mul=1.3, cycle_limit=10, noise_range_t=[2, 20], noise_pct=0.5, noise_seed=3),
            dict(t_initial=5, cycle_mul=1.7, cycle_limit=4, k_decay=2.0, warmup_t=3, warmup_lr_init=1e-4),
            dict(t_initial=10, cycle_limit=3, cycle_decay=0.5, noise_range_t=4, noise_std=0.5, noise_seed=11),
        ],
        "TanhLRScheduler": [
            dict(t_initial=20),
            dict(t_initial=20, lb=-6.0, ub=4.0, lr_min=1e-3),
            dict(t_initial=20, warmup_t=3, warmup_lr_init=1e-4),
            dict(t_initial=20, warmup_t=3, warmup_lr_init=1e-4, warmup_prefix=True),
            dict(t_initial=8, cycle_limit=3, cycle_decay=0.5),
            dict(t_initial=5, cycle_mul=2.0, cycle_limit=3),
            dict(t_initial=20, noise_range_t=[5, 15], noise_pct=0.3, noise_std=1.0, noise_seed=1),
            dict(t_initial=4, cycle_mul=1.5, cycle_limit=4, warmup_t=2, warmup_lr_init=1e-3),
            dict(t_initial=4, cycle_mul=1.5, cycle_limit=4, warmup_t=2, warmup_lr_init=1e-3, warmup_prefix=True,
                 noise_range_t=[3, 12], noise_seed=5),
        ],
        "StepLRScheduler": [
            dict(decay_t=3, decay_rate=0.5),
            dict(decay_t=2.4, decay_rate=0.97),
            dict(decay_t=2.4, decay_rate=0.5, warmup_t=3, warmup_lr_init=1e-3),
            dict(decay_t=2.4, decay_rate=0.5, warmup_t=3, warmup_lr_init=1e-3, warmup_prefix=False),
            dict(decay_t=1, decay_rate=0.9, warmup_t=1, warmup_lr_init=0.0),
            dict(decay_t=5, decay_rate=0.1, noise_range_t=[3, 10], noise_pct=0.67, noise_std=1.0, noise_seed=42),
        ],
        "MultiStepLRScheduler": [
            dict(decay_t=[5, 10], decay_rate=0.1),
            dict(decay_t=[1, 3, 7], decay_rate=0.5),
            dict(decay_t=[5, 10], decay_rate=0.1, warmup_t=3, warmup_lr_init=1e-3),
            dict(decay_t=[5, 10], decay_rate=0.1, warmup_t=3, warmup_lr_init=1e-3, warmup_prefix=False),
            dict(decay_t=[0, 4], decay_rate=0.5),
            # Milestones that apply at the first step after a warmup prefix.
            dict(decay_t=[1, 4], decay_rate=0.5, warmup_t=2, warmup_lr_init=1e-3, warmup_prefix=True),
            dict(decay_t=[0, 1, 1, 6], decay_rate=0.7, warmup_t=1, warmup_lr_init=0.0, warmup_prefix=True),
        ],
        "PolyLRScheduler": [
            dict(t_initial=20),
            dict(t_initial=20, power=2.0, lr_min=1e-3),
            dict(t_initial=20, power=1.0, warmup_t=3, warmup_lr_init=1e-4),
            dict(t_initial=20, power=1.0, warmup_t=3, warmup_lr_init=1e-4, warmup_prefix=True),
            dict(t_initial=8, power=0.9, cycle_limit=3, cycle_decay=0.5),
            dict(t_initial=5, power=1.0, cycle_mul=2.0, cycle_limit=3),
            dict(t_initial=20, power=1.0, k_decay=2.0),
            dict(t_initial=4, power=0.9, cycle_mul=1.25, cycle_limit=6, cycle_decay=0.5, lr_min=1e-4),
            dict(t_initial=6, power=1.0, cycle_limit=3, noise_range_t=3, noise_seed=9),
        ],
    }
    base_note = ("warmup: lr = warmup_lr_init + t*(base-warmup_lr_init)/warmup_t for t < warmup_t; with "
                 "warmup_prefix=False the decay clock is NOT shifted (t counts from 0, so the warmup overlays "
                 "the start of the decay), with warmup_prefix=True t -> t - warmup_t. Noise: "
                 "lr*(1+noise) with noise drawn from torch.Generator seeded noise_seed+t (normal, resampled "
                 "until |noise| < noise_pct, times noise_std) when t in noise_range_t; never applied to the "
                 "constructor's value.")
    for cls, vs in variants.items():
        for kw in vs:
            for t_in_epochs in (True, False):
                full = dict(kw, t_in_epochs=t_in_epochs)
                opt = make_opt("sgd", 0.1)
                s = classes[cls](opt, **full)
                if t_in_epochs:
                    epochs = 30
                    lrs = timm_loop(s, opt, epochs, K)
                    per_epoch = lrs[::K]
                    extra_note = ""
                    if cls == "StepLRScheduler" and isinstance(kw.get("decay_t"), float):
                        extra_note = (" decay_t fractional: lr = base*decay_rate**(t // decay_t) with float "
                                      "floor division (2.4 -> decays at t=3,5,8,10,...).")
                    if cls == "MultiStepLRScheduler":
                        extra_note = (" timm MultiStep: decays = bisect_right(decay_t, t+1), i.e. milestone m "
                                      "applies from t = m-1 (one epoch EARLIER than torch MultiStepLR).")
                    cases.append(case(f"{cls}({args_str(full)})", cls, full, TIMM_STEPPING_EPOCH, lrs,
                                      base_note + extra_note, steps_per_epoch=K, lr_per_epoch=per_epoch,
                                      epochs=epochs, optimizer_lr=0.1))
                else:
                    n = 60
                    lrs = timm_loop(s, opt, n // K, K)
                    cases.append(case(f"{cls}({args_str(full)})", cls, full, TIMM_STEPPING_UPDATE, lrs, base_note,
                                      steps_per_epoch=K, optimizer_lr=0.1))

    # Cycles that shrink (cycle_mul < 1), per epoch, over runs that end before timm's math.log fails.
    shrinking = [
        ("CosineLRScheduler", dict(t_initial=20, cycle_mul=0.5, cycle_limit=3, lr_min=1e-3)),
        ("CosineLRScheduler", dict(t_initial=12, cycle_mul=0.7, cycle_limit=5, warmup_t=2, warmup_lr_init=1e-4,
                                   warmup_prefix=True)),
        ("PolyLRScheduler", dict(t_initial=30, power=1.0, cycle_mul=0.6, cycle_limit=4, cycle_decay=0.5)),
        ("TanhLRScheduler", dict(t_initial=25, cycle_mul=0.8, cycle_limit=3, warmup_t=3, warmup_lr_init=1e-3)),
    ]
    for cls, kw in shrinking:
        full = dict(kw, t_in_epochs=True)
        opt = make_opt("sgd", 0.1)
        lrs = timm_loop(classes[cls](opt, **full), opt, 30, K)
        cases.append(case(f"{cls}({args_str(full)})", cls, full, TIMM_STEPPING_EPOCH, lrs,
                          base_note + " Cycles that shrink: timm's math.log fails past t_initial / (1 - cycle_mul).",
                          steps_per_epoch=K, lr_per_epoch=lrs[::K], epochs=30, optimizer_lr=0.1))

    # create_scheduler_v2 (what train.py uses), per-epoch and per-update
    v2 = [
        dict(sched="cosine", num_epochs=20, min_lr=1e-5, warmup_lr=1e-4, warmup_epochs=3),
        dict(sched="cosine", num_epochs=20, min_lr=1e-5, warmup_lr=1e-4, warmup_epochs=3, warmup_prefix=True,
             cooldown_epochs=5),
        dict(sched="cosine", num_epochs=10, min_lr=1e-5, warmup_epochs=0, cooldown_epochs=3, cycle_limit=2),
        dict(sched="cosine", num_epochs=10, cycle_mul=2.0, cycle_limit=2, cooldown_epochs=2),
        dict(sched="cosine", num_epochs=10, cycle_limit=3, cycle_decay=0.5),
        dict(sched="tanh", num_epochs=20, warmup_epochs=2, cooldown_epochs=4),
        dict(sched="poly", num_epochs=20, decay_rate=0.5, warmup_epochs=2, cooldown_epochs=4, min_lr=1e-4),
        dict(sched="step", num_epochs=20, decay_epochs=2.4, decay_rate=0.97, warmup_epochs=3, warmup_lr=1e-6),
        dict(sched="step", num_epochs=20, decay_epochs=2.4, decay_rate=0.97, warmup_epochs=3, warmup_prefix=True,
             cooldown_epochs=5),
        dict(sched="multistep", num_epochs=20, decay_milestones=[5, 12], decay_rate=0.1, warmup_epochs=2),
        dict(sched="cosine", num_epochs=20, noise=[0.25, 0.75], noise_pct=0.67, noise_std=1.0, noise_seed=42),
        dict(sched="cosine", num_epochs=20, noise=0.5, noise_pct=0.2, noise_std=0.5, noise_seed=0),
        dict(sched="cosine", num_epochs=20, noise=[0.5], noise_pct=0.3, noise_std=1.0, noise_seed=5),
        dict(sched="cosine", num_epochs=6, cycle_mul=1.5, cycle_limit=3, warmup_epochs=1, noise=[0.3, 0.9]),
        dict(sched="poly", num_epochs=5, cycle_mul=1.5, cycle_limit=2, decay_rate=0.5, min_lr=1e-4),
    ]
    for kw in v2:
        for step_on_epochs in (True, False):
            full = dict(kw, step_on_epochs=step_on_epochs)
            if not step_on_epochs:
                full["updates_per_epoch"] = K
            opt = make_opt("sgd", 0.1)
            s, num_epochs = create_scheduler_v2(opt, **full)
            lrs = timm_loop(s, opt, num_epochs, K)
            stepping = TIMM_STEPPING_EPOCH if step_on_epochs else TIMM_STEPPING_UPDATE
            extra = dict(lr_per_epoch=lrs[::K]) if step_on_epochs else {}
            cases.append(case(f"create_scheduler_v2({args_str(full)})", f"create_scheduler_v2->{type(s).__name__}",
                              full, stepping, lrs,
                              "Run for the num_epochs returned by create_scheduler_v2 (get_cycle_length() + "
                              "cooldown for cosine/tanh/poly: cycles*num_epochs (+warmup if warmup_prefix) + "
                              "cooldown_epochs; for step/multistep num_epochs (+warmup_epochs if warmup_prefix), "
                              "cooldown ignored). Cooldown epochs just keep the scheduler past its cycles "
                              "(lr_min). create_scheduler_v2 defaults: cycle_decay=0.1 (class default 1.0), "
                              "warmup_lr=1e-5. noise fractions are multiplied by t_initial (in updates when "
                              "step_on_epochs=False). With step_on_epochs=False every epoch-valued argument is "
                              "multiplied by updates_per_epoch.",
                              steps_per_epoch=K, num_epochs_returned=num_epochs,
                              scheduler_attrs={a: getattr(s, a) for a in ("t_initial", "warmup_t", "decay_t",
                                                                          "noise_range_t", "cycle_decay",
                                                                          "lr_min") if hasattr(s, a)},
                              optimizer_lr=0.1, **extra))
    return "timm", timm.__version__, cases


# ================================================================ transformers

HF_STEPPING = ("transformers Trainer: optimizer.step() then lr_scheduler.step() per update; lr[t] = "
               "get_last_lr()[0] after t step() calls (= LambdaLR factor(t) * base lr)")


def gen_transformers():
    import transformers
    from transformers import get_scheduler

    cases = []
    base = 0.1
    T = 100

    def add(name, nw, nt, kw, n, note=""):
        opt = make_opt("adamw", base)
        s = get_scheduler(name, opt, num_warmup_steps=nw, num_training_steps=nt, scheduler_specific_kwargs=kw or None)
        lrs = run_torch_style(opt, s.step, n)
        args = dict(name=name, num_warmup_steps=nw, num_training_steps=nt, scheduler_specific_kwargs=kw or {})
        fn = transformers.optimization.TYPE_TO_SCHEDULER_FUNCTION[transformers.SchedulerType(name)].__name__
        cases.append(case(f"get_scheduler({args_str(args)})/n={n}", f"get_scheduler->{fn}", args, HF_STEPPING, lrs,
                          note, optimizer_lr=base))

    for nw in (0, 1, 10):
        add("linear", nw, T, None, T + 5, "factor = t/max(1,W) in warmup, then max(0,(T-t)/max(1,T-W)).")
        add("constant_with_warmup", nw, None, None, 30, "factor = t/max(1,W) for t<W else 1.")
    add("linear", 10, T, None, 3, "short run")
    add("linear", 10, T, None, 1, "single step: update 0 uses factor 0")
    add("linear", 200, T, None, 20, "run shorter than warmup; warmup longer than training")
    add("linear", 5, 5, None, 8, "W == T: after warmup max(0,(T-t)/max(1,0))")
    add("constant", None, None, None, 5)
    for nc in (0.5, 1, 2.3):
        for nw in (0, 10):
            add("cosine", nw, T, dict(num_cycles=nc), T + 5,
                "factor = max(0, 0.5*(1+cos(pi*num_cycles*2*progress))), progress=(t-W)/max(1,T-W); not clamped "
                "at progress>1 except by max(0,.)")
    add("cosine", 10, T, None, 2)
    for nc in (1, 3):
        for nw in (0, 10):
            add("cosine_with_restarts", nw, T, dict(num_cycles=nc), T + 5,
                "hard restarts: 0 once progress >= 1; factor = 0.5*(1+cos(pi*((num_cycles*progress) % 1))).")
    for kw in (dict(min_lr=1e-3), dict(min_lr_rate=0.1), dict(min_lr_rate=0.1, num_cycles=1.0)):
        for nw in (0, 10):
            add("cosine_with_min_lr", nw, T, kw, T + 5,
                "min_lr is turned into min_lr_rate = min_lr / optimizer lr; factor = max(0, cos part) * "
                "(1-min_lr_rate) + min_lr_rate.")
    for kw in (dict(min_lr_rate=0.1), dict(min_lr_rate=0.1, warmup_lr_rate=0.01), dict(min_lr=1e-3)):
        add("cosine_warmup_with_min_lr", 10, T, kw, T + 5,
            "get_cosine_with_min_lr_schedule_with_warmup_lr_rate: a +1 step convention: warmup factor (t+1)/W "
            "(warmup_lr_rate None) or warmup_lr_rate + (1-warmup_lr_rate)*t/max(1,W-1), so update W-1 reaches 1.0; "
            "progress = (t - W + 1)/max(1, T-W), so update W already decays and update T-1 reaches min_lr_rate.")
    for kw in (dict(power=1.0, lr_end=1e-7), dict(power=2.0, lr_end=1e-3), dict(power=0.5, lr_end=0.0)):
        for nw in (0, 10):
            add("polynomial", nw, T, kw, T + 5,
                "lr_init = optimizer lr; t > T -> lr_end; else (lr_init-lr_end)*(1-(t-W)/(T-W))**power + lr_end.")
    for kw in (dict(), dict(timescale=5)):
        for nw in (0, 1, 10):
            add("inverse_sqrt", nw, None, kw, 60,
                "timescale defaults to num_warmup_steps, or 10_000 when W=0; factor = t/max(1,W) for t < W, else "
                "1/sqrt((t + timescale - W)/timescale).")
    for wt in ("linear", "cosine", "1-sqrt"):
        for dt in ("linear", "cosine", "1-sqrt"):
            for mr in (0.0, 0.1):
                add("warmup_stable_decay", 10, None,
                    dict(num_stable_steps=50, num_decay_steps=40, warmup_type=wt, decay_type=dt, min_lr_ratio=mr),
                    105, "warmup starts at min_lr_ratio: factor*(1-min_lr_ratio)+min_lr_ratio; after "
                         "W+S+D steps the factor is min_lr_ratio.")
    add("warmup_stable_decay", 10, T, dict(num_decay_steps=20), T + 5,
        "num_stable_steps derived as num_training_steps - W - num_decay_steps")
    add("warmup_stable_decay", 0, None, dict(num_stable_steps=10, num_decay_steps=10, num_cycles=1.0), 25,
        "decay_type cosine with num_cycles=1.0 (full wave back up)")
    add("warmup_stable_decay", 1, None, dict(num_stable_steps=0, num_decay_steps=5, decay_type="linear"), 8,
        "warmup 1, no stable phase")
    # Cycles between steps: WSD's cosine with num_cycles, hard restarts that start between steps.
    for nc in (1.5, 0.8, 3.0):
        add("warmup_stable_decay", 7, T, dict(num_decay_steps=37, num_cycles=nc, min_lr_ratio=0.1,
                                              warmup_type="1-sqrt"), T + 5,
            "decay_type cosine with num_cycles: 0.5*(1+cos(pi*num_cycles*2*progress)) during the decay, "
            "min_lr_ratio after it")
    add("warmup_stable_decay", 3, None, dict(num_stable_steps=4, num_decay_steps=9, num_cycles=2.0,
                                             warmup_type="cosine"), 30, "the run goes on past W+S+D: min_lr_ratio")
    for nc, nw, nt in ((3, 0, 100), (3, 7, 100), (2.5, 0, 100), (0.7, 4, 50), (7, 3, 40), (4, 0, 10)):
        add("cosine_with_restarts", nw, nt, dict(num_cycles=nc), nt + 3,
            "hard restarts whose cycles start between steps: (num_cycles*progress) % 1")
    for nw in (1, 2, 3):
        add("cosine_warmup_with_min_lr", nw, 20, dict(min_lr_rate=0.05, warmup_lr_rate=0.2), 25,
            "warmup_lr_rate over short warmups: max(1, W-1) in the ramp's denominator")
    return "transformers", transformers.__version__, cases


# ================================================================= torchtitan

def gen_torchtitan():
    import importlib.metadata

    from torchtitan.components.optimizer.lr_scheduler import LRSchedulersContainer

    cases = []
    stepping = ("torchtitan trainer.train_step: optimizers.step() then lr_schedulers.step() (LambdaLR); "
                "lr[t] = base * linear_warmup_stable_decay(t)")
    note = ("Factor: warmup (t < warmup_steps) uses (t+1)/warmup_steps (0-indexed step, '+1'), so update 0 "
            "already has 1/warmup_steps and update warmup_steps-1 has 1.0; decay uses progress = "
            "(t+1 - warmup - stable)/decay_steps with stable = total + 1 - warmup - decay ('virtual last step'), "
            "so the last update t = total-1 has progress (decay-1)/decay and never reaches 0 (min_lr_factor); "
            "decay_steps = round(total*decay_ratio) (Python banker's rounding) or total - warmup; warmup > total is "
            "clamped to total; past total_steps nothing clamps progress, so e.g. the linear factor goes below "
            "min_lr_factor and negative (recorded as computed).")
    base = 0.1
    grid = []
    for total in (20, 100):
        for W in (0, 1, 5):
            for dr in (None, 0.2, 0.5):
                for dt in ("linear", "sqrt", "cosine"):
                    for mf in (0.0, 0.1):
                        grid.append(dict(warmup_steps=W, decay_ratio=dr, decay_type=dt, min_lr_factor=mf,
                                         total_steps=total))
    grid += [
        dict(warmup_steps=10, decay_ratio=0.5, decay_type="linear", min_lr_factor=0.0, total_steps=25),  # 12.5 -> 12
        dict(warmup_steps=10, decay_ratio=0.3, decay_type="linear", min_lr_factor=0.0, total_steps=25),  # 7.5 -> 8
        dict(warmup_steps=30, decay_ratio=None, decay_type="linear", min_lr_factor=0.0, total_steps=20),
        dict(warmup_steps=15, decay_ratio=0.5, decay_type="cosine", min_lr_factor=0.0, total_steps=20),
        dict(warmup_steps=2, decay_ratio=None, decay_type="linear", min_lr_factor=0.0, total_steps=3),
        dict(warmup_steps=0, decay_ratio=None, decay_type="linear", min_lr_factor=0.0, total_steps=1),
        dict(warmup_steps=1, decay_ratio=None, decay_type="cosine", min_lr_factor=0.0, total_steps=2),
    ]
    for kw in grid:
        total = kw["total_steps"]
        for n in sorted({total, total + 3} if total >= 20 else {total}):
            opt = make_opt("adamw", base)
            cfg = LRSchedulersContainer.Config(**kw)
            cont = cfg.build(optimizers=[opt], training_steps=total)
            lrs, err = [], ""
            try:
                lrs = run_torch_style(opt, cont.step, n)
            except AssertionError as e:
                # record what ran: re-run step by step up to the failure
                opt = make_opt("adamw", base)
                cont = cfg.build(optimizers=[opt], training_steps=total)
                lrs = []
                try:
                    for t in range(n):
                        lrs.append(f(opt.param_groups[0]["lr"]))
                        if t < n - 1:
                            opt.step()
                            cont.step()
                except AssertionError:
                    err = (f" Stepping to update {len(lrs)} raises AssertionError('{e}'): the lr for update "
                           f"{len(lrs)} cannot be computed, so only {len(lrs)} values are recorded.")
            lam = cont.schedulers[0].lr_lambdas[0]
            cases.append(case(f"LRSchedulersContainer.Config({args_str(kw)})/n={n}",
                              "LRSchedulersContainer(linear_warmup_stable_decay)", kw, stepping, lrs, note + err,
                              optimizer_lr=base, training_steps=total,
                              resolved=dict(warmup_steps=lam.keywords["warmup_steps"],
                                            stable_steps=lam.keywords["stable_steps"],
                                            decay_steps=lam.keywords["decay_steps"])))
    return "torchtitan", importlib.metadata.version("torchtitan"), cases


# ====================================================================== torch

def gen_torch():
    import torch
    from torch.optim.lr_scheduler import CyclicLR, OneCycleLR

    cases = []
    stepping = ("optimizer.step() then scheduler.step() per update; lr[t], momentum[t] = param_groups[0] "
                "'lr' and 'momentum' (SGD) or 'betas'[0] (Adam) used by update t")
    for kind in ("sgd", "adam"):
        for kw in (dict(max_lr=0.1, total_steps=50),
                   dict(max_lr=0.1, total_steps=50, pct_start=0.25, anneal_strategy="linear", base_momentum=0.8,
                        max_momentum=0.95, div_factor=10.0, final_div_factor=100.0),
                   dict(max_lr=0.1, total_steps=60, three_phase=True, base_momentum=0.85, max_momentum=0.95),
                   dict(max_lr=0.1, total_steps=3),
                   dict(max_lr=0.1, epochs=5, steps_per_epoch=7, cycle_momentum=True),
                   dict(max_lr=0.1, total_steps=40, cycle_momentum=False)):
            opt = make_opt(kind, 0.1)
            s = OneCycleLR(opt, **kw)
            n = kw.get("total_steps") or kw["epochs"] * kw["steps_per_epoch"]
            lrs, moms = run_torch_style(opt, s.step, n, record_momentum=True)
            cases.append(case(f"OneCycleLR({args_str(kw)})/{kind}", "OneCycleLR", kw, stepping, lrs,
                              "OneCycleLR overwrites the optimizer lr with max_lr/div_factor at construction and "
                              "momentum with max_momentum (cycle_momentum=True); total_steps updates are allowed "
                              "(stepping past total_steps raises).", momentum=moms,
                              optimizer=("SGD(lr=0.1, momentum=0.9)" if kind == "sgd" else
                                         "Adam(lr=0.1, betas=(0.9, 0.999))")))
    for kind in ("sgd", "adam"):
        for kw in (dict(base_lr=0.01, max_lr=0.1, step_size_up=5),
                   dict(base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=8, mode="triangular2",
                        base_momentum=0.8, max_momentum=0.9),
                   dict(base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.95),
                   dict(base_lr=0.01, max_lr=0.1, step_size_up=5, cycle_momentum=False),
                   dict(base_lr=0.01, max_lr=0.1, step_size_up=5, scale_mode="iterations", mode="exp_range",
                        gamma=0.99)):
            opt = make_opt(kind, 0.1)
            s = CyclicLR(opt, **kw)
            lrs, moms = run_torch_style(opt, s.step, 40, record_momentum=True)
            cases.append(case(f"CyclicLR({args_str(kw)})/{kind}", "CyclicLR", kw, stepping, lrs,
                              "CyclicLR sets lr=base_lr and (cycle_momentum) momentum=max_momentum at "
                              "construction; momentum moves opposite to lr. Adam: betas[0] is cycled.",
                              momentum=moms,
                              optimizer=("SGD(lr=0.1, momentum=0.9)" if kind == "sgd" else
                                         "Adam(lr=0.1, betas=(0.9, 0.999))")))
    return "torch", torch.__version__, cases


# =================================================================== MMEngine

MM_STEPPING = ("MMEngine runner: schedulers built in list order (each __init__ calls step() once); "
               "ParamSchedulerHook.after_train_iter calls step() of every by_epoch=False scheduler in list order "
               "after each iteration, after_train_epoch calls step() of every by_epoch=True scheduler; lr[t] = "
               "param_groups[0]['lr'] used by iteration t")


def mm_quadratic_warmup_classes():
    """mmdet's QuadraticWarmupLR, reconstructed verbatim (logic) from
    open-mmlab/mmdetection mmdet/engine/schedulers/quadratic_warmup.py on top
    of the real mmengine base classes (mmdet itself needs mmcv, not installed)."""
    from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
    from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler
    from mmengine.registry import PARAM_SCHEDULERS

    class QuadraticWarmupParamScheduler(_ParamScheduler):
        def __init__(self, optimizer, param_name, begin=0, end=INF, last_step=-1, by_epoch=True, verbose=False):
            if end >= INF:
                raise ValueError("``end`` must be less than infinity")
            self.total_iters = end - begin
            super().__init__(optimizer=optimizer, param_name=param_name, begin=begin, end=end,
                             last_step=last_step, by_epoch=by_epoch, verbose=verbose)

        @classmethod
        def build_iter_from_epoch(cls, *args, begin=0, end=INF, by_epoch=True, epoch_length=None, **kwargs):
            assert by_epoch
            assert epoch_length is not None and epoch_length > 0
            by_epoch = False
            begin = begin * epoch_length
            if end != INF:
                end = end * epoch_length
            return cls(*args, begin=begin, end=end, by_epoch=by_epoch, **kwargs)

        def _get_value(self):
            if self.last_step == 0:
                return [base_value * (2 * self.last_step + 1) / self.total_iters ** 2
                        for base_value in self.base_values]
            return [group[self.param_name] + base_value * (2 * self.last_step + 1) / self.total_iters ** 2
                    for base_value, group in zip(self.base_values, self.optimizer.param_groups)]

    class QuadraticWarmupLR(LRSchedulerMixin, QuadraticWarmupParamScheduler):
        pass

    if "QuadraticWarmupLR" not in PARAM_SCHEDULERS.module_dict:
        PARAM_SCHEDULERS.register_module(name="QuadraticWarmupLR", module=QuadraticWarmupLR)
    return QuadraticWarmupLR


def mmengine_runner(cfgs, epochs, k, epoch_length=None, lr=0.1, opt=None, read=None):
    """The lr of each iteration as MMEngine's Runner steps a ``param_scheduler``
    list over ``epochs`` epochs of ``k`` iterations (ParamSchedulerHook: the
    iteration schedulers after every iteration, the epoch ones after every
    epoch, in list order); ``epoch_length`` for convert_to_iter_based. Also
    returns the built schedulers. ``opt``: another optimizer than SGD at
    ``lr``; ``read``: what to record of its first group instead of the lr."""
    from mmengine.registry import PARAM_SCHEDULERS

    opt = make_opt("sgd", lr) if opt is None else opt
    read = read or (lambda group: group["lr"])
    scheds = []
    for c in cfgs:
        default = dict(optimizer=opt)
        if epoch_length is not None:
            default["epoch_length"] = epoch_length
        scheds.append(PARAM_SCHEDULERS.build(dict(c), default_args=default))
    lrs = []
    for _epoch in range(epochs):
        for _i in range(k):
            lrs.append(f(read(opt.param_groups[0])))
            opt.step()
            for s_ in scheds:
                if not s_.by_epoch:
                    s_.step()
        for s_ in scheds:
            if s_.by_epoch:
                s_.step()
    return lrs, scheds


def gen_mmengine():
    import mmengine
    import mmengine.optim  # noqa: F401  (registers the schedulers)

    mm_quadratic_warmup_classes()
    cases = []
    base = 0.1

    def run(cfgs, epochs, k, epoch_length=None):
        return mmengine_runner(cfgs, epochs, k, epoch_length, base)

    def add(cid, cfgs, n, note="", epochs=None, k=None, epoch_length=None):
        if epochs is None:
            lrs, scheds = run(cfgs, 1, n)
            extra = {}
        else:
            lrs, scheds = run(cfgs, epochs, k, epoch_length)
            extra = dict(steps_per_epoch=k, epochs=epochs)
            if any(s_.by_epoch for s_ in scheds):
                extra["lr_per_epoch"] = lrs[::k]
        resolved = [dict(type=type(s_).__name__, begin=s_.begin, end=(None if s_.end >= 1e9 else s_.end),
                         by_epoch=s_.by_epoch,
                         **{a: getattr(s_, a) for a in ("T_max", "total_iters", "milestones", "periods")
                            if hasattr(s_, a) and not callable(getattr(s_, a))})
                    for s_ in scheds]
        for r in resolved:
            if "milestones" in r:
                r["milestones"] = dict(r["milestones"])
        cases.append(case(cid, "+".join(c["type"] for c in cfgs), dict(param_scheduler=cfgs), MM_STEPPING, lrs,
                          note + " Chainable (recursive) forms: each _get_value() updates the CURRENT group lr, so "
                                 "schedulers whose windows overlap compose multiplicatively.",
                          optimizer_lr=base, resolved=resolved, **extra))

    it = dict(by_epoch=False)
    singles = [
        ("PolyLR", dict(eta_min=0.0, power=1.0, begin=0, end=50), 60),
        ("PolyLR", dict(eta_min=1e-3, power=2.0, begin=0, end=50), 60),
        ("PolyLR", dict(eta_min=0.0, power=0.9, begin=0, end=20), 25),
        ("PolyLR", dict(eta_min=1e-4, power=1.0, begin=10, end=30), 35),
        ("CosineRestartLR", dict(periods=[10, 20], restart_weights=[1, 0.5], eta_min=0.0), 40),
        ("CosineRestartLR", dict(periods=[10, 20], restart_weights=[1, 0.5], eta_min_ratio=0.01), 40),
        ("CosineRestartLR", dict(periods=[5, 5, 5], restart_weights=[1, 1, 1], eta_min=1e-3), 20),
        ("CosineRestartLR", dict(periods=[1, 3], restart_weights=[1, 0.8], eta_min=0.0), 6),
        ("CosineAnnealingLR", dict(T_max=50, eta_min=0.0), 60),
        ("CosineAnnealingLR", dict(T_max=50, eta_min_ratio=0.1), 60),
        ("CosineAnnealingLR", dict(begin=0, end=30, eta_min=1e-3), 35),
        ("CosineAnnealingLR", dict(T_max=10, eta_min=0.0), 45),
        ("LinearLR", dict(start_factor=0.1, end_factor=1.0, begin=0, end=10), 15),
        ("LinearLR", dict(start_factor=1.0, end_factor=0.0, begin=0, end=20), 25),
        ("LinearLR", dict(start_factor=0.001, begin=0, end=1), 4),
        ("MultiStepLR", dict(milestones=[10, 20], gamma=0.1), 30),
        ("MultiStepLR", dict(milestones=[1, 2, 2], gamma=0.5), 5),
        ("StepLR", dict(step_size=7, gamma=0.5), 30),
        ("ExponentialLR", dict(gamma=0.95), 30),
        ("ConstantLR", dict(factor=0.5, begin=0, end=10), 15),
        ("QuadraticWarmupLR", dict(begin=0, end=10), 15),
        ("QuadraticWarmupLR", dict(begin=0, end=1), 3),
        ("OneCycleLR", dict(eta_max=0.1, total_steps=50), 50),
    ]
    for typ, kw, n in singles:
        cfg = dict(type=typ, **kw, **it)
        note = ""
        if typ == "QuadraticWarmupLR":
            note = ("QuadraticWarmupLR is mmdet's (mmdet/engine/schedulers/quadratic_warmup.py), reconstructed on "
                    "mmengine's _ParamScheduler because mmdet needs mmcv. ")
        add(f"{typ}({args_str(kw)},by_epoch=False)/n={n}", [cfg], n, note)

    lists = [
        ([dict(type="LinearLR", start_factor=0.001, begin=0, end=10, **it),
          dict(type="CosineAnnealingLR", T_max=40, begin=10, end=50, eta_min=1e-4, **it)], 60),
        ([dict(type="LinearLR", start_factor=0.1, begin=0, end=5, **it),
          dict(type="MultiStepLR", milestones=[20, 35], gamma=0.1, **it)], 50),
        ([dict(type="LinearLR", start_factor=0.1, begin=0, end=10, **it),
          dict(type="CosineAnnealingLR", T_max=30, begin=0, end=30, eta_min=0.0, **it)], 35),
        ([dict(type="QuadraticWarmupLR", begin=0, end=5, **it),
          dict(type="CosineAnnealingLR", T_max=35, begin=5, end=40, eta_min_ratio=0.05, **it)], 45),
        ([dict(type="LinearLR", start_factor=0.01, begin=0, end=5, **it),
          dict(type="CosineAnnealingLR", T_max=20, begin=5, end=25, eta_min=1e-3, **it),
          dict(type="PolyLR", eta_min=1e-4, power=1.0, begin=25, end=40, **it)], 45),
        ([dict(type="LinearLR", start_factor=0.1, begin=0, end=8, **it),
          dict(type="PolyLR", eta_min=0.0, power=1.0, begin=0, end=40, **it),
          dict(type="MultiStepLR", milestones=[15, 30], gamma=0.5, **it)], 42),
        ([dict(type="ConstantLR", factor=0.25, begin=0, end=3, **it),
          dict(type="CosineRestartLR", periods=[6, 12], restart_weights=[1, 0.5], eta_min=0.0, begin=3, **it)], 24),
        ([dict(type="LinearLR", start_factor=0.001, begin=0, end=6, **it),
          dict(type="CosineAnnealingLR", T_max=30, begin=0, end=30, eta_min=1e-3, **it)], 40),
        ([dict(type="ConstantLR", factor=0.5, begin=0, end=4, **it),
          dict(type="PolyLR", eta_min=1e-3, power=2.0, begin=0, end=25, **it)], 30),
    ]
    for cfgs, n in lists:
        cid = " + ".join(f"{c['type']}({args_str({k: v for k, v in c.items() if k not in ('type', 'by_epoch')})})"
                         for c in cfgs)
        add(f"[{cid}] by_epoch=False/n={n}", cfgs, n)

    K = 5
    ep = dict(by_epoch=True)
    epoch_lists = [
        ("convert_to_iter_based", [
            dict(type="LinearLR", start_factor=0.001, begin=0, end=2, convert_to_iter_based=True, **ep),
            dict(type="CosineAnnealingLR", T_max=8, begin=2, end=10, eta_min=0.0, convert_to_iter_based=True, **ep)],
         10),
        ("convert_to_iter_based", [
            dict(type="QuadraticWarmupLR", begin=0, end=2, convert_to_iter_based=True, **ep),
            dict(type="CosineAnnealingLR", T_max=8, begin=2, end=10, eta_min=1e-4, convert_to_iter_based=True, **ep)],
         12),
        ("convert_to_iter_based", [
            dict(type="PolyLR", eta_min=1e-4, power=0.9, begin=0, end=6, convert_to_iter_based=True, **ep)], 7),
        ("convert_to_iter_based", [
            dict(type="CosineRestartLR", periods=[2, 4], restart_weights=[1, 0.5], eta_min=0.0, begin=0,
                 convert_to_iter_based=True, **ep)], 6),
        ("per_epoch", [dict(type="MultiStepLR", milestones=[3, 6], gamma=0.1, **ep)], 8),
        ("per_epoch", [dict(type="LinearLR", start_factor=0.25, begin=0, end=2, **ep),
                       dict(type="CosineAnnealingLR", T_max=6, begin=2, end=8, eta_min=0.0, **ep)], 9),
        ("mixed", [dict(type="LinearLR", start_factor=0.001, begin=0, end=7, by_epoch=False),
                   dict(type="MultiStepLR", milestones=[3, 6], gamma=0.1, begin=0, end=8, **ep)], 8),
        # Overlapping windows that do not multiply: a floor under a warmup, a per-epoch cosine under a
        # per-iteration warmup (mmdet3d's CenterPoint / BEVFusion schedules), three at once, list order.
        ("overlap", [dict(type="LinearLR", start_factor=1 / 3, begin=0, end=8, by_epoch=False),
                     dict(type="CosineAnnealingLR", T_max=6, begin=0, end=6, eta_min_ratio=1e-4,
                          convert_to_iter_based=True, **ep)], 6),
        ("overlap", [dict(type="LinearLR", start_factor=0.001, begin=0, end=7, by_epoch=False),
                     dict(type="CosineAnnealingLR", T_max=6, begin=0, end=6, eta_min=1e-3, **ep)], 8),
        ("overlap", [dict(type="CosineAnnealingLR", T_max=8, begin=0, end=8, eta_min=1e-3, **ep),
                     dict(type="LinearLR", start_factor=0.1, begin=0, end=12, by_epoch=False)], 8),
        ("overlap", [dict(type="LinearLR", start_factor=0.01, begin=0, end=9, by_epoch=False),
                     dict(type="PolyLR", eta_min=1e-4, power=0.9, begin=0, end=30, by_epoch=False),
                     dict(type="StepLR", step_size=2, gamma=0.5, begin=1, end=5, **ep)], 8),
    ]
    for mode, cfgs, epochs in epoch_lists:
        cid = " + ".join(f"{c['type']}({args_str({k: v for k, v in c.items() if k != 'type'})})" for c in cfgs)
        note = {"convert_to_iter_based": "Built through PARAM_SCHEDULERS.build (build_scheduler_from_cfg) with "
                                         "epoch_length=steps_per_epoch: begin/end (int(x*epoch_length)), T_max, "
                                         "periods, milestones... are multiplied by epoch_length and the scheduler "
                                         "becomes by_epoch=False (stepped every iteration).",
                "per_epoch": "by_epoch=True without conversion: stepped once after each epoch (lr constant inside "
                             "an epoch); lr_per_epoch is the raw per-epoch sequence.",
                "mixed": "mmdet-style config: iteration warmup (by_epoch=False, stepped every iteration) plus "
                         "epoch MultiStepLR (stepped after each epoch).",
                "overlap": "Windows that overlap and do not multiply: each scheduler's chained step works on the "
                           "lr the ones before it in the list left (iteration schedulers after each iteration, "
                           "epoch ones after each epoch)."}[mode]
        add(f"[{cid}] epoch_length={K}", cfgs, epochs * K, note, epochs=epochs, k=K, epoch_length=K)
    return "mmengine", mmengine.__version__, cases


# ========================================================= detectron2 (fvcore)

def d2_classes():
    """detectron2's scheduler glue, reconstructed from detectron2 sources (read
    with the search tools; detectron2 is not installable here) on top of the
    real fvcore ParamSchedulers and torch LRScheduler:

    * WarmupParamScheduler, LRMultiplier, _get_warmup_factor_at_iter:
      detectron2/solver/lr_scheduler.py (version with ``rescale_interval``).
    * WarmupPolyLR: projects/DeepLab/deeplab/lr_scheduler.py (built by
      projects/DeepLab/deeplab/build_solver.py from SOLVER.POLY_LR_POWER /
      SOLVER.POLY_LR_CONSTANT_ENDING).
    * build_lr_scheduler: detectron2/solver/build.py (main branch: also
      WarmupStepWithFixedGammaLR and SOLVER.RESCALE_INTERVAL).
    """
    from fvcore.common.param_scheduler import (
        CompositeParamScheduler,
        ConstantParamScheduler,
        CosineParamScheduler,
        LinearParamScheduler,
        MultiStepParamScheduler,
        ParamScheduler,
        StepWithFixedGammaParamScheduler,
    )
    from torch.optim.lr_scheduler import LRScheduler

    class WarmupParamScheduler(CompositeParamScheduler):
        def __init__(self, scheduler, warmup_factor, warmup_length, warmup_method="linear", rescale_interval=False):
            end_value = scheduler(warmup_length)  # the value to reach when warmup ends
            start_value = warmup_factor * scheduler(0.0)
            if warmup_method == "constant":
                warmup = ConstantParamScheduler(start_value)
            elif warmup_method == "linear":
                warmup = LinearParamScheduler(start_value, end_value)
            else:
                raise ValueError(f"Unknown warmup method: {warmup_method}")
            super().__init__([warmup, scheduler],
                             interval_scaling=["rescaled", "rescaled" if rescale_interval else "fixed"],
                             lengths=[warmup_length, 1 - warmup_length])

    class LRMultiplier(LRScheduler):
        def __init__(self, optimizer, multiplier, max_iter, last_iter=-1):
            if not isinstance(multiplier, ParamScheduler):
                raise ValueError("multiplier must be a fvcore ParamScheduler")
            self._multiplier = multiplier
            self._max_iter = max_iter
            super().__init__(optimizer, last_epoch=last_iter)

        def state_dict(self):
            return {"base_lrs": self.base_lrs, "last_epoch": self.last_epoch}

        def get_lr(self):
            multiplier = self._multiplier(self.last_epoch / self._max_iter)
            return [base_lr * multiplier for base_lr in self.base_lrs]

    def _get_warmup_factor_at_iter(method, iter, warmup_iters, warmup_factor):
        if iter >= warmup_iters:
            return 1.0
        if method == "constant":
            return warmup_factor
        elif method == "linear":
            alpha = iter / warmup_iters
            return warmup_factor * (1 - alpha) + alpha
        raise ValueError(f"Unknown warmup method: {method}")

    class WarmupPolyLR(LRScheduler):
        def __init__(self, optimizer, max_iters, warmup_factor=0.001, warmup_iters=1000, warmup_method="linear",
                     last_epoch=-1, power=0.9, constant_ending=0.0):
            self.max_iters = max_iters
            self.warmup_factor = warmup_factor
            self.warmup_iters = warmup_iters
            self.warmup_method = warmup_method
            self.power = power
            self.constant_ending = constant_ending
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            warmup_factor = _get_warmup_factor_at_iter(self.warmup_method, self.last_epoch, self.warmup_iters,
                                                       self.warmup_factor)
            if self.constant_ending > 0 and warmup_factor == 1.0:
                if math.pow((1.0 - self.last_epoch / self.max_iters), self.power) < self.constant_ending:
                    return [base_lr * self.constant_ending for base_lr in self.base_lrs]
            return [base_lr * warmup_factor * math.pow((1.0 - self.last_epoch / self.max_iters), self.power)
                    for base_lr in self.base_lrs]

        def _compute_values(self):
            return self.get_lr()

    def build_lr_scheduler(SOLVER, optimizer):
        name = SOLVER["LR_SCHEDULER_NAME"]
        if name == "WarmupPolyLR":  # projects/DeepLab/deeplab/build_solver.py
            return WarmupPolyLR(optimizer, SOLVER["MAX_ITER"], warmup_factor=SOLVER["WARMUP_FACTOR"],
                                warmup_iters=SOLVER["WARMUP_ITERS"], warmup_method=SOLVER["WARMUP_METHOD"],
                                power=SOLVER["POLY_LR_POWER"], constant_ending=SOLVER["POLY_LR_CONSTANT_ENDING"])
        if name == "WarmupMultiStepLR":
            steps = [x for x in SOLVER["STEPS"] if x <= SOLVER["MAX_ITER"]]
            sched = MultiStepParamScheduler(values=[SOLVER["GAMMA"] ** k for k in range(len(steps) + 1)],
                                            milestones=steps, num_updates=SOLVER["MAX_ITER"])
        elif name == "WarmupCosineLR":
            end_value = SOLVER["BASE_LR_END"] / SOLVER["BASE_LR"]
            assert 0.0 <= end_value <= 1.0, end_value
            sched = CosineParamScheduler(1, end_value)
        elif name == "WarmupStepWithFixedGammaLR":
            sched = StepWithFixedGammaParamScheduler(base_value=1.0, gamma=SOLVER["GAMMA"],
                                                     num_decays=SOLVER["NUM_DECAYS"], num_updates=SOLVER["MAX_ITER"])
        else:
            raise ValueError(f"Unknown LR scheduler: {name}")
        sched = WarmupParamScheduler(sched, SOLVER["WARMUP_FACTOR"], min(SOLVER["WARMUP_ITERS"] / SOLVER["MAX_ITER"],
                                                                         1.0),
                                     SOLVER["WARMUP_METHOD"], SOLVER["RESCALE_INTERVAL"])
        return LRMultiplier(optimizer, multiplier=sched, max_iter=SOLVER["MAX_ITER"])

    return dict(WarmupParamScheduler=WarmupParamScheduler, LRMultiplier=LRMultiplier, WarmupPolyLR=WarmupPolyLR,
                build_lr_scheduler=build_lr_scheduler)


D2_SOLVER_DEFAULTS = dict(  # detectron2/config/defaults.py (+ DeepLab's add_deeplab_config)
    LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=40000, BASE_LR=0.001, BASE_LR_END=0.0, MOMENTUM=0.9,
    GAMMA=0.1, STEPS=(30000,), NUM_DECAYS=3, WARMUP_FACTOR=1.0 / 1000, WARMUP_ITERS=1000, WARMUP_METHOD="linear",
    RESCALE_INTERVAL=False, POLY_LR_POWER=0.9, POLY_LR_CONSTANT_ENDING=0.0)


def gen_detectron2():
    import importlib.metadata

    import torch
    from fvcore.common.param_scheduler import CosineParamScheduler, PolynomialDecayParamScheduler

    d2 = d2_classes()
    cases = []
    stepping = ("detectron2 SimpleTrainer: for iter in range(MAX_ITER): run_step (optimizer.step()), then "
                "hooks.LRScheduler.after_step -> scheduler.step(); lr[t] = BASE_LR * multiplier(t / MAX_ITER)")

    def run_solver(over, n=None):
        S = dict(D2_SOLVER_DEFAULTS, **over)
        opt = torch.optim.SGD([torch_param()], lr=S["BASE_LR"], momentum=S["MOMENTUM"])
        s = d2["build_lr_scheduler"](S, opt)
        n = n or S["MAX_ITER"]
        return run_torch_style(opt, s.step, n), S

    grid = []
    for name, extra in (("WarmupMultiStepLR", dict(STEPS=(60, 80))),
                        ("WarmupMultiStepLR", dict(STEPS=(5, 50, 150))),
                        ("WarmupCosineLR", dict(BASE_LR_END=0.0)),
                        ("WarmupCosineLR", dict(BASE_LR_END=0.01)),
                        ("WarmupStepWithFixedGammaLR", dict(GAMMA=0.5, NUM_DECAYS=3)),
                        ("WarmupPolyLR", dict(POLY_LR_POWER=0.9, POLY_LR_CONSTANT_ENDING=0.0)),
                        ("WarmupPolyLR", dict(POLY_LR_POWER=0.9, POLY_LR_CONSTANT_ENDING=0.3))):
        for wi, wf, wm, ri in ((10, 0.001, "linear", False), (10, 0.001, "linear", True), (10, 0.1, "constant", False),
                               (10, 0.1, "constant", True), (0, 0.001, "linear", False), (1, 0.001, "linear", False),
                               (250, 0.001, "linear", False)):
            if name == "WarmupPolyLR" and ri:
                continue
            grid.append(dict(LR_SCHEDULER_NAME=name, MAX_ITER=100, BASE_LR=0.1, WARMUP_ITERS=wi, WARMUP_FACTOR=wf,
                             WARMUP_METHOD=wm, RESCALE_INTERVAL=ri, **extra))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=3, BASE_LR=0.1, WARMUP_ITERS=2, STEPS=(2,)))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupCosineLR", MAX_ITER=2, BASE_LR=0.1, WARMUP_ITERS=1))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=1000, BASE_LR=0.02, WARMUP_ITERS=100,
                     STEPS=(600, 800)))
    # Rescaled and constant-ending edges: short runs, a warmup of all but one iteration, no warmup.
    grid.append(dict(LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=3, BASE_LR=0.1, WARMUP_ITERS=2, STEPS=(2,),
                     RESCALE_INTERVAL=True))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupCosineLR", MAX_ITER=2, BASE_LR=0.1, WARMUP_ITERS=1, RESCALE_INTERVAL=True))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupStepWithFixedGammaLR", MAX_ITER=37, BASE_LR=0.1, WARMUP_ITERS=36,
                     GAMMA=0.5, NUM_DECAYS=5, RESCALE_INTERVAL=True))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupMultiStepLR", MAX_ITER=1000, BASE_LR=0.02, WARMUP_ITERS=100,
                     STEPS=(100, 600, 999), GAMMA=0.3, RESCALE_INTERVAL=True))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupPolyLR", MAX_ITER=50, BASE_LR=0.1, WARMUP_ITERS=0, POLY_LR_POWER=2.0,
                     POLY_LR_CONSTANT_ENDING=0.01))
    grid.append(dict(LR_SCHEDULER_NAME="WarmupPolyLR", MAX_ITER=50, BASE_LR=0.1, WARMUP_ITERS=5, WARMUP_FACTOR=0.5,
                     WARMUP_METHOD="constant", POLY_LR_POWER=0.9, POLY_LR_CONSTANT_ENDING=0.2))
    errors = []
    for over in grid:
        try:
            lrs, S = run_solver(over)
        except Exception as e:  # recorded: detectron2 itself would raise here
            errors.append(dict(args=over, error=f"{type(e).__name__}: {e}"))
            continue
        note = ("SOLVER values (detectron2 defaults overridden by 'args'). build_lr_scheduler wraps the fvcore "
                "scheduler in WarmupParamScheduler(warmup_length=min(WARMUP_ITERS/MAX_ITER,1)) - warmup linear "
                "from WARMUP_FACTOR*sched(0) to sched(warmup_length) (RESCALE_INTERVAL=False: the main schedule "
                "keeps its absolute clock, 'fixed'; True: it is 'rescaled' to start at the end of warmup, and the "
                "warmup end value is still sched(warmup_length)) - inside LRMultiplier. STEPS > MAX_ITER are "
                "dropped. The run stops at MAX_ITER updates (fvcore rejects where >= 1 for the composite).")
        if S["LR_SCHEDULER_NAME"] == "WarmupPolyLR":
            note = ("DeepLab WarmupPolyLR (projects/DeepLab): lr = base * warmup_factor(iter) * (1-iter/MAX_ITER)"
                    "**POWER, warmup factor WARMUP_FACTOR*(1-a)+a with a=iter/WARMUP_ITERS (constant: "
                    "WARMUP_FACTOR); after warmup, if (1-iter/MAX_ITER)**POWER < CONSTANT_ENDING the lr is "
                    "base*CONSTANT_ENDING. No RESCALE_INTERVAL.")
        cases.append(case(f"build_lr_scheduler(SOLVER: {args_str(over)})", S["LR_SCHEDULER_NAME"], over, stepping,
                          lrs, note, SOLVER=S))
    # fvcore polynomial decay inside detectron2's warmup wrapper (composition, not a detectron2 SOLVER name)
    for wl, ri in ((0.1, False), (0.1, True), (0.0, False)):
        for power in (0.9, 2.0):
            opt = torch.optim.SGD([torch_param()], lr=0.1, momentum=0.9)
            mult = d2["WarmupParamScheduler"](PolynomialDecayParamScheduler(1.0, power), 0.001, wl, "linear", ri)
            s = d2["LRMultiplier"](opt, multiplier=mult, max_iter=100)
            args = dict(scheduler=f"PolynomialDecayParamScheduler(base_value=1.0, power={power})",
                        warmup_factor=0.001, warmup_length=wl, warmup_method="linear", rescale_interval=ri,
                        max_iter=100)
            cases.append(case(f"LRMultiplier(WarmupParamScheduler(PolynomialDecay(power={power}),"
                              f"warmup_length={wl},rescale_interval={ri}))", "LRMultiplier+WarmupParamScheduler", args,
                              stepping, run_torch_style(opt, s.step, 100),
                              "fvcore PolynomialDecayParamScheduler composed with detectron2's WarmupParamScheduler "
                              "(not a detectron2 SOLVER name; the DeepLab WarmupPolyLR cases are the builder's).",
                              optimizer_lr=0.1))
    # plain fvcore cosine for reference of the raw multiplier
    opt = torch.optim.SGD([torch_param()], lr=0.1, momentum=0.9)
    s = d2["LRMultiplier"](opt, multiplier=CosineParamScheduler(1.0, 0.0), max_iter=50)
    cases.append(case("LRMultiplier(CosineParamScheduler(1,0), max_iter=50)", "LRMultiplier",
                      dict(multiplier="CosineParamScheduler(start_value=1.0, end_value=0.0)", max_iter=50), stepping,
                      run_torch_style(opt, s.step, 50), "no warmup", optimizer_lr=0.1))
    ver = importlib.metadata.version("fvcore")
    return ("detectron2", f"fvcore {ver} + detectron2 scheduler glue reconstructed from source", cases,
            {"raises": errors})


# ===================================================================== fairseq

class FairseqPortOptimizer:
    """Stand-in for FairseqOptimizer: fairseq schedulers only call set_lr/get_lr."""

    def __init__(self, lr):
        self._lr = lr

    def set_lr(self, lr):
        self._lr = lr

    def get_lr(self):
        return self._lr


class FairseqCfg:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class FairseqPortBase:  # fairseq/optim/lr_scheduler/fairseq_lr_scheduler.py l.13-50
    def __init__(self, cfg, optimizer):
        self.cfg = cfg
        self.optimizer = optimizer
        self.best = None

    def step_begin_epoch(self, epoch):
        pass

    def step(self, epoch, val_loss=None):
        if val_loss is not None:
            self.best = val_loss if self.best is None else min(self.best, val_loss)

    def step_update(self, num_updates):
        return self.optimizer.get_lr()


class FairseqTriStagePort(FairseqPortBase):  # tri_stage_lr_scheduler.py l.89-175
    def __init__(self, cfg, optimizer):
        super().__init__(cfg, optimizer)
        if len(cfg.lr) > 1:
            raise ValueError("Cannot use a fixed learning rate schedule with tri-stage lr.")
        self.peak_lr = cfg.lr[0]
        self.init_lr = cfg.init_lr_scale * cfg.lr[0]
        self.final_lr = cfg.final_lr_scale * cfg.lr[0]
        if cfg.phase_ratio is not None:
            assert cfg.max_update > 0
            assert sum(cfg.phase_ratio) == 1, "phase ratios must add up to 1"
            self.warmup_steps = int(cfg.max_update * cfg.phase_ratio[0])
            self.hold_steps = int(cfg.max_update * cfg.phase_ratio[1])
            self.decay_steps = int(cfg.max_update * cfg.phase_ratio[2])
        else:
            self.warmup_steps = cfg.warmup_steps
            self.hold_steps = cfg.hold_steps
            self.decay_steps = cfg.decay_steps
        assert self.warmup_steps + self.hold_steps + self.decay_steps > 0
        self.warmup_rate = (self.peak_lr - self.init_lr) / self.warmup_steps if self.warmup_steps != 0 else 0
        self.decay_factor = -math.log(cfg.final_lr_scale) / self.decay_steps
        self.lr = self.init_lr
        self.optimizer.set_lr(self.lr)

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

    def step(self, epoch, val_loss=None):
        super().step(epoch, val_loss)
        return self.optimizer.get_lr()

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
        self.optimizer.set_lr(self.lr)
        return self.lr


class FairseqInverseSqrtPort(FairseqPortBase):  # inverse_square_root_schedule.py l.51-85
    def __init__(self, cfg, optimizer):
        super().__init__(cfg, optimizer)
        if isinstance(cfg.lr, (list, tuple)) and len(cfg.lr) > 1:
            raise ValueError("Cannot use a fixed learning rate schedule with inverse_sqrt.")
        warmup_end_lr = cfg.lr[0] if isinstance(cfg.lr, (list, tuple)) else cfg.lr
        if cfg.warmup_init_lr < 0:
            cfg.warmup_init_lr = 0 if cfg.warmup_updates > 0 else warmup_end_lr
        self.lr_step = (warmup_end_lr - cfg.warmup_init_lr) / cfg.warmup_updates
        self.decay_factor = warmup_end_lr * cfg.warmup_updates ** 0.5
        self.lr = cfg.warmup_init_lr
        self.optimizer.set_lr(self.lr)

    def step(self, epoch, val_loss=None):
        super().step(epoch, val_loss)
        return self.optimizer.get_lr()

    def step_update(self, num_updates):
        if num_updates < self.cfg.warmup_updates:
            self.lr = self.cfg.warmup_init_lr + num_updates * self.lr_step
        else:
            self.lr = self.decay_factor * num_updates ** -0.5
        self.optimizer.set_lr(self.lr)
        return self.lr


class FairseqPolynomialDecayPort(FairseqPortBase):  # polynomial_decay_schedule.py l.43-89
    def __init__(self, cfg, optimizer):
        super().__init__(cfg, optimizer)
        assert cfg.total_num_update > 0
        self.lr = cfg.lr[0]
        if cfg.warmup_updates > 0:
            self.warmup_factor = 1.0 / cfg.warmup_updates
        else:
            self.warmup_factor = 1
        self.end_learning_rate = cfg.end_learning_rate
        self.total_num_update = cfg.total_num_update
        self.power = cfg.power
        self.optimizer.set_lr(self.warmup_factor * self.lr)

    def get_next_lr(self, epoch):
        lrs = self.cfg.lr
        if self.cfg.force_anneal is None or epoch < self.cfg.force_anneal:
            next_lr = lrs[min(epoch, len(lrs) - 1)]
        else:
            next_lr = self.optimizer.get_lr()
        return next_lr

    def step_begin_epoch(self, epoch):
        self.lr = self.get_next_lr(epoch)
        self.optimizer.set_lr(self.warmup_factor * self.lr)
        return self.optimizer.get_lr()

    def step_update(self, num_updates):
        if self.cfg.warmup_updates > 0 and num_updates <= self.cfg.warmup_updates:
            self.warmup_factor = num_updates / float(self.cfg.warmup_updates)
            lr = self.warmup_factor * self.lr
        elif num_updates >= self.total_num_update:
            lr = self.end_learning_rate
        else:
            warmup = self.cfg.warmup_updates
            lr_range = self.lr - self.end_learning_rate
            pct_remaining = 1 - (num_updates - warmup) / (self.total_num_update - warmup)
            lr = lr_range * pct_remaining ** (self.power) + self.end_learning_rate
        self.optimizer.set_lr(lr)
        return self.optimizer.get_lr()


class FairseqCosinePort(FairseqPortBase):  # cosine_lr_scheduler.py l.71-147
    def __init__(self, cfg, optimizer):
        super().__init__(cfg, optimizer)
        if isinstance(cfg.lr, (list, tuple)) and len(cfg.lr) > 1:
            raise ValueError("Cannot use a fixed learning rate schedule with cosine.")
        self.max_lr = cfg.lr[0] if isinstance(cfg.lr, (list, tuple)) else cfg.lr
        assert self.max_lr > cfg.min_lr
        warmup_end_lr = self.max_lr
        if cfg.warmup_init_lr < 0:
            cfg.warmup_init_lr = cfg.min_lr
        self.t_mult = cfg.t_mult
        self.period = cfg.lr_period_updates
        if self.period <= 0:
            assert cfg.max_update > 0, "Either --max_update or --lr-period-updates must be set"
            self.period = cfg.max_update - cfg.warmup_updates
        if cfg.warmup_updates > 0:
            self.lr_step = (warmup_end_lr - cfg.warmup_init_lr) / cfg.warmup_updates
        else:
            self.lr_step = 1
        self.warmup_updates = cfg.warmup_updates
        self.lr_shrink = cfg.lr_shrink
        self.lr = cfg.warmup_init_lr
        self.optimizer.set_lr(self.lr)

    def step(self, epoch, val_loss=None):
        super().step(epoch, val_loss)
        return self.optimizer.get_lr()

    def step_update(self, num_updates):
        if num_updates < self.cfg.warmup_updates:
            self.lr = self.cfg.warmup_init_lr + num_updates * self.lr_step
        else:
            curr_updates = num_updates - self.cfg.warmup_updates
            if self.t_mult != 1:
                i = math.floor(math.log(1 - curr_updates / self.period * (1 - self.t_mult), self.t_mult))
                t_i = self.t_mult ** i * self.period
                t_curr = curr_updates - (1 - self.t_mult ** i) / (1 - self.t_mult) * self.period
            else:
                i = math.floor(curr_updates / self.period)
                t_i = self.period
                t_curr = curr_updates - (self.period * i)
            lr_shrink = self.lr_shrink ** i
            min_lr = self.cfg.min_lr * lr_shrink
            max_lr = self.max_lr * lr_shrink
            self.lr = min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * t_curr / t_i))
        self.optimizer.set_lr(self.lr)
        return self.lr


FAIRSEQ_PORTS = {
    "tri_stage": (FairseqTriStagePort, "tri_stage_lr_scheduler.py", "TriStageLRSchedule", "TriStageLRScheduleConfig"),
    "inverse_sqrt": (FairseqInverseSqrtPort, "inverse_square_root_schedule.py", "InverseSquareRootSchedule",
                     "InverseSquareRootLRScheduleConfig"),
    "polynomial_decay": (FairseqPolynomialDecayPort, "polynomial_decay_schedule.py", "PolynomialDecayLRSchedule",
                         "PolynomialDecayLRScheduleConfig"),
    "cosine": (FairseqCosinePort, "cosine_lr_scheduler.py", "CosineLRSchedule", "CosineLRScheduleConfig"),
}


def fairseq_original_classes():
    """Execute the ORIGINAL fairseq 0.12.2 scheduler files with their fairseq
    imports stubbed (FairseqDataclass -> plain dataclass base, register ->
    identity), to cross-check the port.  Needs omegaconf (for II)."""
    import dataclasses
    import types

    root = Path(FW_SRC) / "fairseq-0.12.2" / "fairseq" / "optim" / "lr_scheduler"
    saved = {k: sys.modules.get(k) for k in ("fairseq", "fairseq.dataclass", "fairseq.dataclass.utils",
                                             "fairseq.optim", "fairseq.optim.lr_scheduler")}
    fq = types.ModuleType("fairseq")
    fq.__path__ = []
    fdc = types.ModuleType("fairseq.dataclass")

    @dataclasses.dataclass
    class FairseqDataclass:
        pass

    fdc.FairseqDataclass = FairseqDataclass
    fdu = types.ModuleType("fairseq.dataclass.utils")
    fdu.gen_parser_from_dataclass = lambda *a, **k: None
    fopt = types.ModuleType("fairseq.optim")
    fopt.__path__ = []

    class FairseqOptimizer:
        pass

    fopt.FairseqOptimizer = FairseqOptimizer
    flr = types.ModuleType("fairseq.optim.lr_scheduler")
    flr.__path__ = []
    sys.modules.update({"fairseq": fq, "fairseq.dataclass": fdc, "fairseq.dataclass.utils": fdu,
                        "fairseq.optim": fopt, "fairseq.optim.lr_scheduler": flr})
    try:
        base_ns: dict = {"__name__": "fairseq.optim.lr_scheduler.fairseq_lr_scheduler"}
        exec(compile((root / "fairseq_lr_scheduler.py").read_text(), str(root / "fairseq_lr_scheduler.py"), "exec"),
             base_ns)
        flr.FairseqLRScheduler = base_ns["FairseqLRScheduler"]
        flr.register_lr_scheduler = lambda *a, **k: (lambda c: c)
        out = {}
        for key, (_port, fname, cls, cfgcls) in FAIRSEQ_PORTS.items():
            mod = types.ModuleType(f"fairseq.optim.lr_scheduler.{fname[:-3]}")
            sys.modules[mod.__name__] = mod  # dataclasses looks the module up
            exec(compile((root / fname).read_text(), str(root / fname), "exec"), mod.__dict__)
            out[key] = (getattr(mod, cls), getattr(mod, cfgcls))
        return out, FairseqOptimizer
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def fairseq_trainer_run(sched, opt, n, k):
    """fairseq/trainer.py + fairseq_cli/train.py: step_update(0) after building; per
    epoch (1-based) begin_epoch -> step_begin_epoch(epoch) + step_update(num_updates);
    after each update set_num_updates(n+1) -> step_update(n+1); at the epoch end
    lr_step(epoch) -> step(epoch) + step_update(num_updates)."""
    sched.step_update(0)
    lrs = []
    num_updates = 0
    epoch = 0
    while len(lrs) < n:
        epoch += 1
        sched.step_begin_epoch(epoch)
        sched.step_update(num_updates)
        for _ in range(k):
            if len(lrs) >= n:
                break
            lrs.append(f(opt.get_lr()))
            num_updates += 1
            sched.step_update(num_updates)
        sched.step(epoch, None)
        sched.step_update(num_updates)
    return lrs


def gen_fairseq():
    import copy

    originals, OrigOpt = fairseq_original_classes()

    class OrigOptimizer(OrigOpt, FairseqPortOptimizer):
        pass

    cases = []
    K = 10
    stepping = ("fairseq trainer: lr_scheduler.step_update(0) right after building; begin_epoch(epoch) -> "
                "step_begin_epoch(epoch) + step_update(num_updates); after update t set_num_updates(t+1) -> "
                "step_update(t+1); end of epoch lr_step(epoch) -> step(epoch) + step_update(num_updates). "
                "lr[t] = optimizer lr used by update t")
    grid = {
        "tri_stage": [
            (dict(lr=[0.1], phase_ratio=[0.1, 0.4, 0.5], init_lr_scale=0.01, final_lr_scale=0.01, max_update=100,
                  warmup_steps=0, hold_steps=0, decay_steps=0), 110),
            (dict(lr=[0.1], phase_ratio=[0.25, 0.25, 0.5], init_lr_scale=0.05, final_lr_scale=0.05, max_update=30,
                  warmup_steps=0, hold_steps=0, decay_steps=0), 35),
            (dict(lr=[0.1], phase_ratio=[0.15, 0.35, 0.5], init_lr_scale=0.01, final_lr_scale=0.01, max_update=33,
                  warmup_steps=0, hold_steps=0, decay_steps=0), 40),
            (dict(lr=[0.1], phase_ratio=None, warmup_steps=10, hold_steps=20, decay_steps=30, init_lr_scale=0.01,
                  final_lr_scale=0.05, max_update=60), 70),
            (dict(lr=[0.1], phase_ratio=None, warmup_steps=0, hold_steps=0, decay_steps=20, init_lr_scale=0.01,
                  final_lr_scale=0.01, max_update=20), 25),
            (dict(lr=[0.1], phase_ratio=None, warmup_steps=1, hold_steps=0, decay_steps=5, init_lr_scale=0.01,
                  final_lr_scale=0.1, max_update=6), 3),
            (dict(lr=[0.1], phase_ratio=None, warmup_steps=50, hold_steps=0, decay_steps=50, init_lr_scale=0.0,
                  final_lr_scale=0.01, max_update=100), 10),
        ],
        "inverse_sqrt": [
            (dict(lr=[0.1], warmup_updates=10, warmup_init_lr=-1), 60),
            (dict(lr=[0.1], warmup_updates=10, warmup_init_lr=1e-7), 60),
            (dict(lr=[0.1], warmup_updates=1, warmup_init_lr=-1), 20),
            (dict(lr=[0.1], warmup_updates=4000, warmup_init_lr=1e-7), 3),
            (dict(lr=[0.0005], warmup_updates=4000, warmup_init_lr=1e-7), 4100),
        ],
        "polynomial_decay": [
            (dict(lr=[0.1], warmup_updates=0, end_learning_rate=0.0, power=1.0, total_num_update=100,
                  force_anneal=None), 110),
            (dict(lr=[0.1], warmup_updates=10, end_learning_rate=0.0, power=1.0, total_num_update=100,
                  force_anneal=None), 110),
            (dict(lr=[0.1], warmup_updates=10, end_learning_rate=1e-4, power=2.0, total_num_update=100,
                  force_anneal=None), 110),
            (dict(lr=[0.1], warmup_updates=1, end_learning_rate=0.0, power=0.5, total_num_update=20,
                  force_anneal=None), 25),
            (dict(lr=[0.1], warmup_updates=10, end_learning_rate=0.0, power=1.0, total_num_update=100,
                  force_anneal=None), 3),
        ],
        "cosine": [
            (dict(lr=[0.1], warmup_updates=0, warmup_init_lr=-1, min_lr=0.0, t_mult=1.0, lr_period_updates=-1,
                  lr_shrink=0.1, max_update=100), 100),
            (dict(lr=[0.1], warmup_updates=10, warmup_init_lr=-1, min_lr=1e-4, t_mult=1.0, lr_period_updates=-1,
                  lr_shrink=0.1, max_update=100), 110),
            (dict(lr=[0.1], warmup_updates=10, warmup_init_lr=1e-7, min_lr=0.0, t_mult=1.0, lr_period_updates=20,
                  lr_shrink=0.5, max_update=100), 100),
            (dict(lr=[0.1], warmup_updates=5, warmup_init_lr=-1, min_lr=1e-3, t_mult=2.0, lr_period_updates=10,
                  lr_shrink=0.5, max_update=100), 100),
            (dict(lr=[0.1], warmup_updates=0, warmup_init_lr=-1, min_lr=0.0, t_mult=1.5, lr_period_updates=8,
                  lr_shrink=1.0, max_update=100), 60),
            (dict(lr=[0.1], warmup_updates=1, warmup_init_lr=0.0, min_lr=0.0, t_mult=1.0, lr_period_updates=-1,
                  lr_shrink=0.1, max_update=3), 3),
        ],
    }
    notes = {
        "tri_stage": ("init_lr = init_lr_scale*lr, warmup linear over warmup_steps, hold at lr, decay "
                      "lr*exp(-decay_factor*s) with decay_factor=-ln(final_lr_scale)/decay_steps for s <= "
                      "decay_steps (inclusive), then final_lr_scale*lr. phase_ratio -> int(max_update*ratio) "
                      "(truncation). decay_steps=0 raises ZeroDivisionError."),
        "inverse_sqrt": ("warmup_init_lr=-1 means 0 when warmup_updates>0; lr = warmup_init_lr + t*(lr-init)/W "
                         "for t < W, else lr*sqrt(W)/sqrt(t). warmup_updates=0 raises ZeroDivisionError "
                         "(lr_step divides by W), so it is not covered."),
        "polynomial_decay": ("The constructor sets lr/warmup_updates, but trainer calls step_update(0) right "
                             "away, so with warmup_updates>0 update 0 runs at lr*0/W = 0 (warmup factor "
                             "t/W for t <= W, inclusive); t >= total_num_update -> end_learning_rate."),
        "cosine": ("warmup_init_lr=-1 means min_lr. Period = lr_period_updates, or max_update - warmup_updates "
                   "when lr_period_updates <= 0. Cycles shrink by lr_shrink**i (both min and max lr); t_mult "
                   "grows the period."),
    }
    for key, items in grid.items():
        port_cls, fname, cls_name, cfg_name = FAIRSEQ_PORTS[key]
        orig_cls, orig_cfg = originals[key]
        for kw, n in items:
            opt = FairseqPortOptimizer(kw["lr"][0])
            s = port_cls(FairseqCfg(**copy.deepcopy(kw)), opt)
            lrs = fairseq_trainer_run(s, opt, n, K)
            # cross-check against the original source
            o_opt = OrigOptimizer(kw["lr"][0])
            o_cfg = orig_cfg(**copy.deepcopy(kw))
            o = orig_cls(o_cfg, o_opt)
            o_lrs = fairseq_trainer_run(o, o_opt, n, K)
            assert o_lrs == lrs, (key, kw)
            cases.append(case(f"{key}({args_str(kw)})/n={n}", f"{cls_name} (--lr-scheduler {key})", kw, stepping,
                              lrs, notes[key] + f" PORTED from fairseq-0.12.2/fairseq/optim/lr_scheduler/{fname} "
                                                "(fairseq cannot be imported); identical to the original class "
                                                "bodies executed with stubbed imports.",
                              steps_per_epoch=K))
    return "fairseq", "0.12.2 (ported from source)", cases


# ====================================================================== ESPnet

# ESPnet's batch schedulers and the modules that define them.
ESPNET_MODULES = {
    "WarmupLR": "espnet2.schedulers.warmup_lr",
    "NoamLR": "espnet2.schedulers.noam_lr",
    "WarmupStepLR": "espnet2.schedulers.warmup_step_lr",
    "TristageLR": "espnet2.schedulers.tristage_lr",
    "PiecewiseLinearWarmupLR": "espnet2.schedulers.piecewise_linear_warmup_lr",
    "CosineAnnealingWarmupRestarts": "espnet2.schedulers.cosine_anneal_warmup_restart",
    "ExponentialDecayWarmup": "espnet2.schedulers.exponential_decay_warmup",
    "WarmupReduceLROnPlateau": "espnet2.schedulers.warmup_reducelronplateau",
}


def gen_espnet():
    import importlib

    import espnet

    cases = []
    stepping = ("espnet2/train/trainer.py: after optimizer.step(), scheduler.step() for every "
                "AbsBatchStepScheduler (once per optimizer update, i.e. every accum_grad batches, skipped when the "
                "grad norm is not finite); lr[t] = param_groups[0]['lr'] used by update t")
    notes = {
        "WarmupLR": ("lr[t] = lr * W**0.5 * min(s**-0.5, s*W**-1.5) with s = t+1 (last_epoch+1): update 0 "
                     "already uses lr/W, the peak lr is reached at update W-1."),
        "NoamLR": ("lr[t] = lr * model_size**-0.5 * min(s**-0.5, s*W**-1.5), s = t+1 (deprecated; equals WarmupLR "
                   "with lr/sqrt(model_size*W))."),
        "WarmupStepLR": ("Stateful get_lr(): step_num += 1 on every call (torch calls it once at construction "
                         "and once per step()), epoch_num += 1 when step_num % steps_per_epoch == 0; lr = "
                         "lr*step_num/W while step_num <= W, else lr*gamma**((epoch_num - W//steps_per_epoch)//"
                         "step_size)."),
        "TristageLR": ("s = min(t+1, max_steps); warmup/hold/decay steps = int(max_steps*ratio) (decay gets the "
                       "remainder); warmup init_lr_scale*lr + (lr - init)*s/W; decay lr*exp(-decay_factor*(s-W-H))."),
        "PiecewiseLinearWarmupLR": ("np.interp(s, warmup_steps_list, warmup_lr_list) with s = t+1 and, past the "
                                    "last knot, right = lr * last_knot**0.5 * s**-0.5 (the optimizer lr sets the "
                                    "decay, not warmup_lr_list[-1])."),
        "CosineAnnealingWarmupRestarts": ("__init__ ends with init_lr(): lr = min_lr for update 0 regardless of "
                                          "the torch initial step; optimizer lr is ignored (max_lr/min_lr are "
                                          "absolute); cycle lengths int((cur - warmup)*cycle_mult) + warmup; "
                                          "max_lr *= gamma per cycle."),
        "ExponentialDecayWarmup": ("__init__ ends with init_lr(): update 0 uses 0 (warm_from_zero) or max_lr; "
                                   "then for t >= 1 (last_epoch = t) lr = max_lr*(t+1)/W (warm_from_zero) "
                                   "or, without warm_from_zero, self.base_lrs during warmup - which torch's "
                                   "LRScheduler.__init__ has overwritten with the OPTIMIZER's lr (0.05 here), so "
                                   "updates 1..W-1 run at the optimizer lr, not max_lr; after warmup "
                                   "max_lr*exp(log(min/max)*(t-W)/(total-W))."),
        "WarmupReduceLROnPlateau": ("Not an LRScheduler: the constructor does NOT touch the optimizer lr, so update "
                                    "0 runs at the full optimizer lr; batch step() (metrics=None) sets lr*s/W for "
                                    "s = 1..W (update t uses lr*t/W for 1 <= t <= W), then leaves it (plateau part "
                                    "needs validation metrics; not exercised)."),
    }
    grid = [
        ("WarmupLR", dict(warmup_steps=1), 10, 0.1),
        ("WarmupLR", dict(warmup_steps=10), 60, 0.1),
        ("WarmupLR", dict(warmup_steps=25000), 3, 0.002),
        ("WarmupLR", dict(warmup_steps=2.5), 10, 0.1),
        ("NoamLR", dict(model_size=256, warmup_steps=10), 60, 1.0),
        ("NoamLR", dict(model_size=320, warmup_steps=25000), 3, 1.0),
        ("WarmupStepLR", dict(warmup_steps=10, steps_per_epoch=5, step_size=1, gamma=0.5), 40, 0.1),
        ("WarmupStepLR", dict(warmup_steps=12, steps_per_epoch=5, step_size=2, gamma=0.1), 50, 0.1),
        ("WarmupStepLR", dict(warmup_steps=1, steps_per_epoch=3, step_size=1, gamma=0.9), 15, 0.1),
        ("TristageLR", dict(max_steps=100, warmup_ratio=0.1, hold_ratio=0.4, decay_ratio=0.5, init_lr_scale=0.01,
                            final_lr_scale=0.01), 110, 0.1),
        ("TristageLR", dict(max_steps=33, warmup_ratio=0.15, hold_ratio=0.35, decay_ratio=0.5, init_lr_scale=0.05,
                            final_lr_scale=0.1), 40, 0.1),
        ("TristageLR", dict(max_steps=20, warmup_ratio=0.0, hold_ratio=0.5, decay_ratio=0.5, init_lr_scale=1.0,
                            final_lr_scale=0.05), 25, 0.1),
        ("PiecewiseLinearWarmupLR", dict(warmup_steps_list=[0, 10], warmup_lr_list=[0.0, 0.001]), 40, 0.001),
        ("PiecewiseLinearWarmupLR", dict(warmup_steps_list=[0, 5, 20], warmup_lr_list=[0.0, 0.0005, 0.001]), 40,
         0.002),
        ("CosineAnnealingWarmupRestarts", dict(first_cycle_steps=20, cycle_mult=1.0, max_lr=0.1, min_lr=0.001,
                                               warmup_steps=5, gamma=1.0), 50, 0.05),
        ("CosineAnnealingWarmupRestarts", dict(first_cycle_steps=10, cycle_mult=2.0, max_lr=0.1, min_lr=0.001,
                                               warmup_steps=2, gamma=0.5), 60, 0.05),
        ("CosineAnnealingWarmupRestarts", dict(first_cycle_steps=8, cycle_mult=1.0, max_lr=0.1, min_lr=0.0,
                                               warmup_steps=0, gamma=1.0), 20, 0.05),
        ("ExponentialDecayWarmup", dict(max_lr=0.1, min_lr=0.001, total_steps=50, warmup_steps=10,
                                        warm_from_zero=True), 60, 0.05),
        ("ExponentialDecayWarmup", dict(max_lr=0.1, min_lr=0.001, total_steps=50, warmup_steps=10,
                                        warm_from_zero=False), 60, 0.05),
        ("ExponentialDecayWarmup", dict(max_lr=0.1, min_lr=0.01, total_steps=20, warmup_steps=0), 25, 0.05),
        ("WarmupReduceLROnPlateau", dict(warmup_steps=10), 20, 0.1),
    ]
    for cls, kw, n, base in grid:
        mod = importlib.import_module(ESPNET_MODULES[cls])
        opt = make_opt("adam", base)
        sch = getattr(mod, cls)(opt, **kw)
        lrs = run_torch_style(opt, sch.step, n)
        cases.append(case(f"{cls}({args_str(kw)})/lr={base}/n={n}", cls, kw, stepping, lrs, notes[cls],
                          optimizer_lr=base, module=ESPNET_MODULES[cls]))
    # torch's schedulers in espnet2/tasks/abs_task.py scheduler_classes: CyclicLR, OneCycleLR and
    # CosineAnnealingWarmRestarts are AbsBatchStepSchedulers (stepped after every update), CosineAnnealingLR
    # an AbsEpochStepScheduler (stepped at the end of every epoch, in Trainer.run).
    import torch.optim.lr_scheduler as S
    torch_grid = [
        ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, step_size_down=3, mode="triangular2"), 40, 1),
        ("CyclicLR", dict(base_lr=0.001, max_lr=0.01, step_size_up=4, mode="exp_range", gamma=0.99), 30, 1),
        ("OneCycleLR", dict(max_lr=0.1, total_steps=30), 30, 1),
        ("OneCycleLR", dict(max_lr=0.05, total_steps=25, three_phase=True, anneal_strategy="linear"), 25, 1),
        ("OneCycleLR", dict(max_lr=0.1, epochs=3, steps_per_epoch=7, pct_start=0.25), 21, 1),
        ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=2, eta_min=1e-4), 40, 1),
        ("CosineAnnealingLR", dict(T_max=10), 11, 1),
        ("CosineAnnealingLR", dict(T_max=5, eta_min=1e-3), 24 * 3, 3),
    ]
    torch_note = ("torch.optim.lr_scheduler.{cls} as espnet2 builds it (scheduler_classes); batch schedulers step "
                  "after every update, CosineAnnealingLR once per epoch of {k} updates (past T_max torch's "
                  "recursive form climbs back along the cosine).")
    for cls, kw, n, k in torch_grid:
        opt = make_opt("adam", 0.05)
        sch = getattr(S, cls)(opt, **kw)
        if cls == "CosineAnnealingLR":
            lrs = []
            for t in range(n):
                lrs.append(f(opt.param_groups[0]["lr"]))
                opt.step()
                if (t + 1) % k == 0:
                    sch.step()
        else:
            lrs = run_torch_style(opt, sch.step, n)
        cases.append(case(f"{cls}({args_str(kw)})/lr=0.05/n={n}" + (f"/updates_per_epoch={k}" if k > 1 else ""),
                          cls, kw, stepping, lrs, torch_note.format(cls=cls, k=k), optimizer_lr=0.05,
                          module="torch.optim.lr_scheduler", steps_per_epoch=k))
    return "espnet", espnet.__version__, cases


# ================================================================== Megatron

def gen_megatron():
    import importlib.metadata
    import logging

    logging.disable(logging.WARNING)
    from megatron.core import num_microbatches_calculator as nmc
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    cases = []

    def build(kw, base=0.1):
        opt = make_opt("adamw", base)
        full = dict(start_wd=0.0, end_wd=0.0, wd_incr_steps=max(1, kw["lr_decay_steps"]), wd_incr_style="constant")
        full.update(kw)
        return opt, OptimizerParamScheduler(opt, **full), full

    def run_inc(kw, increments):
        opt, sch, full = build(kw)
        lrs = []
        for i, inc in enumerate(increments):
            lrs.append(f(opt.param_groups[0]["lr"]))
            if i < len(increments) - 1:
                opt.step()
                sch.step(inc)
        return lrs, full

    iter_stepping = ("OptimizerParamScheduler.__init__ calls step(0); after each successful update "
                     "step(increment=1) (iteration clock); lr[t] = lr at num_steps = t")
    note = ("warmup (lr_warmup_steps > 0 and num_steps <= lr_warmup_steps, inclusive): init_lr + (max_lr-init_lr)*"
            "num_steps/lr_warmup_steps; constant -> max_lr; num_steps > lr_decay_steps -> min_lr; "
            "inverse-square-root: max(min_lr, max_lr*sqrt(max(W,1))/sqrt(max(num_steps,1))); else decay_ratio = "
            "(num_steps-W)/(lr_decay_steps-W) with linear 1-r, cosine 0.5*(cos(pi r)+1), WSD: 1 until "
            "lr_decay_steps - wsd_decay_steps then lr_wsd_decay_style (linear, cosine, exponential 2*0.5**r-1, "
            "minus_sqrt 1-sqrt(r)); lr = min_lr + coeff*(max_lr-min_lr). Requires lr_warmup_steps < "
            "lr_decay_steps.")
    grid = []
    for style in ("linear", "cosine", "inverse-square-root", "constant"):
        for W, init in ((0, 0.0), (1, 0.0), (10, 0.0), (10, 1e-5)):
            for mn in (0.0, 1e-4):
                grid.append(dict(init_lr=init, max_lr=0.1, min_lr=mn, lr_warmup_steps=W, lr_decay_steps=100,
                                 lr_decay_style=style))
    for ws in ("linear", "cosine", "exponential", "minus_sqrt"):
        for W, wsd in ((10, 20), (0, 100), (5, 1)):
            grid.append(dict(init_lr=0.0, max_lr=0.1, min_lr=1e-4, lr_warmup_steps=W, lr_decay_steps=100,
                             lr_decay_style="WSD", wsd_decay_steps=wsd, lr_wsd_decay_style=ws))
    for kw in grid:
        n = 110
        lrs, full = run_inc(kw, [1] * n)
        cases.append(case(f"OptimizerParamScheduler({args_str(kw)})/increment=1", "OptimizerParamScheduler", full,
                          iter_stepping, lrs, note, increments=[1] * (n - 1)))
    for kw, n in ((dict(init_lr=0.0, max_lr=0.1, min_lr=0.0, lr_warmup_steps=10, lr_decay_steps=100,
                        lr_decay_style="cosine"), 3),
                  (dict(init_lr=0.0, max_lr=0.1, min_lr=0.0, lr_warmup_steps=50, lr_decay_steps=100,
                        lr_decay_style="linear"), 20)):
        lrs, full = run_inc(kw, [1] * n)
        cases.append(case(f"OptimizerParamScheduler({args_str(kw)})/increment=1/n={n}", "OptimizerParamScheduler",
                          full, iter_stepping, lrs, note + " Short run / run shorter than warmup.",
                          increments=[1] * (n - 1)))

    # iteration-based training as training.py does it: *_iters scaled by global_batch_size, increment = GBS
    gbs = 32
    for it_kw in (dict(lr_warmup_iters=10, lr_decay_iters=100, lr_decay_style="cosine", lr_wsd_decay_iters=None),
                  dict(lr_warmup_iters=10, lr_decay_iters=100, lr_decay_style="WSD", lr_wsd_decay_iters=20,
                       lr_wsd_decay_style="minus_sqrt"),
                  dict(lr_warmup_fraction=0.05, lr_decay_iters=100, lr_decay_style="linear", lr_wsd_decay_iters=None)):
        kw = dict(init_lr=0.0, max_lr=0.1, min_lr=1e-4, lr_decay_steps=it_kw["lr_decay_iters"] * gbs,
                  lr_decay_style=it_kw["lr_decay_style"])
        if "lr_warmup_fraction" in it_kw:
            kw["lr_warmup_steps"] = it_kw["lr_warmup_fraction"] * kw["lr_decay_steps"]
        else:
            kw["lr_warmup_steps"] = it_kw["lr_warmup_iters"] * gbs
        if it_kw.get("lr_wsd_decay_iters"):
            kw["wsd_decay_steps"] = it_kw["lr_wsd_decay_iters"] * gbs
            kw["lr_wsd_decay_style"] = it_kw["lr_wsd_decay_style"]
        n = 105
        lrs, full = run_inc(kw, [gbs] * n)
        cases.append(case(f"training.py iteration-based({args_str(it_kw)}, global_batch_size={gbs})",
                          "OptimizerParamScheduler", full,
                          "Megatron train_step: step(increment = num_microbatches*micro_batch_size*dp = global "
                          "batch size) after each successful iteration; get_optimizer_param_scheduler scales "
                          "lr_warmup_iters/lr_decay_iters/lr_wsd_decay_iters by global_batch_size (or "
                          "lr_warmup_steps = lr_warmup_fraction*lr_decay_steps)", lrs,
                          note + " Sample clock: num_steps counts samples; identical to the increment=1 iteration "
                                 "clock when the batch size is constant.",
                          megatron_args=dict(it_kw, global_batch_size=gbs, lr=0.1, min_lr=1e-4, lr_warmup_init=0.0),
                          increments=[gbs] * (n - 1)))

    # sample-based training with --rampup-batch-size (only allowed with --train-samples)
    for rampup, gbs, mbs, dp, samples_kw in (
            ([8, 8, 1000], 64, 2, 2, dict(lr_warmup_samples=320, lr_decay_samples=6400, lr_decay_style="cosine")),
            ([16, 16, 640], 64, 4, 1, dict(lr_warmup_samples=0, lr_decay_samples=4000, lr_decay_style="linear")),
            ([4, 4, 200], 32, 4, 1, dict(lr_warmup_samples=64, lr_decay_samples=3200, lr_decay_style="WSD",
                                         lr_wsd_decay_samples=960, lr_wsd_decay_style="cosine")),
            ([4, 4, 256], 32, 4, 1, dict(lr_warmup_samples=96, lr_decay_samples=3200,
                                         lr_decay_style="inverse-square-root")),
            ([8, 8, 300], 32, 8, 1, dict(lr_warmup_samples=0, lr_decay_samples=2000,
                                         lr_decay_style="inverse-square-root"))):
        nmc.destroy_num_microbatches_calculator()
        nmc.init_num_microbatches_calculator(0, rampup, gbs, mbs, dp, False)
        kw = dict(init_lr=0.0, max_lr=0.1, min_lr=1e-5, lr_warmup_steps=samples_kw["lr_warmup_samples"],
                  lr_decay_steps=samples_kw["lr_decay_samples"], lr_decay_style=samples_kw["lr_decay_style"])
        if "lr_wsd_decay_samples" in samples_kw:
            kw["wsd_decay_steps"] = samples_kw["lr_wsd_decay_samples"]
            kw["lr_wsd_decay_style"] = samples_kw["lr_wsd_decay_style"]
        opt, sch, full = build(kw)
        consumed = 0
        lrs, incs, gbs_seq = [], [], []
        while consumed < samples_kw["lr_decay_samples"] + 2 * gbs:
            nmc.update_num_microbatches(consumed, True)
            inc = nmc.get_num_microbatches() * mbs * dp
            lrs.append(f(opt.param_groups[0]["lr"]))
            gbs_seq.append(inc)
            opt.step()
            sch.step(inc)
            incs.append(inc)
            consumed += inc
        cases.append(case(f"training.py sample-based rampup_batch_size={rampup} global_batch_size={gbs} "
                          f"micro_batch_size={mbs} dp={dp} ({args_str(samples_kw)})", "OptimizerParamScheduler",
                          full,
                          "Megatron train(): update_num_microbatches(consumed_train_samples, consistency_check=True) "
                          "at the start of each iteration (megatron/core/num_microbatches_calculator.py "
                          "RampupBatchsizeNumMicroBatchesCalculator), train_step then calls step(increment = "
                          "num_microbatches*micro_batch_size*dp) and consumed_train_samples += increment",
                          lrs,
                          note + " lr[t] is the lr at num_steps = consumed samples before iteration t; "
                                 "'increments' lists the increment passed after each iteration (the batch size of "
                                 "that iteration).",
                          megatron_args=dict(samples_kw, rampup_batch_size=rampup, global_batch_size=gbs,
                                             micro_batch_size=mbs, data_parallel_size=dp, lr=0.1, min_lr=1e-5,
                                             lr_warmup_init=0.0),
                          increments=incs, batch_size_per_iteration=gbs_seq))
    return "megatron-core", importlib.metadata.version("megatron-core"), cases


# ======================================================================== OLMo

def gen_olmo():
    import importlib.metadata

    from olmo.optim import (
        ConstantScheduler,
        ConstantWithWarmupScheduler,
        CosLinearEnvelope,
        CosWithWarmup,
        InvSqrtWithWarmup,
        LinearWithWarmup,
    )

    cls = dict(CosWithWarmup=CosWithWarmup, LinearWithWarmup=LinearWithWarmup, InvSqrtWithWarmup=InvSqrtWithWarmup,
               ConstantScheduler=ConstantScheduler, ConstantWithWarmupScheduler=ConstantWithWarmupScheduler,
               CosLinearEnvelope=CosLinearEnvelope)
    cases = []
    base = 4e-4
    stepping = ("olmo/train.py fit(): self.global_step += 1 BEFORE train_step(), and train_step sets "
                "group['lr'] = scheduler.get_lr(learning_rate, scheduler_current, scheduler_max) before "
                "optim.step(); with units=steps scheduler_current = global_step, so update t (0-based) uses "
                "get_lr(lr, t+1, max_steps)")
    note = ("warmup: warmup_min_lr (None -> 0.1*initial_lr) + (lr - warmup_min_lr)*min(step,W)/W for step < W; "
            "Cos/Linear: step >= t_max (or max_steps) -> alpha_f*lr. Because the trainer passes step = t+1, "
            "update 0 already has step 1 and step 0 is never used. 'lr_at_step_t' is get_lr(lr, t, max_steps) "
            "for comparison.")
    grid = []
    for name in ("CosWithWarmup", "LinearWithWarmup", "CosLinearEnvelope"):
        for W in (0, 1, 10):
            for af in (0.1, 0.0):
                for wmin in (None, 0.0):
                    grid.append((name, dict(warmup_steps=W, alpha_f=af, t_max=None, warmup_min_lr=wmin), 100, 105))
        grid.append((name, dict(warmup_steps=10, alpha_f=0.1, t_max=50, warmup_min_lr=None), 100, 100))
    for W in (1, 10):
        for wmin in (None, 0.0):
            grid.append(("InvSqrtWithWarmup", dict(warmup_steps=W, warmup_min_lr=wmin), 100, 100))
            grid.append(("ConstantWithWarmupScheduler", dict(warmup_steps=W, warmup_min_lr=wmin), 100, 30))
    grid.append(("InvSqrtWithWarmup", dict(warmup_steps=0, warmup_min_lr=None), 100, 10))
    grid.append(("ConstantScheduler", dict(warmup_min_lr=None), 100, 10))
    grid.append(("CosWithWarmup", dict(warmup_steps=10, alpha_f=0.1, t_max=None, warmup_min_lr=None), 100, 3))
    grid.append(("CosWithWarmup", dict(warmup_steps=200, alpha_f=0.1, t_max=None, warmup_min_lr=None), 100, 20))
    for name, kw, max_steps, n in grid:
        sch = cls[name](grad_clip_warmup_steps=None, grad_clip_warmup_factor=None, **kw)
        lrs = [sch.get_lr(base, t + 1, max_steps) for t in range(n)]
        raw = []
        for t in range(n):
            try:
                raw.append(sch.get_lr(base, t, max_steps))
            except ZeroDivisionError:
                raw.append(None)  # e.g. InvSqrtWithWarmup(warmup_steps=0) at step 0
        extra_note = ""
        if name == "InvSqrtWithWarmup" and kw.get("warmup_steps") == 0:
            extra_note = " warmup_steps=0 gives lr*sqrt(0/max(0,step)) = 0 for every step >= 1."
        cases.append(case(f"{name}({args_str(kw)})/max_steps={max_steps}/n={n}", name, kw, stepping, lrs,
                          note + extra_note, initial_lr=base, max_steps=max_steps, lr_at_step_t=raw))
    # token units: scheduler_current = global_train_tokens_seen (after the increment), max = max_tokens
    tpb = 4096 * 8
    for name, kw in (("CosWithWarmup", dict(warmup_steps=10 * tpb, alpha_f=0.1, t_max=None, warmup_min_lr=0.0)),
                     ("LinearWithWarmup", dict(warmup_steps=5 * tpb, alpha_f=0.0, t_max=None, warmup_min_lr=None))):
        max_tokens = 100 * tpb
        sch = cls[name](grad_clip_warmup_steps=None, grad_clip_warmup_factor=None, **kw)
        lrs = [sch.get_lr(base, (t + 1) * tpb, max_tokens) for t in range(100)]
        cases.append(case(f"{name}({args_str(kw)})/units=tokens/tokens_per_batch={tpb}", name, kw,
                          stepping.replace("with units=steps scheduler_current = global_step",
                                           "with scheduler.units=tokens scheduler_current = global_train_tokens_seen "
                                           "(incremented with the global_step)") ,
                          lrs, note + " units=tokens: t_warmup/t_max are in tokens; update t uses "
                                      "tokens = (t+1)*tokens_per_batch and max = max_duration in tokens.",
                          initial_lr=base, max_tokens=max_tokens, tokens_per_batch=tpb))
    return "olmo", importlib.metadata.version("ai2-olmo"), cases


# ==================================================================== Composer

def gen_composer():
    sys.path.insert(0, STUBS)
    import logging

    import composer
    import torch
    from composer.core import State
    from composer.devices import DeviceCPU
    from composer.optim import compile_composer_scheduler
    from composer.optim import scheduler as CS
    from composer.trainer.trainer import _scale_max_duration_by_ssr

    logging.disable(logging.WARNING)
    cases = []
    base = 0.1
    stepping = ("composer Trainer._train_loop: after each batch scheduler.step() (LambdaLR over the stateless "
                "scheduler, compiled by compile_composer_scheduler; it reads state.timestamp) is called BEFORE "
                "state.timestamp advances to the next batch; lr[t] = optimizer lr used by batch t = base * "
                "scheduler(state at batch max(t-1, 0)); 'lr_at_timestamp' = base * scheduler(state at batch t)")

    def run(sched, max_duration, n, ssr=1.0, dataloader_len=None):
        opt = torch.optim.SGD([torch_param()], lr=base, momentum=0.9)
        st = State(model=torch.nn.Linear(1, 1), rank_zero_seed=0, run_name="golden", device=DeviceCPU(),
                   max_duration=max_duration, optimizers=opt)
        if dataloader_len is not None:
            dl = torch.utils.data.DataLoader(list(range(dataloader_len)), batch_size=1)
            st.set_dataloader(dl, "train")
        if ssr != 1.0:
            st.max_duration = _scale_max_duration_by_ssr(ssr, st.max_duration)
        lam = compile_composer_scheduler(sched, st, ssr)
        lrs, direct = [], []
        for _ in range(n):
            lrs.append(f(opt.param_groups[0]["lr"]))
            direct.append(base * f(sched(st, ssr) if ssr != 1.0 else sched(st)))
            opt.step()
            lam.step()  # trainer: schedulers step before the timestamp moves on
            st.timestamp = st.timestamp.to_next_batch(samples=1, tokens=0)
            if dataloader_len is not None and int(st.timestamp.batch_in_epoch) == dataloader_len:
                st.timestamp = st.timestamp.to_next_epoch()
        return lrs, direct, str(st.max_duration)

    grid = [
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="10ba"), "100ba"),
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="10ba", alpha_f=0.1), "100ba"),
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="0.1dur", t_max="1dur", alpha_f=0.0), "100ba"),
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="0ba", alpha_f=0.0), "50ba"),
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="1ba", alpha_f=0.0), "50ba"),
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="10ba", t_max="80ba", alpha_f=0.05), "100ba"),
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="200ba"), "100ba"),
        ("LinearWithWarmupScheduler", dict(t_warmup="10ba"), "100ba"),
        ("LinearWithWarmupScheduler", dict(t_warmup="10ba", alpha_i=1.0, alpha_f=0.1), "100ba"),
        ("LinearWithWarmupScheduler", dict(t_warmup="0.05dur", alpha_i=0.5, alpha_f=0.0, t_max="1dur"), "100ba"),
        ("ConstantWithWarmupScheduler", dict(t_warmup="10ba"), "50ba"),
        ("ConstantWithWarmupScheduler", dict(t_warmup="10ba", alpha=0.5, t_max="30ba"), "50ba"),
        ("MultiStepWithWarmupScheduler", dict(t_warmup="10ba", milestones=["30ba", "60ba"], gamma=0.1), "100ba"),
        ("MultiStepWithWarmupScheduler", dict(t_warmup="5ba", milestones=["0.5dur", "0.75dur"], gamma=0.5),
         "100ba"),
        ("PolynomialWithWarmupScheduler", dict(t_warmup="10ba", power=2.0), "100ba"),
        ("PolynomialWithWarmupScheduler", dict(t_warmup="10ba", power=0.5, alpha_f=0.1), "100ba"),
        ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="10ba"), "3ba"),
    ]
    note = ("Composer schedulers return a multiplier of the optimizer's lr. Warmup: LinearScheduler(alpha_i=0, "
            "alpha_f=1 (or alpha), t_max=t_warmup): multiplier = t/t_warmup for t < t_warmup. After warmup "
            "frac = (t - t_warmup)/(t_max - t_warmup): cosine alpha_f + (1-alpha_f)*0.5*(1+cos(pi*frac)); linear "
            "alpha_i + (alpha_f-alpha_i)*frac; polynomial alpha_f + (1-alpha_f)*(1-frac)**power; 'dur' converts "
            "with int(value*max_duration). Trainer offset: update 0 and update 1 both use scheduler(batch 0).")
    errors = []
    for cls, kw, md in grid:
        n = int(md[:-2])
        try:
            lrs, direct, _ = run(getattr(CS, cls)(**kw), md, n)
        except Exception as e:
            errors.append(dict(scheduler=cls, args=kw, max_duration=md, error=f"{type(e).__name__}: {e}"))
            continue
        cases.append(case(f"{cls}({args_str(kw)})/max_duration={md}", cls, kw, stepping, lrs, note,
                          max_duration=md, optimizer_lr=base, lr_at_timestamp=direct))
    # scale_schedule_ratio and scale_warmup
    for cls, kw, *ratio in (("CosineAnnealingWithWarmupScheduler", dict(t_warmup="10ba", scale_warmup=False)),
                    ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="10ba", scale_warmup=True)),
                    ("LinearWithWarmupScheduler", dict(t_warmup="10ba", scale_warmup=True, alpha_f=0.1)),
                    ("MultiStepWithWarmupScheduler", dict(t_warmup="10ba", milestones=["40ba", "80ba"],
                                                          scale_warmup=False)),
                    ("PolynomialWithWarmupScheduler", dict(t_warmup="10ba", power=2.0, scale_warmup=True)),
                    ("MultiStepWithWarmupScheduler", dict(t_warmup="10ba", milestones=["8ba", "80ba"],
                                                          scale_warmup=True)),
                    ("ConstantWithWarmupScheduler", dict(t_warmup="7ba", alpha=0.5, scale_warmup=True)),
                    ("CosineAnnealingWithWarmupScheduler", dict(t_warmup="10ba", scale_warmup=True), 2.0),
                    ("LinearWithWarmupScheduler", dict(t_warmup="9ba", alpha_i=0.5, scale_warmup=True), 1.5),
                    ("MultiStepWithWarmupScheduler", dict(t_warmup="10ba", milestones=["0ba", "30ba"],
                                                          scale_warmup=True), 2.0)):
        ssr = ratio[0] if ratio else 0.5
        lrs, direct, md_scaled = run(getattr(CS, cls)(**kw), "100ba", int(100 * ssr), ssr=ssr)
        cases.append(case(f"{cls}({args_str(kw)})/max_duration=100ba/scale_schedule_ratio={ssr}", cls, kw, stepping,
                          lrs, note + " scale_schedule_ratio (ssr) scales max_duration (100ba -> 50ba) and every "
                                      "'ba' time passed with ssr (int(value*ssr)); the warmup only when "
                                      "scale_warmup=True.",
                          max_duration="100ba", scale_schedule_ratio=ssr, max_duration_scaled=md_scaled,
                          optimizer_lr=base, lr_at_timestamp=direct))
    # A milestone at batch 0 under a warmup: the warmup still rises to the full lr.
    for kw in (dict(t_warmup="10ba", milestones=["0ba", "30ba"], gamma=0.5),
               dict(t_warmup="4ba", milestones=["0ba", "2ba", "0ba"], gamma=0.1)):
        lrs, direct, _ = run(CS.MultiStepWithWarmupScheduler(**kw), "50ba", 50)
        cases.append(case(f"MultiStepWithWarmupScheduler({args_str(kw)})/max_duration=50ba",
                          "MultiStepWithWarmupScheduler", kw, stepping, lrs,
                          note + " Milestones count from batch 0; the warmup ignores them.",
                          max_duration="50ba", optimizer_lr=base, lr_at_timestamp=direct))
    # epoch-based max_duration with a dataloader length
    for cls, kw in (("CosineAnnealingWithWarmupScheduler", dict(t_warmup="0.1dur")),
                    ("LinearWithWarmupScheduler", dict(t_warmup="1ep", alpha_f=0.0))):
        K = 7
        lrs, direct, _ = run(getattr(CS, cls)(**kw), "5ep", 5 * K, dataloader_len=K)
        cases.append(case(f"{cls}({args_str(kw)})/max_duration=5ep/dataloader_len={K}", cls, kw, stepping, lrs,
                          note + " max_duration in epochs: 'dur' times become int(value*dataloader_len*epochs) "
                                 "batches and 'ep' times value*dataloader_len batches.",
                          steps_per_epoch=K, max_duration="5ep", optimizer_lr=base, lr_at_timestamp=direct))
    return "composer", composer.__version__, cases, {"raises": errors}


# ====================================================================== Paddle

def paddleclas_classes():
    """PaddleClas ppcls/optimizer/learning_rate.py (LRBase version, commit
    0776f1c70030924f4a7973234d0dce7dc496d41c) ported: LRBase, Linear, Cosine,
    Step, Piecewise, MultiStepDecay; built as ppcls/optimizer/__init__.py
    build_lr_scheduler does (lr_config + epochs + step_each_epoch, then
    __call__())."""
    from paddle.optimizer import lr

    class LRBase:
        def __init__(self, epochs, step_each_epoch, learning_rate, warmup_epoch, warmup_start_lr, last_epoch,
                     by_epoch, verbose=False):
            if warmup_epoch >= epochs:
                warmup_epoch = epochs
            self.epochs = epochs
            self.step_each_epoch = step_each_epoch
            self.learning_rate = learning_rate
            self.warmup_epoch = warmup_epoch
            self.warmup_steps = round(self.warmup_epoch * self.step_each_epoch) if by_epoch else self.warmup_epoch
            self.warmup_start_lr = warmup_start_lr
            self.last_epoch = last_epoch
            self.by_epoch = by_epoch
            self.verbose = verbose

        def linear_warmup(self, learning_rate):
            return lr.LinearWarmup(learning_rate=learning_rate, warmup_steps=self.warmup_steps,
                                   start_lr=self.warmup_start_lr, end_lr=self.learning_rate,
                                   last_epoch=self.last_epoch, verbose=self.verbose)

    class Linear(LRBase):
        def __init__(self, epochs, step_each_epoch, learning_rate, end_lr=0.0, power=1.0, cycle=False,
                     warmup_epoch=0, warmup_start_lr=0.0, last_epoch=-1, by_epoch=False, **kwargs):
            super().__init__(epochs, step_each_epoch, learning_rate, warmup_epoch, warmup_start_lr, last_epoch,
                             by_epoch)
            self.decay_steps = (epochs - self.warmup_epoch) * step_each_epoch
            self.end_lr = end_lr
            self.power = power
            self.cycle = cycle
            self.warmup_steps = round(self.warmup_epoch * step_each_epoch)
            if self.by_epoch:
                self.decay_steps = self.epochs - self.warmup_epoch

        def __call__(self):
            learning_rate = lr.PolynomialDecay(learning_rate=self.learning_rate, decay_steps=self.decay_steps,
                                               end_lr=self.end_lr, power=self.power, cycle=self.cycle,
                                               last_epoch=self.last_epoch) if self.decay_steps > 0 \
                else self.learning_rate
            if self.warmup_steps > 0:
                learning_rate = self.linear_warmup(learning_rate)
            learning_rate.by_epoch = self.by_epoch
            return learning_rate

    class Cosine(LRBase):
        def __init__(self, epochs, step_each_epoch, learning_rate, eta_min=0.0, warmup_epoch=0, warmup_start_lr=0.0,
                     last_epoch=-1, by_epoch=False, **kwargs):
            super().__init__(epochs, step_each_epoch, learning_rate, warmup_epoch, warmup_start_lr, last_epoch,
                             by_epoch)
            self.T_max = (self.epochs - self.warmup_epoch) * self.step_each_epoch
            self.eta_min = eta_min
            if self.by_epoch:
                self.T_max = self.epochs - self.warmup_epoch

        def __call__(self):
            learning_rate = lr.CosineAnnealingDecay(learning_rate=self.learning_rate, T_max=self.T_max,
                                                    eta_min=self.eta_min, last_epoch=self.last_epoch) \
                if self.T_max > 0 else self.learning_rate
            if self.warmup_steps > 0:
                learning_rate = self.linear_warmup(learning_rate)
            learning_rate.by_epoch = self.by_epoch
            return learning_rate

    class Step(LRBase):
        def __init__(self, epochs, step_each_epoch, learning_rate, step_size, gamma, warmup_epoch=0,
                     warmup_start_lr=0.0, last_epoch=-1, by_epoch=False, **kwargs):
            super().__init__(epochs, step_each_epoch, learning_rate, warmup_epoch, warmup_start_lr, last_epoch,
                             by_epoch)
            self.step_size = step_size * step_each_epoch
            self.gamma = gamma
            if self.by_epoch:
                self.step_size = step_size

        def __call__(self):
            learning_rate = lr.StepDecay(learning_rate=self.learning_rate, step_size=self.step_size,
                                         gamma=self.gamma, last_epoch=self.last_epoch)
            if self.warmup_steps > 0:
                learning_rate = self.linear_warmup(learning_rate)
            learning_rate.by_epoch = self.by_epoch
            return learning_rate

    class Piecewise(LRBase):
        def __init__(self, epochs, step_each_epoch, decay_epochs, values, warmup_epoch=0, warmup_start_lr=0.0,
                     last_epoch=-1, by_epoch=False, **kwargs):
            super().__init__(epochs, step_each_epoch, values[0], warmup_epoch, warmup_start_lr, last_epoch,
                             by_epoch)
            self.values = values
            self.boundaries_steps = [e * step_each_epoch for e in decay_epochs]
            if self.by_epoch is True:
                self.boundaries_steps = decay_epochs

        def __call__(self):
            learning_rate = lr.PiecewiseDecay(boundaries=self.boundaries_steps, values=self.values,
                                              last_epoch=self.last_epoch)
            if self.warmup_steps > 0:
                learning_rate = self.linear_warmup(learning_rate)
            learning_rate.by_epoch = self.by_epoch
            return learning_rate

    class MultiStepDecay(LRBase):
        def __init__(self, epochs, step_each_epoch, learning_rate, milestones, gamma=0.1, warmup_epoch=0,
                     warmup_start_lr=0.0, last_epoch=-1, by_epoch=False, **kwargs):
            super().__init__(epochs, step_each_epoch, learning_rate, warmup_epoch, warmup_start_lr, last_epoch,
                             by_epoch)
            self.milestones = [x * step_each_epoch for x in milestones]
            self.gamma = gamma
            if self.by_epoch:
                self.milestones = milestones

        def __call__(self):
            learning_rate = lr.MultiStepDecay(learning_rate=self.learning_rate, milestones=self.milestones,
                                              gamma=self.gamma, last_epoch=self.last_epoch)
            if self.warmup_steps > 0:
                learning_rate = self.linear_warmup(learning_rate)
            learning_rate.by_epoch = self.by_epoch
            return learning_rate

    return dict(Linear=Linear, Cosine=Cosine, Step=Step, Piecewise=Piecewise, MultiStepDecay=MultiStepDecay)


def gen_paddle():
    import paddle
    from paddle.optimizer import lr as PL

    paddle.set_device("cpu")
    cases = []
    stepping = ("paddle LRScheduler: lr[t] = scheduler() (last_lr) after t calls of scheduler.step(), one step() "
                "after each optimizer.step()")

    def run(s, n):
        out = []
        for t in range(n):
            out.append(f(s()))
            if t < n - 1:
                s.step()
        return out

    warm_grid = [
        ("CosineAnnealingDecay", dict(learning_rate=0.1, T_max=40, eta_min=0.0)),
        ("CosineAnnealingDecay", dict(learning_rate=0.1, T_max=40, eta_min=1e-3)),
        ("PiecewiseDecay", dict(boundaries=[20, 35], values=[0.1, 0.01, 0.001])),
        ("MultiStepDecay", dict(learning_rate=0.1, milestones=[20, 35], gamma=0.1)),
    ]
    for inner_name, inner_kw in warm_grid:
        for W, start, end in ((10, 0.0, 0.1), (1, 0.0, 0.1), (5, 0.01, 0.1), (10, 0.0, 0.05)):
            inner = getattr(PL, inner_name)(**inner_kw)
            s = PL.LinearWarmup(learning_rate=inner, warmup_steps=W, start_lr=start, end_lr=end)
            args = dict(learning_rate=f"{inner_name}({args_str(inner_kw)})", warmup_steps=W, start_lr=start,
                        end_lr=end)
            cases.append(case(f"LinearWarmup({args_str(args)})", f"LinearWarmup+{inner_name}",
                              dict(args, inner=dict(name=inner_name, **inner_kw)), stepping, run(s, 60),
                              "LinearWarmup: start_lr + (end_lr-start_lr)*t/warmup_steps for t < warmup_steps, "
                              "then the wrapped scheduler stepped to its epoch t - warmup_steps (it starts at its "
                              "own step 0 after the warmup; end_lr is not forced to equal its lr)."))
    kw = dict(learning_rate=0.1, warmup_steps=10, start_lr=0.0, end_lr=0.1)
    cases.append(case(f"LinearWarmup({args_str(kw)})/float", "LinearWarmup", kw, stepping,
                      run(PL.LinearWarmup(**kw), 20), "float learning_rate after warmup"))
    for kw in (dict(max_learning_rate=0.1, total_steps=50),
               dict(max_learning_rate=0.1, total_steps=50, divide_factor=10.0, end_learning_rate=1e-5,
                    phase_pct=0.25, anneal_strategy="linear"),
               dict(max_learning_rate=0.1, total_steps=60, three_phase=True),
               dict(max_learning_rate=0.1, total_steps=3)):
        cases.append(case(f"OneCycleLR({args_str(kw)})", "OneCycleLR", kw, stepping,
                          run(PL.OneCycleLR(**kw), kw["total_steps"]),
                          "Paddle OneCycleLR has no momentum cycling (lr only)."))
    for kw in (dict(base_learning_rate=0.01, max_learning_rate=0.1, step_size_up=5),
               dict(base_learning_rate=0.01, max_learning_rate=0.1, step_size_up=4, step_size_down=8,
                    mode="triangular2"),
               dict(base_learning_rate=0.01, max_learning_rate=0.1, step_size_up=5, mode="exp_range",
                    exp_gamma=0.95),
               dict(base_learning_rate=0.01, max_learning_rate=0.1, step_size_up=5, mode="exp_range",
                    exp_gamma=0.99, scale_mode="iterations")):
        cases.append(case(f"CyclicLR({args_str(kw)})", "CyclicLR", kw, stepping, run(PL.CyclicLR(**kw), 40),
                          "Paddle CyclicLR has no momentum cycling (lr only)."))

    # PaddleClas builder (ported) with its engine stepping
    pc = paddleclas_classes()
    K = 5
    epochs = 10
    pc_grid = [
        ("Cosine", dict(learning_rate=0.1, eta_min=0.0, warmup_epoch=2, warmup_start_lr=0.0)),
        ("Cosine", dict(learning_rate=0.1, eta_min=1e-3, warmup_epoch=0)),
        ("Cosine", dict(learning_rate=0.1, eta_min=0.0, warmup_epoch=2, warmup_start_lr=0.0, by_epoch=True)),
        ("Piecewise", dict(decay_epochs=[4, 7], values=[0.1, 0.01, 0.001], warmup_epoch=1)),
        ("Piecewise", dict(decay_epochs=[4, 7], values=[0.1, 0.01, 0.001], warmup_epoch=1, by_epoch=True)),
        ("MultiStepDecay", dict(learning_rate=0.1, milestones=[4, 7], gamma=0.1, warmup_epoch=1)),
        ("MultiStepDecay", dict(learning_rate=0.1, milestones=[4, 7], gamma=0.1, warmup_epoch=0, by_epoch=True)),
        ("Linear", dict(learning_rate=0.1, end_lr=0.0, power=1.0, warmup_epoch=2)),
        ("Step", dict(learning_rate=0.1, step_size=3, gamma=0.5, warmup_epoch=1)),
    ]
    for name, kw in pc_grid:
        s = pc[name](epochs=epochs, step_each_epoch=K, **kw)()
        by_epoch = getattr(s, "by_epoch", False)
        lrs = []
        for _e in range(epochs):
            for _i in range(K):
                lrs.append(f(s()))
                if not by_epoch:
                    s.step()
            if by_epoch:
                s.step()
        cases.append(case(f"PaddleClas {name}({args_str(kw)}) epochs={epochs} step_each_epoch={K}",
                          f"ppcls.optimizer.learning_rate.{name}",
                          dict(lr=dict(name=name, **kw), epochs=epochs, step_each_epoch=K),
                          "PaddleClas engine: lr_sch.step() after each iteration unless lr_sch.by_epoch is True, "
                          "then once after each epoch", lrs,
                          "PORTED PaddleClas builder (ppcls/optimizer/learning_rate.py, LRBase version). Quirk: "
                          "LRBase sets warmup_steps = round(warmup_epoch*step_each_epoch) only when by_epoch=True, "
                          "else warmup_steps = warmup_epoch, i.e. a warmup of warmup_epoch ITERATIONS (Linear "
                          "recomputes round(warmup_epoch*step_each_epoch) itself); Cosine T_max = (epochs - "
                          "warmup_epoch)*step_each_epoch (epochs - warmup_epoch when by_epoch), while a by_epoch "
                          "LinearWarmup counts warmup_epoch*step_each_epoch epochs. The built paddle scheduler is "
                          "stepped as the engine does.",
                          steps_per_epoch=K, epochs=epochs, lr_per_epoch=lrs[::K],
                          resolved=dict(type=type(s).__name__, warmup_steps=getattr(s, "warmup_steps", 0),
                                        by_epoch=by_epoch)))
    return "paddle", paddle.__version__, cases


# ======================================================================== main

FRAMEWORKS: dict[str, Callable[[], tuple]] = {
    "deepspeed": gen_deepspeed,
    "timm": gen_timm,
    "transformers": gen_transformers,
    "torchtitan": gen_torchtitan,
    "torch": gen_torch,
    "mmengine": gen_mmengine,
    "detectron2": gen_detectron2,
    "fairseq": gen_fairseq,
    "espnet": gen_espnet,
    "megatron": gen_megatron,
    "olmo": gen_olmo,
    "composer": gen_composer,
    "paddle": gen_paddle,
}


def run_inline(name: str) -> None:
    framework, version, cases, *extra = FRAMEWORKS[name]()
    write(framework, version, cases, extra[0] if extra else None)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--inline"]:
        run_inline(argv[1])
        return 0
    names = argv or list(FRAMEWORKS)
    unknown = [n for n in names if n not in FRAMEWORKS]
    if unknown:
        print(f"unknown framework(s): {unknown}; known: {list(FRAMEWORKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        r = subprocess.run([sys.executable, __file__, "--inline", name], cwd=ROOT)
        if r.returncode != 0:
            failed.append(name)
    if failed:
        print(f"FAILED: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
