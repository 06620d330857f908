"""The coordinator's profile: name, organisation and how they are reached, remembered between
cases in the user's config folder (platformdirs), never in a case.

A walk that uses it answers "Ditt namn" and "Hur du nås" with it and opens the case for its
organisation; the journal's *who* stays the user account, as before. The file is the user's
own, but read as untrusted input all the same: anything that does not fit is reported in one
line and the walk asks as if there were no profile.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kronobarn_cli.errors import KronobarnError, os_error_text
from kronobarn_cli.support.files import atomic_write
from kronobarn_cli.support.text import has_control_characters

FILE_NAME = "profil.json"
MAX_LENGTH = 200
MAX_BYTES = 16_384


@dataclass(frozen=True)
class Profile:
    name: str
    organisation_id: str
    organisation_name: str
    contact: str

    def words(self) -> str:
        """`Anna Lindqvist (Skola), 0470-123 45`."""
        return f"{self.name} ({self.organisation_name}), {self.contact}"


class ProfileError(KronobarnError):
    """The profile file cannot be used; the walk goes on without it."""


def path() -> Path:
    """`profil.json` in the user's config folder (KRONOBARN_CONFIG overrides it)."""
    configured = os.environ.get("KRONOBARN_CONFIG")
    if configured:
        return Path(configured) / FILE_NAME
    import platformdirs  # noqa: PLC0415 - only where a profile is used

    return Path(platformdirs.user_config_dir("kronobarn", appauthor=False)) / FILE_NAME


def _field(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"fältet '{key}' saknas eller är tomt")
    value = " ".join(value.split())
    if len(value) > MAX_LENGTH or has_control_characters(value):
        raise ProfileError(f"fältet '{key}' är för långt eller har otillåtna tecken")
    return value


def parse(raw: bytes) -> Profile:
    """A profile from the file's bytes, or ProfileError saying what does not fit."""
    if len(raw) > MAX_BYTES:
        raise ProfileError("filen är för stor")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProfileError("filen är inte giltig JSON") from None
    if not isinstance(data, dict):
        raise ProfileError("filen ska innehålla ett objekt")
    return checked(data)


def checked(data: dict[str, Any]) -> Profile:
    """A profile from its fields as the file holds them (`name`, `organisation: {id, name}`,
    `contact`), or ProfileError saying which does not fit: the file, `profile set` and the
    offer after a first case are held to the same limits."""
    organisation = data.get("organisation")
    if not isinstance(organisation, dict):
        raise ProfileError("fältet 'organisation' saknas")
    return Profile(
        name=_field(data, "name"),
        organisation_id=_field(organisation, "id"),
        organisation_name=_field(organisation, "name"),
        contact=_field(data, "contact"),
    )


def load(notice: Callable[[str], None] | None = None) -> Profile | None:
    """The saved profile, None if there is none; ProfileError if the file cannot be used,
    as when others may change it (it names the user in plans and invitations). `notice` is
    told when others may read it."""
    where = path()
    try:
        fd = os.open(where, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProfileError(f"Profilen {where} kan inte läsas ({os_error_text(exc)}).") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # a device or a FIFO would never end
            raise ProfileError(f"Profilen {where} kan inte användas: den är ingen vanlig fil.")
        rights = f"rättigheter {stat.S_IMODE(mode):o}). Skydda den med: chmod 600 {where}"
        if mode & 0o022:
            raise ProfileError(
                f"Profilen {where} används inte: andra användare kan ändra den ({rights}"
            )
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ProfileError(f"Profilen {where} kan inte läsas ({os_error_text(exc)}).") from None
    try:
        saved = parse(raw)
    except ProfileError as exc:
        raise ProfileError(f"Profilen {where} kan inte användas: {exc.message}.") from None
    if mode & 0o044 and notice is not None:
        notice(f"Varning: {where} kan läsas av andra användare ({rights}")
    return saved


def save(profile: Profile) -> Path:
    """Write the profile privately (0600, its folder 0700), atomically."""
    where = path()
    where.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if where.parent.stat().st_mode & 0o077:
        where.parent.chmod(0o700)  # a folder others could read or write: made private
    data = {
        "name": profile.name,
        "organisation": {"id": profile.organisation_id, "name": profile.organisation_name},
        "contact": profile.contact,
    }
    atomic_write(where, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())
    return where


def clear() -> bool:
    """Remove the profile; False if there was none."""
    try:
        path().unlink()
    except FileNotFoundError:
        return False
    return True
