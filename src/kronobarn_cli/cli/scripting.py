"""For scripts and overviews: `list`, `remind` and `schema`."""

import json
import sys
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import CaseFileError, KronobarnError

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case
    from kronobarn_cli.store.summary import Listing
from kronobarn_cli.cli import shared
from kronobarn_cli.cli.lazy_modules import (
    cases,
    checklist_location,
    loader,
    organisation_names,
    outputs,
    profiles,
    remind_options,
    remind_rules,
    rich_text,
    summaries,
    summary,
    views,
)
from kronobarn_cli.cli.shared import (
    DATE_FORMS,
    JsonOption,
    _one_line,
    _parse_date,
    _print_json,
    _today,
    app,
    err,
    out,
)
from kronobarn_cli.support.text import swedish_date


def _report_broken(broken: list[str]) -> None:
    for problem in broken:
        err.print(rich_text.Text("Fel: ") + _one_line(problem), soft_wrap=True)
    if broken:
        raise typer.Exit(1)


@app.command("list", cls=i18n.Command)
def list_cases(as_json: JsonOption = False) -> None:
    """Visa alla ärenden: id, barn, status och senaste ändring.

    Exempel: kronobarn list --json
    """
    store = shared._store("list")
    today = _today()
    reader, listing = store.indexed(today) or _from_cases(store.iter_cases(), today)
    if as_json:
        outputs.json_array(reader.listed_json())
    elif not outputs.case_table(reader.listed_cells(), out):
        _plain("Inga ärenden ännu. Starta ett med 'kronobarn new-case'.")
    _report_broken(listing.broken)


def _plain(line: str) -> None:
    """A line of our own text, without markup: written without making a rich console (list
    and remind on an empty store start like a bare typer app)."""
    sys.stdout.write(line + "\n")


def _from_cases(
    items: "Iterable[Case | CaseFileError]", day: date
) -> "tuple[summary.SummaryReader, Listing]":
    """`list` and `remind` read from the cases themselves (where the index cannot be used)."""
    reader = summary.CaseReader(items, day)
    return reader, reader.listing


WithinOption = Annotated[
    str | None,
    typer.Option(
        "--within",
        metavar="TID",
        help="Tidsfönster: 14d, 2w, 1m eller ett datum (standard: config.yaml, 14d).",
        show_default=False,
    ),
]
OverdueOption = Annotated[bool, typer.Option("--overdue", help="Bara det som är försenat.")]
OrganisationOption = Annotated[
    str | None,
    typer.Option(
        "--organisation",
        metavar="VERKSAMHET",
        help="Bara där verksamheten (id eller namn) är ansvarig eller samordnar.",
        show_default=False,
    ),
]
CoordinatorOption = Annotated[
    bool, typer.Option("--coordinator", help="Ordna efter samordnande verksamhet.")
]
OneCaseOption = Annotated[
    str | None,
    typer.Option("--case", metavar="ID", help="Bara detta ärende.", show_default=False),
]
KindsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        metavar="SORT",
        help="action, meeting, copy eller consent (kan upprepas).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", metavar="FORMAT", help="table, json eller csv.")
]
WithNamesOption = Annotated[
    bool, typer.Option("--with-names", help="Ta med barnets namn (annars bara ärende-id).")
]
FailOnOption = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        metavar="overdue",
        help="Slutkod 1 om något är försenat.",
        show_default=False,
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="DATUM",
        help=f"Räkna som om det vore detta datum ({DATE_FORMS}).",
        show_default=False,
    ),
]
HandedOverOption = Annotated[
    bool,
    typer.Option(
        "--include-handed-over",
        help="Ta med ärenden du har lämnat över (den nya samordnaren står som samordnare).",
    ),
]


