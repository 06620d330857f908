"""The `kronobarn` command: parses options and calls the layers below; errors become one line."""

import contextlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer
from typer._click import exceptions as click_exceptions

from kronobarn_cli import completion, i18n
from kronobarn_cli.errors import (
    EXIT_INTERRUPTED,
    CaseFileError,
    ConfirmationNeededError,
    KronobarnError,
    NoTerminalError,
    os_error_text,
)
from kronobarn_cli.ids import system_user, user_problem
from kronobarn_cli.lazy import Background, LazyModule, lazy_console
from kronobarn_cli.text import IDENTITY_NUMBER_WARNING, has_identity_number, terminal_safe

# What a command needs is imported when it runs: `--help` needs none of our modules, and
# `list` and `remind` over an up-to-date summary index need no case model (pydantic), prompts,
# templates or encryption (each costs tens of milliseconds at every start).
if TYPE_CHECKING:
    import pydantic
    from rich import text as rich_text
    from rich.text import Text

    from kronobarn_cli import (
        answers_file,
        consent,
        engine,
        outputs,
        passphrases,
        pgstore,
        prompts,
        retention,
        session,
        store_moves,
        summaries,
        summary,
        validation,
        views,
    )
    from kronobarn_cli import case as cases
    from kronobarn_cli import checklist as checklists
    from kronobarn_cli import copies as plan_copies
    from kronobarn_cli import export as exports
    from kronobarn_cli import handover as handovers
    from kronobarn_cli import pdf as pdfs
    from kronobarn_cli import profile as profiles
    from kronobarn_cli import remind as remind_rules
    from kronobarn_cli import remind_query as remind_options
    from kronobarn_cli import store as stores
    from kronobarn_cli.case import Case
    from kronobarn_cli.checklist import Workflow
    from kronobarn_cli.summary import Listing
else:
    rich_text = LazyModule("rich.text")
    cases = LazyModule("kronobarn_cli.case")
    profiles = LazyModule("kronobarn_cli.profile")
    checklists = LazyModule("kronobarn_cli.checklist")
    plan_copies = LazyModule("kronobarn_cli.copies")
    engine = LazyModule("kronobarn_cli.engine")
    retention = LazyModule("kronobarn_cli.retention")
    stores = LazyModule("kronobarn_cli.store")
    validation = LazyModule("kronobarn_cli.validation")
    pydantic = LazyModule("pydantic")
    pgstore = LazyModule("kronobarn_cli.pgstore")
    store_moves = LazyModule("kronobarn_cli.store_moves")
    answers_file = LazyModule("kronobarn_cli.answers_file")
    consent = LazyModule("kronobarn_cli.consent")
    passphrases = LazyModule("kronobarn_cli.passphrases")
    prompts = LazyModule("kronobarn_cli.prompts")
    session = LazyModule("kronobarn_cli.session")
    views = LazyModule("kronobarn_cli.views")
    exports = LazyModule("kronobarn_cli.export")
    pdfs = LazyModule("kronobarn_cli.pdf")
    handovers = LazyModule("kronobarn_cli.handover")
    outputs = LazyModule("kronobarn_cli.outputs")
    summaries = LazyModule("kronobarn_cli.summaries")
    summary = LazyModule("kronobarn_cli.summary")
    remind_rules = LazyModule("kronobarn_cli.remind")
    remind_options = LazyModule("kronobarn_cli.remind_query")
from kronobarn_cli.stores import Store, case_error, is_postgres, open_postgres, open_store
from kronobarn_cli.text import json_controls_escaped, swedish_date


def _safe(value: str) -> "Text":
    """Typed text as a rich Text: never markup, control characters neutralised."""
    return rich_text.Text(terminal_safe(value))


PLACEHOLDER_ID = "aaaaaa"
"""The id a case has before the store gives it its own."""
EXIT_INTERNAL = 70
DATE_FORMS = "DATUM, t.ex. 2027-04-15, 15/4, 15 april"
"""What every date option reads, as the prompts do (`kronobarn_cli.dates`)."""

app = typer.Typer(
    name="kronobarn",
    help=(
        "Guidar dig genom Arbetsgång för samverkan inom Kronobarnsmodellen och sparar "
        "ärendet på din dator.\n\nExempel: kronobarn new-case"
    ),
    add_completion=False,  # Swedish options of our own (`completion`) instead of Typer's
    no_args_is_help=True,
    cls=i18n.Group,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    # Click hands these on to every subcommand's context, so `-h` is `--help` everywhere.
    context_settings={"help_option_names": ["-h", "--help"]},
)
checklists_app = typer.Typer(
    help="Checklistorna: kontrollera länets egna filer.\n\nExempel: kronobarn checklists validate",
    cls=i18n.Group,
    no_args_is_help=True,
)
app.add_typer(checklists_app, name="checklists")
db_app = typer.Typer(
    help=(
        "Teamlagringen i PostgreSQL: skapa och uppdatera schemat, ge roller åtkomst till "
        "team, flytta ärenden mellan filer och databas.\n\n"
        "Exempel: kronobarn --store postgresql://admin@db.example/kb db init --team elevhalsa"
    ),
    cls=i18n.Group,
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")

out = lazy_console(highlight=False)
err = lazy_console(stderr=True, highlight=False)


class State:
    checklists: Path | None = None
    user: str = ""
    store: str | None = None
    team: str | None = None
    opened: list[Store]

    def __init__(self) -> None:
        self.opened = []


state = State()

ChecklistsOption = Annotated[
    Path | None,
    typer.Option(
        "--checklists",
        help="Katalog med länets egna checklistor (annars KRONOBARN_CHECKLISTS eller de inbyggda).",
        show_default=False,
    ),
]


CaseId = Annotated[
    str,
    typer.Argument(metavar="ID", help="Ärendets id.", autocompletion=completion.case_ids),
]

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar="KRONOBARN_USER",
        metavar="NAMN",
        help="Vem du är i ärendenas journal (annars ditt användarnamn i datorn).",
        show_default=False,
    ),
]

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="KRONOBARN_STORE",
        metavar="URL",
        help=(
            "Var ärendena finns: file:KATALOG (standard: KRONOBARN_HOME) eller "
            "postgresql://användare@värd/databas (teamlagring; lösenordet i ~/.pgpass)."
        ),
        show_default=False,
    ),
]

