"""The walk's commands: `new-case` (with the coordinator's profile), `resume` and
`follow-up`, from the prompts or an answers file."""

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from kronobarn_cli.cli import completion
from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import CaseFileError
from kronobarn_cli.support.lazy import Background

if TYPE_CHECKING:
    from kronobarn_cli.checklists.schema import Workflow
    from kronobarn_cli.domain.case import Case
from kronobarn_cli.cli import shared
from kronobarn_cli.cli.lazy_modules import (
    answers_file,
    cases,
    consent,
    parts,
    profiles,
    prompts,
    rich_text,
    session,
    vocabulary,
)
from kronobarn_cli.cli.shared import (
    CaseId,
    _one_line,
    _safe,
    _stop_interrupted,
    _today,
    app,
    err,
    out,
)
from kronobarn_cli.store import Store

PLACEHOLDER_ID = "aaaaaa"


def _session_and_workflow() -> "Workflow":
    """`new-case`'s work while the first question is read: the session module (and with it
    pydantic and the case model), then the checklists. The main thread's first import of these
    is the session module too, when the child's name is checked, so whichever thread comes
    second waits for that one module holding no other: the two never import the same modules
    from opposite ends."""
    importlib.import_module("kronobarn_cli.interactive.walk")
    return shared._workflow()


def _interrupted(case: "Case | None") -> NoReturn:
    err.print()
    if case is None:
        _stop_interrupted("Avbrutet. Inget ärende skapades.")
    err.print("Avbrutet. Allt du har svarat är sparat. Fortsätt senare med:")
    err.print(rich_text.Text(f"  kronobarn resume {case.id}", style="bold"))
    _stop_interrupted()


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
    shared._require_terminal("new-case")
    store = shared._store("new-case")
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
            if isinstance(chosen, parts.OrganisationRef):
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
        return profiles.load(lambda line: err.print(_one_line(line), soft_wrap=True))
    except profiles.ProfileError as exc:
        err.print(rich_text.Text("Varning: ") + _one_line(exc.message), soft_wrap=True)
        return None


def _profile_organisation(
    saved: "profiles.Profile", workflow: "Workflow"
) -> "parts.OrganisationRef | None":
    """The profile's organisation as the directory has it; None (and a warning) if the
    county's directory no longer knows it."""
    found = workflow.organisation(saved.organisation_id)
    if found is None or found.id in vocabulary.FAMILY_PARTIES:
        err.print(
            f"Varning: profilens verksamhet '{saved.organisation_id}' finns inte i "
            "checklistorna; välj verksamhet.",
            soft_wrap=True,
        )
        return None
    name = saved.organisation_name if found.id == vocabulary.OTHER_ORGANISATION else found.name
    return parts.OrganisationRef(id=found.id, name=name)


def _offer_profile(prompter: "prompts.Prompter", case: "Case") -> None:
    """After the first case: the inviter's details, remembered if the coordinator wants."""
    inviters = [m.inviter for m in case.meetings if m.inviter is not None]
    if not inviters:
        return
    inviter = inviters[-1]
    organisation = {"id": inviter.organisation.id, "name": inviter.organisation.name}
    fields = {"name": inviter.name, "organisation": organisation, "contact": inviter.contact}
    try:
        made = profiles.checked(fields)
    except profiles.ProfileError:
        return  # what was typed does not fit a profile (too long, say): nothing to offer
    try:
        wanted = prompter.offer_profile(made)
    except (KeyboardInterrupt, EOFError):
        return
    if wanted:
        where = profiles.save(made)
        out.print(f"Profilen är sparad i {where}. Ändra den med 'kronobarn profile'.")


def _replay(path: Path) -> None:
    workflow = shared._workflow()
    store = shared._store("new-case")
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
    store = shared._store("resume")
    if case_id is not None:
        # An unknown id, a broken file or a handed-over case is reported before anything is asked.
        session.refuse_if_handed_over(store.load(case_id))
    shared._require_terminal("resume")
    workflow = shared._workflow()
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
    store = shared._store("follow-up")
    session.refuse_if_handed_over(store.load(case_id))
    if answers is not None:
        _replay_follow_up(store, case_id, answers)
        return
    shared._require_terminal("follow-up")
    workflow = shared._workflow()
    with store.locked(case_id):
        walk = session.Walk(workflow, store, store.load(case_id))
        walk.start_follow_up()
        prompter = prompts.Prompter(out)
        prompter.show_header(walk)
        _run_walk(prompter, walk)


def _replay_follow_up(store: Store, case_id: str, path: Path) -> None:
    workflow = shared._workflow()
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


def _readable_cases(store: Store, broken: list[CaseFileError]) -> "Iterator[Case]":
    """Cases one at a time; files that cannot be read are collected, not fatal."""
    for item in store.iter_cases():
        if isinstance(item, CaseFileError):
            broken.append(item)
        else:
            yield item
