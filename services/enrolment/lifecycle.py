"""The lifecycles of enrolments, payments, visits and waitlist entries, as data.

Entities ask these tables for their next state; anything not in a table is an
:class:`~shared.errors.InvalidTransition` (409). Tests walk every ``pairs()``.
"""

from __future__ import annotations

from shared.lifecycle import Lifecycle

# held: seats held until expires_at; awaiting_payment: a card checkout or a bank
# invoice is open (the hold lasts as long); confirmed: paid (or nothing to pay).
ENROLMENT = Lifecycle("enrolment", "held", {
    "held": {"start_payment": "awaiting_payment", "confirm": "confirmed",
             "cancel": "cancelled", "expire": "expired"},
    # confirm: a re-quote made sponsors pay the rest (the open checkout was closed).
    "awaiting_payment": {"pay": "confirmed", "confirm": "confirmed", "payment_failed": "held",
                         "cancel": "cancelled", "expire": "expired"},
    "confirmed": {"complete": "completed", "cancel": "cancelled"},
    # Stripe says paid after the hold lapsed and the seats could be taken again.
    "expired": {"late_payment": "confirmed"},
})
OPEN_ENROLMENT_STATES = ("held", "awaiting_payment", "confirmed", "completed")
SEAT_HOLDING_STATES = ("held", "awaiting_payment")

PAYMENT = Lifecycle("payment", "pending", {
    "pending": {"succeed": "paid", "fail": "failed"},
    "paid": {"refund": "refund_pending"},
    "refund_pending": {"refunded": "refunded"},
})

VISIT = Lifecycle("visit", "scheduled", {
    "scheduled": {"record": "recorded", "cancel": "cancelled", "reschedule": "scheduled"},
})

WAITLIST = Lifecycle("waitlist entry", "waiting", {
    "waiting": {"offer": "offered", "withdraw": "withdrawn", "lapse": "lapsed"},
})

# A provider's monthly statement: issued (frozen) by a platform admin, then paid –
# the remainder transferred between the platform and the provider, either way.
STATEMENT = Lifecycle("statement", "issued", {
    "issued": {"pay": "paid"},
})
