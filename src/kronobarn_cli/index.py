"""The summary index beside the case files: what `list` and `remind` need, without reading them.

It is a cache, never the truth. Each row remembers the file it was made from (name, size,
mtime_ns, ctime_ns, inode, from one `os.scandir` taken before the file was read) and the days
its reminders hold for (`remind.validity`). Before every use, `refresh` compares the rows with
the directory and re-reads only the files that changed, appeared or vanished, and the cases
whose reminders change on the day asked about. The store records a case it writes under the
case's lock; a crash between the case file and the index only leaves a row that `refresh`
sees is stale. A missing, corrupt or older index is rebuilt from the files.

SQLite (the standard library's `sqlite3`) holds it: one row per case is updated in place
(JSON lines would rewrite or grow the whole file at every save), filters and the sort run in
SQL, and rows are read one at a time, so `remind` and `list` stream in constant memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from kronobarn_cli import __version__
from kronobarn_cli.case import SCHEMA_VERSION, STATUS_LABELS, Case
from kronobarn_cli.checklist import CaseStatus
from kronobarn_cli.errors import CaseFileError
from kronobarn_cli.remind import Query, candidates, validity

INDEX_FILE = ".index.sqlite3"
# Bump when what a row holds or how it is computed changes (texts of reminders too): every
# index made before is then rebuilt.
FORMAT = 1
BUSY_SECONDS = 5.0
_NO_GROUP = "Utan ansvarig verksamhet"
_LAST_DAY = date.max.isoformat()


class ListedCase(BaseModel):
    """One row of `list`; the documented JSON shape of `list --json`."""

    id: str
    child: str
    status: CaseStatus
    status_text: str
    meetings: int
    updated: datetime

    @classmethod
    def of(cls, case: Case) -> ListedCase:
        return cls(
            id=case.id,
            child=case.child.name,
            status=case.status,
            status_text=STATUS_LABELS[case.status],
            meetings=len(case.meetings),
            updated=case.updated,
        )


LISTED_CASES = TypeAdapter(list[ListedCase])

_SCHEMA = """
CREATE TABLE files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    error TEXT,
    case_id TEXT,
    status TEXT,
    child TEXT,
    coordinator TEXT,
    coordinator_key TEXT,
    valid_from TEXT,
    valid_to TEXT,
    listed TEXT
);
CREATE TABLE reminders (
    name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    due TEXT,
    on_the_day INTEGER NOT NULL,
    after_waiting INTEGER NOT NULL,
    organisation_id TEXT,
    organisation TEXT,
    organisation_key TEXT NOT NULL,
    organisation_id_key TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (name, seq)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

Signature = tuple[int, int, int, int]
"""size, mtime_ns, ctime_ns, inode: what tells that a file is still the one a row was made from."""


def signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class IndexUnusable(Exception):
    """The index cannot be opened or written here (e.g. a read-only directory): the caller
    reads the files instead."""


@dataclass
class Listing:
    """What `refresh` found: files that cannot be read are reported, never fatal."""

    broken: list[str]


class CaseIndex:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / INDEX_FILE
        self._db: sqlite3.Connection | None = None

    # -- opening ----------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            # Not a database, or one of another shape: it is only a cache.
            self._discard()
            try:
                self._db = self._open()
            except sqlite3.Error as exc:
                raise IndexUnusable(str(exc)) from None
        except (sqlite3.Error, OSError) as exc:
            raise IndexUnusable(str(exc)) from None
        return self._db

    def _open(self) -> sqlite3.Connection:
        self._prepare_file()
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=DELETE")
            db.execute("PRAGMA synchronous=NORMAL")
            # A deleted case leaves nothing behind: its rows' pages are overwritten with zeros.
            db.execute("PRAGMA secure_delete=ON")
            version = f"{FORMAT}/{SCHEMA_VERSION}/{__version__}"
            current = db.execute("PRAGMA user_version").fetchone()[0]
            made = None
            if current == FORMAT:
                with contextlib.suppress(sqlite3.Error):
                    row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                    made = row[0] if row else None
            if made != version:
                db.execute("BEGIN IMMEDIATE")
                for table in ("files", "reminders", "meta"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
                db.execute(f"PRAGMA user_version = {FORMAT}")
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _prepare_file(self) -> None:
        """The index is a regular file readable only by the user; anything else in its place
        (a symbolic link, a directory) is not followed or used."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            os.close(fd)
            return
        if not stat.S_ISREG(info.st_mode):
            raise IndexUnusable(f"{self.path} är ingen vanlig fil")

    def _discard(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- writing ----------------------------------------------------------------------------

    def record(self, name: str, info: os.stat_result, case: Case, day: date) -> None:
        """The row of one case file as it is now (called under the case's lock)."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            self._put(db, name, sig=signature(info), case=case, error=None, day=day)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise IndexUnusable(str(exc)) from None

    def forget(self, name: str) -> None:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM files WHERE name = ?", (name,))
            db.execute("DELETE FROM reminders WHERE name = ?", (name,))
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise IndexUnusable(str(exc)) from None

    @staticmethod
    def _put(
        db: sqlite3.Connection,
        name: str,
        *,
        sig: Signature,
        case: Case | None,
        error: str | None,
        day: date,
    ) -> None:
        db.execute("DELETE FROM reminders WHERE name = ?", (name,))
        if case is None:
            db.execute(
                "INSERT OR REPLACE INTO files (name, size, mtime_ns, ctime_ns, ino, error) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (name, *sig, error),
            )
            return
        from kronobarn_cli.remind import _coordinator  # noqa: PLC0415 - one rule, one place

        first, last = validity(case, day)
        coordinator = _coordinator(case)
        db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                *sig,
                case.id,
                case.status,
                case.child.name,
                coordinator.name if coordinator else None,
                _key(coordinator.name if coordinator else None),
                first.isoformat(),
                last.isoformat(),
                ListedCase.of(case).model_dump_json(),
            ),
        )
        db.executemany(
            "INSERT INTO reminders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    name,
                    seq,
                    c.kind,
                    c.due.isoformat() if c.due else None,
                    int(c.on_the_day),
                    int(c.after_waiting),
                    c.organisation.id if c.organisation else None,
                    c.organisation.name if c.organisation else None,
                    _key(c.organisation.name if c.organisation else None),
                    _key(c.organisation.id if c.organisation else None),
                    c.text,
                )
                for seq, c in enumerate(candidates(case, day))
            ],
        )

    # -- bringing up to date ----------------------------------------------------------------

    def refresh(
        self,
        read: Callable[[Path], Case],
        day: date,
        *,
        on_entry: Callable[[str, os.stat_result], None] | None = None,
    ) -> Listing:
        """Make every row match its file, for `day`; returns the files that cannot be read.

        `read` reads one case file (raising CaseFileError); `on_entry` sees every entry of the
        directory, with its `lstat`, e.g. to warn about permissions or notice temporary files.
        """
        db = self._connect()
        on_disk: dict[str, Signature] = {}
        with os.scandir(self.directory) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if on_entry is not None:
                    on_entry(entry.name, info)
                if entry.name.endswith(".json") and not entry.name.startswith("."):
                    on_disk[entry.name] = signature(info)
        wanted = day.isoformat()
        try:
            known = {
                row[0]: (tuple(row[1:5]), row[5], row[6], row[7])
                for row in db.execute(
                    "SELECT name, size, mtime_ns, ctime_ns, ino, error, valid_from, valid_to "
                    "FROM files"
                )
            }
        except sqlite3.Error as exc:
            raise IndexUnusable(str(exc)) from None
        stale = [
            name
            for name, sig in on_disk.items()
            if (row := known.get(name)) is None
            or row[0] != sig
            or (row[1] is None and not (str(row[2]) <= wanted <= str(row[3])))
        ]
        gone = [name for name in known if name not in on_disk]
        if stale or gone:
            self._update(db, stale=stale, gone=gone, on_disk=on_disk, read=read, day=day)
        broken: list[str] = [
            row[0]
            for row in db.execute("SELECT error FROM files WHERE error IS NOT NULL ORDER BY name")
        ]
        return Listing(broken)

    def _update(
        self,
        db: sqlite3.Connection,
        *,
        stale: list[str],
        gone: list[str],
        on_disk: dict[str, Signature],
        read: Callable[[Path], Case],
        day: date,
    ) -> None:
        try:
            db.execute("BEGIN IMMEDIATE")
            for name in gone:
                db.execute("DELETE FROM files WHERE name = ?", (name,))
                db.execute("DELETE FROM reminders WHERE name = ?", (name,))
            for name in stale:
                try:
                    case: Case | None = read(self.directory / name)
                    error = None
                except CaseFileError as exc:
                    case, error = None, exc.message
                self._put(db, name, sig=on_disk[name], case=case, error=error, day=day)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise IndexUnusable(str(exc)) from None

    # -- reading ----------------------------------------------------------------------------

    def listed(self) -> Iterator[str]:
        """`list --json` rows as JSON, in the order of the file names."""
        db = self._connect()
        for (row,) in db.execute("SELECT listed FROM files WHERE error IS NULL ORDER BY name"):
            yield row

    def reminders(self, query: Query) -> Iterator[dict[str, Any]]:
        """`remind` for the query's day (after `refresh` for that day), sorted as
        `remind.reminders` sorts, one reminder at a time."""
        db = self._connect()
        today = query.today.isoformat()
        due = (
            "CASE WHEN r.on_the_day THEN :today "
            "WHEN r.after_waiting THEN date(r.due, :waited) ELSE r.due END"
        )
        where = ["f.error IS NULL", "(NOT r.after_waiting OR :today > date(r.due, :waited))"]
        params: dict[str, Any] = {
            "today": today,
            "waited": f"+{query.consent_days} days",
            "until": query.until.isoformat(),
            "none": _NO_GROUP,
        }
        if not query.include_handed_over:
            where.append("f.status != 'overlamnad'")
        if query.case_id is not None:
            where.append("f.case_id = :case_id")
            params["case_id"] = query.case_id
        kinds = {f"k{i}": kind for i, kind in enumerate(query.kinds)}
        where.append(f"r.kind IN ({', '.join(':' + key for key in kinds) or 'NULL'})")
        params.update(kinds)
        where.append(f"({due} IS NULL OR {due} <= :until)")
        if query.overdue_only:
            where.append(f"{due} < :today")
        if query.organisation:  # "" matches everything, as in `remind.selected`
            params["org"] = query.organisation.casefold()
            coordinating = "f.coordinator_key = :org"
            responsible = "(r.organisation_key = :org OR r.organisation_id_key = :org)"
            where.append(
                coordinating if query.by_coordinator else f"({coordinating} OR {responsible})"
            )
        group = "f.coordinator" if query.by_coordinator else "r.organisation"
        group = f"COALESCE(NULLIF({group}, ''), NULLIF(f.coordinator, ''), :none)"
        # Only the fixed fragments above are joined into the statement; values are bound.
        sql = (
            f"SELECT f.case_id, r.kind, {due} AS due_date, r.organisation_id, r.organisation, "  # noqa: S608
            f"f.coordinator, r.text, f.child, {group} AS grp "
            f"FROM reminders r JOIN files f ON f.name = r.name WHERE {' AND '.join(where)} "
            f"ORDER BY grp, COALESCE(due_date, '{_LAST_DAY}'), f.case_id, r.kind, r.name, r.seq"
        )
        for row in db.execute(sql, params):
            due_date = row[2]
            days = (date.fromisoformat(due_date) - query.today).days if due_date else None
            yield {
                "case_id": row[0],
                "kind": row[1],
                "due_date": due_date,
                "days_left": days,
                "overdue": days is not None and days < 0,
                "organisation_id": row[3],
                "organisation": row[4],
                "coordinator": row[5],
                "text": row[6],
                "child": row[7] if query.with_names else None,
                "group": row[8],
            }


def _key(value: str | None) -> str:
    return (value or "").casefold()


def dumps(item: dict[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, indent=2)
