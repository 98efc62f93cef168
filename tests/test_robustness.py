"""Bad input never crashes and never loses a file (issue 4).

Table-driven bad inputs (command line and YAML) assert the exit status, the
one-line message and that existing files are untouched; hypothesis throws
random argv and random YAML at the CLI and asserts it only ever exits 0 or 2,
without a traceback.
"""

from __future__ import annotations

import os
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrplot.binding import all_schedules
from tests.helpers import run

# (argv, text the single error line must contain)
BAD_COMMAND_LINES = [
    (["-o", "-", "linear", "--lr", "1e300", "--end-factor", "1e10"], "overflows float64"),
    (["-o", "-", "cosine", "--warmup-steps", "5", "--warmup-shape", "exponential", "--warmup-start-lr", "1e-300", "--lr", "1e300"], "overflows float64"),
    (["exp"], "unknown schedule 'exp' (did you mean exponential?)"),
    (["constant", "step", "-o", "x.png"], "curve 2 (step): -o is a figure option: give it before the first schedule"),
    (["constant", "--lr"], "curve 1 (constant): Option '--lr' requires an argument"),
    (["constant", "cosine", "--lrr", "3"], "curve 2 (cosine): No such option '--lrr'"),
    (["constant", "list"], "`list` cannot be combined with schedules"),
    (["--emit", "torch", "-o", "-", "constant"], "--emit prints code on stdout, and so does -o -"),
    (["cosin"], "did you mean cosine?"),
    (["natural_exp"], "did you mean natural-exp?"),
    (["constant", "--lr", "inf"], "--lr: got inf"),
    (["constant", "--lr", "-0.1"], "expected a number >= 0"),
    (["constant", "--lr", ""], "--lr: got ''"),
    (["constant", "--warmup-steps", "-1"], "--warmup-steps: got -1, expected an integer >= 0"),
    (["constant", "--warmup-steps", "1.5"], "--warmup-steps: got 1.5"),
    (["constant", "--warmup-start-lr", "-1"], "--warmup-start-lr: got -1"),
    (["constant", "--warmup-shape", "sigmoid"], "expected one of linear, exponential, constant, cosine, 1-sqrt, quadratic, log"),
    (["constant", "--warmup-steps", "5", "--warmup-shape", "exponential"], "--warmup-start-lr: got 0.0, expected > 0 when warmup_shape is exponential"),
    (["exponential", "--staircase", "yes"], "unknown schedule 'yes'"),
    (["exponential", "--decay-steps", "0"], "--decay-steps: got 0, expected an integer >= 1"),
    (["natural-exp", "--decay-rate", "-0.5"], "--decay-rate: got -0.5, expected a number >= 0"),
    (["inverse-time", "--decay-rate", "-1"], "--decay-rate: got -1"),
    (["polynomial", "--power", "0"], "--power: got 0, expected a number > 0"),
    (["polynomial", "--end-lr", "-1"], "--end-lr: got -1"),
    (["polynomial", "--decay-steps", "ten"], "--decay-steps: got ten"),
    (["linear", "--total-steps", "0"], "--total-steps: got 0"),
    (["step", "--gamma", "0"], "--gamma: got 0, expected a number > 0"),
    (["step", "--step-size", "-3"], "--step-size: got -3"),
    (["multistep"], "--milestones is required"),
    (["multistep", "--milestones", "30,20"], "--milestones: got [30, 20], expected integers >= 1 in increasing order"),
    (["multistep", "--milestones", "0,10"], "--milestones: got 0,10"),
    (["multistep", "--milestones", "10,,20"], "--milestones: got 10,,20"),
    (["piecewise", "--boundaries", "0", "--values", "1,2"], "--boundaries: got 0"),
    (["piecewise", "--boundaries", "5,5", "--values", "1,2,3"], "strictly increasing"),
    (["piecewise", "--boundaries", "5", "--values", "1,-2"], "--values: got 1,-2"),
    (["cosine", "--end-lr", "nan"], "--end-lr: got nan"),
    (["cosine-restarts", "--t-mul", "0.5"], "--t-mul: got 0.5, expected a number >= 1"),
    (["cosine-restarts", "--m-mul", "0"], "--m-mul: got 0"),
    (["onecycle", "--pct-start", "1"], "--pct-start: got 1, expected a number > 0 and < 1"),
    (["onecycle", "--pct-start", "0"], "--pct-start: got 0"),
    (["onecycle", "--total-steps", "10", "--pct-start", "0.1"], "--pct-start: got 0.1, expected a fraction with pct_start * total_steps != 1 (total_steps = 10)"),
    (["cyclic", "--base-lr", "1"], "--base-lr: got 1.0, expected a number <= lr (0.1)"),
    (["cyclic", "--mode", "triangle"], "did you mean triangular?"),
    (["noam", "--d-model", "0"], "--d-model: got 0"),
    (["inverse-sqrt", "--timescale", "0"], "--timescale: got 0"),
    (["wsd", "--decay-shape", "sqrt"], "--decay-shape: got sqrt"),
    (["warmup", "--warmup-steps", "0"], "--warmup-steps: got 0, expected an integer >= 1"),
    (["--steps", "abc", "constant"], "--steps: got abc"),
    (["--steps", "1e13", "constant"], "--steps: got 1e13"),
    (["--dpi", "0", "constant"], "--dpi: got 0"),
    (["--size", "0x3", "constant"], "--size: got 0x3"),
    (["--steps-per-epoch", "0", "constant"], "--steps-per-epoch: got 0"),
    (["-o", "a.gif", "constant"], "expected a file ending in one of .png .svg .pdf .csv .json"),
    (["-o", "-", "-o", "-", "constant"], "- (stdout) may be given only once"),
    (["-o", "a.png", "-o", "a.png", "constant"], "'a.png' is given twice"),
    (["-o", ".", "constant"], "which names a directory, not a file"),
    (["constant", "--label"], "--label"),
    (["constant", "extra"], "unknown schedule 'extra'"),
    (["--config"], "--config"),
    (["--steps", "5", "--log-y"], "no schedule given after the figure options"),
    (["-o", "-", "exponential", "--decay-rate", "1e100"], "exponential(decay_rate=1e+100): the learning rate overflows float64 at step 4"),
    (["-o", "x.csv", "step", "--gamma", "1e300", "--step-size", "1"], "step(step_size=1, gamma=1e+300): the learning rate overflows float64 at step 2"),
    (["cyclic", "--mode", "exp_range", "--gamma", "1e10"], "overflows float64"),
]


