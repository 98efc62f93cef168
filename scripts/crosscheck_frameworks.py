"""Random draws for the frameworks lrplot's ``--from`` importers map
(lrplot/frameworks/<name>.py), for scripts/crosscheck.py.

Each draw builds the framework's own scheduler (or, for fairseq, PaddleClas
and detectron2's glue, the port in scripts/golden_frameworks.py) from random
but valid arguments, steps it exactly as that framework's trainer does (the
stepping functions of golden_frameworks.py, imported, not copied) and asks
lrplot's mapping for the same arguments. A draw is

    (description, framework values thunk, lrplot curve thunk)

The curve thunk may raise ``lrplot.frameworks.Unsupported``: counted as
refused, never as a mismatch. The run's length is the framework's list.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import os
import random
import sys
from collections.abc import Callable
from typing import Any

import golden_frameworks as G

FDraw = tuple[str, Callable[[], list[float]], Callable[[], Any]]


# ---------------------------------------------------------------- shared pickers


def steps_of(r: random.Random) -> int:
    return r.choice([1, 2, 3, 5, 10, r.randint(1, 60), r.randint(1, 60), r.randint(50, 300)])


def rate_of(r: random.Random) -> float:
    return r.choice([0.1, 1.0, 1e-4, 3e-4, r.uniform(1e-6, 2.0), 10 ** r.uniform(-8, 1)])


def warmup_of(r: random.Random, steps: int) -> int:
    """Warmup 0/1/2 often, otherwise up to past the run."""
    return r.choice([0, 0, 1, 2, r.randint(0, steps + 2), r.randint(0, max(1, steps // 3))])


def ratio_of(r: random.Random) -> float:
    return r.choice([0.0, 0.1, 0.01, 1e-4, r.uniform(0, 1), 10 ** r.uniform(-9, 0)])


def upto(r: random.Random, steps: int) -> int:
    """A length around the run: shorter, equal (boundary on the last step), or longer."""
    return r.choice([1, 2, steps, steps - 1 if steps > 1 else 1, steps + 1, r.randint(1, steps + 5), r.randint(1, 2 * steps + 2)])


def _torch_run(make: Callable[[Any], Any], lr: float, n: int, kind: str = "sgd") -> list[float]:
    opt = G.make_opt(kind, lr)
    scheduler = make(opt)
    return G.run_torch_style(opt, scheduler.step, n)


# ---------------------------------------------------------------- DeepSpeed


def deepspeed_setup() -> None:
    os.environ.setdefault("DS_ACCELERATOR", "cpu")
    import logging

    for name in ("deepspeed", "DeepSpeed"):
        logging.getLogger(name).setLevel(logging.ERROR)


def deepspeed_draw(r: random.Random) -> FDraw:
    from deepspeed.runtime import lr_schedules as L

    from lrplot.frameworks import deepspeed

    n, lr = steps_of(r), rate_of(r)
    name = r.choice(["WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "LRRangeTest"])
    warm = r.choice([1, 2, 3, r.randint(1, n + 3), r.randint(1, 1000)])
    kw: dict[str, Any]
    if name in ("WarmupLR", "WarmupDecayLR"):
        kw = {"warmup_min_lr": r.choice([0.0, lr * ratio_of(r)]), "warmup_num_steps": warm,
              "warmup_type": r.choice(["log", "linear"])}
        if r.random() < 0.8:
            kw["warmup_max_lr"] = lr
        if name == "WarmupDecayLR":
            kw["total_num_steps"] = r.choice([upto(r, n), warm + r.randint(1, n + 2)])
    elif name == "WarmupCosineLR":
        kw = {"total_num_steps": r.choice([upto(r, n), warm + r.randint(1, n + 2)]), "warmup_num_steps": warm,
              "warmup_min_ratio": r.choice([0.0, ratio_of(r)]), "cos_min_ratio": r.choice([0.0001, 0.0, ratio_of(r)]),
              "warmup_type": r.choice(["log", "linear"])}
        # A trainer stops at total_num_steps (update t uses iteration t - 1); past it the cosine turns back up.
        if r.random() < 0.8:
            n = min(n, kw["total_num_steps"] + 1)
    elif name == "OneCycle":
        low = lr * r.choice([0.1, 0.01, r.uniform(0, 1)])
        kw = {"cycle_min_lr": low, "cycle_max_lr": lr, "cycle_first_step_size": r.choice([1, 2, r.randint(1, n + 2)]),
              "cycle_momentum": False}
        if r.random() < 0.5:
            kw["cycle_second_step_size"] = r.choice([0, 1, r.randint(1, n + 2)])
        if r.random() < 0.3:
            kw["cycle_first_stair_count"] = r.randint(0, 4)
        if r.random() < 0.3:
            kw["cycle_second_stair_count"] = r.randint(0, 4)
        if r.random() < 0.5:
            kw["decay_step_size"] = r.choice([0, 1, r.randint(1, 20)])
            kw["decay_lr_rate"] = r.choice([0.0, r.uniform(0, 2)])
    else:
        kw = {"lr_range_test_min_lr": r.choice([lr / 10, lr, 1e-7]),
              "lr_range_test_step_size": r.choice([1, 2, r.randint(1, 10), r.randint(1, n + 3), 2000]),
              "lr_range_test_step_rate": r.choice([1.0, 0.0, r.uniform(0.1, 3), r.uniform(1, 100)]),
              "lr_range_test_staircase": r.random() < 0.5}
        for key in ("lr_range_test_step_rate", "lr_range_test_staircase"):
            if r.random() < 0.2:
                del kw[key]  # DeepSpeed's default

    def theirs() -> list[float]:
        return _torch_run(lambda opt: getattr(L, name)(opt, **kw), lr, n)

    return (f"{name}({kw}) optimizer lr={lr} updates={n}", theirs,
            lambda: deepspeed.scheduler(name, copy.deepcopy(kw), lr, n))


def deepspeed_momentum_draw(r: random.Random) -> FDraw:
    """OneCycle's momentum: betas[0] of a torch Adam (betas in its defaults, as
    DeepSpeed's FusedAdam) before each update, against the momentum schedule
    ``--from`` reads (a held beta1 when DeepSpeed cycles none)."""
    import torch
    from deepspeed.runtime import lr_schedules as L

    from lrplot.frameworks import Curve, deepspeed
    from lrplot.quantities import parse

    n, lr = steps_of(r), rate_of(r)
    kw: dict[str, Any] = {"cycle_min_lr": lr / 10, "cycle_max_lr": lr,
                          "cycle_first_step_size": r.choice([1, 2, r.randint(1, n + 2)])}
    if r.random() < 0.5:
        kw["cycle_second_step_size"] = r.choice([0, 1, r.randint(1, n + 2)])
    if r.random() < 0.3:
        kw["cycle_first_stair_count"] = kw["cycle_second_stair_count"] = r.randint(1, 4)
    if r.random() < 0.7:
        high = r.uniform(0.5, 0.999)
        kw["cycle_max_mom"], kw["cycle_min_mom"] = high, high * r.uniform(0, 1)
    if r.random() < 0.5:
        kw["decay_step_size"] = r.choice([0, 1, r.randint(1, 20)])
        kw["decay_mom_rate"] = r.choice([0.0, r.uniform(0, 0.1)])
    if r.random() < 0.1:
        kw["cycle_momentum"] = False

    def theirs() -> list[float]:
        optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=lr)
        scheduler, out = L.OneCycle(optimizer, **kw), []
        for _ in range(n):
            out.append(float(optimizer.param_groups[0]["betas"][0]))
            optimizer.step()
            scheduler.step()
        return out

    def ours() -> Curve:
        spec = deepspeed.one_cycle_momentum(copy.deepcopy(kw), "Adam")
        if spec is None:  # cycled by nobody: Adam's own beta1
            return Curve("constant", {"lr": 0.9})
        return Curve(*parse("momentum", spec))

    return f"OneCycle({kw}) momentum, Adam lr={lr} updates={n}", theirs, ours


# ---------------------------------------------------------------- timm


def timm_setup() -> None:
    sys.path.insert(0, G.STUBS)


TIMM = ("CosineLRScheduler", "TanhLRScheduler", "StepLRScheduler", "MultiStepLRScheduler", "PolyLRScheduler")


def _timm_common(r: random.Random, span: int) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if r.random() < 0.6:
        kw["warmup_t"] = r.choice([0, 1, 2, r.randint(0, span + 2)])
        kw["warmup_lr_init"] = r.choice([0.0, 1e-6, 10 ** r.uniform(-8, -1)])
        if r.random() < 0.6:
            kw["warmup_prefix"] = r.random() < 0.5
    if r.random() < 0.2:
        kw["noise_range_t"] = r.choice([r.randint(0, span), sorted(r.sample(range(0, span + 3), 2))])
        kw["noise_pct"] = r.choice([0.67, r.uniform(0.01, 1.0)])
        kw["noise_std"] = r.choice([1.0, r.uniform(0.1, 2.0)])
        kw["noise_seed"] = r.randint(0, 1000)
    return kw


def timm_draw(r: random.Random) -> FDraw:
    if r.random() < 0.3:
        return timm_v2_draw(r)
    import timm.scheduler as T

    from lrplot.frameworks import timm

    lr = rate_of(r)
    name = r.choice(TIMM)
    t_in_epochs = r.random() < 0.5
    k = r.choice([1, 1, 2, 3, r.randint(1, 8)])  # updates per epoch
    epochs = r.choice([1, 2, r.randint(1, 30), r.randint(1, 60)])
    span = epochs if t_in_epochs else epochs * k  # the scheduler's own clock
    kw = _timm_common(r, span)
    if "noise_range_t" in kw and "noise_type" in inspect.signature(getattr(T, name)).parameters and r.random() < 0.3:
        kw["noise_type"] = r.choice(["normal", "uniform"])  # only some classes take it
    kw["t_in_epochs"] = t_in_epochs
    if name in ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler"):
        kw["t_initial"] = r.choice([1, 2, upto(r, span)])
        if r.random() < 0.5:
            kw["lr_min"] = lr * r.choice([0.0, ratio_of(r)])
        if r.random() < 0.3:
            kw["cycle_limit"] = r.randint(1, 4)
            kw["cycle_mul"] = r.choice([1.0, 2.0, r.uniform(0.5, 3)])
            kw["cycle_decay"] = r.choice([1.0, 0.5, r.uniform(0.05, 1)])
        if name != "TanhLRScheduler" and r.random() < 0.15:
            kw["k_decay"] = r.choice([0.5, 2.0])
        if name == "PolyLRScheduler":
            kw["power"] = r.choice([0.5, 1.0, 2.0, r.uniform(0.1, 3)])
        if name == "TanhLRScheduler" and r.random() < 0.3:
            kw["lb"], kw["ub"] = -r.uniform(1, 8), r.uniform(1, 5)
    elif name == "StepLRScheduler":
        kw["decay_t"] = r.choice([1, 2, r.randint(1, span + 2), round(r.uniform(0.5, span + 2), 1)])
        kw["decay_rate"] = r.choice([0.1, 0.5, 0.97, r.uniform(0.01, 1.5)])
    else:
        kw["decay_t"] = sorted(r.randint(0, span + 2) for _ in range(r.randint(1, 4)))
        kw["decay_rate"] = r.choice([0.1, 0.5, r.uniform(0.01, 1.5)])
    n = r.choice([epochs * k, epochs * k, r.randint(1, epochs * k)])

    def theirs() -> list[float]:
        opt = G.make_opt("sgd", lr)
        s = getattr(T, name)(opt, **kw)
        return G.timm_loop(s, opt, epochs, k)[:n]

    return (f"{name}({kw}) lr={lr} updates_per_epoch={k} epochs={epochs} updates={n}", theirs,
            lambda: timm.scheduler(name, copy.deepcopy(kw), lr, k, n))


def timm_v2_draw(r: random.Random) -> FDraw:
    from timm.scheduler.scheduler_factory import create_scheduler_v2

    from lrplot.frameworks import timm

    lr = rate_of(r)
    k = r.choice([1, 2, 3, r.randint(1, 8)])
    sched = r.choice(["cosine", "tanh", "poly", "step", "multistep"])
    epochs = r.choice([1, 2, 3, r.randint(1, 30)])
    kw: dict[str, Any] = {"sched": sched, "num_epochs": epochs, "step_on_epochs": r.random() < 0.5}
    if not kw["step_on_epochs"]:
        kw["updates_per_epoch"] = k
    if r.random() < 0.6:
        kw["warmup_epochs"] = r.choice([0, 1, 2, r.randint(0, epochs + 1)])
        kw["warmup_lr"] = r.choice([1e-5, 0.0, lr * ratio_of(r)])
        kw["warmup_prefix"] = r.random() < 0.5
    if r.random() < 0.4:
        kw["cooldown_epochs"] = r.randint(0, 5)
    if r.random() < 0.4:
        kw["min_lr"] = lr * ratio_of(r)
    if sched in ("cosine", "tanh", "poly") and r.random() < 0.3:
        kw["cycle_limit"] = r.randint(1, 3)
        kw["cycle_mul"] = r.choice([1.0, 2.0, 1.5])
        kw["cycle_decay"] = r.choice([0.1, 0.5, 1.0])
    if sched in ("poly", "step", "multistep") and r.random() < 0.7:
        kw["decay_rate"] = r.choice([0.1, 0.5, 0.97, r.uniform(0.05, 2)])
    if sched == "step":
        kw["decay_epochs"] = r.choice([1, 2.4, r.randint(1, epochs + 1)])
    if sched == "multistep":
        kw["decay_milestones"] = sorted(r.randint(0, epochs + 1) for _ in range(r.randint(1, 3)))
    if r.random() < 0.15:
        kw["noise"] = r.choice([r.uniform(0, 1), sorted([r.uniform(0, 1), r.uniform(0, 1)])])
        kw["noise_pct"], kw["noise_std"], kw["noise_seed"] = r.uniform(0.05, 1), r.uniform(0.2, 2), r.randint(0, 99)

    def theirs() -> list[float]:
        opt = G.make_opt("sgd", lr)
        s, num_epochs = create_scheduler_v2(opt, **kw)
        return G.timm_loop(s, opt, num_epochs, k)

    def ours() -> Any:
        curve, _ = timm.create_scheduler_v2(copy.deepcopy(kw), lr, k)
        return curve

    return f"create_scheduler_v2({kw}) lr={lr} updates_per_epoch={k}", theirs, ours


# ---------------------------------------------------------------- transformers


HF_NAMES = ("linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
            "inverse_sqrt", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay")


def transformers_draw(r: random.Random) -> FDraw:
    from transformers import get_scheduler

    from lrplot.dialects import hf
    from lrplot.errors import UsageError
    from lrplot.frameworks import Curve, Unsupported

    lr = rate_of(r)
    name = r.choice(HF_NAMES)
    total = steps_of(r)
    warm = warmup_of(r, total)
    kw: dict[str, Any] = {}
    if name in ("cosine", "cosine_with_restarts") and r.random() < 0.7:
        kw["num_cycles"] = r.choice([0.5, 1, 2, 3, r.uniform(0.1, 3)]) if name == "cosine" else r.choice(
            [r.randint(1, 4), r.uniform(0.2, 6), r.randint(1, 40)])
    if name == "polynomial":
        kw = {"power": r.choice([1.0, 2.0, 0.5, r.uniform(0.1, 3)]), "lr_end": r.choice([1e-7, 0.0, lr * ratio_of(r)])}
    if name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        kw = r.choice([{"min_lr": lr * ratio_of(r)}, {"min_lr_rate": ratio_of(r)}])
        if name == "cosine_warmup_with_min_lr" and r.random() < 0.5:
            kw["warmup_lr_rate"] = ratio_of(r)
    if name == "inverse_sqrt" and r.random() < 0.5:
        kw["timescale"] = r.randint(1, 50)
    if name == "warmup_stable_decay":
        kw = {"num_decay_steps": r.randint(0, total), "warmup_type": r.choice(["linear", "cosine", "1-sqrt"]),
              "decay_type": r.choice(["linear", "cosine", "1-sqrt"]), "min_lr_ratio": r.choice([0.0, ratio_of(r)])}
        if r.random() < 0.7:
            kw["num_stable_steps"] = r.randint(0, total)
        if kw["decay_type"] == "cosine" and r.random() < 0.5:
            kw["num_cycles"] = r.choice([0.5, 1.0, 2.0, r.uniform(0.1, 4)])
    needs_total = name not in ("constant", "constant_with_warmup", "inverse_sqrt") and not (
        name == "warmup_stable_decay" and "num_stable_steps" in kw)
    given_total = total if needs_total or r.random() < 0.5 else None
    n = total if given_total else steps_of(r)  # a Trainer stops at num_training_steps

    def theirs() -> list[float]:
        opt = G.make_opt("adamw", lr)
        s = get_scheduler(name, opt, num_warmup_steps=warm, num_training_steps=given_total,
                          scheduler_specific_kwargs=dict(kw) or None)
        return G.run_torch_style(opt, s.step, n)

    def ours() -> Any:  # as tests/test_frameworks_golden.py maps get_scheduler's arguments
        try:
            schedule, params = hf.SCHEDULERS[name](hf.Run(lr, warm, given_total or n, dict(kw), name))
        except UsageError as error:
            if isinstance(error, Unsupported):
                raise
            raise Unsupported(str(error)) from None
        if warm and name not in hf.NO_WARMUP:
            params = {"warmup_steps": warm, **params}
        return Curve(schedule, {"lr": lr, **params})

    return f"get_scheduler({name!r}, num_warmup_steps={warm}, num_training_steps={given_total}, {kw}) lr={lr} updates={n}", theirs, ours


# ---------------------------------------------------------------- torchtitan


def torchtitan_draw(r: random.Random) -> FDraw:
    from torchtitan.components.optimizer.lr_scheduler import LRSchedulersContainer

    from lrplot.frameworks import torchtitan

    lr, total = rate_of(r), steps_of(r)
    kw = {"warmup_steps": r.choice([0, 1, 2, r.randint(0, total + 2), 200]),
          "decay_ratio": r.choice([None, None, 0.0, 1.0, r.uniform(0, 1), round(r.uniform(0, 1), 1)]),
          "decay_type": r.choice(["linear", "sqrt", "cosine"]), "min_lr_factor": r.choice([0.0, ratio_of(r)]),
          "total_steps": total}
    n = r.choice([total, total, total + 1, r.randint(1, total)])

    def theirs() -> list[float]:
        opt = G.make_opt("adamw", lr)
        container = LRSchedulersContainer.Config(**kw).build(optimizers=[opt], training_steps=total)
        return G.run_torch_style(opt, container.step, n)

    return (f"LRSchedulersContainer.Config({kw}) lr={lr} training_steps={total} updates={n}", theirs,
            lambda: torchtitan.lr_scheduler(dict(kw), lr, total, updates=n))


# ---------------------------------------------------------------- OLMo

OLMO = ("CosWithWarmup", "LinearWithWarmup", "InvSqrtWithWarmup", "ConstantScheduler", "ConstantWithWarmupScheduler",
        "CosLinearEnvelope")


def olmo_draw(r: random.Random) -> FDraw:
    import olmo.optim as O

    from lrplot.frameworks import olmo

    lr = rate_of(r)
    name = r.choice(OLMO)
    max_steps = steps_of(r)
    unit = r.choice([1, 1, 1, 4096, r.randint(2, 64)])  # tokens per update (units=tokens) or steps
    warm = warmup_of(r, max_steps)
    kw: dict[str, Any] = {"warmup_min_lr": r.choice([None, 0.0, lr * r.uniform(0, 0.99)])}
    if name != "ConstantScheduler":
        kw["warmup_steps"] = warm * unit
    if name in ("CosWithWarmup", "LinearWithWarmup", "CosLinearEnvelope"):
        kw["alpha_f"] = r.choice([0.1, 0.0, ratio_of(r)])
        kw["t_max"] = None if r.random() < 0.7 else r.randint(1, max_steps + 3) * unit
    n = r.choice([max_steps, max_steps, r.randint(1, max_steps + 5)])

    def theirs() -> list[float]:
        s = getattr(O, name)(grad_clip_warmup_steps=None, grad_clip_warmup_factor=None, **kw)
        return [float(s.get_lr(lr, (t + 1) * unit, max_steps * unit)) for t in range(n)]

    return (f"{name}({kw}) lr={lr} max={max_steps * unit} unit={unit} updates={n}", theirs,
            lambda: olmo.scheduler(name, dict(kw), lr, max_steps * unit, unit))


# ---------------------------------------------------------------- Megatron


def megatron_setup() -> None:
    import logging

    logging.disable(logging.WARNING)


def megatron_draw(r: random.Random) -> FDraw:
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    from lrplot.frameworks import megatron

    peak = rate_of(r)
    batch = r.choice([1, 1, 32, r.randint(1, 64)])
    decay = r.choice([1, 2, r.randint(1, 60), r.randint(1, 300)])
    warm = r.choice([0, 0, 1, 2, r.randint(0, decay)])
    if warm >= decay:
        warm = decay - 1
    style = r.choice(["linear", "cosine", "inverse-square-root", "constant", "WSD", "WSD"])
    kw: dict[str, Any] = {"init_lr": r.choice([0.0, peak * r.uniform(0, 1)]), "max_lr": peak,
                          "min_lr": r.choice([0.0, peak * ratio_of(r)]), "lr_warmup_steps": warm * batch,
                          "lr_decay_steps": decay * batch, "lr_decay_style": style}
    if r.random() < 0.1:  # a warmup fraction that is not a whole number of updates
        kw["lr_warmup_steps"] = r.choice([0.05, 0.1, r.uniform(0, 0.9)]) * kw["lr_decay_steps"]
    if style == "WSD":
        kw["wsd_decay_steps"] = r.choice([0, 1, r.randint(0, decay), decay]) * batch
        kw["lr_wsd_decay_style"] = r.choice(["linear", "cosine", "exponential", "minus_sqrt"])
    n = r.choice([decay, decay + 1, r.randint(1, decay + 10), r.randint(1, 2 * decay + 2)])
    if r.random() < 0.25:
        return _megatron_ramp_draw(r, kw, n)

    def theirs() -> list[float]:
        opt = G.make_opt("adamw", peak)
        full = {"start_wd": 0.0, "end_wd": 0.0, "wd_incr_steps": max(1, kw["lr_decay_steps"]),
                "wd_incr_style": "constant", **kw}
        s = OptimizerParamScheduler(opt, **full)
        return G.run_torch_style(opt, lambda: s.step(batch), n)

    return (f"OptimizerParamScheduler({kw}) increment={batch} updates={n}", theirs,
            lambda: megatron.scheduler(dict(kw), batch, n))


def _megatron_ramp_draw(r: random.Random, kw: dict[str, Any], n: int) -> FDraw:
    """``--rampup-batch-size``: the scheduler stepped by the batch each update
    consumes, as RampupBatchsizeNumMicroBatchesCalculator grows it."""
    from megatron.core.num_microbatches_calculator import RampupBatchsizeNumMicroBatchesCalculator
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    from lrplot.frameworks import megatron

    start, increment = r.choice([1, 2, 4, r.randint(1, 16)]), r.choice([1, 2, 4, r.randint(1, 8)])
    final = start + r.randint(1, 6) * increment
    ramp = megatron.Ramp(start, increment, r.choice([1, final, r.randint(1, 500)]), final)
    # Lengths in samples: any number, not only whole batches (each part has its own batch).
    kw = {**kw, "lr_decay_steps": r.randint(1, 2000)}
    kw["lr_warmup_steps"] = min(r.choice([0, 0, 1, final, r.randint(0, kw["lr_decay_steps"])]), kw["lr_decay_steps"] - 1)
    if "wsd_decay_steps" in kw:
        kw["wsd_decay_steps"] = r.randint(0, kw["lr_decay_steps"])
    n = r.choice([n, r.randint(1, 300)])

    def theirs() -> list[float]:
        opt = G.make_opt("adamw", kw["max_lr"])
        full = {"start_wd": 0.0, "end_wd": 0.0, "wd_incr_steps": max(1, kw["lr_decay_steps"]),
                "wd_incr_style": "constant", **kw}
        s = OptimizerParamScheduler(opt, **full)
        calc = RampupBatchsizeNumMicroBatchesCalculator(final, 1, 1, False, 0, start, increment, ramp.samples)
        out, consumed = [], 0
        for _ in range(n):
            out.append(float(opt.param_groups[0]["lr"]))
            calc.update(consumed, consistency_check=False)
            size = calc.get_current_global_batch_size()
            opt.step()
            s.step(size)
            consumed += size
        return out

    return (f"OptimizerParamScheduler({kw}) --rampup-batch-size {ramp.start} {ramp.increment} {ramp.samples} "
            f"to {ramp.final} updates={n}", theirs, lambda: megatron.ramped(dict(kw), ramp, n))


# ---------------------------------------------------------------- ESPnet

# The batch schedulers without a metric to follow (the plateau one needs a validation loss).
ESPNET = {name: module for name, module in G.ESPNET_MODULES.items() if "Plateau" not in name}
ESPNET_EPOCH = {"ExponentialLR": "exponentiallr", "StepLR": "steplr", "MultiStepLR": "multisteplr",
                "CosineAnnealingLR": "cosineannealinglr"}
# torch's batch schedulers in espnet2's scheduler_classes (AbsBatchStepScheduler).
ESPNET_TORCH_BATCH = ("CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts")


def _espnet_torch_batch(r: random.Random, name: str, lr: float, n: int) -> dict[str, Any]:
    if name == "CyclicLR":
        kw = {"base_lr": lr * r.choice([0.0, 0.1, r.uniform(0, 0.9)]), "max_lr": lr,
              "step_size_up": r.choice([1, 2, r.randint(1, 20), r.randint(1, n + 2)]),
              "mode": r.choice(["triangular", "triangular2", "exp_range"]), "gamma": r.choice([1.0, r.uniform(0.9, 1)])}
        if r.random() < 0.5:
            kw["step_size_down"] = r.choice([1, r.randint(1, 20)])
        if r.random() < 0.3:
            kw["cycle_momentum"] = False
        return kw
    if name == "OneCycleLR":
        kw = {"max_lr": lr, "pct_start": r.choice([0.3, 0.25, r.uniform(0.01, 0.99)]),
              "anneal_strategy": r.choice(["cos", "linear"]), "three_phase": r.random() < 0.3,
              "div_factor": r.choice([25.0, r.uniform(1, 50)]), "final_div_factor": r.choice([1e4, r.uniform(1, 1e5)])}
        if r.random() < 0.3:
            kw["epochs"], kw["steps_per_epoch"] = r.randint(1, 5), r.randint(1, n + 2)
        else:
            kw["total_steps"] = r.choice([n, n, n + 1, r.randint(1, 2 * n + 2)])
        return kw
    return {"T_0": r.choice([1, 2, r.randint(1, 30)]), "T_mult": r.choice([1, 2, 3]),
            "eta_min": lr * r.choice([0.0, ratio_of(r)])}


def espnet_draw(r: random.Random) -> FDraw:
    from lrplot.frameworks import espnet

    lr, n = rate_of(r), steps_of(r)
    name = r.choice(list(ESPNET) + list(ESPNET_EPOCH) + list(ESPNET_TORCH_BATCH))
    warm = r.choice([1, 2, 3, r.randint(1, n + 2), 25000])
    kw: dict[str, Any]
    k = 1
    if name in ESPNET_TORCH_BATCH:
        kw = _espnet_torch_batch(r, name, lr, n)
    elif name == "WarmupLR":
        kw = {"warmup_steps": warm}
    elif name == "NoamLR":
        kw = {"model_size": r.choice([256, 320, 512, r.randint(1, 2048)]), "warmup_steps": warm}
    elif name == "WarmupStepLR":
        kw = {"warmup_steps": warm, "steps_per_epoch": r.randint(1, 10), "step_size": r.randint(1, 4),
              "gamma": r.choice([0.1, 0.5, r.uniform(0.01, 1.2)])}
    elif name == "TristageLR":
        a, b = sorted([r.choice([0.0, r.uniform(0, 1)]), r.choice([1.0, r.uniform(0, 1)])])
        kw = {"max_steps": r.choice([1, 2, upto(r, n)]), "warmup_ratio": a, "hold_ratio": b - a, "decay_ratio": 1 - b,
              "init_lr_scale": r.choice([0.01, 1.0, ratio_of(r)]), "final_lr_scale": r.choice([0.01, r.uniform(1e-4, 1)])}
    elif name == "PiecewiseLinearWarmupLR":
        knots = sorted(r.sample(range(1, n + 10), r.randint(1, 3)))
        kw = {"warmup_steps_list": [0, *knots],
              "warmup_lr_list": [r.choice([0.0, lr * r.uniform(0, 1)]) for _ in range(len(knots))] + [lr]}
        if r.random() < 0.3:
            kw["warmup_lr_list"][-1] = lr * r.uniform(0.1, 2)
    elif name == "CosineAnnealingWarmupRestarts":
        first = r.choice([1, 2, r.randint(1, n + 2)])
        kw = {"first_cycle_steps": first, "cycle_mult": r.choice([1.0, 2.0, r.uniform(1, 3)]), "max_lr": lr,
              "min_lr": lr * r.choice([0.0, ratio_of(r)]), "warmup_steps": r.randint(0, first - 1),
              "gamma": r.choice([1.0, 0.5, r.uniform(0.1, 1)])}
    elif name == "ExponentialDecayWarmup":
        total = r.choice([2, r.randint(2, n + 5)])
        kw = {"max_lr": lr, "min_lr": lr * r.uniform(1e-4, 1), "total_steps": total,
              "warmup_steps": r.randint(0, total - 1), "warm_from_zero": r.random() < 0.5}
    else:
        k = r.choice([1, 2, r.randint(1, 6)])
        kw = {"ExponentialLR": {"gamma": r.uniform(0.5, 1.0)},
              "StepLR": {"step_size": r.randint(1, 6), "gamma": r.uniform(0.05, 1)},
              "MultiStepLR": {"milestones": sorted(r.randint(1, 12) for _ in range(r.randint(1, 3))),
                              "gamma": r.uniform(0.05, 1)},
              "CosineAnnealingLR": {"T_max": r.choice([1, 2, r.randint(1, 12)]),
                                    "eta_min": lr * r.choice([0.0, ratio_of(r)])}}[name]
    optimizer_lr = lr * r.choice([1.0, 0.5]) if name in ("CosineAnnealingWarmupRestarts", "ExponentialDecayWarmup") else lr

    def theirs() -> list[float]:
        import torch.optim.lr_scheduler as S

        opt = G.make_opt("adam", optimizer_lr)
        if name in ESPNET_EPOCH:  # espnet2 trainer: an epoch scheduler steps after each epoch
            s = getattr(S, name)(opt, **kw)
            out = []
            for t in range(n):
                out.append(float(opt.param_groups[0]["lr"]))
                opt.step()
                if (t + 1) % k == 0:
                    s.step()
            return out
        if name in ESPNET_TORCH_BATCH:  # stepped after every update, the last one too (torch may raise there)
            s = getattr(S, name)(opt, **kw)
            out = []
            for _ in range(n):
                out.append(float(opt.param_groups[0]["lr"]))
                opt.step()
                s.step()
            return out
        s = getattr(importlib.import_module(ESPNET[name]), name)(opt, **copy.deepcopy(kw))
        return G.run_torch_style(opt, s.step, n)

    return (f"{name}({kw}) optimizer lr={optimizer_lr} updates_per_epoch={k} updates={n}", theirs,
            lambda: espnet.scheduler(name, copy.deepcopy(kw), optimizer_lr, k, n))


# ---------------------------------------------------------------- fairseq


def fairseq_draw(r: random.Random) -> FDraw:
    from lrplot.frameworks import fairseq

    lr, n = rate_of(r), steps_of(r)
    k = r.choice([1, 2, 10, r.randint(1, 50)])  # updates per epoch
    name = r.choice(["tri_stage", "inverse_sqrt", "polynomial_decay", "cosine"])
    if name == "tri_stage":
        kw: dict[str, Any] = {"lr": [lr], "init_lr_scale": r.choice([0.01, 0.0, ratio_of(r)]),
                              "final_lr_scale": r.choice([0.01, 0.05, r.uniform(1e-4, 1)]),
                              "max_update": upto(r, n), "warmup_steps": 0, "hold_steps": 0, "decay_steps": 0}
        if r.random() < 0.5:
            a = r.choice([0.1, 0.25, 0.15, 0.0])
            b = r.choice([0.4, 0.35, 0.25, 0.0])
            kw["phase_ratio"] = [a, b, 1 - a - b]  # fairseq asserts the sum is exactly 1
        else:
            kw["phase_ratio"] = None
            kw.update(warmup_steps=r.choice([0, 1, 2, r.randint(0, n)]), hold_steps=r.choice([0, r.randint(0, n)]),
                      decay_steps=r.choice([1, r.randint(1, n + 2)]))
    elif name == "inverse_sqrt":
        kw = {"lr": [lr], "warmup_updates": r.choice([1, 2, r.randint(1, n + 2), 4000]),
              "warmup_init_lr": r.choice([-1, 1e-7, 0.0, lr * r.uniform(0, 1)])}
    elif name == "polynomial_decay":
        kw = {"lr": [lr], "warmup_updates": r.choice([0, 1, 2, r.randint(0, n)]),
              "end_learning_rate": r.choice([0.0, lr * ratio_of(r)]), "power": r.choice([1.0, 2.0, r.uniform(0.1, 3)]),
              "total_num_update": upto(r, n), "force_anneal": None}
        if kw["warmup_updates"] >= kw["total_num_update"] and r.random() < 0.7:
            kw["warmup_updates"] = kw["total_num_update"] - 1
    else:
        kw = {"lr": [lr], "warmup_updates": r.choice([0, 1, 2, r.randint(0, n)]),
              "warmup_init_lr": r.choice([-1, 0.0, 1e-7]), "min_lr": r.choice([0.0, lr * ratio_of(r) * 0.99]),
              "t_mult": r.choice([1.0, 1.0, 2.0, r.uniform(1.1, 3)]), "lr_period_updates": r.choice([-1, r.randint(1, n + 2)]),
              "lr_shrink": r.choice([1.0, 0.1, 0.5, r.uniform(0.1, 1)]), "max_update": upto(r, n)}
        if kw["lr_period_updates"] <= 0 and kw["max_update"] <= kw["warmup_updates"]:
            kw["max_update"] = kw["warmup_updates"] + r.randint(1, 5)
    port = G.FAIRSEQ_PORTS[name][0]

    def theirs() -> list[float]:
        opt = G.FairseqPortOptimizer(kw["lr"][0])
        s = port(G.FairseqCfg(**copy.deepcopy(kw)), opt)
        return G.fairseq_trainer_run(s, opt, n, k)

    return (f"{name}({kw}) updates_per_epoch={k} updates={n}", theirs,
            lambda: fairseq.scheduler(name, copy.deepcopy(kw), n))


# ---------------------------------------------------------------- Composer


def composer_setup() -> None:
    sys.path.insert(0, G.STUBS)
    import logging

    logging.disable(logging.WARNING)


def _time(r: random.Random, batches: int, per_epoch: int | None, allow_dur: bool = True) -> str:
    options = [f"{r.randint(0, batches + 2)}ba", "0ba", "1ba", f"{batches}ba"]
    if allow_dur:
        options.append(f"{r.choice([0.0, 0.05, 0.1, 0.5, 1.0, round(r.uniform(0, 1), 3)])}dur")
    if per_epoch:
        options.append(f"{r.randint(0, max(1, batches // per_epoch))}ep")
    return r.choice(options)


def composer_draw(r: random.Random) -> FDraw:
    import torch
    from composer.core import State
    from composer.devices import DeviceCPU
    from composer.optim import compile_composer_scheduler
    from composer.optim import scheduler as CS
    from composer.trainer.trainer import _scale_max_duration_by_ssr

    from lrplot.frameworks import composer

    lr = rate_of(r)
    name = r.choice(["CosineAnnealingWithWarmupScheduler", "LinearWithWarmupScheduler", "ConstantWithWarmupScheduler",
                     "MultiStepWithWarmupScheduler", "PolynomialWithWarmupScheduler"])
    per_epoch = r.choice([None, None, r.randint(1, 10)])
    if per_epoch:
        epochs = r.randint(1, 8)
        max_duration, batches = f"{epochs}ep", epochs * per_epoch
    else:
        batches = steps_of(r)
        max_duration = f"{batches}ba"
    ssr = r.choice([1.0, 1.0, 1.0, 0.5, r.choice([0.25, 2.0, 1.5])])
    kw: dict[str, Any] = {"t_warmup": _time(r, batches, per_epoch)}
    if name == "MultiStepWithWarmupScheduler":
        kw["milestones"] = sorted({_time(r, batches, None, allow_dur=False) for _ in range(r.randint(1, 3))},
                                  key=lambda s: int(s[:-2]))
        kw["gamma"] = r.choice([0.1, 0.5, r.uniform(0.01, 1)])
    else:
        if r.random() < 0.4:
            kw["t_max"] = r.choice(["1dur", f"{r.randint(1, batches + 2)}ba"])
        if name == "LinearWithWarmupScheduler":
            kw["alpha_i"], kw["alpha_f"] = r.choice([1.0, r.uniform(0, 1)]), r.choice([0.0, r.uniform(0, 1)])
        elif name == "ConstantWithWarmupScheduler":
            kw["alpha"] = r.choice([1.0, r.uniform(0, 1)])
        else:
            kw["alpha_f"] = r.choice([0.0, ratio_of(r)])
        if name == "PolynomialWithWarmupScheduler":
            kw["power"] = r.choice([2.0, 1.0, r.uniform(0.2, 3)])
    if r.random() < 0.3:
        kw["scale_warmup"] = r.random() < 0.5

    def theirs() -> list[float]:
        opt = torch.optim.SGD([G.torch_param()], lr=lr, momentum=0.9)
        st = State(model=torch.nn.Linear(1, 1), rank_zero_seed=0, run_name="crosscheck", device=DeviceCPU(),
                   max_duration=max_duration, optimizers=opt)
        if per_epoch:
            st.set_dataloader(torch.utils.data.DataLoader(list(range(per_epoch)), batch_size=1), "train")
        if ssr != 1.0:
            st.max_duration = _scale_max_duration_by_ssr(ssr, st.max_duration)
        lam = compile_composer_scheduler(getattr(CS, name)(**kw), st, ssr)
        total = int(st.max_duration.value) * (per_epoch or 1)
        out = []
        for _ in range(total):  # as golden_frameworks.gen_composer's run: step, then move the timestamp on
            out.append(float(opt.param_groups[0]["lr"]))
            opt.step()
            lam.step()
            st.timestamp = st.timestamp.to_next_batch(samples=1, tokens=0)
            if per_epoch and int(st.timestamp.batch_in_epoch) == per_epoch:
                st.timestamp = st.timestamp.to_next_epoch()
        return out

    def ours() -> Any:
        run = composer.Run(composer.scaled_duration(max_duration, ssr), per_epoch, 1, ssr)
        return composer.scheduler(name, dict(kw), lr, run)

    return f"{name}({kw}) max_duration={max_duration} dataloader_len={per_epoch} ssr={ssr} lr={lr}", theirs, ours


# ---------------------------------------------------------------- detectron2


def detectron2_draw(r: random.Random) -> FDraw:
    import torch

    from lrplot.frameworks import detectron2

    total = r.choice([1, 2, 3, r.randint(1, 60), r.randint(50, 400)])
    lr = rate_of(r)
    name = r.choice(["WarmupMultiStepLR", "WarmupCosineLR", "WarmupStepWithFixedGammaLR", "WarmupPolyLR"])
    over: dict[str, Any] = {"LR_SCHEDULER_NAME": name, "MAX_ITER": total, "BASE_LR": lr,
                            "WARMUP_ITERS": r.choice([0, 1, 2, r.randint(0, total + 2), 1000]),
                            "WARMUP_FACTOR": r.choice([0.001, 0.1, 1.0, ratio_of(r)]),
                            "WARMUP_METHOD": r.choice(["linear", "linear", "constant"]),
                            "RESCALE_INTERVAL": r.random() < 0.3 and name != "WarmupPolyLR"}
    if name == "WarmupMultiStepLR":
        over["STEPS"] = tuple(sorted(r.randint(0, total + 3) for _ in range(r.randint(1, 3))))
        over["GAMMA"] = r.choice([0.1, 0.5, r.uniform(0.01, 1.5)])
    elif name == "WarmupCosineLR":
        over["BASE_LR_END"] = r.choice([0.0, lr * r.uniform(0, 1)])
    elif name == "WarmupStepWithFixedGammaLR":
        over["GAMMA"], over["NUM_DECAYS"] = r.choice([0.1, 0.5, r.uniform(0.01, 1.5)]), r.randint(1, 6)
    else:
        over["POLY_LR_POWER"] = r.choice([0.9, 1.0, 2.0, r.uniform(0.1, 3)])
        over["POLY_LR_CONSTANT_ENDING"] = r.choice([0.0, 0.0, r.uniform(0, 0.5)])
    solver = dict(G.D2_SOLVER_DEFAULTS, **over)

    def theirs() -> list[float]:
        opt = torch.optim.SGD([G.torch_param()], lr=lr, momentum=0.9)
        s = G.d2_classes()["build_lr_scheduler"](solver, opt)
        return G.run_torch_style(opt, s.step, total)

    return f"SOLVER {over}", theirs, lambda: detectron2.solver(dict(solver))


def detectron2_lazy_draw(r: random.Random) -> FDraw:
    """A LazyConfig's lr_multiplier: fvcore's schedulers, maybe under WarmupParamScheduler, run by
    LRMultiplier over train.max_iter (the config as lrplot's LazyConfig reader leaves it)."""
    import torch
    from fvcore.common import param_scheduler as P

    from lrplot.dialects.lazyconfig import Cfg, Symbol
    from lrplot.frameworks import detectron2_lazy

    total, lr = r.choice([1, 2, 3, r.randint(1, 60), r.randint(50, 400)]), rate_of(r)
    kind = r.choice(["MultiStepParamScheduler", "CosineParamScheduler", "LinearParamScheduler",
                     "PolynomialDecayParamScheduler", "ConstantParamScheduler"])
    if kind == "MultiStepParamScheduler":
        count = r.randint(1, 3)
        updates = r.choice([total, total, r.randint(count + 1, 3 * total + count + 2), 90000])
        kw: dict[str, Any] = {"values": [r.choice([1.0, 0.1, r.uniform(0.01, 1.5)]) for _ in range(count + 1)],
                              "milestones": sorted(r.sample(range(1, max(updates, count + 1)), count)),
                              "num_updates": updates}
    elif kind in ("CosineParamScheduler", "LinearParamScheduler"):
        kw = {"start_value": r.choice([1.0, r.uniform(0, 2)]), "end_value": r.choice([0.0, 0.01, r.uniform(0, 2)])}
    elif kind == "PolynomialDecayParamScheduler":
        kw = {"base_value": r.choice([1.0, r.uniform(0.1, 2)]), "power": r.choice([0.9, 1.0, 2.0, r.uniform(0.1, 3)])}
    else:
        kw = {"value": r.choice([1.0, r.uniform(0.01, 2)])}
    inner = Cfg(_target_=Symbol(f"fvcore.common.param_scheduler.{kind}"), **kw)
    warmup = r.random() < 0.7
    length = r.choice([0, 1, 2, r.randint(0, total), 250]) / r.choice([total, total, 184375])
    factor, method = r.choice([0.001, 0.067, 1.0, ratio_of(r)]), r.choice(["linear", "linear", "constant"])
    config = inner if not warmup else Cfg(_target_=Symbol("detectron2.solver.WarmupParamScheduler"), scheduler=inner,
                                          warmup_length=length, warmup_factor=factor, warmup_method=method)

    def theirs() -> list[float]:
        classes = G.d2_classes()
        multiplier = getattr(P, kind)(**copy.deepcopy(kw))
        if warmup:
            multiplier = classes["WarmupParamScheduler"](multiplier, factor, length, method)
        opt = torch.optim.SGD([G.torch_param()], lr=lr, momentum=0.9)
        s = classes["LRMultiplier"](opt, multiplier, max_iter=total)
        return G.run_torch_style(opt, s.step, total)

    return f"{config!r} max_iter={total} lr={lr}", theirs, lambda: detectron2_lazy.curve(config, lr, total)


# ---------------------------------------------------------------- MMEngine


def mmengine_setup() -> None:
    import mmengine.optim  # noqa: F401  (registers the schedulers)

    G.mm_quadratic_warmup_classes()


def _mm_scheduler(r: random.Random, span: int, by_epoch: bool, main: bool) -> dict[str, Any]:
    kinds = ["PolyLR", "CosineAnnealingLR", "LinearLR", "MultiStepLR", "StepLR", "ExponentialLR", "ConstantLR",
             "CosineRestartLR", "OneCycleLR"] if main else ["LinearLR", "LinearLR", "ConstantLR", "QuadraticWarmupLR"]
    kind = r.choice(kinds)
    c: dict[str, Any] = {"type": kind, "by_epoch": by_epoch}
    if kind == "PolyLR":
        c.update(eta_min=r.choice([0.0, ratio_of(r) * 0.1]), power=r.choice([1.0, 0.9, 2.0, r.uniform(0.1, 3)]))
    elif kind == "CosineAnnealingLR":
        if r.random() < 0.5:
            c["T_max"] = r.randint(1, span + 2)
        c.update(r.choice([{"eta_min": r.choice([0.0, 1e-4])}, {"eta_min_ratio": ratio_of(r)}]))
    elif kind == "LinearLR":
        c.update(start_factor=r.choice([0.001, 0.1, 1.0, r.uniform(0.001, 1)]),
                 end_factor=r.choice([1.0, 1.0, r.uniform(0, 1)]))
    elif kind == "MultiStepLR":
        c.update(milestones=sorted(r.randint(1, span + 2) for _ in range(r.randint(1, 3))),
                 gamma=r.choice([0.1, 0.5, r.uniform(0.01, 1)]))
    elif kind == "StepLR":
        c.update(step_size=r.randint(1, span + 1), gamma=r.choice([0.1, 0.5, r.uniform(0.01, 1)]))
    elif kind == "ExponentialLR":
        c.update(gamma=r.uniform(0.5, 1.0))
    elif kind == "ConstantLR":
        c.update(factor=r.choice([0.5, 0.25, r.uniform(0.01, 1)]))
    elif kind == "CosineRestartLR":
        periods = [r.randint(1, max(1, span // 2 + 1)) for _ in range(r.randint(1, 3))]
        c.update(periods=periods, restart_weights=[1.0] + [r.choice([1.0, 0.5, r.uniform(0, 1)]) for _ in periods[1:]])
        c.update(r.choice([{"eta_min": 0.0}, {"eta_min_ratio": ratio_of(r)}]))
    elif kind == "OneCycleLR":
        c.update(eta_max=r.uniform(0.01, 1), total_steps=span)
    return c


def mmengine_draw(r: random.Random) -> FDraw:
    from lrplot.frameworks import mmengine

    lr, cfgs, mode, k, epochs, total_iters = _mm_draw(r)

    def theirs() -> list[float]:
        if mode == "iter":
            return G.mmengine_runner(cfgs, 1, total_iters, None, lr)[0]
        return G.mmengine_runner(cfgs, epochs, k, k, lr)[0]

    return (f"param_scheduler={cfgs} lr={lr} epoch_length={k if mode != 'iter' else None} iters={total_iters}", theirs,
            lambda: mmengine.param_scheduler(copy.deepcopy(cfgs), lr, k if mode != "iter" else None, total_iters))


def mmengine_quantity_draw(r: random.Random) -> FDraw:
    """The lr draws turned into momentum or weight-decay schedulers: the
    ``*Momentum`` twins on Adam's betas[0], or ``*ParamScheduler`` on SGD's
    momentum or weight decay (OneCycleLR and QuadraticWarmupLR have no twin
    and stay on the lr)."""
    import torch

    from lrplot.frameworks import Curve, mmengine

    lr, drawn, mode, k, epochs, total_iters = _mm_draw(r)
    adam = r.random() < 0.5
    param = "momentum" if adam else r.choice(["momentum", "weight_decay"])
    cfgs = []
    for c in drawn:
        c = dict(c)
        kind = c["type"]
        if kind not in ("OneCycleLR", "QuadraticWarmupLR"):
            c["type"] = kind[: -len("LR")] + ("Momentum" if adam else "ParamScheduler")
            if not adam:
                c["param_name"] = param
        cfgs.append(c)
    optimizer = {"type": "Adam", "lr": lr} if adam else {"type": "SGD", "lr": lr, "momentum": 0.9, "weight_decay": 0.05}

    def theirs() -> list[float]:
        kw = {key: value for key, value in optimizer.items() if key != "type"}
        opt = getattr(torch.optim, optimizer["type"])([torch.nn.Parameter(torch.zeros(1))], **kw)
        read = (lambda group: group["betas"][0]) if adam else (lambda group: group[param])
        if mode == "iter":
            return G.mmengine_runner(cfgs, 1, total_iters, None, lr, opt, read)[0]
        return G.mmengine_runner(cfgs, epochs, k, k, lr, opt, read)[0]

    def ours() -> Curve:
        start, _ = mmengine.start_value(optimizer, param, generic=not adam)
        return mmengine.map_param_scheduler(copy.deepcopy(cfgs), start, k if mode != "iter" else None, total_iters,
                                            param=param).curve

    return (f"param_scheduler={cfgs} on {param}, {optimizer} epoch_length={k if mode != 'iter' else None} "
            f"iters={total_iters}", theirs, ours)


def _mm_draw(r: random.Random) -> tuple[float, list[dict[str, Any]], str, int, int, int]:
    """A random param_scheduler list: (lr, cfgs, mode, epoch length, epochs, iterations)."""
    lr = rate_of(r)
    mode = r.choice(["iter", "iter", "epoch", "convert", "mixed"])
    k = 1 if mode == "iter" else r.choice([1, 2, r.randint(1, 8)])
    epochs = r.choice([1, 2, r.randint(1, 20)])
    total_iters = r.choice([1, 2, 3, r.randint(1, 60), r.randint(50, 200)]) if mode == "iter" else epochs * k
    span = total_iters if mode == "iter" else epochs
    by_epoch = mode != "iter"
    cfgs = []
    if r.random() < 0.6:
        warm_by_epoch = by_epoch and mode != "mixed"
        warm_span = span if warm_by_epoch else total_iters
        w = _mm_scheduler(r, warm_span, warm_by_epoch, main=False)
        w.update(begin=0, end=r.choice([1, 2, r.randint(1, max(1, warm_span // 2 + 1))]))
        if mode == "convert":
            w["convert_to_iter_based"] = True
        cfgs.append(w)
    m = _mm_scheduler(r, span, by_epoch, main=True)
    if cfgs and r.random() < 0.7:
        m["begin"] = cfgs[0]["end"] if r.random() < 0.8 else 0
    elif r.random() < 0.2:
        m["begin"] = r.randint(0, max(0, span // 3))
    if r.random() < 0.5 or m["type"] in ("LinearLR", "ConstantLR") or (m["type"] == "CosineAnnealingLR" and "T_max" not in m):
        m["end"] = m.get("begin", 0) + r.randint(1, span + 2)
    if m["type"] == "OneCycleLR":
        m["total_steps"] = m.get("end", span) - m.get("begin", 0) if r.random() < 0.6 else m["total_steps"]
    if mode == "convert":
        m["convert_to_iter_based"] = True
    cfgs.append(m)
    if r.random() < 0.15:  # a third scheduler, overlapping the others somewhere
        third = _mm_scheduler(r, span, by_epoch and r.random() < 0.5, main=True)
        if third["type"] not in ("OneCycleLR", "CosineRestartLR"):
            bound = span if third.get("by_epoch", True) else total_iters
            third["begin"] = r.randint(0, max(0, bound // 2))
            third["end"] = third["begin"] + r.randint(1, bound + 2)
            cfgs.append(third)
    if len(cfgs) > 1 and r.random() < 0.2:  # the Runner steps them in list order
        cfgs.reverse()
    return lr, cfgs, mode, k, epochs, total_iters


# ---------------------------------------------------------------- Paddle (mapping) and PaddleClas


def paddle_setup() -> None:
    import paddle

    paddle.set_device("cpu")


def _paddle_inner(r: random.Random, lr: float, n: int) -> tuple[str, dict[str, Any]]:
    name = r.choice(["CosineAnnealingDecay", "PiecewiseDecay", "MultiStepDecay", "StepDecay", "ExponentialDecay",
                     "PolynomialDecay", "NaturalExpDecay", "InverseTimeDecay", "NoamDecay", "LambdaDecay"])
    if name == "CosineAnnealingDecay":
        return name, {"learning_rate": lr, "T_max": r.randint(1, n + 3), "eta_min": r.choice([0.0, lr * ratio_of(r)])}
    if name == "PiecewiseDecay":
        b = sorted(r.sample(range(1, n + 4), r.randint(1, min(3, n + 3))))
        return name, {"boundaries": b, "values": [lr * r.uniform(0, 1) for _ in range(len(b) + 1)]}
    if name == "MultiStepDecay":
        return name, {"learning_rate": lr, "milestones": sorted(r.sample(range(1, n + 4), r.randint(1, min(3, n + 3)))),
                      "gamma": r.uniform(0.01, 0.99)}
    if name == "StepDecay":
        return name, {"learning_rate": lr, "step_size": r.randint(1, n + 2), "gamma": r.uniform(0.01, 0.99)}
    if name in ("ExponentialDecay", "NaturalExpDecay", "InverseTimeDecay"):
        return name, {"learning_rate": lr, "gamma": r.uniform(0.5, 1.0) if name == "ExponentialDecay" else r.uniform(0, 1)}
    if name == "PolynomialDecay":
        return name, {"learning_rate": lr, "decay_steps": r.randint(1, n + 3), "end_lr": lr * r.uniform(0, 0.5),
                      "power": r.uniform(0.2, 3), "cycle": r.random() < 0.5}
    if name == "NoamDecay":
        return name, {"d_model": r.choice([16, 512]), "warmup_steps": r.randint(1, 50), "learning_rate": lr}
    return name, {"learning_rate": lr}  # LambdaDecay needs a function: refused


def paddle_draw(r: random.Random) -> FDraw:
    """paddle.optimizer.lr through lrplot's ``--from paddle`` mapping (the
    schedules themselves are the "paddle" draws), and PaddleClas builders."""
    from paddle.optimizer import lr as PL

    from lrplot.frameworks import paddle

    lr, n = rate_of(r), steps_of(r)
    if r.random() < 0.4:
        return paddleclas_draw(r, lr)
    kind = r.choice(["LinearWarmup", "LinearWarmup", "OneCycleLR", "CyclicLR", "inner"])
    args: dict[str, Any]
    if kind == "LinearWarmup":
        inner_name, inner_kw = _paddle_inner(r, lr, n)
        warm = r.choice([0, 1, 2, r.randint(0, n + 2)])
        end = r.choice([lr, lr, lr * r.uniform(0, 1)])
        args = {"warmup_steps": warm, "start_lr": r.choice([0.0, end * r.uniform(0, 1)]), "end_lr": end}
        if r.random() < 0.2:
            name, args["learning_rate"] = "LinearWarmup", lr

            def build() -> Any:
                return PL.LinearWarmup(learning_rate=lr, warmup_steps=warm, start_lr=args["start_lr"], end_lr=end)
        else:
            name, args["inner"] = f"LinearWarmup+{inner_name}", {"name": inner_name, **inner_kw}

            def build() -> Any:
                inner = getattr(PL, inner_name)(**inner_kw) if inner_name != "LambdaDecay" else PL.LambdaDecay(lr, lambda e: 0.9**e)
                return PL.LinearWarmup(learning_rate=inner, warmup_steps=warm, start_lr=args["start_lr"], end_lr=end)
    elif kind == "OneCycleLR":
        name = kind
        args = {"max_learning_rate": lr, "total_steps": r.choice([n, n, n + r.randint(1, 5)]),
                "divide_factor": r.choice([25.0, r.uniform(1, 100)]), "end_learning_rate": r.choice([1e-4, lr * ratio_of(r)]),
                "phase_pct": r.uniform(0.01, 0.99), "anneal_strategy": r.choice(["cos", "linear"]),
                "three_phase": r.random() < 0.5}

        def build() -> Any:
            return PL.OneCycleLR(**args)
    elif kind == "CyclicLR":
        name = kind
        args = {"base_learning_rate": lr * r.uniform(0, 0.9), "max_learning_rate": lr, "step_size_up": r.randint(1, 20),
                "mode": r.choice(["triangular", "triangular2", "exp_range"]), "exp_gamma": r.uniform(0.9, 1.0)}
        if r.random() < 0.5:
            args["step_size_down"] = r.randint(1, 20)
        if r.random() < 0.3:
            args["scale_mode"] = r.choice(["cycle", "iterations"])

        def build() -> Any:
            return PL.CyclicLR(**args)
    else:
        name, args = _paddle_inner(r, lr, n)

        def build() -> Any:
            return getattr(PL, name)(**args) if name != "LambdaDecay" else PL.LambdaDecay(lr, lambda e: 0.9**e)

    def theirs() -> list[float]:
        s, out = build(), []
        for t in range(n):
            out.append(float(s()))
            if t < n - 1:
                s.step()
        return out

    return f"{name}({args}) updates={n}", theirs, lambda: paddle.scheduler(name, copy.deepcopy(args), n)


def paddleclas_draw(r: random.Random, lr: float) -> FDraw:
    from lrplot.frameworks import paddle

    epochs, k = r.choice([1, 2, r.randint(1, 20)]), r.choice([1, 2, r.randint(1, 10)])
    name = r.choice(["Linear", "Cosine", "Step", "Piecewise", "MultiStepDecay"])
    kw: dict[str, Any] = {"warmup_epoch": r.choice([0, 0, 1, 2, r.randint(0, epochs + 1)]),
                          "warmup_start_lr": r.choice([0.0, lr * r.uniform(0, 1)]), "by_epoch": r.random() < 0.3}
    if name != "Piecewise":
        kw["learning_rate"] = lr
    if name == "Linear":
        kw.update(end_lr=r.choice([0.0, lr * ratio_of(r)]), power=r.choice([1.0, 2.0, r.uniform(0.2, 3)]),
                  cycle=r.random() < 0.2)
    elif name == "Cosine":
        kw["eta_min"] = r.choice([0.0, lr * ratio_of(r)])
    elif name == "Step":
        kw.update(step_size=r.randint(1, epochs + 1), gamma=r.uniform(0.01, 0.99))
    elif name == "Piecewise":
        kw["decay_epochs"] = sorted(r.sample(range(1, epochs + 3), r.randint(1, min(3, epochs + 2))))
        kw["values"] = [lr * r.uniform(0, 1) for _ in range(len(kw["decay_epochs"]) + 1)]
    else:
        kw.update(milestones=sorted(r.sample(range(1, epochs + 3), r.randint(1, min(3, epochs + 2)))),
                  gamma=r.uniform(0.01, 0.99))

    def theirs() -> list[float]:
        s = G.paddleclas_classes()[name](epochs=epochs, step_each_epoch=k, **kw)()
        if isinstance(s, float):  # a float learning rate: nothing to step
            return [s] * (epochs * k)
        by_epoch, out = getattr(s, "by_epoch", False), []
        for _e in range(epochs):  # the PaddleClas engine, as gen_paddle steps it
            for _i in range(k):
                out.append(float(s()))
                if not by_epoch:
                    s.step()
            if by_epoch:
                s.step()
        return out

    def ours() -> Any:
        curve, total = paddle.builder({"name": name, **copy.deepcopy(kw)}, epochs, k, legacy=True)
        assert total == epochs * k, (total, epochs * k)
        return curve

    return f"PaddleClas {name}({kw}) epochs={epochs} step_each_epoch={k}", theirs, ours


# ---------------------------------------------------------------- PaddleDetection (LearningRate)


def paddledet_draw(r: random.Random) -> FDraw:
    """ppdet's LearningRate (the port in scripts/golden_from_configs.py, which
    returns paddle's own PiecewiseDecay / CosineAnnealingDecay objects), stepped
    every iteration, against lrplot.frameworks.paddledet.build."""
    import golden_from_configs as C

    from lrplot.frameworks import paddledet

    lr, spe = rate_of(r), r.choice([1, 2, 3, r.randint(1, 30)])
    epochs = r.choice([1, 2, r.randint(1, 20)])
    n = epochs * spe
    decay = r.choice(["CosineDecay", "PiecewiseDecay"])
    kw: dict[str, Any]
    if decay == "CosineDecay":
        kw = {"max_epochs": r.choice([epochs, epochs + 1, r.randint(1, epochs + 5)]), "use_warmup": r.random() < 0.8,
              "min_lr_ratio": r.choice([0.0, ratio_of(r)]), "last_plateau_epochs": r.choice([0, 0, 1, r.randint(0, 3)])}
    else:
        milestones = sorted(r.sample(range(1, epochs + 3), r.randint(1, min(3, epochs + 2))))
        extra = r.choice([0, 0, 0, 1, -1])
        gamma = r.choice([0.1, r.uniform(0.01, 0.9), [r.uniform(0, 1) for _ in range(max(0, len(milestones) + extra))]])
        kw = {"milestones": milestones, "gamma": gamma, "use_warmup": r.random() < 0.8}
        if r.random() < 0.15:
            kw["values"] = [lr * r.uniform(0, 1) for _ in range(len(milestones) + 1)]
    warm = r.choice(["LinearWarmup", "LinearWarmup", "ExpWarmup"])
    wkw: dict[str, Any] = {"steps": r.choice([0, 1, 2, r.randint(0, n + 2)]),
                           "epochs": r.choice([None, None, r.randint(0, 3)])}
    if warm == "LinearWarmup":
        wkw.update(start_factor=r.choice([0.0, 0.1, 1.0 / 3, r.uniform(0, 1)]), epochs_first=r.random() < 0.8)
    else:
        wkw["power"] = r.choice([1, 2, 2, 3])
    schedulers = [{"name": decay, **kw}, {"name": warm, **wkw}]

    def theirs() -> list[float]:
        s, out = C._ppdet_learning_rate(C._ppdet_classes(), lr, copy.deepcopy(schedulers))(spe), []
        for _ in range(n):
            out.append(float(s()))
            s.step()
        return out

    def ours() -> Any:
        given = [(item["name"], {k: v for k, v in item.items() if k != "name"}) for item in copy.deepcopy(schedulers)]
        return paddledet.build(lr, given, spe, n)[0]

    return f"ppdet LearningRate({lr}, {schedulers}) step_per_epoch={spe} epochs={epochs}", theirs, ours


# ---------------------------------------------------------------- registry

DRAWS: dict[str, Callable[[random.Random], FDraw]] = {
    "deepspeed": deepspeed_draw,
    "deepspeed-momentum": deepspeed_momentum_draw,
    "timm": timm_draw,
    "transformers": transformers_draw,
    "torchtitan": torchtitan_draw,
    "olmo": olmo_draw,
    "megatron": megatron_draw,
    "espnet": espnet_draw,
    "fairseq": fairseq_draw,
    "composer": composer_draw,
    "detectron2": detectron2_draw,
    "detectron2-lazy": detectron2_lazy_draw,
    "mmengine": mmengine_draw,
    "mmengine-quantities": mmengine_quantity_draw,
    "paddle-from": paddle_draw,
    "paddledet": paddledet_draw,
}
SETUP: dict[str, Callable[[], None]] = {
    "deepspeed": deepspeed_setup,
    "deepspeed-momentum": deepspeed_setup,
    "timm": timm_setup,
    "megatron": megatron_setup,
    "composer": composer_setup,
    "mmengine": mmengine_setup,
    "mmengine-quantities": mmengine_setup,
    "paddle-from": paddle_setup,
    "paddledet": paddle_setup,
}
