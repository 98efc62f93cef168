"""The drawn figure: what is on the axes, not just that a file exists."""

from __future__ import annotations

import numpy as np
import pytest

import lrplot
from lrplot import plotting
from lrplot.plan import CurveRequest, Plan, make_curves
from tests.helpers import run


def plan_of(*requests: CurveRequest, steps: int = 100, **options) -> Plan:
    return Plan(steps=steps, curves=make_curves(list(requests), steps), **options)


def test_one_line_per_curve_with_the_evaluated_data_and_legend():
    plan = plan_of(
        CurveRequest("exponential", {"decay_rate": 0.9}, label="exp"),
        CurveRequest("piecewise", {"boundaries": [30, 60], "values": [0.1, 0.05, 0.01]}, color="red"),
        title="T",
    )
    axes = plotting.draw(plan).axes[0]
    assert len(axes.lines) == 2
    first, second = axes.lines
    np.testing.assert_array_equal(first.get_xdata(), np.arange(100))
    np.testing.assert_array_equal(first.get_ydata(), lrplot.evaluate("exponential", steps=100, decay_rate=0.9))
    np.testing.assert_array_equal(second.get_ydata(), lrplot.evaluate("piecewise", steps=100, boundaries=[30, 60], values=[0.1, 0.05, 0.01]))
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["exp", "piecewise(boundaries=[30, 60], values=[0.1, 0.05, 0.01])"]
    assert second.get_color() == "red"
    assert axes.get_title() == "T"
    assert axes.get_xlabel() == "step" and axes.get_ylabel() == "learning rate"


def test_step_shaped_curves_are_drawn_as_steps_and_smooth_ones_as_lines():
    plan = plan_of(
        CurveRequest("step", {}),
        CurveRequest("exponential", {"staircase": True, "decay_steps": 10}),
        CurveRequest("cosine", {}),
    )
    styles = [line.get_drawstyle() for line in plotting.draw(plan).axes[0].lines]
    assert styles == ["steps-post", "steps-post", "default"]


def test_log_y():
    axes = plotting.draw(plan_of(CurveRequest("exponential", {}), log_y=True)).axes[0]
    assert axes.get_yscale() == "log"


def test_default_title_names_the_single_curve():
    axes = plotting.draw(plan_of(CurveRequest("cosine", {}))).axes[0]
    assert axes.get_title() == "cosine learning-rate schedule"
    # a long automatic label stays in the legend; the title names the schedule so it fits
    long = plan_of(CurveRequest("inverse-sqrt", {"warmup_steps": 10, "timescale": 10}), size=(6.0, 3.5), dpi=80)
    figure = plotting.draw(long)
    assert figure.axes[0].get_title() == "inverse-sqrt learning-rate schedule"
    figure.canvas.draw()
    title = figure.axes[0].title.get_window_extent()
    assert 0 <= title.x0 and title.x1 <= figure.bbox.width


# ------------------------------------------------------------- reduction


def _column_envelopes(x, y, steps, columns):
    """min/max of the points falling in each of `columns` equal x ranges."""
    edges = np.linspace(0, steps, columns + 1)
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, columns - 1)
    lows = np.full(columns, np.inf)
    highs = np.full(columns, -np.inf)
    np.minimum.at(lows, which, y)
    np.maximum.at(highs, which, y)
    return lows, highs


@pytest.mark.parametrize(
    "name,params",
    [
        ("cosine-restarts", {"first_decay_steps": 777, "m_mul": 0.7}),
        ("cyclic", {"step_size_up": 313, "mode": "triangular2"}),
        ("piecewise", {"boundaries": [12345, 50001, 77777], "values": [0.1, 0.3, 0.02, 0.01]}),
        ("noam", {"noam_warmup": 5000}),
    ],
)
def test_reduced_curve_keeps_every_bucket_envelope_and_exact_step_edges(name, params):
    steps, buckets = 100_003, 500
    bound = lrplot.curve(name, steps=steps, **params)
    full = bound(np.arange(steps, dtype=np.float64))
    x, y = plotting.reduce_curve(bound, steps, buckets, chunk=30_000)
    assert len(x) <= 4 * buckets + 4
    assert np.all(np.diff(x) > 0)
    # Every kept point is a real point of the curve.
    np.testing.assert_array_equal(y, full[x.astype(int)])
    # The first and last points, the global extremes, and every bucket's min/max are kept.
    width = -(-steps // buckets)
    for start in range(0, steps, width):
        block = full[start:start + width]
        inside = (x >= start) & (x < start + width)
        assert y[inside].min() == block.min() and y[inside].max() == block.max()
    if name == "piecewise":
        for edge in params["boundaries"]:
            assert edge in x  # the jump is drawn at its exact step


def test_reduction_is_visually_identical_on_a_small_case(tmp_path):
    """Rasterise the full and the reduced curve; the pixels must match."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    steps = 20_000
    bound = lrplot.curve("cosine-restarts", steps=steps, first_decay_steps=900)
    full = bound(np.arange(steps, dtype=np.float64))
    x, y = plotting.reduce_curve(bound, steps, buckets=plotting.BUCKETS_PER_PIXEL * 200)

    def raster(xs, ys):
        # No path simplification: the reference really draws every point.
        figure = Figure(figsize=(2, 1.5), dpi=100)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.plot(xs, ys, color="black", linewidth=1, antialiased=False)
        axes.set_xlim(0, steps - 1)
        axes.set_ylim(-0.01, 0.11)
        axes.axis("off")
        canvas = FigureCanvasAgg(figure)
        with matplotlib.rc_context({"path.simplify": False}):
            canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., 0] < 128

    assert len(x) < steps / 5
    assert np.array_equal(raster(np.arange(steps), full), raster(x, y))


def test_log_y_with_zeros_says_so_in_one_line_per_curve(tmp_path):
    # linear to 0 over 10 steps: 0.1 * (1 - t/10) is 0 from t = 10 on.
    result = run("--steps", "20", "--log-y", "-o", str(tmp_path / "a.png"),
                 "linear", "--start-factor", "1", "--end-factor", "0", "--total-steps", "10", "exponential")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "--log-y" in line]
    assert lines == [
        "warning: curve 1 (linear(total_steps=10)): --log-y cannot show "
        "its values <= 0 (the first at step 10); they are left out of the plot"
    ]
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines())


def test_strict_counts_the_log_y_warning_and_writes_nothing(tmp_path):
    out = tmp_path / "s.png"
    result = run("--strict", "--log-y", "--steps", "20", "-o", str(out), "-o", str(tmp_path / "s.csv"),
                 "piecewise", "--boundaries", "15", "--values", "0.1,0")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "--log-y cannot show its values <= 0 (the first at step 15)" in lines[0]
    assert lines[-1] == "lrplot: error: --strict: 1 warning(s) above"
    assert list(tmp_path.iterdir()) == []


def test_long_labels_are_shown_in_full_inside_the_figure():
    request = CurveRequest("piecewise", {"boundaries": [30, 60, 90], "values": [0.1, 0.05, 0.025, 0.0125]})
    figure = plotting.draw(plan_of(request, size=(6.0, 3.5), dpi=80))
    (legend,) = figure.legends  # too wide for the axes: below them
    assert [t.get_text() for t in legend.get_texts()] == ["piecewise(boundaries=[30, 60, 90], values=[0.1, 0.05, 0.025, 0.0125])"]
    figure.canvas.draw()
    box = legend.get_window_extent()
    assert 0 <= box.x0 and box.x1 <= figure.bbox.width
