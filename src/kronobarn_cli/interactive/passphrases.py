"""Where a handover file's passphrase comes from: KRONOBARN_PASSPHRASE, or typed at the terminal.

Typed passphrases are never echoed (the prompts module asks); a new one is typed twice, or left
empty for kronobarn to make one. Without a terminal and without the variable, the command stops
with one line.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

from kronobarn_cli.errors import KronobarnError, NoPassphraseError, WrongPassphraseError
from kronobarn_cli.interactive.handover import (
    MIN_PASSPHRASE,
    check_new_passphrase,
    generate_passphrase,
    passphrase_weakness,
    unseal_typed,
)
from kronobarn_cli.interactive.prompter import Prompter

ENV = "KRONOBARN_PASSPHRASE"


def for_sealing(console: Console, command: str) -> str:
    """A new passphrase for a handover file."""
    given = os.environ.get(ENV)
    if given:
        try:
            return check_new_passphrase(given)
        except KronobarnError as exc:
            raise KronobarnError(f"{ENV}: {exc.message}") from None
    if not sys.stdin.isatty():
        raise NoPassphraseError(command, "--recipient")
    return Prompter(console).ask_new_passphrase(
        MIN_PASSPHRASE, generate_passphrase, passphrase_weakness
    )


TRIES = 3
"""How many times a passphrase is asked at the terminal before `import` gives up."""


def for_opening(command: str) -> str:
    """The passphrase a handover file was encrypted with."""
    given = os.environ.get(ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise NoPassphraseError(command, "--identity")
    return _typed()


def _typed() -> str:
    typed = Prompter().ask_passphrase()
    if not typed:
        raise KronobarnError("Ingen lösenfras angavs. Inget sparades.")
    return typed


def open_file(console: Console, data: bytes, source: str, command: str) -> bytes:
    """A passphrase-sealed handover file, opened: from KRONOBARN_PASSPHRASE once, or typed at
    the terminal up to `TRIES` times (spaces or dashes between its words as the user likes)."""
    if os.environ.get(ENV) or not sys.stdin.isatty():
        return unseal_typed(data, source, for_opening(command))
    for attempt in range(1, TRIES + 1):
        try:
            return unseal_typed(data, source, _typed())
        except WrongPassphraseError:
            if attempt == TRIES:
                raise
            console.print(f"Fel lösenfras. Försök igen ({attempt + 1} av {TRIES}).", style="red")
    raise AssertionError("unreachable")
