"""What every command group shares: the app and its groups, the consoles, the root options,
the store and the checklists, and the small helpers every command uses."""

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from kronobarn_cli.cli import completion
from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import ConfirmationNeededError, KronobarnError, NoTerminalError
from kronobarn_cli.support.ids import system_user, user_problem
from kronobarn_cli.support.lazy import lazy_console
from kronobarn_cli.support.text import IDENTITY_NUMBER_WARNING, has_identity_number, terminal_safe

if TYPE_CHECKING:
    from rich.text import Text

    from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.cli.lazy_modules import cases, loader, prompts, rich_text
from kronobarn_cli.store import Store, open_store
from kronobarn_cli.support.text import json_controls_escaped


def _safe(value: str) -> "Text":
    """Typed text as a rich Text: never markup, control characters neutralised."""
    return rich_text.Text(terminal_safe(value))


"""The id a case has before the store gives it its own."""
DATE_FORMS = "DATUM, t.ex. 2027-04-15, 15/4, 15 april"
"""What every date option reads, as the prompts do (`kronobarn_cli.support.dates`)."""
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
    return loader.load_workflow(state.checklists)


def _store(command: str) -> Store:
    """The case store (--store), for `command` run by the user (both go into the journal of
    every case it changes). What it has to tell (waiting for a lock, a shared directory) goes
    to stderr, so standard out stays clean for scripts."""
    return _opened(open_store, command)


S = TypeVar("S", bound=Store)


def _opened(opener: "Callable[..., S]", command: str) -> S:
    """The store `opener` opens for --store and --team (`open_store`, or `open_postgres` for
    `db`), kept to be closed when the command ends."""
    store = opener(
        state.store,
        notice=lambda message: err.print(_one_line(message), soft_wrap=True),
        actor=lambda: cases.Actor(user=state.user, command=command),
        team=state.team,
    )
    state.opened.append(store)
    return store


def _warn_if_identity_number(*texts: str | None) -> None:
    """Free text given outside the walk gets the walk's warning (once) when it holds what looks
    like a personal identity number; the command still does what it was asked."""
    if any(text and has_identity_number(text) for text in texts):
        err.print(rich_text.Text("Varning: " + IDENTITY_NUMBER_WARNING), soft_wrap=True)


def _require_terminal(command: str) -> None:
    if not sys.stdin.isatty():
        raise NoTerminalError(command)


class _Interrupted(Exception):
    """A command was interrupted and has said what that left behind (Typer would turn a
    `typer.Exit` into the same bare exit code as a Ctrl-C it caught itself)."""


def _stop_interrupted(message: str | None = None) -> NoReturn:
    """End an interrupted command, having said (`message`, else already) what it left."""
    if message is not None:
        err.print(message)
    raise _Interrupted


ForceOption = Annotated[bool, typer.Option("--force", help="Skriv över en befintlig fil.")]
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


class CaseTarget:
    """The case a command group (`plan ID …`, `consent ID …`) works on: its callback takes
    the id before the subcommand runs."""

    case_id: str = ""


KINDS = ("plan", "invitation", "consent-form", "consent-note", "calendar")


def _print_json(data: str) -> None:
    sys.stdout.write(json_controls_escaped(data) + "\n")


def _today() -> date:
    """Today where the user is (as `session.local_now`, without importing the session)."""
    return datetime.now().astimezone().date()


def _parse_date(text: str, option: str, *, past: bool = False) -> date:
    """A date option's value, read as the prompts read dates (`15/4`, `15 april`, ISO); a date
    without a year is the next such day, or with `past` the latest."""
    from kronobarn_cli.support import dates  # noqa: PLC0415 - only a date option given needs it

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


def _one_line(message: str) -> "Text":
    """An error as one line: line breaks from quoted file content are shown as \\n."""
    return _safe(message.replace("\r", "\\r").replace("\n", "\\n"))
