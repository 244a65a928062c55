"""The ``local`` bus: a durable log in one SQLite file, for the embedded default.

Each topic is a single partition, so order is total (and therefore per key).
Records and committed offsets survive restarts; a consumer resumes after the
last offset its group committed, which gives the same at-least-once contract
as Kafka. One consumer per group at a time (the embedded mode runs one).

An idle consumer costs nothing: it sleeps until a producer's append wakes it
(:mod:`shared.events.bus.wakeup`), looking for records on its own only every
couple of seconds in case a wake-up was lost.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from pathlib import Path

from shared.events.bus.base import Bus, BusConsumer, BusError, BusProducer, Message
from shared.events.bus.wakeup import Waker, WakeupSocket

log = logging.getLogger(__name__)

# The longest an idle consumer sleeps before looking for records without a wake-up.
FALLBACK_POLL_S = 2.0
# How often a pattern consumer looks for topics that appeared since.
TOPIC_REFRESH_S = 2.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    topic TEXT NOT NULL, "offset" INTEGER NOT NULL, key TEXT, value BLOB NOT NULL,
    headers TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (topic, "offset"));
CREATE TABLE IF NOT EXISTS group_offsets (
    grp TEXT NOT NULL, topic TEXT NOT NULL, committed INTEGER NOT NULL,
    PRIMARY KEY (grp, topic));
"""


def _connect(path: str) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.executescript(_SCHEMA)
    return conn


class LocalBus(Bus):
    """A SQLite file shared by every process of the embedded marketplace."""

    name = "local"

    def __init__(self, path: str) -> None:
        self.path = str(path)
        _connect(self.path).close()

    def producer(self) -> BusProducer:
        return LocalProducer(self.path)

    def consumer(self, group, topics, *, start=None) -> BusConsumer:
        return LocalConsumer(self.path, group, topics, start or {})

    def pattern_consumer(self, group, pattern) -> BusConsumer:
        return LocalPatternConsumer(self.path, group, pattern)

    def lag(self, group, topics):
        conn = _connect(self.path)
        try:
            return {t: _end(conn, t) - _committed(conn, group, t) for t in topics}
        finally:
            conn.close()

    def ping(self) -> None:
        try:
            conn = _connect(self.path)
            conn.execute("SELECT 1")
            conn.close()
        except sqlite3.Error as exc:
            raise BusError(f"local bus {self.path}: {exc}") from exc


def _end(conn: sqlite3.Connection, topic: str) -> int:
    row = conn.execute('SELECT MAX("offset") FROM records WHERE topic=?', (topic,)).fetchone()
    return 0 if row[0] is None else row[0] + 1


def _committed(conn: sqlite3.Connection, group: str, topic: str) -> int:
    row = conn.execute("SELECT committed FROM group_offsets WHERE grp=? AND topic=?",
                       (group, topic)).fetchone()
    return 0 if row is None else row[0]


class LocalProducer(BusProducer):
    """Buffers records; :meth:`flush` appends them in one durable transaction."""

    def __init__(self, path: str) -> None:
        self._conn = _connect(path)
        self._pending: list[tuple[str, str, bytes, dict[str, bytes]]] = []
        self._lock = threading.Lock()
        self._waker = Waker(path)

    def send(self, topic, key, value, headers=None) -> None:
        with self._lock:
            self._pending.append((topic, key, value, headers or {}))

    def flush(self, timeout_s: float = 30.0) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
            if not pending:
                return
            try:
                self._append(pending)
            except sqlite3.Error as exc:
                raise BusError(f"local bus append failed: {exc}") from exc
            self._waker.wake_all()

    def _append(self, pending) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            ends: dict[str, int] = {}
            now = int(time.time() * 1000)
            for topic, key, value, headers in pending:
                if topic not in ends:
                    ends[topic] = _end(conn, topic)
                offset = ends[topic]
                conn.execute(
                    'INSERT INTO records (topic, "offset", key, value, headers, ts) '
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (topic, offset, key, value, _encode_headers(headers), now),
                )
                ends[topic] = offset + 1
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._conn.close()
        self._waker.close()


