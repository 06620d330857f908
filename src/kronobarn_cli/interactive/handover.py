"""Handing a case over (section 7): the whole case in one file, encrypted with age.

When the coordination moves to another organisation, the case moves with it. The file is an
age file (age-encryption.org, through pyrage) holding a small JSON envelope,
`{"format": "kronobarn-handover", "version": 1, "case": {...}}`, encrypted with a passphrase
(scrypt) or to the receiver's age public key (X25519). Nothing of the case can be read without
the passphrase or the key, and age authenticates every byte: a wrong passphrase and a damaged,
cut or changed file are refused before anything is read from it. The envelope tells a handover
from any other file that happens to be encrypted with age, or a case file renamed to look like
one.

The sender's copy becomes `overlamnad` (read-only); the file holds the case as it was, with the
handover recorded, so the receiver goes on with it as an activated case.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import pyrage
from pydantic import ValidationError
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from kronobarn_cli.domain.case import (
    SCHEMA_VERSION,
    STATUS_LABELS,
    Actor,
    Case,
    Handover,
    JournalEntry,
)
from kronobarn_cli.domain.consent import ConsentScope, status_on
from kronobarn_cli.domain.migrations import migrate
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import (
    InputFileError,
    KronobarnError,
    UnknownCaseError,
    WrongPassphraseError,
    os_error_text,
)
from kronobarn_cli.interactive.walk import refuse_if_handed_over
from kronobarn_cli.store import Store
from kronobarn_cli.store.case_files import MAX_CASE_BYTES, has_lone_surrogate
from kronobarn_cli.store.limits import check_case_bytes, check_case_data
from kronobarn_cli.support.files import write_file
from kronobarn_cli.support.ids import ID_ALPHABET
from kronobarn_cli.support.validation import describe, swedish_message

FORMAT = "kronobarn-handover"
VERSION = 1
"""The envelope's version; a file of a later version is refused with a clear message."""
SUFFIX = ".age"
MIN_PASSPHRASE = 12
"""The file travels by e-mail and can be attacked offline; age's scrypt slows each guess, a
short passphrase still falls."""
# The case (at most the store's 10 MB), its envelope and age's 16 bytes per 64 kB.
MAX_BUNDLE_BYTES = 2 * MAX_CASE_BYTES
MAX_IDENTITY_BYTES = 100_000

_AGE_MAGIC = b"age-encryption.org/v1\n"
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)

Sealing = Literal["passphrase", "key"]


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
        incoming = _validated({**incoming.model_dump(), "status": "aktiverad"}, source)
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


# -- The file -------------------------------------------------------------------------------------


def envelope(case: Case) -> bytes:
    document = {"format": FORMAT, "version": VERSION, "case": case.model_dump(mode="json")}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def case_from_envelope(plain: bytes, source: str) -> Case:
    """The case a decrypted file holds, migrated from an older schema and validated."""
    not_ours = KronobarnError(
        f"{source}: innehållet är ingen överlämning från kronobarn. Inget sparades."
    )
    try:
        document = json.loads(plain)
    except (ValueError, RecursionError):
        raise not_ours from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise not_ours
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise not_ours
    if version > VERSION:
        raise KronobarnError(
            f"{source} gjordes av en nyare version av kronobarn (överlämningsformat {version}). "
            "Uppdatera kronobarn och försök igen. Inget sparades."
        )
    data = document.get("case")
    if not isinstance(data, dict):
        raise not_ours
    check_case_data(data, source)
    schema = data.get("schema_version", 1)
    if isinstance(schema, bool) or schema not in range(1, SCHEMA_VERSION + 1):
        raise KronobarnError(
            f"{source}: ärendet har schema_version {schema}, som denna version av kronobarn "
            "inte kan läsa. Uppdatera kronobarn och försök igen. Inget sparades."
        )
    if has_lone_surrogate(plain, data):
        raise KronobarnError(
            f"{source}: ärendet i filen är ogiltigt (ett \\u-tecken som inte finns). "
            "Inget sparades."
        )
    return _validated(migrate(data), source)