TeamOption = Annotated[
    str | None,
    typer.Option(
        "--team",
        envvar="KRONOBARN_TEAM",
        metavar="TEAM",
        help="Teamet som nya ärenden hör till i en teamlagring (annars ditt enda team).",
        show_default=False,
    ),
]

JsonOption = Annotated[
    bool, typer.Option("--json", help="Skriv JSON för skript (formen beskrivs i README).")
]


def _show_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version  # noqa: PLC0415 - only for --version

        out.print(f"kronobarn {version('kronobarn-cli')}", highlight=False)
        raise typer.Exit


VersionOption = Annotated[
    bool,
    typer.Option(
        "--version",
        help="Visa kronobarns version och avsluta.",
        is_eager=True,
        callback=_show_version,
    ),
]


InstallCompletionOption = Annotated[
    str | None,
    typer.Option(
        "--install-completion",
        metavar="SKAL",
        help="Installera kompletteringen med Tab för bash, zsh eller fish och avsluta.",
        is_eager=True,
        callback=completion.install_script,
        show_default=False,
    ),
]
ShowCompletionOption = Annotated[
    str | None,
    typer.Option(
        "--show-completion",
        metavar="SKAL",
        help="Skriv ut kompletteringen för bash, zsh eller fish (att lägga in själv) och avsluta.",
        is_eager=True,
        callback=completion.show_script,
        show_default=False,
    ),
]


@app.callback()
def _root(
    checklists: ChecklistsOption = None,
    user: UserOption = None,
    store: StoreOption = None,
    team: TeamOption = None,
    _version: VersionOption = False,
    _install_completion: InstallCompletionOption = None,
    _show_completion: ShowCompletionOption = None,
) -> None:
    state.checklists = checklists
    state.store = store
    state.team = team
    name = system_user() if user is None else user
    problem = user_problem(name)
    if problem is not None:
        raise KronobarnError(
            f"Användarnamnet för journalen kan inte användas: det {problem}. "
            "Ange ett annat med --user eller KRONOBARN_USER."
        )
    state.user = name.strip()


def _workflow() -> "Workflow":
    return checklists.load_workflow(state.checklists)


def _session_and_workflow() -> "Workflow":
    """`new-case`'s work while the first question is read: the session module (and with it
    pydantic and the case model), then the checklists. The main thread's first import of these
    is the session module too, when the child's name is checked, so whichever thread comes
    second waits for that one module holding no other: the two never import the same modules
    from opposite ends."""
    importlib.import_module("kronobarn_cli.session")
    return _workflow()


def _store(command: str) -> Store:
    """The case store (--store), for `command` run by the user (both go into the journal of
    every case it changes). What it has to tell (waiting for a lock, a shared directory) goes
    to stderr, so standard out stays clean for scripts."""
    store = open_store(
        state.store,
        notice=lambda message: err.print(_one_line(message), soft_wrap=True),
        actor=lambda: cases.Actor(user=state.user, command=command),
        team=state.team,
    )
    state.opened.append(store)
    return store


def _close_stores() -> None:
    """Let go of database connections (and the locks the server holds for them)."""
    while state.opened:
        close = getattr(state.opened.pop(), "close", None)
        if close is not None:
            close()


def _warn_if_identity_number(*texts: str | None) -> None:
    """Free text given outside the walk gets the walk's warning (once) when it holds what looks
    like a personal identity number; the command still does what it was asked."""
    if any(text and has_identity_number(text) for text in texts):
        err.print(rich_text.Text("Varning: " + IDENTITY_NUMBER_WARNING), soft_wrap=True)


def _require_terminal(command: str) -> None:
    if not sys.stdin.isatty():
        raise NoTerminalError(command)


def _interrupted(case: "Case | None") -> NoReturn:
    err.print()
    if case is None:
        _stop_interrupted("Avbrutet. Inget ärende skapades.")
    err.print("Avbrutet. Allt du har svarat är sparat. Fortsätt senare med:")
    err.print(rich_text.Text(f"  kronobarn resume {case.id}", style="bold"))
    _stop_interrupted()


class _Interrupted(Exception):
    """A command was interrupted and has said what that left behind (Typer would turn a
    `typer.Exit` into the same bare exit code as a Ctrl-C it caught itself)."""


def _stop_interrupted(message: str | None = None) -> NoReturn:
    """End an interrupted command, having said (`message`, else already) what it left."""
    if message is not None:
        err.print(message)
    raise _Interrupted


def _run_walk(prompter: "prompts.Prompter", walk: "session.Walk") -> None:
    try:
        position = prompter.walk(walk)
    except (KeyboardInterrupt, EOFError):
        _interrupted(walk.case)
    case = walk.case
    meeting = case.current_meeting
    if not position.finished:
        out.print("Allt är sparat. Fortsätt vid mötet med:")
        out.print(rich_text.Text(f"  kronobarn resume {case.id}", style="bold"))
        return
    if meeting is not None and meeting.finished and case.status == "aktiverad":
        prompter.show_meeting_done(case, meeting)
    else:
        prompter.show_outcome(case, position.outcome, walk.workflow)
    out.print(rich_text.Text(f"Ärendet är sparat med id {case.id}.", style="bold"))


