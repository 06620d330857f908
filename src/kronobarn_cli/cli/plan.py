"""`kronobarn plan ID …`: Barnets plan between meetings (show, done, status, add, edit, copy)."""

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import KronobarnError

if TYPE_CHECKING:
    from kronobarn_cli.checklists.schema import Workflow
    from kronobarn_cli.domain.case import Case
from kronobarn_cli.cli import shared
from kronobarn_cli.cli.lazy_modules import plan_copies, pydantic, session, views
from kronobarn_cli.cli.shared import (
    DATE_FORMS,
    CaseId,
    CaseTarget,
    JsonOption,
    _parse_date,
    _print_json,
    _safe,
    _today,
    _warn_if_identity_number,
    app,
    out,
)
from kronobarn_cli.store import Store, case_error
from kronobarn_cli.support.text import swedish_date

plan_app = typer.Typer(
    help=(
        "Barnets plan utan hela genomgången: visa, markera klar, ändra status, lägg till, "
        "ändra en insats, registrera kopior."
        "\n\nExempel: kronobarn plan k3m9qa done 2"
    ),
    cls=i18n.Group,
    invoke_without_command=True,
)
app.add_typer(plan_app, name="plan")
plan_target = CaseTarget()


@plan_app.callback()
def _plan(
    ctx: typer.Context,
    case_id: CaseId,
) -> None:
    """Barnets plan i ett ärende. Utan kommando visas insatserna med nummer.

    Exempel: kronobarn plan k3m9qa done 2
    """
    plan_target.case_id = case_id
    if ctx.invoked_subcommand is None:
        plan_show(as_json=False)


@plan_app.command("show", cls=i18n.Command)
def plan_show(as_json: JsonOption = False) -> None:
    """Visa insatserna i den aktuella planen med nummer.

    Exempel: kronobarn plan k3m9qa show --json
    """
    meeting = session.plan_meeting(shared._store("plan show").load(plan_target.case_id))
    if as_json:
        _print_json(views.PLAN_ACTIONS.dump_json(meeting.actions, indent=2).decode())
        return
    out.print(views.plan_table(meeting, shared._workflow()))


def _change_plan(command: str, change: "Callable[[Store, Workflow, Case], str]") -> None:
    workflow = shared._workflow()
    store = shared._store(command)
    case_id = plan_target.case_id
    with store.locked(case_id):
        case = store.load(case_id)
        with _answers_from(store, case):
            event = change(store, workflow, case)
    out.print(_safe(event), soft_wrap=True)  # it may hold typed text: never markup


@contextlib.contextmanager
def _answers_from(store: Store, case: "Case") -> Iterator[None]:
    """The plan verbs work on the answers stored in the case file; in a hand-edited file they
    may not have the shape the checklist gives them. That is a broken file, not a crash."""
    try:
        yield
    except (pydantic.ValidationError, TypeError, KeyError, ValueError, AttributeError) as exc:
        detail = f"svaren i ärendets möten har fel form ({exc.__class__.__name__})"
        raise case_error(store, case.id, detail) from None


ActionNumber = Annotated[int, typer.Argument(metavar="NR", help="Insatsens nummer i planen.")]


@plan_app.command("done", cls=i18n.Command)
def plan_done(number: ActionNumber) -> None:
    """Markera en insats som klar.

    Exempel: kronobarn plan k3m9qa done 2
    """

    def change(store: Store, workflow: "Workflow", case: "Case") -> str:
        _, what = session.set_action_status(
            store, workflow, case, number, "klar", now=session.local_now()
        )
        return f"Insats {number} är klar: {what}"

    _change_plan("plan done", change)


@plan_app.command("status", cls=i18n.Command)
def plan_status(
    number: ActionNumber,
    status: Annotated[
        str, typer.Argument(metavar="STATUS", help="planerad, pagaende, klar eller avbruten.")
    ],
) -> None:
    """Ändra status för en insats.

    Exempel: kronobarn plan k3m9qa status 1 pagaende
    """

    def change(store: Store, workflow: "Workflow", case: "Case") -> str:
        _, what = session.set_action_status(
            store, workflow, case, number, status, now=session.local_now()
        )
        label = workflow.label("atgarder", "status", status).lower()
        return f"Insats {number} har status {label}: {what}"

    _change_plan("plan status", change)


