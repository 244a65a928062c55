"""Card payment gateways: Stripe in production, the sandbox on the embedded default.

    settings.py        which gateway, Stripe's keys, the webhook secret, return URLs
    gateway.py         the PaymentGateway protocol and what it exchanges
    stripe_gateway.py  Checkout Sessions, refunds and expiry through Stripe's API
    sandbox.py         this service's own checkout page; Stripe-format signed webhooks

:class:`Payments` holds a process's settings and builds each gateway once. The
app installs its own at start (``app.extensions["enrolment_payments"]``); event
handlers and jobs reach it through :func:`current`.
"""

from __future__ import annotations

from services.enrolment.payments.gateway import GatewayError, PaymentGateway
from services.enrolment.payments.settings import PaymentSettings, load_payment_settings
from shared.config import Settings

DEFAULT_PORT = 5002


class Payments:
    """A process's payment settings and its gateways (built on first use)."""

    def __init__(self, settings: PaymentSettings) -> None:
        self.settings = settings
        self._gateways: dict[str, PaymentGateway] = {}

    @property
    def checkout_gateway(self) -> PaymentGateway:
        """The gateway new card checkouts open with."""
        return self.gateway(self.settings.gateway)

    def gateway(self, name: str) -> PaymentGateway:
        """The gateway a payment was made with (``stripe`` or ``sandbox``)."""
        if name not in self._gateways:
            self._gateways[name] = self._build(name)
        return self._gateways[name]

    def _build(self, name: str) -> PaymentGateway:
        if name == "stripe" and self.settings.stripe_api_key:
            from services.enrolment.payments.stripe_gateway import StripeGateway

            return StripeGateway(self.settings.stripe_api_key, self.settings.stripe_api_base)
        if name == "sandbox" and self.settings.gateway == "sandbox":
            from services.enrolment.payments.sandbox import SandboxGateway

            return SandboxGateway(self.settings)
        raise GatewayError(f"the {name} gateway is not configured here")


def build(settings: Settings, port: int = DEFAULT_PORT) -> Payments:
    """The payments of a service with ``settings`` (:class:`ConfigError` when unusable)."""
    return Payments(load_payment_settings(settings, port))


_installed: list[Payments] = []


def install(payments: Payments) -> None:
    """Make ``payments`` the process's (the app does this at start)."""
    _installed.append(payments)


def current() -> Payments:
    """The process's payments: the app's, or – in a consumer or job – the environment's."""
    if not _installed:
        from shared.config import load_settings

        install(build(load_settings("enrolment")))
    return _installed[-1]
