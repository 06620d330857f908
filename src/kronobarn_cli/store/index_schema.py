"""The summary index's SQLite schema and what signs its rows: the tables, the views of the
signed rows, the key beside the cases, and a file's signature (see `index.py`)."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import replace
from hashlib import blake2b
from pathlib import Path
from typing import Any

from kronobarn_cli.store.summary import SQLITE
from kronobarn_cli.store.summary_rows import REMINDER_COLUMNS
from kronobarn_cli.support.files import create_new

KEY_FILE = ".index.key"
KEY_BYTES = 32
# Bump when what a row holds or how it is computed changes (texts of reminders too): every
# index made before is then rebuilt.
FORMAT = 11


SCHEMA = """
CREATE TABLE files (
    name TEXT PRIMARY KEY,
    sig TEXT NOT NULL,
    error TEXT,
    case_id TEXT,
    status TEXT,
    valid_from TEXT,
    valid_to TEXT,
    listed TEXT,
    mac BLOB NOT NULL
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
    mac BLOB NOT NULL,
    PRIMARY KEY (group_organisation, due_key, case_id, kind, name, seq)
) WITHOUT ROWID;
CREATE INDEX by_coordinator
    ON reminders (group_coordinator, due_key, case_id, kind, name, seq);
CREATE INDEX by_file ON reminders (name);
CREATE INDEX undated ON reminders (name) WHERE dated = 0;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

FILE_COLUMNS = ("name", "sig", "error", "case_id", "status", "valid_from", "valid_to", "listed")
"""What a `files` row's signature covers (every column but `mac`)."""

# The rows `list` and `remind` read are those whose signature holds; a reminder's covers its
# file's signature too, so a row of an earlier state of the file is not one of its rows now.
VIEWS = (
    "CREATE TEMP VIEW IF NOT EXISTS signed_files AS SELECT * FROM main.files"  # noqa: S608
    f" WHERE kronobarn_signed(mac, 'f', {', '.join(FILE_COLUMNS)})",
    "CREATE TEMP VIEW IF NOT EXISTS signed_reminders AS SELECT * FROM main.reminders r"  # noqa: S608
    " WHERE kronobarn_signed(r.mac, 'r', r.name,"
    " (SELECT f.sig FROM main.files f WHERE f.name = r.name),"
    f" {', '.join(f'r.{c}' for c in REMINDER_COLUMNS)})",
)
_FILES_IN = " FROM files "
SIGNED = replace(
    SQLITE,
    table="signed_reminders",
    listed=SQLITE.listed.replace(_FILES_IN, " FROM signed_files "),
    cells=SQLITE.cells.replace(_FILES_IN, " FROM signed_files "),
)
"""The queries of `summary.py`, on the signed rows only."""


def signature(info: os.stat_result) -> str:
    """Size, mtime_ns, ctime_ns and inode: what tells that a file is still the one a row was
    made from (an atomic save makes a new inode; a hand edit changes the ctime even when the
    mtime is put back)."""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


class IndexUnusable(Exception):
    """The index cannot be opened or written here (e.g. a read-only directory): the caller
    reads the files instead."""


def read_key(directory: Path) -> bytes:
    """The key beside the cases: a regular file of KEY_BYTES readable only by the user,
    made when there is none (or the one there was readable by others: a new one)."""
    path = directory / KEY_FILE
    for _ in range(3):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            with contextlib.suppress(FileExistsError):
                create_new(path, secrets.token_bytes(KEY_BYTES))
            continue
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            key = handle.read(KEY_BYTES + 1)
        if not stat.S_ISREG(info.st_mode):
            raise IndexUnusable(f"{path} är ingen vanlig fil")
        if stat.S_IMODE(info.st_mode) & 0o077 or len(key) != KEY_BYTES:
            path.unlink()  # not secret, or not a key: rows signed with it are not trusted
            continue
        return key
    raise IndexUnusable(f"{path} kan inte läsas")


def make_tables(db: sqlite3.Connection, version: str) -> None:
    """The index's tables made anew (what they held is dropped), marked with `version`."""
    db.execute("BEGIN IMMEDIATE")
    for table in ("files", "reminders", "meta"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
    db.execute(f"PRAGMA user_version = {FORMAT}")
    db.execute("COMMIT")


def prepare_index_file(path: Path) -> None:
    """The index is a regular file readable only by the user; anything else in its place
    (a symbolic link, a directory) is not followed or used. An empty one (cut short by
    hand) goes with its write-ahead log, which belongs to the database it was."""
    try:
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size == 0:
            discard_index_file(path)
            info = os.lstat(path)
    except FileNotFoundError:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        return
    if not stat.S_ISREG(info.st_mode):
        raise IndexUnusable(f"{path} är ingen vanlig fil")
    if stat.S_IMODE(info.st_mode) & 0o077:
        # It holds children's names, as the case files do: readable only by the user.
        with contextlib.suppress(OSError):
            path.chmod(0o600, follow_symlinks=False)


def discard_index_file(path: Path) -> None:
    """The index file at `path` removed, with its journal and write-ahead log."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink()


class RowSigner:
    """Signs the rows of the index at `path` with the key beside the cases (a keyed BLAKE2b
    hash) and checks them as they are read; a file with a row it did not sign is `forged`,
    and `report` told so once."""

    def __init__(self, path: Path, report: Callable[[str], None]) -> None:
        self.path = path
        self._report = report
        self._keyed = blake2b(key=b"", digest_size=16)
        self.forged: set[str] = set()
        """Files some of whose rows were not signed with the key: reported, then dropped."""

    def use(self, key: bytes) -> None:
        self._keyed = blake2b(key=key, digest_size=16)

    def mac(self, kind: str, values: tuple[Any, ...]) -> bytes:
        """The signature of a row as it will be read back: the rows hold no bool (SQLite
        would give it back as an integer; `summary_of` writes 0 and 1), so no pass over the
        values is needed before `repr`. The keyed hash is set up once (`_keyed`)."""
        mac = self._keyed.copy()
        mac.update(repr((kind, *values)).encode())
        return mac.digest()

    def signed(self, mac: object, kind: str, *values: Any) -> bool:
        """Whether a row read is as this index wrote it (the SQL function of the views; for
        every row read, so kept lean: SQLite gives back no bool)."""
        keyed = self._keyed.copy()
        keyed.update(repr((kind, *values)).encode())
        if mac == keyed.digest():
            return True
        name = str(values[0])
        if name not in self.forged:
            self.forged.add(name)
            self._report(
                f"Sammanfattningsindexet {self.path} har rader för {name} som kronobarn inte "
                "har skrivit (ändrade utanför kronobarn); de visades inte, och ärendet läses "
                "från filen nästa gång."
            )
        return False
