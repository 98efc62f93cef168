"""Hostile inputs (hardening, round 2): files and values built to hang lrplot,
exhaust its memory or crash a library under it.

Each case runs lrplot as users do, in a real subprocess with a figure and
several outputs, under a 2 GB address-space limit (a regression fails here
instead of swapping the machine), and asserts the exit status, the exact
error line, the time taken, and that no file was written or replaced.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lrplot import config
from tests.helpers import run

MEMORY_LIMIT = 2 << 30
# "Well under a second" on a quiet machine; generous, as CI machines are shared.
QUICK = 10.0  # generous for a loaded machine; the failures it guards against took 30 s or more


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def lrplot(*args: str, cwd: Path, timeout: float = 30) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "lrplot", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        check=False,
    )
    return done, time.monotonic() - start


def assert_refused(tmp_path: Path, args: list[str], expected: str, seconds: float = QUICK) -> None:
    """lrplot ARGS -o a.png -o b.csv exits 2 with exactly ``expected`` on
    stderr, within ``seconds``; the existing a.png is untouched, no b.csv."""
    existing = tmp_path / "a.png"
    existing.write_bytes(b"precious")
    before = sorted(p.name for p in tmp_path.iterdir())
    done, elapsed = lrplot("-o", "a.png", "-o", "b.csv", *args, cwd=tmp_path)
    assert done.stderr == f"lrplot: error: {expected}\n", done.stderr[-2000:]
    assert done.returncode == 2
    assert elapsed < seconds, elapsed
    assert existing.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# ------------------------------------------------------------------ bounded texts

BOUNDARIES = ",".join(str(step) for step in range(1, 10_001))


def test_a_long_list_in_a_message_is_cut(tmp_path):
    (tmp_path / "c.yaml").write_text(
        f"curves:\n  - schedule: piecewise\n    boundaries: [{BOUNDARIES}]\n    values: [{'0.1, ' * 10_000}-1]\n"
    )
    assert_refused(tmp_path, ["--config", "c.yaml"], "c.yaml: curve 1 (piecewise): values: got [0.1, 0.1, 0.1, … 10,001 values], expected a list of numbers >= 0")
    values = "0.1," * 10_000 + "-1"
    assert_refused(tmp_path, ["piecewise", "--boundaries", BOUNDARIES, "--values", values], "curve 1 (piecewise): --values: got 0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.… (40,002 characters), expected a list of numbers >= 0")


def test_an_automatic_label_cuts_long_lists_and_the_json_keeps_them(tmp_path):
    import json

    values = ",".join(["0.1"] * 10_001)
    done, elapsed = lrplot("--steps", "20000", "-o", "a.png", "-o", "b.csv", "-o", "c.json", "piecewise", "--boundaries", BOUNDARIES, "--values", values, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    label = "piecewise(boundaries=[1, 2, 3, … 10,000 values], values=[0.1, 0.1, 0.1, … 10,001 values])"
    assert (tmp_path / "b.csv").read_text().splitlines()[0] == f'step,"{label}"'
    (curve,) = json.loads((tmp_path / "c.json").read_text())["curves"]
    assert curve["label"] == label
    assert curve["params"]["boundaries"] == list(range(1, 10_001))
    assert elapsed < QUICK


@pytest.mark.parametrize(
    "args,expected",
    [
        (["constant", "--label", "x" * 100_000], "curve 1 (constant): --label: got " + "x" * 50 + "… (100,000 characters), expected a text of at most 200 characters"),
        (["--title", "x" * 201, "constant"], "--title: got " + "x" * 50 + "… (201 characters), expected a text of at most 200 characters"),
        (["constant", "--color", "x" * 100_000], "curve 1 (constant): --color: got '" + "x" * 50 + "…' (100,000 characters), expected a matplotlib colour (a name like red or tab:blue, or #rrggbb)"),
        (["x" * 100_000], "unknown schedule '" + "x" * 50 + "…' (100,000 characters); run `lrplot list` to see them all"),
        # Click's own messages quote what was typed: the last guard cuts long
        # words (here '--xxx…', its quotes and the full stop).
        (["constant", "--" + "x" * 100_000], "curve 1 (constant): No such option '--" + "x" * 47 + "… (100,005 characters)"),
    ],
    ids=["label", "title", "color", "schedule", "option"],
)
def test_long_texts_on_the_command_line(tmp_path, args, expected):
    assert_refused(tmp_path, args, expected)


def test_long_label_and_panel_title_in_yaml(tmp_path):
    (tmp_path / "c.yaml").write_text("curves:\n  - schedule: constant\n    label: " + "y" * 900_000 + "\n")
    assert_refused(tmp_path, ["--config", "c.yaml"], "c.yaml: curve 1 (constant): label: got '" + "y" * 50 + "…' (900,000 characters), expected a text of at most 200 characters")
    (tmp_path / "c.yaml").write_text("panels:\n  - title: " + "t" * 300 + "\n    descent: quadratic\n    curves: [{schedule: constant}]\n")
    assert_refused(tmp_path, ["--config", "c.yaml"], "c.yaml: panel 1: title: got '" + "t" * 50 + "…' (300 characters), expected a text of at most 200 characters")


def test_labels_and_titles_of_200_characters_are_drawn(tmp_path):
    done, _ = lrplot("--title", "t" * 200, "-o", "a.png", "-o", "b.csv", "constant", "--label", "x" * 200, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "b.csv").read_text().splitlines()[0] == "step," + "x" * 200


def test_show_value_is_bounded_whatever_the_value():
    from lrplot.errors import show_value

    looped: list = []
    looped.append(looped)
    assert show_value(looped) == "[[[[…]]]]"
    assert show_value(10**5000) == "an integer of about 5,001 digits"  # str() refuses it
    assert show_value(-(10**300)) == "-10000000000… (301 digits)"
    assert show_value({"a": [1] * 9, "b": None}) == "{'a': [1, 1, 1, … 9 values], 'b': null}"
    assert show_value(dict.fromkeys(range(20))) == "{0: null, 1: null, 2: null, … 20 keys}"
    assert show_value([0.1] * 8) == "[" + ", ".join(["0.1"] * 8) + "]"


# ------------------------------------------------------------------ --config


def nested_aliases(levels: int) -> str:
    """A "billion laughs" value: each level lists the previous one ten times."""
    parts = ["&a0 [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]"]
    parts += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "[" + ", ".join(parts) + "]"


HOSTILE_CONFIGS = [
    pytest.param(
        f"curves:\n  - schedule: constant\n    label: {nested_aliases(9)}\n",
        "c.yaml: invalid YAML at line 3: aliases stand for more than 100,000 values in all "
        "(an alias bomb?); lrplot reads at most that many",
        id="billion-laughs-label",
    ),
    pytest.param(
        f"title: {nested_aliases(9)}\ncurves: [{{schedule: constant}}]\n",
        "c.yaml: invalid YAML at line 1: aliases stand for more than 100,000 values in all "
        "(an alias bomb?); lrplot reads at most that many",
        id="billion-laughs-title",
    ),
    pytest.param(
        "base: &b {schedule: constant}\nbomb: &m0 {<<: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]}\n"
        + "".join(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 10) + "]}\n" for i in range(1, 8))
        + "curves: [*m7]\n",
        "c.yaml: invalid YAML at line 6: aliases stand for more than 100,000 values in all "
        "(an alias bomb?); lrplot reads at most that many",
        id="merge-key-bomb",
    ),
    pytest.param(
        "curves:\n  - schedule: piecewise\n    boundaries: [1]\n    values: &v [0.1, *v]\n",
        "c.yaml: invalid YAML at line 4: alias *v is inside the value it names (a value containing itself)",
        id="self-reference",
    ),
    pytest.param(
        "curves: &c [{schedule: constant}, *c]\n",
        "c.yaml: invalid YAML at line 1: alias *c is inside the value it names (a value containing itself)",
        id="self-reference-in-curves",
    ),
    pytest.param(
        "curves:\n  - schedule: constant\n    label: " + "[" * 400 + "]" * 400 + "\n",
        "c.yaml: invalid YAML at line 3: lists and mappings nested more than 50 deep (aliases expanded); "
        "lrplot reads at most 50 levels",
        id="400-levels",
    ),
    pytest.param(
        "curves: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "c.yaml: invalid YAML at line 1: lists and mappings nested more than 50 deep (aliases expanded); "
        "lrplot reads at most 50 levels",
        id="100000-levels",
    ),
    pytest.param(
        "deep: &d " + "[" * 30 + "]" * 30 + "\ncurves: [{schedule: constant, label: [[[[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]]]}]\n",
        "c.yaml: invalid YAML at line 2: lists and mappings nested more than 50 deep (aliases expanded); "
        "lrplot reads at most 50 levels",
        id="deep-through-an-alias",
    ),
    pytest.param(
        "curves:\n  - schedule: constant\n    lr: " + "1" * 5000 + "\n",
        "c.yaml: invalid YAML at line 3: an integer of 5,000 digits; lrplot reads integers of at most 4,300 digits",
        id="5000-digit-integer",
    ),
    pytest.param(
        "curves:\n  - schedule: constant\n" + "#" * 1_100_000 + "\n",
        "--config: 'c.yaml' is larger than 1 MB, the most lrplot reads",
        id="larger-than-1-MB",
    ),
]


@pytest.mark.parametrize("text,expected", HOSTILE_CONFIGS)
def test_hostile_config_is_one_line_quickly(tmp_path, text, expected):
    (tmp_path / "c.yaml").write_text(text)
    assert_refused(tmp_path, ["--config", "c.yaml"], expected)


def _refused_file(option: str, path: str, kind: str) -> str:
    if option == "--config":
        return f"--config: {path!r} is {kind}, expected a YAML file"
    return f"--overlay {path}: {path!r} is {kind}, expected a CSV file"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("option", ["--config", "--overlay"])
def test_endless_device_is_refused(tmp_path, option):
    args = [option, "/dev/zero", "constant"]
    assert_refused(tmp_path, args, _refused_file(option, "/dev/zero", "a character device"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("option", ["--config", "--overlay"])
def test_fifo_without_writer_is_refused_not_waited_on(tmp_path, option):
    os.mkfifo(tmp_path / "pipe")
    assert_refused(tmp_path, [option, "pipe", "constant"], _refused_file(option, "pipe", "a named pipe (FIFO)"))


# The limits are exact: at the limit a file loads, one past it is refused.


def test_aliases_may_stand_for_exactly_the_limit(tmp_path):
    thousand = "[" + ", ".join(["1"] * 999) + "]"  # the list and its 999 items: 1000 values
    for copies, refused in ((100, False), (101, True)):
        path = tmp_path / "c.yaml"
        path.write_text(f"x: &a {thousand}\ny: [{', '.join(['*a'] * copies)}]\n")
        if refused:
            with pytest.raises(config.UsageError, match="aliases stand for more than 100,000 values"):
                config.read_yaml(str(path))
        else:
            assert len(config.read_yaml(str(path))["y"]) == copies


def test_nesting_may_reach_exactly_the_limit(tmp_path):
    path = tmp_path / "c.yaml"
    # The top-level mapping is level 1, so 49 lists inside it reach level 50.
    path.write_text("x: " + "[" * 49 + "]" * 49 + "\n")
    value, depth = config.read_yaml(str(path))["x"], 2
    while value:
        value, depth = value[0], depth + 1
    assert depth == 50
    path.write_text("x: " + "[" * 50 + "]" * 50 + "\n")
    with pytest.raises(config.UsageError, match="nested more than 50 deep"):
        config.read_yaml(str(path))


# ------------------------------------------------------------------ --overlay


def test_a_long_log_costs_its_values_not_its_text(tmp_path):
    # 200,000 logged rates in an 8 MB Lightning log (rates and losses on
    # rows of their own). Reading it whole cost ~100 MB more than the same
    # figure without it; streamed, 16 bytes a value: ~5 MB.
    rows = "".join(f",{0.1 * (1 - s / 200_000):.10g},{s},\n{s // 1000},,{s},0.5\n" for s in range(200_000))
    (tmp_path / "log.csv").write_text("epoch,lr-SGD,step,train_loss\n" + rows)
    figure = ["--steps", "200000", "-o", "a.png", "-o", "b.csv"]
    without = peak_rss(tmp_path, [*figure, "cosine"])
    with_log = peak_rss(tmp_path, ["--overlay", "log.csv", *figure, "cosine"])
    assert with_log - without < 40_000_000, (with_log, without)


# Linux keeps a process's peak memory across fork and exec: a child forked
# from pytest (hundreds of MB by now) would report pytest's peak. A small
# fresh interpreter forks lrplot instead and reports the child's own peak.
MEASURE = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.executable, [sys.executable, '-m', 'lrplot', *sys.argv[1:]])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n"
)


def peak_rss(cwd: Path, args: list[str]) -> int:
    """Peak resident memory of `lrplot ARGS`, in bytes (that process alone)."""
    with open(cwd / "stderr", "w+") as stderr:
        done = subprocess.run([sys.executable, "-c", MEASURE, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=stderr,
                              text=True, check=False, timeout=300)
        stderr.seek(0)
        kilobytes, code = (int(word) for word in done.stdout.split()[-2:])
        assert code == 0, stderr.read()
    return kilobytes * 1024  # kB on Linux


HOSTILE_LOGS = [
    pytest.param(b"a" * 3_000_000, "line 1 is longer than 1,000,000 characters; is it a CSV file?", id="no-newline"),
    pytest.param(b"step,lr\n" + b"\x00\xff" * 2_000_000, "cannot read 'log.csv': 'utf-8' codec can't decode byte 0xff in position 9: invalid start byte", id="binary"),
    pytest.param(b"step,lr\n" + b"x," * 200_000 + b"\n", "row ['x', 'x', 'x', … 200,001 values] is not numeric", id="long-bad-row"),
    pytest.param(b",".join(b"c%d" % i for i in range(100_000)) + b"\n1\n", "no step column (expected one of step, _step, global_step, trainer/global_step, train/global_step); columns: c0, c1, c2, … 100,000 columns", id="wide-header"),
]


@pytest.mark.parametrize("content,expected", HOSTILE_LOGS)
def test_hostile_log_is_one_line_quickly(tmp_path, content, expected):
    (tmp_path / "log.csv").write_bytes(content)
    assert_refused(tmp_path, ["--overlay", "log.csv", "constant"], f"--overlay log.csv: {expected}")


def test_at_most_max_values_logged_values_are_read(tmp_path, monkeypatch):
    from lrplot import overlay

    monkeypatch.setattr(overlay, "MAX_VALUES", 3)
    (tmp_path / "log.csv").write_text("step,lr\n0,0.1\n1,0.1\n2,0.1\n")
    assert overlay.load(str(tmp_path / "log.csv")).values.tolist() == [0.1, 0.1, 0.1]
    (tmp_path / "log.csv").write_text("step,lr\n0,0.1\n1,0.1\n2,0.1\n3,0.1\n")
    with pytest.raises(overlay.UsageError, match="more than 3 logged values; lrplot reads at most that many"):
        overlay.load(str(tmp_path / "log.csv"))


def test_a_long_log_is_drawn_reduced_to_what_pixels_show():
    """A logged rate is reduced like a curve: in each 1/8-pixel column its
    first, last, lowest and highest point, at irregular steps. A noisy log is
    then not pixel-identical (a stroke bleeds into the next column at another
    slope; matplotlib's own path simplification differs as much), but close."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from lrplot import plotting

    random = np.random.default_rng(1)
    steps = np.cumsum(random.integers(1, 4, size=60_000)).astype(np.float64)  # logged every 1-3 steps
    logged = 0.05 + 0.04 * np.sin(steps / 300.0) + random.normal(0, 0.004, steps.size)
    last, buckets = 100_000.0, plotting.BUCKETS_PER_PIXEL * 200
    x, y = plotting.reduce_points(steps, logged, 0.0, last, buckets)

    assert len(x) < steps.size / 5
    assert x[0] == steps[0] and x[-1] == steps[np.searchsorted(steps, last, side="right")]  # on to the frame
    full_bucket, kept_bucket = np.floor(steps * buckets / last), np.floor(x * buckets / last)
    for bucket in range(buckets):
        full, kept = logged[full_bucket == bucket], y[kept_bucket == bucket]
        assert (full.min(), full.max(), full[0], full[-1]) == (kept.min(), kept.max(), kept[0], kept[-1])

    def raster(xs, ys):
        figure = Figure(figsize=(2, 1.5), dpi=100)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.plot(xs, ys, color="black", linewidth=1, antialiased=False)
        axes.set_xlim(0, last)
        axes.set_ylim(-0.01, 0.11)
        axes.axis("off")
        canvas = FigureCanvasAgg(figure)
        with matplotlib.rc_context({"path.simplify": False}):  # the reference draws every point
            canvas.draw()
        return np.asarray(canvas.buffer_rgba())[..., 0] < 128

    every_point = raster(steps, logged)
    assert (every_point != raster(x, y)).sum() < 0.02 * every_point.sum()  # 1 % here


# ------------------------------------------------------------------ --dpi, --size


def test_a_png_of_more_than_100_megapixels_is_refused(tmp_path):
    assert_refused(tmp_path, ["--dpi", "1000", "--size", "20x20", "cosine"], (
        "--dpi 1000 with --size 20x20 makes a 20,000 x 20,000 pixel figure (400 megapixels); lrplot draws at most "
        "100 megapixels: lower --dpi or --size (SVG and PDF have no pixels: --dpi does not apply to them)"
    ))
    (tmp_path / "c.yaml").write_text("panels:\n  - descent: quadratic\n    curves: [{schedule: constant}]\n")
    assert_refused(tmp_path, ["--dpi", "2000", "--config", "c.yaml"], (
        "--dpi 2000 with --size 8x4.5 and 1 panel makes a 24,000 x 7,650 pixel figure (184 megapixels); lrplot draws "
        "at most 100 megapixels: lower --dpi or --size (SVG and PDF have no pixels: --dpi does not apply to them)"
    ))


def test_the_pixel_budget_is_exact():
    from lrplot import plotting
    from lrplot.plan import CurveRequest, Plan, make_curves

    curves = make_curves([CurveRequest("constant", {})], 10)
    plotting.check_figure(Plan(steps=10, curves=curves, size=(20.0, 20.0), dpi=500), raster=True)  # 10,000 x 10,000
    with pytest.raises(plotting.UsageError, match=r"makes a 10,020 x 10,020 pixel figure \(100 megapixels\)"):
        plotting.check_figure(Plan(steps=10, curves=curves, size=(20.0, 20.0), dpi=501), raster=True)
    plotting.check_figure(Plan(steps=10, curves=curves, size=(100.0, 100.0), dpi=2000), raster=False)  # SVG, PDF


def test_vector_outputs_do_not_depend_on_dpi_and_never_rasterise(tmp_path):
    # At --dpi 2000 and 100 x 100 inches a raster would be 160 GB; SVG and PDF
    # have no pixels: same bytes as at the default dpi, quickly, in little memory.
    args = ["--size", "100x100", "-o", "a.svg", "-o", "b.pdf", "-o", "c.csv", "cosine", "--label", "a long label " * 10]
    start = time.monotonic()
    assert peak_rss(tmp_path, ["--dpi", "2000", *args]) < 400_000_000
    assert time.monotonic() - start < QUICK

    def vectors() -> tuple[bytes, bytes]:
        svg = re.sub(rb"\b[a-z][0-9a-f]{10}\b", b"id", (tmp_path / "a.svg").read_bytes())  # ids are random
        return svg, (tmp_path / "b.pdf").read_bytes()

    at_2000_dpi = vectors()
    at_100_dpi = run(*args, cwd=tmp_path)  # in-process, for speed: the point above was the separate process
    assert at_100_dpi.exit_code == 0, at_100_dpi.stderr
    assert vectors() == at_2000_dpi


# ------------------------------------------------------------------ text, numbers


def test_titles_and_labels_are_plain_text_not_mathtext(tmp_path):
    # matplotlib would parse "$\foo$" as mathtext and crash on the unknown symbol.
    outputs = ["-o", "a.png", "-o", "b.svg", "-o", "c.pdf", "-o", "d.csv"]
    curves = ["constant", "--label", r"$\foo$", "cosine", "--label", "a $ b $ c"]
    done, elapsed = lrplot("--title", r"$\bar{$", *outputs, *curves, cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert (tmp_path / "d.csv").read_text().splitlines()[0] == r"step,$\foo$,a $ b $ c"
    assert all((tmp_path / name).stat().st_size > 1000 for name in ("a.png", "b.svg", "c.pdf"))
    assert elapsed < QUICK
    (tmp_path / "c.yaml").write_text(
        "title: $\\frac\npanels:\n  - title: $\\qux$\n    descent: quadratic\n    curves: [{schedule: constant, label: $\\zap$}]\n"
    )
    in_process = run("--config", "c.yaml", "-o", "a.png", "-o", "b.pdf", cwd=tmp_path)  # gradient-descent panels
    assert in_process.exit_code == 0 and in_process.stderr == "", in_process.stderr


def test_user_texts_are_drawn_as_typed_even_with_usetex_on():
    import matplotlib

    from lrplot import plotting
    from lrplot.plan import CurveRequest, Plan, make_curves

    curves = make_curves([CurveRequest("constant", {}, label=r"$\foo$"), CurveRequest("cosine", {}, label="50 % & more")], 10)
    with matplotlib.rc_context({"text.usetex": True}):  # a user's matplotlibrc may say so
        axes = plotting.draw(Plan(steps=10, curves=curves, title=r"$\eta_{max}$")).axes[0]
    texts = [axes.title, *axes.get_legend().get_texts()]
    assert [text.get_text() for text in texts] == [r"$\eta_{max}$", r"$\foo$", "50 % & more"]
    assert not any(text.get_parse_math() or text.get_usetex() for text in texts)


BEYOND = "beyond the 1e+300 a figure can draw: lower the rates, or write the numbers only (-o FILE.csv or FILE.json)"


@pytest.mark.parametrize("log_y", [[], ["--log-y"]], ids=["linear", "log"])
def test_rates_near_the_float64_max_are_refused_in_a_figure(tmp_path, log_y):
    # matplotlib's margins and tick steps overflow there (internal errors before).
    assert_refused(tmp_path, ["--steps", "5", *log_y, "constant", "--lr", "1.7e308"], f"curve 1 (constant(lr=1.7e+308)): its learning rate reaches 1.7e+308 at step 0, {BEYOND}")
    (tmp_path / "log.csv").write_text("step,lr\n0,0.1\n1,-1.7e308\n2,0.1\n")
    assert_refused(tmp_path, ["--steps", "5", *log_y, "--overlay", "log.csv", "constant"], f"overlay logged: log.csv:lr: its logged value reaches -1.7e+308 at step 1, {BEYOND}")


def test_the_numbers_of_such_rates_are_still_written(tmp_path):
    done, _ = lrplot("--steps", "3", "-o", "a.csv", "-o", "b.json", "constant", "--lr", "1.7e308", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a.csv").read_text() == "step,constant(lr=1.7e+308)\n0,1.7e+308\n1,1.7e+308\n2,1.7e+308\n"


def test_extreme_but_drawable_rates_give_a_figure(tmp_path):
    # 1e300 down to the smallest subnormal on a log axis, a logged rate that
    # spans 600 decades, and a decay to 5e-324 on a figure one inch high.
    (tmp_path / "log.csv").write_text("step,lr\n0,1e-300\n1,1e300\n2,-1e300\n3,0.1\n")
    extremes = ["--overlay", "log.csv", "piecewise", "--boundaries", "2", "--values", "1e300,5e-324"]
    for args in (["--steps", "4", *extremes], ["--steps", "4", "--log-y", *extremes], ["--size", "8x1", "--log-y", "--steps", "20000", "exponential"]):
        done, _ = lrplot("-o", "a.png", "-o", "b.svg", "-o", "c.csv", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "Warning" not in done.stderr and "error" not in done.stderr, done.stderr


@pytest.mark.parametrize("size", [(8.0, 1.0), (4.0, 100.0)], ids=["8x1", "4x100"])
@pytest.mark.parametrize("log_y", [False, True], ids=["linear", "log"])
@pytest.mark.parametrize("high,low", [(1e300, 5e-324), (1e300, 1e299), (5e-324, 5e-324), (0.1, 1e-4)])
def test_a_figure_holds_every_value_up_to_1e300(high, low, log_y, size):
    import io

    from lrplot import plotting
    from lrplot.plan import CurveRequest, Plan, make_curves

    curves = make_curves([CurveRequest("piecewise", {"boundaries": [2], "values": [high, low]})], 4)
    figure = plotting.draw(Plan(steps=4, curves=curves, log_y=log_y, size=size, dpi=20))
    plotting.save(figure, io.BytesIO(), "svg", 20)  # warnings are errors in the tests
    axes = figure.axes[0]
    bottom, top = axes.get_ylim()
    assert bottom <= (low if log_y else 0.0) and high <= top < np.inf
    shown = [tick for tick in axes.get_yticks() if bottom <= tick <= top]
    assert shown and np.isfinite(shown).all()


def test_a_figure_too_small_for_its_labels_says_so_in_one_line(tmp_path):
    # matplotlib's layout gives up (a two-line Python warning before); the figure is still written.
    done, _ = lrplot("--size", "1x2", "-o", "a.png", "-o", "b.svg", "-o", "c.pdf", "constant", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr == (
        "warning: a 1x2-inch figure is too small for its axes and labels: drawn without matplotlib's layout, "
        "labels may overlap (a larger --size helps)\n"
    )
    assert all((tmp_path / name).stat().st_size > 1000 for name in ("a.png", "b.svg", "c.pdf"))
