"""Handing a case over (section 7): the rules, sending the case and receiving it.

When the coordination moves to another organisation, the case moves with it, in one file
encrypted with age (`handover_file`: the envelope, the encryption and the passphrases).

The sender's copy becomes `overlamnad` (read-only); the file holds the case as it was, with the
handover recorded, so the receiver goes on with it as an activated case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError
from pyrage import x25519

from kronobarn_cli.domain.case import (
    STATUS_LABELS,
    Actor,
    Case,
    Handover,
    JournalEntry,
)
from kronobarn_cli.domain.consent import ConsentScope, status_on
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import KronobarnError, UnknownCaseError
from kronobarn_cli.interactive.case_changes import refuse_if_handed_over
from kronobarn_cli.interactive.handover_file import (
    FORMAT,
    MAX_BUNDLE_BYTES,
    MAX_IDENTITY_BYTES,
    MIN_PASSPHRASE,
    SUFFIX,
    VERSION,
    Sealing,
    case_from_envelope,
    check_new_passphrase,
    envelope,
    generate_passphrase,
    parse_recipient,
    passphrase_forms,
    passphrase_weakness,
    read_file,
    read_identities,
    seal,
    sealed_with,
    unseal,
    unseal_typed,
    valid_case,
)
from kronobarn_cli.store import Store
from kronobarn_cli.store.limits import check_case_bytes
from kronobarn_cli.support.files import write_file
from kronobarn_cli.support.validation import swedish_message

__all__ = [  # the flow, and the file's names the commands use
    "CHILD_EDITED",
    "FORMAT",
    "MAX_BUNDLE_BYTES",
    "MAX_IDENTITY_BYTES",
    "MIN_PASSPHRASE",
    "SUFFIX",
    "VERSION",
    "HandedOver",
    "Sealing",
    "case_from_envelope",
    "check_handover",
    "check_new_passphrase",
    "check_newer",
    "check_output",
    "check_reissue",
    "envelope",
    "generate_passphrase",
    "hand_over",
    "merge_journals",
    "parse_recipient",
    "passphrase_forms",
    "passphrase_weakness",
    "read_file",
    "read_identities",
    "receive",
    "receive_into",
    "reissue",
    "seal",
    "sealed_with",
    "send",
    "suggested_name",
    "unseal",
    "unseal_typed",
]


# -- The rules of a handover ----------------------------------------------------------------------


def suggested_name(case_id: str) -> str:
    """The file name a handover suggests: the case id only, nothing about the child."""
    return f"kronobarn-{case_id}{SUFFIX}"


def check_handover(case: Case, to: OrganisationRef, today: date) -> None:
    """A case is handed over only while activated, and only to an organisation that every
    required giver's consent covers today."""
    refuse_if_handed_over(case)
    if case.closed is not None:
        raise KronobarnError(f"Ärendet {case.id} är avslutat och kan inte överlämnas.")
    status = status_on(case, today)  # a consent run out acts as one withdrawn
    if status != "aktiverad":
        raise KronobarnError(
            f"Ärendet {case.id} är inte aktiverat (status: {STATUS_LABELS[status]}); "
            "bara ett aktiverat ärende kan överlämnas."
        )
    here = case.holder
    if here is not None and here.key() == to.key():
        raise KronobarnError(
            f"{to.name} har redan ärendet här. Ange den verksamhet som tar över samordningen."
        )
    scope = ConsentScope.of(case, today)
    if not scope.covers(to):
        raise KronobarnError(f"Ärendet kan inte överlämnas till {to.name}. {scope.refusal(to)}")


def check_reissue(case: Case, to: OrganisationRef, person: str | None) -> Handover:
    """A handed-over case gets a new file only for the same handover (its file or passphrase
    was lost): the same receiver, and the same person if one is named."""
    handover = case.handed_over
    assert handover is not None
    if to.key() != handover.to.key():
        refuse_if_handed_over(case)  # the new coordinator goes on; it names them
    named = person.strip() if person is not None else ""
    if named and named != (handover.person or ""):
        raise KronobarnError(
            f"Ärendet överlämnades till {handover.to.name}"
            + (f" ({handover.person})" if handover.person else "")
            + "; en ny fil görs bara för samma överlämning. Utelämna --person."
        )
    return handover


