"""The directory organisations a name typed for `remind --organisation` may mean, without
loading the checklists when their files are those of an earlier load that succeeded.

Loading a checklist directory (`loader.load_workflow`) parses every section file and validates
it through pydantic: about 0.2 s at every start, where `remind` over the summary index takes
less. What `--organisation` needs of it is the directory's organisations, ids and names: they
are kept in a small cache file (in the user's own config folder, beside the profile; never
beside the cases, which may be shared), with a SHA-256 hash of what they were read from: the
kronobarn version, the directory, the names in it and the bytes of every YAML file the load
may read (as the test suite's `load_once` does; a hash, not sizes and times, because the bytes
are few and read in well under a millisecond). When the hash differs, or the cache is missing
or not as written here, the checklists are loaded as before, with the same errors, and the
cache is written anew. One that others may write is not used (as the profile beside it is
not). It is only a cache: any problem with it is silent, and the directory
is loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kronobarn_cli import __version__
from kronobarn_cli.support.files import atomic_write
from kronobarn_cli.support.text import folded

if TYPE_CHECKING:
    from collections.abc import Callable

    from kronobarn_cli.checklists.schema import Workflow

CACHE_FILE = "organisationer.cache.json"
# Bump when what `load_workflow` accepts, or what is kept here, changes within a version.
FORMAT = 1
MAX_BYTES = 1 << 20
"""The largest file read (the cache; each checklist file hashed, larger than `safe_yaml`
reads)."""

Organisations = list[tuple[str, str]]
"""Each organisation's id and name, in the directory's order."""


def organisations_named(
    text: str, directory: Path, cache: Path | None, load: Callable[[Path], Workflow]
) -> Organisations:
    """`Workflow.organisations_named(text)` of the checklists in `directory`, as (id, name):
    from `cache` when it was written from the files as they are now, else from the directory
    `load`ed (`loader.load_workflow`, with its errors)."""
    key = _key(directory)
    known = _read(cache, key) if cache is not None and key is not None else None
    if known is None:
        known = [(o.id, o.name) for o in load(directory).organisations]
        # Kept only when no file changed while it was loaded.
        if cache is not None and key is not None and _key(directory) == key:
            _write(cache, key, known)
    return named(known, text)


def named(organisations: Organisations, text: str) -> Organisations:
    """What `Workflow.organisations_named` gives: the one whose id is `text`, else those
    whose id or name is `text` in any case and with or without diacritics."""
    exact = next((o for o in organisations if o[0] == text), None)
    if exact is not None:
        return [exact]
    wanted = folded(text)
    return [o for o in organisations if wanted in (folded(o[0]), folded(o[1]))]


def _key(directory: Path) -> str | None:
    """What the organisations were read from (see the module's doc): the names in the
    directory and the bytes of every YAML file in it (more than the load reads: its files
    are YAML files, and no pattern need be matched); None where one cannot be read here (the
    load then says why)."""
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{directory}\0".encode())
    try:
        for name in sorted(entry.name for entry in directory.iterdir()):
            digest.update(f"{name}\0".encode(errors="surrogateescape"))
            if not name.endswith(".yaml"):
                continue
            with (directory / name).open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                return None
            digest.update(f"{len(raw)}\0".encode())
            digest.update(raw)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def _read(cache: Path, key: str) -> Organisations | None:
    try:
        fd = os.open(cache, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or not _own(info):
                return None
            raw = handle.read(MAX_BYTES + 1)
        data: Any = json.loads(raw) if len(raw) <= MAX_BYTES else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    found = data.get("organisations")
    if not isinstance(found, list) or not all(
        isinstance(o, list) and len(o) == 2 and all(isinstance(v, str) for v in o) for o in found
    ):
        return None
    return [(o[0], o[1]) for o in found]


def _own(info: os.stat_result) -> bool:
    """Whether only the user can have written the file (as for the profile beside it: others
    able to change it could make a typed name mean another organisation)."""
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()


def _write(cache: Path, key: str, organisations: Organisations) -> None:
    """The cache written privately (0600, its folder 0700), atomically; not at all where it
    cannot be."""
    data = {"key": key, "organisations": [list(o) for o in organisations]}
    with contextlib.suppress(OSError):
        cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(cache, (json.dumps(data, ensure_ascii=False) + "\n").encode())
