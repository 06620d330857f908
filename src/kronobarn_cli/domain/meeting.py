"""One collaboration meeting as recorded: invitations, views, Barnets plan and its copies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from kronobarn_cli.checklists.vocabulary import FAMILY_PARTIES
from kronobarn_cli.domain.parts import MODEL_CONFIG, GiverRole, GuardianRole, OrganisationRef
from kronobarn_cli.support.text import swedish_when


class _Model(BaseModel):
    model_config = MODEL_CONFIG


class Inviter(_Model):
    """The member of staff who invites to the meeting, as the invitation letter names them."""

    name: str
    organisation: OrganisationRef
    contact: str


class Invitee(_Model):
    organisation: OrganisationRef
    person: str | None = None
    method: Literal["link", "blankett", "mejl", "telefon", "post"]
    """Link, or the letter (`blankett`); `mejl`, `telefon`, `post` only in version-1 files."""
    letter_by: Literal["mejl", "post", "lamnas"] | None = None
    """How the letter is sent."""
    sent_on: date
    established_contact: bool | None = None
    """For specialist care: the child has an established, relevant care contact there."""


class PreMeetingContact(_Model):
    organisation: OrganisationRef
    purpose: Literal["medverkan", "information"]
    on: date


class View(_Model):
    """A view asked for explicitly: `expressed=False` is a deliberate answer, not a blank."""

    expressed: bool
    text: str | None = None


ActionStatus = Literal["planerad", "pagaende", "klar", "avbruten"]
Evaluation = Literal["har-hjalpt", "delvis", "inte-hjalpt", "for-tidigt"]


class PlanAction(_Model):
    what: str
    goal: str | None = None
    """What the action is meant to achieve."""
    organisation: OrganisationRef
    """Responsible: an organisation that took part, or the family or young person."""
    person: str | None = None
    due: date
    area: str
    status: ActionStatus
    evaluation: Evaluation | None = None
    """At a follow-up: how it has gone since the last meeting."""
    evaluation_comment: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("planerad", "pagaende")


class WheelNote(_Model):
    """Barnets bästa-hjulet as information gathering: one area, what works, what is hard."""

    area: str
    works: str | None = None
    challenges: str | None = None
    stage: Literal["infor", "motet"]
    """Noted when initiating (section 3) or at the meeting (section 5)."""


class Interpreter(_Model):
    language: str
    booked_by: OrganisationRef | None = None


ChildParticipation = Literal["narvarande", "hord-fore", "genom-annan", "inte"]


class PlanCopy(_Model):
    """How one party gets Barnets plan: agreed at the meeting (the answers), with what was
    recorded afterwards (`Meeting.copy_records`) applied."""

    organisation: OrganisationRef
    method: Literal["utskriven", "hamtar", "post", "mejl"]
    received: bool
    guardian: GuardianRole | None = None
    """The family's copy for one guardian, where the guardians live apart."""
    sent_on: date | None = None
    received_on: date | None = None

    @property
    def handled(self) -> bool:
        """Received, or sent after the meeting: nothing left for the coordinator to do."""
        return self.received or self.sent_on is not None


class CopyRecord(_Model):
    """A copy of Barnets plan sent or received after the meeting (`plan ID copy`). Kept apart
    from the answers, so deriving the meeting from its answers again never loses it."""

    organisation: OrganisationRef
    guardian: GuardianRole | None = None
    event: Literal["skickad", "mottagen"]
    on: date
    recorded: datetime


class Meeting(_Model):
    """One collaboration meeting: sections 3–7 of the workflow, walked again at each follow-up.

    `answers` are the raw answers the walk resumes from; the other fields are derived from them
    after every answer, for `show`, exports and scripts.
    """

    number: Annotated[int, Field(ge=1)]
    started: datetime
    answers: dict[str, dict[str, Any]] = {}
    finished: bool = False
    inviter: Inviter | None = None
    areas: list[str] = []
    held_on: date | None = None
    starts_at: str | None = None
    form: Literal["fysiskt", "digitalt"] | None = None
    interpreter: Interpreter | None = None
    place: str | None = None
    wheel_notes: list[WheelNote] = []
    invitees: list[Invitee] = []
    pre_contacts: list[PreMeetingContact] = []
    no_support_agreed_beforehand: bool | None = None
    attendees: list[OrganisationRef] = []
    guardians_present: list[GiverRole] | None = None
    """Which guardians took part, where two have custody (None: not asked)."""
    information_agreed: bool | None = None
    information_instead: str | None = None
    """What the meeting agreed on shared information, when not the workflow's words."""
    areas_discussed: list[str] = []
    child_participation: ChildParticipation | None = None
    child_participation_note: str | None = None
    """By whom the child was heard, through whom, or why not."""
    child_view: View | None = None
    """The child's own words, kept verbatim."""
    guardian_view: View | None = None
    actions: list[PlanAction] = []
    copies: list[PlanCopy] = []
    copy_records: list[CopyRecord] = []
    """What was recorded about the copies after the meeting, oldest first (not derived)."""
    coordinator: OrganisationRef | None = None
    next_meeting: date | None = None
    next_starts_at: str | None = None
    next_place: str | None = None
    """The next meeting's time and room or link, when the date answer carried them."""
    next_participants: list[OrganisationRef] = []
    further_parties: list[OrganisationRef] = []

    @property
    def next_meeting_text(self) -> str | None:
        """When and where the meeting after this one is, as agreed (None without a date)."""
        if self.next_meeting is None:
            return None
        return swedish_when(self.next_meeting, self.next_starts_at, self.next_place)

    @model_validator(mode="after")
    def _responsible_took_part(self) -> Self:
        present = {o.key() for o in self.attendees}
        for action in self.actions:
            if (
                action.organisation.id not in FAMILY_PARTIES
                and action.organisation.key() not in present
            ):
                raise ValueError(
                    f"insatsen '{action.what}' har en ansvarig verksamhet som inte deltog"
                )
        return self
