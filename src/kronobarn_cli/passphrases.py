"""Where a handover file's passphrase comes from: KRONOBARN_PASSPHRASE, or typed at the terminal.

Typed passphrases are never echoed; a new one is typed twice, or left empty for kronobarn to
make one. Without a terminal and without the variable, the command stops with one line.
"""

from __future__ import annotations

import os
import sys

import questionary
from rich.console import Console
from rich.text import Text

from kronobarn_cli.errors import KronobarnError, NoPassphraseError
from kronobarn_cli.handover import MIN_PASSPHRASE, check_new_passphrase, generate_passphrase

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
    return ask_new(console)


def for_opening(command: str) -> str:
    """The passphrase a handover file was encrypted with."""
    given = os.environ.get(ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise NoPassphraseError(command, "--identity")
    typed = str(questionary.password("Lösenfras för filen:").unsafe_ask())
    if not typed:
        raise KronobarnError("Ingen lösenfras angavs. Inget sparades.")
    return typed


def _long_enough(raw: str) -> bool | str:
    if raw and len(raw) < MIN_PASSPHRASE:
        return f"Minst {MIN_PASSPHRASE} tecken (eller tomt för en föreslagen lösenfras)."
    return True


def ask_new(console: Console) -> str:
    """Ask twice until both agree; an empty answer gets a generated passphrase, shown once."""
    console.print(
        Text(
            "Filen krypteras med en lösenfras. Skicka lösenfrasen på ett annat sätt än filen, "
            "t.ex. per telefon."
        )
    )
    while True:
        first = str(
            questionary.password(
                f"Lösenfras (minst {MIN_PASSPHRASE} tecken; tomt = kronobarn föreslår en):",
                validate=_long_enough,
            ).unsafe_ask()
        )
        if not first:
            made = generate_passphrase()
            console.print(Text("Lösenfras: ") + Text(made, style="bold"))
            console.print(
                Text("Skriv upp den eller läs upp den för mottagaren; kronobarn sparar den inte.")
            )
            return made
        again = str(questionary.password("Skriv lösenfrasen igen:").unsafe_ask())
        if again == first:
            return first
        console.print(Text("Lösenfraserna var inte lika. Försök igen.", style="red"))
