"""The command line: options, outputs, errors (SPEC §1, §4)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from lrplot.binding import all_schedules
from tests.helpers import read_csv, run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_no_arguments_prints_help_and_exits_0():
    result = run()
    assert result.exit_code == 0
    assert "Usage: lrplot" in result.stdout
    assert "exponential" in result.stdout


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("lrplot ")


def test_exponential_as_typed_writes_lrplot_png_and_prints_path(tmp_path):
    result = run("exponential", "--decay-rate", "0.96", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "lrplot.png"
    written = list(tmp_path.rglob("lrplot.png"))
    assert len(written) == 1
    assert written[0].read_bytes().startswith(PNG_MAGIC)


def test_several_schedules_are_several_csv_columns():
    result = run(
        "--steps", "100", "-o", "-",
        "piecewise", "--boundaries", "30,60", "--values", "0.1,0.01,0.001",
        "exponential", "--decay-rate", "0.96",
    )
    assert result.exit_code == 0, result.stderr
    header, rows = read_csv(result.stdout)
    assert header[0] == "step" and len(header) == 3
    assert [r[0] for r in rows] == list(range(100))
    # Hand values: piecewise switches AT the boundary; exponential 0.1*0.96**t.
    assert rows[29][1] == 0.1 and rows[30][1] == 0.01 and rows[60][1] == 0.001
    for t in (0, 1, 10, 99):
        assert rows[t][2] == pytest.approx(0.1 * 0.96**t, rel=1e-12)


def test_csv_values_round_trip_exactly(tmp_path):
    out = tmp_path / "c.csv"
    result = run("--steps", "50", "-o", str(out), "cosine", "--lr", "0.3", "--warmup-steps", "7")
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(out.read_text())
    import lrplot

    expected = lrplot.evaluate("cosine", steps=50, lr=0.3, warmup_steps=7)
    # float(text) gives back the very same float64: compare with ==, not approx.
    assert [r[1] for r in rows] == expected.tolist()


def test_json_layout(tmp_path):
    out = tmp_path / "d.json"
    result = run("--steps", "5", "-o", str(out), "step", "--step-size", "2", "--gamma", "0.5", "--label", "halving")
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["steps"] == 5
    (curve,) = data["curves"]
    assert curve["label"] == "halving"
    assert curve["schedule"] == "step"
    assert curve["params"]["step_size"] == 2 and curve["params"]["gamma"] == 0.5
    assert curve["lr"] == [0.1, 0.1, 0.05, 0.05, 0.025]


@pytest.mark.parametrize("suffix,magic", [(".png", PNG_MAGIC), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_figure_formats(tmp_path, suffix, magic):
    out = tmp_path / f"f{suffix}"
    result = run("--steps", "20", "-o", str(out), "--title", "T", "--log-y", "--dpi", "50", "--size", "4x3", "exponential")
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(magic)
    assert result.stdout.strip() == str(out)


def test_every_output_at_once(tmp_path):
    paths = [tmp_path / f"all.{ext}" for ext in ("png", "svg", "pdf", "csv", "json")]
    args = []
    for p in paths:
        args += ["-o", str(p)]
    result = run(*args, "linear")
    assert result.exit_code == 0, result.stderr
    assert all(p.stat().st_size > 0 for p in paths)
    assert result.stdout.split() == [str(p) for p in paths]


def test_stdout_csv_keeps_paths_off_stdout(tmp_path):
    out = tmp_path / "x.json"
    result = run("--steps", "3", "-o", "-", "-o", str(out), "constant")
    assert result.exit_code == 0
    header, rows = read_csv(result.stdout)
    assert header == ["step", "constant"] and len(rows) == 3
    assert str(out) in result.stderr


def test_automatic_labels_name_non_default_params_and_are_unique():
    result = run("--steps", "2", "-o", "-", "exponential", "exponential", "exponential", "--decay-rate", "0.5", "exponential", "--decay-rate", "0.96")
    header, _ = read_csv(result.stdout)
    assert header == ["step", "exponential", "exponential (2)", "exponential(decay_rate=0.5)", "exponential (3)"]


def test_a_chosen_label_keeps_its_name_and_the_automatic_one_moves():
    result = run("--steps", "2", "-o", "-", "constant", "linear", "--label", "constant")
    header, _ = read_csv(result.stdout)
    assert header == ["step", "constant (2)", "constant"]


def test_renaming_never_takes_a_name_the_user_chose():
    result = run("--steps", "2", "-o", "-", "constant", "--label", "a", "constant", "--label", "a", "constant", "--label", "a (2)",
                 "constant", "constant", "--label", "constant (2)")
    header, _ = read_csv(result.stdout)
    assert header == ["step", "a", "a (3)", "a (2)", "constant", "constant (2)"]


def test_user_labels_are_disambiguated_too():
    result = run("--steps", "2", "-o", "-", "constant", "--label", "a", "linear", "--label", "a")
    header, _ = read_csv(result.stdout)
    assert header == ["step", "a", "a (2)"]


def test_labels_with_commas_are_quoted_in_csv():
    result = run("--steps", "2", "-o", "-", "piecewise", "--boundaries", "1", "--values", "0.2,0.1")
    header, rows = read_csv(result.stdout)
    assert header[1] == "piecewise(boundaries=[1], values=[0.2, 0.1])"
    assert rows == [[0, 0.2], [1, 0.1]]


def test_bool_flags_and_choices():
    result = run("--steps", "4", "-o", "-", "exponential", "--decay-rate", "0.5", "--decay-steps", "2", "--staircase")
    _, rows = read_csv(result.stdout)
    assert [r[1] for r in rows] == [0.1, 0.1, 0.05, 0.05]


def test_warmup_options():
    result = run("--steps", "6", "-o", "-", "constant", "--lr", "1", "--warmup-steps", "4", "--warmup-start-lr", "0.2")
    _, rows = read_csv(result.stdout)
    assert [r[1] for r in rows] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0], rel=1e-12)


def test_warmup_schedule_requires_warmup_steps():
    result = run("warmup")
    assert result.exit_code == 2
    assert "--warmup-steps is required" in result.stderr


def test_steps_per_epoch_sets_epoch_axis():
    from lrplot import plotting
    from lrplot.plan import CurveRequest, Plan, make_curves

    plan = Plan(steps=40, curves=make_curves([CurveRequest("step", {"step_size": 10})], 40), steps_per_epoch=10)
    axes = plotting.draw(plan).axes[0]
    assert axes.get_xlabel() == "epoch"
    assert axes.lines[0].get_xdata()[-1] == pytest.approx(3.9)


def test_list_shows_every_schedule_with_defaults():
    result = run("list")
    assert result.exit_code == 0
    for name, schedule in all_schedules().items():
        assert f"{name}: " in result.stdout
        for param in schedule.params:
            assert param.name in result.stdout
    assert "decay_rate" in result.stdout and "0.96" in result.stdout


@pytest.mark.parametrize("name", [n for n in all_schedules() if n != "sequence"])
def test_every_schedule_has_help_documenting_every_option(name):
    result = run(name, "--help")
    assert result.exit_code == 0
    schedule = all_schedules()[name]
    for param in schedule.all_params:
        assert param.option in result.stdout
    assert "default" in result.stdout


@pytest.mark.parametrize("name", [n for n in all_schedules() if n not in ("sequence", "piecewise", "multistep", "warmup")])
def test_every_schedule_runs_with_defaults_as_typed(name):
    result = run("--steps", "50", "-o", "-", name)
    assert result.exit_code == 0, result.stderr
    _, rows = read_csv(result.stdout)
    assert len(rows) == 50 and all(math.isfinite(r[1]) for r in rows)


# ------------------------------------------------------------------ errors


def _one_error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr
    assert result.stdout == ""
    return lines[0]


@pytest.mark.parametrize(
    "args,expected",
    [
        (["expo"], "unknown schedule 'expo' (did you mean exponential?)"),
        (["exponential", "--decay-rate", "0"], "--decay-rate: got 0, expected a number > 0"),
        (["exponential", "--decay-rate", "abc"], "--decay-rate: got abc, expected a number > 0"),
        (["exponential", "--decay-rat", "0.5"], "--decay-rate"),
        (["exponential", "--decay-steps", "2.5"], "--decay-steps: got 2.5, expected an integer >= 1"),
        (["exponential", "--decay-rate"], "--decay-rate"),
        (["--steps", "0", "constant"], "--steps: got 0"),
        (["--steps", "2000000000000", "constant"], "1000000000000"),
        (["piecewise", "--boundaries", "30,60"], "--values is required"),
        (["piecewise", "--boundaries", "60,30", "--values", "1,2,3"], "--boundaries: got [60, 30], expected strictly increasing"),
        (["piecewise", "--boundaries", "30,60", "--values", "1,2"], "--values: got [1.0, 2.0], expected 3 values"),
        (["cosine", "--lr", "-1"], "--lr: got -1, expected a number >= 0"),
        (["cosine", "--lr", "nan"], "--lr: got nan"),
        (["onecycle", "--anneal", "cosine"], "--anneal: got cosine, expected one of cos, linear (did you mean cos?)"),
        (["-o", "x.txt", "constant"], "-o/--output: got 'x.txt'"),
        (["-o", "missing/dir/x.png", "constant"], "does not exist"),
        (["--size", "big", "constant"], "--size: got big"),
        (["constant", "--color", "notacolour"], "--color: got 'notacolour'"),
        (["--config", "nope.yaml"], "--config: file 'nope.yaml' does not exist"),
        (["sequence"], "YAML config"),
        (["--bogus", "constant"], "--bogus"),
    ],
)
def test_usage_errors_are_one_line_exit_2(tmp_path, args, expected):
    result = run(*args, cwd=tmp_path)
    line = _one_error_line(result)
    assert line.startswith("lrplot: error: ")
    assert expected in line
    assert not list(tmp_path.rglob("*.png"))


def test_error_in_second_curve_writes_nothing_and_keeps_existing_file(tmp_path):
    out = tmp_path / "keep.png"
    out.write_bytes(b"old figure")
    result = run("-o", str(out), "-o", str(tmp_path / "new.csv"), "constant", "exponential", "--decay-rate", "-2")
    _one_error_line(result)
    assert out.read_bytes() == b"old figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]


def test_error_while_rendering_leaves_no_partial_file(tmp_path, monkeypatch):
    from lrplot import export

    out = tmp_path / "a.csv"
    out.write_text("old")
    fig = tmp_path / "b.png"

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export, "write_json", explode)
    result = run("-o", str(fig), "-o", str(out), "-o", str(tmp_path / "c.json"), "constant")
    assert result.exit_code == 1
    assert "internal error" in result.stderr and "please report" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_debug_shows_traceback_of_internal_error(tmp_path, monkeypatch):
    from lrplot import export

    monkeypatch.setattr(export, "write_csv", lambda *a, **k: 1 / 0)
    result = run("--debug", "-o", str(tmp_path / "a.csv"), "constant")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "ZeroDivisionError" in result.stderr


def test_module_entry_point_runs():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "lrplot", "--steps", "3", "-o", "-", "constant"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["step,constant", "0,0.1", "1,0.1", "2,0.1"]
    bad = subprocess.run([sys.executable, "-m", "lrplot", "cosine", "--lr", "x"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1


def test_readme_documents_every_schedule():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in all_schedules():
        assert f"`{name}`" in readme
