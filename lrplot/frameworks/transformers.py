"""transformers (``transformers.optimization``, 5.x) against lrplot's schedules.

Documented only: ``--emit`` writes no transformers script (its schedules are
torch ``LambdaLR`` s; ``--emit torch`` writes those). Each function builds
its own linear warmup from 0; lrplot's value at step t is ``get_last_lr()``
after t calls of ``scheduler.step()`` (tests/golden/transformers.json).
"""

from __future__ import annotations

from lrplot.matching import HALF_COSINE, STRAIGHT_POLYNOMIAL, Condition, Exact, Framework, Value

FROM_0 = Condition("warmup_start_lr = 0", lambda v: v["warmup_from"] == 0)
TRAINING = Value("training", "warmup_steps + decay_steps", lambda v: v["warmup_steps"] + v["decay_steps"])

MATCHING = Framework(
    "transformers",
    "transformers",
    exact=(
        Exact(
            "polynomial",
            "get_polynomial_decay_schedule_with_warmup(optimizer, {warmup_steps}, {training}, lr_end={end_lr!r}, power={power!r})",
            when=(STRAIGHT_POLYNOMIAL, FROM_0, Condition("no cycle", lambda v: not v["cycle"])),
            values=(TRAINING,),
            emitted=False,
        ),
        Exact(
            "linear",
            "get_linear_schedule_with_warmup(optimizer, {warmup_steps}, {training})",
            when=(FROM_0, Condition("start_factor = 1, end_factor = 0", lambda v: v["start_factor"] == 1 and v["end_factor"] == 0)),
            values=(Value("training", "warmup_steps + total_steps", lambda v: v["warmup_steps"] + v["total_steps"]),),
            emitted=False,
        ),
        Exact(
            "cosine",
            "get_cosine_schedule_with_warmup(optimizer, {warmup_steps}, {training})",
            when=(HALF_COSINE, FROM_0, Condition("end_lr = 0", lambda v: v["end_lr"] == 0)),
            values=(TRAINING,),
            emitted=False,
        ),
        Exact(
            "inverse-sqrt",
            "get_inverse_sqrt_schedule(optimizer, {warmup_steps}, timescale={timescale})",
            when=(FROM_0,),
            emitted=False,
        ),
        Exact(
            "wsd",
            "get_wsd_schedule(optimizer, {warmup_steps}, {decay_steps}, num_training_steps={shown}, "
            "min_lr_ratio={ratio!r}, decay_type={decay_shape!r}, num_cycles={num_cycles!r})",
            when=(Condition("warmup_start_lr = end_lr", lambda v: v["warmup_from"] == v["end_lr"]),),
            values=(Value("ratio", "end_lr / lr", lambda v: v["end_lr"] / v["lr"]),
                    Value("shown", "--steps", lambda v: v["shown"])),
            emitted=False,
        ),
    ),
    differences=(
        "**transformers**: `get_inverse_sqrt_schedule` defaults `timescale` to the "
        "warmup length, lrplot to 10000 (SPEC): give `--timescale W` with "
        "`--warmup-steps W`; `get_wsd_schedule` warms up from "
        "`min_lr_ratio · lr`, i.e. `--warmup-start-lr` = `--end-lr`.",
    ),
)
