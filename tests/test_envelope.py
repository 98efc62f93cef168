"""Figures from breakpoints (issue 17): the envelope of every bucket from the
values at its ends and around the curve's breakpoints equals the one from
every step, for every schedule and convention; long runs stay flat; an
overflow is found before a byte is written; --help never imports numpy."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrplot
from lrplot import envelope, plotting
from lrplot.binding import all_schedules
from lrplot.errors import UsageError
from tests.helpers import assert_usage_error, leftovers, lrplot_process, run
from tests.test_fast_paths import LONG, LONG_RUNS

STEPS, BUCKETS = 40_003, 200  # buckets of 201 steps

# Every schedule, with parameters that put several jumps or turns in the run.
PARAMS = {
    "constant": {},
    "warmup": {"warmup_steps": 3_000},
    "piecewise": {"boundaries": [12_345, 20_001, 37_777], "values": [0.1, 0.3, 0.02, 0.01]},
    "exponential": {"decay_steps": 4_000, "staircase": True},
    "natural-exp": {"decay_rate": 0.5, "decay_steps": 3_001, "staircase": True},
    "inverse-time": {"decay_steps": 700, "staircase": True},
    "range-test": {"step_size": 3_001, "step_rate": 0.5, "staircase": True},
    "polynomial": {"decay_steps": 9_000, "cycle": True, "power": 2.0},
    "linear": {"total_steps": 30_000, "start_factor": 0.2, "end_factor": 1.5},
    "step": {"step_size": 2_400.5, "gamma": 0.7},
    "multistep": {"milestones": [10_000, 10_000, 30_000], "gamma": 3.0},
    "cosine": {"decay_steps": 30_000, "end_lr": 0.01},
    "cosine-linear-envelope": {"decay_steps": 45_000.5, "end_lr": 0.01},
    "cosine-restarts": {"first_decay_steps": 777, "t_mul": 1.5, "m_mul": 0.7},
    "onecycle": {"total_steps": 35_000, "three_phase": True, "anneal": "linear"},
    "cyclic": {"step_size_up": 3_131, "step_size_down": 1_000, "mode": "exp_range", "gamma": 0.99997},
    "noam": {"noam_warmup": 5_000},
    "inverse-sqrt": {"timescale": 100},
    "wsd": {"decay_steps": 10_000},
    "tanh": {"decay_steps": 30_000, "lower": 2.0, "upper": -3.0},
    "sequence": {
        "parts": [
            {"schedule": "linear", "start_factor": 0.01, "end_factor": 1.0, "steps": 10_000},
            {"schedule": "cyclic", "step_size_up": 5, "steps": 20_000},
            {"schedule": "cosine", "warmup_steps": 100, "step_every": 3},
        ]
    },
}

# The trainer conventions that wrap every schedule.
CONVENTIONS = {
    "bare": {},
    "warmup": {"warmup_steps": 1_500, "warmup_start_lr": 0.001},
    "shared clock to lr": {"warmup_steps": 1_500, "warmup_clock": "shared", "warmup_target": "lr", "warmup_shape": "cosine"},
    "multiply, shared": {"warmup_steps": 900, "warmup_mode": "multiply", "warmup_clock": "shared", "warmup_start_factor": 0.1},
    "multiply, after": {"warmup_steps": 900, "warmup_mode": "multiply", "warmup_shape": "quadratic"},
    "hold": {"warmup_steps": 1_000, "warmup_hold": 37, "warmup_shape": "log"},
    "negative hold": {"warmup_steps": 1_000, "warmup_hold": -5},
    "step_every": {"step_every": 7, "step_offset": 1},
    "step_every, warmup": {"step_every": 13, "step_offset": -1, "warmup_steps": 50},
    "sample clock": {"step_scale": 7, "step_offset": 3, "warmup_steps": 500},
    "sample clock per epoch": {"step_every": 5, "step_scale": 3},
}


def test_every_schedule_is_covered_and_declares_its_breakpoints():
    assert set(PARAMS) == set(all_schedules())
    assert all(s.breaks is not None for name, s in all_schedules().items() if name != "sequence")


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", PARAMS)
def test_breakpoints_give_the_same_points_as_every_step(name, convention):
    params = {**PARAMS[name], **CONVENTIONS[convention]}
    if name == "warmup" and "warmup_steps" in CONVENTIONS[convention]:
        params["warmup_steps"] = CONVENTIONS[convention]["warmup_steps"]
    bound = lrplot.curve(name, steps=STEPS, **params)
    assert envelope.breaks_of(bound, STEPS) is not None  # the fast path is taken
    fast = envelope.reduce_bound(bound, STEPS, BUCKETS)
    every = plotting.reduce_curve(bound.evaluate_at, STEPS, BUCKETS, chunk=30_000)
    np.testing.assert_array_equal(fast[0], every[0])
    np.testing.assert_array_equal(fast[1], every[1])


@pytest.mark.parametrize(
    "name,params",
    [
        ("cyclic", {"step_size_up": 3, "step_size_down": 4}),  # ~29 cycles per bucket
        ("cyclic", {"step_size_up": 2, "mode": "triangular2"}),
        ("cyclic", {"step_size_up": 5, "mode": "exp_range", "gamma": 0.99999}),
        ("cosine-restarts", {"first_decay_steps": 7, "t_mul": 1.0, "end_lr": 0.01}),
        ("polynomial", {"decay_steps": 9, "cycle": True}),
        ("step", {"step_size": 3}),
    ],
)
def test_many_cycles_per_bucket(name, params):
    bound = lrplot.curve(name, steps=STEPS, warmup_steps=300, **params)
    fast = envelope.reduce_bound(bound, STEPS, BUCKETS)
    every = plotting.reduce_curve(bound.evaluate_at, STEPS, BUCKETS, chunk=30_000)
    np.testing.assert_array_equal(fast[0], every[0])
    np.testing.assert_array_equal(fast[1], every[1])


def _raster(xs, ys, steps, low, high, drawstyle, size=(2, 1.5), log=False, antialiased=False):
    """The curve drawn alone on a ``size``-inch figure at 100 dpi: for
    antialiased=False the pixels on, else how much of each pixel (0..255)
    the line covers."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100)
    axes = figure.add_axes((0, 0, 1, 1))
    # As tests/test_plotting.py's reference: no simplification.
    axes.plot(xs, ys, color="black", linewidth=1, antialiased=antialiased, drawstyle=drawstyle)
    axes.set_xlim(0, steps - 1)
    if log:
        axes.set_yscale("log")
    axes.set_ylim(low, high)
    axes.axis("off")
    canvas = FigureCanvasAgg(figure)
    with matplotlib.rc_context({"path.simplify": False}):
        canvas.draw()
    red = np.asarray(canvas.buffer_rgba())[..., 0]
    return 255 - red.astype(int) if antialiased else red < 128