@plan_app.command("add", cls=i18n.Command)
def plan_add(
    what: Annotated[str, typer.Option("--what", metavar="TEXT", help="Vad ska göras?")],
    organisation: Annotated[
        str,
        typer.Option(
            "--organisation", metavar="VERKSAMHET", help="Ansvarig (id eller namn), en deltagare."
        ),
    ],
    due: Annotated[str, typer.Option("--due", metavar="DATUM", help=f"Senast ({DATE_FORMS}).")],
    area: Annotated[str, typer.Option("--area", metavar="OMRÅDE", help="Område i hjulet (id).")],
    person: Annotated[
        str | None,
        typer.Option("--person", metavar="NAMN", help="Ansvarig person.", show_default=False),
    ] = None,
    status: Annotated[str, typer.Option("--status", metavar="STATUS", help="Status.")] = "planerad",
    goal: Annotated[
        str | None,
        typer.Option(
            "--goal", metavar="TEXT", help="Vad insatsen ska leda till.", show_default=False
        ),
    ] = None,
) -> None:
    """Lägg till en insats i Barnets plan.

    Exempel: kronobarn plan k3m9qa add --what Läxhjälp --organisation skola
    --due 2027-03-01 --area utvecklas
    """

    def change(store: Store, workflow: "Workflow", case: "Case") -> str:
        _, number = session.add_action(store, workflow, case, what, organisation, due, area,
                               person=person, status=status, goal=goal,
                               now=session.local_now())  # fmt: skip
        return f"Insats {number} är tillagd: {what}"

    _change_plan("plan add", change)
    _warn_if_identity_number(what, person, goal)


def _text_option(flag: str, metavar: str, help_text: str) -> Any:
    return typer.Option(flag, metavar=metavar, help=help_text, show_default=False)


@plan_app.command("edit", cls=i18n.Command)
def plan_edit(
    number: ActionNumber,
    what: Annotated[str | None, _text_option("--what", "TEXT", "Vad ska göras?")] = None,
    organisation: Annotated[
        str | None,
        _text_option("--organisation", "VERKSAMHET", "Ansvarig (id eller namn), en deltagare."),
    ] = None,
    person: Annotated[
        str | None, _text_option("--person", "NAMN", "Ansvarig person (tomt: ingen).")
    ] = None,
    due: Annotated[str | None, _text_option("--due", "DATUM", f"Senast ({DATE_FORMS}).")] = None,
    goal: Annotated[
        str | None, _text_option("--goal", "TEXT", "Vad insatsen ska leda till (tomt: inget).")
    ] = None,
    area: Annotated[str | None, _text_option("--area", "OMRÅDE", "Område i hjulet (id).")] = None,
) -> None:
    """Ändra en insats i Barnets plan, med samma regler som när den läggs till.

    Bara det som anges ändras. Journalen säger vilka fält som ändrades, inte till vad.

    Exempel: kronobarn plan k3m9qa edit 2 --due 2027-04-30 --person "Kim Berg"
    """
    given = {"vad": what, "ansvarig": organisation, "person": person, "senast": due,
             "mal": goal, "omrade": area}  # fmt: skip
    changes = {field: value for field, value in given.items() if value is not None}

    def change(store: Store, workflow: "Workflow", case: "Case") -> str:
        _, changed = session.edit_action(
            store, workflow, case, number, changes, now=session.local_now()
        )
        if not changed:
            return f"Insats {number}: inget ändrades."
        return f"Insats {number} är ändrad: {', '.join(changed)}."

    _change_plan("plan edit", change)
    _warn_if_identity_number(what, person, goal)


@plan_app.command("copy", cls=i18n.Command)
def plan_copy(
    party: Annotated[
        str,
        typer.Argument(
            metavar="PART",
            help="familjen, en verksamhet (id eller namn), eller vardnadshavare-1/-2 när "
            "vårdnadshavarna bor isär.",
        ),
    ],
    sent: Annotated[bool, typer.Option("--sent", help="Kopian har skickats.")] = False,
    received: Annotated[bool, typer.Option("--received", help="Kopian har kommit fram.")] = False,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATUM",
            help=f"När ({DATE_FORMS}; standard: idag).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Registrera att en parts kopia av Barnets plan har skickats eller kommit fram.

    Då påminner remind inte längre om den kopian. Med två vårdnadshavare som bor isär får
    var och en sin kopia: ange vardnadshavare-1 eller vardnadshavare-2.

    Exempel: kronobarn plan k3m9qa copy familjen --received --date 2027-02-12
    """
    if sent == received:
        raise KronobarnError("Ange antingen --sent eller --received.")
    day = _parse_date(on, "--date", past=True) if on else _today()

    def change(store: Store, workflow: "Workflow", case: "Case") -> str:
        _, copy = plan_copies.record_copy(store, workflow, case, party,
                                          "skickad" if sent else "mottagen", day,
                                          now=session.local_now())  # fmt: skip
        what = "skickad" if sent else "mottagen"
        return (
            f"Kopian till {copy.organisation.name} är registrerad som {what} {swedish_date(day)}."
        )

    _change_plan("plan copy", change)
