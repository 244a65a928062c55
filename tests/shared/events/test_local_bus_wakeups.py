"""The local bus wakes an idle consumer when a record is appended, across processes too."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from shared.events.bus import local
from shared.events.bus.local import LocalBus
from shared.events.bus.wakeup import WakeupSocket

TOPIC = "score.test"


@pytest.fixture(autouse=True)
def no_fallback_polls(monkeypatch):
    """Only a wake-up can end a wait within these tests' time limits."""
    monkeypatch.setattr(local, "FALLBACK_POLL_S", 60.0)


def append_later(bus_path: str, delay_s: float) -> threading.Thread:
    def append() -> None:
        time.sleep(delay_s)
        producer = LocalBus(bus_path).producer()
        producer.send(TOPIC, "k", b"hello")
        producer.flush()
        producer.close()

    thread = threading.Thread(target=append)
    thread.start()
    return thread


def timed_poll(consumer, timeout_ms: int) -> tuple[list, float]:
    started = time.monotonic()
    batch = consumer.poll(timeout_ms=timeout_ms)
    return batch, time.monotonic() - started


def test_an_idle_consumer_is_woken_by_an_append_long_before_its_poll_times_out(tmp_path):
    bus_path = str(tmp_path / "bus.db")
    consumer = LocalBus(bus_path).consumer("g", [TOPIC])
    writer = append_later(bus_path, 0.3)
    batch, waited = timed_poll(consumer, timeout_ms=30_000)
    writer.join()
    consumer.close()
    assert [m.value for m in batch] == [b"hello"]
    assert waited < 10


def test_an_append_in_another_process_wakes_the_consumer(tmp_path):
    bus_path = str(tmp_path / "bus.db")
    consumer = LocalBus(bus_path).consumer("g", [TOPIC])
    script = ("import sys, time; from shared.events.bus.local import LocalBus; time.sleep(0.5);"
              "p = LocalBus(sys.argv[1]).producer(); p.send('score.test', 'k', b'far'); "
              "p.flush(); p.close()")
    writer = subprocess.Popen([sys.executable, "-c", script, bus_path])
    batch, waited = timed_poll(consumer, timeout_ms=30_000)
    assert writer.wait(30) == 0
    consumer.close()
    assert [m.value for m in batch] == [b"far"]
    assert waited < 10


def test_the_socket_of_a_consumer_that_died_is_removed_by_the_next_append(tmp_path):
    bus_path = str(tmp_path / "bus.db")
    script = ("import os, sys; from shared.events.bus.local import LocalBus; "
              "LocalBus(sys.argv[1]).consumer('g', ['score.test']); os._exit(0)")
    subprocess.run([sys.executable, "-c", script, bus_path], check=True)
    wake_dir = tmp_path / "bus.db.wake"
    assert len(os.listdir(wake_dir)) == 1, "the dead consumer's socket is left behind"
    producer = LocalBus(bus_path).producer()
    producer.send(TOPIC, "k", b"x")
    producer.flush()
    producer.close()
    assert os.listdir(wake_dir) == []


def test_a_closed_consumer_leaves_no_socket(tmp_path):
    bus_path = str(tmp_path / "bus.db")
    LocalBus(bus_path).consumer("g", [TOPIC]).close()
    assert os.listdir(tmp_path / "bus.db.wake") == []


def test_wake_up_sockets_work_in_directories_too_deep_for_a_socket_address(tmp_path):
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 6)
    deep.mkdir(parents=True)
    bus_path = str(deep / "bus.db")
    assert len(bus_path) > 120
    consumer = LocalBus(bus_path).consumer("g", [TOPIC])
    writer = append_later(bus_path, 0.3)
    batch, waited = timed_poll(consumer, timeout_ms=30_000)
    writer.join()
    consumer.close()
    assert [m.value for m in batch] == [b"hello"] and waited < 10


def test_a_wake_up_before_the_wait_is_not_lost(tmp_path):
    bus_path = str(tmp_path / "bus.db")
    doorbell = WakeupSocket(bus_path)
    LocalBus(bus_path).producer().flush()  # nothing to append: no wake-up either
    producer = LocalBus(bus_path).producer()
    producer.send(TOPIC, "k", b"x")
    producer.flush()
    started = time.monotonic()
    doorbell.wait(30)
    assert time.monotonic() - started < 10
    doorbell.close()
