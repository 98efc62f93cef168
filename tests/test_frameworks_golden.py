"""Each framework mapping (lrplot/frameworks) against the real framework: the
scheduler built from the framework's own arguments and stepped as its
trainer steps it (tests/golden/frameworks, from scripts/golden_frameworks.py)
equals the lrplot curve the mapping gives, at every update."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lrplot.api import evaluate
from lrplot.frameworks import Unsupported, deepspeed, detectron2, timm

GOLDEN = Path(__file__).parent / "golden" / "frameworks"


def _cases(framework: str) -> list[dict]:
    return json.loads((GOLDEN / f"{framework}.json").read_text())["cases"]


def _timm(case: dict):
    name, args = case["scheduler"], case["args"]
    if name.startswith("create_scheduler_v2"):
        curve, _ = timm.create_scheduler_v2(args, case["optimizer_lr"], case["steps_per_epoch"])
        return curve
    return timm.scheduler(name, args, case["optimizer_lr"], case["steps_per_epoch"], case["steps"])


def _detectron2(case: dict):
    if "SOLVER" not in case:  # fvcore schedulers built by hand, not from a config
        raise Unsupported(case["scheduler"])
    return detectron2.solver(case["SOLVER"])


def _transformers(case: dict):
    """get_scheduler(name, num_warmup_steps, num_training_steps, kwargs), as the hf dialect maps it."""
    from lrplot.dialects import hf
    from lrplot.errors import UsageError
    from lrplot.frameworks import Curve

    args = case["args"]
    name, warmup = args["name"], args["num_warmup_steps"] or 0
    total = args["num_training_steps"] or case["steps"]
    if name not in hf.SCHEDULERS:
        raise Unsupported(name)
    try:
        schedule, params = hf.SCHEDULERS[name](hf.Run(case["optimizer_lr"], warmup, total, args["scheduler_specific_kwargs"], name))
    except UsageError as error:
        raise Unsupported(str(error)) from None
    if warmup and name not in hf.NO_WARMUP:
        params = {"warmup_steps": warmup, **params}
    return Curve(schedule, {"lr": case["optimizer_lr"], **params})


MAPPINGS = {
    "deepspeed": lambda case: deepspeed.scheduler(case["scheduler"], case["args"], case.get("optimizer_lr"), case["steps"]),
    "detectron2": lambda case: _detectron2(case),
    "timm": _timm,
    "transformers": _transformers,
}
# How many golden cases each mapping must reproduce (the rest are refused as
# not supported yet, never drawn wrong).
COVERED = {"deepspeed": 62, "detectron2": 53, "timm": 138, "transformers": 77}


def _run_length(case: dict) -> int:
    """The updates a trainer makes with this scheduler: never past its run
    (transformers' and DeepSpeed's cosines turn back up there)."""
    args = case.get("args") or {}
    if args.get("num_training_steps"):
        return min(case["steps"], args["num_training_steps"])
    if isinstance(args.get("total_num_steps"), int):  # DeepSpeed: update t uses iteration t - 1
        return min(case["steps"], args["total_num_steps"] + 1)
    return case["steps"]


def _compare(case: dict, mapping) -> str | None:
    steps = _run_length(case)
    case = {**case, "steps": steps}
    try:
        curve = mapping(case)
    except Unsupported:
        return "unsupported"
    ours = evaluate(curve.schedule, steps=steps, **curve.params)
    theirs = np.asarray(case["lr"][:steps])
    bad = np.flatnonzero(~np.isclose(ours, theirs, rtol=1e-12, atol=1e-15))
    if bad.size:
        return f"step {bad[0]}: lrplot {ours[bad[0]]!r}, framework {theirs[bad[0]]!r} ({curve})"
    return None


@pytest.mark.parametrize("framework", sorted(MAPPINGS))
def test_mapping_equals_the_framework_at_every_update(framework):
    results = {case["id"]: _compare(case, MAPPINGS[framework]) for case in _cases(framework)}
    wrong = {case: result for case, result in results.items() if result not in (None, "unsupported")}
    assert not wrong, f"{len(wrong)} cases differ, first: {next(iter(wrong.items()))}"
    matched = sum(result is None for result in results.values())
    assert matched >= COVERED[framework], f"{matched} of {len(results)} cases reproduced"
