"""The reservation saga through the real consumer: enrolment's events commit, release or
reverse what a quote reserved; the reaper releases what nobody spoke of; each step is
announced; a redelivered or repeated fact changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from services.enrolment import events as enrolment_events
from services.sponsorship.config import SponsorshipPolicy
from services.sponsorship.models import FundTransaction, Reservation
from services.sponsorship.service import expiry
from tests.sponsorship.builders import hold
from tests.sponsorship.conftest import published, written

E = enrolment_events
SHARE = 5_000_000  # half of four participants at 2.5 M


class Checkout:
    """One SME's checkout against a fund paying half; events as enrolment sends them."""

    def __init__(self, market, fund_amount: int = 20_000_000) -> None:
        self.market = market
        self.sponsor = market.sponsor()
        self.fund = market.fund(self.sponsor, amount=fund_amount)
        market.offer(self.sponsor, self.fund, {"share_percent": 50})
        self.session = market.session()["session_id"]
        self.sme = market.sme()["sme_id"]

    def reserve(self, minutes: int = 45) -> dict:
        """A reservation for a fresh hold: the hold, and the reservation as answered."""
        reserve = hold(minutes=minutes)
        response = self.market.quote(self.sme, self.session, reserve=reserve)
        assert response.status_code == 201, response.get_json()
        return {**reserve, "reservation": response.get_json()["reservation"]}

    def event(self, kind, made: dict, **fields) -> str:
        reservation = made["reservation"]
        defaults = {"enrolment_id": made["enrolment_id"], "hold_id": made["hold_id"],
                    "sme_id": self.sme, "session_id": self.session,
                    "sponsor_share": reservation["amount"] if reservation else 0,
                    "reservation_id": reservation["id"] if reservation else None}
        return self.market.enrolment_event(kind, **{**defaults, **fields})

    def confirm(self, made: dict, **fields) -> str:
        return self.event(E.ENROLMENT_CONFIRMED, made, status="confirmed", **fields)

    def refund(self, made: dict) -> str:
        return self.event(E.PAYMENT_REFUNDED, made, payment_id=str(uuid.uuid4()),
                          method="card", gateway="stripe", amount=5_000_000, currency="IDR",
                          status="refunded", refund_amount=5_000_000)

    def balance(self) -> dict:
        return self.market.balance(self.sponsor, self.fund)

    def status(self, made: dict) -> str:
        response = self.market.client.get(f"/reservations/{made['reservation']['id']}",
                                          headers=self.market.staff(self.sponsor))
        return response.get_json()["status"]


@pytest.fixture
def checkout(market) -> Checkout:
    return Checkout(market)


def figures(balance: dict) -> tuple[int, int, int]:
    return balance["reserved"], balance["committed"], balance["available"]


def test_a_confirmation_commits_the_reservation(checkout, db):
    made = checkout.reserve()
    before = len(published(db))

    assert checkout.confirm(made) == "applied"

    assert checkout.status(made) == "committed"
    assert figures(checkout.balance()) == (0, SHARE, 20_000_000 - SHARE)
    ((name, data),) = published(db, before)
    assert name == "reservation.committed"
    assert (data["reservation_id"], data["status"], data["amount"], data["enrolment_id"]) == (
        made["reservation"]["id"], "committed", SHARE, made["enrolment_id"])
    assert [(line["fund_id"], line["units"]) for line in data["lines"]] == [
        (checkout.fund, SHARE)]


@pytest.mark.parametrize(("kind", "status"), [(E.ENROLMENT_EXPIRED, "expired"),
                                              (E.ENROLMENT_CANCELLED, "cancelled")])
def test_an_enrolment_ending_unpaid_releases_the_money(checkout, db, kind, status):
    made = checkout.reserve()
    before = len(published(db))

    checkout.event(kind, made, status=status)

    assert checkout.status(made) == "released"
    assert figures(checkout.balance()) == (0, 0, 20_000_000)
    ((name, data),) = published(db, before)
    assert (name, data["status"], data["reason"]) == (
        "reservation.released", "released", f"the enrolment was {status}")


def test_a_cancellation_after_confirmation_reverses_the_commitment(checkout, db):
    made = checkout.reserve()
    checkout.confirm(made)
    before = len(published(db))

    checkout.event(E.ENROLMENT_CANCELLED, made, status="cancelled")

    assert checkout.status(made) == "reversed"
    assert figures(checkout.balance()) == (0, 0, 20_000_000)
    assert [name for name, _d in published(db, before)] == ["reservation.reversed"]


def test_a_refund_reverses_the_commitment(checkout, db):
    made = checkout.reserve()
    checkout.confirm(made)

    checkout.refund(made)

    assert checkout.status(made) == "reversed"
    assert figures(checkout.balance()) == (0, 0, 20_000_000)


def test_a_refund_or_expiry_of_an_unconfirmed_or_unknown_enrolment_changes_nothing(
        checkout, db):
    made = checkout.reserve()
    checkout.refund(made)  # nothing committed yet: nothing to reverse
    stranger = {"enrolment_id": "enr-unknown", "hold_id": "hold-unknown", "reservation": None}
    assert checkout.event(E.ENROLMENT_EXPIRED, stranger, status="expired") == "applied"
    assert checkout.confirm(stranger) == "applied"
    assert checkout.status(made) == "reserved"


