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
import heapq
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kronobarn_cli import __version__
from kronobarn_cli.errors import CaseFileError
from kronobarn_cli.lazy import LazyModule
from kronobarn_cli.outputs import csv_fields
from kronobarn_cli.text import json_controls_escaped

# An index that is up to date is read without the case model (pydantic) or the rules of
# reminders: they are imported when a row is written (start-up time is measured).
if TYPE_CHECKING:
    from kronobarn_cli import remind as rules
    from kronobarn_cli import summaries
    from kronobarn_cli.case import Case
    from kronobarn_cli.remind_query import Query
else:
    rules = LazyModule("kronobarn_cli.remind")
    summaries = LazyModule("kronobarn_cli.summaries")

INDEX_FILE = ".index.sqlite3"
# Bump when what a row holds or how it is computed changes (texts of reminders too): every
# index made before is then rebuilt.
FORMAT = 5
BUSY_SECONDS = 5.0
_NO_GROUP = "Utan ansvarig verksamhet"
_LAST_DAY = date.max.isoformat()


_SCHEMA = """
CREATE TABLE files (
    name TEXT PRIMARY KEY,
    sig TEXT NOT NULL,
    error TEXT,
    case_id TEXT,
    status TEXT,
    valid_from TEXT,
    valid_to TEXT,
    listed TEXT
);
CREATE TABLE reminders (
    group_organisation TEXT NOT NULL,
    due_key TEXT NOT NULL,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    group_coordinator TEXT NOT NULL,
    status TEXT NOT NULL,
    due TEXT,
    dated INTEGER NOT NULL,
    after_waiting INTEGER NOT NULL,
    organisation_id TEXT,
    organisation TEXT,
    coordinator TEXT,
    coordinator_key TEXT NOT NULL,
    organisation_key TEXT NOT NULL,
    organisation_id_key TEXT NOT NULL,
    text TEXT NOT NULL,
    child TEXT NOT NULL,
    head TEXT NOT NULL,
    tail TEXT NOT NULL,
    child_json TEXT NOT NULL,
    csv_head TEXT NOT NULL,
    csv_tail TEXT NOT NULL,
    child_csv TEXT NOT NULL,
    PRIMARY KEY (group_organisation, due_key, case_id, kind, name, seq)
) WITHOUT ROWID;
CREATE INDEX by_coordinator
    ON reminders (group_coordinator, due_key, case_id, kind, name, seq);
CREATE INDEX by_file ON reminders (name);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def signature(info: os.stat_result) -> str:
    """Size, mtime_ns, ctime_ns and inode: what tells that a file is still the one a row was
    made from (an atomic save makes a new inode; a hand edit changes the ctime even when the
    mtime is put back)."""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


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
            # Write-ahead: a commit is atomic after a crash (at worst the latest ones are lost,
            # which `refresh` sees), and costs no fsync, so a save stays as fast as a save.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # A deleted case leaves nothing behind: its rows' pages are overwritten with zeros.
            db.execute("PRAGMA secure_delete=ON")
            version = f"{FORMAT}/{__version__}"
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
            # The write-ahead log still holds the pages as they were: into the database (where
            # the deleted rows were overwritten) and the log emptied.
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise IndexUnusable(str(exc)) from None

    @staticmethod
    def _put(
        db: sqlite3.Connection,
        name: str,
        *,
        sig: str,
        case: Case | None,
        error: str | None,
        day: date,
    ) -> None:
        db.execute("DELETE FROM reminders WHERE name = ?", (name,))
        if case is None:
            db.execute(
                "INSERT OR REPLACE INTO files (name, sig, error) VALUES (?, ?, ?)",
                (name, sig, error),
            )
            return
        first, last = rules.validity(case, day)
        coordinator = rules.coordinator_of(case)
        coordinator_name = coordinator.name if coordinator else None
        db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, NULL, ?, ?, ?, ?, ?)",
            (
                name,
                sig,
                case.id,
                case.status,
                first.isoformat(),
                last.isoformat(),
                json_item(summaries.ListedCase.of(case).model_dump(mode="json")),
            ),
        )
        child_json = json_controls_escaped(_json(case.child.name))
        child_csv = csv_fields(["", case.child.name])[1:]
        rows = []
        for seq, c in enumerate(rules.candidates(case, day)):
            org_id = c.organisation.id if c.organisation else None
            org_name = c.organisation.name if c.organisation else None
            head = f'  {{\n    "case_id": {_json(case.id)},\n    "kind": {_json(c.kind)},\n'
            tail = (
                f'    "organisation_id": {_json(org_id)},\n'
                f'    "organisation": {_json(org_name)},\n'
                f'    "coordinator": {_json(coordinator_name)},\n'
                f'    "text": {_json(c.text)},\n'
            )
            due = c.due.isoformat() if c.due else None
            rows.append(
                (
                    org_name or coordinator_name or _NO_GROUP,
                    due or _LAST_DAY,
                    case.id,
                    c.kind,
                    name,
                    seq,
                    coordinator_name or _NO_GROUP,
                    case.status,
                    due,
                    int(not (c.on_the_day or c.after_waiting)),
                    int(c.after_waiting),
                    org_id,
                    org_name,
                    coordinator_name,
                    _key(coordinator_name),
                    _key(org_name),
                    _key(org_id),
                    c.text,
                    case.child.name,
                    json_controls_escaped(head),
                    json_controls_escaped(tail),
                    child_json,
                    csv_fields([case.id, c.kind]) + ",",
                    "," + csv_fields([org_id, org_name, coordinator_name, c.text]) + ",",
                    child_csv,
                )
            )
        db.executemany(f"INSERT INTO reminders VALUES ({', '.join('?' * 25)})", rows)  # noqa: S608

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
        on_disk: dict[str, str] = {}
        with os.scandir(self.directory) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if on_entry is not None:
                    on_entry(entry.name, info)
                if entry.name.endswith(".json") and entry.name[0] != ".":
                    on_disk[entry.name] = signature(info)
        try:
            # A row whose reminders do not hold on `day` counts as stale (no signature).
            known: dict[str, str | None] = dict(
                db.execute(
                    "SELECT name, CASE WHEN error IS NOT NULL "
                    "OR (valid_from <= :day AND :day <= valid_to) THEN sig END FROM files",
                    {"day": day.isoformat()},
                )
            )
        except sqlite3.Error as exc:
            raise IndexUnusable(str(exc)) from None
        stale = [name for name, sig in on_disk.items() if known.get(name) != sig]
        gone = list(known.keys() - on_disk.keys())
        if stale or gone:
            self._update(db, stale=stale, gone=gone, on_disk=on_disk, read=read, day=day)
        try:
            broken = [
                error
                for (error,) in db.execute(
                    "SELECT error FROM files WHERE error IS NOT NULL ORDER BY name"
                )
            ]
        except sqlite3.Error as exc:
            raise IndexUnusable(str(exc)) from None
        return Listing(broken)

    def _update(
        self,
        db: sqlite3.Connection,
        *,
        stale: list[str],
        gone: list[str],
        on_disk: dict[str, str],
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

    def listed_json(self) -> Iterator[str]:
        """`list --json` items (as `json_item` writes them), in the order of the file names."""
        db = self._connect()
        for (item,) in db.execute("SELECT listed FROM files WHERE error IS NULL ORDER BY name"):
            yield item

    def listed(self) -> Iterator[dict[str, Any]]:
        """`list` rows in the documented JSON shape, in the order of the file names."""
        return (json.loads(item) for item in self.listed_json())

    def _select(self, query: Query, columns: str) -> Iterator[tuple[Any, ...]]:
        """The reminders of the query's day (after `refresh` for that day) in the order of
        `remind.reminders`, read one at a time: `columns` (where `{due}` is the day it is due).

        The table is kept in that order (by organisation; an index by coordinator), so
        reminders with a date of their own are read without a sort; the few due on the day
        asked about, or after a wait, are sorted apart and merged in.
        """
        db = self._connect()
        group = "group_coordinator" if query.by_coordinator else "group_organisation"
        due = "CASE WHEN dated THEN due WHEN after_waiting THEN date(due, :waited) ELSE :today END"
        where = [f"kind IN ({', '.join(':k' + str(i) for i in range(len(query.kinds))) or 'NULL'})"]
        params: dict[str, Any] = {
            "today": query.today.isoformat(),
            "waited": f"+{query.consent_days} days",
            "until": query.until.isoformat(),
        }
        params.update({f"k{i}": kind for i, kind in enumerate(query.kinds)})
        if not query.include_handed_over:
            where.append("status != 'overlamnad'")
        if query.case_id is not None:
            where.append("case_id = :case_id")
            params["case_id"] = query.case_id
        where.append(f"({due} IS NULL OR {due} <= :until)")
        where.append(f"(NOT after_waiting OR :today > {due})")
        if query.overdue_only:
            where.append(f"{due} < :today")
        if query.organisation:  # "" matches everything, as in `remind.selected`
            params["org"] = query.organisation.casefold()
            coordinating = "coordinator_key = :org"
            responsible = "(organisation_key = :org OR organisation_id_key = :org)"
            where.append(
                coordinating if query.by_coordinator else f"({coordinating} OR {responsible})"
            )
        payload = columns.replace("{due}", due)
        key = f"{group}, COALESCE({due}, '{_LAST_DAY}'), case_id, kind, name, seq"
        condition = " AND ".join(where)
        # Only the fixed fragments above are joined into the statements; values are bound.
        undated = db.execute(
            f"SELECT {key}, {payload} FROM reminders "  # noqa: S608
            f"WHERE {condition} AND NOT dated ORDER BY 1, 2, 3, 4, 5, 6",
            params,
        ).fetchall()
        order = f"ORDER BY {group}, due_key, case_id, kind, name, seq"
        if not undated:
            return iter(db.execute(f"SELECT {payload} FROM reminders WHERE {condition} "  # noqa: S608
                                   f"AND dated {order}", params))  # fmt: skip
        dated = db.execute(
            f"SELECT {key}, {payload} FROM reminders WHERE {condition} AND dated {order}",  # noqa: S608
            params,
        )
        return (row[6:] for row in heapq.merge(dated, undated))

    def reminders(self, query: Query) -> Iterator[dict[str, Any]]:
        """The query's reminders in the documented JSON shape, with the `group` they are
        shown under."""
        for row in self.reminder_rows(query):
            days = row[4]
            yield {
                "case_id": row[1],
                "kind": row[2],
                "due_date": row[3],
                "days_left": days,
                "overdue": days is not None and days < 0,
                "organisation_id": row[5],
                "organisation": row[6],
                "coordinator": row[7],
                "text": row[8],
                "child": row[9],
                "group": row[0],
            }

    def reminder_rows(self, query: Query) -> Iterator[tuple[Any, ...]]:
        """The query's reminders as tuples: group, case id, kind, due date, days left,
        organisation id, organisation, coordinator, text, child (None without `with_names`)."""
        group = "group_coordinator" if query.by_coordinator else "group_organisation"
        child = "child" if query.with_names else "NULL"
        columns = (
            f"{group}, case_id, kind, {{due}}, "
            "CAST(julianday({due}) - julianday(:today) AS INTEGER), organisation_id, "
            f"organisation, coordinator, text, {child}"
        )
        return self._select(query, columns)

    def reminders_json(self, query: Query) -> Iterator[tuple[str, bool]]:
        """The query's reminders as `json_item` writes them, each with whether it is overdue:
        the fragments that do not depend on the day were written with the row."""
        days = "CAST(julianday({due}) - julianday(:today) AS INTEGER)"
        item = (
            "head || '    \"due_date\": ' || COALESCE('\"' || {due} || '\"', 'null') "
            f"|| ',\n    \"days_left\": ' || COALESCE({days}, 'null') "
            f"|| ',\n    \"overdue\": ' || CASE WHEN {days} < 0 THEN 'true' ELSE 'false' END "
            "|| ',\n' || tail || '    \"child\": ' || "
            + ("child_json" if query.with_names else "'null'")
            + " || '\n  }'"
        )
        for text, overdue in self._select(query, f"{item}, COALESCE({days} < 0, 0)"):
            yield text, bool(overdue)

    def reminders_csv(self, query: Query) -> Iterator[tuple[str, bool]]:
        """The query's reminders as `outputs.csv_line` writes them, each with whether it is
        overdue."""
        days = "CAST(julianday({due}) - julianday(:today) AS INTEGER)"
        line = (
            "csv_head || COALESCE({due}, '') "
            f"|| ',' || COALESCE({days}, '') "
            f"|| ',' || CASE WHEN {days} < 0 THEN 'true' ELSE 'false' END "
            "|| csv_tail || " + ("child_csv" if query.with_names else "''")
        )
        for text, overdue in self._select(query, f"{line}, COALESCE({days} < 0, 0)"):
            yield text, bool(overdue)


def _key(value: str | None) -> str:
    return (value or "").casefold()


def _json(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return str(encode_basestring(str(value)))


def json_item(row: dict[str, Any]) -> str:
    """One item of a JSON array as `json.dumps(rows, indent=2, ensure_ascii=False)` writes it,
    terminal control characters inside strings as `\\uXXXX` (`text.json_controls_escaped`);
    a row's `group` is not part of it."""
    fields = ",\n".join(
        f'    "{key}": {_json(value)}' for key, value in row.items() if key != "group"
    )
    return json_controls_escaped("  {\n" + fields + "\n  }")
