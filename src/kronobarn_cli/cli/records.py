"""The journal and the end of a case: `log`, `delete` and `purge`."""

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import CaseFileError, KronobarnError

if TYPE_CHECKING:
    from rich.text import Text

    from kronobarn_cli.domain.case import Case
from kronobarn_cli.cli import shared
from kronobarn_cli.cli.lazy_modules import cases, consent, retention, rich_text, views
from kronobarn_cli.cli.shared import (
    DATE_FORMS,
    CaseId,
    JsonOption,
    _one_line,
    _parse_date,
    _print_json,
    _safe,
    _today,
    app,
    err,
    out,
)


@app.command("log", cls=i18n.Command)
def show_log(
    case_id: CaseId,
    as_json: JsonOption = False,
) -> None:
    """Visa ärendets journal: när, vem, med vilket kommando och vilka fält som ändrades.

    Journalen innehåller inte det som skrevs i fritext (namn, anledningar, insatser).

    Exempel: kronobarn log k3m9qa --json
    """
    case = shared._store("log").load(case_id)
    if as_json:
        _print_json(views.JOURNAL_ENTRIES.dump_json(case.journal, indent=2).decode())
        return
    out.print(views.journal_table(case))


def _cases(count: int) -> str:
    return f"{count} {'ärende' if count == 1 else 'ärenden'}"


YesOption = Annotated[
    bool, typer.Option("--yes", help="Radera på riktigt (utan: visa bara vad som raderas).")
]


def _described(case: "Case") -> "Text":
    status = consent.status_on(case, _today())
    return (
        rich_text.Text(f"{case.id}  ")
        + _safe(case.child.name)
        + f"  ({cases.STATUS_LABELS[status]}, senast ändrat {case.updated:%Y-%m-%d})"
    )


@app.command(cls=i18n.Command)
def delete(
    case_id: CaseId,
    yes: YesOption = False,
) -> None:
    """Radera ett ärende för gott: ärendefilen med journalen, temporära filer och låsfilen.

    Utan --yes visas bara vad som skulle raderas. Det går inte att ångra.

    Exempel: kronobarn delete k3m9qa --yes
    """
    store = shared._store("delete")
    try:
        about = _described(store.load(case_id))
    except CaseFileError:  # a file that cannot be read can still be deleted
        about = rich_text.Text(f"{case_id}  (ärendefilen kan inte läsas)")
    if not yes:
        out.print(rich_text.Text("Raderas med --yes: ") + about, soft_wrap=True)
        for path in store.files_of(case_id):
            out.print(rich_text.Text(f"  {path}"), soft_wrap=True)
        raise KronobarnError(f"Inget raderades. Radera med: kronobarn delete {case_id} --yes")
    store.delete(case_id)
    out.print(f"Ärendet {case_id} är raderat.")  # not the child's name: nothing is left of it


ClosedBeforeOption = Annotated[
    str | None,
    typer.Option(
        "--closed-before",
        metavar="DATUM",
        help=f"Avslutade ärenden som avslutades före datumet ({DATE_FORMS}).",
        show_default=False,
    ),
]
NotActivatedBeforeOption = Annotated[
    str | None,
    typer.Option(
        "--not-activated-before",
        metavar="DATUM",
        help=(
            "Ej aktiverade ärenden (även hänvisade) som senast ändrades före datumet "
            f"({DATE_FORMS})."
        ),
        show_default=False,
    ),
]
HandedOverBeforeOption = Annotated[
    str | None,
    typer.Option(
        "--handed-over-before",
        metavar="DATUM",
        help=(
            "Din kopia av ärenden som lämnades över till en annan verksamhet före datumet "
            f"({DATE_FORMS})."
        ),
        show_default=False,
    ),
]


@app.command(cls=i18n.Command)
def purge(
    closed_before: ClosedBeforeOption = None,
    not_activated_before: NotActivatedBeforeOption = None,
    handed_over_before: HandedOverBeforeOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Gallra: lista ärenden som avslutades eller aldrig aktiverades före ett datum.

    --handed-over-before tar din kopia av ärenden som lämnats över till en annan verksamhet.

    Med --yes raderas de för gott, som med delete. Aktiverade och pågående ärenden raderas
    aldrig.

    Exempel: kronobarn purge --closed-before 2025-01-01 --not-activated-before 2026-01-01 --yes
    """
    rule = _retention_rule(closed_before, not_activated_before, handed_over_before)
    result = retention.purge(shared._store("purge"), rule, delete=yes)
    _report_purge(result, yes=yes, as_json=as_json)
    if result.problems:
        raise typer.Exit(1)


def _retention_rule(
    closed_before: str | None, not_activated_before: str | None, handed_over_before: str | None
) -> "retention.RetentionRule":
    """The rule the three date options make; at least one of them is needed."""
    if closed_before is None and not_activated_before is None and handed_over_before is None:
        raise KronobarnError(
            "Ange --closed-before DATUM, --not-activated-before DATUM, "
            "--handed-over-before DATUM eller flera av dem."
        )

    def day(text: str | None, option: str) -> date | None:
        return _parse_date(text, option, past=True) if text else None

    return retention.RetentionRule(
        closed_before=day(closed_before, "--closed-before"),
        not_activated_before=day(not_activated_before, "--not-activated-before"),
        handed_over_before=day(handed_over_before, "--handed-over-before"),
    )


def _report_purge(result: "retention.Purge", *, yes: bool, as_json: bool) -> None:
    """What was (or with --yes would be) deleted, what was kept and why, and every problem."""
    shown = result.deleted if yes else result.due
    rows = [views.PurgedCase.of(case) for case in shown]
    say = err if as_json else out  # with --json, standard out holds only the JSON
    if as_json:
        _print_json(views.PURGED_CASES.dump_json(rows, indent=2).decode())
    elif rows:
        out.print(views.purge_table(rows, "Raderade ärenden" if yes else "Raderas med --yes"))
    for case in result.kept:
        say.print(f"Ärendet {case.id} har ändrats sedan det listades och raderades inte.")
    if not result.due:
        say.print("Inga ärenden att gallra.")
    elif yes:
        say.print(f"Raderade {len(result.deleted)} av {_cases(len(result.due))}.")
    else:
        say.print(f"{_cases(len(result.due))} raderas med --yes. Inget raderades nu.")
    for problem in result.problems:
        err.print(rich_text.Text("Fel: ") + _one_line(problem.message), soft_wrap=True)