RASTER_CONVENTIONS = ["bare", "warmup", "step_every"]
RASTER_CASES = [(name, {**PARAMS[name], **CONVENTIONS[convention]}) for convention in RASTER_CONVENTIONS for name in PARAMS] + [
    ("cyclic", {"step_size_up": 3, "mode": "triangular2", "warmup_steps": 2_000}),  # ~4 cycles per bucket
    ("cyclic", {"step_size_up": 2, "step_size_down": 3}),  # 20 cycles per pixel column
    ("cosine-restarts", {"first_decay_steps": 5, "t_mul": 1.0, "warmup_steps": 500, "step_every": 3}),
]
RASTER_FIGURES = {"2x1.5": ((2, 1.5), False), "3.3x1.1": ((3.3, 1.1), False), "2x1.5 log-y": ((2, 1.5), True)}


RASTER_RUNS = [(name, params, "2x1.5") for name, params in RASTER_CASES] + [
    (name, {**PARAMS[name], **CONVENTIONS[convention]}, figure)
    for figure, convention in (("3.3x1.1", "hold"), ("2x1.5 log-y", "warmup")) for name in PARAMS
]


@pytest.mark.parametrize("name,params,figure", RASTER_RUNS)
def test_fast_figure_draws_the_pixels_of_every_step(name, params, figure):
    """Rasterise the fast reduction, the reduction of every step, and every
    point. The first two are the same points, so the same pixels. Against
    every point: the same pixels, but for pixels the line only touches
    (covering less than 2/256 of them, in both drawings): Agg rounds a
    stroke's outline to 1/256 of a pixel at each vertex, so even the points
    of a straight line, drawn through every other one of them, turn such
    pixels on or off (test_every_step_itself_moves_touched_pixels). Drawn
    antialiased, no pixel differs by more than 4/255."""
    size, log = RASTER_FIGURES[figure]
    steps = 20_000
    bound = lrplot.curve(name, steps=steps, **params)
    full = bound(np.arange(steps, dtype=np.float64))
    if log and full.min() <= 0:
        pytest.skip("a log axis leaves out values <= 0")
    buckets = int(plotting.BUCKETS_PER_PIXEL * size[0] * 100)
    frame = envelope.Frame(size[0] * 100, size[1] * 100, log)
    x, y = envelope.reduce_bound(bound, steps, buckets, frame=frame)
    every = plotting.reduce_curve(bound.evaluate_at, steps, buckets, breaks=envelope.drawn_breaks(bound, steps, buckets), frame=frame)
    np.testing.assert_array_equal(x, every[0])
    assert len(x) < steps
    style = "steps-post" if bound.stepwise else "default"
    if log:
        low, high = full.min() * 0.9, full.max() * 1.1
    else:
        margin = 0.01 * (full.max() - full.min() + 1e-3)
        low, high = full.min() - margin, full.max() + margin
    view = (steps, low, high, style, size, log)
    fast, reference = _raster(x, y, *view), _raster(np.arange(steps), full, *view)
    assert np.array_equal(fast, _raster(*every, *view))
    fast_cover, reference_cover = _raster(x, y, *view, antialiased=True), _raster(np.arange(steps), full, *view, antialiased=True)
    differing = fast != reference
    touched = np.maximum(fast_cover, reference_cover) <= 1
    assert not (differing & ~touched).any(), np.argwhere(differing & ~touched)[:5]
    assert np.abs(fast_cover - reference_cover).max() <= 4


