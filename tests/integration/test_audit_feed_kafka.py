"""The audit log on real Kafka and PostgreSQL: what a service commits shows in the feed once.

Catalog runs with its relay on the broker; the audit's ingest job (a pattern
consumer, as production runs it) appends what arrives. Providers registered
through catalog's use cases appear in the feed exactly once; the same records
sent again (a relay re-send after a crash) are counted as duplicates, not
stored; a topic created after the ingest started is logged too. The test prints
the commit → visible-in-feed latency (p50, p99) over 50 events; it asserts none.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import select

from services import audit, catalog
from services.audit.ingest.job import build
from services.catalog import service as catalog_service
from services.catalog.schemas import ProviderIn
from shared.auth import Principal
from shared.config import load_settings
from shared.events.envelope import EventEnvelope
from shared.events.tables import outbox
from shared.jobs import JobContext
from tests.catalog.builders import provider_body
from tests.support.flows import eventually, workers

pytestmark = pytest.mark.integration
EVENTS = 50
AUDITOR = ("ilo_auditor", "ilo", "ilo")


@pytest.fixture
def market(postgres, kafka_bootstrap, app_config):
    """Catalog and audit on their own PostgreSQL databases, both on Kafka."""
    names = {name: f"feed_{name}_{uuid.uuid4().hex[:10]}" for name in ("catalog", "audit")}
    kafka = {"bus": "kafka", "kafka_bootstrap": kafka_bootstrap, "auto_migrate": True}
    apps = {"catalog": catalog.create_app(app_config(
                database_url=postgres.create_database(names["catalog"]), **kafka)),
            "audit": audit.create_app(app_config(
                database_url=postgres.create_database(names["audit"]), **kafka))}
    yield apps
    for name, app in apps.items():
        app.extensions["score_db"].dispose()
        postgres.drop_database(names[name])


class Ingesting:
    """The ingest job in a thread, in a consumer group of this test's own."""

    def __init__(self, app) -> None:
        context = JobContext(load_settings("audit"), app.extensions["score_db"],
                             app.extensions["score_bus"])
        self.job = build(context, group=f"score-audit-{uuid.uuid4().hex[:8]}")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.job.run, args=(self.stop,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


class Watcher:
    """Reads the feed as a client would, noting when each event id first shows."""

    def __init__(self, client, headers) -> None:
        self.client, self.headers = client, headers
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._follow, daemon=True)
        self.after: int | None = None

    def _follow(self) -> None:
        while not self.stop.is_set():
            query = "limit=1000" + (f"&after={self.after}" if self.after is not None else "")
            page = self.client.get(f"/entries?{query}", headers=self.headers).json
            moment = time.perf_counter()
            for item in page["items"]:
                self.seen.setdefault(item["event_id"], moment)
                self.after = item["seq"]
            if not page["items"]:
                self.stop.wait(0.005)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def entries(client, headers, **filters) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return client.get(f"/entries?limit=1000&{query}", headers=headers).json["items"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def test_committed_events_show_in_the_feed_once_and_new_topics_are_picked_up(market, auth):
    catalog_app, audit_app = market["catalog"], market["audit"]
    catalog_db, bus = catalog_app.extensions["score_db"], catalog_app.extensions["score_bus"]
    client, headers = audit_app.test_client(), auth(*AUDITOR)
    committed: dict[str, float] = {}
    with workers(catalog_app, "catalog"), Ingesting(audit_app), \
            Watcher(audit_app.test_client(), headers) as watcher:
        for _ in range(EVENTS):
            staff = Principal(f"user-{uuid.uuid4().hex[:8]}", "provider_staff")
            provider = catalog_service.register_provider(catalog_db, staff,
                                                         ProviderIn().load(provider_body()))
            committed[provider.id] = time.perf_counter()
            time.sleep(0.02)
        with catalog_db.reading() as session:
            rows = session.execute(select(outbox).where(outbox.c.key.in_(committed))).all()
        ids = {row.event_id: row.key for row in rows}
        eventually(lambda: ids.keys() <= watcher.seen.keys(), "every event is in the feed")
        latencies = [(watcher.seen[event_id] - committed[key]) * 1000
                     for event_id, key in ids.items()]
        print(f"\naudit feed: commit -> visible over {len(latencies)} events: "
              f"p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms")

        logged = [e for e in entries(client, headers, type="score.catalog.provider.")
                  if e["event_id"] in ids]
        assert sorted(e["event_id"] for e in logged) == sorted(ids)  # each exactly once
        assert {e["event"].encode() for e in logged} == {row.payload for row in rows}

        # A relay re-sends what it had sent (a crash before marking them sent).
        before = client.get("/ingest/status", headers=headers).json["duplicates"]
        producer = bus.producer()
        for row in rows:
            producer.send(row.topic, row.key, row.payload)
        producer.flush()
        producer.close()
        eventually(lambda: client.get("/ingest/status", headers=headers)
                   .json["duplicates"] >= before + len(rows), "the re-sent records are counted")
        assert len([e for e in entries(client, headers, type="score.catalog.provider.")
                    if e["event_id"] in ids]) == len(rows)

        # A service (and its topic) that did not exist when the ingest started.
        topic = f"score.latecomer{uuid.uuid4().hex[:8]}"
        event = EventEnvelope.new("/score/latecomer", "score.latecomer.thing.happened.v1",
                                  "thing-1", {"n": 1})
        producer = bus.producer()
        producer.send(topic, event.subject, event.to_bytes())
        producer.flush()
        producer.close()
        eventually(lambda: event.id in watcher.seen, "the new topic's event is in the feed")
        [entry] = entries(client, headers, source="/score/latecomer")
        assert (entry["topic"], entry["event"]) == (topic, event.to_bytes().decode())
