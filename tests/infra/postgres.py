"""Throwaway PostgreSQL server for tests (Debian's packaged binaries, trust auth).

``ensure_installed()`` finds ``/usr/lib/postgresql/<N>/bin`` (newest first) or
apt-installs ``postgresql``. As root the server runs as user ``postgres`` (initdb
refuses root); otherwise as the current user.

    with postgres.start() as pg:
        url = pg.create_database("orders")  # postgresql+psycopg://postgres@127.0.0.1:PORT/orders
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from tests.infra import (
    ComponentError,
    Service,
    apt_install,
    install_lock,
    make_workdir,
    run,
    spawn,
    wait_until,
)
from tests.infra.ports import LOOPBACK, free_port

if TYPE_CHECKING:
    import subprocess

__all__ = ["PostgresServer", "ensure_installed", "start"]

_SUPERUSER = "postgres"
_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_SETTINGS = {
    "listen_addresses": f"'{LOOPBACK}'",
    "max_connections": "200",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "timezone": "'UTC'",
    "log_min_messages": "warning",
}
_HBA = f"local all all trust\nhost all all {LOOPBACK}/32 trust\n"

_installed: Path | None = None


def _find_bindir() -> Path | None:
    """Newest Debian ``/usr/lib/postgresql/N/bin``, else the dir of ``postgres`` on PATH."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    if versions:
        return versions[0].parent
    for name in ("postgres", "pg_ctl"):
        found = shutil.which(name)
        if found and (Path(found).resolve().parent / "initdb").exists():
            return Path(found).resolve().parent
    return None


def ensure_installed() -> Path:
    """Return the PostgreSQL bin dir (initdb, postgres, psql), apt-installing when missing."""
    global _installed
    if _installed is None:
        bindir = _find_bindir()
        if bindir is None:
            with install_lock("postgres"):
                bindir = _find_bindir()
                if bindir is None:
                    apt_install("postgresql")
                    bindir = _find_bindir()
        if bindir is None:
            raise ComponentError("PostgreSQL installed but no initdb found")
        _installed = bindir
    return _installed


class PostgresServer(Service):
    """A running server; superuser ``postgres``, no password, on ``127.0.0.1:port``."""

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: disconnect clients, then exit

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        workdir: Path,
        logs: list[Path],
        port: int,
        bindir: Path,
    ) -> None:
        super().__init__(process, workdir, logs)
        self.host = LOOPBACK
        self.port = port
        self.user = _SUPERUSER
        self.bindir = bindir

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) for ``dbname``."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL with ``psql`` (stops at the first error) and return its output."""
        return run(
            [self.bindir / "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
             "-h", self.host, "-p", str(self.port), "-U", self.user, "-d", dbname, "-c", sql],
            what=f"psql on {self.host}:{self.port}",
        )  # fmt: skip

    def create_database(self, name: str) -> str:
        """Create database ``name`` (letters, digits, ``_``) and return its :meth:`url`."""
        if not _DB_NAME.match(name):
            raise ValueError(f"unsafe database name: {name!r}")
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting its clients."""
        if not _DB_NAME.match(name):
            raise ValueError(f"unsafe database name: {name!r}")
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def accepting(self) -> bool:
        """True once the server accepts connections (``pg_isready``)."""
        try:
            run(
                [self.bindir / "pg_isready", "-q", "-h", self.host, "-p", str(self.port),
                 "-U", self.user, "-d", "postgres"],
                what="pg_isready",
            )  # fmt: skip
        except ComponentError:
            return False
        return True


def start(*, timeout: float = 30.0, attempts: int = 3) -> PostgresServer:
    """initdb a fresh cluster in a temp dir and start it on a free loopback port.

    Returns once it accepts connections; raises :class:`ComponentError` otherwise.
    """
    bindir = ensure_installed()
    user: str | None = None
    uid: int | None = None
    if os.geteuid() == 0:
        try:
            uid = pwd.getpwnam(_SUPERUSER).pw_uid
        except KeyError as exc:
            raise ComponentError("running as root needs a 'postgres' system user") from exc
        user = _SUPERUSER
    for attempt in range(1, attempts + 1):
        workdir = make_workdir("postgres", owner_uid=uid)
        data = workdir / "data"
        try:
            run(
                [bindir / "initdb", "-D", data, "-U", _SUPERUSER, "-A", "trust", "-E", "UTF8",
                 "--locale=C", "--no-sync", "--no-instructions"],
                what="initdb", user=user, group=user, extra_groups=[] if user else None,
                cwd=workdir,
            )  # fmt: skip
        except ComponentError:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        port = free_port()
        settings = {**_SETTINGS, "port": str(port), "unix_socket_directories": f"'{workdir}'"}
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("".join(f"{k} = {v}\n" for k, v in settings.items()))
        (data / "pg_hba.conf").write_text(_HBA)
        log = workdir / "postgres.log"
        process = spawn(
            [bindir / "postgres", "-D", data],
            log=log,
            cwd=workdir,
            user=user,
            death_signal=signal.SIGQUIT,  # immediate shutdown if we die
        )
        server = PostgresServer(process, workdir, [log], port, bindir)
        try:
            wait_until(
                server.accepting, timeout=timeout, service=server,
                what=f"PostgreSQL on {LOOPBACK}:{port}",
            )  # fmt: skip
            return server
        except BaseException:
            port_race = "Address already in use" in log.read_text(errors="replace")
            server.stop()
            if not port_race or attempt == attempts:
                raise
    raise AssertionError("unreachable")
