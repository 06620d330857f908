"""Every test runs against its own case directory and the shipped checklists, never the user's."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console

from kronobarn_cli.case import Case, Child
from kronobarn_cli.checklist import Workflow, load_workflow
from kronobarn_cli.session import Walk
from kronobarn_cli.store import CaseStore

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "kronobarn-home"
    monkeypatch.setenv("KRONOBARN_HOME", str(home))
    monkeypatch.delenv("KRONOBARN_CHECKLISTS", raising=False)
    monkeypatch.delenv("KRONOBARN_DEBUG", raising=False)
    monkeypatch.delenv("KRONOBARN_USER", raising=False)
    yield home


@pytest.fixture(scope="session")
def workflow() -> Workflow:
    return load_workflow()


@pytest.fixture
def store(isolated: Path) -> CaseStore:
    return CaseStore(isolated)


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
