"""Opening the files lrplot reads (``--config``, ``--overlay``).

Only regular files are read. A FIFO with no writer would block ``open`` for
ever, and ``/dev/zero`` or ``/dev/urandom`` never end: each is refused in one
line before a byte is read. (Write a generated config to a file first.)
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from lrplot.errors import UsageError

# Not regular files, by what ``stat`` says they are.
KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path: str, where: str, expected: str) -> BinaryIO:
    """``path`` opened for binary reading, or a :class:`UsageError` saying
    why not; ``where`` starts the message, ``expected`` names the file wanted
    (``a YAML file``)."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise UsageError(f"{where}: file {path!r} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{where}: {path!r} is a directory, expected {expected}") from None
    except OSError as error:
        raise UsageError(f"{where}: cannot read {path!r}: {error.strerror or error}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        for test, kind in KINDS:
            if test(mode):
                raise UsageError(f"{where}: {path!r} is {kind}, expected {expected}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_limited(path: str, where: str, expected: str, limit: int) -> bytes:
    """The whole of regular file ``path``, refused if longer than ``limit``
    bytes: a file that claims a small size but keeps growing is cut off at
    ``limit + 1`` bytes and refused too."""
    with open_regular(path, where, expected) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise UsageError(f"{where}: cannot read {path!r}: {error.strerror or error}") from None
    if len(data) > limit:
        raise UsageError(f"{where}: {path!r} is larger than {limit // 1_000_000} MB, the most lrplot reads")
    return data