@app.command("new-case", cls=i18n.Command)
def new_case(
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FIL",
            help="Svar i en YAML- eller JSON-fil (se README); frågar bara det som saknas.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Starta ett nytt ärende och gå igenom arbetsgången steg för steg.

    Exempel: kronobarn new-case --answers examples/svar.yaml
    """
    if answers is not None:
        _replay(answers)
        return
    _require_terminal("new-case")
    store = _store("new-case")
    prompter = prompts.Prompter(out)
    # The checklists are read while the first question is on the screen (a broken one is
    # reported when the child's details are typed, before anything is saved).
    loading = Background(_session_and_workflow)
    prompter.once_drawn = loading.start
    saved = _saved_profile()
    used: profiles.Profile | None = None
    try:
        while True:
            child = prompter.ask_child()
            if saved is not None:
                use = prompter.ask_use_profile(saved)
                if use is prompts.BACK:
                    continue
                from_profile = _profile_organisation(saved, loading.result()) if use else None
                if from_profile is not None:
                    own, used = from_profile, saved
                    break
            chosen = prompter.ask_own_organisation(loading.result())
            if isinstance(chosen, cases.OrganisationRef):
                own = chosen
                break
    except (KeyboardInterrupt, EOFError):
        _interrupted(None)
    workflow = loading.result()
    now = session.local_now()
    opened = cases.Case(
        id=PLACEHOLDER_ID, created=now, updated=now, child=child, own_organisation=own
    )
    case = store.create(child, now, content=opened)
    with store.locked(case.id):
        out.print(rich_text.Text(f"Ärende {case.id} skapat.", style="bold"))
        walk = session.Walk(workflow, store, case)
        walk.profile = used
        _run_walk(prompter, walk)
    if saved is None:
        _offer_profile(prompter, walk.case)


def _saved_profile() -> "profiles.Profile | None":
    """The remembered profile; a broken one is a warning, and the walk asks as before."""
    try:
        return profiles.load()
    except profiles.ProfileError as exc:
        err.print(rich_text.Text("Varning: ") + _one_line(exc.message), soft_wrap=True)
        return None


def _profile_organisation(
    saved: "profiles.Profile", workflow: "Workflow"
) -> "cases.OrganisationRef | None":
    """The profile's organisation as the directory has it; None (and a warning) if the
    county's directory no longer knows it."""
    found = workflow.organisation(saved.organisation_id)
    if found is None or found.id in checklists.FAMILY_PARTIES:
        err.print(
            f"Varning: profilens verksamhet '{saved.organisation_id}' finns inte i "
            "checklistorna; välj verksamhet.",
            soft_wrap=True,
        )
        return None
    name = saved.organisation_name if found.id == checklists.OTHER_ORGANISATION else found.name
    return cases.OrganisationRef(id=found.id, name=name)


def _offer_profile(prompter: "prompts.Prompter", case: "Case") -> None:
    """After the first case: the inviter's details, remembered if the coordinator wants."""
    inviters = [m.inviter for m in case.meetings if m.inviter is not None]
    if not inviters:
        return
    inviter = inviters[-1]
    made = profiles.Profile(
        name=inviter.name,
        organisation_id=inviter.organisation.id,
        organisation_name=inviter.organisation.name,
        contact=inviter.contact,
    )
    try:
        wanted = prompter.offer_profile(made)
    except (KeyboardInterrupt, EOFError):
        return
    if wanted:
        where = profiles.save(made)
        out.print(f"Profilen är sparad i {where}. Ändra den med 'kronobarn profile'.")


def _replay(path: Path) -> None:
    workflow = _workflow()
    store = _store("new-case")
    given = answers_file.read(path, session.local_now().date(), workflow)
    result = session.replay(
        workflow, given.child, given.answers, str(path), own=given.organisation, actor=store.actor
    )
    for warning in result.warnings:
        err.print(rich_text.Text("Varning: ") + _safe(warning), soft_wrap=True)
    case = store.create(given.child, result.case.created, content=result.case)
    if case.status == "vantar-pa-samtycke" and result.next_step is None:
        scope = consent.ConsentScope.of(case, session.local_now().date())
        out.print(
            f"Ärende {case.id} skapat från {path}. Det väntar på samtycke från "
            f"{scope.missing_words()}; registrera det med: kronobarn consent {case.id} add",
            soft_wrap=True,
        )
        return
    if result.next_step is None:
        out.print(f"Ärende {case.id} skapat från {path}; alla steg är besvarade.", soft_wrap=True)
        return
    if not sys.stdin.isatty():
        out.print(
            f"Ärende {case.id} skapat från {path}. Filen svarar inte på steget "
            f"'{result.next_step.id}'. Fortsätt med: kronobarn resume {case.id}",
            soft_wrap=True,
        )
        return
    with store.locked(case.id):
        out.print(
            rich_text.Text(
                f"Ärende {case.id} skapat; nu frågar kronobarn det som saknas.", style="bold"
            )
        )
        _run_walk(prompts.Prompter(out), session.Walk(workflow, store, case))


@app.command(cls=i18n.Command)
def resume(
    case_id: Annotated[
        str | None,
        typer.Argument(
            metavar="ID",
            help="Ärendets id (utan: välj bland öppna ärenden).",
            autocompletion=completion.case_ids,
        ),
    ] = None,
) -> None:
    """Fortsätt ett ärende där du slutade.

    Exempel: kronobarn resume k3m9qa
    """
    store = _store("resume")
    if case_id is not None:
        # An unknown id, a broken file or a handed-over case is reported before anything is asked.
        session.refuse_if_handed_over(store.load(case_id))
    _require_terminal("resume")
    workflow = _workflow()
    prompter = prompts.Prompter(out)
    if case_id is None:
        case_id = _choose_open_case(prompter, store)
        if case_id is None:
            return
    with store.locked(case_id):
        walk = session.Walk(workflow, store, store.load(case_id))
        prompter.show_header(walk)
        _run_walk(prompter, walk)


def _choose_open_case(prompter: "prompts.Prompter", store: Store) -> str | None:
    """The open cases (being assessed, waiting for consent, a meeting under way) to pick from."""
    broken: list[CaseFileError] = []
    today = _today()
    open_cases = [c for c in _readable_cases(store, broken) if session.walk_open(c, today)]
    if not open_cases:
        out.print("Inga öppna ärenden att fortsätta. Nästa möte startar du med 'follow-up'.")
        return None
    if len(open_cases) == 1:
        return open_cases[0].id  # nothing to choose between
    choices = [
        (f"{c.id}  {c.child.name}  ({cases.STATUS_LABELS[consent.status_on(c, today)]})", c.id)
        for c in sorted(open_cases, key=lambda c: c.updated, reverse=True)
    ]
    try:
        chosen = prompter.select("Vilket ärende vill du fortsätta?", choices, back=False)
    except (KeyboardInterrupt, EOFError):
        _stop_interrupted("Avbrutet.")
    return str(chosen)


@app.command("follow-up", cls=i18n.Command)
def follow_up(
    case_id: CaseId,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FIL",
            help="Svar för mötet i en YAML-fil (se examples/uppfoljning.yaml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Starta nästa samverkansmöte i ett aktiverat ärende (avsnitt 3–7 igen).

    Utgår från förra mötet: öppna insatser, inbjudna och samordnare.

    Exempel: kronobarn follow-up k3m9qa
    """
    store = _store("follow-up")
    session.refuse_if_handed_over(store.load(case_id))
    if answers is not None:
        _replay_follow_up(store, case_id, answers)
        return
    _require_terminal("follow-up")
    workflow = _workflow()
    with store.locked(case_id):
        walk = session.Walk(workflow, store, store.load(case_id))
        walk.start_follow_up()
        prompter = prompts.Prompter(out)
        prompter.show_header(walk)
        _run_walk(prompter, walk)


def _replay_follow_up(store: Store, case_id: str, path: Path) -> None:
    workflow = _workflow()
    given = answers_file.read_follow_up(path)
    with store.locked(case_id):
        case = store.load(case_id)
        result = session.replay_follow_up(workflow, case, given, str(path), actor=store.actor)
        for warning in result.warnings:
            err.print(rich_text.Text("Varning: ") + _safe(warning), soft_wrap=True)
        store.save(result.case)  # the whole file fitted: only now is anything written
        number = len(result.case.meetings)
        if result.next_step is None:
            out.print(f"Möte {number} i ärende {case_id} är registrerat från {path}.")
            return
        if not sys.stdin.isatty():
            out.print(
                f"Möte {number} i ärende {case_id} är påbörjat från {path}. Filen svarar inte på "
                f"steget '{result.next_step.id}'. Fortsätt med: kronobarn resume {case_id}",
                soft_wrap=True,
            )
            return
        _run_walk(prompts.Prompter(out), session.Walk(workflow, store, result.case))


@app.command(cls=i18n.Command)
def show(
    case_id: CaseId,
    as_json: JsonOption = False,
) -> None:
    """Visa hela ärendet, möte för möte (--json: hela ärendefilen, se 'kronobarn schema').

    Exempel: kronobarn show k3m9qa
    """
    case = _store("show").load(case_id)
    if as_json:
        _print_json(case.model_dump_json(indent=2))
        return
    out.print(views.case_view(case, _workflow()))


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
    store = _store("edit")
    session.refuse_if_handed_over(store.load(case_id))
    if name is None and birth_year is None:
        _require_terminal("edit")
        try:
            child = prompts.Prompter(out).ask_child(store.load(case_id).child)
        except (KeyboardInterrupt, EOFError):
            _stop_interrupted("Avbrutet. Inget ändrades.")
        name = child.name
        birth_year = "" if child.birth_year is None else str(child.birth_year)
    with store.locked(case_id):
        case, changed = session.edit_child(
            store, store.load(case_id), name, birth_year, session.local_now(), _workflow()
        )
    out.print(f"Ändrat: {', '.join(changed)}." if changed else "Inget ändrades.")
    if consent.ConsentScope.of(case, session.local_now().date()).maturity_to_judge:
        out.print(
            "Med det nya födelseåret ska du bedöma om ungdomen har sådan ålder och mognad att "
            "hen själv ska lämna samtycke. Till dess väntar ärendet på samtycke och delas "
            f"inte (inbjudan, överlämning, kopior). Fortsätt med: kronobarn resume {case.id}",
            soft_wrap=True,
        )


ConfirmOption = Annotated[
    bool, typer.Option("--yes", help="Utan att fråga (för skript): svaret är ja.")
]


def _confirm(question: str, go: str, *, yes: bool, script: str) -> None:
    """Ask before a step that is hard to undo; `--yes` answers for scripts. Without a terminal
    and without `--yes`, `script` (one line saying to use --yes) is the error."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise ConfirmationNeededError(script)
    try:
        choice = prompts.Prompter(out).select(
            question, [("Nej, avbryt", False), (go, True)], back=False
        )
    except (KeyboardInterrupt, EOFError):
        _stop_interrupted("Avbrutet. Inget ändrades.")
    if not choice:
        raise KronobarnError("Inget ändrades.")


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
    store = _store("close")
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
    workflow = _workflow()
    store = _store("reopen")
    with store.locked(case_id):
        case = session.reopen_case(store, workflow, store.load(case_id), session.local_now())
    out.print(f"Ärendet {case.id} är öppnat igen (status: {cases.STATUS_LABELS[case.status]}).")


def _closed(store: Store, case: "Case", reason: str) -> "Case":
    try:
        return session.close_case(store, case, reason, session.local_now())
    except pydantic.ValidationError as exc:  # e.g. a reason longer than the case file allows
        raise KronobarnError(f"--reason: {validation.swedish_message(exc.errors()[0])}.") from None


@app.command("handover", cls=i18n.Command)
def handover(
    case_id: CaseId,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="VERKSAMHET",
            help="Verksamheten som tar över samordningen (id eller namn, eller annan:Namn).",
            show_default=False,
        ),
    ],
    person: Annotated[
        str | None,
        typer.Option(
            "--person", metavar="NAMN", help="Den som tar emot ärendet.", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            metavar="FIL",
            help="Filen att skriva (standard: kronobarn-ID.age).",
            show_default=False,
        ),
    ] = None,
    recipient: Annotated[
        str | None,
        typer.Option(
            "--recipient",
            metavar="NYCKEL",
            help="Mottagarens publika age-nyckel (age1…) i stället för en lösenfras.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Skriv över en befintlig fil.")] = False,
    yes: ConfirmOption = False,
) -> None:
    """Lämna över ärendet till verksamheten som samordnar härnäst, i en krypterad fil.

    Filen innehåller hela ärendet och krypteras med en lösenfras eller mottagarens nyckel.

    Lösenfrasen frågas två gånger (eller KRONOBARN_PASSPHRASE i skript).

    Skicka lösenfrasen på ett annat sätt än filen, t.ex. per telefon.

    Din kopia blir överlämnad och kan sedan bara läsas. kronobarn frågar först (--yes i skript).

    Har filen eller lösenfrasen kommit bort gör samma kommando, med samma mottagare, en ny fil
    med en ny lösenfras (loggas); den gamla filen öppnas fortfarande med den gamla lösenfrasen.

    Exempel: kronobarn handover k3m9qa --to socialtjanst --person "Kim Berg"
    """
    workflow = _workflow()
    store = _store("handover")
    case = store.load(case_id)
    org = cases.OrganisationRef(**engine.organisation_answer(to, workflow))
    target = output if output is not None else Path(handovers.suggested_name(case.id))
    now = session.local_now()
    # Everything that can be refused is refused before anything is asked.
    again = case.handed_over
    if again is not None:
        handovers.check_reissue(case, org, person)
    else:
        handovers.check_handover(case, org, now.date())
    handovers.check_output(target, force=force)
    key = handovers.parse_recipient(recipient) if recipient is not None else None
    if again is not None:
        question = (
            f"Ärendet överlämnades redan till {again.to.name} den "
            f"{swedish_date(again.on.date())}. Göra en ny fil för samma överlämning?"
        )
        _confirm(question, "Ja, gör en ny fil", yes=yes,
                 script="'kronobarn handover' frågar innan en ny fil görs, men standard in är "
                 "ingen terminal. Bekräfta med --yes.")  # fmt: skip
    else:
        question = f"Lämna över ärendet {case.id} till {org.name}? Din kopia kan sedan bara läsas."
        _confirm(question, "Ja, lämna över", yes=yes,
                 script="'kronobarn handover' frågar innan ärendet lämnas över, men standard "
                 "in är ingen terminal. Bekräfta med --yes.")  # fmt: skip
    secret = None if key is not None else passphrases.for_sealing(out, "handover")
    if again is not None:
        kept = handovers.reissue(store, case, org, person, target, passphrase=secret,
                                 recipient=key, force=force, now=session.local_now())  # fmt: skip
        out.print(
            rich_text.Text(f"En ny fil för överlämningen av ärendet {kept.id} ")
            + _safe(again.words())
            + " är gjord. Den gamla filen öppnas fortfarande med den gamla lösenfrasen; be "
            "mottagaren radera den om den finns kvar.",
            soft_wrap=True,
        )
    else:
        kept = handovers.send(store, case, org, person, target, passphrase=secret,
                              recipient=key, force=force, now=session.local_now())  # fmt: skip
        out.print(
            rich_text.Text(f"Ärendet {kept.id} är överlämnat ")
            + _safe(kept.handovers[-1].words())
            + ".",
            soft_wrap=True,
        )
    out.print(rich_text.Text("Filen: ") + _safe(str(target)), soft_wrap=True)
    if key is not None:
        out.print("Filen kan bara öppnas med mottagarens nyckel.")
    else:
        out.print("Skicka lösenfrasen på ett annat sätt än filen, t.ex. per telefon.")
    out.print(
        rich_text.Text(f"Mottagaren läser in den med: kronobarn import {target.name}\n")
        + rich_text.Text("Din kopia är nu överlämnad och kan bara läsas.", style="bold")
    )


