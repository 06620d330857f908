"""The case directory: made readable only by the user, refused when it is no directory, and a
warning once when others can read it or a case file in it."""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Callable
from pathlib import Path

from kronobarn_cli.errors import KronobarnError, os_error_text

_PRIVATE = 0o700


class CaseDirectory:
    """The checks and making of `directory` (the case files') under `home`."""

    def __init__(self, home: Path, directory: Path, notice: Callable[[str], None]) -> None:
        self.home = home
        self.directory = directory
        self.notice = notice
        self._checked = False
        self._warned_shared = False

    def check(self) -> None:
        """Refuse a home or case directory that is not a directory; warn once when others can
        read it."""
        if self._checked:
            return
        for directory in (self.home, self.directory):
            try:
                info = directory.stat()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise KronobarnError(
                    f"Ärendekatalogen {directory} kan inte läsas: {os_error_text(exc)}."
                ) from None
            if not stat.S_ISDIR(info.st_mode):
                raise KronobarnError(
                    f"{directory} är ingen katalog. KRONOBARN_HOME ska peka ut en katalog "
                    "för ärendena."
                )
            self.warn_if_shared(directory, info.st_mode)
        self._checked = True

    def warn_if_shared(self, path: Path, mode: int) -> None:
        if mode & 0o077 and not self._warned_shared:
            self._warned_shared = True
            wanted = "700" if stat.S_ISDIR(mode) else "600"
            self.notice(
                f"Varning: {path} kan läsas av andra användare (rättigheter "
                f"{stat.S_IMODE(mode):o}). Skydda den med: chmod {wanted} {path}"
            )

    def ensure(self) -> None:
        """Create the case directory and every missing parent, each readable only by the user."""
        self.check()
        missing: list[Path] = []
        directory = self.directory
        while not directory.exists() and directory != directory.parent:
            missing.append(directory)
            directory = directory.parent
        for directory in reversed(missing):
            try:
                directory.mkdir(mode=_PRIVATE)
            except FileExistsError:
                continue  # another process was first; it is not ours to change
            except OSError as exc:
                raise KronobarnError(
                    f"Kan inte skapa ärendekatalogen {directory}: {os_error_text(exc)}."
                ) from None
            with contextlib.suppress(OSError):  # the umask may have taken bits away
                directory.chmod(_PRIVATE)
        with contextlib.suppress(OSError):
            self.directory.chmod(_PRIVATE)
