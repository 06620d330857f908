"""Every psycopg error of the team store as the one-line Swedish error a user sees."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import psycopg

from kronobarn_cli.errors import ConnectionLostError, KronobarnError, StoreError

LOST = (
    "Förbindelsen med databasen bröts. Det som sparats före felet finns kvar; "
    "det du höll på att svara sparades inte."
)


def translate(exc: Exception, *, url: str = "", case_id: str | None = None) -> KronobarnError:
    """A psycopg error as the one-line Swedish error a user sees."""
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc)
    where = _address(url)
    if (
        state in ("28P01", "28000")
        or "password authentication failed" in text
        or ("role" in text and "does not exist" in text)
        or "no pg_hba.conf entry" in text
    ):
        return StoreError(
            f"Databasen {where} godtog inte inloggningen (fel användare eller lösenord). "
            "Lösenordet läses från ~/.pgpass, PGPASSFILE eller PGPASSWORD."
        )
    if "no password supplied" in text:
        return StoreError(
            f"Databasen {where} kräver ett lösenord. Lägg det i ~/.pgpass, PGPASSFILE eller "
            "PGPASSWORD (aldrig i adressen)."
        )
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return StoreError(f"Databasen {where} finns inte. Kontrollera adressen i --store.")
    if state in ("42P01", "3F000"):
        return StoreError(MISSING_SCHEMA)
    if state == "42501":
        if "row-level security" in text:
            return StoreError(
                "Din databasroll hör inte till det teamet. Be den som administrerar databasen "
                "köra: kronobarn db grant ROLL --team TEAM"
            )
        return StoreError(
            "Din databasroll saknar behörighet till kronobarn-schemat. Be den som "
            "administrerar databasen köra: kronobarn db grant ROLL --team TEAM"
        )
    if state == "KB001":
        return StoreError("Journalen i databasen kan bara få nya rader, aldrig ändras.")
    if isinstance(exc, psycopg.OperationalError):
        if _never_connected(text):
            return StoreError(
                f"Kan inte nå databasservern {where}. Kontrollera adressen i --store "
                "eller KRONOBARN_STORE och att servern är igång."
            )
        if case_id is not None:
            return ConnectionLostError(f"{LOST} Fortsätt med: kronobarn resume {case_id}")
        return ConnectionLostError(LOST)
    return StoreError(f"Databasfel ({state or exc.__class__.__name__}). Inget mer sparades.")


def _never_connected(text: str) -> bool:
    return any(
        words in text
        for words in (
            "Connection refused",
            "could not translate host name",
            "timeout expired",
            "No such file or directory",
            "could not connect",
            "connection failed",
            "Name or service not known",
        )
    )


def _address(url: str) -> str:
    """The database's address as the user may see it: host, port and database (never a
    password; the socket directory when the host is one)."""
    try:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        host = parts.hostname or query.get("host") or ""
        port = parts.port or query.get("port")
    except ValueError:
        return "(ogiltig adress)"
    where = f"{host}:{port}" if port else host
    database = parts.path.lstrip("/") or query.get("dbname", "")
    return f"{where}/{database}" if where else database or "(standardadressen)"


MISSING_SCHEMA = (
    "Databasen har inget kronobarn-schema som du kommer åt. Skapa det med: kronobarn db init "
    "(eller be den som administrerar databasen ge dig åtkomst med kronobarn db grant)."
)
