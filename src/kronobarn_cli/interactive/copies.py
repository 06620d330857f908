"""Copies of Barnets plan after the meeting: recording that one was sent or received."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.checklists.vocabulary import FAMILY, FAMILY_PARTIES
from kronobarn_cli.domain import answer_checks, engine, meeting_record
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import ConsentScope
from kronobarn_cli.domain.meeting import CopyRecord, PlanCopy
from kronobarn_cli.domain.parts import GuardianRole, OrganisationRef
from kronobarn_cli.errors import AnswerError, KronobarnError
from kronobarn_cli.interactive.walk import plan_meeting, refuse_if_not_open
from kronobarn_cli.store import Store
from kronobarn_cli.support.text import join_swedish, swedish_date

CopyEvent = Literal["skickad", "mottagen"]
GUARDIANS: tuple[GuardianRole, ...] = ("vardnadshavare-1", "vardnadshavare-2")


def party(text: str, workflow: Workflow) -> tuple[OrganisationRef, GuardianRole | None]:
    """The party a copy goes to: an organisation (id or name), or one guardian's family copy
    (`vardnadshavare-1`, `vardnadshavare-2`)."""
    word = text.strip().casefold().replace("å", "a").replace(" ", "-")
    for guardian in GUARDIANS:
        if word == guardian:
            return meeting_record.FAMILY_COPY, guardian
    return OrganisationRef(**answer_checks.organisation_answer(text.strip(), workflow)), None


def _find(copies: list[PlanCopy], org: OrganisationRef, guardian: str | None) -> PlanCopy | None:
    return next(
        (c for c in copies if c.organisation.key() == org.key() and c.guardian == guardian), None
    )


def record_copy(  # noqa: PLR0917 - what one record says
    store: Store,
    workflow: Workflow,
    case: Case,
    who: str,
    event: CopyEvent,
    on: date,
    *,
    now: datetime,
) -> tuple[Case, PlanCopy]:
    """Record that a party's copy of the current Barnets plan was sent or received; returns the
    case and the copy as it now stands."""
    refuse_if_not_open(case)
    meeting = plan_meeting(case)
    org, guardian = party(who, workflow)
    if guardian is not None and case.guardians != 2:
        raise AnswerError(
            "En kopia per vårdnadshavare går bara när två vårdnadshavare har vårdnaden. "
            "Ange familjen."
        )
    copy = _find(meeting.copies, org, guardian)
    if copy is None and guardian is not None:
        copy = _find(meeting.copies, org, None)  # the family's copy, split by this record
    if copy is None:
        if org.id == FAMILY and guardian is None and _find(meeting.copies, org, GUARDIANS[0]):
            raise AnswerError(
                "Familjens kopia är registrerad per vårdnadshavare: ange vardnadshavare-1 "
                "eller vardnadshavare-2."
            )
        names = join_swedish(c.organisation.name for c in meeting.copies) or "inga"
        raise AnswerError(
            f"{org.name} finns inte bland kopiorna av Barnets plan från möte "
            f"{meeting.number} (kopior: {names})."
        )
    if org.id not in FAMILY_PARTIES:
        scope = ConsentScope.of(case, now.date())
        if not scope.covers(org):
            raise KronobarnError(f"{org.name} kan inte få en kopia. {scope.refusal(org)}")
    if on > now.date():
        raise AnswerError("Datumet får inte ligga i framtiden.")
    if meeting.held_on is not None and on < meeting.held_on:
        raise AnswerError(
            "Datumet kan inte ligga före mötet där planen gjordes "
            f"({swedish_date(meeting.held_on)})."
        )
    record = CopyRecord(organisation=org, guardian=guardian, event=event, on=on, recorded=now)
    data = case.model_dump()
    index = case.meetings.index(meeting)
    stored = data["meetings"][index]
    stored["copy_records"] = [*stored.get("copy_records", []), record.model_dump()]
    fields = meeting_record.meeting_fields(engine.flatten(meeting.answers), stored["copy_records"])
    stored["copies"] = [c.model_dump() for c in fields["copies"]]
    updated = Case.model_validate(data)
    # No party's name in the journal: an "annan verksamhet" is typed text.
    updated.log(
        f"Kopia av Barnets plan (möte {meeting.number}) registrerades som {event}.",
        now,
        store.actor,
        ["copy_records"],
    )
    store.save(updated)
    result = _find(updated.meetings[index].copies, org, guardian)
    assert result is not None
    return updated, result