def _encode_headers(headers: dict[str, bytes]) -> str:
    return json.dumps({k: v.decode("utf-8", "replace") for k, v in headers.items()})


class LocalConsumer(BusConsumer):
    """Reads every topic from its own position; commits write the group's offsets."""

    def __init__(self, path: str, group: str, topics: list[str], start: dict) -> None:
        self._conn = _connect(path)
        self._group = group
        self._positions = {t: self._initial(t, start.get(t)) for t in topics}
        self._wakeups: WakeupSocket | None = None
        try:
            self._wakeups = WakeupSocket(path)
        except OSError as exc:  # e.g. no UNIX sockets here: poll on a short timer instead
            log.warning("local bus wake-ups unavailable; polling", extra={"error": str(exc)})

    def _initial(self, topic: str, start) -> int:
        if start is None:
            return _committed(self._conn, self._group, topic)
        if isinstance(start, str) and start.startswith("ts:"):
            row = self._conn.execute(
                'SELECT MIN("offset") FROM records WHERE topic=? AND ts>=?',
                (topic, int(start[3:]))).fetchone()
            return _end(self._conn, topic) if row[0] is None else row[0]
        return int(start)

    def poll(self, timeout_ms: int = 100, max_records: int = 100) -> list[Message]:
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            if self._wakeups is not None:
                self._wakeups.drain()  # before the query: a later append wakes the wait
            batch = self._fetch(max_records)
            left = deadline - time.monotonic()
            if batch or left <= 0:
                return batch
            if self._wakeups is not None:
                self._wakeups.wait(min(left, FALLBACK_POLL_S))
            else:
                time.sleep(min(0.1, left))

    def _fetch(self, max_records: int) -> list[Message]:
        out: list[Message] = []
        for topic, position in self._positions.items():
            rows = self._conn.execute(
                'SELECT "offset", key, value, headers, ts FROM records '
                'WHERE topic=? AND "offset">=? ORDER BY "offset" LIMIT ?',
                (topic, position, max_records - len(out))).fetchall()
            for offset, key, value, headers, ts in rows:
                decoded = {k: v.encode() for k, v in json.loads(headers).items()}
                out.append(Message(topic, 0, offset, key, bytes(value), decoded, ts))
                self._positions[topic] = offset + 1
            if len(out) >= max_records:
                break
        return out

    def follow(self, topic: str) -> None:
        """Read ``topic`` too, from the group's committed offset (its start if none)."""
        self._positions.setdefault(topic, self._initial(topic, None))

    def commit(self, message: Message) -> None:
        self._conn.execute(
            "INSERT INTO group_offsets (grp, topic, committed) VALUES (?, ?, ?) "
            "ON CONFLICT (grp, topic) DO UPDATE SET committed = excluded.committed",
            (self._group, message.topic, message.offset + 1))

    def close(self) -> None:
        self._conn.close()
        if self._wakeups is not None:
            self._wakeups.close()
            self._wakeups = None


class LocalPatternConsumer(LocalConsumer):
    """A consumer of every topic matching a pattern, new ones included.

    A topic exists here once its first record does: the consumer looks for new
    names in the records table every :data:`TOPIC_REFRESH_S` seconds (and at the
    start), as Kafka's consumer does on each metadata refresh.
    """

    def __init__(self, path: str, group: str, pattern: str) -> None:
        self._pattern = re.compile(pattern)
        self._refreshed = float("-inf")
        super().__init__(path, group, [], {})
        self._refresh()

    def _refresh(self) -> None:
        self._refreshed = time.monotonic()
        for (topic,) in self._conn.execute("SELECT DISTINCT topic FROM records").fetchall():
            if self._pattern.match(topic):
                self.follow(topic)

    def _fetch(self, max_records: int) -> list[Message]:
        if time.monotonic() - self._refreshed >= TOPIC_REFRESH_S:
            self._refresh()
        return super()._fetch(max_records)
