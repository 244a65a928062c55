"""The sponsors' share of an enrolment, quoted by sponsorship when the SME asks to pay.

Card checkout and bank invoice call :func:`apply_quote` once every refusal is
behind them and just before the SME's amount is fixed, with the expiry the
checkout or invoice gives the hold: sponsorship reserves its share until then,
keyed by the hold, so a second quote of the same hold (a card checkout replaced
by an invoice) returns the same reservation and only extends it.

Where the call sits: inside the use case's transaction, with the enrolment row
locked – the same choice as the Stripe call beside it. The hold id and expiry
sent are the ones this transaction writes, so the reservation and the enrolment
cannot disagree (no re-check, no second quote after the lock). A transaction
that rolls back after the quote leaves a reservation of this hold behind; that
is safe because sponsorship is idempotent by hold id (a retry gets the same one)
and releases it when our ``enrolment.expired``/``cancelled`` event or its own
reaper says the hold is gone. The price: the lock is held for at most the
timeout (2 s by default, 10 s at most); on PostgreSQL only this enrolment's row
waits, on SQLite (development) every writer, as with Stripe.

Any failure is the full price (:class:`~services.enrolment.sponsorship.Sponsorship`).
A failed re-quote drops an earlier share too: the earlier reservation was not
extended to the new expiry and may lapse before the SME pays, and
``enrolment.confirmed`` with ``sponsor_share = 0`` tells sponsorship to release it.
"""

from __future__ import annotations

import datetime as dt

from services.enrolment.models import Enrolment
from services.enrolment.sponsorship import Quote, QuoteRequest, Sponsorship


def apply_quote(enrolment: Enrolment, expires_at: dt.datetime, sponsorship: Sponsorship,
                authorization: str | None) -> Quote:
    """Ask for the sponsors' share of ``enrolment``'s hold until ``expires_at`` and apply it."""
    quote = sponsorship.quote(QuoteRequest(
        sme_id=enrolment.sme_id, session_id=enrolment.session_id,
        participants=enrolment.participants_count, managers=enrolment.managers,
        workers=enrolment.workers, women=enrolment.women, men=enrolment.men,
        enrolment_id=enrolment.id, hold_id=enrolment.hold_id, expires_at=expires_at,
        amount_due=enrolment.amount_due), authorization)
    # Sponsorship checked 0 <= sponsor_share <= amount_due (the quote's price is ours).
    enrolment.sponsor_share = quote.sponsor_share
    enrolment.sme_share = enrolment.amount_due - quote.sponsor_share
    enrolment.reservation_id = quote.reservation_id
    return quote


def fully_sponsored(enrolment: Enrolment) -> bool:
    """True when sponsors pay the whole (non-zero) price: nothing is left for the SME."""
    return enrolment.amount_due > 0 and enrolment.sme_share == 0
