"""The handover file: its JSON envelope, age encryption (passphrase or X25519 key) and the
passphrases that open it.

The file is an age file (age-encryption.org, through pyrage) holding a small JSON envelope,
`{"format": "kronobarn-handover", "version": 1, "case": {...}}`, encrypted with a passphrase
(scrypt) or to the receiver's age public key (X25519). Nothing of the case can be read without
the passphrase or the key, and age authenticates every byte: a wrong passphrase and a damaged,
cut or changed file are refused before anything is read from it. The envelope tells a handover
from any other file that happens to be encrypted with age, or a case file renamed to look like
one.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pyrage
from pydantic import ValidationError
from pyrage import passphrase as age_passphrase
from pyrage import x25519

from kronobarn_cli.domain.case import SCHEMA_VERSION, Case
from kronobarn_cli.domain.migrations import migrate
from kronobarn_cli.errors import InputFileError, KronobarnError, WrongPassphraseError, os_error_text
from kronobarn_cli.store.case_codec import MAX_CASE_BYTES, has_lone_surrogate
from kronobarn_cli.store.limits import check_case_data
from kronobarn_cli.support.ids import ID_ALPHABET
from kronobarn_cli.support.validation import describe

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
    return valid_case(migrate(data), source)


def valid_case(data: dict[str, object], source: str) -> Case:
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
