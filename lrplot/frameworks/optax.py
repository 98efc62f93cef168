"""optax (0.2) against lrplot's schedules.

lrplot's value at step t is ``schedule(t)`` (the optimizer's update count),
in 64-bit jax (tests/golden/optax.json). A warmup is joined in front of a
schedule with ``join_schedules``: the schedule then starts at its own step 0.
"""

from __future__ import annotations

from lrplot.codetext import ARRAYS
from lrplot.matching import (
    ALPHA,
    FINITE_ALPHA,
    HALF_COSINE,
    POSITIVE_LR,
    STRAIGHT_POLYNOMIAL,
    Carry,
    Condition,
    Exact,
    Framework,
    Script,
    Value,
    Warmup,
    finite,
)

OX = "optax."


def _scales(v) -> dict[int, float]:
    return {b: v["values"][i + 1] / v["values"][i] for i, b in enumerate(v["boundaries"])}


MATCHING = Framework(
    "optax",
    "optax",
    exact=(
        Exact("constant", OX + "constant_schedule({lr!r})"),
        Exact(
            "piecewise",
            OX + "piecewise_constant_schedule({first!r}, {scales!r})",
            # optax multiplies the scales: one that overflows or underflows to 0 loses the values after it
            when=(
                Condition("values > 0", lambda v: all(x > 0 for x in v["values"])),
                Condition("their ratios finite and > 0",
                          lambda v: all(finite(scale) and scale > 0 for scale in _scales(v).values())),
            ),
            values=(
                Value("first", "values[0]", lambda v: float(v["values"][0])),
                Value("scales", "{boundary: ratio of the values}", _scales),
            ),
        ),
        Exact(
            "exponential",
            OX + "exponential_decay({lr!r}, transition_steps={decay_steps}, decay_rate={decay_rate!r}, staircase={staircase})",
        ),
        Exact(
            "polynomial",
            OX + "polynomial_schedule({lr!r}, {end_lr!r}, power={power!r}, transition_steps={decay_steps})",
            when=(STRAIGHT_POLYNOMIAL, Condition("no cycle", lambda v: not v["cycle"]),),
        ),
        Exact(
            "linear",
            OX + "linear_schedule({init!r}, {end!r}, transition_steps={total_steps})",
            values=(
                Value("init", "lr · start_factor", lambda v: v["lr"] * v["start_factor"]),
                Value("end", "lr · end_factor", lambda v: v["lr"] * v["end_factor"]),
            ),
        ),
        Exact(
            "cosine",
            OX + "cosine_decay_schedule({lr!r}, decay_steps={decay_steps}, alpha={alpha!r})",
            when=(HALF_COSINE, POSITIVE_LR, FINITE_ALPHA),
            values=(ALPHA,),
        ),
        Exact(
            "cosine",
            OX + "warmup_cosine_decay_schedule({warmup_start_lr!r}, {lr!r}, warmup_steps={warmup_steps}, "
            "decay_steps={total!r}, end_value={end_lr!r})",
            values=(Value("total", "warmup_steps + decay_steps", lambda v: v["warmup_steps"] + v["decay_steps"]),),
            warmup=("linear",),
            emitted=False,
            when=(HALF_COSINE,),
        ),
        Exact(
            "exponential",
            OX + "warmup_exponential_decay_schedule({warmup_start_lr!r}, {lr!r}, warmup_steps={warmup_steps}, "
            "transition_steps={decay_steps}, decay_rate={decay_rate!r})",
            warmup=("linear",),
            emitted=False,
        ),
        Exact("sequence", OX + "join_schedules(parts, boundaries)", emitted=False),
    ),
    warmup=Warmup(
        OX + "join_schedules([{warm}, {inner}], boundaries=[{warmup_steps}])",
        {"linear": OX + "linear_schedule({warmup_start_lr!r}, {warmup_to!r}, transition_steps={warmup_steps})"},
        note="warmup joined in front of the schedule, which starts at its own step 0",
    ),
    script=Script(
        header='import jax\n\njax.config.update("jax_enable_x64", True)  # float64, as lrplot\nimport jax.numpy as jnp\nimport optax\n',
        dialect=ARRAYS,
        helpers=(
            "# Helpers for the closed forms below (traceable by jax.jit).\n"
            "floor, ceil, exp, expm1, log1p, cos, sqrt, pi = (\n"
            "    jnp.floor, jnp.ceil, jnp.exp, jnp.expm1, jnp.log1p, jnp.cos, jnp.sqrt, jnp.pi\n)\n"
            "minimum, maximum, where = jnp.minimum, jnp.maximum, jnp.where\n\n\n"
            "def lookup(table, step):\n"
            "    return jnp.asarray(table)[jnp.minimum(jnp.floor(step).astype(int), len(table) - 1)]\n"
        ),
        native="def {builder}():\n    {label!r}\n{comment}    return {call}\n",
        fallback=(
            "def {builder}():\n    {label!r}\n"
            "    return lambda count: lr_{index}(jnp.asarray(count, dtype=jnp.float64))\n"
        ),
        loop=(
            "    schedule = {builder}()\n"
            "    # broadcast: a constant schedule returns one number for all steps\n"
            "    for value in jnp.broadcast_to(schedule(jnp.arange(STEPS)), (STEPS,)).tolist():\n"
            "        print(repr(float(value)))"
        ),
        otherwise="optax has no exact schedule for {schedule}",
        carry=Carry(
            cannot={},
            helpers=(
                "def sgd_with_decay(learning_rate, momentum=None, weight_decay=0.0):\n"
                "    \"\"\"SGD with momentum and (coupled) weight decay, as torch's SGD: each a hyperparameter\n"
                "    optax.inject_hyperparams can feed a schedule.\"\"\"\n"
                "    return optax.chain(optax.add_decayed_weights(weight_decay), optax.sgd(learning_rate, momentum=momentum))\n"
            ),
            quantity="{name}=lambda count: {function}(jnp.asarray(count, dtype=jnp.float64))",
            optimizer=(
                "def optimizer_{index}():\n    {label!r}\n"
                "    schedule = {builder}()\n\n"
                "    def group(multiplier):\n"
                "        # inject_hyperparams evaluates each schedule at the update count and hands it to SGD.\n"
                "        # float64, as lrplot: multi_transform's masked parameters give inject_hyperparams no\n"
                "        # dtype, and optax's int32 update count makes a schedule compute in float32.\n"
                "        return optax.inject_hyperparams(sgd_with_decay, hyperparam_dtype=jnp.float64)(\n"
                "            learning_rate=lambda count: multiplier * schedule(jnp.asarray(count, dtype=jnp.int64)), {quantities}\n"
                "        )\n\n"
                "    # One branch per parameter group (\"0\": the curve itself), its rate the group's multiplier times the curve's.\n"
                "    multipliers = {multipliers!r}\n"
                "    return optax.multi_transform(\n"
                "        {{str(i): group(m) for i, m in enumerate(multipliers)}}, {{str(i): str(i) for i in range(len(multipliers))}}\n"
                "    )\n"
            ),
            loop=(
                "    optimizer = optimizer_{index}()\n"
                "    parameters = {{str(i): jnp.zeros(1) for i in range({groups})}}\n"
                "    gradients = {{name: jnp.ones(1) for name in parameters}}\n"
                "    state = optimizer.init(parameters)\n"
                "    update = jax.jit(optimizer.update)\n"
                "    columns = [[] for _ in range({count})]\n"
                "    for step in range(STEPS):\n"
                "        # after update `step`, each group's state holds the hyperparameters that update used\n"
                "        _, state = update(gradients, state, parameters)\n"
                "        groups = [state.inner_states[str(i)].inner_state.hyperparams for i in range({groups})]\n"
                "        for column, value in zip(columns, ({reads},)):\n"
                "            column.append(float(value))\n"
                "    for name, column in zip({names!r}, columns):\n"
                "        print(name)\n"
                "        for value in column:\n"
                "            print(repr(value))"
            ),
            read={
                "lr": 'groups[0]["learning_rate"]',
                "momentum": 'groups[0]["momentum"]',
                "weight_decay": 'groups[0]["weight_decay"]',
                "group": 'groups[{position}]["learning_rate"]',
            },
        ),
    ),
    differences=(
        "**optax one-cycle**: `cosine_onecycle_schedule` peaks at step "
        "`int(pct_start·T)` and reaches its minimum at step `T`, not torch's "
        "`pct_start·T − 1` and `T − 1` (peak at 30 vs 29 for `T = 100`). lrplot "
        "follows torch and Paddle; for optax's curve use a `sequence` of two "
        "`cosine` parts.",
        "**optax `warmup_cosine_decay_schedule`**: its `decay_steps` includes the "
        "warmup; lrplot's counts after it: optax `(warmup_steps=W, "
        "decay_steps=D)` is lrplot `--warmup-steps W --decay-steps D−W`, which is "
        "the default when `D = --steps`.",
    ),
)
