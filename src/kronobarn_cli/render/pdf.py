"""Print-ready PDF documents (Barnets plan, invitation letters, the consent form), set by typst.

The layout lives in `.typ` templates (`templates/typst/`, or a county's own directory beside its
Jinja2 templates). A template never sees user text as markup: the document's data goes in as one
JSON string in `sys.inputs`, and the template reads it with `json(bytes(sys.inputs.data))`, so a
`#`, `*`, `$`, `]` or `#read("/etc/passwd")` someone typed is printed, never run. A county's
template is untrusted code: it is compiled inside a private temporary copy of its own folder
(regular files only, no symbolic links) which is the compile root, so `read()`, `image()` and
`import` reach nothing else on the disk, with the network closed, so it cannot fetch a package,
and in a child process that is stopped after MAX_SECONDS and may use MAX_MEMORY_BYTES. typst is
imported only here, when a PDF is asked for.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.render import export
from kronobarn_cli.render.consent_form import context as consent_form_data
from kronobarn_cli.render.typst_worker import COMPILE_ERROR, compile_request
from kronobarn_cli.support.text import drop_control_characters

BUILTIN = Path(__file__).parent / "templates" / "typst"
# What a template folder may bring along: templates, images (a logo) and fonts.
STAGED_SUFFIXES = {".typ", ".png", ".jpg", ".jpeg", ".svg", ".ttf", ".otf", ".json"}
MAX_STAGED_BYTES = 20_000_000
"""All files of a template folder together; a plan's template is a few kilobytes."""
MAX_SECONDS = 20.0
"""A county template's compile; the built-in plan of 40 actions takes a quarter of a second."""
MAX_MEMORY_BYTES = 2_000_000_000
BREAK_AFTER = 24
"""A run of this many characters without a space may break there: a 2,000-character word
would otherwise run off the page."""

_LONG_RUN = re.compile(rf"(\S{{{BREAK_AFTER}}})(?=\S)")
_ZERO_WIDTH_SPACE = "\u200b"
_WHERE = re.compile(r"┌─ (?:.*/)?([^/\s:]+):(\d+):\d+")
# Where the proxy variables point while a template compiles: nowhere (the discard port).
_NO_NETWORK = "http://127.0.0.1:9"
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                    "all_proxy")  # fmt: skip
_NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")


def printable(value: Any) -> Any:
    """The data a template gets: control and bidi characters dropped, long words breakable."""
    if isinstance(value, str):
        text = drop_control_characters(value.replace("\r\n", "\n"), keep_newlines=True)
        return _LONG_RUN.sub(lambda m: m.group(1) + _ZERO_WIDTH_SPACE, text)
    if isinstance(value, dict):
        return {str(k): printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v) for v in value]
    return value


def render(name: str, data: dict[str, Any], custom: Path | None, *, timestamp: datetime) -> bytes:
    """Compile template `name` (`plan`, `invitation`, `consent-form`) with `data` into a PDF."""
    file_name = f"{name}.typ"
    with tempfile.TemporaryDirectory(prefix="kronobarn-pdf-") as tmp:
        root = Path(tmp) / "mall"
        root.mkdir()
        _stage(BUILTIN, root)
        # A county folder with only Jinja2 templates brings no typst code: compiled here.
        own = _stage(custom, root) if custom is not None else 0
        request = {
            "input": str(root / file_name),
            "root": str(root),
            "sys_inputs": {"data": json.dumps(printable(data), ensure_ascii=False)},
            "package_path": str(Path(tmp) / "paket"),
            "package_cache_path": str(Path(tmp) / "paket-cache"),
            "timestamp": timestamp.isoformat(),
            "memory_bytes": MAX_MEMORY_BYTES,
        }
        if custom is None or not own:
            return _compile_here(file_name, request)
        # A county's template is untrusted code: a loop or a string doubled forty times must
        # not hang the command or eat the machine, so it runs in a child that can be stopped.
        return _compile_apart(file_name, custom, request)


def _compile_here(file_name: str, request: dict[str, Any]) -> bytes:
    """The built-in templates: trusted code, data of bounded size; no process to start."""
    import typst  # noqa: PLC0415 (a PDF is rare; every other command skips the 0.1 s)

    try:
        with _offline():
            document = compile_request(request)
    except typst.TypstError as exc:
        raise KronobarnError(_problem(file_name, None, exc.message, exc.diagnostic)) from None
    if not isinstance(document, bytes):  # pragma: no cover - one PDF, not pages
        raise KronobarnError(f"Mallen {file_name} gav inget PDF-dokument.")
    return document


