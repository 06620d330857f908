"""Where a handover file's passphrase comes from: KRONOBARN_PASSPHRASE, or typed at the terminal.

Typed passphrases are never echoed (the prompts module asks); a new one is typed twice, or left
empty for kronobarn to make one. Without a terminal and without the variable, the command stops
with one line.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

from kronobarn_cli.errors import KronobarnError, NoPassphraseError
from kronobarn_cli.handover import (
    MIN_PASSPHRASE,
    check_new_passphrase,
    generate_passphrase,
    passphrase_weakness,
)
from kronobarn_cli.prompts import Prompter

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


def for_opening(command: str) -> str:
    """The passphrase a handover file was encrypted with."""
    given = os.environ.get(ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise NoPassphraseError(command, "--identity")
    typed = Prompter().ask_passphrase()
    if not typed:
        raise KronobarnError("Ingen lösenfras angavs. Inget sparades.")
    return typed
