"""Smoke tests for tests.infra: each real component answers its real client library."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_kafka_produce_and_consume(kafka_bootstrap: str) -> None:
    """A message sent with acks='all' to an auto-created topic comes back out."""
    from kafka import KafkaConsumer, KafkaProducer

    topic = f"infra-smoke-{uuid.uuid4().hex[:8]}"
    payload = b'{"type": "infra.smoke"}'
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", retries=5)
    try:
        meta = producer.send(topic, key=b"k1", value=payload).get(timeout=30)
    finally:
        producer.close()
    assert meta.topic == topic

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"infra-smoke-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    try:
        received: list[Any] = []
        deadline = time.monotonic() + 30
        while not received and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                received.extend(records)
    finally:
        consumer.close()
    assert [(r.key, r.value) for r in received] == [(b"k1", payload)]


def test_postgres_roundtrip(pg_database: str) -> None:
    """Create a table, insert and select through SQLAlchemy 2 + psycopg 3."""
    import sqlalchemy as sa

    assert pg_database.startswith("postgresql+psycopg://")
    engine = sa.create_engine(pg_database)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE course (id serial PRIMARY KEY, title text)"))
            conn.execute(
                sa.text("INSERT INTO course (title) VALUES (:t)"), [{"t": "SCORE Module 1"}]
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, title FROM course")).all()
            server = conn.execute(sa.text("SELECT inet_server_addr()::text")).scalar_one()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "SCORE Module 1")]
    assert server.startswith("127.0.0.1")


def test_stripe_mock_checkout_session(stripe_mock_url: str) -> None:
    """stripe-python talks to stripe-mock: an IDR checkout session in payment mode."""
    import stripe

    client = stripe.StripeClient("sk_test_123", base_addresses={"api": stripe_mock_url})
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "success_url": "http://127.0.0.1/paid",
            "cancel_url": "http://127.0.0.1/cancelled",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "idr",
                        "unit_amount": 150_000_000,
                        "product_data": {"name": "SCORE Module 1 training"},
                    },
                }
            ],
        }
    )
    assert session.id.startswith("cs_")
