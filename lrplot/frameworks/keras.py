"""Keras 3 (``keras.optimizers.schedules``) against lrplot's schedules.

lrplot's value at step t is ``schedule(t)``. Keras computes in float32, so
its values equal lrplot's within that rounding (tests/golden/keras.json).
Keras has no warmup in front of a schedule: only ``CosineDecay`` warms up
itself (linearly, to ``warmup_target``).
"""

from __future__ import annotations

from lrplot.codetext import ARRAYS
from lrplot.matching import (
    ALPHA,
    FINITE_ALPHA,
    FLOAT_VALUES,
    HALF_COSINE,
    POSITIVE_LR,
    STRAIGHT_POLYNOMIAL,
    Carry,
    Exact,
    Framework,
    Script,
    Value,
)

S = "keras.optimizers.schedules."

MATCHING = Framework(
    "keras",
    "Keras 3",
    exact=(
        Exact(
            "piecewise",
            S + "PiecewiseConstantDecay({boundaries_before}, {float_values})",
            values=(Value("boundaries_before", "boundaries − 1", lambda v: [b - 1 for b in v["boundaries"]]), FLOAT_VALUES),
            note="Keras switches one step AFTER each boundary (step > boundary): boundaries - 1 here",
        ),
        Exact(
            "exponential",
            S + "ExponentialDecay({lr!r}, decay_steps={decay_steps}, decay_rate={decay_rate!r}, staircase={staircase})",
        ),
        Exact(
            "inverse-time",
            S + "InverseTimeDecay({lr!r}, decay_steps={decay_steps}, decay_rate={decay_rate!r}, staircase={staircase})",
        ),
        Exact(
            "polynomial",
            S + "PolynomialDecay({lr!r}, decay_steps={decay_steps}, end_learning_rate={end_lr!r}, power={power!r}, cycle={cycle})",
            when=(STRAIGHT_POLYNOMIAL,),
        ),
        Exact(
            "cosine",
            S + "CosineDecay({lr!r}, decay_steps={decay_steps}, alpha={alpha!r})",
            when=(HALF_COSINE, POSITIVE_LR, FINITE_ALPHA),
            values=(ALPHA,),
        ),
        Exact(
            "cosine",
            S + "CosineDecay({warmup_start_lr!r}, decay_steps={decay_steps}, alpha={alpha!r}, "
            "warmup_target={lr!r}, warmup_steps={warmup_steps})",
            when=(HALF_COSINE, POSITIVE_LR, FINITE_ALPHA),
            values=(ALPHA,),
            warmup=("linear",),
        ),
        Exact(
            "cosine-restarts",
            S + "CosineDecayRestarts({lr!r}, first_decay_steps={first_decay_steps}, t_mul={t_mul!r}, "
            "m_mul={m_mul!r}, alpha={alpha!r})",
            when=(POSITIVE_LR, FINITE_ALPHA),
            values=(ALPHA,),
        ),
    ),
    script=Script(
        header="import math\n\nimport keras\nfrom keras import ops\n",
        dialect=ARRAYS,
        helpers=(
            "# Helpers for the closed forms below (keras.ops: traceable, float32 like Keras).\n"
            "floor, ceil, exp, expm1, log1p, cos, sqrt, pi = (\n"
            "    ops.floor, ops.ceil, ops.exp, ops.expm1, ops.log1p, ops.cos, ops.sqrt, math.pi\n)\n"
            "minimum, maximum, where = ops.minimum, ops.maximum, ops.where\n\n\n"
            "def lookup(table, step):\n"
            "    index = ops.minimum(ops.cast(ops.floor(step), \"int32\"), len(table) - 1)\n"
            "    return ops.take(ops.convert_to_tensor(table, dtype=\"float32\"), index)\n"
        ),
        native="def {builder}():\n    {label!r}\n{comment}    return {call}\n",
        fallback=(
            "class Schedule{index}(keras.optimizers.schedules.LearningRateSchedule):\n"
            "    {label!r}\n\n    def __call__(self, step):\n"
            "        return lr_{index}(ops.cast(step, \"float32\"))\n\n\n"
            "def {builder}():\n    return Schedule{index}()\n"
        ),
        loop="    schedule = {builder}()\n    for step in range(STEPS):\n        print(repr(float(schedule(step))))",
        otherwise="Keras has no exact schedule class for {schedule}",
        carry=Carry(
            cannot={
                "momentum": "Keras optimizers take momentum (beta_1) as a fixed float, not a schedule",
                "weight_decay": "Keras optimizers take weight_decay as a fixed float, not a schedule",
                "groups": "Keras optimizers have no parameter groups with their own learning rates",
            },
            loop="",
            read={},
        ),
    ),
    differences=(
        "**Boundaries**: lrplot, torch, Paddle and optax switch AT the boundary "
        "step; Keras `PiecewiseConstantDecay` switches one step later "
        "(`step > boundary`). For Keras boundaries `b`, use lrplot `b + 1`.",
        "**Keras is float32**: its values differ from float64 by ~1e-7 relative, "
        "more for long exponential decays (`decay_rate` itself is rounded to "
        "float32: 0.96 becomes 0.95999998, so `0.96**t` drifts ~t × 2e-8).",
        "**SGDR with a non-integer `t_mul`** (Keras `CosineDecayRestarts`): cycle "
        "i starts at `first_decay_steps · (t_mulⁱ − 1) / (t_mul − 1)` and the first "
        "step at or after that start opens it, for every cycle of the run however "
        "many (`t_mul 1.001` from 5 steps passes 5,000 cycles in 10⁶ steps). lrplot "
        "computes the starts without cancellation (exactly for integer and dyadic "
        "`t_mul` such as 2 or 1.5) and compares each step with them; Keras derives "
        "the cycle from a float32 logarithm of the step.",
    ),
)
