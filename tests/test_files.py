"""Outputs are all or nothing, in real processes: several targets, figures,
signals, closed streams, symlinks, permissions (lrplot.files)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import leftovers, lrplot_process

WARNING_CURVES = ("--log-y", "cosine", "--warmup-steps", "10", "polynomial", "--decay-steps", "20")


def assert_refused(done, expected: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("lrplot: error: "), done.stderr
    assert expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def precious(path: Path, text: str = "precious\n") -> Path:
    path.write_text(text)
    return path


# --- every target checked before anything is written -------------------------

@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ("b.png/", "names a directory, not a file"),
        ("sub/", "names a directory, not a file"),
        ("missing/b.png", "directory 'missing' does not exist"),
        ("adir.png", "which is a directory"),
        ("a.csv", "is given twice"),
        ("./a.csv", "are the same file"),
        ("link.csv", "are the same file"),
        ("x" * 300 + ".png", "File name too long"),
        ("null.csv", "not a regular file"),
    ],
)
def test_a_bad_later_target_leaves_the_first_untouched(tmp_path, second, expected):
    first = precious(tmp_path / "a.csv")
    (tmp_path / "adir.png").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to("a.csv")
    (tmp_path / "null.csv").symlink_to(os.devnull)
    before = sorted(p.name for p in tmp_path.iterdir())
    done = lrplot_process("-o", "a.csv", "-o", "fig.png", "-o", second, "constant", cwd=tmp_path)
    assert_refused(done, expected)
    assert first.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize("spelling", ["log.csv", "./log.csv", "alias.csv"])
def test_an_output_that_is_also_the_overlay_is_refused(tmp_path, spelling):
    log = precious(tmp_path / "log.csv", "step,lr\n0,0.1\n1,0.1\n")
    (tmp_path / "alias.csv").symlink_to("log.csv")
    done = lrplot_process("--overlay", "log.csv", "-o", "fig.png", "-o", spelling, "constant", cwd=tmp_path)
    assert_refused(done, "is also an input (log.csv)")
    assert log.read_text() == "step,lr\n0,0.1\n1,0.1\n"
    assert not (tmp_path / "fig.png").exists()


def test_an_output_that_is_also_the_config_is_refused(tmp_path):
    config = precious(tmp_path / "c.json", '{"curves": [{"schedule": "constant"}]}\n')
    done = lrplot_process("--config", "c.json", "-o", "c.json", cwd=tmp_path)
    assert_refused(done, "is also an input (c.json)")
    assert config.read_text() == '{"curves": [{"schedule": "constant"}]}\n'


def test_overlay_with_a_column_is_still_recognised_as_the_input(tmp_path):
    precious(tmp_path / "run.csv", "step,lr-SGD\n0,0.1\n")
    done = lrplot_process("--overlay", "run.csv:lr-SGD", "-o", "run.csv", "constant", cwd=tmp_path)
    assert_refused(done, "is also an input")


# --- the final renames: all or nothing ----------------------------------------

def _sabotage_temporary(directory: Path) -> None:
    """Someone else deletes lrplot's temporary file for big.csv while it is written."""
    for path in directory.iterdir():
        if path.name.startswith(".big.csv.") and path.suffix == ".tmp":
            path.unlink()


def _sabotage_target(directory: Path) -> None:
    """Someone else turns big.csv into a non-empty directory while lrplot writes."""
    (directory / "big.csv" / "occupied").mkdir(parents=True)