def test_every_step_itself_moves_touched_pixels():
    """Why test_fast_figure_draws_the_pixels_of_every_step allows touched
    pixels: a `linear` schedule, straight to 1e-13 pixels, drawn through
    every step and through 101 of them (no reduction involved)."""
    steps = 20_000
    bound = lrplot.curve("linear", steps=steps, **PARAMS["linear"])
    t = np.arange(steps, dtype=np.float64)
    full = bound(t)
    margin = 0.01 * (full.max() - full.min() + 1e-3)
    view = (steps, full.min() - margin, full.max() + margin, "default")
    some = np.unique(np.linspace(0, steps - 1, 101).astype(int))  # every 200th step, and the last
    differing = _raster(t, full, *view) != _raster(t[some], full[some], *view)
    assert differing.any()
    covered = np.maximum(_raster(t, full, *view, antialiased=True), _raster(t[some], full[some], *view, antialiased=True))
    assert covered[differing].max() == 1


@pytest.mark.parametrize("name,params", [("cosine", {"warmup_steps": 20_000}), ("step", {"step_size": 24_000}),
                                         ("cyclic", {"step_size_up": 3_001, "mode": "triangular2"})])
def test_an_lrplot_figure_draws_every_step(name, params):
    """The figure lrplot draws (plotting.draw: its layout, its 1.8-point
    antialiased line) against the same figure with the line through every
    step: within 2/255 of a pixel's coverage (Agg's rounding, as above).
    Drawn with matplotlib's own path simplification off on both sides: with
    it on, matplotlib replaces either line by one within 1/9 of a pixel,
    differently for different points."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from lrplot.plan import CurveRequest, Plan, make_curves

    steps = 300_000
    curves = make_curves([CurveRequest(name, params)], steps)

    def pixels(figure):
        with matplotlib.rc_context({"path.simplify": False}):
            FigureCanvasAgg(figure).draw()
        return np.asarray(figure.canvas.buffer_rgba()).astype(int)

    figure = plotting.draw(Plan(steps, curves))
    line = figure.axes[0].get_lines()[0]
    assert len(line.get_xdata()) < steps / 10
    fast = pixels(figure)
    t = np.arange(steps, dtype=np.float64)
    line.set_data(t, curves[0].bound(t))
    assert np.abs(fast - pixels(figure)).max() <= 2


def test_the_png_lrplot_writes_draws_every_step(tmp_path):
    """The PNG file a user gets (a real process, matplotlib's defaults but for
    path simplification, which lrplot turns off for rasters) against the same
    figure saved with the line through every step: within 2/255, Agg's
    rounding (above). With simplification on, the two differ by up to 40/255."""
    import matplotlib
    import matplotlib.image

    from lrplot.plan import CurveRequest, Plan, make_curves

    steps = 300_000
    args = ("cyclic", {"step_size_up": 3_001, "mode": "triangular2"})
    result = lrplot_process("--steps", str(steps), "-o", "fast.png", "cyclic", "--step-size-up", "3001",
                            "--mode", "triangular2", "--no-cycle-momentum", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    curves = make_curves([CurveRequest(args[0], {**args[1], "cycle_momentum": False})], steps)
    figure = plotting.draw(Plan(steps, curves))
    t = np.arange(steps, dtype=np.float64)
    figure.axes[0].get_lines()[0].set_data(t, curves[0].bound(t))
    with open(tmp_path / "every.png", "wb") as handle:
        plotting.save(figure, handle, "png", 100)
    fast = matplotlib.image.imread(tmp_path / "fast.png")
    every = matplotlib.image.imread(tmp_path / "every.png")
    assert fast.shape == every.shape
    assert np.abs(fast - every).max() <= 2 / 255 + 1e-6


def test_a_figure_of_a_trillion_steps(tmp_path):
    result = lrplot_process(
        "--steps", str(10**12), "-o", "big.png", "-o", "big.svg",
        "cosine", "--warmup-steps", str(10**10), "step", "exponential", "--decay-steps", str(5 * 10**10),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "big.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "big.svg").stat().st_size > 1000


def test_the_figure_of_a_long_run_holds_its_exact_extremes():
    steps = 10**12
    bound = lrplot.curve("cyclic", steps=steps, step_size_up=10**9 + 7, mode="triangular2")
    x, y = envelope.reduce_bound(bound, steps, 6_400)
    # By hand: the first peak, at step 10**9 + 7, is lr; the troughs are base_lr = lr / 10.
    assert y.max() == 0.1 and x[np.argmax(y)] == 10**9 + 7
    assert y.min() == pytest.approx(0.01, rel=1e-15)


def test_too_many_breakpoints_past_a_billion_steps_is_refused(tmp_path):
    result = run("--steps", str(2 * 10**9), "-o", "x.png", "cyclic", "--step-size-up", "100", cwd=tmp_path)
    assert_usage_error(result, "curve 1 (cyclic(step_size_up=100)): over 2,000,000,000 steps it changes direction or jumps more than")
    assert not list(tmp_path.iterdir())


def test_a_late_overflow_is_found_before_the_first_byte(tmp_path):
    # 0.1 * exp(t * ln 1.00001): exp overflows first at the step where
    # Python's math.exp does (computed here by hand, step by step).
    rate = math.log(1.00001)
    first = int(math.log(sys.float_info.max) / rate) - 2
    while True:
        try:
            math.exp(first * rate)
        except OverflowError:
            break
        first += 1
    (tmp_path / "x.csv").write_text("precious\n")
    result = run("--steps", str(10**8), "-o", "x.csv", "exponential", "--decay-rate", "1.00001", cwd=tmp_path)
    assert_usage_error(result, f"overflows float64 at step {first};")
    assert (tmp_path / "x.csv").read_text() == "precious\n" and leftovers(tmp_path) == []


def test_a_large_csv_is_announced(tmp_path):
    # Said before anything is written (and, like every warning, an error
    # with --strict: the CSV itself would take days).
    result = run("--strict", "--steps", str(10**12), "-o", "huge.csv", "-o", "-", "constant", cwd=tmp_path)
    assert result.exit_code == 2 and result.stdout == ""
    # By hand: a row is the step (up to 12 digits), a comma, ~21 bytes of value: 34 bytes x 10**12.
    assert result.stderr.splitlines() == [
        "warning: huge.csv will be about 34.0 TB (1,000,000,000,000 rows of 1 curves)",
        "warning: the CSV on stdout will be about 34.0 TB (1,000,000,000,000 rows of 1 curves)",
        "lrplot: error: --strict: 2 warning(s) above",
    ]
    assert not list(tmp_path.iterdir())
    help_text = run("--help").stdout
    assert "about 21 bytes per step and curve" in " ".join(help_text.split())


FAST_COMMANDS = {
    "help": (["--help"], {}),
    "schedule help": (["cosine", "--help"], {}),
    "list": (["list"], {}),
    "completion": ([], {"_LRPLOT_COMPLETE": "bash_complete", "COMP_WORDS": "lrplot cosine --w", "COMP_CWORD": "2"}),
}


@pytest.mark.parametrize("what", FAST_COMMANDS)
def test_the_command_line_answers_without_numpy_or_matplotlib(what):
    import os

    args, env = FAST_COMMANDS[what]
    code = (
        "import sys\n"
        f"sys.argv = ['lrplot', *{args!r}]\n"
        "from lrplot.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit_:\n    assert not exit_.code, exit_.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'matplotlib', 'yaml'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "printed nothing"
    assert "HEAVY []" in done.stderr, done.stderr


def test_the_double_well_minima_are_numpys_roots():
    from lrplot.descent import DOUBLE_WELL_MINIMA

    roots = sorted(np.roots([4.0, 0.0, -8.0, 1.0]).real)
    assert DOUBLE_WELL_MINIMA == (((float(roots[0]),), "global"), ((float(roots[2]),), "local"))


@pytest.mark.parametrize(
    "name,params",
    [("cyclic", {"step_size_up": 7, "mode": "triangular2", "warmup_steps": 100}), ("piecewise", PARAMS["piecewise"]),
     ("cosine-restarts", {"first_decay_steps": 50, "step_every": 3})],
)
@pytest.mark.parametrize("columns", [80, 333, 50_000])
def test_column_ranges_equal_every_steps(name, params, columns):
    steps = 40_003
    bound = lrplot.curve(name, steps=steps, **params)
    full = bound(np.arange(steps, dtype=np.float64))
    lows, highs = envelope.column_range(bound, steps, columns)
    for column in range(columns):
        block = full[column * steps // columns : (column + 1) * steps // columns]
        if block.size:
            assert (lows[column], highs[column]) == (block.min(), block.max())
        else:
            assert np.isnan(lows[column]) and np.isnan(highs[column])


def test_the_api_binds_a_trillion_steps_but_returns_at_most_a_billion():
    long = lrplot.curve("cosine", steps=10**12, warmup_steps=10**10)
    # By hand: the warmup ramps 0 -> 0.1 over 10**10 steps; the cosine ends at 10**12.
    assert long(np.array([5 * 10**9, 10**10]))[0] == pytest.approx(0.05) and long(np.array([10**10]))[0] == 0.1
    with pytest.raises(lrplot.ParamError, match="an integer from 1 to 1000000000"):
        lrplot.evaluate("constant", steps=10**9 + 1)


@pytest.mark.parametrize("convention", ["bare", "warmup", "hold", "step_every, warmup"])
@pytest.mark.parametrize("name", PARAMS)
def test_stats_from_breakpoints_equal_stats_from_every_step(name, convention):
    from lrplot import stats
    from lrplot.plan import CurveRequest, Plan, make_curves

    params = {**PARAMS[name], **CONVENTIONS[convention]}
    curves = make_curves([CurveRequest(name, params)], STEPS)
    every = stats.compute(Plan(STEPS, curves))[0]
    fast = envelope.summary(curves[0].bound, STEPS, stats.FALL)
    assert fast == {key: every[key] for key in fast}


def test_stats_of_a_trillion_steps(tmp_path):
    result = run("--steps", str(10**12), "--stats", "wsd", "step", "--step-size", "142857142857", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # By hand: wsd holds 0.1 until 9e11, then 0.1 * (1 - sqrt(p)) < 0.01 from p > 0.81, i.e. past
    # step 9.81e11; step is 0.1 * 0.1**k, below 0.01 from its second decay, 2 * 142857142857.
    # Areas by hand: wsd 0.1 * 9e11 + 0.1 * 1e11 * (1 - 2/3); step 0.1 * 142857142857 * 1.111111
    # (0.1**0 .. 0.1**6), the one step at 1e-8 lost in the rounding.
    assert lines[1].split()[1:] == ["0.1", "5e-13", "5e-13", "0.1", "9.33333e+10", "981000000000", "-", "-", "-"]
    # Differences by hand: |diff| is largest just before 9e11, wsd 0.1 and step 0.1 * 0.1**6; relative
    # to wsd, at step 1e12 - 2, where step is still 1e-7 and wsd 0.1 * (1 - sqrt(1 - 2e-11)) = 1e-12;
    # they first differ at step's first decay.
    assert lines[2].split()[1:] == ["0.1", "1e-08", "1e-08", "0.1", "1.5873e+10", "285714285714",
                                    "0.0999999", "99999", "142857142857"]
    assert "past 1,000,000,000 steps: the area from closed-form sums" in result.stdout


AREA_CONVENTIONS = ["bare", "warmup", "shared clock to lr", "multiply, shared", "multiply, after", "hold", "negative hold"]


@pytest.mark.parametrize("name", sorted(set(PARAMS) - {"sequence"}))
def test_area_in_closed_form_equals_the_sum_of_every_step(name):
    from lrplot.area import area

    steps = 3_000_017  # long pieces: summed by Euler-Maclaurin, not step by step
    for convention in AREA_CONVENTIONS:
        params = {**PARAMS[name], **CONVENTIONS[convention]}
        if name == "warmup":
            params.setdefault("warmup_steps", 1_500)
        bound = lrplot.curve(name, steps=steps, **params)
        every = float(bound(np.arange(steps, dtype=np.float64)).sum())
        assert area(bound, steps) == pytest.approx(every, rel=1e-12, abs=0), (name, convention)


@pytest.mark.parametrize("every,offset", [(2, 0), (7, -2), (13, 1), (3, 5)])
def test_area_of_a_curve_stepped_every_few_updates(every, offset):
    from lrplot.area import area

    steps = 2_000_003
    for name, params in [("cosine", {"warmup_steps": 500}), ("cyclic", {"step_size_up": 30_000, "mode": "triangular2"}),
                         ("inverse-sqrt", {"timescale": 3}), ("step", {"step_size": 50_000})]:
        bound = lrplot.curve(name, steps=steps, step_every=every, step_offset=offset, **params)
        every_step = float(bound(np.arange(steps, dtype=np.float64)).sum())
        assert area(bound, steps) == pytest.approx(every_step, rel=1e-11, abs=0), name


def test_no_area_with_too_many_jumps_or_a_sequence_part_stepped_every_few_updates():
    from lrplot.area import area

    assert area(lrplot.curve("step", steps=10**12), 10**12) is None  # 3e10 jumps of step_size 30
    assert area(lrplot.curve("sequence", steps=40_003, **PARAMS["sequence"]), 40_003) is None


CONVENTION_DRAWS = {
    "warmup_steps": st.integers(0, 3_000),
    "warmup_start_lr": st.floats(1e-6, 1e-3),
    "warmup_shape": st.sampled_from(["linear", "exponential", "constant", "cosine", "1-sqrt", "quadratic", "log"]),
    "warmup_clock": st.sampled_from(["after", "shared"]),
    "warmup_mode": st.sampled_from(["replace", "multiply"]),
    "warmup_target": st.sampled_from(["schedule", "lr"]),
    "warmup_hold": st.integers(-3, 40),
    "step_every": st.integers(1, 9),
    "step_offset": st.integers(-2, 2),
}


@pytest.mark.parametrize("name", PARAMS)
def test_breakpoints_hold_for_drawn_parameters_and_conventions(name):
    """Any parameters (tests/test_fast_paths.py's draws), any conventions:
    the fast reduction is the reduction of every step."""

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params=LONG_RUNS[name], conventions=st.fixed_dictionaries(CONVENTION_DRAWS), buckets=st.integers(50, 900))
    def check(params, conventions, buckets):
        if name == "warmup":
            conventions["warmup_steps"] = max(1, conventions["warmup_steps"])
        try:
            bound = lrplot.curve(name, steps=LONG, **{**params, **conventions})
        except UsageError:
            return  # a drawn combination lrplot refuses in one line (warmup_start_lr / a subnormal lr)
        if envelope.breaks_of(bound, LONG) is None:
            return  # more breakpoints than the budget: every step is evaluated anyway
        try:
            every = plotting.reduce_curve(bound.evaluate_at, LONG, buckets, chunk=30_000)
        except UsageError:
            # Drawn values that overflow float64 (a subnormal lr under an exponential
            # warmup): refused either way, which the overflow tests cover.
            with pytest.raises(UsageError):
                envelope.reduce_bound(bound, LONG, buckets)
            return
        fast = envelope.reduce_bound(bound, LONG, buckets)
        np.testing.assert_array_equal(fast[0], every[0], err_msg=str((params, conventions, buckets)))
        # Values to a few ulps: step and cosine-restarts take other (equally
        # exact) arithmetic for a chunk with many segments than for a few points.
        np.testing.assert_allclose(fast[1], every[1], rtol=1e-12, atol=0, err_msg=str((params, conventions, buckets)))
        # Drawn in a figure (a frame of buckets / 8 x 150 pixels): the same points too.
        frame = envelope.Frame(buckets / plotting.BUCKETS_PER_PIXEL, 150, log=False)
        drawn = envelope.reduce_bound(bound, LONG, buckets, frame=frame)
        breaks = envelope.drawn_breaks(bound, LONG, buckets)
        every = plotting.reduce_curve(bound.evaluate_at, LONG, buckets, chunk=30_000, breaks=breaks, frame=frame)
        np.testing.assert_array_equal(drawn[0], every[0], err_msg=str((params, conventions, buckets)))

    check()


@pytest.mark.parametrize("params", [
    {"first_decay_steps": 3, "m_mul": 0.96875, "end_lr": 1e-6},  # the batch of candidates is an ulp off a short batch
    {"first_decay_steps": 16, "m_mul": 1.0, "end_lr": 0.0},  # equal cycles: the bisection's batch must stay ascending
])
def test_a_stair_is_found_from_its_first_step(params):
    """Found by hypothesis (above): cosine-restarts stepped every 3 updates;
    each bucket's lowest point is the first step of its last stair, as
    every step finds it, whatever arithmetic the candidates' batch took."""
    steps, buckets = 100_000, 50
    bound = lrplot.curve("cosine-restarts", steps=steps, t_mul=1.0, step_every=3, **params)
    fast = envelope.reduce_bound(bound, steps, buckets)
    every = plotting.reduce_curve(bound.evaluate_at, steps, buckets, chunk=30_000)
    np.testing.assert_array_equal(fast[0], every[0])


def test_area_of_a_trillion_steps_by_hand():
    from lrplot.area import area

    # 0.1 * sum_{n=1}^{N} n**-0.5 = 0.1 * (2 sqrt(N) + zeta(1/2) + 1 / (2 sqrt(N)) + ...), N = 10**12,
    # zeta(1/2) = -1.4603545088095868 (Riemann's zeta).
    bound = lrplot.curve("inverse-sqrt", steps=10**12, timescale=1)
    assert area(bound, 10**12) == pytest.approx(0.1 * (2e6 - 1.4603545088095868 + 0.5e-6), rel=1e-13)


@pytest.mark.parametrize("name", sorted(set(PARAMS) - {"sequence"}))
def test_area_for_drawn_parameters_and_conventions(name):
    """Any parameters, any conventions: the closed-form area is the sum of
    every step, or None (too many pieces)."""
    from lrplot.area import area

    steps = 2_000_003

    @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params=LONG_RUNS[name], conventions=st.fixed_dictionaries(CONVENTION_DRAWS))
    def check(params, conventions):
        if name == "warmup":
            conventions["warmup_steps"] = max(1, conventions["warmup_steps"])
        bound = lrplot.curve(name, steps=steps, **{**params, **conventions})
        found = area(bound, steps)
        if found is not None:
            assert found == pytest.approx(float(bound(np.arange(steps, dtype=np.float64)).sum()), rel=1e-11, abs=0)

    check()


def test_noise_is_drawn_at_every_step():
    # timm's noise changes the lr at every noisy step: no breakpoints, every step evaluated.
    bound = lrplot.curve("cosine", steps=STEPS, decay_steps=50_000, noise_range=[100, 20_000], step_every=3)
    assert envelope.breaks_of(bound, STEPS) is None
    fast = envelope.reduce_bound(bound, STEPS, BUCKETS)
    every = plotting.reduce_curve(bound.evaluate_at, STEPS, BUCKETS, chunk=30_000)
    np.testing.assert_array_equal(fast[1], every[1])
