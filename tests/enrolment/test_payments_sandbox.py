"""The sandbox gateway: a local checkout page whose "Pay" posts a signed event to the webhook.

The app is served over real HTTP here, because the sandbox delivers its events to
the service's own ``/webhooks/stripe`` over HTTP, as Stripe would.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from services import enrolment
from services.enrolment.models import Enrolment, StripeEvent
from services.enrolment.service import holds, refunds
from tests.enrolment import payments_world as w
from tests.support.apps import migrated_sqlite


@pytest.fixture
def app(tmp_path, app_config):
    """The enrolment app served on 127.0.0.1, its public URL pointing at itself."""
    served: dict = {}
    server = make_server("127.0.0.1", 0, lambda env, start: served["app"](env, start),
                         threaded=True)
    application = enrolment.create_app(app_config(
        database_url=migrated_sqlite(enrolment.runtime(), tmp_path),
        public_url=f"http://127.0.0.1:{server.port}"))
    served["app"] = application
    # A short poll: shutdown() waits for the loop to look (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield application
    server.shutdown()
    thread.join()
    server.server_close()
    application.extensions["score_db"].dispose()


@pytest.fixture
def db(app):
    return app.extensions["score_db"]


@pytest.fixture
def checkout(client, db, auth):
    """sme1's 3-person enrolment with an open sandbox checkout: (enrolment id, payment id)."""
    w.seed_world(db)
    enrolment_id = w.hold(db, size=3)
    response = client.post(f"/enrolments/{enrolment_id}/checkout",
                           headers=auth("sme_user", "sme1", "sme"))
    return enrolment_id, response.json["payment"]["id"]


def test_the_checkout_page_shows_the_session_and_the_amount_in_both_languages(client,
                                                                              checkout):
    _, payment_id = checkout

    page = client.get(f"/sandbox/checkout/{payment_id}")

    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for text in ('<html lang="id">', "Kerja sama di tempat kerja", "Workplace cooperation",
                 "Rp4.500.000", "IDR4,500,000", 'lang="en"', "Bayar", "Pay",
                 f'action="/sandbox/checkout/{payment_id}/pay"', '<button type="submit">'):
        assert text in html


def test_paying_posts_a_signed_completed_event_through_the_real_webhook(app, client, db,
                                                                        checkout):
    enrolment_id, payment_id = checkout
    base = app.extensions["enrolment_payments"].settings.public_url

    response = client.post(f"/sandbox/checkout/{payment_id}/pay")

    assert response.status_code == 303
    assert response.location == f"{base}/checkout/{payment_id}/done"
    assert w.enrolment(db, enrolment_id).status == "confirmed"
    assert w.payment(db, payment_id).status == "paid"
    assert w.counters(db) == (0, 3)
    with db.reading() as session:
        token = payment_id.replace("-", "")
        stored = session.get(StripeEvent, f"evt_sandbox_checkout_session_completed_{token}")
        assert (stored.type, stored.outcome) == ("checkout.session.completed", "confirmed")
    done = client.get(f"/checkout/{payment_id}/done").get_data(as_text=True)
    assert "dikonfirmasi" in done and "confirmed" in done


def test_paying_twice_is_a_duplicate_delivery(client, db, checkout):
    _, payment_id = checkout
    client.post(f"/sandbox/checkout/{payment_id}/pay")
    events = w.event_types(db)

    again = client.post(f"/sandbox/checkout/{payment_id}/pay")

    assert again.status_code == 303
    assert w.event_types(db) == events and w.stored_events(db) == 1
    page = client.get(f"/sandbox/checkout/{payment_id}").get_data(as_text=True)
    assert "tidak dapat dibayar lagi" in page and '<button type="submit">' not in page


def test_a_checkout_whose_hold_lapsed_expires_instead_of_paying(app, client, db, checkout,
                                                                clock):
    enrolment_id, payment_id = checkout
    clock.advance(minutes=46)
    base = app.extensions["enrolment_payments"].settings.public_url

    response = client.post(f"/sandbox/checkout/{payment_id}/pay")

    assert response.location == f"{base}/checkout/{payment_id}/cancelled"
    assert w.payment(db, payment_id).status == "failed"
    assert w.enrolment(db, enrolment_id).status == "expired"
    assert w.counters(db) == (0, 0)


def test_a_sandbox_refund_reports_itself_with_a_signed_charge_refunded(app, client, db,
                                                                       checkout):
    enrolment_id, payment_id = checkout
    client.post(f"/sandbox/checkout/{payment_id}/pay")

    with db.transaction() as session:
        enrolment_row = session.get(Enrolment, enrolment_id)
        holds.release(session, enrolment_row, "cancel", actor="u", reason="changed plans",
                      policy=w.POLICY)
        refunds.refund_for_cancellation(session, enrolment_row, 50, actor="u",
                                        reason="changed plans",
                                        payments=app.extensions["enrolment_payments"])
        # Nothing is delivered before the refund request is committed.
        assert w.payment(db, payment_id).status == "paid"

    refunded = w.payment(db, payment_id)
    assert (refunded.status, refunded.refund_amount) == ("refunded", 3 * w.PRICE // 2)
    assert w.event_types(db)[-1] == "payment.refunded"


def test_a_refund_rolled_back_is_never_reported(app, client, db, checkout):
    enrolment_id, payment_id = checkout
    client.post(f"/sandbox/checkout/{payment_id}/pay")

    with pytest.raises(RuntimeError), db.transaction() as session:
        enrolment_row = session.get(Enrolment, enrolment_id)
        holds.release(session, enrolment_row, "cancel", actor="u", reason=None,
                      policy=w.POLICY)
        refunds.refund_for_cancellation(session, enrolment_row, 100, actor="u", reason="x",
                                        payments=app.extensions["enrolment_payments"])
        raise RuntimeError("the cancellation fails after the refund was requested")

    assert w.payment(db, payment_id).status == "paid"
    assert w.stored_events(db) == 1  # only the payment's


def test_only_sandbox_card_payments_have_a_sandbox_page(client, db, checkout, auth):
    invoice = client.post(f"/enrolments/{w.hold(db, 'sme2', 2)}/invoice",
                          headers=auth("sme_user", "sme2", "sme")).json
    for payment_id in (invoice["id"], "no-such-payment"):
        assert client.get(f"/sandbox/checkout/{payment_id}").status_code == 404
        assert client.post(f"/sandbox/checkout/{payment_id}/pay").status_code == 404
        assert client.get(f"/checkout/{payment_id}/done").status_code == 404
