"""The bus contract: what the relay and the consumer runner rely on, for both backends."""

from __future__ import annotations

import re
import time
import uuid

from shared.events.bus import Bus


def produce(bus: Bus, topic: str, items: list[tuple[str, bytes]], headers=None) -> None:
    producer = bus.producer()
    for key, value in items:
        producer.send(topic, key, value, headers or {})
    producer.flush()
    producer.close()


def drain(consumer, expected: int, timeout_s: float = 20.0, commit: bool = True) -> list:
    got: list = []
    deadline = time.monotonic() + timeout_s
    while len(got) < expected and time.monotonic() < deadline:
        for message in consumer.poll(timeout_ms=200, max_records=500):
            got.append(message)
            if commit:
                consumer.commit(message)
    return got


def group() -> str:
    return f"g-{uuid.uuid4().hex[:8]}"


def test_a_consumer_receives_what_was_produced_with_key_and_headers(bus, topic):
    produce(bus, topic, [("k1", b"one")], headers={"ce_id": b"abc"})
    consumer = bus.consumer(group(), [topic])
    [message] = drain(consumer, 1)
    consumer.close()
    assert (message.topic, message.key, message.value) == (topic, "k1", b"one")
    assert message.headers["ce_id"] == b"abc"


def test_records_sharing_a_key_arrive_in_the_order_they_were_sent(bus, topic):
    items = [(f"key{i % 3}", f"{i % 3}:{i}".encode()) for i in range(300)]
    produce(bus, topic, items)
    consumer = bus.consumer(group(), [topic])
    got = drain(consumer, 300)
    consumer.close()
    assert len(got) == 300
    for key in ("key0", "key1", "key2"):
        sequence = [int(m.value.split(b":")[1]) for m in got if m.key == key]
        assert sequence == sorted(sequence) and len(sequence) == 100


def test_a_group_resumes_after_its_last_commit_and_gets_uncommitted_records_again(
        bus_factory, topic):
    bus = bus_factory()
    produce(bus, topic, [("k", f"{i}".encode()) for i in range(10)])
    name = group()
    first = bus.consumer(name, [topic])
    got = drain(first, 10, commit=False)
    for message in got[:4]:
        first.commit(message)
    first.close()
    bus.close()

    restarted = bus_factory()
    second = restarted.consumer(name, [topic])
    rest = drain(second, 6)
    second.close()
    assert [m.value for m in rest] == [f"{i}".encode() for i in range(4, 10)]


def test_records_committed_without_waiting_are_done_once_the_consumer_has_closed(bus, topic):
    produce(bus, topic, [("k", f"{i}".encode()) for i in range(10)])
    name = group()
    first = bus.consumer(name, [topic])
    got = drain(first, 10, commit=False)
    first.commit_soon(got[:3])
    first.commit_soon(got[3:6])
    first.close()
    assert bus.lag(name, [topic]) == {topic: 4}
    second = bus.consumer(name, [topic])
    rest = drain(second, 4)
    second.close()
    assert [m.value for m in rest] == [f"{i}".encode() for i in range(6, 10)]


def test_records_and_committed_offsets_survive_a_restart(bus_factory, topic):
    bus = bus_factory()
    produce(bus, topic, [("k", b"a"), ("k", b"b")])
    name = group()
    consumer = bus.consumer(name, [topic])
    drain(consumer, 1, commit=False)
    consumer.close()
    bus.close()

    reopened = bus_factory()
    assert reopened.lag(name, [topic]) == {topic: 2}
    consumer = reopened.consumer(name, [topic])
    values = [m.value for m in drain(consumer, 2)]
    consumer.close()
    assert values == [b"a", b"b"]
    assert reopened.lag(name, [topic]) == {topic: 0}


def test_each_group_gets_every_record(bus, topic):
    produce(bus, topic, [("k", b"x"), ("k", b"y")])
    for _ in range(2):
        consumer = bus.consumer(group(), [topic])
        assert [m.value for m in drain(consumer, 2)] == [b"x", b"y"]
        consumer.close()


def test_replay_starts_at_an_offset_or_a_time(bus, topic):
    produce(bus, topic, [("k", b"old")])
    time.sleep(0.05)
    cutoff = int(time.time() * 1000)
    time.sleep(0.05)
    produce(bus, topic, [("k", b"new")])
    from_offset = bus.consumer(group(), [topic], start={topic: 0})
    assert [m.value for m in drain(from_offset, 2, commit=False)] == [b"old", b"new"]
    from_offset.close()
    from_time = bus.consumer(group(), [topic], start={topic: f"ts:{cutoff}"})
    assert [m.value for m in drain(from_time, 1, commit=False, timeout_s=5)] == [b"new"]
    from_time.close()


def test_lag_counts_records_the_group_has_not_committed(bus, topic):
    produce(bus, topic, [("k", b"1"), ("k", b"2"), ("k", b"3")])
    name = group()
    assert bus.lag(name, [topic]) == {topic: 3}
    consumer = bus.consumer(name, [topic])
    drain(consumer, 3)
    consumer.close()
    assert bus.lag(name, [topic]) == {topic: 0}


def test_ping_succeeds_on_a_reachable_bus(bus):
    bus.ping()


def test_a_pattern_consumer_reads_matching_topics_including_ones_created_later(bus, topic):
    # The audit's subscription: every service topic, never a <topic>.dlq.<group> one.
    pattern = rf"^{re.escape(topic)}_[a-z0-9]+$"
    produce(bus, f"{topic}_one", [("k", b"first")])
    produce(bus, f"{topic}_one.dlq.g-x", [("k", b"dead letter")])
    name = group()
    consumer = bus.pattern_consumer(name, pattern)
    assert [m.value for m in drain(consumer, 1)] == [b"first"]
    produce(bus, f"{topic}_two", [("k", b"later")])
    later = drain(consumer, 1, timeout_s=60)
    assert [(m.topic, m.value) for m in later] == [(f"{topic}_two", b"later")]
    consumer.close()

    resumed = bus.pattern_consumer(name, pattern)
    produce(bus, f"{topic}_one", [("k", b"after restart")])
    assert [m.value for m in drain(resumed, 1)] == [b"after restart"]
    assert resumed.poll(timeout_ms=1000, max_records=10) == []  # no dead letter, no repeat
    resumed.close()