@app.command(cls=i18n.Command)
def remind(
    within: WithinOption = None,
    overdue: OverdueOption = False,
    organisation: OrganisationOption = None,
    coordinator: CoordinatorOption = False,
    case_id: OneCaseOption = None,
    kinds: KindsOption = None,
    as_json: JsonOption = False,
    fmt: FormatOption = "table",
    with_names: WithNamesOption = False,
    fail_on: FailOnOption = None,
    today: TodayOption = None,
    include_handed_over: HandedOverOption = False,
) -> None:
    """Visa vad som behöver göras: insatser, möten, kopior och samtycken.

    Slutkod 0 när körningen gick bra; med --fail-on overdue 1 om något är försenat.

    Exempel: kronobarn remind --within 2w --organisation skola --json
    """
    store = shared._store("remind")
    settings = remind_options.load_settings(store.home)
    day = _parse_date(today, "--today") if today else _today()
    fmt = "json" if as_json else fmt
    _check_remind_values(fmt, fail_on, kinds)
    organisation_id = None
    if organisation:
        # A directory organisation however it was typed (`Vardcentral`); any other name (an
        # "annan verksamhet") is matched as it is, in any case.
        named = organisation_names.organisations_named(
            organisation,
            checklist_location.checklists_dir(shared.state.checklists),
            profiles.path().with_name(organisation_names.CACHE_FILE),
            # Not `loader.load_workflow`: that would import the loader (pydantic) here.
            lambda directory: loader.load_workflow(directory),  # noqa: PLW0108
        )
        if len(named) == 1:
            organisation_id, organisation = named[0]
    query = remind_options.Query(
        today=day,
        until=remind_options.parse_within(within or settings.remind_within, day),
        consent_days=settings.consent_days,
        overdue_only=overdue,
        organisation=organisation,
        organisation_id=organisation_id,
        by_coordinator=coordinator,
        case_id=case_id,
        kinds=tuple(kinds) if kinds else remind_options.KINDS,
        with_names=with_names,
        include_handed_over=include_handed_over,
    )
    found = store.indexed(day) if case_id is None else None
    if found is None:
        found = _from_cases([store.load(case_id)] if case_id else store.iter_cases(), day)
    reader, listing = found
    seen = _write_reminders(reader, query, fmt)
    _report_broken(listing.broken)
    if fail_on == "overdue" and seen.overdue:
        raise typer.Exit(1)


def _check_remind_values(fmt: str, fail_on: str | None, kinds: list[str] | None) -> None:
    """Refuse a `--format`, `--fail-on` or `--kind` that `remind` does not know."""
    if fmt not in ("table", "json", "csv"):
        raise KronobarnError(f"Okänt format '{fmt}'. Välj table, json eller csv.")
    if fail_on not in (None, "overdue"):
        raise KronobarnError("--fail-on tar bara värdet overdue.")
    unknown = [k for k in kinds or [] if k not in remind_options.KINDS]
    if unknown:
        raise KronobarnError(
            f"Okänd sort '{unknown[0]}'. Välj action, meeting, copy eller consent."
        )


def _write_reminders(
    reader: "summary.SummaryReader", query: "remind_options.Query", fmt: str
) -> "outputs.Seen":
    """The reminders as JSON, CSV or tables on standard out; what was written, seen."""
    seen = outputs.Seen()
    if fmt == "json":
        outputs.json_array(seen.items(reader.reminders_json(query)))
    elif fmt == "csv":
        outputs.csv_lines(seen.items(reader.reminders_csv(query)), remind_options.CSV_COLUMNS)
    elif not outputs.reminder_tables(
        seen.rows(reader.reminder_rows(query)), out, with_names=query.with_names
    ):
        _plain(f"Inget att påminna om till och med {swedish_date(query.until)}.")
    return seen


@app.command(cls=i18n.Command)
def schema(
    what: Annotated[
        str, typer.Argument(metavar="VAD", help="case, list, reminder, journal eller purge.")
    ] = "case",
) -> None:
    """Skriv JSON-schemat för show, list, remind, log eller purge med --json.

    Exempel: kronobarn schema case
    """
    schemas = {
        "case": cases.Case.model_json_schema(),
        "list": summaries.LISTED_CASES.json_schema(),
        "reminder": remind_rules.REMINDERS.json_schema(),
        "journal": views.JOURNAL_ENTRIES.json_schema(),
        "purge": views.PURGED_CASES.json_schema(),
    }
    if what not in schemas:
        raise KronobarnError(
            f"Okänt schema '{what}'. Välj case, list, reminder, journal eller purge."
        )
    _print_json(json.dumps(schemas[what], indent=2, ensure_ascii=False))
