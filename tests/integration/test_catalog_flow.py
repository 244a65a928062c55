"""The catalog on real PostgreSQL and real Kafka: a published session reaches
``score.catalog``; enrolment events from ``score.enrolment`` move its free seats."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer

from services import catalog
from shared.events import EventEnvelope
from shared.events.consumer import ConsumerRunner
from shared.events.relay import Relay
from tests.catalog.builders import Builder, days

pytestmark = pytest.mark.integration

CONFIRMED = "score.enrolment.enrolment.confirmed.v1"


@pytest.fixture
def pg_app(pg_database, kafka_bootstrap, app_config):
    """The catalog app on a fresh PostgreSQL database and real Kafka (migrated on start)."""
    app = catalog.create_app(app_config(database_url=pg_database, bus="kafka",
                                        kafka_bootstrap=kafka_bootstrap, auto_migrate=True))
    yield app
    app.extensions["score_db"].dispose()


def find_on_topic(bootstrap: str, topic: str, match, timeout_s: float = 30.0) -> list:
    """Records of ``topic`` (from the beginning) for which ``match(envelope)`` holds."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=1000)
    found, deadline = [], time.monotonic() + timeout_s
    try:
        while not found and time.monotonic() < deadline:
            for record in consumer:
                envelope = EventEnvelope.from_bytes(record.value)
                if match(envelope):
                    found.append((record, envelope))
    finally:
        consumer.close()
    return found


def relay_all(db, bus) -> int:
    """Relay the outbox until it is empty; returns how many rows went out."""
    relay, sent = Relay(db, bus, "catalog"), 0
    try:
        while (batch := relay.relay_once()) > 0:
            sent += batch
    finally:
        relay._reset()  # Relay has no public close(); this releases its producer
    return sent


def test_a_published_session_reaches_kafka_and_enrolments_fill_its_seats(
        pg_app, kafka_bootstrap, auth):
    db, bus = pg_app.extensions["score_db"], pg_app.extensions["score_bus"]
    client = pg_app.test_client()
    build = Builder(db)
    provider = build.provider()
    ts = build.session(build.course(provider), "draft", capacity=12)
    staff = auth("provider_staff", provider.id, "provider")
    assert client.get("/sessions").json["items"] == []  # cached: the next search must see
    assert client.post(f"/sessions/{ts.id}/publish", headers=staff).status_code == 200
    assert [i["seats_taken"] for i in client.get("/sessions").json["items"]] == [0]

    assert relay_all(db, bus) >= 4  # registered, approved, course and session published
    [(record, event)] = find_on_topic(
        kafka_bootstrap, "score.catalog",
        lambda e: e.type == "score.catalog.session.published.v1" and e.subject == ts.id)
    assert record.key == ts.id.encode()
    assert event.providerid == provider.id
    assert event.data["capacity"] == 12 and event.data["price_per_participant"] == 2_500_000

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    confirmed = EventEnvelope.new("/score/enrolment", CONFIRMED, "enrolment-1", {
        "enrolment_id": f"enr-{uuid.uuid4()}", "session_id": ts.id, "participants": 5,
        "sme_id": "sme-1"}).to_bytes()
    for _ in range(2):  # delivered twice: applied once
        producer.send("score.enrolment", key=ts.id.encode(), value=confirmed)
    producer.flush()
    producer.close()

    runtime = catalog.runtime()
    runner = ConsumerRunner(db, bus, f"catalog-it-{uuid.uuid4().hex[:8]}", runtime.handlers,
                            max_attempts=2, backoff_ms=10)
    stop = threading.Event()
    worker = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while runner.stats["duplicate"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert runner.stats["duplicate"] >= 1, runner.stats
    body = client.get(f"/sessions/{ts.id}").json
    assert (body["seats_taken"], body["seats_free"], body["is_full"]) == (5, 7, False)
    assert [i["seats_taken"] for i in client.get("/sessions").json["items"]] == [5]


def test_search_and_keyset_pagination_work_on_postgresql(pg_database, app_config):
    app = catalog.create_app(app_config(database_url=pg_database, auto_migrate=True))
    client, build = app.test_client(), Builder(app.extensions["score_db"])
    provider = build.provider()
    course = build.course(provider, title_en="Cleaner Production 100%",
                          description_en="Less WASTE, more output", module_code="M3")
    ids = {build.session(course, start_date=days(10 + i % 4).isoformat(),
                         end_date=days(14).isoformat(),
                         enrolment_deadline=days(5).isoformat()).id for i in range(9)}
    for sort in ("date", "-date", "price", "-price"):
        seen, cursor = [], None
        while True:
            query = {"sort": sort, "limit": 2, "q": "waste", "module": "M3",
                     **({"cursor": cursor} if cursor else {})}
            r = client.get("/sessions", query_string=query)
            assert r.status_code == 200, r.json
            seen += [i["id"] for i in r.json["items"]]
            if (cursor := r.json["next_cursor"]) is None:
                break
        assert sorted(seen) == sorted(ids) and len(seen) == len(ids)
    assert client.get("/sessions", query_string={"q": "100%"}).json["items"]
    assert client.get("/sessions", query_string={"q": "10%0"}).json["items"] == []
    app.extensions["score_db"].dispose()
