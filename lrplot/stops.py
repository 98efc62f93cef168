"""Ctrl-C, SIGTERM and SIGHUP: unwind the run (so every temporary file is
removed), except inside a section that must finish once begun (creating a
temporary file and noting it; replacing the targets), where the stop waits
for the end of the section."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(BaseException):
    """A stop signal arrived. Not a KeyboardInterrupt, which Click would turn
    into Abort (and a stray blank line); not an Exception, so no handler of
    errors swallows it."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal = signal_number


_depth = 0
_deferred: int | None = None


def _on_signal(signal_number: int, _frame: Any) -> None:
    global _deferred
    if _depth:
        _deferred = signal_number
        return
    raise Stopped(signal_number)


def install() -> None:
    """Handle the stop signals; one ignored by whoever started us (nohup, a
    shell's `&`) stays ignored."""
    for number in SIGNALS:
        if signal.getsignal(number) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(number, _on_signal)


@contextmanager
def held() -> Iterator[None]:
    """Run the body to its end; a stop that arrives meanwhile is raised after it."""
    global _depth, _deferred
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0 and _deferred is not None:
            number, _deferred = _deferred, None
            raise Stopped(number)
