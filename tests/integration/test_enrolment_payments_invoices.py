"""Invoice numbers on real PostgreSQL: gapless and unique under concurrency and rollbacks."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from services import enrolment
from services.enrolment.models import InvoiceCounter, Sme
from services.enrolment.service import bank
from shared import clock
from tests.enrolment import payments_world as w

pytestmark = pytest.mark.integration

WORKERS, ROUNDS = 8, 12


@pytest.fixture
def pg_app(pg_database, app_config):
    app = enrolment.create_app(app_config(database_url=pg_database, auto_migrate=True))
    yield app
    app.extensions["score_db"].dispose()


def test_concurrent_invoices_with_rollbacks_leave_no_gap(pg_app):
    db = pg_app.extensions["score_db"]
    committed: list[int] = []
    lock = threading.Lock()
    chance = random.Random(8)

    def invoice_round(fail: bool) -> None:
        try:
            with db.transaction() as session:
                number = bank.next_invoice_number(session, w.PROVIDER, 2026)
                if fail:
                    raise RuntimeError("the invoice's transaction fails after numbering")
        except RuntimeError:
            return
        with lock:
            committed.append(number)

    failures = [chance.random() < 0.3 for _ in range(WORKERS * ROUNDS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(invoice_round, failures))

    assert any(failures)
    assert sorted(committed) == list(range(1, failures.count(False) + 1))
    with db.reading() as session:
        counter = session.scalar(select(InvoiceCounter.last).where(
            InvoiceCounter.provider_id == w.PROVIDER, InvoiceCounter.year == 2026))
    assert counter == len(committed)


def test_smes_invoicing_at_once_get_consecutive_numbers(pg_app, auth):
    db = pg_app.extensions["score_db"]
    w.seed_world(db, capacity=40)
    with db.transaction() as session:
        template = session.get(Sme, "sme1")
        for n in range(5, 13):
            session.add(Sme(**{**{c.key: getattr(template, c.key)
                                  for c in Sme.__table__.columns},
                               "id": f"sme{n}", "nib": f"{n:013d}"}))
    smes = [f"sme{n}" for n in range(1, 13)]
    enrolments = {sme: w.hold(db, sme, 2) for sme in smes}
    barrier = threading.Barrier(len(smes))

    def invoice(sme: str) -> str:
        client = pg_app.test_client()
        barrier.wait()
        response = client.post(f"/enrolments/{enrolments[sme]}/invoice",
                               headers=auth("sme_user", sme, "sme"))
        assert response.status_code == 201, response.json
        return response.json["invoice_number"]

    with ThreadPoolExecutor(len(smes)) as pool:
        numbers = list(pool.map(invoice, smes))

    year = clock.today().year
    assert sorted(numbers) == [f"INV/7C0FFEE0/{year}/{n:06d}" for n in range(1, 13)]
