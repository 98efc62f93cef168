"""Gradient descent driven by a learning-rate curve (the seed's figure 1)."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrplot import descent
from lrplot.plan import CurveRequest, Panel, Plan, make_curves
from tests.helpers import assert_usage_error, run

CONFIGS = Path(__file__).parent.parent / "configs"
QUADRATIC = descent.LOSSES["quadratic"]
WELL = descent.LOSSES["double-well"]


def test_quadratic_iterates_by_hand():
    # x <- x - lr * 2x: from 1 with lr 0.1: 0.8, 0.64, 0.512
    run_ = descent.simulate(QUADRATIC, np.array([0.1, 0.1, 0.1]), (1.0,))
    assert run_.points[:, 0].tolist() == pytest.approx([1.0, 0.8, 0.64, 0.512])
    assert run_.losses.tolist() == pytest.approx([1.0, 0.64, 0.4096, 0.262144])
    assert run_.diverged_at is None


def test_rate_changes_every_step():
    # lr 0.25 then 0.5 then 0.75: factors 0.5, 0.0, -0.5
    run_ = descent.simulate(QUADRATIC, np.array([0.25, 0.5, 0.75]), (2.0,))
    assert run_.points[:, 0].tolist() == [2.0, 1.0, 0.0, 0.0]


def test_oscillation_flips_sign():
    run_ = descent.simulate(QUADRATIC, np.full(6, 0.9), (1.0,))
    signs = np.sign(run_.points[:, 0])
    assert np.all(signs[1:] == -signs[:-1])
    assert abs(run_.points[-1, 0]) < 1.0


def test_divergence_stops_without_error_or_warning():
    with np.errstate(all="raise"):  # any overflow warning would raise here
        run_ = descent.simulate(QUADRATIC, np.full(5000, 2.0), (1.0,))
    # |1 - 4| = 3 per step: 3**k leaves the bound 100 * 2 = 200 at k = 5 (3**5 = 243)
    assert run_.diverged_at == 4
    assert len(run_.points) == 5 and np.all(np.isfinite(run_.points))


def test_double_well_small_rate_stuck_large_rate_escapes():
    local, global_ = 1.3469974085277738, -1.47299760111403
    small = descent.simulate(WELL, np.full(300, 0.01), (2.5,))
    good = descent.simulate(WELL, np.full(300, 0.08), (2.5,))
    assert small.points[-1, 0] == pytest.approx(local, abs=1e-6)
    assert good.points[-1, 0] == pytest.approx(global_, abs=1e-6)
    # the minima are the roots of f'(x) = 4x^3 - 8x + 1
    for x in (local, global_):
        assert 4 * x**3 - 8 * x + 1 == pytest.approx(0, abs=1e-9)


def test_elongated_valley_oscillates_across_it():
    loss = descent.LOSSES["elongated"]
    run_ = descent.simulate(loss, np.full(10, 0.09), (-4.0, 1.0))
    # y <- y (1 - 20 * 0.09) = -0.8 y: flips sign each step; x <- 0.91 x
    assert run_.points[:, 1].tolist() == pytest.approx([(-0.8) ** k for k in range(11)])
    assert run_.points[:, 0].tolist() == pytest.approx([-4 * 0.91**k for k in range(11)])


def test_rows_long_format():
    run_ = descent.simulate(QUADRATIC, np.array([0.1, 0.2]), (1.0,))
    rows = list(descent.rows("a", "c", run_))
    assert rows == [["a", "c", 0, "0.1", "1.0", "1.0"], ["a", "c", 1, "0.2", "0.8", repr(0.8**2)], ["a", "c", 2, "", repr(0.8 * 0.6), repr((0.8 * 0.6) ** 2)]]
    diverged = descent.simulate(QUADRATIC, np.full(20, 3.0), (1.0,))
    last = list(descent.rows("a", "c", diverged))[-1]
    assert last[3] == "3.0"  # the update that blew up is recorded


def test_unknown_loss_suggests():
    with pytest.raises(descent.UsageError, match="did you mean double-well"):
        descent.get_loss("double_well")


def test_drawing_shows_the_trajectory_and_divergence():
    from matplotlib.figure import Figure

    requests = [CurveRequest("constant", {"lr": 0.3}, label="ok"), CurveRequest("constant", {"lr": 1.5}, label="bad")]
    curves = make_curves(requests, 30)
    plan = Plan(steps=30, curves=curves, panels=(Panel("a", QUADRATIC, (1.0,), curves),))
    runs = descent.simulate_panels(plan)
    figure = descent.draw(plan, runs, Figure())
    path_axes, loss_axes = figure.axes[:2]
    ok = [line for line in path_axes.lines if line.get_label() == "ok"][0]
    np.testing.assert_array_equal(ok.get_xdata(), runs[0][0][2].points[:, 0])
    texts = [t.get_text() for t in path_axes.texts + loss_axes.texts]
    assert any(text.startswith("diverged at step") for text in texts)
    assert path_axes.get_xlim() == (-2.0, 2.0)  # divergence does not blow up the axes


def test_cli_descent_with_x0_csv(tmp_path):
    result = run("--steps", "3", "--descent", "quadratic", "--x0", "2", "-o", "-", "constant", "--lr", "0.25", "--label", "q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "panel,curve,step,lr,x,loss",
        "1,q,0,0.25,2.0,4.0",
        "1,q,1,0.25,1.0,1.0",
        "1,q,2,0.25,0.5,0.25",
        "1,q,3,,0.25,0.0625",
    ]


def test_json_layout(tmp_path):
    out = tmp_path / "d.json"
    result = run("--steps", "2", "--descent", "elongated", "-o", str(out), "constant", "--lr", "0.05")
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    (panel,) = data["panels"]
    assert panel["loss"] == "elongated" and panel["x0"] == [-4.0, 1.0]
    (curve,) = panel["curves"]
    assert curve["trajectory"]["x"] == pytest.approx([-4.0, -3.8, -3.61])
    assert curve["trajectory"]["y"] == pytest.approx([1.0, 0.0, 0.0])
    assert curve["diverged_at"] is None and curve["lr"] == [0.05, 0.05]


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--descent", "quadratc", "constant"], "--descent: got quadratc, expected one of quadratic, double-well, elongated, rosenbrock (did you mean quadratic?)"),
        (["--descent", "elongated", "--x0", "1", "constant"], "--x0: got 1.0, expected 2 finite number(s) for elongated"),
        (["--x0", "1", "constant"], "--x0 is the start point of --descent"),
        (["--descent", "quadratic", "--steps", "2000000", "constant"], "at most 1000000 with --descent"),
    ],
)
def test_descent_errors(args, expected):
    result = run(*args)
    assert_usage_error(result, expected)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("panels:\n  - descent: quadratic\n    curves: [{schedule: constant}]\ncurves: [{schedule: constant}]\n", "give `curves:` inside each panel"),
        ("panels:\n  - descnt: quadratic\n    curves: [{schedule: constant}]\n", "panel 1: unknown key 'descnt' (did you mean `descent`?)"),
        ("panels:\n  - curves: [{schedule: constant}]\n", "panel 1: `descent:` is required"),
        ("panels:\n  - descent: quadratic\n", "panel 1: `curves:` is required"),
        ("panels:\n  - descent: cubic\n    curves: [{schedule: constant}]\n", "panel 1: descent: got 'cubic'"),
        ("panels:\n  - descent: quadratic\n    curves: [{schedule: constant, lr: -1}]\n", "panel 1: curve 1 (constant): lr: got -1"),
    ],
)
def test_panel_errors(tmp_path, text, expected):
    config = tmp_path / "p.yaml"
    config.write_text(text)
    result = run("--config", str(config), "-o", str(tmp_path / "x.png"))
    assert_usage_error(result, expected)
    assert not (tmp_path / "x.png").exists()


def test_figure1_config_reproduces_the_seed(tmp_path):
    out = tmp_path / "f1.json"
    result = run("--config", str(CONFIGS / "figure1.yaml"), "-o", str(out), "-o", str(tmp_path / "f1.png"))
    assert result.exit_code == 0, result.stderr
    large, small = json.loads(out.read_text())["panels"]
    good, oscillating, diverging = large["curves"]
    assert diverging["diverged_at"] is not None and good["diverged_at"] is None
    xs = oscillating["trajectory"]["x"]
    assert all(a * b < 0 for a, b in zip(xs, xs[1:]))  # crosses the minimum every step
    finals = [c["trajectory"]["x"][-1] for c in small["curves"]]
    assert finals[1] == pytest.approx(1.347, abs=0.01)  # lr 0.01: the local minimum
    assert finals[2] == pytest.approx(-1.473, abs=1e-3)  # lr 0.08: the global one
    assert finals[0] > 1.5  # lr 0.002: still crawling
    assert (tmp_path / "f1.png").stat().st_size > 20_000


def test_warmup_config_constant_diverges_warmup_reaches_global_minimum():
    result = run("--config", str(CONFIGS / "warmup-descent.yaml"), "-o", "-")
    rows = [row for row in csv.reader(io.StringIO(result.stdout)) if row[0].startswith("double well")]
    last = {}
    for row in rows:
        last[row[1]] = row
    assert int(last["constant 0.14"][2]) < 10  # stopped early: diverged
    for label in ("warmup 0.06 to 0.14, cosine decay", "warmup 0.06 to 0.14, exponential decay"):
        assert float(last[label][4]) == pytest.approx(-1.473, abs=1e-3)
    assert math.isclose(float(last["constant 0.01"][4]), 1.347, abs_tol=1e-3)


# ------------------------------------------------------------------ exports hold only numbers


def strict_json(text: str):
    """json.loads accepts Infinity and NaN, which are not JSON: refuse them."""

    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--descent", "quadratic", "--x0", "1e200"], "--x0: got 1e+200, expected 1 number(s) within ±200 for quadratic (100 x its plot range; a run that leaves it has diverged)"),
        (["--descent", "quadratic", "--x0", "200.1"], "within ±200 for quadratic"),
        (["--descent", "rosenbrock", "--x0", "1e100,1"], "--x0: got 1e+100,1.0, expected 2 number(s) within ±300 for rosenbrock"),
        (["--descent", "double-well", "--x0", "-260.5"], "within ±260 for double-well"),
    ],
)
def test_a_start_beyond_the_sane_range_is_refused(tmp_path, args, expected):
    # x0 = 1e200 on x^2 wrote "loss": [Infinity] (not JSON); the range is 100
    # x the plot range (quadratic: 100 x 2 = 200), where a run counts as diverged.
    out = tmp_path / "d.json"
    done = subprocess.run([sys.executable, "-m", "lrplot", "--steps", "5", *args, "-o", str(out), "constant"], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("lrplot: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert expected in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_start_on_the_edge_of_the_range_diverges_at_once_with_finite_numbers(tmp_path):
    # Rosenbrock at (300, -300): loss (1 - 300)^2 + 100 (-300 - 90000)^2 = 815409089401;
    # the gradient's first step leaves the range: diverged at step 0, only x0 kept.
    out = tmp_path / "d.json"
    done = subprocess.run([sys.executable, "-m", "lrplot", "--steps", "5", "--descent", "rosenbrock", "--x0", "300,-300", "-o", str(out), "-o", str(tmp_path / "d.csv"), "constant"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (curve,) = strict_json(out.read_text())["panels"][0]["curves"]
    assert curve["trajectory"] == {"x": [300.0], "y": [-300.0], "loss": [815409089401.0]}
    assert curve["diverged_at"] == 0
    assert "inf" not in (tmp_path / "d.csv").read_text() and "nan" not in (tmp_path / "d.csv").read_text()


@settings(max_examples=100, deadline=None)
@given(
    loss=st.sampled_from(sorted(descent.LOSSES)),
    where=st.lists(st.floats(-1.0, 1.0), min_size=2, max_size=2),
    lr=st.one_of(st.floats(0.0, 2.0), st.sampled_from([0.0, 1e-300, 1e10, 1e300, 1.7976931348623157e308])),
    steps=st.integers(1, 60),
)
def test_any_run_from_an_accepted_start_exports_only_numbers(loss, where, lr, steps):
    loss_ = descent.LOSSES[loss]
    bound = descent.sane_bound(loss_)
    x0 = descent.check_x0(loss_, [w * bound for w in where[: loss_.dim]])  # anywhere in the range, edges included
    curves = make_curves([CurveRequest("constant", {"lr": lr}, label="c")], steps)
    plan = Plan(steps=steps, curves=curves, panels=(Panel(None, loss_, x0, curves),))
    runs = descent.simulate_panels(plan)
    text = io.StringIO()
    descent.write_json(plan, runs, text)
    strict_json(text.getvalue())
    table = io.StringIO()
    descent.write_csv(plan, runs, table)
    assert "inf" not in table.getvalue() and "nan" not in table.getvalue()
