"""The summary index beside the case files: what `list` and `remind` need, without reading them.

It is a cache, never the truth. Each row remembers the file it was made from (name, size,
mtime_ns, ctime_ns, inode, from one `os.scandir` taken before the file was read) and the days
its reminders hold for (`remind.validity`). Before every use, `refresh` compares the rows with
the directory and re-reads only the files that changed, appeared or vanished, and the cases
whose reminders change on the day asked about. The store records a case it writes under the
case's lock; a crash between the case file and the index only leaves a row that `refresh`
sees is stale. A missing, corrupt or older index is rebuilt from the files.

Every row is signed (a keyed BLAKE2b hash) with a key kept beside the cases (`.index.key`,
0600), and only rows whose signature holds are read (the views `signed_files` and
`signed_reminders`): a row planted or changed by anyone without the key (the file's
signature kept or not), copied from another store's index, or put back from an earlier state
of the file is never shown. It is checked as a row is read, so a warm run pays for the rows
it shows, not for all. Such a row is reported, and the file's rows are made anew next time.

SQLite (the standard library's `sqlite3`) holds it: one row per case is updated in place
(JSON lines would rewrite or grow the whole file at every save), filters and the sort run in
SQL, and rows are read one at a time, so `remind` and `list` stream in constant memory.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kronobarn_cli import __version__
from kronobarn_cli.errors import CaseFileError
from kronobarn_cli.store.index_rows import BatchRows
from kronobarn_cli.store.index_schema import (  # KEY_*: importable from here, as before
    FORMAT,
    KEY_BYTES,  # noqa: F401
    KEY_FILE,  # noqa: F401
    SIGNED,
    VIEWS,
    IndexUnusable,
    RowSigner,
    discard_index_file,
    make_tables,
    prepare_index_file,
    read_key,
    signature,
)
from kronobarn_cli.store.summary import Listing, SummaryReader

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case

INDEX_FILE = ".index.sqlite3"
BUSY_SECONDS = 5.0
_BATCH = 500


def _undecodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class CaseIndex(SummaryReader):
    """The summary index beside the case files (see the module's doc)."""

    dialect = SIGNED

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / INDEX_FILE
        self._db: sqlite3.Connection | None = None
        self._listing = Listing([])
        # The listing is made anew at every `refresh`: a forged row goes into the current one.
        # The signer is held by the connection, as an SQL function, where the cycle collector
        # cannot see it: it knows the index only weakly, or an index nobody closed would keep
        # its connection and files open until the process ends.
        this = weakref.ref(self)

        def report(line: str) -> None:
            index = this()
            if index is not None:
                index._listing.broken.append(line)

        self._signer = RowSigner(self.path, report)

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
        prepare_index_file(self.path)
        # One store, one connection, used by one thread at a time (a store handed to another
        # thread, e.g. to be closed there, may take its connection along).
        self._signer.use(read_key(self.directory))
        db = sqlite3.connect(
            self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            db.create_function("kronobarn_signed", -1, self._signer.signed)
            # Write-ahead: a commit is atomic after a crash (at worst the latest ones are lost,
            # which `refresh` sees), and costs no fsync, so a save stays as fast as a save.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # A deleted case leaves nothing behind: its rows' pages are overwritten with zeros,
            # and what a run that was killed left in the log goes into the database now.
            db.execute("PRAGMA secure_delete=ON")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            # Made with another key (or none), no row of it is trusted: made anew.
            version = f"{FORMAT}/{__version__}/{self._signer.mac('key', ()).hex()}"
            current = db.execute("PRAGMA user_version").fetchone()[0]
            made = None
            if current == FORMAT:
                with contextlib.suppress(sqlite3.Error):
                    row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                    made = row[0] if row else None
            if made != version:
                make_tables(db, version)
            for view in VIEWS:
                db.execute(view)
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        discard_index_file(self.path)

    def close(self) -> None:
        """Close the connection, first moving the write-ahead log into the database (where a
        deleted case's pages were overwritten) when no other run is reading."""
        if self._db is not None:
            self._heal(self._db)
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with contextlib.suppress(sqlite3.Error):
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

    def _put(
        self,
        db: sqlite3.Connection,
        name: str,
        *,
        sig: str,
        case: Case | None,
        error: str | None,
        day: date,
    ) -> None:
        rows = BatchRows(self._signer)
        rows.add(name, sig=sig, case=case, error=error, day=day)
        rows.write(db)

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
        self._heal(db)
        try:
            self._scan(db, on_entry)
            gone = [
                name
                for (name,) in db.execute(
                    "SELECT name FROM files WHERE name NOT IN (SELECT name FROM temp.disk)"
                )
            ]
            written = len(gone)
            if gone:
                self._write(db, [(name, None) for name in gone], read, day)
            # A row whose reminders do not hold on `day` is stale too. A few hundred at a time,
            # each batch committed, so that saves meanwhile wait for one batch at most.
            last = ""
            while batch := db.execute(
                "SELECT d.name, d.sig FROM temp.disk d LEFT JOIN files f ON f.name = d.name "
                "WHERE d.name > :last AND (f.name IS NULL OR f.sig != d.sig "
                "OR (f.error IS NULL AND NOT (f.valid_from <= :day AND :day <= f.valid_to))) "
                "ORDER BY d.name LIMIT :batch",
                {"last": last, "day": day.isoformat(), "batch": _BATCH},
            ).fetchall():
                self._write(db, batch, read, day)
                written += len(batch)
                last = batch[-1][0]
            self._analyse(db, written)
            # Rows found unsigned while reading are added to what is reported.
            self._listing = Listing([])
            self._listing.broken[:0] = [
                CaseFileError(str(self.directory / name), str(detail)).message
                for name, detail in db.execute(
                    # The signatures of those rows only, looked up by name.
                    "SELECT name, error FROM signed_files WHERE name IN"
                    " (SELECT name FROM main.files WHERE error IS NOT NULL) ORDER BY name"
                )
            ]
        except sqlite3.Error as exc:
            raise IndexUnusable(str(exc)) from None
        return self._listing

    @staticmethod
    def _analyse(db: sqlite3.Connection, written: int) -> None:
        """Statistics for SQLite's planner, from a sample (cheap at any size), where there are
        none or many rows changed: with them a window of dates is read as a range in each
        group of reminders (a skip-scan), not row by row. Only speed depends on them."""
        if (
            written < _BATCH
            and db.execute("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").fetchone()
        ):
            return
        with contextlib.suppress(sqlite3.Error):
            db.execute("PRAGMA analysis_limit = 400")
            db.execute("ANALYZE reminders")

    def _scan(
        self,
        db: sqlite3.Connection,
        on_entry: Callable[[str, os.stat_result], None] | None,
    ) -> None:
        """The case files in the directory and their signatures, into the temporary table
        `disk` (SQLite's, on disk when large: no list of them is held in memory)."""

        def files() -> Iterator[tuple[str, str]]:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    info = entry.stat(follow_symlinks=False)
                    if on_entry is not None:
                        on_entry(entry.name, info)
                    if entry.name.endswith(".json"):
                        if not entry.name.isprintable() or _undecodable(entry.name):
                            # Not a name SQLite can hold: the files are read instead.
                            raise IndexUnusable(f"{entry.name!r}: ett filnamn utan UTF-8")
                        yield entry.name, signature(info)

        db.execute("CREATE TEMP TABLE IF NOT EXISTS disk (name TEXT PRIMARY KEY, sig TEXT)")
        db.execute("BEGIN")
        try:
            db.execute("DELETE FROM temp.disk")
            db.executemany("INSERT OR REPLACE INTO temp.disk VALUES (?, ?)", files())
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def _write(
        self,
        db: sqlite3.Connection,
        files: list[tuple[str, str | None]],
        read: Callable[[Path], Case],
        day: date,
    ) -> None:
        """Rows for `files` (name, signature), in one transaction: read anew, or gone (no
        signature)."""
        try:
            db.execute("BEGIN IMMEDIATE")
            rows = BatchRows(self._signer)
            for name, sig in files:
                if sig is None:
                    rows.gone(name)
                    continue
                try:
                    case: Case | None = read(self.directory / name)
                    error = None
                except CaseFileError as exc:
                    case, error = None, exc.detail
                rows.add(name, sig=sig, case=case, error=error, day=day)
            rows.write(db)
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    # -- reading ----------------------------------------------------------------------------

    def _rows(self, statement: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        db = self._connect()
        yield from db.execute(statement, params)
        self._heal(db)

    def _heal(self, db: sqlite3.Connection) -> None:
        """Drop the rows of files that had unsigned rows (none of them is trusted): the next
        `refresh` reads those files again."""
        if not self._signer.forged:
            return
        forged = sorted(self._signer.forged)
        self._signer.forged.clear()
        with contextlib.suppress(sqlite3.Error):
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM files WHERE name = ?", [(n,) for n in forged])
            db.executemany("DELETE FROM reminders WHERE name = ?", [(n,) for n in forged])
            db.execute("COMMIT")
