"""Payment settings: the gateway chosen, Stripe's keys, return URLs; what production refuses."""

from __future__ import annotations

import pytest

from services import enrolment
from services.enrolment import payments
from services.enrolment.payments.sandbox import SandboxGateway
from services.enrolment.payments.settings import SANDBOX_WEBHOOK_SECRET, load_payment_settings
from services.enrolment.payments.stripe_gateway import StripeGateway
from shared.config import ConfigError, load_settings

PRODUCTION = {"env": "production", "secret_key": "s3cret-from-the-vault",
              "database_url": "postgresql+psycopg://u:p@db/enrolment"}


def settings(**values):
    return load_payment_settings(load_settings("enrolment", values, environ={}), 5002)


def test_without_a_stripe_key_the_embedded_default_is_the_sandbox_on_its_own_port():
    loaded = settings()
    assert loaded.gateway == "sandbox"
    assert loaded.webhook_secret == SANDBOX_WEBHOOK_SECRET
    assert loaded.public_url == "http://127.0.0.1:5002"
    assert loaded.webhook_url == "http://127.0.0.1:5002/webhooks/stripe"
    assert loaded.return_urls("p1", "e1") == ("http://127.0.0.1:5002/checkout/p1/done",
                                              "http://127.0.0.1:5002/checkout/p1/cancelled")
    assert isinstance(payments.Payments(loaded).checkout_gateway, SandboxGateway)


def test_a_stripe_key_chooses_stripe():
    loaded = settings(stripe_api_key="sk_test_123", stripe_webhook_secret="whsec_1",
                      stripe_api_base="http://127.0.0.1:12111")
    assert loaded.gateway == "stripe" and loaded.stripe_api_base == "http://127.0.0.1:12111"
    assert isinstance(payments.Payments(loaded).checkout_gateway, StripeGateway)


def test_return_urls_may_name_the_portals_pages():
    loaded = settings(checkout_success_url="https://portal.example/enrolments/{enrolment_id}"
                                           "/paid?payment={payment_id}",
                      checkout_cancel_url="https://portal.example/enrolments/{enrolment_id}")
    assert loaded.return_urls("p1", "e1") == ("https://portal.example/enrolments/e1/paid"
                                              "?payment=p1", "https://portal.example/enrolments/e1")


@pytest.mark.parametrize(("values", "complaint"), [
    ({"payment_gateway": "paypal"}, "PAYMENT_GATEWAY"),
    ({"payment_gateway": "stripe"}, "STRIPE_API_KEY"),
    ({"public_url": "ftp://example"}, "PUBLIC_URL"),
    ({"checkout_success_url": "https://x/{session_id}"}, "CHECKOUT_SUCCESS_URL"),
    ({"checkout_cancel_url": "/relative"}, "CHECKOUT_CANCEL_URL"),
    ({"stripe_api_base": "localhost:12111"}, "STRIPE_API_BASE"),
])
def test_unusable_settings_are_refused(values, complaint):
    with pytest.raises(ConfigError, match=complaint):
        settings(**values)


@pytest.mark.parametrize(("values", "complaint"), [
    ({}, "refuses the sandbox"),
    ({"payment_gateway": "sandbox", "stripe_api_key": "sk_live_1"}, "refuses the sandbox"),
    ({"stripe_api_key": "sk_live_1", "public_url": "https://pay.example"},
     "STRIPE_WEBHOOK_SECRET"),
    ({"stripe_api_key": "sk_live_1", "stripe_webhook_secret": "whsec_1"}, "PUBLIC_URL"),
])
def test_production_refuses_the_sandbox_and_missing_secrets(values, complaint):
    with pytest.raises(ConfigError, match=complaint):
        settings(**PRODUCTION, **values)


def test_production_with_stripe_and_its_secrets_starts():
    loaded = settings(**PRODUCTION, stripe_api_key="sk_live_1", stripe_webhook_secret="whsec_1",
                      public_url="https://enrolment.score.example/")
    assert (loaded.gateway, loaded.public_url) == ("stripe", "https://enrolment.score.example")


def test_the_app_refuses_to_start_in_production_on_the_sandbox(app_config, tmp_path):
    with pytest.raises(ConfigError, match="refuses the sandbox"):
        enrolment.create_app(app_config(**PRODUCTION, auto_migrate=False))