@pytest.mark.parametrize("args,expected", BAD_COMMAND_LINES, ids=[" ".join(a) for a, _ in BAD_COMMAND_LINES])
def test_bad_command_line(tmp_path, args, expected):
    keep = tmp_path / "lrplot.png"
    keep.write_bytes(b"precious")
    result = run(*args, cwd=tmp_path)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lrplot: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert keep.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lrplot.png"]


def test_unwritable_second_output_writes_none(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        result = run("-o", str(tmp_path / "a.csv"), "-o", str(locked / "b.png"), "constant")
        assert result.exit_code == 2
        assert "not writable" in result.stderr
        assert not (tmp_path / "a.csv").exists()
    finally:
        locked.chmod(0o700)


def test_keyboard_interrupt_leaves_no_partial_file(tmp_path, monkeypatch):
    from lrplot import export

    def interrupted(plan, handle, **options):
        handle.write("step,partial\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "write_csv", interrupted)
    target = tmp_path / "a.csv"
    target.write_text("old")
    result = run("-o", str(tmp_path / "b.json"), "-o", str(target), "constant")
    assert result.exit_code == 130
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_disk_full_while_writing_is_one_line_and_keeps_the_old_file(tmp_path, monkeypatch):
    import errno

    from lrplot import export

    def full(plan, handle, **options):
        handle.write("step,partial\n")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export, "write_csv", full)
    target = tmp_path / "a.csv"
    target.write_text("old")
    result = run("-o", str(tmp_path / "b.json"), "-o", str(target), "constant")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"lrplot: error: -o/--output: cannot write {str(target)!r}: No space left on device"
    ]
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_temporary_file_refused_by_the_file_system_is_a_usage_error(tmp_path, monkeypatch):
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = run("-o", str(tmp_path / "a.png"), "constant")
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "Read-only file system" in result.stderr
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--steps", "300000", "-o", "-", "constant"],
        ["list"],
        ["--help"],
        ["--version"],
        ["cosine", "--help"],
        ["--steps", "5", "--emit", "torch", "cosine"],
        ["--steps", "5", "--stats", "cosine"],
    ],
)
def test_reader_gone_before_the_first_byte_is_not_an_error(argv):
    import subprocess
    import sys

    # `lrplot ... | head -0`: the reader has left before anything is written.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "lrplot", *argv], stdout=write_end, stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write_end)
    assert done.returncode == 0, (argv, done.stderr)
    assert done.stderr == ""