def reissue(
    store: Store,
    case: Case,
    to: OrganisationRef,
    person: str | None,
    output: Path,
    *,
    passphrase: str | None = None,
    recipient: x25519.Recipient | None = None,
    force: bool = False,
    now: datetime,
) -> Case:
    """A new file for the handover already made (the first file or its passphrase was lost):
    the case as the sender's copy holds it, which the receiver takes as the handover itself.
    The sender's copy stays read-only; its journal says a new file was made."""
    with store.locked(case.id):
        case = store.load(case.id)
        check_reissue(case, to, person)
        again = case.model_copy(deep=True)
        again.log(
            f"En ny överlämningsfil gjordes (överlämning {len(case.handovers)}).",
            now,
            store.actor,
            ["handovers"],
        )
        write_file(output, seal(envelope(again), passphrase=passphrase, recipient=recipient),
                   force=force)  # fmt: skip
        try:
            store.save(again)
        except BaseException:
            output.unlink(missing_ok=True)
            raise
    return again


@dataclass(frozen=True)
class HandedOver:
    sent: Case
    """What the file holds: the case as it was, with the handover recorded."""
    kept: Case
    """The sender's copy: the same, read-only (`overlamnad`)."""


def hand_over(
    case: Case, to: OrganisationRef, person: str | None, now: datetime, actor: Actor
) -> HandedOver:
    """The two copies of a case being handed over (nothing is written here). The journal says
    that it was handed over, and who did it; to whom is in the handover record, not in the
    journal (no names there)."""
    check_handover(case, to, now.date())
    named = person.strip() if person is not None else ""
    try:
        record = Handover(
            on=now,
            to=to,
            person=named or None,
            by=case.holder,
            by_user=actor.user,
            after_meeting=len(case.meetings),
        )
    except ValidationError as exc:
        raise KronobarnError(f"--person: {swedish_message(exc.errors()[0])}.") from None
    sent = case.model_copy(update={"handovers": [*case.handovers, record]}, deep=True)
    number = len(sent.handovers)
    sent.log(f"Ärendet överlämnades (överlämning {number}).", now, actor, ["handovers"])
    kept = Case.model_validate({**sent.model_dump(), "status": "overlamnad"})
    kept.log(f"Status: {STATUS_LABELS['overlamnad']}.", now, actor, ["status"])
    return HandedOver(sent, kept)


def check_output(path: Path, *, force: bool) -> None:
    """Before a passphrase is asked: the file can be written where it is meant to go."""
    if path.is_dir():
        raise KronobarnError(f"Kan inte skriva {path}: sökvägen är en katalog.")
    if not force and (path.exists() or path.is_symlink()):
        raise KronobarnError(f"Filen {path} finns redan. Välj ett annat namn eller använd --force.")
    if not path.parent.is_dir():
        raise KronobarnError(f"Kan inte skriva {path}: katalogen {path.parent} finns inte.")


def send(
    store: Store,
    case: Case,
    to: OrganisationRef,
    person: str | None,
    output: Path,
    *,
    passphrase: str | None = None,
    recipient: x25519.Recipient | None = None,
    force: bool = False,
    now: datetime,
) -> Case:
    """Hand the case over: the encrypted file first, complete, then the sender's copy becomes
    read-only. If the copy cannot be saved, the file is removed again: the case never leaves
    without the sender's copy saying so."""
    with store.locked(case.id):
        case = store.load(case.id)  # as it is now that this process holds it
        copies = hand_over(case, to, person, now, store.actor)
        write_file(output, seal(envelope(copies.sent), passphrase=passphrase, recipient=recipient),
                   force=force)  # fmt: skip
        try:
            store.save(copies.kept)
        except BaseException:
            output.unlink(missing_ok=True)
            raise
    return copies.kept


# -- Receiving ------------------------------------------------------------------------------------


def merge_journals(
    recorded: Sequence[JournalEntry], incoming: Sequence[JournalEntry]
) -> list[JournalEntry]:
    """The journal of a copy here, then the entries of another copy of the case that it lacks,
    by time: each entry once, and the journal here only grows (the store refuses anything else).

    The copies share the history up to the handover; an entry that happened twice in one
    journal (the same text in the same second) stays twice.
    """
    have = Counter(entry.model_dump_json() for entry in recorded)
    added: list[JournalEntry] = []
    for entry in incoming:
        key = entry.model_dump_json()
        if have[key]:
            have[key] -= 1
        else:
            added.append(entry)
    return [*recorded, *sorted(added, key=_moment)]


def _moment(entry: JournalEntry) -> float:
    try:
        return entry.at.timestamp()
    except (OverflowError, ValueError, OSError):  # a date at the edge of the calendar
        return float("-inf") if entry.at.year < 1970 else float("inf")


