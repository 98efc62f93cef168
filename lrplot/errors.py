"""Errors a user can cause. Each becomes one line on stderr and exit status 2."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
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
            shown = show_text(self.value) if self.style == "cli" and isinstance(self.value, str) else show_value(self.value)
            body = f"{name}: got {shown or repr(shown)}, expected {self.allowed}"
        return f"{self.where}: {body}" if self.where else body

    def locate(self, where: str, style: str) -> ParamError:
        self.where = where
        self.style = style
        self.args = (self.render(),)
        return self

    def __str__(self) -> str:
        return self.render()


# Values echoed in messages, labels and titles are cut to a readable size: a
# list of 100,000 numbers or a megabyte of text is the user's input, but
# echoing all of it would bury the message, and cost its size in memory.
SHOWN_ITEMS = 8  # a list this long is shown in full; a longer one by its first few
SHOWN_HEAD = 3
SHOWN_CHARS = 60  # a text this long is shown in full
SHOWN_DEPTH = 3  # nested lists and mappings deeper than this are shown as [...]


def show_value(value: Any, depth: int = 0) -> str:
    """A value as the user wrote it: YAML spellings (null, true), quoted text;
    long lists and texts are cut: ``[0.1, 0.1, 0.1, … 100,000 values]``."""
    if value is None:
        return "null"  # as YAML spells it; the CLI never passes None
    if isinstance(value, str):
        return show_text(value, quote=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return show_int(value)
    if isinstance(value, dict):
        if depth >= SHOWN_DEPTH:
            return "{…}"
        pairs = islice(value.items(), shown_count(len(value)))
        items = [f"{show_value(k, depth + 1)}: {show_value(v, depth + 1)}" for k, v in pairs]
        return "{" + _join(items, len(value), "keys") + "}"
    if isinstance(value, (list, tuple)):
        if depth >= SHOWN_DEPTH:
            return "[…]"
        items = [show_value(v, depth + 1) for v in islice(value, shown_count(len(value)))]
        return "[" + _join(items, len(value), "values") + "]"
    return show_text(str(value))


def show_text(text: str, quote: bool = False) -> str:
    """``text`` (quoted with ``quote``), cut after SHOWN_CHARS characters."""
    if len(text) <= SHOWN_CHARS:
        return repr(text) if quote else text
    head = text[: SHOWN_CHARS - 10]
    return f"{repr(head + '…') if quote else head + '…'} ({len(text):,} characters)"


# The last guard, on every error line: a word this long is cut (Click's own
# messages quote what was typed; a command-line argument may be 128 kB).
MAX_WORD_CHARS = 200


def shorten_words(line: str) -> str:
    """``line`` with every word longer than MAX_WORD_CHARS cut."""
    return re.sub(rf"\S{{{MAX_WORD_CHARS + 1},}}", lambda match: show_text(match.group()), line)


def show_int(value: int) -> str:
    if value.bit_length() <= 200:  # up to 60 digits: shown in full
        return str(value)
    try:
        digits = str(value)
    except ValueError:
        # CPython refuses to convert more than 4300 digits (quadratic time).
        size = int(value.bit_length() * 0.30103) + 1
        return f"{'a negative' if value < 0 else 'an'} integer of about {size:,} digits"
    return f"{digits[:12]}… ({len(digits.lstrip('-')):,} digits)"


def shown_count(total: int) -> int:
    return total if total <= SHOWN_ITEMS else SHOWN_HEAD


def _join(shown: list[str], total: int, noun: str) -> str:
    if total <= SHOWN_ITEMS:
        return ", ".join(shown)
    return ", ".join(shown) + f", … {total:,} {noun}"
