"""Which store the cases live in: the `Store` interface and the factory behind `--store`.

`file:DIR` (the default, under KRONOBARN_HOME) is the JSON file store of `store.py`;
`postgresql://…` is the team store of `pgstore.py`, which needs the `postgres` extra (psycopg 3,
imported only when such a store is used: start-up time is measured).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlsplit

from kronobarn_cli.errors import CaseFileError, StoreError
from kronobarn_cli.store.case_files import CaseStore, default_home

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Actor, Case, Child
    from kronobarn_cli.store.postgres import PgStore
    from kronobarn_cli.store.summary import Listing, SummaryReader

Notice = Callable[[str], None]

POSTGRES_EXTRA = "pip install 'kronobarn-cli[postgres]'"


class Store(Protocol):
    """What commands use of a store; `CaseStore` and `PgStore` both are one."""

    notice: Notice

    @property
    def actor(self) -> Actor:
        """Who changes cases through this store, and with which command."""
        ...

    @property
    def home(self) -> Path:
        """Where `config.yaml` is (KRONOBARN_HOME), whichever store holds the cases."""
        ...

    def locked(self, case_id: str, *, wait: bool = True) -> contextlib.AbstractContextManager[None]:
        """Hold the case for this session (re-entrant); CaseLockedError when another holds it."""
        ...

    def load(self, case_id: str) -> Case: ...

    def iter_cases(self) -> Iterator[Case | CaseFileError]: ...

    def create(self, child: Child, now: datetime, *, content: Case | None = None) -> Case: ...

    def add(self, case: Case) -> None: ...

    def save(self, case: Case) -> None: ...

    def delete(self, case_id: str, *, only_if: Callable[[Case], bool] | None = None) -> bool: ...

    def files_of(self, case_id: str) -> list[Path]:
        """The files a case has on disk (none in a database)."""
        ...

    def indexed(self, day: date) -> tuple[SummaryReader, Listing] | None:
        """What `list` and `remind` read, up to date for `day`, and the cases that cannot be
        read; None when the cases are to be read one by one (`iter_cases`)."""
        ...


def _ignore(_: str) -> None:
    pass


def case_error(store: Store, case_id: str, detail: str) -> CaseFileError:
    """A case that cannot be used, named as its store names it (a file, a database row)."""
    if isinstance(store, CaseStore):
        return CaseFileError(str(store.path(case_id)), detail)
    from kronobarn_cli.errors import CaseRecordError  # noqa: PLC0415

    return CaseRecordError(case_id, detail)


def refuse_password(url: str) -> None:
    """A password in the address would end up in the shell's history and in `ps`."""
    parts = urlsplit(url)
    try:
        has_password = parts.password is not None
    except ValueError:
        raise StoreError(f"Ogiltig databasadress: '{_without_secrets(url)}'.") from None
    query = dict(parse_qsl(parts.query))
    if has_password or "password" in query:
        raise StoreError(
            "Lösenordet får inte stå i databasadressen (det hamnar i skalets historik). "
            "Lägg det i ~/.pgpass, PGPASSFILE eller PGPASSWORD."
        )


def _without_secrets(url: str) -> str:
    return url.split("@", 1)[-1] if "@" in url else url


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def open_store(
    url: str | None,
    *,
    notice: Notice = _ignore,
    actor: Actor | Callable[[], Actor] | None = None,
    team: str | None = None,
    lock_wait: float | None = None,
) -> Store:
    """The store `url` names (None or "": the file store under KRONOBARN_HOME)."""
    if not url:
        return CaseStore(notice=notice, actor=actor, lock_wait=lock_wait)
    if url.startswith("file:"):
        directory = url.removeprefix("file:").removeprefix("//")
        if not directory:
            raise StoreError("Ange en katalog efter file:, till exempel file:/srv/kronobarn.")
        home = Path(directory).expanduser()
        return CaseStore(home, notice=notice, actor=actor, lock_wait=lock_wait)
    if is_postgres(url):
        return open_postgres(url, notice=notice, actor=actor, team=team, lock_wait=lock_wait)
    raise StoreError(
        f"Okänd lagringsplats '{_without_secrets(url)}'. Använd file:KATALOG eller postgresql://…"
    )


def open_postgres(
    url: str,
    *,
    notice: Notice = _ignore,
    actor: Actor | Callable[[], Actor] | None = None,
    team: str | None = None,
    lock_wait: float | None = None,
) -> PgStore:
    refuse_password(url)
    try:
        import psycopg  # noqa: F401, PLC0415 - only a team store needs it
    except ImportError:
        raise StoreError(
            f"En postgresql://-lagring kräver PostgreSQL-stödet. Installera det med: "
            f"{POSTGRES_EXTRA}"
        ) from None
    from kronobarn_cli.store.postgres import PgStore  # noqa: PLC0415

    return PgStore(
        url, home=default_home(), notice=notice, actor=actor, team=team, lock_wait=lock_wait
    )