def test_a_confirmation_at_full_price_releases_the_reservation(checkout, db):
    """Enrolment gave up waiting for the quote and charged the SME everything."""
    made = checkout.reserve()

    checkout.confirm(made, sponsor_share=0, sme_share=10_000_000, reservation_id=None)

    assert checkout.status(made) == "released"
    assert figures(checkout.balance()) == (0, 0, 20_000_000)


def test_a_late_confirmation_after_release_takes_the_money_again(checkout, db):
    made = checkout.reserve()
    checkout.event(E.ENROLMENT_EXPIRED, made, status="expired")
    before = len(published(db))

    checkout.confirm(made)

    assert checkout.status(made) == "committed"
    assert figures(checkout.balance()) == (0, SHARE, 20_000_000 - SHARE)
    assert [name for name, _d in published(db, before)] == ["reservation.committed"]


def test_a_late_confirmation_finds_the_fund_empty_and_leaves_it_released(market, db):
    checkout = Checkout(market, fund_amount=SHARE)
    made = checkout.reserve()
    checkout.event(E.ENROLMENT_EXPIRED, made, status="expired")
    checkout.confirm(checkout.reserve())  # another team took the money meanwhile
    before, rows = len(published(db)), written(db)["fund_transactions"]

    assert checkout.confirm(made) == "applied"

    assert checkout.status(made) == "released"
    assert figures(checkout.balance()) == (0, SHARE, 0)
    assert published(db, before) == []
    assert written(db)["fund_transactions"] == rows


@pytest.mark.parametrize("step", ["commit", "release", "reverse"])
def test_the_same_fact_twice_changes_nothing(checkout, db, step):
    made = checkout.reserve()
    if step == "reverse":
        checkout.confirm(made)

    def once():
        if step == "commit":
            return checkout.confirm(made)
        if step == "release":
            return checkout.event(E.ENROLMENT_EXPIRED, made, status="expired")
        return checkout.refund(made)

    once()
    state, balance, before = checkout.status(made), checkout.balance(), written(db)
    # A second event (a new event id: the inbox does not catch it) with the same facts.
    assert once() == "applied"

    assert (checkout.status(made), checkout.balance()) == (state, balance)
    assert {k: v for k, v in written(db).items() if k != "inbox"} == {
        k: v for k, v in before.items() if k != "inbox"}


def test_a_completed_enrolment_marks_its_reservation(checkout, db):
    made = checkout.reserve()
    checkout.confirm(made)
    checkout.event(E.ENROLMENT_COMPLETED, made, status="completed", classroom_days=2,
                   outcomes=[])
    response = checkout.market.client.get(f"/reservations/{made['reservation']['id']}",
                                          headers=checkout.market.staff(checkout.sponsor))
    assert response.get_json()["completed"] is True


def test_each_step_books_ledger_rows_keyed_by_the_business_fact(checkout, db):
    made = checkout.reserve()
    checkout.confirm(made)
    checkout.refund(made)
    reservation, offer = made["reservation"]["id"], made["reservation"]["lines"][0]["offer_id"]
    with db.reading() as session:
        keys = session.scalars(select(FundTransaction.idempotency_key)
                               .where(FundTransaction.reservation_id == reservation)
                               .order_by(FundTransaction.id)).all()
    assert keys == [f"reserve:{made['hold_id']}:{offer}", f"commit:{reservation}:{offer}",
                    f"reverse:{reservation}:{offer}"]


def test_the_reservation_created_event_carries_the_team_and_lines(checkout, db):
    before = len(published(db))
    made = checkout.reserve()
    ((name, data),) = published(db, before)
    assert name == "reservation.created"
    assert (data["hold_id"], data["sme_id"], data["session_id"], data["participants"],
            data["women"], data["price"], data["amount"], data["status"]) == (
        made["hold_id"], checkout.sme, checkout.session, 4, 2, 10_000_000, SHARE, "reserved")
    assert data["lines"][0]["sponsor_id"] == checkout.sponsor


# -- the reaper ----------------------------------------------------------------------------

POLICY = SponsorshipPolicy(reservation_grace_s=600)


def test_the_reaper_releases_only_holds_lapsed_beyond_the_grace(checkout, db, clock):
    lapsing, confirmed, later = checkout.reserve(30), checkout.reserve(30), checkout.reserve(90)
    checkout.confirm(confirmed)
    before = len(published(db))

    clock.advance(minutes=30, seconds=599)
    assert expiry.reap(db, POLICY) == 0
    clock.advance(seconds=1)
    assert expiry.reap(db, POLICY) == 1

    with db.reading() as session:
        states = dict(session.execute(select(Reservation.hold_id, Reservation.status)).all())
    assert states == {lapsing["hold_id"]: "released", confirmed["hold_id"]: "committed",
                      later["hold_id"]: "reserved"}
    ((name, data),) = published(db, before)
    assert (name, data["hold_id"], data["changed_by"]) == (
        "reservation.released", lapsing["hold_id"], "system:reaper")
    assert expiry.reap(db, POLICY) == 0  # nothing twice


def test_an_extended_hold_is_not_reaped_at_its_first_expiry(checkout, db, clock):
    made = checkout.reserve(30)
    later = dt.datetime.fromisoformat(made["expires_at"]) + dt.timedelta(hours=1)
    reserve = {"enrolment_id": made["enrolment_id"], "hold_id": made["hold_id"],
               "expires_at": later.isoformat()}
    assert checkout.market.quote(checkout.sme, checkout.session,
                                 reserve=reserve).status_code == 200
    clock.advance(minutes=45)
    assert expiry.reap(db, POLICY) == 0
    clock.advance(hours=1)
    assert expiry.reap(db, POLICY) == 1
