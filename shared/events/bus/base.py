"""The bus interface both backends implement (and one contract suite tests)."""

from __future__ import annotations

import abc
import dataclasses


class BusError(RuntimeError):
    """The bus could not do what was asked (the caller retries)."""


@dataclasses.dataclass(frozen=True)
class Message:
    """One record read from a topic."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, bytes]
    timestamp_ms: int


class BusProducer(abc.ABC):
    """Sends records; :meth:`flush` returns only when every record sent so far is durable."""

    @abc.abstractmethod
    def send(self, topic: str, key: str, value: bytes,
             headers: dict[str, bytes] | None = None) -> None:
        """Queue one record; records with the same key keep their order."""

    @abc.abstractmethod
    def flush(self, timeout_s: float = 30.0) -> None:
        """Block until all queued records are acknowledged; :class:`BusError` if any failed."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""

    def prepare(self, topics: set[str]) -> None:  # noqa: B027 - optional hook
        """Learn where ``topics`` live now, so the first send does not wait for it."""


class BusConsumer(abc.ABC):
    """Reads records for one consumer group; offsets move only on :meth:`commit`."""

    @abc.abstractmethod
    def poll(self, timeout_ms: int = 100, max_records: int = 100) -> list[Message]:
        """Records after the current position, in per-partition order."""

    @abc.abstractmethod
    def commit(self, message: Message) -> None:
        """Mark ``message`` (and all before it in its partition) done for the group."""

    def commit_soon(self, messages: list[Message]) -> None:
        """Mark ``messages`` done without waiting for the bus to confirm it.

        :meth:`close` waits for what is still on its way; a commit that never
        lands (a crash, a lost connection) only means those records come again.
        """
        last = {(m.topic, m.partition): m for m in messages}
        for message in last.values():
            self.commit(message)

    @abc.abstractmethod
    def close(self) -> None:
        """Leave the group and release connections."""


class Bus(abc.ABC):
    """A message log with topics, keys, consumer groups and committed offsets."""

    name: str

    @abc.abstractmethod
    def producer(self) -> BusProducer:
        """A new producer."""

    @abc.abstractmethod
    def consumer(self, group: str, topics: list[str], *,
                 start: dict[str, int | str] | None = None) -> BusConsumer:
        """A consumer in ``group``; resumes from the group's committed offsets.

        ``start`` (used by replay) overrides where each topic begins: an
        offset (int) or ``"ts:<epoch ms>"``.
        """

    @abc.abstractmethod
    def pattern_consumer(self, group: str, pattern: str) -> BusConsumer:
        """A consumer in ``group`` of every topic whose name matches ``pattern``.

        ``pattern`` is a Python regular expression matched from the start of the
        name (anchor its end with ``$``). Topics created later are picked up within
        seconds, from the group's committed offset (or their first record): a
        reader of every service's topic (the audit) needs no change for a new one.
        """

    @abc.abstractmethod
    def lag(self, group: str, topics: list[str]) -> dict[str, int]:
        """Per topic: records not yet committed by ``group``."""

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise :class:`BusError` if the bus cannot be reached."""

    def close(self) -> None:  # noqa: B027 - optional hook, most buses hold nothing
        """Release shared resources (none by default)."""