def test_reader_leaving_mid_csv_still_writes_the_files(tmp_path):
    import subprocess
    import sys

    # `lrplot -o x.png -o - ... | head -1`: the pipe closes after one line.
    out = tmp_path / "x.png"
    writer = subprocess.Popen([sys.executable, "-m", "lrplot", "--steps", "300000", "-o", str(out), "-o", "-", "constant"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout is not None and writer.stderr is not None
    assert writer.stdout.readline() == b"step,constant\n"
    writer.stdout.close()
    error = writer.stderr.read().decode()
    writer.stderr.close()
    assert writer.wait(timeout=60) == 0, error
    assert error == f"{out}\n"  # the path, on stderr since stdout carries the CSV
    assert out.stat().st_size > 10_000


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["list"],
        ["--steps", "3", "-o", "-", "constant"],
        ["--steps", "3", "--stats", "constant"],
        ["--steps", "3", "--emit", "torch", "constant"],
        ["--steps", "3", "-o", "{tmp}/a.png", "-o", "{tmp}/a.csv", "constant"],
    ],
)
def test_full_disk_behind_stdout_is_one_line_exit_2_and_writes_no_file(argv, tmp_path):
    import subprocess
    import sys

    argv = [arg.format(tmp=tmp_path) for arg in argv]
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "lrplot", *argv], stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "lrplot: error: cannot write to stdout: No space left on device\n"
    assert list(tmp_path.iterdir()) == []  # printing the paths failed: nothing was renamed into place


# ------------------------------------------------------------------ fuzzing

SCHEDULE_NAMES = [n for n in all_schedules()]
OPTION_NAMES = sorted(
    {p.option for s in all_schedules().values() for p in s.all_params}
    | {"--steps", "-o", "--title", "--log-y", "--steps-per-epoch", "--dpi", "--size", "--label", "--color", "--staircase", "--cycle", "--no-cycle"}
)
VALUES = ["0", "1", "-1", "0.5", "1e9", "1e-300", "nan", "inf", "3,2,1", "1,2", "", "x", "10ep", "cos", "linear", "triangular2", "1-sqrt", "8x4", "red", "-"]

tokens = st.one_of(
    st.sampled_from(SCHEDULE_NAMES),
    st.sampled_from(OPTION_NAMES),
    st.sampled_from(VALUES),
    st.text(alphabet=string.printable, max_size=8),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(tokens, max_size=8))
