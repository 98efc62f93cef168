"""All-or-nothing output files.

Every target is checked before any work is done (:func:`check_targets`);
each output is written to a temporary file beside its target; at the end
:meth:`Transaction.commit` replaces the targets in two phases: first a
backup of every file that exists (a hard link, else a copy), then the
renames. If any rename fails, the renames already made are undone from the
backups, so either every target is new or none has changed.

A symlink is written through: its target file is replaced, the link stays.
A replaced file keeps its permission bits. A file the user could not write
(``sh -c 'echo > f'`` would fail) is refused, as is one the directory's
sticky bit would keep us from replacing.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, NamedTuple

from lrplot.errors import UsageError
from lrplot.stops import held

STDOUT = "-"
CAP_FOWNER = 3  # linux/capability.h


class Target(NamedTuple):
    """An output as the user named it, and the file that will really be replaced."""

    path: str
    real: str
    mode: int | None  # permission bits of the file replaced; None when it is new


def check_targets(paths: Iterable[str], inputs: Iterable[str] = ()) -> list[Target]:
    """Refuse, before any work, every output that could not be replaced safely."""
    targets = []
    seen: dict[str, str] = {}
    read = {_identity(path): path for path in inputs if path != STDOUT}
    for path in paths:
        if path == STDOUT:
            targets.append(Target(path, path, None))
            continue
        target = _check_target(path)
        if target.real in seen:
            raise UsageError(f"-o/--output: {path!r} and {seen[target.real]!r} are the same file")
        seen[target.real] = path
        source = read.get(_identity(path))
        if source is not None:
            raise UsageError(f"-o/--output: {path!r} is also an input ({source}): refusing to overwrite it")
        targets.append(target)
    return targets


def _identity(path: str) -> Any:
    """What makes two names the same file: its inode when it exists, else its real path."""
    try:
        info = os.stat(path)
        return (info.st_dev, info.st_ino)
    except (OSError, ValueError):  # ValueError: a NUL in the name; the reader will say so
        return path if "\0" in path else os.path.realpath(path)


def _check_target(path: str) -> Target:
    def refuse(reason: str) -> UsageError:
        return UsageError(f"-o/--output: got {path!r}, {reason}")

    if "\0" in path:
        raise refuse("which contains a NUL byte")
    if path.endswith(("/", os.sep)) or os.path.basename(path) in ("", ".", ".."):
        raise refuse("which names a directory, not a file")
    try:
        real = os.path.realpath(path)
        directory = os.path.dirname(real)
        if not os.path.isdir(directory):
            shown = os.path.dirname(path) or "."
            raise refuse(f"but directory {shown!r} does not exist")
        if not os.access(directory, os.W_OK | os.X_OK):
            shown = os.path.dirname(path) or "."
            raise refuse(f"but directory {shown!r} is not writable")
        try:
            info = os.stat(real)
        except FileNotFoundError:
            _check_name_length(real)
            return Target(path, real, None)
    except OSError as error:
        raise refuse(f"which cannot be used: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise refuse("which is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise refuse("which is not a regular file (lrplot replaces its outputs)")
    if not os.access(real, os.W_OK):
        raise refuse("which is read-only")
    if _sticky_forbids(directory, info):
        raise refuse("which belongs to another user in a sticky directory, so it cannot be replaced")
    return Target(path, real, stat.S_IMODE(info.st_mode))


def _check_name_length(real: str) -> None:
    limit = os.pathconf(os.path.dirname(real), "PC_NAME_MAX")
    if len(os.fsencode(os.path.basename(real))) > limit:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))


def _sticky_forbids(directory: str, info: os.stat_result) -> bool:
    """In a sticky directory (/tmp) only the file's owner, the directory's
    owner or a process with CAP_FOWNER (root, usually) may rename over a file."""
    folder = os.stat(directory)
    if not folder.st_mode & stat.S_ISVTX or os.geteuid() in (info.st_uid, folder.st_uid):
        return False
    return not _may_override_ownership()


def _may_override_ownership() -> bool:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) & (1 << CAP_FOWNER))
    except (OSError, ValueError):
        pass
    return os.geteuid() == 0


class Transaction:
    """Temporary files beside their targets; :meth:`commit` puts them all in place."""

    def __init__(self) -> None:
        self._pending: list[tuple[str, Target]] = []

    @contextmanager
    def open(self, target: Target, binary: bool = False) -> Iterator[IO[Any]]:
        directory, name = os.path.split(target.real)
        import tempfile  # here, not at import: --help and completion never write files

        # A stop signal between creating the file and noting it would leave it behind.
        with held():
            try:
                # The name is kept short: a target name near the file system's
                # limit must still leave room for the temporary's.
                fd, temp = tempfile.mkstemp(prefix=f".{name[:40]}.", suffix=".tmp", dir=directory)
            except OSError as error:
                raise cannot_write(target.path, error) from None
            self._pending.append((temp, target))
        handle: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")
        )
        try:
            with handle:
                yield handle
        except OSError as error:  # disk full, quota, I/O error: the user's to fix
            raise cannot_write(target.path, error) from None

    def commit(self) -> list[str]:
        """Replace every target, or none. Stop signals wait until it is done."""
        with held():
            self._set_modes()
            backups = self._back_up()
            replaced: list[Target] = []
            try:
                for temp, target in self._pending:
                    try:
                        os.replace(temp, target.real)
                    except OSError as error:
                        raise cannot_write(target.path, error) from None
                    replaced.append(target)
            except BaseException:
                _restore(replaced, backups)
                raise
            finally:
                for backup in backups.values():
                    _remove(backup)
        written = [target.path for _, target in self._pending]
        self._pending = []
        return written

    def discard(self) -> None:
        with held():
            for temp, _ in self._pending:
                _remove(temp)
            self._pending = []

    def _set_modes(self) -> None:
        # mkstemp creates 0600 files: a new file gets the umask's mode, a
        # replaced one keeps its own.
        umask = os.umask(0)
        os.umask(umask)
        for temp, target in self._pending:
            try:
                os.chmod(temp, 0o666 & ~umask if target.mode is None else target.mode)
            except OSError as error:
                raise cannot_write(target.path, error) from None

    def _back_up(self) -> dict[str, str]:
        """A second name for every file about to be replaced, so it can be put back."""
        backups: dict[str, str] = {}
        try:
            for _, target in self._pending:
                if os.path.lexists(target.real):
                    backups[target.real] = _second_name(target)
        except BaseException:
            for backup in backups.values():
                _remove(backup)
            raise
        return backups


def _second_name(target: Target) -> str:
    directory, name = os.path.split(target.real)
    for _ in range(100):
        backup = os.path.join(directory, f".{name[:40]}.{os.urandom(4).hex()}.bak")
        try:
            os.link(target.real, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            break  # no hard links here (or not allowed): copy instead
    import shutil
    import tempfile

    fd, backup = tempfile.mkstemp(prefix=f".{name[:40]}.", suffix=".bak", dir=directory)
    os.close(fd)
    try:
        shutil.copy2(target.real, backup)
    except OSError as error:
        _remove(backup)
        raise UsageError(
            f"-o/--output: cannot keep a copy of {target.path!r} while replacing it: "
            f"{error.strerror or error}; nothing was written"
        ) from None
    return backup


def _restore(replaced: list[Target], backups: dict[str, str]) -> None:
    for target in reversed(replaced):
        backup = backups.pop(target.real, None)
        try:
            if backup is None:
                os.unlink(target.real)
            else:
                os.replace(backup, target.real)
        except OSError:
            pass  # nothing better to do; the backup, if any, stays for the user


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def cannot_write(path: str, error: OSError) -> UsageError:
    return UsageError(f"-o/--output: cannot write {path!r}: {error.strerror or error}")