@app.command("import", cls=i18n.Command)
def import_case(
    path: Annotated[Path, typer.Argument(metavar="FIL", help="Filen från 'kronobarn handover'.")],
    identity: Annotated[
        Path | None,
        typer.Option(
            "--identity",
            metavar="FIL",
            help="Din age-nyckelfil, när filen är krypterad för din nyckel.",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Ersätt din kopia när samma ärende kommer tillbaka (journalerna slås ihop).",
        ),
    ] = False,
) -> None:
    """Ta emot ett ärende som en annan verksamhet har lämnat över.

    Frågar efter lösenfrasen (eller KRONOBARN_PASSPHRASE; --identity för en nyckelfil).

    Ärendet fortsätter sedan med 'kronobarn follow-up ID'.

    Exempel: kronobarn import kronobarn-k3m9qa.age
    """
    source = str(path)
    data = handovers.read_file(path)
    sealing = handovers.sealed_with(data, source)
    if sealing == "key" and identity is None:
        raise KronobarnError(
            f"{source} är krypterad för en mottagares nyckel. "
            "Ange din nyckelfil med --identity FIL."
        )
    if sealing == "passphrase" and identity is not None:
        raise KronobarnError(f"{source} är krypterad med en lösenfras. Kör utan --identity.")
    if identity is not None:
        plain = handovers.unseal(data, source, identities=handovers.read_identities(identity))
    else:
        plain = passphrases.open_file(err, data, source, "import")
    incoming = handovers.case_from_envelope(plain, source)
    case, replaced = handovers.receive_into(
        _store("import"), incoming, replace=replace, now=session.local_now(), source=source
    )
    meetings = len(case.meetings)
    what = "ersatte din kopia" if replaced else "är mottaget"
    out.print(
        rich_text.Text(f"Ärende {case.id} {what}: ")
        + _safe(case.child.name)
        + rich_text.Text(f", {meetings} {'möte' if meetings == 1 else 'möten'}."),
        soft_wrap=True,
    )
    latest = case.current_meeting
    verb = "resume" if latest is not None and not latest.finished else "follow-up"
    out.print(rich_text.Text(f"Fortsätt med: kronobarn {verb} {case.id}", style="bold"))