def _validated(data: dict[str, object], source: str) -> Case:
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise KronobarnError(
            f"{source}: ärendet i filen är ogiltigt: {describe(exc.errors()[0])}. Inget sparades."
        ) from None


def seal(
    plain: bytes, *, passphrase: str | None = None, recipient: x25519.Recipient | None = None
) -> bytes:
    """Encrypt to the recipient's key, else with the passphrase."""
    try:
        if recipient is not None:
            return pyrage.encrypt(plain, [recipient])
        if passphrase is None:
            raise KronobarnError("En lösenfras eller en mottagares nyckel behövs.")
        return age_passphrase.encrypt(plain, passphrase)
    except pyrage.EncryptError:
        raise KronobarnError("Filen kunde inte krypteras. Inget skrevs.") from None


def read_file(path: Path) -> bytes:
    """A handover file as bytes: a plain file of sensible size."""
    return _read(path, MAX_BUNDLE_BYTES, "Filen")


def sealed_with(data: bytes, source: str) -> Sealing:
    """What opens a handover file, from its header: a passphrase, or the receiver's key."""
    if not data.startswith(_AGE_MAGIC):
        if _is_json(data):
            raise KronobarnError(
                f"{source} är okrypterad JSON, ingen överlämningsfil. En överlämning görs med "
                "'kronobarn handover' och är alltid krypterad. Inget sparades."
            )
        raise KronobarnError(
            f"{source} är ingen överlämningsfil från kronobarn (den är inte krypterad med age). "
            "Inget sparades."
        )
    header = data.split(b"\n---", 1)[0]
    stanzas = [line[3:].split(b" ", 1)[0] for line in header.split(b"\n") if line[:3] == b"-> "]
    return "passphrase" if b"scrypt" in stanzas else "key"


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")


def passphrase_forms(typed: str) -> list[str]:
    """What a typed passphrase may have been sealed as: as typed, then with its words joined by
    dashes or by single spaces (a passphrase read aloud is typed either way), and a passphrase
    kronobarn made (five groups of four) in its own form, in any case and with any separators."""
    words = [w for w in _SEPARATORS.split(typed.strip()) if w]
    forms = [typed, "-".join(words), " ".join(words)]
    compact = "".join(words).casefold()
    if len(compact) == 20 and all(c in ID_ALPHABET for c in compact):
        forms.append("-".join(compact[i : i + 4] for i in range(0, 20, 4)))
    return [f for i, f in enumerate(forms) if f and f not in forms[:i]]


def unseal_typed(data: bytes, source: str, typed: str) -> bytes:
    """Decrypt with a passphrase as a person typed it (see `passphrase_forms`)."""
    failure: WrongPassphraseError | None = None
    for form in passphrase_forms(typed) or [typed]:
        try:
            return unseal(data, source, passphrase=form)
        except WrongPassphraseError as exc:
            failure = exc
    assert failure is not None
    raise failure


def unseal(
    data: bytes,
    source: str,
    *,
    passphrase: str | None = None,
    identities: Sequence[x25519.Identity] = (),
) -> bytes:
    """Decrypt and authenticate a handover file; every failure is one Swedish line."""
    try:
        if passphrase is not None:
            return age_passphrase.decrypt(data, passphrase)
        return pyrage.decrypt(data, list(identities))
    except (pyrage.DecryptError, pyrage.IdentityError, ValueError) as exc:
        message = _decrypt_failure(source, str(exc), passphrase is not None)
        if passphrase is not None and "fel lösenfras" in message:
            raise WrongPassphraseError(message) from None
        raise KronobarnError(message) from None


