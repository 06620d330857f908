"""`kronobarn checklists validate` and the team store's `db` commands."""

from pathlib import Path
from typing import Annotated

import typer

from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.cli.lazy_modules import (
    checklist_location,
    loader,
    pgstore,
    rich_text,
    store_moves,
)
from kronobarn_cli.cli.shared import _one_line, _opened, checklists_app, db_app, err, out, state
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.store import is_postgres, open_postgres


@checklists_app.command("validate", cls=i18n.Command)
def validate_checklists(
    directory: Annotated[
        Path | None,
        typer.Argument(metavar="KATALOG", help="Katalogen att kontrollera.", show_default=False),
    ] = None,
) -> None:
    """Kontrollera checklistorna; varje fel skrivs som fil:rad: meddelande.

    Exempel: kronobarn checklists validate ./mina-checklistor
    """
    target = checklist_location.checklists_dir(directory or state.checklists)
    problems = loader.validate_directory(target)
    for problem in problems:
        err.print(_one_line(problem), soft_wrap=True)
    if problems:
        err.print(f"{len(problems)} fel i {target}.", soft_wrap=True)
        raise typer.Exit(1)
    out.print(f"Checklistorna i {target} är giltiga.")


def _cases_word(count: int) -> str:
    return f"{count} ärende{'' if count == 1 else 'n'}"


def _team_store(command: str) -> "pgstore.PgStore":
    """The PostgreSQL store `kronobarn db` works on (it has no meaning for files)."""
    if not state.store or not is_postgres(state.store):
        raise KronobarnError(
            f"'kronobarn {command}' arbetar med en teamlagring i PostgreSQL: ange "
            "--store postgresql://… eller KRONOBARN_STORE."
        )
    return _opened(open_postgres, command)


TeamArgument = Annotated[
    str,
    typer.Option("--team", metavar="TEAM", help="Teamet (en enhet i en organisation)."),
]
RoleArgument = Annotated[
    str, typer.Argument(metavar="ROLL", help="Databasrollen (användaren i PostgreSQL).")
]
DirectoryArgument = Annotated[
    Path, typer.Argument(metavar="KATALOG", help="Katalogen med ärenden (som KRONOBARN_HOME).")
]


@db_app.command("init", cls=i18n.Command)
def db_init(
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            metavar="TEAM",
            help="Teamet som nya ärenden hör till när inget annat anges.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Skapa kronobarn-schemat i databasen (tabeller, radsäkerhet, journal).

    Exempel: kronobarn --store postgresql://admin@db.example/kronobarn db init --team elevhalsa
    """
    version = pgstore.init(_team_store("db init"), team)
    out.print(f"Schemat är skapat (version {version}).")


@db_app.command("upgrade", cls=i18n.Command)
def db_upgrade() -> None:
    """Uppdatera kronobarn-schemat i databasen till denna versions.

    Exempel: kronobarn --store postgresql://admin@db.example/kronobarn db upgrade
    """
    before, after = pgstore.upgrade(_team_store("db upgrade"))
    if before == after:
        out.print(f"Schemat är redan version {after}.")
    else:
        out.print(f"Schemat är uppdaterat från version {before} till {after}.")


@db_app.command("grant", cls=i18n.Command)
def db_grant(role: RoleArgument, team: TeamArgument) -> None:
    """Ge en databasroll åtkomst till ett teams ärenden (teamet skapas om det är nytt).

    Exempel: kronobarn db grant maria --team elevhalsa
    """
    pgstore.grant(_team_store("db grant"), role, team)
    out.print(rich_text.Text(f"{role} har nu åtkomst till teamet {team}."))


@db_app.command("revoke", cls=i18n.Command)
def db_revoke(role: RoleArgument, team: TeamArgument) -> None:
    """Ta bort en databasrolls åtkomst till ett teams ärenden.

    Exempel: kronobarn db revoke maria --team elevhalsa
    """
    if not pgstore.revoke(_team_store("db revoke"), role, team):
        raise KronobarnError(f"{role} hör inte till teamet {team}. Inget ändrades.")
    out.print(rich_text.Text(f"{role} har inte längre åtkomst till teamet {team}."))


@db_app.command("import", cls=i18n.Command)
def db_import(directory: DirectoryArgument) -> None:
    """Läs in ärendena i en filkatalog till databasen, allt eller inget.

    Varje ärende kontrolleras; en fil som inte kan läsas hoppas över och nämns. Resten sparas
    i en enda transaktion: bryts förbindelsen eller vägrar databasen, sparas ingenting.

    Exempel: kronobarn db import ~/.local/share/kronobarn
    """
    moved = store_moves.import_directory(_team_store("db import"), directory)
    for problem in moved.problems:
        err.print(rich_text.Text("Fel: ") + _one_line(problem), soft_wrap=True)
    out.print(f"Läste in {_cases_word(len(moved.done))}; {len(moved.problems)} hoppades över.")
    if moved.problems:
        raise typer.Exit(1)


@db_app.command("export", cls=i18n.Command)
def db_export(directory: DirectoryArgument) -> None:
    """Skriv databasens ärenden som ärendefiler i en katalog (samma form som filerna).

    Exempel: kronobarn db export /srv/kopia
    """
    moved = store_moves.export_directory(_team_store("db export"), directory)
    for problem in moved.problems:
        err.print(rich_text.Text("Fel: ") + _one_line(problem), soft_wrap=True)
    out.print(f"Skrev {_cases_word(len(moved.done))}; {len(moved.problems)} hoppades över.")
    if moved.problems:
        raise typer.Exit(1)
