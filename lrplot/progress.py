"""A progress bar on stderr for long exports and figures.

Shown only when stderr is a terminal and the job is big enough to take more
than about a second; otherwise every call is a no-op, so pipes, logs and
tests stay clean.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress(rate: float, label: str, units: int) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``: call it as ``n`` more units are done; ``rate``
    is how many units a second the job does (see :mod:`lrplot.outputs`)."""
    if units / rate < 1.0 or sys.stderr is None or not sys.stderr.isatty():
        yield lambda n: None
        return
    import click

    lock = threading.Lock()  # figure chunks finish on worker threads
    with click.progressbar(length=units, label=label, file=sys.stderr) as bar:

        def advance(n: int) -> None:
            with lock:
                bar.update(n)

        yield advance
