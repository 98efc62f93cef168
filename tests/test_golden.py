"""lrplot against the real frameworks, at every step (SPEC §2 "exact").

The golden files under tests/golden/ were produced by scripts/make_golden.py
from the frameworks' own scheduler classes (framework and version recorded in
each file), so CI needs no framework. Tolerances are SPEC §2's: 1e-9 relative
against float64 frameworks; against Keras, which computes in float32, 1e-6
relative or 1e-7 x the curve's peak absolute, whichever is larger.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import lrplot

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))
DOCUMENTS = {path.stem: json.loads(path.read_text()) for path in GOLDEN}
CASES = [(name, case) for name, doc in DOCUMENTS.items() for case in doc["cases"]]


def float32_exponent_error(case: dict) -> np.ndarray:
    """Keras stores decay_rate in float32: r32 = r(1 + d), so r32**p is off by
    a factor (1 + d)**p, about p*|d| relative, which for 0.96**t exceeds 1e-6
    from t = 48 on. That is Keras' rounding, not lrplot's; allow exactly it."""
    params = case["params"]
    if case["schedule"] != "exponential":
        return np.zeros(case["steps"])
    rate = params["decay_rate"]
    d = abs(math.log(float(np.float32(rate)) / rate))
    p = np.arange(case["steps"]) / params.get("decay_steps", 1)
    if params.get("staircase"):
        p = np.floor(p)
    return np.expm1(p * d)


def tolerance(dtype: str, golden: np.ndarray, case: dict) -> np.ndarray:
    if dtype == "float32":
        relative = 1e-6 + float32_exponent_error(case)
        return np.maximum(relative * np.abs(golden), 1e-7 * np.abs(golden).max())
    # float64: relative only. A value the framework rounds to within 1e-15 of
    # zero (e.g. cos(pi) in torch's recursive cosine) has no meaningful
    # relative error, so it gets an absolute floor of 1e-12 x peak.
    floor = np.where(np.abs(golden) < 1e-15, 1e-12 * np.abs(golden).max(), 0.0)
    return np.maximum(1e-9 * np.abs(golden), floor)


@pytest.mark.parametrize("framework,case", CASES, ids=[case["id"] for _, case in CASES])
def test_matches_framework_at_every_step(framework, case):
    golden = np.asarray(case["values"], dtype=np.float64)
    ours = lrplot.evaluate(case["schedule"], steps=case["steps"], **case["params"])
    assert ours.shape == golden.shape
    error = np.abs(ours - golden)
    allowed = tolerance(DOCUMENTS[framework]["dtype"], golden, case)
    bad = np.flatnonzero(error > allowed)
    assert bad.size == 0, (
        f"{case['call']}: first mismatch at step {bad[0]}: ours {ours[bad[0]]!r}, "
        f"{framework} {golden[bad[0]]!r} ({bad.size} steps differ)"
    )


def test_golden_files_name_framework_and_version():
    assert {"torch", "keras", "optax", "transformers"} <= set(DOCUMENTS)
    for doc in DOCUMENTS.values():
        assert doc["framework"] and doc["version"] and doc["dtype"] in ("float32", "float64")
        assert doc["generated_by"] == "scripts/make_golden.py"


def test_every_schedule_has_golden_values_from_a_framework():
    covered = {case["schedule"] for _, case in CASES}
    # constant and warmup are covered through torch ConstantLR / every warmup case;
    # tanh through timm's TanhLRScheduler in tests/golden/frameworks (test_frameworks_golden.py),
    # cosine-linear-envelope through OLMo's CosLinearEnvelope there (tests/test_dialect_olmo.py),
    # range-test through DeepSpeed's LRRangeTest there.
    frameworks = Path(__file__).parent / "golden" / "frameworks"
    assert '"scheduler": "TanhLRScheduler"' in (frameworks / "timm.json").read_text()
    assert '"scheduler": "CosLinearEnvelope"' in (frameworks / "olmo.json").read_text()
    assert '"scheduler": "LRRangeTest"' in (frameworks / "deepspeed.json").read_text()
    missing = set(lrplot.list_schedules()) - covered - {"warmup", "tanh", "cosine-linear-envelope", "range-test"}
    assert not missing, f"no framework golden values for {sorted(missing)}"


@pytest.mark.live
def test_live_torch_still_matches():
    """Re-run a few torch schedulers live when torch is importable."""
    torch = pytest.importorskip("torch")
    from torch.optim import lr_scheduler as S

    def stepped(factory, steps):
        parameter = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.SGD([parameter], lr=0.1, momentum=0.9)
        scheduler = factory(optimizer)
        values = []
        for _ in range(steps):
            values.append(scheduler.get_last_lr()[0])
            optimizer.step()
            scheduler.step()
        return values

    checks = [
        (lambda o: S.CosineAnnealingWarmRestarts(o, 7, 2), "cosine-restarts", {"first_decay_steps": 7, "t_mul": 2.0}),
        (lambda o: S.OneCycleLR(o, 0.1, total_steps=77, three_phase=True), "onecycle", {"total_steps": 77, "three_phase": True}),
        (lambda o: S.CyclicLR(o, 0.01, 0.1, 3, 9, mode="triangular2"), "cyclic", {"base_lr": 0.01, "step_size_up": 3, "step_size_down": 9, "mode": "triangular2"}),
    ]
    for factory, name, params in checks:
        np.testing.assert_allclose(lrplot.evaluate(name, steps=77, **params), stepped(factory, 77), rtol=1e-9, atol=0)
