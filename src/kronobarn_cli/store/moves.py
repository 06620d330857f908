"""Moving cases between stores: a file store into a team database (`db import`) and back
(`db export`). Each case is validated on the way and written whole or not at all."""

from __future__ import annotations

import contextlib
import functools
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kronobarn_cli.errors import CaseFileError, ConnectionLostError, KronobarnError, StoreError
from kronobarn_cli.store import Store
from kronobarn_cli.store.case_files import CASES_DIR, CaseStore
from kronobarn_cli.store.limits import check_case_data, checked_json

if TYPE_CHECKING:
    from kronobarn_cli.store.postgres import Importer


@dataclass
class Moved:
    done: list[str] = field(default_factory=list)
    """The ids of the cases written."""
    problems: list[str] = field(default_factory=list)
    """One Swedish line per case that was skipped."""


def file_store(directory: Path) -> CaseStore:
    """The file store in `directory`: a KRONOBARN_HOME (holding `arenden/`) or the case
    directory itself."""
    if not directory.is_dir():
        raise KronobarnError(f"Katalogen {directory} finns inte.")
    source = CaseStore(directory, lock_wait=0)
    if not (directory / CASES_DIR).is_dir() and any(directory.glob("*.json")):
        source.directory = directory
    return source


def move(source: Store, target: Store, again: tuple[str, str]) -> Moved:
    """Every case of `source` added to `target`; a case that cannot be read, breaks a limit or
    whose id `target` already has is reported and skipped (the others are added). Into a team
    database all of them in one transaction, written in batches: a database error or a lost
    connection leaves the database as it was. Into files one file each: a lost connection
    stops the move after the files written. Either way the error says to run the command
    `again` names again."""
    moved = Moved()
    importing = getattr(target, "importing", None)
    if importing is not None:
        _import(source, importing, moved, again)
        return moved
    try:
        _move(source, target, moved)
    except ConnectionLostError:
        done = len(moved.done)
        raise ConnectionLostError(
            f"Förbindelsen med databasen bröts efter {done} ärende{'' if done == 1 else 'n'}, "
            "som är sparade. "
            f"Kör {again[0]} igen (de som redan finns hoppas över): kronobarn {again[1]}"
        ) from None
    return moved


def _move(source: Store, target: Store, moved: Moved) -> None:
    for item in source.iter_cases():
        if isinstance(item, CaseFileError):
            moved.problems.append(item.message)
            continue
        try:
            # Held to the answers path's limits, as a case received in a handover file is.
            check_case_data(item.model_dump(mode="json"), _named(source, item.id))
            target.add(item)
        except CaseFileError as exc:
            moved.problems.append(exc.message)
        except StoreError:
            raise  # the database itself failed: stop, say so
        except KronobarnError as exc:
            moved.problems.append(exc.message)
        else:
            moved.done.append(item.id)


def _import(
    source: Store,
    importing: Callable[[], contextlib.AbstractContextManager[Importer]],
    moved: Moved,
    again: tuple[str, str],
) -> None:
    done: list[str] = []
    try:
        with importing() as importer:
            for item in source.iter_cases():
                if isinstance(item, CaseFileError):
                    moved.problems.append(item.message)
                    continue
                try:
                    text = checked_json(item, functools.partial(_named, source, item.id))
                except KronobarnError as exc:
                    moved.problems.append(exc.message)
                    continue
                if importer.add(item, text):
                    done.append(item.id)
                else:
                    moved.problems.append(
                        f"Det finns redan ett ärende med id {item.id} här. Inget sparades."
                    )
    except ConnectionLostError:
        raise ConnectionLostError(
            f"Förbindelsen med databasen bröts; {again[0]} sparades inte. Kör den igen "
            f"(ärenden som redan finns hoppas över): kronobarn {again[1]}"
        ) from None
    except StoreError as exc:
        said = exc.message.removesuffix(" Inget mer sparades.")
        raise StoreError(f"{said} Inget av {again[0]} sparades.") from None
    moved.done += done  # committed


def _named(source: Store, case_id: str) -> str:
    """How a refusal names the case: its file, or its id."""
    return str(source.path(case_id)) if isinstance(source, CaseStore) else case_id


def import_directory(target: Store, directory: Path) -> Moved:
    return move(file_store(directory), target, ("importen", f"db import {_quoted(directory)}"))


def export_directory(source: Store, directory: Path) -> Moved:
    if directory.exists() and not directory.is_dir():
        raise KronobarnError(f"{directory} är ingen katalog.")
    target = CaseStore(directory, lock_wait=0)
    return move(source, target, ("exporten", f"db export {_quoted(directory)}"))


def _quoted(directory: Path) -> str:
    """The directory as it can be pasted into a shell."""
    return shlex.quote(str(directory))
