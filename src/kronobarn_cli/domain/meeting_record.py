"""A meeting built from its answers (sections 3–7): its fields, wheel notes, the plan's copies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from kronobarn_cli.checklists.vocabulary import FAMILY
from kronobarn_cli.domain.consent import giver_word
from kronobarn_cli.domain.meeting import (
    CopyRecord,
    Interpreter,
    Invitee,
    Inviter,
    PlanAction,
    PlanCopy,
    PreMeetingContact,
    View,
    WheelNote,
)
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.domain.rules import FlatAnswers, refs
from kronobarn_cli.support.text import swedish_date


def _view(answers: FlatAnswers, given: str, text: str) -> View | None:
    """A view asked for explicitly: an empty answer records that none was expressed."""
    if given in answers:  # recorded before the question became one text (kept as it was)
        return View(expressed=answers[given], text=answers.get(text) if answers[given] else None)
    if text not in answers:
        return None
    words = answers[text] or None
    return View(expressed=words is not None, text=words)


def meeting_fields(
    answers: FlatAnswers, copy_records: Iterable[Mapping[str, Any] | CopyRecord] = ()
) -> dict[str, Any]:
    """The derived fields of a `Meeting` from the answers to sections 3–7, with the copies
    recorded after the meeting applied (those records are not derived, and stay)."""
    held_on = answers.get("mote-datum")
    next_meeting = answers.get("nasta-mote")
    coordinator = answers.get("samordnare")
    inviter = None
    if all(k in answers for k in ("inbjudare", "inbjudare-verksamhet", "inbjudare-kontakt")):
        inviter = Inviter(
            name=answers["inbjudare"],
            organisation=OrganisationRef(**answers["inbjudare-verksamhet"]),
            contact=answers["inbjudare-kontakt"],
        )
    return {
        "inviter": inviter,
        "areas": answers.get("omraden", []),
        "held_on": date.fromisoformat(held_on) if held_on else None,
        "starts_at": answers.get("mote-tid"),
        "form": str(answers["mote-form"]).split("-")[0] if answers.get("mote-form") else None,
        "interpreter": Interpreter(
            language=answers["tolk-sprak"],
            booked_by=OrganisationRef(**answers["tolk-bokar"]) if "tolk-bokar" in answers else None,
        )
        if answers.get("tolk-sprak")
        else None,
        "wheel_notes": _wheel_notes(answers),
        "place": answers.get("mote-plats"),
        "invitees": [
            Invitee(
                organisation=OrganisationRef(**item["verksamhet"]),
                person=item.get("person") or None,
                method=item["satt"],
                letter_by=item.get("brev"),
                sent_on=date.fromisoformat(item["skickad"]),
                established_contact=item.get("etablerad-kontakt"),
            )
            for item in answers.get("inbjudna", [])
        ],
        "pre_contacts": [
            PreMeetingContact(
                organisation=OrganisationRef(**item["verksamhet"]),
                purpose=item["syfte"],
                on=date.fromisoformat(item["datum"]),
            )
            for item in answers.get("kontakter", [])
        ],
        "no_support_agreed_beforehand": answers.get("inget-formote"),
        "attendees": refs(answers.get("deltagare")),
        "guardians_present": answers.get("vardnadshavare-deltog"),
        "information_agreed": answers.get("information-nrp"),
        "information_instead": answers.get("information-overenskommelse"),
        "areas_discussed": answers.get("omraden-motet", []),
        "child_participation": answers.get("barnets-delaktighet"),
        "child_participation_note": answers.get("barnets-delaktighet-hur"),
        "child_view": _view(answers, "barnets-asikter-lamnade", "barnets-asikter"),
        "guardian_view": _view(
            answers, "vardnadshavares-asikter-lamnade", "vardnadshavares-asikter"
        ),
        "actions": [action_from_item(item) for item in answers.get("atgarder", [])],
        "copies": apply_copy_records(
            _copies(answers), [CopyRecord.model_validate(r) for r in copy_records]
        ),
        "coordinator": OrganisationRef(**coordinator) if coordinator else None,
        "next_meeting": date.fromisoformat(next_meeting) if next_meeting else None,
        "next_starts_at": answers.get("nasta-tid") or None,
        "next_place": answers.get("nasta-plats") or None,
        "next_participants": refs(answers.get("nasta-deltagare")),
        "further_parties": refs(answers.get("ytterligare-parter")),
    }


WHEEL_NOTE_STEPS = (("omraden-anteckningar", "infor"), ("omraden-motet-anteckningar", "motet"))


def _wheel_notes(answers: FlatAnswers) -> list[WheelNote]:
    """What works and what is hard, per area, as noted before and at the meeting."""
    return [
        WheelNote(
            area=item["omrade"],
            works=item.get("fungerar") or None,
            challenges=item.get("utmanande") or None,
            stage=stage,
        )
        for step_id, stage in WHEEL_NOTE_STEPS
        for item in answers.get(step_id, [])
        if item.get("fungerar") or item.get("utmanande")
    ]


def _copies(answers: FlatAnswers) -> list[PlanCopy]:
    """How each party gets Barnets plan; "all printed at the meeting" covers the family and
    every participant at once."""
    if answers.get("kopior-utskrivna") is True:
        parties = [FAMILY_COPY, *refs(answers.get("deltagare"))]
        return [PlanCopy(organisation=o, method="utskriven", received=True) for o in parties]
    return [
        PlanCopy(
            organisation=OrganisationRef(**item["verksamhet"]),
            method=item["satt"],
            received=item["har-fatt"],
        )
        for item in answers.get("kopior", [])
    ]


FAMILY_COPY = OrganisationRef(id=FAMILY, name="Familjen")


def guardian_copy_name(guardian: str) -> str:
    """`Familjen (vårdnadshavare 1)`: the family's copy for one guardian."""
    return f"{FAMILY_COPY.name} ({giver_word(guardian)})"


