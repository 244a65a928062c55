"""One relay leader per service: others wait as hot standbys.

PostgreSQL: a session advisory lock, released by the server when the leader's
connection dies. SQLite: an exclusive ``flock`` on a file beside the
database, released by the kernel when the process dies.

A PostgreSQL leader confirms its lock at most once per ``recheck_s`` (1 s): a
leader whose lock connection was cut notices within that time plus one relay
round (whose send is bounded by the producer's delivery timeout), and a
standby that takes over meanwhile waits on the row locks of that round.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, text


class Leadership:
    """Try to become (and stay) the single relay of one database."""

    def __init__(self, engine: Engine, name: str, recheck_s: float = 1.0) -> None:
        self.engine = engine
        self.name = name
        self.recheck_s = recheck_s
        self._conn: Connection | None = None
        self._fd: int | None = None
        self._confirmed = float("-inf")

    def acquire(self) -> bool:
        """Become leader if nobody is; True while we are (re-checked every ``recheck_s``)."""
        if self._fd is not None:
            return True
        if self._conn is not None:
            if time.monotonic() - self._confirmed < self.recheck_s:
                return True
            if self._lock_connection_alive():
                self._confirmed = time.monotonic()
                return True
            self.release()  # the server dropped our lock with the connection

        if self.engine.dialect.name == "postgresql":
            return self._acquire_advisory()
        return self._acquire_flock()

    def _lock_connection_alive(self) -> bool:
        # A cut connection loses the advisory lock; a standby may already lead.
        assert self._conn is not None
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:  # any failure means the lock is gone
            return False

    def _acquire_advisory(self) -> bool:
        key = int.from_bytes(hashlib.sha256(self.name.encode()).digest()[:8], "big", signed=True)
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        conn.commit()
        if got:
            self._conn = conn
            self._confirmed = time.monotonic()
        else:
            conn.close()
        return bool(got)

    def _acquire_flock(self) -> bool:
        database = self.engine.url.database or "memory"
        path = Path(f"{database}.{self.name}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Step down (closing the connection or file drops the lock)."""
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may fail
                self._conn.close()
            self._conn = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