def _decrypt_failure(source: str, detail: str, with_passphrase: bool) -> str:
    # pyrage's messages are English and terse; these are the ones its tests show.
    lowered = detail.casefold()
    if "fill whole buffer" in lowered or "incomplete" in lowered:
        why = "filen är ofullständig (avklippt) eller skadad"
    elif "no matching keys" in lowered:
        why = "filen är krypterad för någon annans nyckel (eller skadad)"
    elif with_passphrase:
        why = "fel lösenfras, eller så är filen skadad eller ändrad"
    else:
        why = "filen är skadad eller ändrad"
    return f"{source} kan inte öppnas: {why}. Inget sparades."


def parse_recipient(text: str) -> x25519.Recipient:
    """The receiver's age public key (`age1…`); the key itself never appears in an error."""
    value = text.strip()
    if value.upper().startswith("AGE-SECRET-KEY-"):
        raise KronobarnError(
            "--recipient: det där är en hemlig nyckel. Ange mottagarens publika nyckel "
            "(age1…); den hemliga nyckeln ska stanna hos mottagaren."
        )
    try:
        return x25519.Recipient.from_str(value)
    except (pyrage.RecipientError, ValueError):
        raise KronobarnError(
            "--recipient: ingen giltig age-nyckel. En mottagares publika nyckel börjar med "
            "age1 (age-keygen -y visar den)."
        ) from None


def read_identities(path: Path) -> list[x25519.Identity]:
    """The age identities (`AGE-SECRET-KEY-1…`) in a key file, as age-keygen writes it."""
    raw = _read(path, MAX_IDENTITY_BYTES, "Nyckelfilen")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputFileError(str(path), None, "ingen age-nyckelfil (inte UTF-8)") from None
    identities = []
    for number, line in enumerate(text.splitlines(), 1):
        key = line.strip()
        if not key or key.startswith("#"):
            continue
        try:
            identities.append(x25519.Identity.from_str(key))
        except (pyrage.IdentityError, ValueError):
            raise InputFileError(
                str(path), number, "raden är ingen age-nyckel (AGE-SECRET-KEY-1…)"
            ) from None
    if not identities:
        raise InputFileError(str(path), None, "ingen age-nyckel (AGE-SECRET-KEY-1…) i filen")
    return identities


def _read(path: Path, limit: int, what: str) -> bytes:
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise KronobarnError(f"{what} {path} kan inte läsas: {os_error_text(exc)}.") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a directory, or a FIFO that would hang
        os.close(fd)
        raise KronobarnError(f"{what} {path} är ingen vanlig fil.")
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(limit + 1)
        except OSError as exc:
            raise KronobarnError(f"{what} {path} kan inte läsas: {os_error_text(exc)}.") from None
    if len(raw) > limit:
        raise KronobarnError(f"{what} {path} är större än {limit // 1_000_000 or 1} MB.")
    return raw


def generate_passphrase() -> str:
    """Five groups of four from the case-id alphabet (about 99 bits): read aloud over the
    phone without letters or digits to mix up."""
    return "-".join("".join(secrets.choice(ID_ALPHABET) for _ in range(4)) for _ in range(5))


def passphrase_weakness(text: str) -> str | None:
    """Why a new passphrase is too weak, or None. Spaces at the ends and runs of spaces inside do
    not count, and one character (or a unit of up to three) repeated is no passphrase."""
    counted = " ".join(text.split())
    if len(counted) < MIN_PASSPHRASE:
        return f"Lösenfrasen är för kort: minst {MIN_PASSPHRASE} tecken, mellanslag oräknade."
    bare = counted.replace(" ", "")
    if any(bare == bare[:n] * (len(bare) // n) for n in (1, 2, 3)):
        return "Lösenfrasen är för svag: samma tecken upprepade."
    return None


def check_new_passphrase(text: str) -> str:
    weakness = passphrase_weakness(text)
    if weakness is not None:
        raise KronobarnError(f"{weakness} Förslag: {generate_passphrase()}")
    return text
