"""The errors a user can cause or act on; each carries a one-line Swedish message."""

import errno
from collections.abc import Sequence

EXIT_INTERRUPTED = 130
"""The exit code after Ctrl-C, while loading (`launch`) and after (`cli.main`)."""


class KronobarnError(Exception):
    """An error with a message meant for the user (Swedish, one line)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ChecklistError(KronobarnError):
    """The checklist files could not be loaded; `problems` holds every `path:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "okänt fel"
        more = len(problems) - 1
        suffix = f" (och {more} fel till; kör 'kronobarn checklists validate')" if more else ""
        super().__init__(f"Checklistorna har fel: {first}{suffix}")


class InputFileError(KronobarnError):
    """A file a user or a county controls (YAML, template) that cannot be used: `path:line: …`."""

    def __init__(self, path: str, line: int | None, detail: str) -> None:
        self.path = path
        self.line = line
        self.detail = detail
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {detail}")


class UnknownCaseError(KronobarnError):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"Det finns inget ärende med id '{case_id}'. Se 'kronobarn list'.")


class CaseFileError(KronobarnError):
    """A case file that cannot be read or does not validate. It is never overwritten."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"Ärendefilen {path} kan inte läsas: {detail}")


class CaseLockedError(KronobarnError):
    def __init__(self, case_id: str, waited: float = 0) -> None:
        after = f" (väntade {waited:g} sekunder)" if waited else ""
        super().__init__(
            f"Ärendet {case_id} är öppet i en annan kronobarn-session{after}. "
            "Avsluta den först och försök igen."
        )


class JournalRewriteError(KronobarnError):
    """A save that would change or remove journal entries already on disk."""

    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"Ärendet {case_id} sparades inte: journalen på disken kan bara få nya poster, "
            "inte ändras eller kortas. Läs in ärendet på nytt och försök igen."
        )


class StaleCaseError(JournalRewriteError):
    """A save of a case another session changed after this one read it: nothing is written."""

    def __init__(self, case_id: str) -> None:
        KronobarnError.__init__(
            self,
            f"Ärendet {case_id} sparades inte: det har ändrats i en annan session sedan du "
            "öppnade det. Inget skrevs över; öppna det igen med kronobarn resume "
            f"{case_id}.",
        )


class CaseGoneError(KronobarnError):
    """A case deleted (or, in the team store, taken out of the role's reach) while a walk had
    it open."""

    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"Ärendet {case_id} finns inte längre: det har raderats i en annan session, eller så "
            "har du inte längre åtkomst till det. Ditt senaste svar sparades inte."
        )


class CaseRecordError(CaseFileError):
    """A case in the team database that cannot be read or does not validate."""

    def __init__(self, case_id: str, detail: str) -> None:
        self.path = f"databasen, ärende {case_id}"
        self.detail = detail
        KronobarnError.__init__(self, f"Ärendet {case_id} i databasen kan inte läsas: {detail}")


class StoreError(KronobarnError):
    """The store cannot be used: a bad --store address, a database that cannot be reached,
    a missing or newer schema, no access."""


class ConnectionLostError(StoreError):
    """The database connection broke after it was made; what was committed before is kept."""


def journal_refusal(
    case_id: str, recorded: Sequence[object], journal: Sequence[object]
) -> JournalRewriteError:
    """Why a save whose `journal` does not begin with the `recorded` one is refused.

    A session that read the case before another one saved it holds the recorded journal up
    to some entry and then entries of its own (none, for a save that adds no entry, e.g. the
    next field of a group being filled in), none of them recorded after that point: the case
    is stale (StaleCaseError). Anything else (an entry changed or removed) is a rewrite.
    """
    common = 0
    for mine, theirs in zip(journal, recorded, strict=False):
        if mine != theirs:
            break
        common += 1
    later = recorded[common:]
    own = journal[common:]
    if common and not any(_same_entry(a, b) for a in own for b in later):
        return StaleCaseError(case_id)
    return JournalRewriteError(case_id)


def _same_entry(a: object, b: object) -> bool:
    """The same entry, or one rewritten from it (same time and text)."""
    if a == b:
        return True
    return _at_and_text(a) == _at_and_text(b) is not None


def _at_and_text(entry: object) -> tuple[object, object] | None:
    if isinstance(entry, dict):  # as the team store keeps it (JSON)
        return entry.get("at"), entry.get("text")
    at = getattr(entry, "at", None)
    return None if at is None else (at, getattr(entry, "text", None))


class AnswerError(KronobarnError):
    """An answer that fails validation for its step; `field` names the field of a group item."""

    field: str | None = None


class OutsideScopeError(AnswerError):
    """An organisation the consent does not cover, or that did not take part in the meeting."""

    def __init__(
        self,
        message: str,
        scope: str,
        organisation: dict[str, str],
        givers: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.scope = scope
        self.organisation = organisation
        self.givers = givers or []
        """The consent givers whose consent would have to cover the organisation."""


class SpecialistError(AnswerError):
    """Specialist care without an established, relevant care contact; offers counterparts."""

    def __init__(self, message: str, counterparts: list[str]) -> None:
        super().__init__(message)
        self.counterparts = counterparts


class NoTerminalError(KronobarnError):
    exit_code = 2

    def __init__(self, command: str) -> None:
        super().__init__(
            f"'kronobarn {command}' ställer frågor och behöver en terminal, "
            "men standard in är ingen terminal."
        )


class ConfirmationNeededError(KronobarnError):
    """A step that asks for confirmation, run without a terminal and without `--yes`."""

    exit_code = 2


class WrongPassphraseError(KronobarnError):
    """A handover file that the passphrase given does not open (or that was changed)."""


class NoPassphraseError(KronobarnError):
    """A handover file's passphrase was needed, with no terminal to ask it at."""

    exit_code = 2

    def __init__(self, command: str, instead: str) -> None:
        super().__init__(
            f"'kronobarn {command}' behöver en lösenfras, men standard in är ingen terminal. "
            f"Sätt KRONOBARN_PASSPHRASE eller använd {instead}."
        )


# By name, because not every platform defines every code.
_OS_ERRORS = {
    "ENOENT": "filen eller katalogen finns inte",
    "EACCES": "åtkomst nekad",
    "EPERM": "åtgärden är inte tillåten",
    "ENOSPC": "disken är full",
    "EDQUOT": "diskkvoten är slut",
    "EROFS": "filsystemet är skrivskyddat",
    "ELOOP": "sökvägen är en symbolisk länk (eller en slinga av länkar)",
    "ENOTDIR": "en del av sökvägen är ingen katalog",
    "EISDIR": "sökvägen är en katalog",
    "EEXIST": "filen finns redan",
    "ENAMETOOLONG": "sökvägen är för lång",
    "EIO": "in/ut-fel på disken",
    "EMFILE": "för många öppna filer",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error in Swedish (`strerror` is English)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_ERRORS.get(name) or (f"systemfel {name}" if name else "systemfel")
