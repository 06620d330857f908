"""Case ids and the name of the user running kronobarn: what every command needs before it
knows whether it will read a case (so nothing here imports pydantic or the case model)."""

from __future__ import annotations

import getpass
import os

from kronobarn_cli.support.text import has_control_characters

# No letters or digits that are easily mixed up when read aloud or typed (0/o, 1/l/i).
ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ID_LENGTH = 6
ID_PATTERN = rf"^[{ID_ALPHABET}]{{{ID_LENGTH}}}$"
USER_MAX_LENGTH = 100


def new_case_id() -> str:
    import secrets  # noqa: PLC0415 - only when a case is made (hashlib at every start)

    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def system_user() -> str:
    """The operating system's name for the user running kronobarn."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this user id (e.g. in a container)
        uid = os.getuid() if hasattr(os, "getuid") else None
        return "okänd användare" if uid is None else f"uid {uid}"


def user_problem(name: str) -> str | None:
    """Why `name` cannot stand for a user in a case's journal, or None (the rules of
    `case.Actor.user`, in Swedish)."""
    name = name.strip()
    if not name:
        return "får inte vara tomt"
    if len(name) > USER_MAX_LENGTH:
        return f"får vara högst {USER_MAX_LENGTH} tecken"
    if has_control_characters(name):
        return "innehåller otillåtna kontrolltecken"
    return None
