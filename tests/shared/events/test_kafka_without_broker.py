"""The Kafka bus with no broker to talk to: every call fails as BusError, nothing leaks.

kafka-python's constructors connect at once; without a broker they raise their
own timeout error and leave a network thread running. The relay and the
consumer retry through an outage by catching BusError, so anything else would
kill them, and a thread per retry would pile up over a long outage.
"""

from __future__ import annotations

import threading
import time

import pytest

from shared.events.bus import BusError, kafka_consumer
from shared.events.bus import kafka as kafka_bus
from shared.events.bus.kafka import KafkaBus
from tests.infra.ports import free_port


@pytest.fixture
def bus(monkeypatch) -> KafkaBus:
    """A Kafka bus pointing at a port nobody listens on, giving up after half a second."""
    for module in (kafka_bus, kafka_consumer):
        monkeypatch.setattr(module, "BOOTSTRAP_TIMEOUT_MS", 500)
    return KafkaBus(f"127.0.0.1:{free_port()}", client_id="nobody-home")


def kafka_threads() -> list[str]:
    time.sleep(0.2)  # a closing network thread takes a moment to end
    return [t.name for t in threading.enumerate() if t.name.startswith("kafka")]


@pytest.mark.parametrize("call", ["producer", "consumer", "ping", "lag"])
def test_a_call_without_a_broker_fails_as_bus_error_and_leaves_no_thread(bus, call):
    before = kafka_threads()
    with pytest.raises(BusError, match="Unable to bootstrap"):
        {"producer": bus.producer, "consumer": lambda: bus.consumer("g", ["score.x"]),
         "ping": bus.ping, "lag": lambda: bus.lag("g", ["score.x"])}[call]()
    assert kafka_threads() == before
