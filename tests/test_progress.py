"""Progress bars: on stderr for long jobs on a terminal, silent otherwise."""

from __future__ import annotations

import io
import sys

from lrplot.outputs import FIGURE_RATE, FORMATS
from lrplot.progress import progress
from tests.helpers import run


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_job_on_a_terminal_shows_a_bar(monkeypatch):
    fake = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", fake)
    with progress(FORMATS[".csv"].rate, "writing x.csv", 10_000_000) as advance:
        for _ in range(10):
            advance(1_000_000)
    assert "writing x.csv" in fake.getvalue()
    assert "100%" in fake.getvalue()


def test_short_job_or_no_terminal_is_silent(monkeypatch):
    fake = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", fake)
    with progress(FORMATS[".csv"].rate, "writing x.csv", 1000) as advance:
        advance(1000)
    assert fake.getvalue() == ""
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    with progress(FIGURE_RATE, "drawing", 10**9) as advance:
        advance(10**9)
    assert plain.getvalue() == ""


def test_large_export_through_a_pipe_prints_only_the_path(tmp_path):
    out = tmp_path / "big.csv"
    result = run("--steps", "2100000", "-o", str(out), "constant")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.strip() == str(out)