@app.command("log", cls=i18n.Command)
def show_log(
    case_id: CaseId,
    as_json: JsonOption = False,
) -> None:
    """Visa ärendets journal: när, vem, med vilket kommando och vilka fält som ändrades.

    Journalen innehåller inte det som skrevs i fritext (namn, anledningar, insatser).

    Exempel: kronobarn log k3m9qa --json
    """
    case = _store("log").load(case_id)
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
    store = _store("delete")
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


@app.command(cls=i18n.Command)
def purge(
    closed_before: Annotated[
        str | None,
        typer.Option(
            "--closed-before",
            metavar="DATUM",
            help=f"Avslutade ärenden som avslutades före datumet ({DATE_FORMS}).",
            show_default=False,
        ),
    ] = None,
    not_activated_before: Annotated[
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
    ] = None,
    handed_over_before: Annotated[
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
    ] = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Gallra: lista ärenden som avslutades eller aldrig aktiverades före ett datum.

    --handed-over-before tar din kopia av ärenden som lämnats över till en annan verksamhet.

    Med --yes raderas de för gott, som med delete. Aktiverade och pågående ärenden raderas
    aldrig.

    Exempel: kronobarn purge --closed-before 2025-01-01 --not-activated-before 2026-01-01 --yes
    """
    if closed_before is None and not_activated_before is None and handed_over_before is None:
        raise KronobarnError(
            "Ange --closed-before DATUM, --not-activated-before DATUM, "
            "--handed-over-before DATUM eller flera av dem."
        )
    rule = retention.RetentionRule(
        closed_before=(
            _parse_date(closed_before, "--closed-before", past=True) if closed_before else None
        ),
        not_activated_before=(
            _parse_date(not_activated_before, "--not-activated-before", past=True)
            if not_activated_before
            else None
        ),
        handed_over_before=(
            _parse_date(handed_over_before, "--handed-over-before", past=True)
            if handed_over_before
            else None
        ),
    )
    result = retention.purge(_store("purge"), rule, delete=yes)
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
    if result.problems:
        raise typer.Exit(1)


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


class CaseTarget:
    """The case a command group (`plan ID …`, `consent ID …`) works on: its callback takes
    the id before the subcommand runs."""

    case_id: str = ""


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
    meeting = session.plan_meeting(_store("plan show").load(plan_target.case_id))
    if as_json:
        _print_json(views.PLAN_ACTIONS.dump_json(meeting.actions, indent=2).decode())
        return
    out.print(views.plan_table(meeting, _workflow()))


def _change_plan(command: str, change: "Callable[[Store, Workflow, Case], str]") -> None:
    workflow = _workflow()
    store = _store(command)
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
    case = _store("consent show").load(consent_target.case_id)
    today = session.local_now().date()
    if as_json:
        _print_json(views.ConsentSummary.of(case, today).model_dump_json(indent=2))
        return
    out.print(views.consent_view(case, _workflow(), today))


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
    workflow = _workflow()
    store = _store("consent add")
    case_id = consent_target.case_id
    session.refuse_if_handed_over(store.load(case_id))
    if giver is None:
        _require_terminal("consent add")
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
    workflow = _workflow()
    store = _store("consent withdraw")
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
    workflow = _workflow()
    store = _store("consent name")
    case_id = consent_target.case_id
    session.refuse_if_handed_over(store.load(case_id))
    with store.locked(case_id):
        case = session.name_giver(
            store, workflow, store.load(case_id), giver, name, clock=session.local_now
        )
    out.print(views.consent_view(case, workflow, session.local_now().date()))
    _warn_if_identity_number(name)


KINDS = ("plan", "invitation", "consent-form", "consent-note", "calendar")
FORMATS = ("markdown", "text", "pdf")


@app.command(cls=i18n.Command)
def export(
    case_id: CaseId,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="SORT",
            help="plan, invitation, consent-form (blanketten), consent-note eller calendar.",
            autocompletion=completion.choices(KINDS),
        ),
    ] = "plan",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="markdown (standard), text eller pdf (utskrift, A4). consent-form: bara pdf.",
            show_default=False,
            autocompletion=completion.choices(FORMATS),
        ),
    ] = None,
    meeting: Annotated[
        int | None,
        typer.Option(
            "--meeting", metavar="N", help="Mötets nummer (annars det senaste).", show_default=False
        ),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation",
            metavar="VERKSAMHET",
            help="Bara inbjudan till denna verksamhet (id eller namn).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            metavar="FIL",
            help="Skriv till filen (annars till standard ut; en PDF bara till en fil eller rör).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Skriv över en befintlig fil.")] = False,
    with_details: Annotated[
        bool,
        typer.Option(
            "--with-details", help="Kalender: barnets namn och deltagare i beskrivningen."
        ),
    ] = False,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="KATALOG",
            help="Länets egna mallar (annars KRONOBARN_TEMPLATES eller de inbyggda).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Skriv ut Barnets plan, inbjudningar, samtyckesblanketten, samtyckesanteckningen eller en
    kalenderfil.

    Exempel: kronobarn export k3m9qa --format pdf --output barnets-plan.pdf
    """
    if kind not in KINDS:
        raise KronobarnError(f"Okänd sort '{kind}'. Välj {', '.join(KINDS)}.")
    if fmt is not None and fmt not in FORMATS:
        raise KronobarnError(f"Okänt format '{fmt}'. Välj markdown, text eller pdf.")
    if kind == "consent-form" and fmt not in (None, "pdf"):
        raise KronobarnError("Samtyckesblanketten finns bara som PDF: använd --format pdf.")
    # Each flag and the kinds of export it applies to: given with another, it is refused.
    for flag, given, kinds in (
        ("--meeting", meeting is not None, ("plan",)),
        ("--organisation", organisation is not None, ("invitation",)),
        ("--with-details", with_details, ("calendar",)),
        ("--format", fmt not in (None, "markdown"), ("plan", "invitation", "consent-form")),
        ("--templates", templates is not None, ("plan", "invitation", "consent-form")),
    ):
        if given and kind not in kinds:
            only = " och ".join(f"--kind {k}" for k in kinds)
            raise KronobarnError(f"{flag} gäller bara {only}, inte --kind {kind}.")
    chosen_format = fmt or ("pdf" if kind == "consent-form" else "markdown")
    if chosen_format == "pdf" and output is None and sys.stdout.isatty():
        raise KronobarnError("En PDF skrivs inte till terminalen: ange --output FIL.")
    case = _store("export").load(case_id)
    chosen = cast("exports.Format", chosen_format)
    custom = exports.template_dir(templates)
    if chosen_format == "pdf":
        data = _pdf(case, kind, meeting, organisation, custom)
    elif kind == "calendar":
        data = exports.calendar(case, with_details)
    elif kind == "consent-note":
        data = exports.consent_note(case).encode("utf-8")
    elif kind == "invitation":
        data = exports.invitations(case, _workflow(), chosen, organisation, custom).encode("utf-8")
    else:
        data = exports.plan(case, _workflow(), chosen, meeting, custom).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    exports.write_file(output, data, force=force)
    err.print(f"Skrev {output}.", soft_wrap=True)


def _pdf(
    case: "Case", kind: str, meeting: int | None, organisation: str | None, custom: Path | None
) -> bytes:
    """The print-ready document; typst is loaded only here."""
    if kind == "consent-form":
        return pdfs.consent_form(case, _workflow(), custom)
    if kind == "invitation":
        return pdfs.invitations(case, _workflow(), organisation, custom)
    return pdfs.plan(case, _workflow(), meeting, custom)


def _readable_cases(store: Store, broken: list[CaseFileError]) -> "Iterator[Case]":
    """Cases one at a time; files that cannot be read are collected, not fatal."""
    for item in store.iter_cases():
        if isinstance(item, CaseFileError):
            broken.append(item)
        else:
            yield item


def _report_broken(broken: list[str]) -> None:
    for problem in broken:
        err.print(rich_text.Text("Fel: ") + _one_line(problem), soft_wrap=True)
    if broken:
        raise typer.Exit(1)


def _print_json(data: str) -> None:
    sys.stdout.write(json_controls_escaped(data) + "\n")


@app.command("list", cls=i18n.Command)
def list_cases(as_json: JsonOption = False) -> None:
    """Visa alla ärenden: id, barn, status och senaste ändring.

    Exempel: kronobarn list --json
    """
    store = _store("list")
    today = _today()
    reader, listing = store.indexed(today) or _from_cases(store.iter_cases(), today)
    if as_json:
        outputs.json_array(reader.listed_json())
    elif not outputs.case_table(reader.listed(), out):
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


@app.command(cls=i18n.Command)
def remind(
    within: Annotated[
        str | None,
        typer.Option(
            "--within",
            metavar="TID",
            help="Tidsfönster: 14d, 2w, 1m eller ett datum (standard: config.yaml, 14d).",
            show_default=False,
        ),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Bara det som är försenat.")] = False,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation",
            metavar="VERKSAMHET",
            help="Bara där verksamheten (id eller namn) är ansvarig eller samordnar.",
            show_default=False,
        ),
    ] = None,
    coordinator: Annotated[
        bool, typer.Option("--coordinator", help="Ordna efter samordnande verksamhet.")
    ] = False,
    case_id: Annotated[
        str | None,
        typer.Option("--case", metavar="ID", help="Bara detta ärende.", show_default=False),
    ] = None,
    kinds: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            metavar="SORT",
            help="action, meeting, copy eller consent (kan upprepas).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="table, json eller csv.")
    ] = "table",
    with_names: Annotated[
        bool, typer.Option("--with-names", help="Ta med barnets namn (annars bara ärende-id).")
    ] = False,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="overdue",
            help="Slutkod 1 om något är försenat.",
            show_default=False,
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            metavar="DATUM",
            help=f"Räkna som om det vore detta datum ({DATE_FORMS}).",
            show_default=False,
        ),
    ] = None,
    include_handed_over: Annotated[
        bool,
        typer.Option(
            "--include-handed-over",
            help="Ta med ärenden du har lämnat över (den nya samordnaren står som samordnare).",
        ),
    ] = False,
) -> None:
    """Visa vad som behöver göras: insatser, möten, kopior och samtycken.

    Slutkod 0 när körningen gick bra; med --fail-on overdue 1 om något är försenat.

    Exempel: kronobarn remind --within 2w --organisation skola --json
    """
    store = _store("remind")
    settings = remind_options.load_settings(store.home)
    day = _parse_date(today, "--today") if today else _today()
    fmt = "json" if as_json else fmt
    if fmt not in ("table", "json", "csv"):
        raise KronobarnError(f"Okänt format '{fmt}'. Välj table, json eller csv.")
    if fail_on not in (None, "overdue"):
        raise KronobarnError("--fail-on tar bara värdet overdue.")
    unknown = [k for k in kinds or [] if k not in remind_options.KINDS]
    if unknown:
        raise KronobarnError(
            f"Okänd sort '{unknown[0]}'. Välj action, meeting, copy eller consent."
        )
    organisation_id = None
    if organisation:
        # A directory organisation however it was typed (`Vardcentral`); any other name (an
        # "annan verksamhet") is matched as it is, in any case.
        named = _workflow().organisations_named(organisation)
        if len(named) == 1:
            organisation, organisation_id = named[0].name, named[0].id
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
    seen = outputs.Seen()
    if fmt == "json":
        outputs.json_array(seen.items(reader.reminders_json(query)))
    elif fmt == "csv":
        outputs.csv_lines(seen.items(reader.reminders_csv(query)), remind_options.CSV_COLUMNS)
    elif not outputs.reminder_tables(
        seen.rows(reader.reminder_rows(query)), out, with_names=query.with_names
    ):
        _plain(f"Inget att påminna om till och med {swedish_date(query.until)}.")
    _report_broken(listing.broken)
    if fail_on == "overdue" and seen.overdue:
        raise typer.Exit(1)


