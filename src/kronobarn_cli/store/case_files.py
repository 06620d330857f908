"""The case store: one JSON file per case, written atomically, locked, readable only by the user.

What it promises (and which tests prove it) is written down in `docs/reliability.md`.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kronobarn_cli.errors import (
    CaseFileError,
    CaseLockedError,
    KronobarnError,
    UnknownCaseError,
    journal_refusal,
    os_error_text,
)
from kronobarn_cli.store.case_codec import current as _current  # noqa: F401 - tests read it
from kronobarn_cli.store.case_codec import encoded, read_case_file
from kronobarn_cli.store.case_directory import CaseDirectory
from kronobarn_cli.store.case_locks import CaseLocks, remove_temp_files, temp_files
from kronobarn_cli.support.files import atomic_write, create_new, remove
from kronobarn_cli.support.ids import ID_PATTERN, new_case_id, system_user
from kronobarn_cli.support.lazy import LazyModule

# Reading an up-to-date summary index needs neither the case model (pydantic) nor the file
# lock: those are imported when a case is read, written or locked (start-up time is measured).
if TYPE_CHECKING:
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain.case import Actor, Case, Child
    from kronobarn_cli.store.index import CaseIndex
    from kronobarn_cli.store.summary import Listing, SummaryReader
else:
    cases = LazyModule("kronobarn_cli.domain.case")

CASES_DIR = "arenden"
# How long a writer waits for a case another session is saving, before it gives up.
LOCK_WAIT_SECONDS = 5.0


Notice = Callable[[str], None]


def default_home() -> Path:
    env = os.environ.get("KRONOBARN_HOME")
    if env:
        return Path(env)
    import platformdirs  # noqa: PLC0415 - only without KRONOBARN_HOME

    return Path(platformdirs.user_data_dir("kronobarn", appauthor=False))


def check_case_id(case_id: str) -> str:
    """The id itself if it can name a case; else the "unknown case" error. No path is built
    from an id that has not passed here."""
    if not isinstance(case_id, str) or not re.fullmatch(ID_PATTERN, case_id):
        raise UnknownCaseError(case_id)
    return case_id


def _ignore(_: str) -> None:
    pass


class CaseStore:
    def __init__(
        self,
        home: Path | None = None,
        *,
        notice: Notice = _ignore,
        lock_wait: float | None = None,
        actor: Actor | Callable[[], Actor] | None = None,
    ) -> None:
        """`notice` receives the one-line messages a user should see but that are no error
        (waiting for a lock, a case directory others can read). `actor` is who changes cases
        through this store, and with which command: the journal records it with every change
        (by default the operating-system user, through the Python API); given as a function,
        it is made when first needed."""
        self.home = home if home is not None else default_home()
        self._actor = actor
        directory = self.home / CASES_DIR
        self.notice = notice
        self.lock_wait = LOCK_WAIT_SECONDS if lock_wait is None else lock_wait
        self._dir = CaseDirectory(self.home, directory, notice)
        self.locks = CaseLocks(
            lambda: self._dir.directory,
            case_path=self.path,
            ensure_directory=self._dir.ensure,
            notice=notice,
            lock_wait=lambda: self.lock_wait,
        )
        self._index: CaseIndex | None = None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            self._actor = cases.Actor(user=system_user(), command="api")
        elif callable(self._actor):
            self._actor = self._actor()
        return self._actor

    # -- paths and locks -----------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        """The case files' directory (`arenden` in the home, or set to another one)."""
        return self._dir.directory

    @directory.setter
    def directory(self, directory: Path) -> None:
        self._dir.directory = directory

    def path(self, case_id: str) -> Path:
        return self.directory / f"{check_case_id(case_id)}.json"

    def _lock_path(self, case_id: str) -> Path:
        return self.locks.path(case_id)

    def locked(self, case_id: str, *, wait: bool = True) -> contextlib.AbstractContextManager[None]:
        """Hold the case for this process (re-entrant). While another process holds it, wait
        up to `lock_wait` seconds (saying so once), then raise CaseLockedError."""
        return self.locks.locked(case_id, wait=wait)

    # -- reading -------------------------------------------------------------------------------

    def load(self, case_id: str) -> Case:
        path = self.path(case_id)
        self._dir.check()
        if not path.exists() and not path.is_symlink():
            raise UnknownCaseError(case_id)
        return self._read(path)

    def _read(self, path: Path) -> Case:
        return read_case_file(path, self._dir.warn_if_shared)

    def iter_cases(self) -> Iterator[Case | CaseFileError]:
        """Every case, one at a time; a file that cannot be read is yielded as its error.

        Temporary files that a killed writer left behind are removed first, where their case
        is free at once.
        """
        self._dir.check()
        if not self.directory.is_dir():
            return
        self.remove_stale_temp_files()
        for path in sorted(self.directory.glob("*.json")):
            try:
                yield self._read(path)
            except CaseFileError as exc:
                yield exc

    # -- writing -------------------------------------------------------------------------------

    def create(self, child: Child, now: datetime, *, content: Case | None = None) -> Case:
        """A new case under a fresh random id; `content` gives what it already holds.

        The file appears complete or not at all (see `files.create_new`); the id's lock is held
        meanwhile, so a clean-up never takes the file while it is being written.
        """
        self._dir.ensure()
        for _ in range(100):
            case_id = new_case_id()
            path = self.path(case_id)
            if path.exists():
                continue
            if content is not None:
                case = content.model_copy(update={"id": case_id}, deep=True)
            else:
                case = cases.Case(id=case_id, created=now, updated=now, child=child)
            fields = ["child", "own_organisation"] if case.own_organisation else ["child"]
            answered = case.journal
            case.journal = []
            case.log("Ärendet skapades.", now, self.actor, fields)
            case.journal += answered  # answers given from a file before the case had its id
            try:
                with self.locked(case_id, wait=False):
                    create_new(path, encoded(case))
                    self._record(path, case)
            except (CaseLockedError, FileExistsError):
                continue  # another process is creating a case with the same id right now
            except OSError as exc:
                raise KronobarnError(
                    f"Kunde inte skapa ärendet: {os_error_text(exc)}. Inget sparades."
                ) from None
            return case
        raise KronobarnError("Kunde inte skapa ett unikt ärende-id. Försök igen.")

    def add(self, case: Case) -> None:
        """A case that comes with its own id (a handed-over one), complete or not at all;
        refused when a case with that id is already here."""
        path = self.path(case.id)
        self._dir.ensure()
        with self.locked(case.id):
            try:
                create_new(path, encoded(case))
            except FileExistsError:
                raise KronobarnError(
                    f"Det finns redan ett ärende med id {case.id} här. Inget sparades."
                ) from None
            except OSError as exc:
                raise KronobarnError(
                    f"Kunde inte spara ärendet {case.id}: {os_error_text(exc)}. Inget sparades."
                ) from None
            self._record(path, case)

    def save(self, case: Case) -> None:
        """Write atomically: a temporary file in the same directory, fsync, then rename.

        The journal only grows: a case whose journal does not begin with the journal on disk
        is refused (JournalRewriteError), whatever else it holds; StaleCaseError when another
        session saved the case after this one read it (see `journal_refusal`).
        """
        path = self.path(case.id)
        data = encoded(case)
        with self.locked(case.id):
            if path.exists() or path.is_symlink():
                recorded = self._read(path).journal
                if case.journal[: len(recorded)] != recorded:
                    raise journal_refusal(case.id, recorded, case.journal)
            try:
                atomic_write(path, data)
            except OSError as exc:
                raise KronobarnError(
                    f"Kunde inte spara ärendet {case.id}: {os_error_text(exc)}. "
                    "Inget sparat skrevs över."
                ) from None
            # Holding the lock, this process is the only writer: whatever temporary file of
            # this case is left is a killed writer's.
            remove_temp_files(path)
            self._record(path, case)

    # -- deleting ------------------------------------------------------------------------------

    def files_of(self, case_id: str) -> list[Path]:
        """The files a case has on disk: its file, temporary files of killed writers, its lock."""
        path = self.path(case_id)
        found = [p for p in (path,) if p.exists() or p.is_symlink()]
        found += temp_files(path)
        lock = self._lock_path(case_id)
        return [*found, lock] if lock.exists() or lock.is_symlink() else found

    def delete(self, case_id: str, *, only_if: Callable[[Case], bool] | None = None) -> bool:
        """Delete a case for good, holding its lock: its file, its temporary files and its lock
        file are unlinked; nothing is kept or moved elsewhere (the blocks are not overwritten).

        `only_if` is asked about the case as it is under the lock (it may have changed since it
        was listed); when it says no, nothing is deleted and the answer is False. A case file
        that cannot be read is deleted all the same when there is no `only_if`.
        """
        path = self.path(case_id)
        self._dir.check()
        if not path.exists() and not path.is_symlink():
            raise UnknownCaseError(case_id)  # before a lock file is made for it
        with self.locked(case_id):
            if not path.exists() and not path.is_symlink():
                raise UnknownCaseError(case_id)  # another session deleted it meanwhile
            if only_if is not None and not only_if(self._read(path)):
                return False
            try:
                remove([path, *temp_files(path)])
            except OSError as exc:
                raise KronobarnError(
                    f"Kunde inte radera ärendet {case_id}: {os_error_text(exc)}."
                ) from None
            self._forget(path)
            # The lock file goes as the lock is let go (`_remove_lock_file_of_absent_case`).
        return True

    # -- the summary index ---------------------------------------------------------------------

    def case_index(self) -> CaseIndex:
        if self._index is None:
            from kronobarn_cli.store.index import CaseIndex  # noqa: PLC0415 - not needed at start-up

            self._index = CaseIndex(self.directory)
        return self._index

    def close(self) -> None:
        """Let go of the summary index's connection (the case locks go with their blocks)."""
        if self._index is not None:
            self._index.close()
            self._index = None

    def _record(self, path: Path, case: Case) -> None:
        """Bring the case's row in the summary index up to date (under the case's lock). The
        index is a cache: when it cannot be written, the next `indexed` sees the row is stale."""
        from kronobarn_cli.store.index_schema import IndexUnusable  # noqa: PLC0415

        with contextlib.suppress(IndexUnusable, OSError):
            self.case_index().record(path.name, os.lstat(path), case, date.today())

    def _forget(self, path: Path) -> None:
        from kronobarn_cli.store.index_schema import IndexUnusable  # noqa: PLC0415

        with contextlib.suppress(IndexUnusable, OSError):
            self.case_index().forget(path.name)

    def _holds_case_files(self) -> bool:
        """Whether the case directory has a case file (or what is named like one) in it; the
        temporary files of killed writers in an otherwise empty one are removed."""
        temp_files = False
        try:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    if entry.name.endswith(".json"):
                        return True
                    temp_files = temp_files or entry.name.endswith(".tmp")
        except OSError:
            return True  # let the reading say what is wrong
        if temp_files:
            self.remove_stale_temp_files()
        return False

    def indexed(self, day: date) -> tuple[SummaryReader, Listing] | None:
        """The summary index, brought up to date with the files for `day`, and the files that
        cannot be read (no summaries at all when there is no case directory yet); None when the
        index cannot be used here (then read the cases with `iter_cases`)."""
        self._dir.check()
        if not self.directory.exists() and not self.directory.is_symlink():
            from kronobarn_cli.store.summary import Listing, NoSummaries  # noqa: PLC0415

            return NoSummaries(), Listing([])  # no case yet, and nothing is made for none
        if not self.directory.is_dir():
            return None
        if not self._holds_case_files():
            from kronobarn_cli.store.summary import Listing, NoSummaries  # noqa: PLC0415

            return NoSummaries(), Listing([])  # nothing to read, not even the index
        from kronobarn_cli.store.index_schema import IndexUnusable  # noqa: PLC0415

        temp_files = False

        def seen(name: str, info: os.stat_result) -> None:
            nonlocal temp_files
            if name[0] == "." and name.endswith(".tmp"):
                temp_files = True
            elif name.endswith(".json") and info.st_mode & 0o077 and stat.S_ISREG(info.st_mode):
                self._dir.warn_if_shared(self.directory / name, info.st_mode)

        index = self.case_index()
        try:
            listing = index.refresh(self._read, day, on_entry=seen)
        except (IndexUnusable, OSError):
            return None
        if temp_files:
            self.remove_stale_temp_files()
        return index, listing

    # -- clean-up ------------------------------------------------------------------------------

    def remove_stale_temp_files(self) -> None:
        """Remove the temporary files of killed writers, for every case free at this moment
        (a case whose lock is held, by any process, is left alone)."""
        self.locks.remove_stale_temp_files()
