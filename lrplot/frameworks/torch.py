"""torch (``torch.optim.lr_scheduler``, 2.x) against lrplot's schedules.

lrplot's value at step t is ``scheduler.get_last_lr()[0]`` after t calls of
``scheduler.step()``. Every class here is held to torch's own values by
tests/golden/torch.json and, as --emit writes it, by tests/test_emit.py.
"""

from __future__ import annotations

from lrplot.codetext import SCALAR, SCALAR_HELPERS
from lrplot.matching import (
    DECAY_STEPS_1,
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
    Why,
    halvings_fit,
)

# torch's OneCycleLR and CyclicLR cycle the optimizer's momentum (SGD's momentum,
# Adam's betas[0]) as lrplot's curve does, unless the curve has one of its own.
CYCLES = Value("cycles", "cycle_momentum, unless the curve has its own momentum",
               lambda v: bool(v["cycle_momentum"]) and not v.get("own_momentum", False))

CARRY = Carry(
    cannot={},
    cycles=("onecycle", "cyclic"),
    # LambdaLR scales each group's own lr: the groups' lrs are their multipliers.
    grouped_fallback=True,
    parameters="[torch.nn.Parameter(torch.zeros(1))]",
    grouped='[{{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": m}} for m in {multipliers!r}]',
    setter=(
        "def set_{index}(optimizer, step):\n    {doc!r}\n"
        "    for group in optimizer.param_groups:  # SGD reads them from its groups at every step\n{lines}\n"
    ),
    set_line="        group[{name!r}] = {function}(step)",
    set_call="        set_{index}(optimizer, step)\n",
    read={
        "lr": "scheduler.get_last_lr()[0]",
        "momentum": 'optimizer.param_groups[0]["momentum"]',
        "weight_decay": 'optimizer.param_groups[0]["weight_decay"]',
        "group": "scheduler.get_last_lr()[{position}]",
    },
    loop=(
        "    optimizer, scheduler = {builder}({parameters})\n"
        "    columns = [[] for _ in range({count})]\n"
        "    for step in range(STEPS):\n"
        "{set}"
        "        for column, value in zip(columns, ({reads},)):\n"
        "            column.append(value)\n"
        "        if step < STEPS - 1:\n"
        "            optimizer.step()\n"
        "            scheduler.step()\n"
        "    for name, column in zip({names!r}, columns):\n"
        "        print(name)\n"
        "        for value in column:\n"
        "            print(repr(value))"
    ),
)

