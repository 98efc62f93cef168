"""Shared test helpers: run the CLI in-process and read its outputs."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from click.testing import CliRunner

from lrplot.cli import main


def run(*args: str, cwd: Path | None = None, input: str | None = None):
    """Invoke `lrplot ARGS` (stdout and stderr kept apart)."""
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(previous)


def read_csv(text: str) -> tuple[list[str], list[list[float]]]:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    return header, [[float(v) for v in row] for row in body]


def assert_usage_error(result, expected: str) -> None:
    """Exit status 2 and exactly one stderr line, containing ``expected``."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert expected in result.stderr, result.stderr


def lrplot_process(*args: str, cwd: Path | None = None, **popen: object):
    """Run `python -m lrplot ARGS` as a real process, as users do."""
    import subprocess
    import sys

    options = {"capture_output": True, "text": True, "check": False, "timeout": 120, **popen}
    return subprocess.run([sys.executable, "-m", "lrplot", *args], cwd=cwd, **options)


def leftovers(directory: Path) -> list[str]:
    """Hidden temporary or backup files lrplot may have left in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".") and p.suffix in (".tmp", ".bak"))