def receive(
    incoming: Case,
    existing: Case | None,
    *,
    replace: bool,
    now: datetime,
    source: str,
    actor: Actor,
) -> Case:
    """The case as the receiver keeps it: activated again, its journal saying it came.

    A case with the same id is replaced only when it is the same case coming back (same id,
    same creation time) and `replace` is given; the journals of both are kept.
    """
    if incoming.status == "overlamnad":  # a sender's copy: for the receiver it goes on
        incoming = valid_case({**incoming.model_dump(), "status": "aktiverad"}, source)
    if incoming.status != "aktiverad":
        raise KronobarnError(
            f"{source}: ärendet i filen är inte aktiverat (status: "
            f"{STATUS_LABELS[incoming.status]}); bara aktiverade ärenden överlämnas. "
            "Inget sparades."
        )
    journal = list(incoming.journal)
    if existing is not None:
        if existing.created != incoming.created:
            raise KronobarnError(
                f"Det finns redan ett annat ärende med id {incoming.id} här. Inget sparades."
            )
        check_newer(incoming, existing)
        if not replace:
            raise KronobarnError(
                f"Ärendet {incoming.id} finns redan här: det är samma ärende som kommer "
                "tillbaka. Ersätt din kopia med --replace (journalerna slås ihop). "
                "Inget sparades."
            )
        journal = merge_journals(existing.journal, incoming.journal)
    received = incoming.model_copy(update={"journal": journal}, deep=True)
    text = "Ärendet togs emot"
    if incoming.handovers:
        text += f" (överlämning {len(incoming.handovers)})"
    if existing is not None:
        text += " och ersatte kopian som fanns här"
    received.log(text + ".", now, actor, ["handovers"])
    return received


CHILD_EDITED = "Barnets uppgifter ändrades"
"""How the journal begins the entry of `edit` (the child's name or birth year changed)."""


def check_newer(incoming: Case, existing: Case) -> None:
    """The same case coming back replaces the copy here only when it is newer: handed over
    from here and back again (the copy here is the sender's read-only one, and its handovers
    come first in the file's). An older file, such as the one this copy was received from,
    would undo what happened here since (a withdrawn consent, a journal entry, an action).
    A withdrawal is never dropped, and the child's identity never changes without the edit
    that changed it in the file's journal."""
    dumped = [h.model_dump_json() for h in existing.handovers]
    theirs = [h.model_dump_json() for h in incoming.handovers]
    newer = (
        existing.status == "overlamnad"
        and len(theirs) > len(dumped)
        and theirs[: len(dumped)] == dumped
    )
    if not newer:
        raise KronobarnError(
            f"Filen är inte nyare än din kopia av ärendet {incoming.id}: den är en tidigare "
            "överlämning, och det som har hänt här sedan dess (t.ex. ett återkallat samtycke) "
            "skulle gå förlorat. Din kopia gäller. Inget sparades."
        )
    kept = {w.model_dump_json() for w in incoming.withdrawals}
    if any(w.model_dump_json() not in kept for w in existing.withdrawals):
        raise KronobarnError(
            f"Filen saknar ett återkallat samtycke som finns i din kopia av ärendet "
            f"{incoming.id}. Ett återkallat samtycke tas aldrig bort. Inget sparades."
        )
    if incoming.child != existing.child:
        have = {e.model_dump_json() for e in existing.journal}
        edited = any(
            e.text.startswith(CHILD_EDITED) and e.model_dump_json() not in have
            for e in incoming.journal
        )
        if not edited:
            raise KronobarnError(
                f"Barnets namn eller födelseår i filen skiljer sig från din kopia av ärendet "
                f"{incoming.id}, utan att ändringen finns i ärendets journal. Inget sparades."
            )


def receive_into(
    store: Store, incoming: Case, *, replace: bool, now: datetime, source: str
) -> tuple[Case, bool]:
    """Save a received case; returns it and whether it replaced a copy already here."""
    with store.locked(incoming.id):
        try:
            existing: Case | None = store.load(incoming.id)
        except UnknownCaseError:
            existing = None
        received = receive(
            incoming, existing, replace=replace, now=now, source=source, actor=store.actor
        )
        # Every store, before it writes: the journals joined may make it larger than either.
        check_case_bytes(len(received.model_dump_json(indent=2).encode("utf-8")) + 1, received.id)
        if existing is None:
            store.add(received)
        else:
            store.save(received)
    return received, existing is not None
