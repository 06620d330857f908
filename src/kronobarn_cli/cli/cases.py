"""A case as a whole: `show`, `edit` (the child's details), `close` and `reopen`."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import KronobarnError

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case
from kronobarn_cli.cli import shared
from kronobarn_cli.cli.lazy_modules import (
    cases,
    consent,
    prompts,
    pydantic,
    rich_text,
    session,
    validation,
    views,
)
from kronobarn_cli.cli.shared import (
    CaseId,
    ConfirmOption,
    JsonOption,
    _confirm,
    _print_json,
    _safe,
    _stop_interrupted,
    _warn_if_identity_number,
    app,
    out,
)
from kronobarn_cli.store import Store
from kronobarn_cli.support.text import swedish_date


@app.command(cls=i18n.Command)
def show(
    case_id: CaseId,
    as_json: JsonOption = False,
) -> None:
    """Visa hela ärendet, möte för möte (--json: hela ärendefilen, se 'kronobarn schema').

    Exempel: kronobarn show k3m9qa
    """
    case = shared._store("show").load(case_id)
    if as_json:
        _print_json(case.model_dump_json(indent=2))
        return
    out.print(views.case_view(case, shared._workflow()))


@app.command(cls=i18n.Command)
def edit(
    case_id: CaseId,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", metavar="NAMN", help="Barnets namn eller initialer.", show_default=False
        ),
    ] = None,
    birth_year: Annotated[
        str | None,
        typer.Option(
            "--birth-year", metavar="ÅR", help="Födelseår (tomt: okänt).", show_default=False
        ),
    ] = None,
) -> None:
    """Rätta barnets namn eller initialer och födelseår (utan flaggor frågar kronobarn).

    Exempel: kronobarn edit k3m9qa --name "E. K."
    """
    store = shared._store("edit")
    session.refuse_if_handed_over(store.load(case_id))
    if name is None and birth_year is None:
        shared._require_terminal("edit")
        try:
            child = prompts.Prompter(out).ask_child(store.load(case_id).child)
        except (KeyboardInterrupt, EOFError):
            _stop_interrupted("Avbrutet. Inget ändrades.")
        name = child.name
        birth_year = "" if child.birth_year is None else str(child.birth_year)
    with store.locked(case_id):
        case, changed = session.edit_child(
            store, store.load(case_id), name, birth_year, session.local_now(), shared._workflow()
        )
    out.print(f"Ändrat: {', '.join(changed)}." if changed else "Inget ändrades.")
    if consent.ConsentScope.of(case, session.local_now().date()).maturity_to_judge:
        out.print(
            "Med det nya födelseåret ska du bedöma om ungdomen har sådan ålder och mognad att "
            "hen själv ska lämna samtycke. Till dess väntar ärendet på samtycke och delas "
            f"inte (inbjudan, överlämning, kopior). Fortsätt med: kronobarn resume {case.id}",
            soft_wrap=True,
        )


@app.command(cls=i18n.Command)
def close(
    case_id: CaseId,
    reason: Annotated[
        str,
        typer.Option(
            "--reason", metavar="TEXT", help="Varför ärendet avslutas.", show_default=False
        ),
    ],
    yes: ConfirmOption = False,
) -> None:
    """Avsluta ett ärende; det får inga fler påminnelser och kan inte ändras.

    Har planen öppna insatser visas de och kronobarn frågar först (--yes i skript).

    Inom 30 dagar kan ärendet öppnas igen med 'kronobarn reopen ID'; därefter är det slutgiltigt.

    Exempel: kronobarn close k3m9qa --reason "Familjen har fått det stöd som behövs"
    """
    store = shared._store("close")
    case = store.load(case_id)
    session.check_closable(case, reason)
    still_open = session.open_actions(case)
    if still_open and not yes:
        numbers = ", ".join(str(n) for n, _ in still_open)
        count = len(still_open)
        if sys.stdin.isatty():
            out.print(f"Öppna insatser i Barnets plan ({count}):", style="bold")
            for number, action in still_open:
                out.print(
                    rich_text.Text(f"  {number}. ")
                    + _safe(f"{action.what} – {action.organisation.name}, senast ")
                    + swedish_date(action.due),
                    soft_wrap=True,
                )
        _confirm(
            "Avsluta ärendet ändå? Insatserna avslutas inte av sig själva.",
            "Ja, avsluta ärendet",
            yes=yes,
            script=f"Ärendet {case_id} har {count} öppna "
            f"{'insats' if count == 1 else 'insatser'} (nr {numbers}); se dem med 'kronobarn "
            f"plan {case_id}'. Avsluta ändå med --yes.",
        )
    with store.locked(case_id):
        case = _closed(store, store.load(case_id), reason)
    out.print(f"Ärendet {case.id} är avslutat. Det kan öppnas igen inom "
              f"{session.REOPEN_DAYS} dagar med: kronobarn reopen {case.id}")  # fmt: skip
    _warn_if_identity_number(reason)


@app.command(cls=i18n.Command)
def reopen(
    case_id: CaseId,
) -> None:
    """Öppna ett avslutat ärende igen, inom 30 dagar från att det avslutades.

    Ärendet får den status som dess svar och samtycken ger i dag; avslutet och dess anledning
    finns kvar i ärendet. Efter 30 dagar är ett avslut slutgiltigt.

    Exempel: kronobarn reopen k3m9qa
    """
    workflow = shared._workflow()
    store = shared._store("reopen")
    with store.locked(case_id):
        case = session.reopen_case(store, workflow, store.load(case_id), session.local_now())
    out.print(f"Ärendet {case.id} är öppnat igen (status: {cases.STATUS_LABELS[case.status]}).")


def _closed(store: Store, case: "Case", reason: str) -> "Case":
    try:
        return session.close_case(store, case, reason, session.local_now())
    except pydantic.ValidationError as exc:  # e.g. a reason longer than the case file allows
        raise KronobarnError(f"--reason: {validation.swedish_message(exc.errors()[0])}.") from None
