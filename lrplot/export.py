"""CSV and JSON writers, and all-or-nothing file output.

Every file is written to a temporary file in its target directory and renamed
into place only after every requested output has been written, so an error
(bad input, an exception while rendering, Ctrl-C) never leaves a partial file
and never clobbers an existing one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from lrplot.compose import describe
from lrplot.errors import UsageError
from lrplot.plan import Plan

FIGURE_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DATA_FORMATS = {".csv": "csv", ".json": "json"}
STDOUT = "-"


def output_format(path: str) -> str:
    """The format an output path asks for, or a usage error naming the allowed ones."""
    if path == STDOUT:
        return "csv"
    suffix = Path(path).suffix.lower()
    formats = {**FIGURE_FORMATS, **DATA_FORMATS}
    if suffix not in formats:
        allowed = " ".join(formats)
        raise UsageError(
            f"-o/--output: got {path!r}, expected a file ending in one of {allowed} (or - for CSV on stdout)"
        )
    return formats[suffix]


def check_output(path: str) -> str:
    """Refuse an output before any work is done: bad suffix or missing directory."""
    fmt = output_format(path)
    if path == STDOUT:
        return fmt
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"-o/--output: got {path!r}, but directory {str(directory)!r} does not exist")
    if target.is_dir():
        raise UsageError(f"-o/--output: got {path!r}, which is a directory")
    if not os.access(directory, os.W_OK):
        raise UsageError(f"-o/--output: got {path!r}, but directory {str(directory)!r} is not writable")
    return fmt


class Outputs:
    """Collects temporary files; :meth:`commit` renames them all into place."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, str]] = []

    @contextmanager
    def open(self, path: str, binary: bool = False) -> Iterator[IO[Any]]:
        directory = os.path.dirname(os.path.abspath(path))
        try:
            fd, temp = tempfile.mkstemp(
                prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
            )
        except OSError as error:
            raise _cannot_write(path, error) from None
        self._pending.append((temp, path))
        handle: IO[Any] = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        try:
            with handle:
                yield handle
        except OSError as error:  # disk full, quota, I/O error: the user's to fix
            raise _cannot_write(path, error) from None

    def commit(self) -> list[str]:
        # mkstemp creates 0600 files; give the results the usual umask mode.
        umask = os.umask(0)
        os.umask(umask)
        for temp, _ in self._pending:
            os.chmod(temp, 0o666 & ~umask)
        for temp, path in self._pending:
            try:
                os.replace(temp, path)
            except OSError as error:
                raise _cannot_write(path, error) from None
        written = [path for _, path in self._pending]
        self._pending = []
        return written

    def discard(self) -> None:
        for temp, _ in self._pending:
            try:
                os.unlink(temp)
            except FileNotFoundError:
                pass
        self._pending = []


def _cannot_write(path: str, error: OSError) -> UsageError:
    return UsageError(f"-o/--output: cannot write {path!r}: {error.strerror or error}")


def _rows(plan: Plan, chunk_size: int, advance: Callable[[int], None] | None) -> Iterator[str]:
    for t, columns in plan.chunks(chunk_size, advance):
        steps = map(str, range(int(t[0]), int(t[0]) + t.size))
        # float.__repr__ is the shortest text that reads back as the same float64.
        texts = [map(repr, column.tolist()) for column in columns]
        yield "\n".join(map(",".join, zip(steps, *texts))) + "\n"


def write_csv(
    plan: Plan,
    handle: IO[str],
    chunk_size: int = 1 << 16,
    advance: Callable[[int], None] | None = None,
) -> None:
    """Header ``step,<label 1>,...``; one row per step; repr precision."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(["step"] + [c.label for c in plan.curves])
    handle.write(header.getvalue())
    for block in _rows(plan, chunk_size, advance):
        handle.write(block)


def write_json(
    plan: Plan,
    handle: IO[str],
    chunk_size: int = 1 << 16,
    advance: Callable[[int], None] | None = None,
) -> None:
    """``{"steps": N, "curves": [{"label", "schedule", "params", "lr": [...]}]}``,
    streamed curve by curve so memory stays flat in the number of steps."""
    handle.write(f'{{"steps": {plan.steps}, "curves": [')
    for index, curve in enumerate(plan.curves):
        head = {"label": curve.label, "schedule": curve.schedule, "params": describe(curve.bound)}
        if curve.color:
            head["color"] = curve.color
        text = json.dumps(head)
        handle.write(("" if index == 0 else ", ") + text[:-1] + ', "lr": [')
        first = True
        for _, columns in Plan(plan.steps, (curve,)).chunks(chunk_size, advance):
            handle.write(("" if first else ", ") + ", ".join(map(repr, columns[0].tolist())))
            first = False
        handle.write("]}")
    handle.write("]}\n")
