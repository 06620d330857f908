"""Every test runs against its own case directory and the shipped checklists, never the user's."""

from __future__ import annotations

import gc
import hashlib
import io
import os
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from rich.console import Console

from kronobarn_cli.checklists import loader as checklist
from kronobarn_cli.checklists.loader import load_workflow
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store.case_files import CaseStore

from . import pg

# The commands' consoles are made when kronobarn_cli.cli is imported, and rich fixes their size
# then if COLUMNS or LINES is set; the tests choose the width themselves (in_process, a pseudo-
# terminal's dimensions, monkeypatch). pytest's process sets COLUMNS=80 and LINES=24 in its C
# environment (readline), which pytest-xdist's workers inherit as ordinary variables: dropped here,
# before any test module imports cli.
for _size in ("COLUMNS", "LINES"):
    os.environ.pop(_size, None)

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "kronobarn-home"
    monkeypatch.setenv("KRONOBARN_HOME", str(home))
    monkeypatch.setenv("KRONOBARN_CONFIG", str(tmp_path / "kronobarn-config"))
    monkeypatch.delenv("KRONOBARN_CHECKLISTS", raising=False)
    monkeypatch.delenv("KRONOBARN_DEBUG", raising=False)
    monkeypatch.delenv("KRONOBARN_USER", raising=False)
    monkeypatch.delenv("KRONOBARN_STORE", raising=False)
    monkeypatch.delenv("KRONOBARN_TEAM", raising=False)
    yield home


@pytest.fixture(scope="session", autouse=True)
def once_per_process() -> Iterator[None]:
    """Most command-line tests run `kronobarn` inside the test process (`helpers.in_process`), a
    thousand times and more. Two things the installed command does once, at start-up, are then
    done once per test process instead of once per command (about a third of the suite's CPU):

    - Typer makes the click command tree from `cli.app` at every `app()` call: it is made once
      and reused (click commands are made to be invoked any number of times);
    - `load_workflow` parses and validates the checklists: a directory whose files are byte
      for byte those of an earlier load gives that load's (frozen) Workflow. A directory that
      does not load, or holds anything but plain files, is loaded every time.

    Everything else a command does runs as before, every time."""
    commands: dict[int, tuple[typer.Typer, Any]] = {}
    make_command = typer.main.get_command

    def command_of(app: typer.Typer) -> Any:
        made = commands.get(id(app))
        if made is None or made[0] is not app:
            made = commands[id(app)] = (app, make_command(app))
        return made[1]

    workflows: dict[tuple[str, str], Workflow] = {}
    load = checklist.load_workflow

    def load_once(directory: Path | None = None) -> Workflow:
        directory = checklist.checklists_dir(directory)
        contents = _contents(directory)
        if contents is None:
            return load(directory)
        key = (str(directory), contents)
        if key not in workflows:
            workflows[key] = load(directory)
        return workflows[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.main, "get_command", command_of)
        patch.setattr(checklist, "load_workflow", load_once)
        yield


def _contents(directory: Path) -> str | None:
    """A digest of every entry's name and bytes; None unless every entry is a plain file."""
    digest = hashlib.sha256()
    try:
        for path in sorted(directory.iterdir()):
            if path.is_symlink() or not path.is_file():
                return None
            digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


@pytest.fixture(scope="session")
def workflow() -> Workflow:
    return load_workflow()


@pytest.fixture
def store(isolated: Path) -> Iterator[CaseStore]:
    opened = CaseStore(isolated)
    yield opened
    opened.close()  # its index connection: a worker running hundreds of tests must not run out


def new_walk(
    workflow: Workflow, store: CaseStore, *, birth_year: int | None = 2016, name: str = "A. B."
) -> Walk:
    case: Case = store.create(Child(name=name, birth_year=birth_year), NOW)
    return Walk(workflow, store, case, clock=fixed_clock)


@pytest.fixture
def walk(workflow: Workflow, store: CaseStore) -> Walk:
    return new_walk(workflow, store)


@pytest.fixture
def screen() -> Console:
    """A console whose output the test can read (`screen.file.getvalue()`)."""
    return Console(file=io.StringIO(), width=100, highlight=False, color_system=None)


# -- PostgreSQL (the team store) ---------------------------------------------------------------


def _no_server(reason: str) -> None:
    """Outside CI a machine without PostgreSQL skips the team-store tests, saying why; in CI
    that is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the PostgreSQL tests, but no server could be started: {reason}")
    pytest.skip(f"no PostgreSQL server can be started here: {reason}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.Server]:
    """One PostgreSQL server for the whole test session (each pytest-xdist worker has its own),
    with a template database that holds the kronobarn schema (team 'alfa' as the default team)."""
    try:
        from kronobarn_cli.store import postgres as pgstore  # noqa: PLC0415 - needs psycopg
    except ImportError:
        _no_server("psycopg is not installed (pip install '.[postgres]')")
    try:
        server = pg.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        _no_server(str(exc))
        raise  # not reached
    try:
        server.new_database()  # warms the server up
        with server.connect() as conn:
            conn.execute(f'CREATE DATABASE "{pg.TEMPLATE}"')
        store = pgstore.PgStore(server.url(pg.TEMPLATE), home=Path(tempfile.gettempdir()))
        pgstore.init(store, "alfa")
        store.close()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pg_database(pg_server: pg.Server) -> str:
    """A database with the schema for the tests of one module."""
    return pg_server.new_database(pg.TEMPLATE)


@pytest.fixture
def pg_url(pg_server: pg.Server, pg_database: str) -> str:
    """The module's database, emptied for this test; the superuser's address."""
    pg_server.reset(pg_database)
    return pg_server.url(pg_database)


@pytest.fixture(params=["file", "postgres"])
def backend(request: pytest.FixtureRequest, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store every command uses in this test: the case files, or a fresh team database
    (KRONOBARN_STORE)."""
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        monkeypatch.setenv("KRONOBARN_STORE", url)
        return url
    monkeypatch.delenv("KRONOBARN_STORE", raising=False)
    return f"file:{isolated}"


# A worker runs hundreds of tests in one process; prompt_toolkit waits on its input with
# select(), which refuses a descriptor numbered 1024 or more. Files a test leaves open would
# end, much later, in an interactive test failing for no reason of its own: they are named here.
OPEN_FILES_LIMIT = 300
OPEN_FILES = Path("/proc/self/fd")


def _open_files() -> int:
    return sum(1 for _ in OPEN_FILES.iterdir())


@pytest.fixture(autouse=True)
def _no_pile_of_open_files() -> Iterator[None]:
    yield
    if not OPEN_FILES.is_dir() or _open_files() <= OPEN_FILES_LIMIT:
        return
    gc.collect()  # what only the cycle collector would have closed
    still = _open_files()
    assert still <= OPEN_FILES_LIMIT, f"{still} files open after this test: something not closed"
