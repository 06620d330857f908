"""`kronobarn consent ID …`: show, add, withdraw and name a consent outside the walk."""

from typing import Annotated

import typer

from kronobarn_cli.cli import shared
from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.cli.lazy_modules import prompts, rich_text, session, views
from kronobarn_cli.cli.shared import (
    DATE_FORMS,
    CaseId,
    CaseTarget,
    JsonOption,
    _parse_date,
    _print_json,
    _safe,
    _stop_interrupted,
    _warn_if_identity_number,
    app,
    out,
)

consent_app = typer.Typer(
    help=(
        "Samtycken i ett ärende: visa, registrera nytt eller utökat, återkalla."
        "\n\nExempel: kronobarn consent k3m9qa"
    ),
    cls=i18n.Group,
    invoke_without_command=True,
)
app.add_typer(consent_app, name="consent")
consent_target = CaseTarget()


@consent_app.callback()
def _consent(
    ctx: typer.Context,
    case_id: CaseId,
) -> None:
    """Samtyckena i ett ärende. Utan kommando visas varje samtycke och vad det omfattar i dag.

    Exempel: kronobarn consent k3m9qa withdraw --giver vardnadshavare-1 --organisation polis
    """
    consent_target.case_id = case_id
    if ctx.invoked_subcommand is None:
        consent_show(as_json=False)


@consent_app.command("show", cls=i18n.Command)
def consent_show(as_json: JsonOption = False) -> None:
    """Visa samtyckena, återkallelserna och vilka verksamheter samtycket omfattar i dag.

    Exempel: kronobarn consent k3m9qa show --json
    """
    case = shared._store("consent show").load(consent_target.case_id)
    today = session.local_now().date()
    if as_json:
        _print_json(views.ConsentSummary.of(case, today).model_dump_json(indent=2))
        return
    out.print(views.consent_view(case, shared._workflow(), today))


Giver = Annotated[
    str | None,
    typer.Option(
        "--giver",
        metavar="VEM",
        help="vardnadshavare-1, vardnadshavare-2 eller ungdom.",
        show_default=False,
    ),
]
Organisations = Annotated[
    list[str] | None,
    typer.Option(
        "--organisation",
        metavar="VERKSAMHET",
        help="Verksamhetens id eller namn (kan upprepas).",
        show_default=False,
    ),
]


@consent_app.command("add", cls=i18n.Command)
def consent_add(
    giver: Giver = None,
    form: Annotated[
        str, typer.Option("--form", metavar="FORM", help="skriftlig eller muntlig.")
    ] = "skriftlig",
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATUM",
            help=f"När det lämnades ({DATE_FORMS}; standard: idag).",
            show_default=False,
        ),
    ] = None,
    organisations: Organisations = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", metavar="NAMN", help="Namn eller initialer (frivilligt).", show_default=False
        ),
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option(
            "--valid-until",
            metavar="DATUM",
            help=f"Giltigt till och med ({DATE_FORMS}; frivilligt).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Registrera ett nytt eller utökat samtycke. Utan --giver frågar kronobarn i terminalen.

    Exempel: kronobarn consent k3m9qa add --giver vardnadshavare-2 --form muntlig
    --organisation skola --organisation socialtjanst
    """
    workflow = shared._workflow()
    store = shared._store("consent add")
    case_id = consent_target.case_id
    session.refuse_if_handed_over(store.load(case_id))
    if giver is None:
        shared._require_terminal("consent add")
    with store.locked(case_id):
        case = store.load(case_id)
        if giver is None:
            prompter = prompts.Prompter(out)
            out.print(views.consent_view(case, workflow, session.local_now().date()))
            try:
                item = prompter.ask_consent(session.Walk(workflow, store, case))
            except (KeyboardInterrupt, EOFError):
                _stop_interrupted("Avbrutet. Inget samtycke registrerades.")
            if item is None:
                out.print("Inget samtycke registrerades.")
                return
        else:
            item = {"roll": giver, "form": form, "datum": on or "idag",
                    "verksamheter": list(organisations or [])}  # fmt: skip
            if name:
                item["namn"] = name
            if valid_until:
                item["giltigt-till"] = valid_until
        case = session.record_consent(store, workflow, case, item, clock=session.local_now)
    out.print(f"Samtycket är registrerat i ärende {case.id}.")
    out.print(views.consent_view(case, workflow, session.local_now().date()))
    _warn_if_identity_number(item.get("namn"))


@consent_app.command("withdraw", cls=i18n.Command)
def consent_withdraw(
    giver: Annotated[
        str,
        typer.Option(
            "--giver",
            metavar="VEM",
            help="vardnadshavare-1, vardnadshavare-2 eller ungdom.",
            show_default=False,
        ),
    ],
    organisations: Organisations = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DATUM",
            help=f"Från vilket datum ({DATE_FORMS}; standard: idag).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Registrera att ett samtycke återkallas, helt eller för vissa verksamheter.

    Inget tas bort: samtycket och återkallelsen finns kvar i ärendets historik.

    Exempel: kronobarn consent k3m9qa withdraw --giver ungdom --organisation polis
    """
    workflow = shared._workflow()
    store = shared._store("consent withdraw")
    case_id = consent_target.case_id
    day = _parse_date(on, "--date", past=True) if on else session.local_now().date()
    with store.locked(case_id):
        case, lost = session.withdraw_consent(
            store, workflow, store.load(case_id), giver, list(organisations or []), day,
            clock=session.local_now,
        )  # fmt: skip
    names = ", ".join(o.name for o in lost) or "ingen verksamhet"
    out.print(
        rich_text.Text("Återkallelsen är registrerad. Lämnar samtyckets omfattning: ")
        + _safe(names)
    )
    if case.status == "vantar-pa-samtycke":
        out.print("Ärendet väntar nu på samtycke; registrera ett nytt med 'kronobarn consent "
                  f"{case.id} add'.")  # fmt: skip
    for flag in views.consent_flags(case, session.local_now().date()):
        out.print(rich_text.Text("Att se över: ", style="bold red") + _safe(flag))


@consent_app.command("name", cls=i18n.Command)
def consent_name(
    giver: Annotated[
        str,
        typer.Option(
            "--giver",
            metavar="VEM",
            help="vardnadshavare-1, vardnadshavare-2 eller ungdom.",
            show_default=False,
        ),
    ],
    name: Annotated[
        str,
        typer.Option(
            "--name",
            metavar="NAMN",
            help="En roll (mamma, pappa) eller ett förnamn; tomt tar bort namnet.",
            show_default=False,
        ),
    ],
) -> None:
    """Ge den som lämnat samtycke ett namn eller en roll, t.ex. mamma eller pappa (frivilligt).

    Namnet visas bredvid "vårdnadshavare 1" i samtyckena, i planen och i blanketten.

    Exempel: kronobarn consent k3m9qa name --giver vardnadshavare-1 --name mamma
    """
    workflow = shared._workflow()
    store = shared._store("consent name")
    case_id = consent_target.case_id
    session.refuse_if_handed_over(store.load(case_id))
    with store.locked(case_id):
        case = session.name_giver(
            store, workflow, store.load(case_id), giver, name, clock=session.local_now
        )
    out.print(views.consent_view(case, workflow, session.local_now().date()))
    _warn_if_identity_number(name)
