"""The bus link: capped backoff, one log line per change of state, Prometheus series."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import generate_latest

from shared.events.bus import BusError
from shared.events.link import BusLink, LinkMetrics


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def metrics() -> LinkMetrics:
    return LinkMetrics()


def sample(metrics: LinkMetrics, name: str, role: str) -> float | None:
    return metrics.registry.get_sample_value(name, {"role": role})


def test_retry_delays_double_up_to_the_cap_and_start_over_after_a_success():
    link = BusLink("relay", first_delay_s=0.5, max_delay_s=30)
    delays = [link.down(BusError("no broker")) for _ in range(9)]
    assert delays == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    link.up()
    assert link.down(BusError("no broker")) == 0.5


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    clock = Clock()
    link = BusLink("consumer", clock=clock)
    with caplog.at_level(logging.INFO, logger="shared.events.link"):
        for _ in range(50):
            link.down(BusError("KafkaTimeoutError: Unable to bootstrap"))
            clock.now += 10
        link.up()
        link.up()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages == [("WARNING", "bus unreachable; retrying with backoff until it is back"),
                        ("INFO", "bus reachable again")]
    assert caplog.records[0].error == "KafkaTimeoutError: Unable to bootstrap"
    assert (caplog.records[1].outage_s, caplog.records[1].attempts) == (500.0, 50)


def test_the_metrics_show_the_link_state_and_count_the_retries(metrics):
    relay, consumer = BusLink("relay", metrics), BusLink("consumer", metrics)
    assert sample(metrics, "score_bus_connected", "relay") == 1
    assert sample(metrics, "score_bus_reconnect_attempts_total", "consumer") == 0
    for _ in range(3):
        consumer.down(BusError("down"))
    assert sample(metrics, "score_bus_connected", "consumer") == 0
    assert sample(metrics, "score_bus_connected", "relay") == 1
    assert sample(metrics, "score_bus_reconnect_attempts_total", "consumer") == 3
    consumer.up()
    assert sample(metrics, "score_bus_connected", "consumer") == 1
    assert relay.connected and consumer.connected
    exposed = generate_latest(metrics.registry).decode()
    assert 'score_bus_connected{role="consumer"} 1.0' in exposed
