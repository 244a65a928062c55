"""Enrolment has the shape of every service (tests/support/shape.py)."""

from services import enrolment
from tests.support.shape import ServiceShape


class TestShape(ServiceShape):
    runtime = staticmethod(enrolment.runtime)
    # Stripe signs its webhook (no token); the sandbox's "Pay" is a public page's form,
    # reached by the payment's id alone, as a Stripe Checkout URL is.
    public_writes = frozenset({"POST /webhooks/stripe",
                               "POST /sandbox/checkout/{payment_id}/pay"})