def _today() -> date:
    """Today where the user is (as `session.local_now`, without importing the session)."""
    return datetime.now().astimezone().date()


def _parse_date(text: str, option: str, *, past: bool = False) -> date:
    """A date option's value, read as the prompts read dates (`15/4`, `15 april`, ISO); a date
    without a year is the next such day, or with `past` the latest."""
    from kronobarn_cli import dates  # noqa: PLC0415 - only a date option given needs it

    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dates.parse_date(text, _today(), "past" if past else "any")
    except KronobarnError:
        raise KronobarnError(
            f"Ogiltigt datum för {option}: '{text}'. Skriv {dates.EXAMPLES}."
        ) from None


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


profile_app = typer.Typer(
    help=(
        "Din profil: namn, verksamhet och hur du nås, som nya ärenden utgår från. Den sparas "
        "i din användares inställningar, aldrig i ett ärende.\n\n"
        "Exempel: kronobarn profile set --name 'Anna Lindqvist, kurator' --organisation skola "
        "--contact '0470-123 45'"
    ),
    cls=i18n.Group,
    no_args_is_help=True,
)
app.add_typer(profile_app, name="profile")


@profile_app.command("show", cls=i18n.Command)
def profile_show() -> None:
    """Visa den sparade profilen.

    Exempel: kronobarn profile show
    """
    saved = profiles.load()
    if saved is None:
        out.print("Ingen profil är sparad. Den erbjuds efter ditt första ärende.")
        return
    out.print(_safe(f"Namn: {saved.name}\nVerksamhet: {saved.organisation_name}\n"
                    f"Nås på: {saved.contact}\nFil: {profiles.path()}"))  # fmt: skip