@pytest.mark.parametrize(
    ("sabotage", "expected"),
    [
        (_sabotage_temporary, "cannot write 'big.csv': No such file or directory"),
        (_sabotage_target, "cannot keep a copy of 'big.csv'"),
    ],
)
def test_a_failure_at_the_final_renames_changes_nothing(tmp_path, sabotage, expected):
    """The second target cannot be put in place after the first was replaced
    (or about to be): the first must be what it was."""
    first = precious(tmp_path / "a.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "--steps", "1500000", "-o", "a.csv", "-o", "big.csv", "constant"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".big.csv.") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.01)
    sabotage(tmp_path)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 2, err
    assert err.startswith("lrplot: error: -o/--output: ") and expected in err, err
    assert err.count("\n") == 1
    assert first.read_text() == "precious\n"
    assert leftovers(tmp_path) == []


def test_success_replaces_every_target_and_leaves_no_backup(tmp_path):
    for name in ("a.csv", "b.json", "c.png", "d.svg"):
        precious(tmp_path / name)
    done = lrplot_process("-o", "a.csv", "-o", "b.json", "-o", "c.png", "-o", "d.svg", "constant", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["a.csv", "b.json", "c.png", "d.svg"]
    assert (tmp_path / "a.csv").read_text().startswith("step,constant\n0,0.1\n")
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
    assert leftovers(tmp_path) == []


def test_a_replaced_file_keeps_its_permission_bits(tmp_path):
    kept = precious(tmp_path / "a.csv")
    kept.chmod(0o640)
    fresh = tmp_path / "new.csv"
    old_umask = os.umask(0o022)
    try:
        done = lrplot_process("-o", "a.csv", "-o", "new.csv", "constant", cwd=tmp_path)
    finally:
        os.umask(old_umask)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # a new file: 0666 minus the umask


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = precious(tmp_path / "real.csv")
    (tmp_path / "link.csv").symlink_to("real.csv")
    (tmp_path / "dangling.csv").symlink_to("made.csv")
    done = lrplot_process("-o", "link.csv", "-o", "dangling.csv", "constant", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "link.csv").is_symlink() and (tmp_path / "dangling.csv").is_symlink()
    assert real.read_text().startswith("step,constant\n")
    assert (tmp_path / "made.csv").read_text().startswith("step,constant\n")


# --- a user who is not root: read-only files, sticky directories --------------

def unprivileged() -> list[str]:
    """A command prefix that runs lrplot without root's privileges over
    files: as root, drop every capability (uid stays 0, so Python still runs)."""
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-all"] if os.geteuid() == 0 else []


def lrplot_unprivileged(*args: str, cwd: Path):
    command = [*unprivileged(), sys.executable, "-m", "lrplot", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


def test_a_file_the_user_cannot_write_is_refused(tmp_path):
    first = precious(tmp_path / "a.csv")
    locked = precious(tmp_path / "locked.csv")
    locked.chmod(0o444)
    assert subprocess.run([*unprivileged(), "sh", "-c", "echo > locked.csv"], cwd=tmp_path,
                          capture_output=True, check=False).returncode != 0
    done = lrplot_unprivileged("-o", "a.csv", "-o", "locked.csv", "constant", cwd=tmp_path)
    assert_refused(done, "'locked.csv', which is read-only")
    assert first.read_text() == "precious\n"
    assert locked.read_text() == "precious\n"


def test_another_users_file_in_a_sticky_directory_is_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root, to give files to a second user")
    shared = tmp_path / "shared"
    shared.mkdir()
    theirs = precious(shared / "theirs.csv")
    theirs.chmod(0o666)  # writable by anyone, yet the sticky bit forbids replacing it
    os.chown(theirs, 65534, 65534)
    os.chown(shared, 65534, 65534)
    shared.chmod(0o1777)
    done = lrplot_unprivileged("-o", "mine.csv", "-o", "theirs.csv", "constant", cwd=shared)
    assert_refused(done, "belongs to another user in a sticky directory")
    assert theirs.read_text() == "precious\n"
    assert not (shared / "mine.csv").exists()


# --- stderr that cannot be written never stops a run --------------------------

def test_warnings_into_a_reader_that_left_do_not_abort(tmp_path):
    pipeline = '"$@" 2>&1 | head -1; exit "${PIPESTATUS[0]}"'
    command = [sys.executable, "-m", "lrplot", "-o", "fig.png", "-o", "fig.csv", *WARNING_CURVES]
    done = subprocess.run(["bash", "-c", pipeline, "_", *command], cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done
    assert done.stdout.startswith("warning: ")
    assert (tmp_path / "fig.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "fig.csv").exists()


@pytest.mark.parametrize("stderr", ["closed pipe", "closed", "full"])
def test_a_stderr_that_cannot_be_written_is_ignored(tmp_path, stderr):
    if stderr == "closed pipe":
        read_end, write_end = os.pipe()
        os.close(read_end)
        target = write_end
    elif stderr == "closed":
        target = None
    else:
        target = open("/dev/full", "w")  # noqa: SIM115 - handed to the child
    command = [sys.executable, "-m", "lrplot", "-o", "fig.png", *WARNING_CURVES]
    if target is None:
        done = subprocess.run(["bash", "-c", '"$@" 2>&-', "_", *command], cwd=tmp_path,
                              stdout=subprocess.PIPE, text=True, check=False, timeout=120)
    else:
        done = subprocess.run(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=target, text=True,
                              check=False, timeout=120)
        os.close(target) if isinstance(target, int) else target.close()
    assert done.returncode == 0
    assert done.stdout == "fig.png\n"
    assert (tmp_path / "fig.png").read_bytes().startswith(b"\x89PNG")


def test_an_error_into_a_full_stderr_still_exits_2(tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "lrplot", "exponential", "--decay-rate", "0"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=full, check=False, timeout=120)
    assert done.returncode == 2
    assert not list(tmp_path.iterdir())


# --- signals -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "code"), [("SIGTERM", 143), ("SIGHUP", 129), ("SIGINT", 130)])
def test_a_stop_signal_leaves_no_temporary_file(tmp_path, name, code):
    kept = precious(tmp_path / "x.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "lrplot", "--steps", "100000000", "-o", "x.csv", "-o", "x.png", "constant"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not leftovers(tmp_path):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.01)
    process.send_signal(getattr(signal, name))
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    # One line for the stop, besides the warning that the CSV is gigabytes.
    lines = [line for line in err.splitlines() if not line.startswith("warning: x.csv will be about")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]
    assert kept.read_text() == "precious\n"


# --- any mix of targets: all written, or nothing changed -----------------------

TARGET_KINDS = {
    "new": lambda p: None,
    "existing": lambda p: p.write_text("precious\n"),
    "directory": lambda p: p.mkdir(),
    "missing dir": None,  # placed under a directory that does not exist
    "trailing slash": None,
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=st.lists(st.sampled_from(sorted(TARGET_KINDS)), min_size=1, max_size=4),
    suffixes=st.lists(st.sampled_from([".png", ".svg", ".csv", ".json", ".pdf"]), min_size=4, max_size=4),
)
def test_any_mix_of_outputs_is_all_or_nothing(tmp_path_factory, kinds, suffixes):
    directory = tmp_path_factory.mktemp("mix")
    args, expected_ok = [], True
    for index, kind in enumerate(kinds):
        name = f"out{index}{suffixes[index]}"
        if kind == "missing dir":
            args += ["-o", f"nowhere/{name}"]
            expected_ok = False
        elif kind == "trailing slash":
            args += ["-o", name + "/"]
            expected_ok = False
        else:
            TARGET_KINDS[kind](directory / name)
            args += ["-o", name]
            expected_ok &= kind != "directory"
    before = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}
    done = lrplot_process(*args, *WARNING_CURVES, cwd=directory)
    after = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}
    assert leftovers(directory) == []
    if expected_ok:
        assert done.returncode == 0, done.stderr
        assert sorted(after) == sorted(a for a in args if a != "-o")
        assert all(after[name] != b"precious\n" for name in after)
    else:
        assert_refused_with_warnings(done)
        assert after == before


def assert_refused_with_warnings(done) -> None:
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(errors) == 1 and errors[0].startswith("lrplot: error: -o/--output: "), done.stderr