def test_random_command_lines_exit_0_or_2_without_traceback(tmp_path, argv):
    # Never let a random argv write figures into the repo or open a window.
    argv = [a for a in argv if a not in ("--show", "--debug", "--config")]
    if "-o" not in argv:
        argv = ["-o", "-"] + argv
    result = run("--steps", "20", *argv, cwd=tmp_path)
    assert result.exit_code in (0, 2), (argv, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(SCHEDULE_NAMES + VALUES),
    st.text(max_size=6),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=10,
)
curve_keys = st.sampled_from(
    sorted({p.name for s in all_schedules().values() for p in s.all_params} | {"schedule", "label", "color", "steps", "bogus"})
)
curves = st.lists(
    st.dictionaries(curve_keys, yaml_values, max_size=5).map(lambda d: d if "schedule" in d else {**d, "schedule": "constant"})
    | st.fixed_dictionaries({"schedule": st.sampled_from(SCHEDULE_NAMES)}),
    max_size=3,
)
documents = st.one_of(
    yaml_values,
    st.fixed_dictionaries(
        {"curves": curves},
        optional={"steps": yaml_scalars, "title": yaml_scalars, "log_y": yaml_scalars, "size": yaml_values, "dpi": yaml_scalars, "bogus": yaml_scalars},
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
def test_random_yaml_exits_0_or_2_without_traceback(tmp_path, document):
    if isinstance(document, dict) and isinstance(document.get("steps"), int) and document["steps"] > 10_000:
        document = {**document, "steps": 10_000}
    config = tmp_path / "fuzz.yaml"
    config.write_text(yaml.safe_dump(document))
    result = run("--config", str(config), "-o", "-")
    assert result.exit_code in (0, 2), (document, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_raw_yaml_text_garbage(tmp_path):
    for text in ["{", "curves: [", "\x00", "curves:\n\t- x", "!!binary AAAA", "curves: !!set {a}", "? [a]\n: b"]:
        config = tmp_path / "g.yaml"
        config.write_text(text)
        result = run("--config", str(config), "-o", "-")
        assert result.exit_code == 2, (text, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


# Schedules marked `bounded` skip the overflow check when every parameter is
# moderate (<= 1e290). Whatever the values, the result is finite numbers or
# the one-line overflow error: never inf, and no numpy warning on the way.
BIG = 1.7976931348623157e308
RATE = st.one_of(st.floats(0.0, BIG), st.sampled_from([0.0, 5e-324, 1e290, 1.0000001e290, BIG, 0.1]))
BOUNDED_EXTREMES = {
    "constant": st.fixed_dictionaries({}),
    "warmup": st.fixed_dictionaries({"warmup_steps": st.integers(1, 5), "warmup_shape": st.sampled_from(["linear", "constant"])}),
    "piecewise": st.fixed_dictionaries({"boundaries": st.just([3]), "values": st.lists(RATE, min_size=2, max_size=2)}),
    "natural-exp": st.fixed_dictionaries({"decay_rate": RATE}),
    "inverse-time": st.fixed_dictionaries({"decay_rate": RATE}),
    "range-test": st.fixed_dictionaries({"step_rate": RATE, "step_size": st.integers(1, 5), "staircase": st.booleans()}),
    "polynomial": st.fixed_dictionaries({"end_lr": RATE, "power": st.floats(1e-300, 1e300), "cycle": st.booleans(), "decay_steps": st.integers(1, 5)}),
    "linear": st.fixed_dictionaries({"start_factor": RATE, "end_factor": RATE, "total_steps": st.integers(1, 5)}),
    "cosine": st.fixed_dictionaries({"end_lr": RATE, "decay_steps": st.integers(1, 5)}),
    "cosine-linear-envelope": st.fixed_dictionaries({"end_lr": RATE, "decay_steps": st.integers(1, 5)}),
    "inverse-sqrt": st.fixed_dictionaries({"timescale": st.integers(1, 10**9)}),
    "wsd": st.fixed_dictionaries({"end_lr": RATE, "decay_shape": st.sampled_from(["1-sqrt", "linear", "cosine"]), "decay_steps": st.integers(1, 5)}),
    "tanh": st.fixed_dictionaries({"end_lr": RATE, "decay_steps": st.integers(1, 5), "lower": st.floats(-1e300, 1e300), "upper": st.floats(-1e300, 1e300)}),
}


def test_every_bounded_schedule_is_fuzzed_below():
    from lrplot.registry import never_bounded

    assert set(BOUNDED_EXTREMES) == {name for name, s in all_schedules().items() if s.bounded is not never_bounded}


@pytest.mark.parametrize("name", sorted(BOUNDED_EXTREMES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_bounded_schedules_never_give_inf_nor_warn(name, data):
    import warnings

    import numpy as np

    import lrplot
    from lrplot.errors import UsageError

    given = {
        "lr": data.draw(RATE),
        "warmup_start_lr": data.draw(RATE),
        "warmup_steps": data.draw(st.sampled_from([0, 3])),
        **data.draw(BOUNDED_EXTREMES[name]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            try:
                values = lrplot.evaluate(name, steps=12, **given)
            except UsageError as error:
                assert "overflows float64" in str(error), given
                return
    assert np.isfinite(values).all(), given


@pytest.mark.parametrize(
    "args",
    [
        ["cosine", "--lr", "1.7976931348623157e308", "--end-lr", "8.909933138373007e+307"],
        ["linear", "--lr", "4.60946957657004e+307", "--start-factor", "1.2", "--end-factor", "3.9", "--total-steps", "2"],
        ["natural-exp", "--decay-rate", "1e308", "--lr", "1.7e308"],
        ["inverse-time", "--decay-rate", "1e308", "--lr", "1.7e308"],
    ],
)
def test_values_near_float64_max_give_numbers_or_one_error_line(args):
    result = run("--steps", "5", "-o", "-", *args)
    assert "inf" not in result.stdout and "Warning" not in result.stderr
    if result.exit_code == 2:
        assert result.stderr.strip().splitlines()[-1].endswith("use smaller rates or factors")
    else:
        assert result.exit_code == 0, result.stderr