def copy_received_words(copy: PlanCopy) -> str:
    """ "ja", "ja, 5 december 2026", "nej, skickad 5 december 2026" or "nej"."""
    if copy.received:
        return f"ja, {swedish_date(copy.received_on)}" if copy.received_on else "ja"
    return f"nej, skickad {swedish_date(copy.sent_on)}" if copy.sent_on else "nej"


def apply_copy_records(copies: list[PlanCopy], records: Iterable[CopyRecord]) -> list[PlanCopy]:
    """The copies as agreed at the meeting, then each record made afterwards, in order (a later
    record about the same copy corrects an earlier one). A record for one guardian splits the
    family's copy into one per guardian, each starting from what was agreed for the family."""
    result = list(copies)
    for record in records:
        key = record.organisation.key()
        if record.guardian is not None:
            family = next(
                (c for c in result if c.organisation.key() == key and c.guardian is None), None
            )
            if family is not None:
                at = result.index(family)
                result[at : at + 1] = [
                    family.model_copy(
                        update={
                            "guardian": g,
                            "organisation": OrganisationRef(id=FAMILY, name=guardian_copy_name(g)),
                        }
                    )
                    for g in ("vardnadshavare-1", "vardnadshavare-2")
                ]
        for index, copy in enumerate(result):
            if copy.organisation.key() != key or copy.guardian != record.guardian:
                continue
            if record.event == "mottagen":
                update: dict[str, Any] = {"received": True, "received_on": record.on}
            else:
                update = {"sent_on": record.on}
            result[index] = copy.model_copy(update=update)
    return result


def action_from_item(item: Mapping[str, Any]) -> PlanAction:
    return PlanAction(
        what=item["vad"],
        goal=item.get("mal") or None,
        organisation=OrganisationRef(**item["ansvarig"]),
        person=item.get("person") or None,
        due=date.fromisoformat(item["senast"]),
        area=item["omrade"],
        status=item["status"],
        evaluation=item.get("utfall"),
        evaluation_comment=item.get("utfall-kommentar") or None,
    )


def carried_items(step_records: str | None, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items of a group that a follow-up meeting starts from: for the plan, open actions only."""
    if step_records == "action":
        return [i for i in items if action_from_item(i).is_open]
    return list(items)
