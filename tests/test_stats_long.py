"""--stats differences past 10**9 steps from the curves' breakpoints
(lrplot.differences) against every step, at a size where both run."""

from __future__ import annotations

import pytest

from lrplot import stats
from lrplot.plan import CurveRequest, Plan, make_curves
from tests.helpers import run

STEPS = 3_000_017

PAIRS = {
    "cosine vs linear, both warmed up": [("cosine", {"warmup_steps": 30_000}), ("linear", {"total_steps": 2_000_000, "warmup_steps": 30_000})],
    "wsd vs cosine": [("wsd", {"decay_steps": 600_000}), ("cosine", {"end_lr": 0.001})],
    "onecycle vs cyclic": [("onecycle", {}), ("cyclic", {"step_size_up": 70_001, "mode": "exp_range", "gamma": 0.999999})],
    "cosine-restarts vs exponential": [("cosine-restarts", {"first_decay_steps": 77_777, "m_mul": 0.8}),
                                       ("exponential", {"decay_steps": 300_000})],
    "piecewise vs step": [("piecewise", {"boundaries": [123_457, 2_000_001], "values": [0.1, 0.05, 0.001]}),
                          ("step", {"step_size": 400_000.5, "gamma": 0.5})],
    "noam vs inverse-sqrt, a shared-clock warmup": [("noam", {"noam_warmup": 50_000}),
                                                    ("inverse-sqrt", {"timescale": 1_000, "warmup_steps": 20_000,
                                                                      "warmup_clock": "shared", "warmup_shape": "cosine"})],
    "tanh vs polynomial held": [("tanh", {"decay_steps": 2_500_000}),
                                ("polynomial", {"decay_steps": 900_000, "power": 3.0, "warmup_steps": 10_000, "warmup_hold": 500})],
    "same warmup, then apart": [("cosine", {"warmup_steps": 100_000}), ("cosine", {"warmup_steps": 100_000, "decay_steps": 2_000_000})],
    "equal": [("linear", {}), ("linear", {})],
    "both stepped every 3 updates": [("cosine", {"step_every": 3, "step_offset": 1, "warmup_steps": 5_000}),
                                     ("wsd", {"step_every": 3, "step_offset": 1, "decay_steps": 300_000})],
}


@pytest.mark.parametrize("pair", PAIRS)
def test_differences_from_breakpoints_equal_every_step(pair):
    plan = Plan(STEPS, make_curves([CurveRequest(name, params) for name, params in PAIRS[pair]], STEPS))
    every = stats.compute(plan)[1]
    fast = stats._compute_long(plan)[1]
    assert fast["first_diff"] == every["first_diff"]
    for key in ("max_abs_diff", "max_rel_diff"):
        assert fast[key] == pytest.approx(every[key], rel=1e-12, abs=0), key


def test_a_curve_stepped_every_few_updates_has_no_long_differences():
    plan = Plan(STEPS, make_curves([CurveRequest("cosine", {}), CurveRequest("cosine", {"step_every": 3})], STEPS))
    assert stats._compute_long(plan)[1]["max_abs_diff"] is None


def test_differences_of_a_trillion_steps_by_hand(tmp_path):
    result = run("--steps", str(10**12), "--stats", "wsd", "linear", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    row = result.stdout.splitlines()[2].split()
    # By hand: wsd holds 0.1 until step 9e11, where linear 0.1 (1 - t / 1e12) is 0.01: |diff| 0.09,
    # relative 0.09 / 0.1; they agree at step 0 and differ from step 1 on.
    assert row[-3:] == ["0.09", "0.9", "1"]
