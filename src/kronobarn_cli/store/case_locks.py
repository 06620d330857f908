"""The case files' locks: one re-entrant file lock per case, waiting and taking turns, and the
clean-up of what killed writers left behind (their temporary files, lock files of no case)."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kronobarn_cli.errors import CaseLockedError, KronobarnError, os_error_text
from kronobarn_cli.support.files import temp_file_pattern
from kronobarn_cli.support.ids import ID_PATTERN
from kronobarn_cli.support.lazy import LazyModule

if TYPE_CHECKING:
    import filelock
    from filelock import FileLock
else:
    filelock = LazyModule("filelock")

LOCK_POLL_SECONDS = 0.01
# How long a process that just saved a case steps back when another process waits for it.
LOCK_TURN_SECONDS = 0.01


def temp_files(path: Path) -> list[Path]:
    """The temporary files of the case file at `path` (of writers running or killed)."""
    try:
        return sorted(path.parent.glob(temp_file_pattern(path)))
    except OSError:
        return []


def remove_temp_files(path: Path) -> None:
    with contextlib.suppress(OSError):
        for tmp in temp_files(path):
            tmp.unlink(missing_ok=True)


class CaseLocks:
    """The locks of the cases in the store's directory, held by this process (`directory` gives
    the directory as the store has it now, `case_path` names a case's file, `ensure_directory`
    makes the directory before a lock file is made in it)."""

    def __init__(
        self,
        directory: Callable[[], Path],
        *,
        case_path: Callable[[str], Path],
        ensure_directory: Callable[[], None],
        notice: Callable[[str], None],
        lock_wait: Callable[[], float],
    ) -> None:
        self._directory = directory
        self._case_path = case_path
        self._ensure_directory = ensure_directory
        self._notice = notice
        self._lock_wait = lock_wait
        self._locks: dict[str, FileLock] = {}
        self._announced: set[str] = set()  # cases this store said it waits for
        self._released: dict[str, float] = {}

    @property
    def directory(self) -> Path:
        return self._directory()

    def path(self, case_id: str) -> Path:
        """The lock file of a case (the id is checked as its case file's path is made)."""
        self._case_path(case_id)
        return self.directory / f".{case_id}.lock"

    def _lock(self, case_id: str) -> FileLock:
        lock = self._locks.get(case_id)
        if lock is None:
            path = self.path(case_id)
            self._ensure_directory()
            lock = filelock.FileLock(path, timeout=0, mode=0o600)
            self._locks[case_id] = lock
        return lock

    @contextlib.contextmanager
    def locked(self, case_id: str, *, wait: bool = True) -> Iterator[None]:
        """Hold the case for this process (re-entrant). While another process holds it, wait
        up to `lock_wait` seconds (saying so once), then raise CaseLockedError."""
        lock = self._lock(case_id)
        try:
            self._acquire(case_id, lock, wait=wait)
        except OSError as exc:
            # E.g. a lock file replaced by a symbolic link: filelock refuses to follow it.
            raise KronobarnError(
                f"Låsfilen {lock.lock_file} kan inte användas: {os_error_text(exc)}."
            ) from None
        try:
            yield
        finally:
            if lock.lock_counter == 1:
                self._remove_lock_file_of_absent_case(case_id)
            lock.release()
            if not lock.is_locked:
                self._released[case_id] = time.monotonic()

    def _remove_lock_file_of_absent_case(self, case_id: str) -> None:
        """A lock file exists only beside its case: one of a case that is not there (deleted,
        never created, an id that names nothing) goes, unlinked while still held. A waiter
        holding the unlinked file finds no case either way."""
        path = self._case_path(case_id)
        if path.exists() or path.is_symlink() or temp_files(path):
            return
        with contextlib.suppress(OSError):
            self.path(case_id).unlink()

    def _acquire(self, case_id: str, lock: FileLock, *, wait: bool) -> None:
        if not lock.is_locked and self._someone_waits(case_id, Path(lock.lock_file)):
            # This process let go of the case a moment ago and another one is waiting for it:
            # give it its turn, or a writer saving in a loop would keep the case to itself.
            time.sleep(LOCK_TURN_SECONDS)
        try:
            lock.acquire(timeout=0)
            return
        except filelock.Timeout:
            if not wait:
                raise CaseLockedError(case_id) from None
        if case_id not in self._announced:
            self._announced.add(case_id)
            self._notice(
                f"Väntar på ärendet {case_id}, som är öppet i en annan kronobarn-session …"
            )
        lock_wait = self._lock_wait()
        deadline = time.monotonic() + lock_wait
        while True:
            # Waiters touch the lock file, so that its holder can see that someone is waiting.
            with contextlib.suppress(OSError):
                os.utime(lock.lock_file)
            try:
                lock.acquire(timeout=LOCK_POLL_SECONDS, poll_interval=LOCK_POLL_SECONDS / 5)
                return
            except filelock.Timeout:
                if time.monotonic() >= deadline:
                    raise CaseLockedError(case_id, lock_wait) from None

    def _someone_waits(self, case_id: str, lock_file: Path) -> bool:
        released = self._released.get(case_id)
        if released is None or time.monotonic() - released > LOCK_TURN_SECONDS:
            return False
        try:
            touched = lock_file.stat().st_mtime
        except OSError:
            return False
        return time.time() - touched < 2 * LOCK_POLL_SECONDS

    def remove_stale_temp_files(self) -> None:
        """Remove the temporary files of killed writers, for every case free at this moment.

        A case whose lock is held (by any process, this one included) is left alone: its writer
        may still be using its temporary file.
        """
        cases: set[str] = set()
        with contextlib.suppress(OSError):
            for tmp in self.directory.glob(".*.json.*.tmp"):
                case_id = tmp.name[1:].split(".json.", 1)[0]
                if re.fullmatch(ID_PATTERN, case_id):
                    cases.add(case_id)
        for case_id in sorted(cases):
            # A lock of its own, not the shared re-entrant one, so that a case this process
            # holds counts as busy.
            probe = filelock.FileLock(self.path(case_id), timeout=0, mode=0o600)
            try:
                probe.acquire()
            except (filelock.Timeout, OSError):
                continue
            try:
                remove_temp_files(self._case_path(case_id))
                self._remove_lock_file_of_absent_case(case_id)  # a killed create's
            finally:
                probe.release()
