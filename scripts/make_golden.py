"""Golden values from the real frameworks, for tests/test_golden.py.

Run in an environment that has the frameworks (never in CI; this script
installs nothing):

    python -m venv /tmp/fw && /tmp/fw/bin/pip install torch==2.13.0 jax optax keras paddlepaddle
    /tmp/fw/bin/pip install --no-deps transformers && /tmp/fw/bin/pip install huggingface-hub regex tokenizers tqdm safetensors
    KERAS_BACKEND=jax /tmp/fw/bin/python scripts/make_golden.py [torch keras optax paddle transformers]

For each framework that imports, it evaluates the framework's OWN scheduler
classes (torch and transformers schedulers stepped through a real SGD
optimizer, reading ``get_last_lr()`` before each ``scheduler.step()``; Keras
and optax schedules called per step; Paddle schedulers read ``last_lr`` then
``.step()``) and writes ``tests/golden/<framework>.json``:

    {"framework", "version", "dtype", "generated_by",
     "cases": [{"id", "call", "schedule", "steps", "params", "values"}]}

``schedule`` and ``params`` are the lrplot call that must reproduce
``values``: ``lrplot.evaluate(schedule, steps=steps, **params)``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")

OUT = Path(__file__).resolve().parent.parent / "tests" / "golden"

Case = tuple[str, Callable[..., Any], str, int, dict[str, Any]]  # call text, factory, schedule, steps, params


# ---------------------------------------------------------------- torch


def stepped(factory: Callable[[Any], Any], steps: int, lr: float) -> list[float]:
    """Step a torch scheduler through a real SGD optimizer; the value at step t
    is get_last_lr() after t calls of scheduler.step()."""
    import torch

    parameter = torch.nn.Parameter(torch.zeros(1))
    # momentum: CyclicLR cycles it by default and needs it present
    optimizer = torch.optim.SGD([parameter], lr=lr, momentum=0.9)
    scheduler = factory(optimizer)
    values = []
    for step in range(steps):
        values.append(float(scheduler.get_last_lr()[0]))
        if step < steps - 1:  # OneCycleLR raises one step past the last
            optimizer.step()
            scheduler.step()
    return values


def torch_cases() -> tuple[str, str, list[dict[str, Any]]]:
    import torch
    from torch.optim import lr_scheduler as S

    cases: list[Case] = [
        ("StepLR(step_size=7, gamma=0.5)", lambda o: S.StepLR(o, 7, 0.5), "step", 60, {"lr": 0.1, "step_size": 7, "gamma": 0.5}),
        ("StepLR(step_size=30, gamma=0.1)", lambda o: S.StepLR(o, 30, 0.1), "step", 100, {"lr": 0.1, "step_size": 30, "gamma": 0.1}),
        ("MultiStepLR(milestones=[1, 10, 25], gamma=0.3)", lambda o: S.MultiStepLR(o, [1, 10, 25], 0.3), "multistep", 40, {"lr": 0.2, "milestones": [1, 10, 25], "gamma": 0.3}),
        ("MultiStepLR(milestones=[5, 5, 20], gamma=0.5)", lambda o: S.MultiStepLR(o, [5, 5, 20], 0.5), "multistep", 30, {"lr": 0.1, "milestones": [5, 5, 20], "gamma": 0.5}),
        ("ExponentialLR(gamma=0.95)", lambda o: S.ExponentialLR(o, 0.95), "exponential", 200, {"lr": 0.1, "decay_rate": 0.95, "decay_steps": 1}),
        ("LinearLR(start_factor=0.25, end_factor=1.0, total_iters=20)", lambda o: S.LinearLR(o, 0.25, 1.0, 20), "linear", 50, {"lr": 0.1, "start_factor": 0.25, "end_factor": 1.0, "total_steps": 20}),
        ("LinearLR(start_factor=1.0, end_factor=0.1, total_iters=40)", lambda o: S.LinearLR(o, 1.0, 0.1, 40), "linear", 60, {"lr": 0.3, "start_factor": 1.0, "end_factor": 0.1, "total_steps": 40}),
        ("PolynomialLR(total_iters=30, power=1.0)", lambda o: S.PolynomialLR(o, 30, 1.0), "polynomial", 60, {"lr": 0.1, "decay_steps": 30, "end_lr": 0.0, "power": 1.0}),
        ("PolynomialLR(total_iters=30, power=2.0)", lambda o: S.PolynomialLR(o, 30, 2.0), "polynomial", 60, {"lr": 0.1, "decay_steps": 30, "end_lr": 0.0, "power": 2.0}),
        ("PolynomialLR(total_iters=25, power=0.5)", lambda o: S.PolynomialLR(o, 25, 0.5), "polynomial", 40, {"lr": 0.1, "decay_steps": 25, "end_lr": 0.0, "power": 0.5}),
        ("CosineAnnealingLR(T_max=50)", lambda o: S.CosineAnnealingLR(o, 50), "cosine", 51, {"lr": 0.1, "decay_steps": 50, "end_lr": 0.0}),
        ("CosineAnnealingLR(T_max=80, eta_min=0.001)", lambda o: S.CosineAnnealingLR(o, 80, 0.001), "cosine", 81, {"lr": 0.1, "decay_steps": 80, "end_lr": 0.001}),
        ("CosineAnnealingWarmRestarts(T_0=10)", lambda o: S.CosineAnnealingWarmRestarts(o, 10), "cosine-restarts", 100, {"lr": 0.1, "first_decay_steps": 10, "t_mul": 1.0}),
        ("CosineAnnealingWarmRestarts(T_0=5, T_mult=2, eta_min=0.001)", lambda o: S.CosineAnnealingWarmRestarts(o, 5, 2, 0.001), "cosine-restarts", 160, {"lr": 0.1, "first_decay_steps": 5, "t_mul": 2.0, "end_lr": 0.001}),
        ("CosineAnnealingWarmRestarts(T_0=3, T_mult=3)", lambda o: S.CosineAnnealingWarmRestarts(o, 3, 3), "cosine-restarts", 120, {"lr": 0.05, "first_decay_steps": 3, "t_mul": 3.0}),
        ("OneCycleLR(max_lr=0.1, total_steps=100)", lambda o: S.OneCycleLR(o, 0.1, total_steps=100), "onecycle", 100, {"lr": 0.1, "total_steps": 100}),
        ("OneCycleLR(max_lr=0.2, total_steps=60, pct_start=0.25, anneal_strategy='linear', div_factor=10, final_div_factor=100)", lambda o: S.OneCycleLR(o, 0.2, total_steps=60, pct_start=0.25, anneal_strategy="linear", div_factor=10, final_div_factor=100), "onecycle", 60, {"lr": 0.2, "total_steps": 60, "pct_start": 0.25, "anneal": "linear", "div_factor": 10, "final_div_factor": 100}),
        ("OneCycleLR(max_lr=0.1, total_steps=90, three_phase=True)", lambda o: S.OneCycleLR(o, 0.1, total_steps=90, three_phase=True), "onecycle", 90, {"lr": 0.1, "total_steps": 90, "three_phase": True}),
        ("OneCycleLR(max_lr=0.1, total_steps=33, pct_start=0.4, three_phase=True, anneal_strategy='linear')", lambda o: S.OneCycleLR(o, 0.1, total_steps=33, pct_start=0.4, three_phase=True, anneal_strategy="linear"), "onecycle", 33, {"lr": 0.1, "total_steps": 33, "pct_start": 0.4, "three_phase": True, "anneal": "linear"}),
        # Rises shorter than one step, and three-phase cycles longer than the run: torch's own layout.
        ("OneCycleLR(max_lr=0.1, total_steps=3)", lambda o: S.OneCycleLR(o, 0.1, total_steps=3), "onecycle", 3, {"lr": 0.1, "total_steps": 3}),
        ("OneCycleLR(max_lr=0.1, total_steps=1)", lambda o: S.OneCycleLR(o, 0.1, total_steps=1), "onecycle", 1, {"lr": 0.1, "total_steps": 1}),
        ("OneCycleLR(max_lr=0.1, total_steps=7, pct_start=0.9, three_phase=True)", lambda o: S.OneCycleLR(o, 0.1, total_steps=7, pct_start=0.9, three_phase=True), "onecycle", 7, {"lr": 0.1, "total_steps": 7, "pct_start": 0.9, "three_phase": True}),
        ("OneCycleLR(max_lr=0.1, total_steps=4, pct_start=0.1, anneal_strategy='linear', three_phase=True)", lambda o: S.OneCycleLR(o, 0.1, total_steps=4, pct_start=0.1, anneal_strategy="linear", three_phase=True), "onecycle", 4, {"lr": 0.1, "total_steps": 4, "pct_start": 0.1, "anneal": "linear", "three_phase": True}),
        ("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=5)", lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=5), "cyclic", 60, {"lr": 0.1, "base_lr": 0.01, "step_size_up": 5}),
        ("CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=8, mode='triangular2')", lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4, step_size_down=8, mode="triangular2"), "cyclic", 80, {"lr": 0.1, "base_lr": 0.01, "step_size_up": 4, "step_size_down": 8, "mode": "triangular2"}),
        ("CyclicLR(base_lr=0.001, max_lr=0.1, step_size_up=6, mode='exp_range', gamma=0.97)", lambda o: S.CyclicLR(o, 0.001, 0.1, step_size_up=6, mode="exp_range", gamma=0.97), "cyclic", 80, {"lr": 0.1, "base_lr": 0.001, "step_size_up": 6, "mode": "exp_range", "gamma": 0.97}),
        ("SequentialLR([LinearLR(0.1, 1.0, total_iters=10), CosineAnnealingLR(T_max=90)], milestones=[10])", lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, 1.0, 10), S.CosineAnnealingLR(o, 90)], [10]), "cosine", 100, {"lr": 0.1, "warmup_steps": 10, "warmup_start_lr": 0.1 * 0.1}),
        ("ConstantLR(factor=0.5, total_iters=5)", lambda o: S.ConstantLR(o, 0.5, 5), "constant", 20, {"lr": 0.1, "warmup_steps": 5, "warmup_start_lr": 0.05, "warmup_shape": "constant"}),
    ]
    out = []
    for call, factory, schedule, steps, params in cases:
        out.append(_case("torch." + call, call, schedule, steps, params, stepped(factory, steps, params["lr"])))
    return torch.__version__, "float64", out


def transformers_cases() -> tuple[str, str, list[dict[str, Any]]]:
    import transformers
    from transformers import optimization as T

    cases: list[Case] = [
        ("get_cosine_schedule_with_warmup(100, 1000)", lambda o: T.get_cosine_schedule_with_warmup(o, 100, 1000), "cosine", 1000, {"lr": 0.1, "warmup_steps": 100}),
        ("get_cosine_schedule_with_warmup(0, 50)", lambda o: T.get_cosine_schedule_with_warmup(o, 0, 50), "cosine", 50, {"lr": 0.3}),
        ("get_linear_schedule_with_warmup(10, 100)", lambda o: T.get_linear_schedule_with_warmup(o, 10, 100), "linear", 100, {"lr": 0.1, "warmup_steps": 10}),
        ("get_inverse_sqrt_schedule(num_warmup_steps=10)", lambda o: T.get_inverse_sqrt_schedule(o, 10), "inverse-sqrt", 200, {"lr": 0.1, "warmup_steps": 10, "timescale": 10}),
        ("get_inverse_sqrt_schedule(num_warmup_steps=5, timescale=50)", lambda o: T.get_inverse_sqrt_schedule(o, 5, timescale=50), "inverse-sqrt", 100, {"lr": 0.1, "warmup_steps": 5, "timescale": 50}),
        ("get_polynomial_decay_schedule_with_warmup(10, 100, lr_end=1e-4, power=2.0)", lambda o: T.get_polynomial_decay_schedule_with_warmup(o, 10, 100, lr_end=1e-4, power=2.0), "polynomial", 120, {"lr": 0.1, "warmup_steps": 10, "decay_steps": 90, "end_lr": 1e-4, "power": 2.0}),
    ]
    for shape, name in (("linear", "linear"), ("cosine", "cosine"), ("1-sqrt", "1-sqrt")):
        cases.append(
            (
                f"get_wsd_schedule(num_warmup_steps=10, num_decay_steps=20, num_training_steps=100, min_lr_ratio=0.1, decay_type={name!r})",
                lambda o, name=name: T.get_wsd_schedule(o, 10, 20, num_training_steps=100, min_lr_ratio=0.1, decay_type=name),
                "wsd",
                100,
                {"lr": 0.1, "warmup_steps": 10, "warmup_start_lr": 0.1 * 0.1, "decay_steps": 20, "end_lr": 0.1 * 0.1, "decay_shape": shape},
            )
        )
    out = []
    for call, factory, schedule, steps, params in cases:
        out.append(_case("transformers." + call, call, schedule, steps, params, stepped(factory, steps, params["lr"])))
    return transformers.__version__, "float64", out


# ---------------------------------------------------------------- keras


def keras_cases() -> tuple[str, str, list[dict[str, Any]]]:
    import keras
    from keras.optimizers import schedules as K

    cases: list[Case] = [
        ("ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9)", lambda: K.ExponentialDecay(0.1, 10, 0.9), "exponential", 100, {"lr": 0.1, "decay_steps": 10, "decay_rate": 0.9}),
        ("ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9, staircase=True)", lambda: K.ExponentialDecay(0.1, 10, 0.9, staircase=True), "exponential", 100, {"lr": 0.1, "decay_steps": 10, "decay_rate": 0.9, "staircase": True}),
        ("ExponentialDecay(0.05, decay_steps=1, decay_rate=0.96)", lambda: K.ExponentialDecay(0.05, 1, 0.96), "exponential", 100, {"lr": 0.05, "decay_rate": 0.96}),
        ("PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01])", lambda: K.PiecewiseConstantDecay([10, 20], [0.1, 0.05, 0.01]), "piecewise", 40, {"boundaries": [11, 21], "values": [0.1, 0.05, 0.01]}),
        ("PolynomialDecay(0.1, decay_steps=30, end_learning_rate=0.001, power=2.0)", lambda: K.PolynomialDecay(0.1, 30, 0.001, power=2.0), "polynomial", 60, {"lr": 0.1, "decay_steps": 30, "end_lr": 0.001, "power": 2.0}),
        ("PolynomialDecay(0.1, decay_steps=30, end_learning_rate=0.01, power=0.5, cycle=True)", lambda: K.PolynomialDecay(0.1, 30, 0.01, power=0.5, cycle=True), "polynomial", 100, {"lr": 0.1, "decay_steps": 30, "end_lr": 0.01, "power": 0.5, "cycle": True}),
        ("PolynomialDecay(0.1, decay_steps=20, cycle=True)", lambda: K.PolynomialDecay(0.1, 20, cycle=True), "polynomial", 70, {"lr": 0.1, "decay_steps": 20, "cycle": True}),
        ("InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5)", lambda: K.InverseTimeDecay(0.1, 5, 0.5), "inverse-time", 60, {"lr": 0.1, "decay_steps": 5, "decay_rate": 0.5}),
        ("InverseTimeDecay(0.1, decay_steps=5, decay_rate=0.5, staircase=True)", lambda: K.InverseTimeDecay(0.1, 5, 0.5, staircase=True), "inverse-time", 60, {"lr": 0.1, "decay_steps": 5, "decay_rate": 0.5, "staircase": True}),
        ("CosineDecay(0.1, decay_steps=50, alpha=0.1)", lambda: K.CosineDecay(0.1, 50, alpha=0.1), "cosine", 80, {"lr": 0.1, "decay_steps": 50, "end_lr": 0.1 * 0.1}),
        ("CosineDecay(0.0, decay_steps=50, warmup_target=0.1, warmup_steps=10)", lambda: K.CosineDecay(0.0, 50, warmup_target=0.1, warmup_steps=10), "cosine", 80, {"lr": 0.1, "warmup_steps": 10, "decay_steps": 50}),
        ("CosineDecayRestarts(0.1, first_decay_steps=10)", lambda: K.CosineDecayRestarts(0.1, 10), "cosine-restarts", 150, {"lr": 0.1, "first_decay_steps": 10}),
        ("CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=1.5, m_mul=0.8, alpha=0.1)", lambda: K.CosineDecayRestarts(0.1, 10, t_mul=1.5, m_mul=0.8, alpha=0.1), "cosine-restarts", 150, {"lr": 0.1, "first_decay_steps": 10, "t_mul": 1.5, "m_mul": 0.8, "end_lr": 0.1 * 0.1}),
        ("CosineDecayRestarts(0.1, first_decay_steps=7, t_mul=1.0)", lambda: K.CosineDecayRestarts(0.1, 7, t_mul=1.0), "cosine-restarts", 60, {"lr": 0.1, "first_decay_steps": 7, "t_mul": 1.0}),
    ]
    out = []
    for call, factory, schedule, steps, params in cases:
        schedule_object = factory()
        values = [float(schedule_object(step)) for step in range(steps)]
        out.append(_case("keras." + call, call, schedule, steps, params, values))
    return keras.__version__, "float32", out


# ---------------------------------------------------------------- optax


def optax_cases() -> tuple[str, str, list[dict[str, Any]]]:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import optax

    cases: list[Case] = [
        ("cosine_decay_schedule(0.1, decay_steps=50, alpha=0.1)", lambda: optax.cosine_decay_schedule(0.1, 50, alpha=0.1), "cosine", 80, {"lr": 0.1, "decay_steps": 50, "end_lr": 0.1 * 0.1}),
        ("warmup_cosine_decay_schedule(0.0, 0.1, warmup_steps=10, decay_steps=100, end_value=0.001)", lambda: optax.warmup_cosine_decay_schedule(0.0, 0.1, 10, 100, end_value=0.001), "cosine", 110, {"lr": 0.1, "warmup_steps": 10, "decay_steps": 90, "end_lr": 0.001}),
        ("warmup_cosine_decay_schedule(0.0, 0.1, warmup_steps=100, decay_steps=1000)", lambda: optax.warmup_cosine_decay_schedule(0.0, 0.1, 100, 1000), "cosine", 1000, {"lr": 0.1, "warmup_steps": 100}),
        ("exponential_decay(0.1, transition_steps=10, decay_rate=0.9)", lambda: optax.exponential_decay(0.1, 10, 0.9), "exponential", 100, {"lr": 0.1, "decay_steps": 10, "decay_rate": 0.9}),
        ("exponential_decay(0.1, transition_steps=10, decay_rate=0.9, staircase=True)", lambda: optax.exponential_decay(0.1, 10, 0.9, staircase=True), "exponential", 100, {"lr": 0.1, "decay_steps": 10, "decay_rate": 0.9, "staircase": True}),
        ("polynomial_schedule(0.1, 0.001, power=2, transition_steps=30)", lambda: optax.polynomial_schedule(0.1, 0.001, 2, 30), "polynomial", 60, {"lr": 0.1, "end_lr": 0.001, "power": 2.0, "decay_steps": 30}),
        ("linear_schedule(0.1, 0.01, transition_steps=40)", lambda: optax.linear_schedule(0.1, 0.01, 40), "linear", 60, {"lr": 0.1, "start_factor": 1.0, "end_factor": 0.1, "total_steps": 40}),
        ("piecewise_constant_schedule(0.1, {10: 0.5, 20: 0.1})", lambda: optax.piecewise_constant_schedule(0.1, {10: 0.5, 20: 0.1}), "piecewise", 30, {"boundaries": [10, 20], "values": [0.1, 0.05, 0.005000000000000001]}),
        ("join_schedules([constant_schedule(0.05), cosine_decay_schedule(0.1, 50)], [10])", lambda: optax.join_schedules([optax.constant_schedule(0.05), optax.cosine_decay_schedule(0.1, 50)], [10]), "sequence", 70, {"parts": [{"schedule": "constant", "lr": 0.05, "steps": 10}, {"schedule": "cosine", "lr": 0.1, "decay_steps": 50}]}),
        ("warmup_exponential_decay_schedule(0.0, 0.1, warmup_steps=10, transition_steps=5, decay_rate=0.5)", lambda: optax.warmup_exponential_decay_schedule(0.0, 0.1, 10, 5, 0.5), "exponential", 60, {"lr": 0.1, "warmup_steps": 10, "decay_steps": 5, "decay_rate": 0.5}),
    ]
    out = []
    for call, factory, schedule, steps, params in cases:
        values = [float(v) for v in factory()(jnp.arange(steps))]
        out.append(_case("optax." + call, call, schedule, steps, params, values))
    return optax.__version__, "float64", out


# ---------------------------------------------------------------- paddle


def paddle_cases() -> tuple[str, str, list[dict[str, Any]]]:
    import paddle
    from paddle.optimizer import lr as P

    cases: list[Case] = [
        ("PiecewiseDecay([10, 20], [0.1, 0.05, 0.01])", lambda: P.PiecewiseDecay([10, 20], [0.1, 0.05, 0.01]), "piecewise", 30, {"boundaries": [10, 20], "values": [0.1, 0.05, 0.01]}),
        ("ExponentialDecay(0.1, gamma=0.95)", lambda: P.ExponentialDecay(0.1, 0.95), "exponential", 100, {"lr": 0.1, "decay_rate": 0.95}),
        ("NaturalExpDecay(0.1, gamma=0.05)", lambda: P.NaturalExpDecay(0.1, 0.05), "natural-exp", 100, {"lr": 0.1, "decay_rate": 0.05}),
        ("InverseTimeDecay(0.1, gamma=0.5)", lambda: P.InverseTimeDecay(0.1, 0.5), "inverse-time", 60, {"lr": 0.1, "decay_rate": 0.5}),
        ("PolynomialDecay(0.1, decay_steps=30, end_lr=0.001, power=2.0)", lambda: P.PolynomialDecay(0.1, 30, 0.001, 2.0), "polynomial", 60, {"lr": 0.1, "decay_steps": 30, "end_lr": 0.001, "power": 2.0}),
        ("PolynomialDecay(0.1, decay_steps=30, end_lr=0.01, power=0.5, cycle=True)", lambda: P.PolynomialDecay(0.1, 30, 0.01, 0.5, cycle=True), "polynomial", 100, {"lr": 0.1, "decay_steps": 30, "end_lr": 0.01, "power": 0.5, "cycle": True}),
        ("LinearWarmup(PolynomialDecay(0.1, 50), warmup_steps=10, start_lr=0.0, end_lr=0.1)", lambda: P.LinearWarmup(P.PolynomialDecay(0.1, 50), 10, 0.0, 0.1), "polynomial", 80, {"lr": 0.1, "warmup_steps": 10, "decay_steps": 50}),
        ("LinearWarmup(ExponentialDecay(0.1, 0.9), warmup_steps=5, start_lr=0.01, end_lr=0.1)", lambda: P.LinearWarmup(P.ExponentialDecay(0.1, 0.9), 5, 0.01, 0.1), "exponential", 40, {"lr": 0.1, "warmup_steps": 5, "warmup_start_lr": 0.01, "decay_rate": 0.9}),
        ("NoamDecay(d_model=512, warmup_steps=40, learning_rate=1.0)", lambda: P.NoamDecay(512, 40, 1.0), "noam", 150, {"lr": 1.0, "d_model": 512, "noam_warmup": 40}),
        ("StepDecay(0.1, step_size=7, gamma=0.5)", lambda: P.StepDecay(0.1, 7, 0.5), "step", 50, {"lr": 0.1, "step_size": 7, "gamma": 0.5}),
        ("MultiStepDecay(0.1, milestones=[5, 20], gamma=0.3)", lambda: P.MultiStepDecay(0.1, [5, 20], 0.3), "multistep", 30, {"lr": 0.1, "milestones": [5, 20], "gamma": 0.3}),
        ("LinearLR(0.1, total_steps=20, start_factor=0.25, end_factor=1.0)", lambda: P.LinearLR(0.1, 20, 0.25, 1.0), "linear", 40, {"lr": 0.1, "total_steps": 20, "start_factor": 0.25, "end_factor": 1.0}),
        ("OneCycleLR(0.1, total_steps=100)", lambda: P.OneCycleLR(0.1, 100), "onecycle", 100, {"lr": 0.1, "total_steps": 100, "final_div_factor": 0.1 / 25 / 0.0001}),
        ("OneCycleLR(0.1, total_steps=90, three_phase=True, anneal_strategy='linear')", lambda: P.OneCycleLR(0.1, 90, anneal_strategy="linear", three_phase=True), "onecycle", 90, {"lr": 0.1, "total_steps": 90, "three_phase": True, "anneal": "linear", "final_div_factor": 0.1 / 25 / 0.0001}),
        ("CyclicLR(0.01, 0.1, step_size_up=5)", lambda: P.CyclicLR(0.01, 0.1, 5), "cyclic", 60, {"lr": 0.1, "base_lr": 0.01, "step_size_up": 5}),
        ("CyclicLR(0.01, 0.1, step_size_up=4, step_size_down=8, mode='triangular2')", lambda: P.CyclicLR(0.01, 0.1, 4, step_size_down=8, mode="triangular2"), "cyclic", 80, {"lr": 0.1, "base_lr": 0.01, "step_size_up": 4, "step_size_down": 8, "mode": "triangular2"}),
        ("CyclicLR(0.001, 0.1, step_size_up=6, mode='exp_range', exp_gamma=0.97)", lambda: P.CyclicLR(0.001, 0.1, 6, mode="exp_range", exp_gamma=0.97), "cyclic", 80, {"lr": 0.1, "base_lr": 0.001, "step_size_up": 6, "mode": "exp_range", "gamma": 0.97}),
    ]
    out = []
    for call, factory, schedule, steps, params in cases:
        scheduler = factory()
        values = []
        for _ in range(steps):
            values.append(float(scheduler.last_lr))
            scheduler.step()
        out.append(_case("paddle." + call, call, schedule, steps, params, values))
    return paddle.__version__, "float64", out


# ---------------------------------------------------------------- output


def _case(case_id: str, call: str, schedule: str, steps: int, params: dict[str, Any], values: list[float]) -> dict[str, Any]:
    return {"id": case_id, "call": call, "schedule": schedule, "steps": steps, "params": params, "values": values}


FRAMEWORKS = {
    "torch": torch_cases,
    "transformers": transformers_cases,
    "keras": keras_cases,
    "optax": optax_cases,
    "paddle": paddle_cases,
}


def main(names: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or list(FRAMEWORKS):
        try:
            version, dtype, cases = FRAMEWORKS[name]()
        except ImportError as error:
            print(f"skip {name}: {error}", file=sys.stderr)
            continue
        document = {
            "framework": name,
            "version": version,
            "dtype": dtype,
            "generated_by": "scripts/make_golden.py",
            "cases": cases,
        }
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(document, indent=1) + "\n")
        print(f"{path}: {len(cases)} cases from {name} {version}")


if __name__ == "__main__":
    main(sys.argv[1:])
