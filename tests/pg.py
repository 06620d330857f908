"""A real PostgreSQL for the tests: one server per test session (per pytest-xdist worker), started
from the distribution's binaries as an unprivileged user (PostgreSQL refuses to run as root), on a
unix socket in a private temporary directory and on 127.0.0.1 (for the password tests)."""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUPERUSER = "postgres"
PASSWORD = "kronobarn-test-lösen"  # noqa: S105 - a throwaway test server's
TEMPLATE = "kronobarn_template"
PORT_ATTEMPTS = 5
_names = itertools.count(1)


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: PG_BINDIR, Debian's /usr/lib/postgresql/N/bin, or PATH."""
    explicit = os.environ.get("PG_BINDIR")
    if explicit:
        return Path(explicit)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    bindir: Path
    root: Path
    port: int
    runas: list[str]

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres", user: str = SUPERUSER) -> Any:
        import psycopg  # noqa: PLC0415

        return psycopg.connect(self.url(database, user), autocommit=True)

    def new_database(self, template: str = "template1") -> str:
        name = f"kb_{os.getpid()}_{next(_names)}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def reset(self, database: str) -> None:
        """Empty a database made from the template, as the template is (quicker than a new
        one): the journal's append-only trigger is switched off for the superuser only."""
        with self.connect(database) as conn:
            conn.execute("SET session_replication_role = replica")
            conn.execute(
                "TRUNCATE kronobarn.cases, kronobarn.reminders, kronobarn.journal,"
                " kronobarn.team_members RESTART IDENTITY"
            )
            conn.execute("DELETE FROM kronobarn.teams WHERE name <> 'alfa'")
            conn.execute("DELETE FROM kronobarn.settings WHERE key <> 'default_team'")

    def stop(self) -> None:
        subprocess.run(
            [*self.runas, str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"),
             "-m", "immediate", "stop"],
            capture_output=True, check=False, timeout=30,
        )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> Server:
    """Start a server; raise RuntimeError saying why when none can be started."""
    bindir = find_bindir()
    if bindir is None or not (bindir / "initdb").exists():
        raise RuntimeError("initdb finns inte (installera postgresql eller sätt PG_BINDIR)")
    # Under /tmp: the server runs as another user, who must reach the directory.
    parent = "/tmp" if os.geteuid() == 0 else None  # noqa: S108 - a private directory in it
    root = Path(tempfile.mkdtemp(prefix="kronobarn-pg-", dir=parent))
    runas: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("kör som root men användaren postgres finns inte") from None
        os.chown(root, owner.pw_uid, owner.pw_gid)
        runas = ["runuser", "-u", "postgres", "--"]
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD)
    if runas:
        os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
    server = Server(bindir, root, 0, runas)
    try:
        _run([*runas, str(bindir / "initdb"), "-D", str(root / "data"), "-U", SUPERUSER,
              "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        for attempt in itertools.count(1):
            # The port was free a moment ago; another server started in parallel (a pytest-xdist
            # worker's) or a client's ephemeral port may take it first: then another port.
            server.port = _free_port()
            log = server.root / "log"
            log.unlink(missing_ok=True)
            try:
                _start(server)
                break
            except RuntimeError:
                taken = log.exists() and "already in use" in log.read_text(errors="replace")
                if not taken or attempt == PORT_ATTEMPTS:
                    raise
    except BaseException:
        server.stop()
        raise
    return server


def _start(server: Server) -> None:
    options = (
        f"-k {server.root} -p {server.port} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
    )
    _run([*server.runas, str(server.bindir / "pg_ctl"), "-D", str(server.root / "data"),
          "-o", options, "-l", str(server.root / "log"), "-w", "-t", "30", "start"])  # fmt: skip


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{command[-1]}: {done.stderr.strip() or done.stdout.strip()}")


def database_of(url: str) -> str:
    """The database name in an address made by `Server.url`."""
    return url.split("/", 3)[3].split("?", maxsplit=1)[0]


def create_role(server: Server, name: str, password: str | None = None) -> None:
    with server.connect() as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            conn.execute(f'CREATE ROLE "{name}" LOGIN')
        if password is not None:
            conn.execute(f"ALTER ROLE \"{name}\" PASSWORD '{password}'")


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
