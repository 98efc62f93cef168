"""Errors a user can cause. Each becomes one line on stderr and exit status 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class UsageError(ValueError):
    """Bad input: the message is complete and is shown as is."""

    exit_code = 2


class ReaderGone(Exception):
    """The reader of stdout went away (``lrplot -o - ... | head``): not an error.

    Deliberately not an OSError, so Click does not turn it into exit status 1.
    """


@contextmanager
def writing_stdout() -> Iterator[None]:
    """Output to stdout: a reader that left is not an error; a full disk or
    an I/O error behind a redirection is the user's, in one line."""
    if sys.stdout is None:  # started with stdout closed (`lrplot ... >&-`)
        raise UsageError("cannot write to stdout: it is closed")
    try:
        yield
    except BrokenPipeError:
        raise ReaderGone from None
    except OSError as error:
        raise stdout_failure(error) from None
    except UnicodeEncodeError as error:
        raise UsageError(
            f"cannot write to stdout: its encoding ({error.encoding}) cannot show "
            f"{error.object[error.start:error.end]!r}; set PYTHONIOENCODING=utf-8"
        ) from None


@contextmanager
def utf8_stdout() -> Iterator[Any]:
    """Data (CSV, code) goes to stdout in UTF-8, as it goes into files,
    whatever the locale's encoding."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream (tests capturing output)
        yield sys.stdout
        return
    import io

    sys.stdout.flush()
    stream = io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=True)
    try:
        yield stream
        stream.flush()
    finally:
        stream.detach()


def tell(line: str) -> None:
    """One line on stderr for the user: a warning, a note, an error. A stderr
    that cannot take it (closed, a reader gone, full) never stops a run: the
    line is dropped, and so is everything after it."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        try:
            stream.write(line + "\n")
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "ascii"
            stream.write((line + "\n").encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
    except (OSError, ValueError):
        silence("stderr")


def silence(name: str) -> None:
    """Point a standard stream that failed (``"stdout"`` or ``"stderr"``) at
    /dev/null, so nothing later (not even the interpreter's last flush)
    fails on it again."""
    stream = getattr(sys, name)
    if stream is None:
        return
    try:
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError):
        return  # not a real file descriptor (tests capturing output): nothing to redirect
    try:
        stream.flush()
    except (OSError, ValueError):
        pass


def stdout_failure(error: OSError) -> UsageError:
    return UsageError(f"cannot write to stdout: {error.strerror or error}")


class ParamError(UsageError):
    """A parameter value that is not allowed.

    The message is rendered for the front end that reported it: the CLI names
    ``--decay-rate``, YAML and Python name ``decay_rate``; ``where`` says which
    file / curve it belongs to.
    """

    def __init__(
        self,
        param: str,
        value: Any,
        allowed: str,
        *,
        unknown: bool = False,
        missing: bool = False,
        suggestion: str | None = None,
    ) -> None:
        self.param = param
        self.value = value
        self.allowed = allowed
        self.unknown = unknown
        self.missing = missing
        self.suggestion = suggestion
        self.where = ""
        self.style = "python"
        super().__init__(self.render())

    def display_name(self, name: str | None = None) -> str:
        name = self.param if name is None else name
        return "--" + name.replace("_", "-") if self.style == "cli" else name

    def render(self) -> str:
        name = self.display_name()
        if self.unknown:
            hint = f" (did you mean {self.display_name(self.suggestion)}?)" if self.suggestion else ""
            body = f"unknown parameter {name}{hint}" + (
                "" if self.style == "cli" else f"; {self.allowed.split(' (did you mean')[0]}"
            )
        elif self.missing:
            body = f"{name} is {self.allowed}"
        else:
            shown = self.value if self.style == "cli" and isinstance(self.value, str) else show_value(self.value)
            body = f"{name}: got {shown or repr(shown)}, expected {self.allowed}"
        return f"{self.where}: {body}" if self.where else body

    def locate(self, where: str, style: str) -> ParamError:
        self.where = where
        self.style = style
        self.args = (self.render(),)
        return self

    def __str__(self) -> str:
        return self.render()


def show_value(value: Any) -> str:
    """A value as the user wrote it: YAML spellings (null, true), quoted text."""
    if value is None:
        return "null"  # as YAML spells it; the CLI never passes None
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    return str(value)