@profile_app.command("set", cls=i18n.Command)
def profile_set(
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAMN", help="Ditt namn, gärna med roll och enhet."),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation", metavar="VERKSAMHET", help="Din verksamhet (id eller namn)."
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", metavar="KONTAKT", help="Hur du nås: telefon eller mejl."),
    ] = None,
) -> None:
    """Spara eller ändra profilen; det som inte anges behålls.

    Exempel: kronobarn profile set --contact anna.lindqvist@kommun.se
    """
    try:
        saved = profiles.load()
    except profiles.ProfileError:
        saved = None  # a broken profile is replaced by what is given now
    org = None
    if organisation is not None:
        try:
            org = engine.organisation_answer(organisation, _workflow())
        except KronobarnError as exc:
            raise KronobarnError(f"--organisation: {exc.message}") from None
        if org["id"] in checklists.FAMILY_PARTIES:
            raise KronobarnError(
                f"--organisation: {org['name']} öppnar inga ärenden; ange din verksamhet."
            )
    for option, given in (("--name", name), ("--contact", contact)):
        if given is not None and not given.strip():
            raise KronobarnError(f"{option} får inte vara tomt.")
    fields = {
        "name": name if name is not None else (saved.name if saved else None),
        "organisation": org or ({"id": saved.organisation_id, "name": saved.organisation_name}
                                if saved else None),
        "contact": contact if contact is not None else (saved.contact if saved else None),
    }  # fmt: skip
    missing = [o for o, k in (("--name", "name"), ("--organisation", "organisation"),
                              ("--contact", "contact")) if not fields[k]]  # fmt: skip
    if missing:
        raise KronobarnError(f"Ingen profil finns ännu; ange också {', '.join(missing)}.")
    try:
        made = profiles.parse(json.dumps(fields).encode())
    except profiles.ProfileError as exc:
        raise KronobarnError(f"Profilen kan inte sparas: {exc.message}.") from None
    where = profiles.save(made)
    out.print(_safe(f"Profilen är sparad i {where}: {made.words()}."))
    _warn_if_identity_number(made.name, made.contact)


