"""Hostile input in real processes, with a figure and a CSV among the
outputs: each is one line on stderr and exit 2, and no file changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

OUTPUTS = ("-o", "keep.png", "-o", "keep.csv")

# (argv after the outputs, extra environment, text the error line contains)
HOSTILE = [
    (["--steps-per-epoch", "10", "--steps", "1e400ep", "constant"], {}, "--steps: got 1e400ep"),
    (["--steps-per-epoch", "10", "cosine", "--decay-steps", "1e400ep"], {}, "--decay-steps: got 1e400ep"),
    (["constant", "--label", "\udcff\udcfe"], {}, "--label: got \\xff\\xfe, expected a text in UTF-8"),
    (["--title", "\udcff", "constant"], {}, "--title: got \\xff, expected a text in UTF-8"),
    (["constant"], {"MPLBACKEND": "nonsense"}, "MPLBACKEND='nonsense' is not a backend matplotlib knows"),
    (["--config", "a.yaml", "--config", "b.yaml"], {}, "--config is given 2 times (a.yaml, b.yaml): give it once"),
    (["--emit", "torch", "--emit", "keras", "constant"], {}, "--emit is given 2 times (torch, keras)"),
    (["exponential", "--staircase", "--no-staircase"], {}, "--staircase is given 2 times (true, false)"),
    (["constant", "--lr", "1", "--lr", "2"], {}, "curve 1 (constant): --lr is given 2 times (1, 2)"),
    (["--config", "nul.yaml"], {}, "cannot read 'a\\x00b.csv': embedded null byte"),
    (["--config", "x" * 300 + ".yaml"], {}, "File name too long"),
    (["cyclic", "--step-size-up", "1e308"], {}, "--step-size-up: got 1e308, expected an integer >= 1"),
    (["noam", "--d-model", "1e300"], {}, "--d-model: got 1e300, expected an integer >= 1 and at most 9007199254740992"),
]


@pytest.mark.parametrize(("args", "env", "expected"), HOSTILE, ids=[" ".join(a)[:40] for a, _, _ in HOSTILE])
def test_hostile_input_is_one_line_and_changes_nothing(tmp_path, args, env, expected):
    (tmp_path / "keep.png").write_bytes(b"precious")
    (tmp_path / "keep.csv").write_bytes(b"precious")
    (tmp_path / "nul.yaml").write_text('overlay: ["a\\0b.csv"]\ncurves: [{schedule: constant}]\n')
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [os.fsencode(a) if "\udc80" <= max(a) else a for a in args]  # undecodable bytes, as a shell passes them
    done = subprocess.run([sys.executable, "-m", "lrplot", *OUTPUTS, *argv], cwd=tmp_path, capture_output=True,
                          env={**os.environ, **env}, check=False, timeout=120)
    stderr = done.stderr.decode("utf-8", "backslashreplace")
    assert done.returncode == 2, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("lrplot: error: "), stderr
    assert expected in stderr, stderr
    assert (tmp_path / "keep.png").read_bytes() == b"precious"
    assert (tmp_path / "keep.csv").read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_the_same_value_twice_is_not_an_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lrplot", "--log-y", "--log-y", "--steps", "2", "-o", "-",
                           "constant", "--lr", "1", "--lr", "1"],
                          cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "step,constant(lr=1)\n0,1.0\n1,1.0\n"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_data_on_stdout_is_utf8_whatever_the_locale(tmp_path, encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    csv = subprocess.run([sys.executable, "-m", "lrplot", "--steps", "2", "-o", "-", "-o", "fig.png",
                          "constant", "--label", "η → ∞"],
                         cwd=tmp_path, capture_output=True, env=env, check=False, timeout=120)
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout.decode("utf-8") == "step,η → ∞\n0,0.1\n1,0.1\n"
    assert csv.stderr.decode(encoding) == "fig.png\n"
    code = subprocess.run([sys.executable, "-m", "lrplot", "--emit", "torch", "constant", "--label", "η"],
                          cwd=tmp_path, capture_output=True, env=env, check=False, timeout=120)
    assert code.returncode == 0, code.stderr
    assert "η" in code.stdout.decode("utf-8")


def test_a_label_named_step_is_not_a_second_step_column(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lrplot", "--steps", "2", "-o", "t.csv", "-o", "t.png",
                           "constant", "--label", "step", "step"],
                          cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    header = (tmp_path / "t.csv").read_text().splitlines()[0].split(",")
    assert header == ["step", "step (3)", "step (2)"]  # the automatic label took "step (2)"


def test_yaml_texts_keep_their_spelling_and_underscore_labels_are_in_the_legend(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "title: on\ncurves:\n  - {schedule: constant, label: yes}\n  - {schedule: constant, label: 1e3}\n"
        "  - {schedule: constant, label: _hidden, color: 0x10}\n"
    )
    done = subprocess.run([sys.executable, "-m", "lrplot", "--steps", "2", "--config", "c.yaml", "-o", "c.csv",
                           "-o", "c.svg"], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 2, done.stderr  # 0x10 is no colour: the text as written is refused
    assert "'0x10'" in done.stderr
    (tmp_path / "c.yaml").write_text(
        "title: on\ncurves:\n  - {schedule: constant, label: yes}\n  - {schedule: constant, label: 1e3}\n"
        "  - {schedule: constant, label: _hidden}\n"
    )
    done = subprocess.run([sys.executable, "-m", "lrplot", "--steps", "2", "--config", "c.yaml", "-o", "c.csv",
                           "-o", "c.svg"], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c.csv").read_text().splitlines()[0] == "step,yes,1e3,_hidden"
    from lrplot.config import load

    assert load(str(tmp_path / "c.yaml")).options["title"] == "on"


def test_the_legend_names_every_curve_even_with_a_leading_underscore():
    from lrplot.plan import CurveRequest, Plan, make_curves
    from lrplot.plotting import draw

    curves = make_curves([CurveRequest("constant", {}, label="_hidden"), CurveRequest("cosine", {})], 10)
    figure = draw(Plan(steps=10, curves=curves))
    legend = figure.axes[0].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["_hidden", "cosine"]
