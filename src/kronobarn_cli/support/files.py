"""Writing files so that a crash or a full disk never leaves a half-written or lost file."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from kronobarn_cli.errors import KronobarnError, os_error_text

# `os.link` is refused by file systems without hard links (FAT, some network shares).
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV}


def temp_file_pattern(path: Path) -> str:
    """The glob for temporary files that `atomic_write` and `create_new` leave if killed."""
    return f".{path.name}.*.tmp"


def _write_temp(path: Path, data: bytes) -> Path:
    """`data` in a private (0600), fsynced temporary file beside `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a private temporary file beside `path`, fsync, then rename over it (OSError)."""
    tmp = _write_temp(path, data)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def create_new(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, complete or not at all; FileExistsError if it exists.

    The file is written and fsynced under a temporary name, then given its name with a hard
    link, which (unlike a rename) fails when the name is taken. No reader ever sees it empty.
    """
    tmp = _write_temp(path, data)
    try:
        os.link(tmp, path)
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            tmp.unlink(missing_ok=True)
            raise
        _create_without_link(path, tmp)
    else:
        tmp.unlink(missing_ok=True)
    _fsync_directory(path.parent)


def _create_without_link(path: Path, tmp: Path) -> None:
    # Without hard links, reserve the name and rename over it: the empty reservation is visible
    # for the moment of the rename, which is the best such a file system allows.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise


def remove(paths: list[Path]) -> None:
    """Unlink the files (those already gone are fine), then make that durable (OSError)."""
    for path in paths:
        path.unlink(missing_ok=True)
    for directory in {path.parent for path in paths}:
        _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not available on every platform.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write an export atomically and privately; an existing file is kept unless `force`."""
    try:
        if force:
            atomic_write(path, data)
        else:
            create_new(path, data)  # fails if the name is taken, even by a file made just now
    except FileExistsError:
        raise KronobarnError(
            f"Filen {path} finns redan. Välj ett annat namn eller använd --force."
        ) from None
    except OSError as exc:
        raise KronobarnError(f"Kan inte skriva {path}: {os_error_text(exc)}.") from None
