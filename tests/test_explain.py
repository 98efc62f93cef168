"""Figures that explain themselves: --annotate marks, the --diff panel, and a
legend that leaves the axes room whatever the labels."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pytest

import lrplot
from lrplot import plotting
from lrplot.marks import breakpoints
from lrplot.plan import CurveRequest, Plan, make_curves
from tests.helpers import assert_usage_error, read_csv, run

ROOT = Path(__file__).parent.parent


def plan_of(*requests: CurveRequest, steps: int = 100, **options) -> Plan:
    return Plan(steps=steps, curves=make_curves(list(requests), steps), **options)


def marks(name: str, steps: int = 100, **params) -> list[tuple[float, str, float]]:
    return [(m.step, m.what, m.value) for m in breakpoints(lrplot.curve(name, steps, **params), steps)]


def test_marks_come_from_the_parameters_with_the_value_that_starts_there():
    # multistep after a 10-step warmup: its milestones count from the warmup's end
    assert marks("multistep", milestones=[30, 60, 80], warmup_steps=10) == [
        (10, "warmup end", 0.1),
        (40, "milestone", pytest.approx(0.01)),
        (70, "milestone", pytest.approx(0.001)),
        (90, "milestone", pytest.approx(0.0001)),
    ]
    assert marks("piecewise", boundaries=[30, 60], values=[1.0, 0.5, 0.25]) == [
        (30, "boundary", 0.5), (60, "boundary", 0.25)]
    # a boundary beyond the run is not marked; one counted in epochs of 10 steps is at 10x
    assert marks("piecewise", boundaries=[3, 20], values=[1.0, 0.5, 0.25], step_every=10) == [(30, "boundary", 0.5)]
    assert [m[:2] for m in marks("step", step_size=30)] == [(30, "decay"), (60, "decay"), (90, "decay")]
    # timm's 2.4-epoch steps decay at 3, 5, 8 (ceil of 2.4 k)
    assert [m[0] for m in marks("step", steps=9, step_size=2.4)] == [3, 5, 8]
    # SGDR, T_0 = 10, T_mult = 2: cycles of 10, 20, 40 start at 10, 30, 70, each back at lr
    assert marks("cosine-restarts", first_decay_steps=10) == [(10, "restart", 0.1), (30, "restart", 0.1), (70, "restart", 0.1)]
    # Keras PolynomialDecay(cycle=True): the rate jumps back up one step after each multiple
    assert [m[:2] for m in marks("polynomial", decay_steps=30, cycle=True)] == [(31, "restart"), (61, "restart"), (91, "restart")]
    assert marks("wsd") == [(90, "decay start", 0.1)]  # decay_steps = 10 of 100 steps
    assert marks("cosine", decay_steps=50) == [(50, "decay end", 0.0)]
    assert marks("linear", start_factor=0.1, end_factor=1.0, total_steps=20) == [(20, "ramp end", 0.1)]
    assert [m[0] for m in marks("exponential", decay_steps=25, staircase=True)] == [25, 50, 75]
    assert marks("exponential") == []
    # a step_size of 1 over a billion steps: the first few, not a billion
    assert len(marks("step", steps=10**9, step_size=1)) == 64


def test_a_sequence_marks_its_joins_and_its_parts_marks():
    parts = [
        {"schedule": "linear", "start_factor": 0.1, "end_factor": 1.0, "steps": 100},
        {"schedule": "multistep", "milestones": [50], "steps": 200},
        {"schedule": "constant", "lr": 0.01},
    ]
    assert marks("sequence", steps=400, parts=parts) == [
        (100, "multistep", 0.1), (150, "milestone", pytest.approx(0.01)), (300, "constant", 0.01)]


def texts_and_boxes(figure) -> list[tuple[str, object]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # laid out as when saved
    renderer = canvas.get_renderer()
    return [(label.get_text(), Text.get_window_extent(label, renderer)) for label in figure.axes[0].texts]


def test_annotations_never_overlap_and_stay_inside_the_axes():
    # Many marks close together: some labels cannot be placed and are left out.
    plan = plan_of(
        CurveRequest("step", {"step_size": 4}),
        CurveRequest("cosine-restarts", {"first_decay_steps": 5, "t_mul": 1.0}),
        CurveRequest("multistep", {"milestones": [10, 20, 30, 40], "warmup_steps": 5}),
        annotate=True, size=(6.0, 3.5), dpi=80,
    )
    figure = plotting.draw(plan)
    placed = texts_and_boxes(figure)
    assert 8 <= len(placed) < 25 + 19 + 5 + 6  # marks of the three curves, peaks and finals
    frame = figure.axes[0].get_window_extent()
    for (_, a), (_, b) in itertools.combinations(placed, 2):
        assert not (a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1)
    for _, box in placed:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
    legend = figure.axes[0].get_legend() or figure.legends[0]
    if legend.axes is figure.axes[0]:
        for _, box in placed:
            assert not box.overlaps(legend.get_window_extent())


def test_annotate_labels_the_milestones_peak_and_final_value(tmp_path):
    plan = plan_of(CurveRequest("multistep", {"milestones": [30, 60], "warmup_steps": 10, "warmup_start_lr": 0.01}),
                   annotate=True)
    texts = [text for text, _ in texts_and_boxes(plotting.draw(plan))]
    # the peak is where the warmup ends: one label says both
    assert set(texts) == {"warmup end → 0.1 (peak)", "milestone → 0.01", "milestone → 0.001", "final 0.001"}
    one_step = plan_of(CurveRequest("constant", {}), steps=1, annotate=True)
    assert [text for text, _ in texts_and_boxes(plotting.draw(one_step))] == ["peak and final 0.1"]
    # the lines are the curves, unchanged: marks are dots, not lines
    (line,) = plotting.draw(plan).axes[0].get_lines()
    np.testing.assert_array_equal(line.get_ydata(), lrplot.evaluate(
        "multistep", milestones=[30, 60], warmup_steps=10, warmup_start_lr=0.01))


def test_annotate_on_a_log_axis_leaves_out_marks_it_cannot_show():
    plan = plan_of(CurveRequest("cosine", {"decay_steps": 50}), annotate=True, log_y=True)
    texts = [text for text, _ in texts_and_boxes(plotting.draw(plan, warn=lambda line: None))]
    assert "peak 0.1" in texts and not any(text.startswith(("final", "decay end")) for text in texts)


def test_diff_panel_holds_each_curve_minus_the_first():
    plan = plan_of(CurveRequest("constant", {}), CurveRequest("exponential", {"decay_rate": 0.5}),
                   CurveRequest("step", {"step_size": 10}), diff="abs", steps=30)
    figure = plotting.draw(plan)
    top, panel = figure.axes
    zero, exponential, step = panel.get_lines()
    t = np.arange(30)
    assert zero.get_ydata() == [0, 0] or set(zero.get_ydata()) == {0.0}
    np.testing.assert_allclose(exponential.get_ydata(), 0.1 * 0.5**t - 0.1, rtol=1e-12, atol=1e-17)
    np.testing.assert_allclose(step.get_ydata(), 0.1 * 0.1 ** (t // 10) - 0.1, rtol=1e-12, atol=1e-17)
    assert step.get_drawstyle() == "steps-post" and exponential.get_drawstyle() == "default"
    assert [line.get_color() for line in (exponential, step)] == [line.get_color() for line in top.get_lines()[1:]]
    assert panel.get_xlabel() == "step" and top.get_xlabel() == ""
    assert panel.get_shared_x_axes().joined(top, panel)


def test_diff_rel_leaves_out_the_steps_where_the_first_curve_is_zero(tmp_path):
    out = tmp_path / "d.png"
    result = run("--diff", "rel", "--steps", "20", "-o", str(out),
                 "linear", "--total-steps", "18", "linear", "--total-steps", "18", "--lr", "0.2")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: --diff rel: curve 1 (linear(total_steps=18)) is 0 or too small to divide by "
        "(the first time at step 18); the relative difference is left out there"
    ]
    assert out.stat().st_size > 10_000
    plan = plan_of(CurveRequest("linear", {"total_steps": 18}), CurveRequest("linear", {"total_steps": 18, "lr": 0.2}),
                   diff="rel", steps=20)
    (_, relative) = plotting.draw(plan, warn=lambda line: None).axes[1].get_lines()
    y = relative.get_ydata()
    np.testing.assert_allclose(y[:18], 1.0)  # 0.2 x / 0.1 x - 1
    assert np.isnan(y[18:]).all()


def test_diff_needs_two_curves_and_no_descent(tmp_path):
    assert_usage_error(run("--diff", "-o", str(tmp_path / "x.png"), "cosine"),
                       "lrplot: error: --diff draws each curve minus the first: give two or more curves")
    assert_usage_error(run("--annotate", "--descent", "quadratic", "-o", str(tmp_path / "x.png"), "cosine"),
                       "--annotate marks learning-rate curves; it does not apply to --descent panels")
    assert list(tmp_path.iterdir()) == []


def test_diff_alone_is_abs_and_takes_no_schedule_name_as_its_value(tmp_path):
    result = run("--diff", "--annotate", "--steps", "10", "-o", str(tmp_path / "a.png"), "-o", "-",
                 "cosine", "exponential")
    assert result.exit_code == 0, result.stderr
    assert read_csv(result.stdout)[0] == ["step", "cosine", "exponential"]
    # not one of its values: --diff is abs, and the word is a schedule's name
    assert_usage_error(run("--diff", "maybe", "cosine", "-o", str(tmp_path / "b.png")), "unknown schedule 'maybe'")
    result = run("--steps", "5", "-o", "-", "cosine", "--label", "--diff")  # a label, not the option
    assert result.exit_code == 0 and read_csv(result.stdout)[0] == ["step", "--diff"]


def test_yaml_and_command_line_draw_the_same_explained_figure(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("steps: 50\nannotate: true\ndiff: rel\ncurves:\n"
                      "  - {schedule: cosine, warmup_steps: 5, warmup_start_lr: 0.01}\n  - {schedule: step, step_size: 20}\n")
    from_yaml, from_cli = tmp_path / "y.png", tmp_path / "c.png"
    assert run("--config", str(config), "-o", str(from_yaml)).exit_code == 0
    result = run("--steps", "50", "--annotate", "--diff", "rel", "-o", str(from_cli),
                 "cosine", "--warmup-steps", "5", "--warmup-start-lr", "0.01", "step", "--step-size", "20")
    assert result.exit_code == 0, result.stderr
    assert from_yaml.read_bytes() == from_cli.read_bytes()
    config.write_text("diff: both\ncurves: [{schedule: cosine}]\n")
    assert_usage_error(run("--config", str(config)), "diff: got 'both', expected one of abs, rel")


def test_many_long_labels_leave_the_axes_most_of_the_figure(tmp_path):
    requests = [CurveRequest("exponential", {"decay_rate": 0.9 + i / 200}, label=f"{i:02d} " + "x" * 70 + f" end {i:02d}")
                for i in range(12)]
    assert all(len(r.label) == 80 for r in requests)
    figure = plotting.draw(plan_of(*requests))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure).draw()
    axes = figure.axes[0].get_window_extent()
    assert axes.width >= 0.5 * figure.bbox.width and axes.height >= 0.4 * figure.bbox.height
    (legend,) = figure.legends
    box = legend.get_window_extent()
    assert 0 <= box.x0 and box.x1 <= figure.bbox.width and 0 <= box.y0 and box.y1 <= figure.bbox.height
    texts = [t.get_text() for t in legend.get_texts()]
    assert len(set(texts)) == 12 and all(text.startswith(f"{i:02d} ") and text.endswith(f"end {i:02d}")
                                        for i, text in enumerate(texts))
    # the CSV keeps every name whole
    result = run("--steps", "3", "-o", "-", *itertools.chain.from_iterable(
        ["exponential", "--label", r.label] for r in requests))
    assert read_csv(result.stdout)[0][1:] == [r.label for r in requests]


def test_a_short_legend_stays_inside_the_axes_and_a_long_one_moves_out():
    short = plotting.draw(plan_of(CurveRequest("cosine", {}), CurveRequest("step", {})))
    assert short.axes[0].get_legend() is not None and not short.legends
    long = plotting.draw(plan_of(*[CurveRequest("cosine", {"end_lr": i / 1000}) for i in range(14)]))
    assert long.axes[0].get_legend() is None
    (legend,) = long.legends
    assert [t.get_text() for t in legend.get_texts()] == [f"cosine(end_lr={i / 1000:g})" if i else "cosine"
                                                        for i in range(14)]


def gallery_script():
    spec = importlib.util.spec_from_file_location("gallery", ROOT / "scripts" / "gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", list(lrplot.list_schedules()))
def test_every_gallery_schedule_renders_annotated_with_a_diff_panel(name, tmp_path):
    gallery = gallery_script()
    args = gallery.explained(name)
    assert args[:2] == ["--annotate", "--diff"]
    out = tmp_path / "e.png"
    result = run("-o", str(out), *args)
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 10_000
    rel = run("-o", str(tmp_path / "r.svg"), "--diff", "rel", *args[2:])
    assert rel.exit_code == 0, rel.stderr
    page = (ROOT / "docs" / "gallery" / "explained.md").read_text()
    assert f"## `{name}`" in page and (ROOT / "docs" / "gallery" / f"explained-{name}.png").is_file()


JUMPS = ("boundary", "milestone", "decay", "restart")


@pytest.mark.parametrize(("name", "params"), [
    ("piecewise", {"boundaries": [10, 20, 30], "values": [1.0, 0.5, 0.25, 0.1], "step_every": 3, "warmup_steps": 5,
                   "warmup_start_lr": 0.1}),
    ("multistep", {"milestones": [40, 90], "warmup_steps": 10, "warmup_clock": "shared", "warmup_start_lr": 0.01}),
    ("step", {"step_size": 2.4, "step_offset": 1}),
    ("exponential", {"decay_steps": 7, "staircase": True, "step_offset": -1, "warmup_steps": 3, "warmup_hold": 2,
                     "warmup_start_lr": 0.01}),
    ("cosine-restarts", {"first_decay_steps": 7, "t_mul": 1.5, "end_lr": 0.001}),
    ("polynomial", {"decay_steps": 30, "cycle": True}),
    ("wsd", {"decay_steps": 50, "warmup_steps": 20, "warmup_start_lr": 0.01}),
    ("sequence", {"parts": [{"schedule": "step", "step_size": 20, "steps": 70}, {"schedule": "cosine-restarts"}]}),
], ids=lambda value: value if isinstance(value, str) else "")
def test_each_mark_sits_where_the_curve_changes_and_carries_its_value(name, params):
    steps = 200
    values = lrplot.evaluate(name, steps, **params)
    found = breakpoints(lrplot.curve(name, steps, **params), steps)
    assert found
    for mark in found:
        at = int(mark.step)
        assert mark.step == at and 0 < at < steps
        assert mark.value == values[at]
        if mark.what in JUMPS:  # the new value starts exactly there
            assert values[at] != values[at - 1], (mark, values[at - 2 : at + 2])
    jumps = [int(m.step) for m in found if m.what in JUMPS]
    # and every jump is marked (up to the first MAX_MARKS marks): any change of
    # a step-shaped curve after its warmup, every rise of a restarting one
    warmed = max([m.step for m in found if m.what == "warmup end"], default=0)
    if name in ("piecewise", "multistep", "step"):
        changes = [t for t in range(1, steps) if values[t] != values[t - 1] and t > warmed]
    elif name in ("polynomial", "cosine-restarts"):
        changes = [t for t in range(1, steps) if values[t] > values[t - 1]]
    else:
        return
    assert changes and [t for t in changes if t <= max(jumps)] == jumps


def test_a_real_process_writes_every_output_of_an_explained_figure(tmp_path):
    from tests.helpers import lrplot_process

    config = tmp_path / "c.yaml"
    config.write_text("annotate: true\ndiff: rel\nsteps: 60\ncurves:\n  - {schedule: multistep, milestones: [20, 40]}\n")
    outputs = [tmp_path / name for name in ("e.png", "e.svg", "e.pdf", "e.csv", "e.json")]
    result = lrplot_process("--config", str(config), *[f"-o{path}" for path in outputs], "cosine-restarts",
                            "--first-decay-steps", "20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout.splitlines() == [str(path) for path in outputs]
    png = outputs[0].read_bytes()
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (800, 450)
    svg = outputs[1].read_bytes()
    assert b'id="axes_2"' in svg and b'id="axes_3"' not in svg  # the curves and the diff panel
    header, rows = read_csv(outputs[3].read_text())
    assert header == ["step", "multistep(milestones=[20, 40])", "cosine-restarts(first_decay_steps=20)"]
    assert rows[20][1] == pytest.approx(0.01) and rows[20][2] == 0.1


def test_a_wide_legend_of_a_few_curves_goes_below_the_axes_in_columns_with_full_labels():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    labels = [f"curve number {i} with a label of some length" for i in range(6)]  # 43 characters
    figure = plotting.draw(plan_of(*[CurveRequest("cosine", {"end_lr": i / 100}, label=label)
                                     for i, label in enumerate(labels)]))
    FigureCanvasAgg(figure).draw()
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == labels
    box, axes = legend.get_window_extent(), figure.axes[0].get_window_extent()
    assert box.y1 <= axes.y0 and 0 <= box.y0  # under the axes, inside the figure
    assert box.height < 0.3 * figure.bbox.height
    assert len({round(text.get_window_extent().x0) for text in legend.get_texts()}) >= 2  # columns
    assert axes.width >= 0.8 * figure.bbox.width


def test_a_large_figure_is_laid_out_at_a_lower_dpi_and_its_labels_still_do_not_overlap(monkeypatch):
    from lrplot import annotate

    # 8 x 4.5 inches at 100 dpi is 360,000 pixels: laid out at a third of the dpi
    monkeypatch.setattr(annotate, "LAYOUT_PIXELS", 40_000)
    plan = plan_of(CurveRequest("multistep", {"milestones": list(range(5, 100, 5))}),
                   CurveRequest("cosine-restarts", {"first_decay_steps": 3, "t_mul": 1.0}),
                   CurveRequest("step", {"step_size": 4}), annotate=True, diff="abs")
    figure = plotting.draw(plan)
    assert figure.dpi == 100
    placed = texts_and_boxes(figure)
    assert len(placed) >= 10
    frame = figure.axes[0].get_window_extent()
    for (_, a), (_, b) in itertools.combinations(placed, 2):
        assert not (a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1)
    assert all(frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
               for _, box in placed)
