"""--term and --show without a display: the figure drawn as text, run as users do.

Expected tick labels and positions are worked out by hand in each test from
the schedule's values, the terminal's size and the layout README describes:
a plot of ``LINES - 5 - curves`` rows (8 to 20) of braille cells, 4 dots high
and 2 wide, the y axis from 0 (or the lowest decade) to the first tick at or
above the highest value.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from wcwidth import wcswidth

from tests.helpers import lrplot_process

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ROOT = Path(__file__).resolve().parent.parent


def term(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`lrplot ARGS` through a pipe, with a clean terminal environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
    clean.pop("DISPLAY", None)
    clean.pop("WAYLAND_DISPLAY", None)
    return lrplot_process(*args, env={**clean, **(env or {})}, cwd=cwd, encoding="utf-8")


def width(line: str) -> int:
    """Display width of a line as a terminal shows it (wcwidth, not lrplot's own count)."""
    shown = wcswidth(ANSI.sub("", line))
    assert shown >= 0, f"unprintable characters in {line!r}"
    return shown


def plot(text: str) -> tuple[list[str], list[str], str, list[str]]:
    """(y tick label of each plot row or "", the rows' cells, the x tick
    line, the legend lines) of a terminal plot without colour."""
    lines = text.splitlines()
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    labels, cells = [], []
    for line in lines[1:bottom]:
        axis = min(i for i in (line.find("┤"), line.find("│")) if i >= 0)
        labels.append(line[:axis].strip())
        cells.append(line[axis + 1 :])
    legend = [line for line in lines[bottom + 2 :] if re.match(r"  \S\S \S", line)]
    return labels, cells, lines[bottom + 1], legend


def test_cosine_with_warmup_in_80_columns_shows_curve_legend_and_ticks():
    # The "done when": 100 steps, all of them warmup: lr = 0.1 * t / 100.
    done = term("--term", "cosine", "--warmup-steps", "100", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout  # a pipe: no colour codes
    assert all(width(line) <= 80 for line in done.stdout.splitlines())
    labels, cells, xline, legend = plot(done.stdout)
    # 24 lines (a pipe), 1 legend line: 24 - 5 - 1 = 18 rows, 72 dots. Values
    # 0 .. 0.099; ticks every nice(0.099 / 6) = 0.02, axis 0 .. 0.1.
    assert len(cells) == 18
    assert [label for label in labels if label] == ["0.1", "0.08", "0.06", "0.04", "0.02", "0"]
    # 0.08 sits at dot 0.08 / 0.1 * 71 = 56.8 -> 57 from the bottom: row (71 - 57) // 4 = 3.
    assert labels[3] == "0.08" and labels[0] == "0.1" and labels[17] == "0"
    # Step 0 (lr 0) is the bottom-left dot; step 99 (0.099, dot 70) is in the top row's last cell
    # (80 columns - "0.08 ┤" = 74 cells).
    assert all(len(row) <= 74 for row in cells)
    assert cells[17][0] != " " and len(cells[0]) == 74 and cells[0][73] != " "
    assert re.findall(r"\d+", xline) == [str(10 * k) for k in range(10)]  # 0..99: every 10 steps
    assert xline.rstrip().endswith("step")
    assert legend == ["  ⠒⠒ cosine(warmup_steps=100)"]
    assert not (ROOT / "lrplot.png").exists()


def test_show_without_a_display_draws_the_same_in_the_terminal(tmp_path):
    args = ("--steps", "1000", "cosine", "--warmup-steps", "100")
    # An X display named, but a backend that cannot open windows on it.
    shown = term("--show", *args, env={"COLUMNS": "80", "MPLBACKEND": "Agg", "DISPLAY": ":99"}, cwd=tmp_path)
    drawn = term("--term", *args, env={"COLUMNS": "80"}, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == drawn.stdout
    assert "cosine(warmup_steps=100)" in shown.stdout
    assert "note: --show: no display" in shown.stderr
    assert list(tmp_path.iterdir()) == []  # like a window, it writes no file


def test_show_without_display_variables_falls_back_whatever_the_backend(tmp_path):
    # An interactive backend named, but no X or Wayland display to open it on.
    shown = term("--show", "constant", env={"MPLBACKEND": "TkAgg"}, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "⠒⠒ constant" in shown.stdout


def test_show_with_stdout_taken_still_only_warns(tmp_path):
    shown = term("--show", "-o", "-", "--steps", "3", "constant", env={"MPLBACKEND": "Agg"}, cwd=tmp_path)
    assert shown.returncode == 0
    assert shown.stdout.splitlines() == ["step,constant", "0,0.1", "1,0.1", "2,0.1"]
    assert "warning: --show: no display" in shown.stderr


@pytest.mark.parametrize(("columns", "expected"), [("20", 20), ("200", 200), ("abc", 80), ("5", 20)])
def test_every_line_fits_the_width(columns, expected):
    done = term(
        "--term", "--steps", "500",
        "cosine", "--label", "a label far too long for any legend line in a narrow terminal, " * 2,
        "constant", "--label", "学习率 — 很长的中文标签，每个字占两列，" * 3,
        "exponential", "--decay-rate", "0.99",
        env={"COLUMNS": columns},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(width(line) for line in lines) <= expected
    axis = next(line for line in lines if "└" in line)
    assert width(axis) == expected  # the plot takes the whole width
    _, _, _, legend = plot(done.stdout)
    assert len(legend) == 3
    label = "a label far too long for any legend line in a narrow terminal, " * 2
    assert legend[0].startswith("  ⠒⠒ a label")
    assert legend[0].endswith("…") == (5 + len(label.rstrip()) > expected)
    chinese = "学习率 — 很长的中文标签，每个字占两列，" * 3
    assert legend[1].startswith("  ** 学")
    assert legend[1].endswith("…") == (5 + wcswidth(chinese) > expected)


def test_many_curves_each_in_the_legend_with_its_own_character():
    curves = [arg for k in range(12) for arg in ("constant", "--lr", str(0.01 * (k + 1)))]
    done = term("--term", *curves, env={"COLUMNS": "80", "LINES": "24"})
    assert done.returncode == 0, done.stderr
    labels, cells, _, legend = plot(done.stdout)
    assert len(cells) == 8  # 24 - 5 - 12 is below the minimum of 8 rows
    assert [line[2:4] for line in legend] == ["⠒⠒", "**", "++", "xx", "oo", "##", "%%", "@@", "==", "&&", "$$", "**"]
    # lr 0.1 is constant's default: its automatic label does not repeat it.
    assert [line[5:] for line in legend] == [
        "constant" if k == 9 else f"constant(lr={0.01 * (k + 1):g})" for k in range(12)
    ]
    # 0.12 is the highest: ticks every nice(0.12 / 2) = 0.1 (32 dots: 2 ticks), axis 0 .. 0.2.
    assert [label for label in labels if label] == ["0.2", "0.1", "0"]


def test_log_y_leaves_zeros_out_and_labels_decades():
    # 0.1 * (1 - t / 10) until step 10, then 0: positive values 0.01 .. 0.1.
    done = term("--term", "--log-y", "--steps", "20", "linear", "--total-steps", "10", env={"COLUMNS": "60"})
    assert done.returncode == 0, done.stderr
    labels, cells, _, _ = plot(done.stdout)
    assert [label for label in labels if label] == ["0.1", "0.01"]
    assert labels[0] == "0.1" and labels[-1] == "0.01"
    # Step 0 (0.1) top left, step 9 (0.01) bottom row at x = 9 / 19 * (2 * 54 - 1) = 50.7 -> dot 51, cell 25.
    assert cells[0][0] != " " and cells[-1][25] != " "
    # Steps 10..19 are 0: nothing right of cell 25 on any row.
    assert all(row[26:].strip() == "" for row in cells)
    assert (
        "warning: curve 1 (linear(total_steps=10)): --log-y cannot show its values <= 0 "
        "(the first at step 10); they are left out of the plot"
    ) in done.stderr


def test_log_y_warning_said_once_and_strict_refuses(tmp_path):
    args = ("--log-y", "--steps", "20", "linear", "--total-steps", "10")
    both = term("--term", "-o", "f.png", *args, cwd=tmp_path)
    assert both.returncode == 0, both.stderr
    assert both.stderr.count("--log-y cannot show") == 1
    strict = term("--term", "--strict", "-o", "g.csv", *args, cwd=tmp_path)
    assert strict.returncode == 2 and strict.stdout == ""
    assert strict.stderr.splitlines()[-1] == "lrplot: error: --strict: 1 warning(s) above"
    assert not (tmp_path / "g.csv").exists()


def test_show_of_descent_panels_without_a_display_only_warns(tmp_path):
    shown = term("--show", "--descent", "quadratic", "constant", env={"MPLBACKEND": "Agg"}, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == ""
    assert "warning: --show: no display" in shown.stderr


def test_constant_curve_fills_its_row():
    done = term("--term", "constant", "--lr", "0.05", env={"COLUMNS": "50"})
    assert done.returncode == 0, done.stderr
    labels, cells, _, _ = plot(done.stdout)
    # 0 .. 0.05 in steps of nice(0.05 / 6) = 0.01; 0.05 is the top dot row.
    assert [label for label in labels if label] == ["0.05", "0.04", "0.03", "0.02", "0.01", "0"]
    assert cells[0] == "⠉" * (50 - 6)  # the top dots of every cell ("0.05 ┤" takes 6 columns)
    assert all(row.strip() == "" for row in cells[1:])


def test_huge_values_are_labelled_and_too_huge_refused():
    # 0.1 * 2 ** t up to t = 999: 5.36e299. Ticks every nice(5.36e299 / 6) = 1e299, up to 6e299.
    done = term("--term", "--steps", "1000", "exponential", "--decay-rate", "2")
    assert done.returncode == 0, done.stderr
    labels, _, _, _ = plot(done.stdout)
    assert [label for label in labels if label] == [f"{k}e299" for k in range(6, 0, -1)] + ["0"]
    refused = term("--term", "--steps", "1000", "exponential", "--decay-rate", "2", "--lr", "10")  # 5.4e301
    assert refused.returncode == 2 and refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1
    assert "beyond the 1e+300 a figure can draw" in refused.stderr


def test_one_step_run():
    done = term("--term", "--steps", "1", "constant", "--lr", "0.03")
    assert done.returncode == 0, done.stderr
    labels, cells, _, legend = plot(done.stdout)
    assert labels[0] == "0.03" and cells[0][0] == "⠁"  # the one value: the top-left dot
    assert sum(row.count(c) for row in cells for c in row if c != " ") == 1
    assert legend == ["  ⠒⠒ constant(lr=0.03)"]


def test_epochs_on_the_x_axis():
    # 100 steps of 10: epochs 0 .. 9.9, a tick per epoch.
    done = term("--term", "--steps-per-epoch", "10", "step", "--step-size", "30", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    _, cells, xline, _ = plot(done.stdout)
    assert re.findall(r"\d+", xline.split("epoch")[0]) == [str(k) for k in range(10)]
    assert "epoch (10 steps)" in done.stdout
    # 0.1 until step 30, 0.01 until 60: the drop is at x = 30 / 99 * 147 = 44.5 -> dot 45, cell 22.
    top = cells[0]
    assert top[:22].strip("⠉") == "" and top[22] != " " and top[23:].strip() == ""


def test_config_files_and_other_outputs(tmp_path):
    done = term("--config", str(ROOT / "configs/figure4.yaml"), "--term", "-o", "f.png", "-o", "f.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].strip() == "Figure 4: piecewise, exponential and natural exponential decay"
    assert lines[-2:] == ["f.png", "f.csv"]  # the paths, after the plot
    _, _, _, legend = plot("\n".join(lines[:-2]))
    assert [line[5:] for line in legend] == [
        "piecewise constant", "exponential (0.96 ** t)", "natural exponential (e ** -0.05t)"
    ]
    assert (tmp_path / "f.png").stat().st_size > 0
    assert (tmp_path / "f.csv").read_text().startswith("step,piecewise constant,")


def test_overlay_is_drawn_and_named(tmp_path):
    (tmp_path / "log.csv").write_text("step,lr\n0,0.1\n50,0.05\n99,0.01\n")
    done = term("--term", "--overlay", "log.csv", "constant", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    _, _, _, legend = plot(done.stdout)
    assert legend == ["  ⠒⠒ constant", "  ** logged: log.csv:lr"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "-"), "--term draws on stdout, and so does -o - (CSV)"),
        (("--emit", "torch"), "--term draws on stdout, and so does --emit (code)"),
        (("--descent", "quadratic"), "--term draws learning-rate curves, not --descent panels"),
    ],
)
def test_conflicts_are_one_line_errors(args, message, tmp_path):
    done = term("--term", *args, "constant", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"lrplot: error: {message}" + done.stderr.split(message, 1)[1]
    assert len(done.stderr.splitlines()) == 1


def test_control_characters_in_a_label_are_shown_not_sent():
    done = term("--term", "--title", "t\x1b[2Jx", "constant", "--label", "a\x1b[31mb\nc")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    assert "a\\x1b[31mb\\nc" in done.stdout and "t\\x1b[2Jx" in done.stdout


def on_a_terminal(*args: str, env: dict[str, str]) -> bytes:
    """Run `lrplot ARGS` with stdout on a pseudo-terminal; what it printed."""
    master, slave = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "COLORTERM")}
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", *args],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env={**clean, **env},
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert process.stderr is not None
    with process.stderr:
        errors = process.stderr.read()
    assert process.wait(timeout=60) == 0, errors
    return out


def test_colours_on_a_terminal_only():
    args = ("--term", "cosine", "exponential", "constant", "--color", "#d62728")
    env = {"COLUMNS": "60", "LINES": "20", "TERM": "xterm"}
    coloured = on_a_terminal(*args, env=env).decode()
    # 8 colours: blue, orange as yellow, and red for #d62728 (nearest of xterm's).
    assert "\x1b[34m⠒⠒\x1b[0m cosine" in coloured
    assert "\x1b[33m⠒⠒\x1b[0m exponential" in coloured
    assert "\x1b[31m⠒⠒\x1b[0m constant" in coloured
    assert all(width(line) <= 60 for line in coloured.splitlines())
    rich = on_a_terminal(*args, env={**env, "TERM": "xterm-256color"}).decode()
    # tab:blue (31, 119, 180) in the 6-level cube: 0, 2, 3 -> 16 + 0 + 12 + 3 = 31.
    assert "\x1b[38;5;31m⠒⠒\x1b[0m cosine" in rich
    plain = on_a_terminal(*args, env={**env, "NO_COLOR": "1"}).decode()
    assert "\x1b" not in plain and "⠒⠒ cosine" in plain and "** exponential" in plain


def test_force_color_colours_a_pipe():
    done = term("--term", "constant", env={"FORCE_COLOR": "1", "TERM": "dumb"})
    assert done.returncode == 0
    assert "\x1b[34m" in done.stdout and done.stdout.count("\x1b[0m") >= 2


def dots(text: str) -> set[tuple[int, int]]:
    """(dot row, dot column) of every braille dot in a plot's cells."""
    _, cells, _, _ = plot(text)
    bits = [(0, 0, 0x01), (1, 0, 0x02), (2, 0, 0x04), (0, 1, 0x08), (1, 1, 0x10), (2, 1, 0x20), (3, 0, 0x40), (3, 1, 0x80)]
    found = set()
    for row, line in enumerate(cells):
        for column, char in enumerate(line):
            code = ord(char) - 0x2800
            if 0 <= code < 256:
                found |= {(4 * row + r, 2 * column + c) for r, c, bit in bits if code & bit}
    return found


def test_the_envelope_draws_what_every_step_draws(monkeypatch):
    """The M4 reduction (first, last, lowest, highest step of 8 buckets per dot
    column) against every one of 200,000 steps drawn: the same dots, but
    where a bucket straddles two dot columns, one column over."""
    from lrplot import terminal
    from lrplot.plan import CurveRequest, Plan, make_curves

    requests = [
        CurveRequest("cyclic", {"step_size_up": 997}, where="curve 1"),
        CurveRequest("step", {"step_size": 33_333}, where="curve 2"),
        CurveRequest("cosine-restarts", {"first_decay_steps": 7_000}, where="curve 3"),
    ]
    for request in requests:
        plan = Plan(steps=200_000, curves=make_curves([request], 200_000))
        reduced = dots(terminal.render(plan, 80, 30))
        with monkeypatch.context() as patch:
            patch.setattr(terminal, "BUCKETS_PER_DOT", 10**6)  # every step kept
            full = dots(terminal.render(plan, 80, 30))
        assert len(full) > 100
        assert len(reduced ^ full) <= len(full) // 20, request.schedule

        def near(dot, others):
            return any((dot[0], dot[1] + shift) in others for shift in (-1, 0, 1))

        assert all(near(dot, full) for dot in reduced) and all(near(dot, reduced) for dot in full)


def test_readme_capture_is_what_lrplot_prints():
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### In the terminal") :]
    block = section[section.index("```\n$ ") + 4 : section.index("\n```", section.index("```\n$ ") + 4)]
    command, expected = block.split("\n", 1)
    words = shlex.split(command.removeprefix("$ "))
    env = dict(word.split("=", 1) for word in words[: words.index("lrplot")])
    done = term(*words[words.index("lrplot") + 1 :], env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected + "\n"


def test_momentum_and_weight_decay_get_panels_below_and_groups_their_extremes():
    done = term("--term", "--steps", "100", "onecycle", "cosine", "--weight-decay", "linear lr=0.05 start_factor=1 end_factor=0.2",
                "--layer-decay", "rate=0.5 layers=3", env={"COLUMNS": "72", "LINES": "40"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(width(line) <= 72 for line in lines)
    titles = [i for i, line in enumerate(lines) if line.strip(" │") in ("momentum", "weight decay")]
    assert [lines[i].strip(" │") for i in titles] == ["momentum", "weight decay"]
    assert all(lines[i].startswith("     │ ") for i in titles)  # the y axis runs on
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    # Each panel: 5 rows between its title and the next title or the shared x axis.
    assert titles[1] - titles[0] - 1 == 5 and bottom - titles[1] - 1 == 5
    momentum = lines[titles[0] + 1 : titles[1]]
    ticks = [line.split("┤")[0].strip() for line in momentum if "┤" in line]
    # onecycle's momentum spans 0.85 .. 0.95, fitted (not from 0): ticks every 0.05.
    assert ticks[0] == "0.95" and ticks[-1] == "0.85"
    # Drawn as its curve: onecycle is the first curve, braille; the cosine carries no momentum.
    cells = "".join(line.split("┤" if "┤" in line else "│", 1)[1] for line in momentum)
    assert set(cells) - {" "} and all(0x2800 <= ord(c) <= 0x28FF for c in cells if c != " ")
    decay = "".join(line.split("┤" if "┤" in line else "│", 1)[1] for line in lines[titles[1] + 1 : bottom])
    assert "*" in decay and not set(decay) - {" ", "*"}  # the cosine's weight decay, its marker
    # The groups: layer_0 at 0.5 ** 3 of the cosine (layer_3 at 1 is the cosine itself).
    assert lines[-3:] == ["  ⠒⠒ onecycle", "  ** cosine", "  ++ cosine: layer_0 ×0.125 (lowest group)"]


def test_group_extremes_are_the_curve_scaled():
    # constant 0.1; groups at 0.5 and 2: lines at 0.05 and 0.2, the y axis up to 0.2.
    done = term("--term", "--steps", "50", "constant", "--groups", "a=0.5 b=2", env={"COLUMNS": "60", "LINES": "24"})
    assert done.returncode == 0, done.stderr
    labels, cells, _, legend = plot(done.stdout)
    assert legend == ["  ⠒⠒ constant", "  ** constant: b ×2 (highest group)", "  ++ constant: a ×0.5 (lowest group)"]
    assert labels[0] == "0.2" and set(cells[0].strip()) == {"*"}
    row = labels.index("0.05") if "0.05" in labels else None
    assert row is not None and set(cells[row].strip()) == {"+"}


def test_readme_momentum_panel_is_what_lrplot_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("The momentum panel under `COLUMNS=60 LINES=30 lrplot --term --steps 100 onecycle`:")
    block = readme[readme.index("```\n", start) + 4 : readme.index("\n```", readme.index("```\n", start) + 4)]
    done = term("--term", "--steps", "100", "onecycle", env={"COLUMNS": "60", "LINES": "30"})
    assert done.returncode == 0, done.stderr
    assert "\n" + block + "\n" in done.stdout
