"""Payment settings: which card gateway, Stripe's keys, and where customers come back to.

Read from ``SCORE_ENROLMENT_<NAME>`` once at start (:func:`load_payment_settings`):

- ``PAYMENT_GATEWAY``: ``stripe`` or ``sandbox``; by default ``stripe`` when a
  ``STRIPE_API_KEY`` is set, else ``sandbox`` (the embedded default);
- ``STRIPE_API_KEY``, ``STRIPE_API_BASE`` (stripe-mock in tests; Stripe's own by default);
- ``STRIPE_WEBHOOK_SECRET``: verifies ``Stripe-Signature``; the sandbox signs with it too
  and, outside production, has a development default;
- ``PUBLIC_URL``: this service as browsers (and the sandbox) reach it, by default
  ``http://127.0.0.1:<port>``;
- ``CHECKOUT_SUCCESS_URL``, ``CHECKOUT_CANCEL_URL``: where Stripe sends the customer back,
  with ``{payment_id}`` and ``{enrolment_id}`` filled in; by default this service's pages.

Production refuses the sandbox, a missing Stripe key or webhook secret, and a missing
public URL (customers would be sent back to a loopback address).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from shared.config import ConfigError, Settings

GATEWAYS = ("stripe", "sandbox")
# Signs the sandbox's events on a development machine; never accepted in production.
SANDBOX_WEBHOOK_SECRET = "whsec_sandbox_development_only"
WEBHOOK_TOLERANCE_S = 300
_PLACEHOLDERS = {"payment_id": "p", "enrolment_id": "e"}


@dataclasses.dataclass(frozen=True)
class PaymentSettings:
    """Where card payments go and how their webhooks are verified."""

    gateway: str
    webhook_secret: str
    public_url: str
    success_url: str
    cancel_url: str
    stripe_api_key: str | None = None
    stripe_api_base: str | None = None
    webhook_tolerance_s: int = WEBHOOK_TOLERANCE_S

    @property
    def webhook_url(self) -> str:
        """This service's webhook endpoint (where the sandbox delivers its events)."""
        return f"{self.public_url}/webhooks/stripe"

    def return_urls(self, payment_id: str, enrolment_id: str) -> tuple[str, str]:
        """The success and cancel URLs of one checkout."""
        ids = {"payment_id": payment_id, "enrolment_id": enrolment_id}
        return self.success_url.format(**ids), self.cancel_url.format(**ids)


def load_payment_settings(settings: Settings, port: int) -> PaymentSettings:
    """The payment settings of a service listening on ``port``; :class:`ConfigError` if unusable."""
    api_key = _text(settings.get("stripe_api_key"))
    gateway = (_text(settings.get("payment_gateway")) or ("stripe" if api_key else "sandbox"))
    gateway = gateway.lower()
    if gateway not in GATEWAYS:
        raise ConfigError(f"SCORE_ENROLMENT_PAYMENT_GATEWAY must be one of {GATEWAYS}")
    secret = _text(settings.get("stripe_webhook_secret"))
    public_url = _text(settings.get("public_url"))
    if settings.is_production:
        _check_production(gateway, secret, public_url)
    if gateway == "stripe" and not api_key:
        raise ConfigError("the stripe gateway needs SCORE_ENROLMENT_STRIPE_API_KEY")
    public_url = (public_url or f"http://127.0.0.1:{settings.port or port}").rstrip("/")
    _check_url("PUBLIC_URL", public_url)
    success = _text(settings.get("checkout_success_url")) or \
        f"{public_url}/checkout/{{payment_id}}/done"
    cancel = _text(settings.get("checkout_cancel_url")) or \
        f"{public_url}/checkout/{{payment_id}}/cancelled"
    for name, template in (("CHECKOUT_SUCCESS_URL", success), ("CHECKOUT_CANCEL_URL", cancel)):
        _check_template(name, template)
    api_base = _text(settings.get("stripe_api_base"))
    if api_base:
        _check_url("STRIPE_API_BASE", api_base)
    return PaymentSettings(gateway=gateway, webhook_secret=secret or SANDBOX_WEBHOOK_SECRET,
                           public_url=public_url, success_url=success, cancel_url=cancel,
                           stripe_api_key=api_key, stripe_api_base=api_base)


def _check_production(gateway: str, secret: str | None, public_url: str | None) -> None:
    if gateway != "stripe":
        raise ConfigError("production refuses the sandbox payment gateway: set "
                          "SCORE_ENROLMENT_STRIPE_API_KEY (and PAYMENT_GATEWAY=stripe)")
    if not secret:
        raise ConfigError("production needs SCORE_ENROLMENT_STRIPE_WEBHOOK_SECRET "
                          "(the endpoint's signing secret, whsec_...)")
    if not public_url:
        raise ConfigError("production needs SCORE_ENROLMENT_PUBLIC_URL (where customers "
                          "return from Stripe Checkout)")


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"SCORE_ENROLMENT_{name} must be an http(s) URL, not {url!r}")


def _check_template(name: str, template: str) -> None:
    try:
        url = template.format(**_PLACEHOLDERS)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"SCORE_ENROLMENT_{name}: only {{payment_id}} and {{enrolment_id}} "
                          f"may be filled in ({exc})") from None
    _check_url(name, url)
