"""Checking one answer before it is kept: prompts, replayed answer files and plan verbs alike.

The stored form is plain JSON (dates as ISO strings); a refused answer is an AnswerError with
a Swedish message, and organisations are held against the consent's scope where a step says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from kronobarn_cli.checklists.schema import FieldSpec, Step, Workflow
from kronobarn_cli.checklists.vocabulary import OTHER_ORGANISATION
from kronobarn_cli.domain.consent import GUARDIAN_2
from kronobarn_cli.domain.engine import Facts, holds
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.domain.rules import (
    SPECIALIST,
    FlatAnswers,
    Scopes,
    specialist_refusal,
)
from kronobarn_cli.errors import AnswerError, OutsideScopeError, SpecialistError
from kronobarn_cli.support.dates import (
    Direction,
    parse_date,
    parse_time,
    skipped_in_sweden,
    skipped_time_refusal,
    split_place,
    split_time,
)
from kronobarn_cli.support.text import has_control_characters, join_swedish, swedish_date

MAX_TEXT = 2000


def validate_answer(
    spec: FieldSpec,
    raw: Any,
    workflow: Workflow,
    today: date,
    scopes: Scopes | None = None,
    *,
    answers: FlatAnswers | None = None,
) -> Any:
    """The stored (JSON) form of an answer, or AnswerError with a Swedish message.

    With `scopes`, organisations are checked against consent or the meeting's participants as
    the step declares (`within`); replayed answers get the same checks as typed ones.
    """
    kind = spec.kind
    if kind == "text":
        return _text(spec, raw)
    if kind in ("confirm", "info"):
        value = _boolean(raw)
        if kind == "info" and value is not True:
            raise AnswerError("Bekräfta punkten för att gå vidare.")
        return value
    if kind == "select":
        return _option(spec, raw)
    if kind == "checkbox":
        if not spec.required and raw is None:
            return None  # left out of an answers file: not recorded
        values = _list(raw)
        chosen = [_option(spec, v) for v in values]
        _need_some(spec, chosen, "Välj minst ett alternativ.")
        return list(dict.fromkeys(chosen))
    if kind == "date":
        if isinstance(raw, datetime):  # an unquoted YAML timestamp: the date and its time
            raw = f"{raw:%Y-%m-%d %H:%M}"
        if not spec.required and (raw is None or (isinstance(raw, str) and not raw.strip())):
            return None
        time = None
        if isinstance(raw, str):
            raw, time, place = date_parts(spec, raw)
            if place is not None:
                _text(spec, place)
        day = validate_date(raw, spec.date_range, today)
        if time is not None and skipped_in_sweden(day, time):
            raise AnswerError(skipped_time_refusal(day, time))
        earlier = (answers or {}).get(spec.after) if spec.after else None
        if earlier is not None and day <= date.fromisoformat(earlier):
            shown = swedish_date(date.fromisoformat(earlier))
            raise AnswerError(f"Datumet måste ligga efter {shown}.")
        return day.isoformat()
    if kind == "time":
        if not spec.required and (raw is None or (isinstance(raw, str) and not raw.strip())):
            return None
        return validate_time(raw)
    if kind == "organisation":
        org = _organisation(raw, workflow)
        _check_scope(spec, org, scopes, workflow)
        return org
    if kind == "organisations":
        orgs = [_organisation(v, workflow) for v in _list(raw)]
        _need_some(spec, orgs, "Välj minst en verksamhet.")
        unique = list({(o["id"], o["name"].casefold()): o for o in orgs}.values())
        for org in unique:
            _check_scope(spec, org, scopes, workflow)
        return unique
    if kind == "area":
        return _area(raw, workflow)
    if kind == "areas":
        areas = [_area(v, workflow) for v in _list(raw)]
        _need_some(spec, areas, "Välj minst ett område.")
        return list(dict.fromkeys(areas))
    assert isinstance(spec, Step) and kind == "repeat"
    items = [
        validate_item(spec, item, workflow, today, scopes, answers=answers) for item in _list(raw)
    ]
    if spec.required and len(items) < spec.min_items:
        raise AnswerError(f"Minst {spec.min_items} behövs.")
    if spec.for_each == "participants" and scopes is not None:
        _covers_participants(spec, items, scopes)
    return items


def item_fields(step: Step, item: Mapping[str, Any], workflow: Workflow) -> list[FieldSpec]:
    """The fields asked for this item: those for another kind of organisation are skipped."""
    first = step.fields[0]
    org = item.get(first.id) if first.kind == "organisation" else None
    org_id = org.get("id") if isinstance(org, Mapping) else org
    directory = workflow.organisation(str(org_id)) if org_id is not None else None
    kind = directory.kind if directory is not None else None
    return [
        f
        for f in step.fields
        if (f.for_kind is None or f.for_kind == kind)
        and (f.when is None or holds(f.when, item, Facts()))
    ]


def validate_item(
    step: Step,
    raw: Any,
    workflow: Workflow,
    today: date,
    scopes: Scopes | None = None,
    *,
    answers: FlatAnswers | None = None,
) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise AnswerError("Varje post ska vara en mappning av fält och svar.")
    unknown = set(raw) - {f.id for f in step.fields}
    if unknown:
        raise AnswerError(f"Okänt fält: {sorted(unknown)[0]}.")
    item: dict[str, Any] = {}
    missing: list[FieldSpec] = []
    asked = item_fields(step, raw, workflow)
    for spec in step.fields:
        if spec not in asked and spec.default is not None and spec.for_kind is None:
            item[spec.id] = spec.default  # not asked for this item: its stated default holds
    for spec in asked:
        if spec.id not in raw:
            if spec.default is not None:
                item[spec.id] = spec.default
            elif spec.required:
                missing.append(spec)
            continue
        # A finished or cancelled action keeps its history and its owner: no new one is
        # needed because the owner did not attend, or its consent was withdrawn since.
        closed = step.records == "action" and raw.get("status") in CLOSED_ACTION_STATUSES
        checked = None if closed and spec.kind == "organisation" else scopes
        try:
            value = validate_answer(spec, raw[spec.id], workflow, today, checked)
        except AnswerError as exc:
            exc.message = f"{spec.prompt}: {exc.message}"
            exc.field = spec.id
            raise
        if value is not None:
            item[spec.id] = value
    if step.records == "invitee" and "verksamhet" in item:
        try:
            _specialist_rule(item, workflow)
        except SpecialistError as exc:
            exc.field = step.fields[0].id
            raise
    if missing:
        error = AnswerError(f"{missing[0].prompt}: svar saknas.")
        error.field = missing[0].id
        raise error
    if step.records == "consent":
        _consent_item(step, item, workflow, answers or {})
    return item


def _consent_item(
    step: Step, item: dict[str, Any], workflow: Workflow, answers: FlatAnswers
) -> None:
    """A consent names a giver the case has, and ends (if at all) after it was given."""
    if item.get("roll") == GUARDIAN_2 and answers.get("vardnadshavare-antal") != "2":
        error = AnswerError(
            "Ärendet har en vårdnadshavare med vårdnad; välj Vårdnadshavare 1 "
            "(eller ändra antalet vårdnadshavare)."
        )
        error.field = "roll"
        raise error
    given = item.get("datum")
    if given is None:
        return
    until = item.get("giltigt-till")
    days = workflow.section_of(step.id).consent_valid_days
    if until is None and days is not None:
        item["giltigt-till"] = (date.fromisoformat(given) + timedelta(days=days)).isoformat()
    elif until is not None and until < given:
        error = AnswerError(
            f"Samtycket kan inte gälla till ett datum före det lämnades "
            f"({swedish_date(date.fromisoformat(given))})."
        )
        error.field = "giltigt-till"
        raise error


def _specialist_rule(item: Mapping[str, Any], workflow: Workflow, *, partial: bool = False) -> None:
    """Specialist care is invited only with an established care contact relevant to the meeting.

    With `partial`, only a "no" already given counts (so the user hears it at once).
    """
    org = workflow.organisation(item["verksamhet"]["id"]) if "verksamhet" in item else None
    if org is None or org.kind != SPECIALIST:
        return
    answers = (item.get("etablerad-kontakt"), item.get("kontakt-relevant"))
    if answers == (True, True) or (partial and False not in answers):
        return
    raise SpecialistError(specialist_refusal(org, workflow), list(org.counterparts))


def check_partial_item(step: Step, item: Mapping[str, Any], workflow: Workflow) -> None:
    """Rules that can refuse a group item before all its fields are answered."""
    if step.records == "invitee":
        try:
            _specialist_rule(item, workflow, partial=True)
        except SpecialistError as exc:
            exc.field = step.fields[0].id
            raise


def _check_scope(
    spec: FieldSpec, org: dict[str, str], scopes: Scopes | None, workflow: Workflow
) -> None:
    entry = workflow.organisation(org["id"])
    if entry is not None and entry.kind == "familj":
        if spec.family:
            return  # an action the family owns, their copy: no consent needed
        raise AnswerError(f"{org['name']} kan inte anges här; familjen är alltid med i samverkan.")
    if scopes is None:
        return
    ref = OrganisationRef(**org)
    directory = workflow.organisation(ref.id) if spec.specialist_rule else None
    if directory is not None and directory.kind == SPECIALIST and ref.id not in scopes.established:
        raise SpecialistError(specialist_refusal(directory, workflow), list(directory.counterparts))
    if spec.within is None or scopes.allows(spec.within, ref):
        return
    present = {o.key() for o in scopes.participants or []}
    if spec.within == "participants" and ref.key() not in present:
        raise OutsideScopeError(
            f"{org['name']} deltog inte i mötet. Här kan bara mötets deltagare anges.",
            "participants",
            org,
        )
    assert scopes.consent is not None  # `allows` refused for want of consent
    consent = scopes.consent
    givers: list[str] = list(consent.missing_givers(ref))
    raise OutsideScopeError(consent.refusal(ref), "consent", org, givers)


def _covers_participants(step: Step, items: list[dict[str, Any]], scopes: Scopes) -> None:
    named = {OrganisationRef(**i[step.fields[0].id]).key() for i in items}
    missing = [o.name for o in scopes.participants or [] if o.key() not in named]
    if missing:
        raise AnswerError(f"Varje deltagare ska finnas med; saknas: {join_swedish(missing)}.")


CLOSED_ACTION_STATUSES = ("klar", "avbruten")
"""The statuses of an action that no longer goes on (the others are planned and ongoing)."""


def date_parts(spec: FieldSpec, raw: str) -> tuple[str, str | None, str | None]:
    """A date answer's date, and the time and place it may carry where the step allows them
    (`20 jan kl 13, Centralskolan`)."""
    place = None
    if spec.with_place:
        raw, place = split_place(raw)
    time = None
    if spec.with_time:
        raw, time = split_time(raw)
    return raw, parse_time(time, hour_alone=True) if time is not None else None, place


def validate_time(raw: Any) -> str:
    return parse_time(str(raw))


def validate_date(raw: Any, date_range: str, today: date) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        value = raw
    else:
        direction: Direction = (
            "past" if date_range == "past" else ("future" if date_range == "future" else "any")
        )
        value = parse_date(str(raw), today, direction)
    if date_range == "past" and value > today:
        raise AnswerError("Datumet får inte ligga i framtiden.")
    if date_range == "future" and value <= today:
        raise AnswerError("Datumet måste ligga i framtiden.")
    return value


def _text(spec: FieldSpec, raw: Any) -> str:
    if not isinstance(raw, str):
        raise AnswerError("Svaret ska vara text.")
    value = raw.strip()
    if not value and spec.required:
        raise AnswerError("Svaret får inte vara tomt.")
    if has_control_characters(value, allow_newline=True):
        raise AnswerError("Texten innehåller otillåtna kontrolltecken.")
    if len(value) > MAX_TEXT:
        raise AnswerError(f"Texten är för lång (högst {MAX_TEXT} tecken).")
    return value


_TRUE = {"ja", "j", "yes", "true"}
_FALSE = {"nej", "n", "no", "false"}


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise AnswerError("Svara ja eller nej.")


def _option(spec: FieldSpec, raw: Any) -> str:
    value = str(raw)
    if value not in spec.option_values():
        raise AnswerError(
            f"Ogiltigt val '{value}'. Välj ett av: {', '.join(spec.option_values())}."
        )
    return value


def _list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise AnswerError("Svaret ska vara en lista.")
    return raw


def _need_some(spec: FieldSpec, values: list[Any], message: str) -> None:
    if spec.required and not values:
        raise AnswerError(message)


def organisation_answer(raw: Any, workflow: Workflow) -> dict[str, str]:
    """An organisation given by id or `{id: annan, name: ...}`, as stored (AnswerError if not)."""
    return _organisation(raw, workflow)


def _organisation(raw: Any, workflow: Workflow) -> dict[str, str]:
    """`"skola"` or `{"id": "annan", "name": "Föreningen X"}` → `{"id": ..., "name": ...}`."""
    if isinstance(raw, Mapping):
        org_id, name = str(raw.get("id", "")), raw.get("name")
    elif str(raw).startswith(f"{OTHER_ORGANISATION}:"):  # `annan:Föreningen X` in options
        org_id, name = OTHER_ORGANISATION, str(raw).split(":", 1)[1]
    else:
        org_id, name = str(raw), None
    found = workflow.organisations_named(org_id)
    if not found:
        known = join_swedish(o.id for o in workflow.organisations)
        raise AnswerError(f"Okänd verksamhet '{org_id}'. Kända: {known}.")
    if len(found) > 1:
        which = join_swedish((o.id for o in found), last="eller")
        raise AnswerError(f"Verksamheten '{org_id}' kan vara {which}. Ange id:t.")
    org = found[0]
    if org.id != OTHER_ORGANISATION:
        return {"id": org.id, "name": org.name}
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise AnswerError("Skriv namnet på den andra verksamheten.")
    if has_control_characters(text) or len(text) > 200:
        raise AnswerError("Namnet på verksamheten innehåller otillåtna tecken eller är för långt.")
    return {"id": OTHER_ORGANISATION, "name": text}


def _area(raw: Any, workflow: Workflow) -> str:
    value = str(raw)
    if workflow.area(value) is None:
        known = ", ".join(a.id for a in workflow.areas)
        raise AnswerError(f"Okänt område '{value}'. Kända: {known}.")
    return value