MATCHING = Framework(
    "torch",
    "torch",
    exact=(
        Exact("constant", "ConstantLR(optimizer, factor=1.0, total_iters=0)"),
        Exact(
            "step",
            "StepLR(optimizer, step_size={step_size}, gamma={gamma!r})",
            when=(Condition("integer step_size", lambda v: isinstance(v["step_size"], int)),),
        ),
        Exact("multistep", "MultiStepLR(optimizer, milestones={milestones}, gamma={gamma!r})"),
        Exact("exponential", "ExponentialLR(optimizer, gamma={decay_rate!r})", when=(DECAY_STEPS_1,)),
        Exact(
            "linear",
            "LinearLR(optimizer, start_factor={start_factor!r}, end_factor={end_factor!r}, total_iters={total_steps})",
            # torch refuses a start factor of 0 and factors above 1
            when=(Condition("0 < start_factor ≤ 1, end_factor ≤ 1",
                            lambda v: 0 < v["start_factor"] <= 1 and 0 <= v["end_factor"] <= 1),),
        ),
        Exact(
            "polynomial",
            "PolynomialLR(optimizer, total_iters={decay_steps}, power={power!r})",
            when=(STRAIGHT_POLYNOMIAL, Condition("end_lr = 0, no cycle", lambda v: v["end_lr"] == 0 and not v["cycle"]),),
        ),
        Exact(
            "cosine",
            "CosineAnnealingLR(optimizer, T_max={decay_steps}, eta_min={end_lr!r})",
            when=(HALF_COSINE, Condition("the run ends by T_max", lambda v: v["run"] - 1 <= v["decay_steps"]),),
        ),
        Exact(
            "cosine-restarts",
            "CosineAnnealingWarmRestarts(optimizer, T_0={first_decay_steps}, T_mult={T_mult}, eta_min={end_lr!r})",
            when=(Condition("integer t_mul, m_mul = 1", lambda v: v["t_mul"].is_integer() and v["m_mul"] == 1),),
            values=(Value("T_mult", "t_mul", lambda v: int(v["t_mul"])),),
        ),
        Exact(
            "onecycle",
            "OneCycleLR(optimizer, max_lr={lr!r}, total_steps={total_steps}, pct_start={pct_start!r}, "
            "anneal_strategy={anneal!r}, div_factor={div_factor!r}, "
            "final_div_factor={final_div_factor!r}, three_phase={three_phase}, cycle_momentum={cycles}, "
            "base_momentum={base_momentum!r}, max_momentum={max_momentum!r})",
            when=(Condition("the run ends by total_steps", lambda v: v["run"] <= v["total_steps"]),),
            values=(CYCLES,),
        ),
        Exact(
            "cyclic",
            "CyclicLR(optimizer, base_lr={base_lr!r}, max_lr={lr!r}, step_size_up={step_size_up}, "
            "step_size_down={step_size_down}, mode={mode!r}, gamma={gamma!r}, cycle_momentum={cycles}, "
            "base_momentum={base_momentum!r}, max_momentum={max_momentum!r})",
            when=(Condition("triangular2 within 1024 cycles", lambda v: halvings_fit(v, v["run"] - 1)),),
            values=(CYCLES,),
        ),
        Exact("sequence", "SequentialLR(optimizer, parts, milestones)", emitted=False),
    ),
    warmup=Warmup(
        "SequentialLR(optimizer, [{warm}, {inner}], milestones=[{warmup_steps}])",
        {
            "linear": "LinearLR(optimizer, start_factor={start_factor!r}, end_factor={end_factor!r}, total_iters={warmup_steps})",
            "constant": "ConstantLR(optimizer, factor={start_factor!r}, total_iters={warmup_steps})",
        },
        # LinearLR and ConstantLR take factors of lr in (0, 1]: a start factor
        # that underflows to 0 is refused.
        when=(
            POSITIVE_LR,
            Condition("0 < warmup_start_lr ≤ lr, the warmup's end ≤ lr",
                      lambda v: 0 < v["warmup_from"] <= v["lr"] and 0 <= v["warmup_to"] <= v["lr"]),
            Condition("warmup_start_lr / lr > 0", lambda v: v["warmup_from"] / v["lr"] > 0),
        ),
        values=(
            Value("start_factor", "warmup_start_lr / lr", lambda v: v["warmup_from"] / v["lr"]),
            Value("end_factor", "the warmup's end / lr", lambda v: v["warmup_to"] / v["lr"]),
        ),
        note="the warmup, then the schedule from its own step 0",
        refuses=("onecycle", "cyclic"),  # they set the optimizer's rate themselves
    ),
    script=Script(
        header=(
            "import math\n\nimport torch\nfrom torch.optim.lr_scheduler import (\n"
            "    ConstantLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR,\n"
            "    LambdaLR, LinearLR, MultiStepLR, OneCycleLR, PolynomialLR, SequentialLR, StepLR,\n)\n"
        ),
        dialect=SCALAR,
        helpers=SCALAR_HELPERS,
        native=(
            "def {builder}(parameters, lr={lr!r}):\n    {label!r}\n"
            "    optimizer = torch.optim.SGD(parameters, lr=lr)\n{comment}    return optimizer, {call}\n"
        ),
        fallback=(
            "def {builder}(parameters):\n    {label!r}\n"
            "    # LambdaLR multiplies the optimizer's lr by lr_{index}(step): lr=1.0 makes it the rate.\n"
            "    optimizer = torch.optim.SGD(parameters, lr=1.0)\n"
            "    return optimizer, LambdaLR(optimizer, lambda step: lr_{index}(step))\n"
        ),
        loop=(
            "    optimizer, scheduler = {builder}([torch.nn.Parameter(torch.zeros(1))])\n"
            "    for step in range(STEPS):\n"
            "        print(repr(scheduler.get_last_lr()[0]))\n"
            "        if step < STEPS - 1:\n"
            "            optimizer.step()\n"
            "            scheduler.step()"
        ),
        reasons=(
            Why("parameter groups: LambdaLR multiplies each group's own lr (its multiplier, 1.0 for the "
                "curve itself) by the rate", lambda v: v.get("has_groups", False)),
            Why("torch's LinearLR refuses a start factor of 0, so this warmup from 0 is a LambdaLR",
                lambda v: v["warmup_steps"] and v["warmup_start_lr"] == 0),
            Why("torch's CosineAnnealingLR rises again after T_max; lrplot's cosine stays at end_lr",
                lambda v: v["schedule"] == "cosine"),
            Why("torch's CosineAnnealingWarmRestarts takes only an integer T_mult and no m_mul",
                lambda v: v["schedule"] == "cosine-restarts"),
            Why("torch's OneCycleLR raises past total_steps; lrplot holds the minimum",
                lambda v: v["schedule"] == "onecycle" and v["shown"] > v["total_steps"]),
            Why("torch's ExponentialLR decays every step (no decay_steps / staircase)",
                lambda v: v["schedule"] == "exponential"),
            Why("torch's CyclicLR raises OverflowError past 1024 triangular2 cycles (2.0 ** cycle)",
                lambda v: v["schedule"] == "cyclic"),
        ),
        otherwise="{framework} has no exact class for {schedule}",
        lead="Wrapped in LambdaLR (create the optimizer with lr=1.0): ",
        carry=CARRY,
    ),
    differences=(
        "**Cosine after `decay_steps`**: lrplot (like Keras and optax) stays at "
        "`end_lr`; torch's `CosineAnnealingLR` keeps following the cosine back up "
        "after `T_max` (0.0024, 0, 0.0024, 0.0095, … for `T_max=10`), a curve "
        "lrplot does not draw: keep torch runs within `T_max`, as torch's docs "
        "intend, or use `cosine-restarts --t-mul 1` if a restart is what you want.",
        "**torch `LinearLR`** refuses `start_factor=0`, so a warmup from 0 needs a "
        "`LambdaLR`; **torch `PolynomialLR`** has no end value (`end_lr = 0`); "
        "**torch `ExponentialLR`** has no `decay_steps` (use 1).",
        "**torch `OneCycleLR`** raises \"Tried to step X times\" past `total_steps`; "
        "lrplot holds the final minimum there (and warns). Short cycles follow "
        "torch's layout exactly: with `pct_start · total_steps < 1` the rise has no "
        "step and the curve starts part-way down from `lr` (lrplot warns); at "
        "exactly 1 torch divides by zero, and lrplot refuses the value.",
        "**torch `CyclicLR`**: `max_lr` is lrplot's `lr`.",
    ),
)
