"""HTML pages a paying customer's browser sees, without a token: the sandbox checkout, returns.

``/sandbox/checkout/<payment id>`` exists for payments of the sandbox gateway only
(none in production, which refuses it); ``/checkout/<payment id>/done`` and
``/cancelled`` are where checkouts return unless settings name other pages.
"""

from __future__ import annotations

from flask import redirect, render_template
from flask.views import MethodView
from flask_smorest import Blueprint

from services.enrolment.api.payments import HTML, current_payments
from services.enrolment.service import checkout_pages
from services.enrolment.service.checkout_pages import CheckoutPage
from shared.money import format_idr
from shared.web import current_db

blp = Blueprint("checkout_pages", __name__,
                description="Pages a paying customer's browser sees (no token needed).")

SETTLED = ("paid", "refund_pending", "refunded")


def _render(template: str, page: CheckoutPage, **extra):
    return render_template(template, page=page, amount_id=format_idr(page.payment.amount, "id"),
                           amount_en=format_idr(page.payment.amount, "en"), **extra)


@blp.route("/sandbox/checkout/<payment_id>")
class SandboxCheckout(MethodView):
    """The sandbox's checkout page."""

    @blp.doc(responses=HTML)
    def get(self, payment_id):
        """Review a sandbox card payment and pay it (embedded default only)."""
        return _render("payments/sandbox_checkout.html",
                       checkout_pages.checkout_page(current_db(), payment_id, sandbox=True))


@blp.route("/sandbox/checkout/<payment_id>/pay")
class SandboxPay(MethodView):
    """Paying in the sandbox."""

    @blp.doc(responses={"303": {"description": "to the checkout's success or cancel page"}})
    def post(self, payment_id):
        """Pay a sandbox checkout: a signed Stripe event goes to this service's webhook."""
        payments = current_payments()
        page = checkout_pages.pay_in_sandbox(current_db(), payment_id, payments)
        success_url, cancel_url = payments.settings.return_urls(payment_id, page.enrolment.id)
        return redirect(success_url if page.payment.status in SETTLED else cancel_url, 303)


@blp.route("/checkout/<payment_id>/done")
class CheckoutDone(MethodView):
    """Back from a checkout."""

    @blp.doc(responses=HTML)
    def get(self, payment_id):
        """Where a checkout returns after paying: the payment's state."""
        return _render("payments/checkout_result.html",
                       checkout_pages.checkout_page(current_db(), payment_id), returned="done")


@blp.route("/checkout/<payment_id>/cancelled")
class CheckoutCancelled(MethodView):
    """Back from a checkout, unpaid."""

    @blp.doc(responses=HTML)
    def get(self, payment_id):
        """Where a checkout returns when the customer gave up: the payment's state."""
        return _render("payments/checkout_result.html",
                       checkout_pages.checkout_page(current_db(), payment_id),
                       returned="cancelled")
