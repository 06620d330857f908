"""How a case's facts are put in words, the same in `show` and in the exports: the child, the
meeting's time, the family and the child taking part, the interpreter, how an action has gone."""

from __future__ import annotations

from datetime import date

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import ConsentScope, giver_word
from kronobarn_cli.domain.meeting import Meeting, PlanAction
from kronobarn_cli.support.text import join_swedish, swedish_date


def child_text(case: Case) -> str:
    """The child as the documents name it: `Alva (född 2015)`."""
    year = f" (född {case.child.birth_year})" if case.child.birth_year else ""
    return case.child.name + year


def meeting_time_text(meeting: Meeting) -> str:
    """When the meeting is held, as a letter says it: `15 april 2027 kl. 13:00`, else `–`."""
    if meeting.held_on is None:
        return "–"
    return swedish_date(meeting.held_on) + (
        f" kl. {meeting.starts_at}" if meeting.starts_at else ""
    )


def with_person(organisation: str, person: str | None) -> str:
    """`Skola, Anna Lindqvist`, or the organisation alone."""
    return f"{organisation}, {person}" if person else organisation


def interpreter_text(meeting: Meeting) -> str:
    interpreter = meeting.interpreter
    if interpreter is None:
        return ""
    booked = f", bokas av {interpreter.booked_by.name}" if interpreter.booked_by else ""
    return f"{interpreter.language}{booked}"


def family_text(meeting: Meeting, case: Case) -> str:
    """Who of the family took part, as recorded: `barnet/ungdomen och vårdnadshavare 1
    (mamma)`. The child where it took part in the meeting (or nothing says otherwise); the
    guardians one by one where two have custody and it was recorded."""
    scope = ConsentScope.of(case, date.today())
    present = meeting.guardians_present
    if present is None:
        # Not asked (one guardian) or not recorded (an answers file may leave it out): never
        # taken to mean that both of two guardians took part.
        if case.guardians == 1:
            guardians = scope.word("vardnadshavare-1")
        else:
            guardians = "vårdnadshavare (inte antecknat vilka)"
    elif not present:
        guardians = "ingen av vårdnadshavarna"
    else:
        guardians = join_swedish(giver_word(g, case.consents) for g in present)
    if meeting.child_participation in (None, "narvarande"):
        return f"barnet/ungdomen och {guardians}"
    return guardians


def participation_text(meeting: Meeting, workflow: Workflow) -> str:
    """How the child took part: `Hördes före mötet (av skolkuratorn)`."""
    if meeting.child_participation is None:
        return ""
    label = workflow.label("barnets-delaktighet", None, meeting.child_participation)
    note = meeting.child_participation_note
    return f"{label} ({note})" if note else label


def evaluation_text(action: PlanAction, workflow: Workflow, *, inline: bool = False) -> str:
    """How the action has gone, and the comment as typed; `inline` lowercases the label alone
    (it follows other words), never the comment."""
    if action.evaluation is None:
        return ""
    label = workflow.label("atgarder", "utfall", action.evaluation)
    if inline:
        label = label.lower()
    return f"{label}: {action.evaluation_comment}" if action.evaluation_comment else label