@profile_app.command("clear", cls=i18n.Command)
def profile_clear() -> None:
    """Ta bort profilen; nästa ärende frågar efter namn, verksamhet och kontakt igen.

    Exempel: kronobarn profile clear
    """
    if profiles.clear():
        out.print("Profilen är borttagen.")
    else:
        out.print("Ingen profil var sparad.")


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
    target = checklists.checklists_dir(directory or state.checklists)
    problems = checklists.validate_directory(target)
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
    store = open_postgres(
        state.store,
        notice=lambda message: err.print(_one_line(message), soft_wrap=True),
        actor=lambda: cases.Actor(user=state.user, command=command),
        team=state.team,
    )
    state.opened.append(store)
    return store


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
    """Läs in ärendena i en filkatalog till databasen, ett i taget.

    Varje ärende kontrolleras; en fil som inte kan läsas hoppas över och nämns.

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


def _one_line(message: str) -> "Text":
    """An error as one line: line breaks from quoted file content are shown as \\n."""
    return _safe(message.replace("\r", "\\r").replace("\n", "\\n"))


_NO_BRACES = str.maketrans("", "", "{}")


def _param_name(param: Any) -> str:
    """An option as it is typed (`--meeting`), an argument by its metavar (`NR`)."""
    options = [o for o in getattr(param, "opts", None) or () if str(o).startswith("-")]
    return " / ".join(options) if options else str(getattr(param, "metavar", None) or "")


def _usage_message(exc: click_exceptions.UsageError) -> str:
    hint = getattr(exc, "param_hint", None) or ""
    if isinstance(exc, click_exceptions.NoSuchOption):
        return f"okänd flagga {exc.option_name}"
    if isinstance(exc, click_exceptions.MissingParameter):
        param = exc.param
        name = hint or (getattr(param, "metavar", None) or "ett argument")
        return f"{name} saknas"
    if isinstance(exc, click_exceptions.BadParameter):
        name = hint or _param_name(exc.param)
        described = getattr(exc.param, "type_descriptor", None)
        if name and getattr(described, "annotation", None) is int:
            return f"{name} ska vara ett heltal"
        return f"ogiltigt värde för {name}".strip()
    if isinstance(exc, click_exceptions.BadOptionUsage):
        option = exc.option_name
        if "does not take a value" in exc.message:
            return f"{option} tar inget värde"
        if "requires an argument" in exc.message:
            return f"{option} behöver ett värde"
        return f"fel användning av {option}"
    if "No such command" in exc.message:
        return "okänt kommando"
    if "Got unexpected extra argument" in exc.message:
        return "för många argument"
    return "felaktig användning"


def _run(argv: list[str] | None) -> Any:
    if completion.requested():
        completion.prepare()
    try:
        return app(args=argv, prog_name="kronobarn", standalone_mode=False)
    finally:
        _close_stores()


def main(argv: list[str] | None = None) -> Any:
    """Run the command; every error ends as one Swedish line on stderr and an exit code."""
    try:
        code = _run(argv)
        if code == EXIT_INTERRUPTED:
            # Typer turns Ctrl-C before a command's own handling into this code, silently.
            err.print("\nAvbrutet.")
    except _Interrupted:
        sys.exit(EXIT_INTERRUPTED)
    except KronobarnError as exc:
        err.print(rich_text.Text("Fel: ") + _one_line(exc.message), soft_wrap=True)
        sys.exit(exc.exit_code)
    except click_exceptions.UsageError as exc:
        # `kronobarn plan {ID} done`: the braces of a usage line are not to be typed.
        command = (exc.ctx.command_path if exc.ctx else "kronobarn").translate(_NO_BRACES)
        err.print(f"Fel: {_usage_message(exc)}. Se '{command} --help'.", soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        err.print("Avbrutet.")
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(f"Fel: filåtkomst misslyckades: {os_error_text(exc)}{where}", soft_wrap=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("KRONOBARN_DEBUG"):
            raise
        if type(exc).__module__.startswith("psycopg."):
            # The team store turns database errors into ours; one that slipped past it still
            # gets its Swedish line.
            message = pgstore.translate(exc, url=state.store or "").message
            err.print(rich_text.Text("Fel: ") + _one_line(message), soft_wrap=True)
            sys.exit(1)
        err.print(
            f"Fel: ett oväntat fel inträffade ({exc.__class__.__name__}). Det som redan sparats "
            "är orört. Kör med KRONOBARN_DEBUG=1 för detaljer.",
            soft_wrap=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)
