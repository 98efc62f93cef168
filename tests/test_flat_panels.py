"""The panels under the curves — momentum, weight decay, --diff — drawn from
breakpoints like the curves (issue 17): the same points as reducing every
step where that is exact, the same pixels where it is not, and a figure of
10**12 steps in seconds."""

from __future__ import annotations

import numpy as np
import pytest

from lrplot import diff, envelope, plotting
from lrplot.plan import CurveRequest, make_curves
from lrplot.quantities import extras
from tests.helpers import lrplot_process
from tests.test_envelope import _raster

STEPS, BUCKETS = 40_003, 200

# Momentum cycled with the lr (torch's OneCycleLR and CyclicLR), and schedules of their own.
PANELS = [
    ("onecycle", {"total_steps": 35_000}, ()),
    ("onecycle", {"three_phase": True, "anneal": "linear", "warmup_steps": 2_000, "warmup_hold": 100}, ()),
    ("cyclic", {"step_size_up": 3_131, "step_size_down": 1_000, "mode": "exp_range", "gamma": 0.99997}, ()),
    ("cyclic", {"step_size_up": 7, "mode": "triangular2", "warmup_steps": 300, "step_every": 3}, ()),
    ("cosine", {"warmup_steps": 1_000}, (("weight_decay", "cosine lr=0.04 end_lr=0.4 warmup_steps=500"),
                                         ("momentum", "step lr=0.9 step_size=3001 gamma=1.05"))),
]


@pytest.mark.parametrize("name,params,quantities", PANELS)
def test_quantity_panels_from_breakpoints_equal_every_step(name, params, quantities):
    curve = make_curves([CurveRequest(name, params, quantities=quantities)], STEPS)[0]
    own = dict(curve.quantities)
    found = extras(curve)
    assert found
    for quantity, function in found:
        bound = own.get(quantity, curve.bound)
        fast = envelope.reduce_beside(function, bound, STEPS, BUCKETS)
        every = plotting.reduce_curve(function, STEPS, BUCKETS, chunk=30_000)
        np.testing.assert_array_equal(fast[0], every[0], err_msg=quantity)
        np.testing.assert_allclose(fast[1], every[1], rtol=1e-12, atol=0, err_msg=quantity)


DIFFS = [
    (("cosine", {"warmup_steps": 1_500}), ("linear", {"total_steps": 20_000}), False),
    (("cosine", {"warmup_steps": 1_500}), ("step", {"step_size": 2_400.5, "gamma": 0.7}), True),
    (("onecycle", {}), ("cyclic", {"step_size_up": 3_131, "mode": "triangular2"}), False),
    (("cosine-restarts", {"first_decay_steps": 777}), ("tanh", {"decay_steps": 15_000}), True),
    (("exponential", {"decay_steps": 400}), ("inverse-sqrt", {"timescale": 100, "warmup_steps": 300}), True),
]


@pytest.mark.parametrize("first,other,relative", DIFFS)
def test_the_difference_panel_draws_the_pixels_of_every_step(first, other, relative):
    """A difference of two curves may turn between their breakpoints: the
    drawn points are not every step's M4, but the line through them draws
    the pixels of every step but for pixels it only touches (as
    tests/test_envelope.py's curves)."""
    steps = 20_000
    a, b = (c.bound for c in make_curves([CurveRequest(*first), CurveRequest(*other)], steps))
    drawn = diff.difference_bound(a, b, relative)
    x, y = envelope.reduce_bound(drawn, steps, 1_600, frame=envelope.Frame(200, 150))
    t = np.arange(steps, dtype=np.float64)
    full = drawn.evaluate_at(t.copy())
    assert len(x) < steps / 2
    margin = 0.01 * (np.nanmax(full) - np.nanmin(full) + 1e-9)
    view = (steps, np.nanmin(full) - margin, np.nanmax(full) + margin, "default")
    differing = _raster(x, y, *view) != _raster(t, full, *view)
    covered = np.maximum(_raster(x, y, *view, antialiased=True), _raster(t, full, *view, antialiased=True))
    assert not (differing & (covered > 1)).any()


def test_the_first_gap_of_a_relative_difference_is_found_between_kept_steps():
    # By hand: linear from 1 to 0 over 10,000 steps is 0 from step 10,000 on; the
    # kept points of 200 buckets of 201 steps are far from it.
    a, b = (c.bound for c in make_curves([CurveRequest("linear", {"total_steps": 10_000, "start_factor": 1.0, "end_factor": 0.0}),
                                          CurveRequest("constant", {})], STEPS))
    drawn = diff.difference_bound(a, b, True)
    x, y = envelope.reduce_bound(drawn, STEPS, BUCKETS)
    assert diff.first_gap(drawn.evaluate_at, x, y) == 10_000


def test_a_trillion_steps_with_momentum_and_diff(tmp_path):
    result = lrplot_process(
        "--steps", str(10**12), "--diff", "-o", "d.png", "onecycle", "cyclic", "--step-size-up", str(10**9),
        "cosine", "--warmup-steps", str(10**10), "--weight-decay", "cosine lr=0.04 end_lr=0.4",
        cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