def _compile_apart(file_name: str, custom: Path, request: dict[str, Any]) -> bytes:
    where = custom / file_name if (custom / file_name).is_file() else custom
    environment = {**os.environ, **dict.fromkeys(_PROXY_VARIABLES, _NO_NETWORK)}
    for key in _NO_PROXY_VARIABLES:
        environment.pop(key, None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "kronobarn_cli.render.typst_worker"],
            input=json.dumps(request).encode("utf-8"),
            capture_output=True,
            env=environment,
            timeout=MAX_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise KronobarnError(
            f"Mallen {file_name} kan inte användas ({where}): mallen tar längre tid än "
            f"{MAX_SECONDS:g} sekunder (en ändlös loop?)."
        ) from None
    if done.returncode == 0 and done.stdout.startswith(b"%PDF"):
        return done.stdout
    if done.returncode == COMPILE_ERROR:
        error = json.loads(done.stdout)
        raise KronobarnError(_problem(file_name, custom, error["message"], error["diagnostic"]))
    raise KronobarnError(
        f"Mallen {file_name} kan inte användas ({where}): typst avbröts "
        f"(mallen använder mer än {MAX_MEMORY_BYTES // 1_000_000} MB minne?)."
    )


def _stage(source: Path, into: Path) -> int:
    """Copy the regular files of one template folder (no links, no subfolders) into the root;
    how many were copied."""
    copied = 0
    total = sum(p.stat().st_size for p in into.iterdir())
    try:
        entries = sorted(os.scandir(source), key=lambda e: e.name)
    except OSError as exc:
        raise KronobarnError(f"Kan inte läsa mallkatalogen {source}: {exc.strerror}.") from None
    for entry in entries:
        if entry.name.startswith(".") or Path(entry.name).suffix.lower() not in STAGED_SUFFIXES:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue  # a link could point at the case store; a folder is not copied
            total += info.st_size
            if total > MAX_STAGED_BYTES:
                raise KronobarnError(
                    f"Mallkatalogen {source} är för stor för PDF-mallar "
                    f"(högst {MAX_STAGED_BYTES // 1_000_000} MB)."
                )
            # Opened without following a link and without waiting (a file swapped for a pipe
            # since the check), then checked again on what was opened.
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            with os.fdopen(os.open(entry.path, flags), "rb") as reading:
                if not stat.S_ISREG(os.fstat(reading.fileno()).st_mode):
                    continue
                with (into / entry.name).open("wb") as out:
                    shutil.copyfileobj(reading, out)
            copied += 1
        except OSError as exc:
            raise KronobarnError(f"Kan inte läsa mallen {entry.path}: {exc.strerror}.") from None
    return copied


@contextlib.contextmanager
def _offline() -> Iterator[None]:
    """No network while a template compiles: typst fetches `@preview` packages on demand, and
    honours the proxy variables, so they point at a port where nothing listens."""
    saved = {k: os.environ.get(k) for k in _PROXY_VARIABLES + _NO_PROXY_VARIABLES}
    try:
        for key in _PROXY_VARIABLES:
            os.environ[key] = _NO_NETWORK
        for key in _NO_PROXY_VARIABLES:
            os.environ.pop(key, None)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _problem(file_name: str, custom: Path | None, message: str, diagnostic: str) -> str:
    """A compile error as one Swedish line naming the template file (and line)."""
    message = " ".join(message.split())
    found = _WHERE.search(diagnostic)
    which, line = (found.group(1), found.group(2)) if found else (file_name, None)
    own = custom / which if custom is not None else None
    path = str(own) if own is not None and own.is_file() else f"inbyggd mall {which}"
    where = f"{path}:{line}" if line else path
    if "download package" in message or ("package" in message and "@" in message):
        reason = "mallen får inte hämta paket från nätet; lägg det den behöver i mallkatalogen"
    elif message == "memory":
        reason = f"mallen använder mer än {MAX_MEMORY_BYTES // 1_000_000} MB minne"
    elif "escape the project root" in message:
        reason = "mallen får bara läsa filer i sin egen mallkatalog"
    elif "file not found" in message:
        reason = (
            "filen finns inte i mallkatalogen (länkar och underkataloger följer inte med); "
            "mallen får bara läsa filer i sin egen mallkatalog"
        )
    else:
        reason = f"typst: {message}"
    return f"Mallen {file_name} kan inte användas ({where}): {reason}."


# -- the three documents ---------------------------------------------------------------------------


def plan(
    case: Case,
    workflow: Workflow,
    meeting_number: int | None = None,
    templates: Path | None = None,
    *,
    today: date | None = None,
) -> bytes:
    """Barnets plan for the family and every party, to print at the meeting."""
    data = export.plan_context(case, workflow, meeting_number, today=today)
    return render("plan", data, templates, timestamp=case.updated)


def invitations(
    case: Case,
    workflow: Workflow,
    organisation: str | None = None,
    templates: Path | None = None,
    *,
    today: date | None = None,
) -> bytes:
    """Samverkansmöte enligt Kronobarnsmodellen: one letter (page) per invited organisation."""
    data = export.invitation_context(case, workflow, organisation, today=today)
    return render("invitation", data, templates, timestamp=case.updated)


def consent_form(
    case: Case, workflow: Workflow, templates: Path | None = None, *, today: date | None = None
) -> bytes:
    """Samtyckesblanketten, pre-filled from the case, to print and sign."""
    data = consent_form_data(case, workflow, today or date.today())
    return render("consent-form", data, templates, timestamp=case.updated)
