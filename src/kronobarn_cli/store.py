"""The case store: one JSON file per case, written atomically, locked, readable only by the user."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import platformdirs
from filelock import FileLock, Timeout
from pydantic import ValidationError

from kronobarn_cli.case import ID_PATTERN, SCHEMA_VERSION, Case, Child, migrate, new_case_id
from kronobarn_cli.errors import CaseFileError, CaseLockedError, KronobarnError, UnknownCaseError
from kronobarn_cli.files import atomic_write
from kronobarn_cli.validation import describe

CASES_DIR = "arenden"


def default_home() -> Path:
    env = os.environ.get("KRONOBARN_HOME")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("kronobarn", appauthor=False))


class CaseStore:
    def __init__(self, home: Path | None = None) -> None:
        self.home = home if home is not None else default_home()
        self.directory = self.home / CASES_DIR
        self._locks: dict[str, FileLock] = {}

    # -- paths and locks -----------------------------------------------------------------------

    def path(self, case_id: str) -> Path:
        if not re.fullmatch(ID_PATTERN, case_id):
            raise UnknownCaseError(case_id)
        return self.directory / f"{case_id}.json"

    def _ensure_directory(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.directory.chmod(0o700)
        except OSError as exc:
            raise KronobarnError(
                f"Kan inte skapa ärendekatalogen {self.directory}: {exc.strerror}"
            ) from None

    def _lock(self, case_id: str) -> FileLock:
        lock = self._locks.get(case_id)
        if lock is None:
            self._ensure_directory()
            lock = FileLock(self.directory / f".{case_id}.lock", timeout=0, mode=0o600)
            self._locks[case_id] = lock
        return lock

    @contextlib.contextmanager
    def locked(self, case_id: str) -> Iterator[None]:
        """Hold the case for this process (re-entrant); another process gets CaseLockedError."""
        lock = self._lock(case_id)
        try:
            lock.acquire()
        except Timeout:
            raise CaseLockedError(case_id) from None
        try:
            yield
        finally:
            lock.release()

    # -- reading -------------------------------------------------------------------------------

    def load(self, case_id: str) -> Case:
        path = self.path(case_id)
        if not path.exists():
            raise UnknownCaseError(case_id)
        return self._read(path)

    def _read(self, path: Path) -> Case:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CaseFileError(str(path), exc.strerror or "kan inte läsas") from None
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", 1)
            raise CaseFileError(str(path), f"ogiltig JSON (rad {line})") from None
        if not isinstance(data, dict):
            raise CaseFileError(str(path), "filen innehåller inget ärende")
        version = data.get("schema_version", 1)
        if version not in range(1, SCHEMA_VERSION + 1):
            raise CaseFileError(
                str(path),
                f"schema_version {version} stöds inte av denna version av kronobarn",
            )
        try:
            return Case.model_validate(migrate(data))
        except ValidationError as exc:
            raise CaseFileError(str(path), describe(exc.errors()[0])) from None

    def iter_cases(self) -> Iterator[Case | CaseFileError]:
        """Every case, one at a time; a file that cannot be read is yielded as its error."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.json")):
            try:
                yield self._read(path)
            except CaseFileError as exc:
                yield exc

    # -- writing -------------------------------------------------------------------------------

    def create(self, child: Child, now: datetime, *, content: Case | None = None) -> Case:
        """A new case under a fresh random id; `content` gives what it already holds."""
        self._ensure_directory()
        for _ in range(100):
            case_id = new_case_id()
            path = self.path(case_id)
            try:
                # O_EXCL reserves the id even against a second process creating a case now.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            os.close(fd)
            if content is not None:
                case = content.model_copy(update={"id": case_id}, deep=True)
            else:
                case = Case(id=case_id, created=now, updated=now, child=child)
            case.log("Ärendet skapades.", now)
            try:
                self.save(case)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
            return case
        raise KronobarnError("Kunde inte skapa ett unikt ärende-id. Försök igen.")

    def save(self, case: Case) -> None:
        """Write atomically: a temporary file in the same directory, fsync, then rename."""
        path = self.path(case.id)
        data = case.model_dump_json(indent=2).encode("utf-8") + b"\n"
        with self.locked(case.id):
            try:
                atomic_write(path, data)
            except OSError as exc:
                raise KronobarnError(
                    f"Kunde inte spara ärendet {case.id}: {exc.strerror}. Inget sparat skrevs över."
                ) from None
