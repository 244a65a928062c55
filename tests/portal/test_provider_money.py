"""A provider's money: bank transfers to confirm and revenue from monthly statements."""

from __future__ import annotations

import pytest

from services.portal.web.provider import money
from shared import clock
from tests.portal import provider_world as w
from tests.portal.conftest import csrf_of


@pytest.fixture
def provider(sign_in, services):
    w.world(services)
    sign_in("provider_staff", w.PROVIDER, "provider")
    return services


# ------------------------------------------------------------------ bank transfers


def test_pending_transfers_of_the_own_provider_are_listed_to_confirm(client, provider):
    page = client.get("/provider/payments").get_data(as_text=True)

    (sent,) = provider.sent("enrolment", "GET", f"/providers/{w.PROVIDER}/invoices")
    assert sent.query["status"] == ["pending"]
    assert "INV/7C0FFEE0/2026/000001" in page and "CV Tenun Nusantara" in page
    assert "Rp4.500.000" in page and "7C0FFEE0260000019" in page
    assert f'action="/provider/payments/{w.PAYMENT_ID}/confirm"' in page
    assert 'data-confirm="Konfirmasi bahwa Rp4.500.000' in page
    assert f'value="{clock.today().isoformat()}"' in page  # received today, by default


def test_confirming_a_transfer_posts_the_receipt_with_csrf(client, provider):
    page = client.get("/provider/payments")
    provider.answer("enrolment", "POST", f"/invoices/{w.PAYMENT_ID}/confirm",
                    {**w.INVOICE, "status": "paid"})
    prefix = w.PAYMENT_ID

    refused = client.post(f"/provider/payments/{w.PAYMENT_ID}/confirm", data={
        f"{prefix}.amount_received": "4500000"})
    assert refused.status_code == 400 and not provider.sent("enrolment", "POST")

    response = client.post(f"/provider/payments/{w.PAYMENT_ID}/confirm", data={
        f"{prefix}.amount_received": "Rp4.500.000", f"{prefix}.received_on": "2027-02-03",
        f"{prefix}.bank_reference": "BCA 0099", "csrf_token": csrf_of(page.data)})

    assert response.status_code == 303
    (sent,) = provider.sent("enrolment", "POST", f"/invoices/{w.PAYMENT_ID}/confirm")
    assert sent.body == {"amount_received": 4_500_000, "received_on": "2027-02-03",
                         "bank_reference": "BCA 0099"}
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "pendaftarannya terkonfirmasi" in after


def test_too_little_received_is_shown_by_the_amount_with_the_values_kept(client, provider):
    page = client.get("/provider/payments")
    provider.refuse("enrolment", "POST", f"/invoices/{w.PAYMENT_ID}/confirm", 422,
                    "Validation failed", "the receipt does not settle the invoice",
                    errors={"amount_received": ["less than the IDR4,500,000 due"]},
                    slug="validation-failed")
    prefix = w.PAYMENT_ID

    response = client.post(f"/provider/payments/{w.PAYMENT_ID}/confirm", data={
        f"{prefix}.amount_received": "4000000", f"{prefix}.received_on": "2027-02-03",
        f"{prefix}.bank_reference": "BCA 0099", "csrf_token": csrf_of(page.data)})

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="{prefix}-amount_received-error"' in text
    assert "kurang dari jumlah tagihan" in text
    assert 'value="4000000"' in text and 'value="BCA 0099"' in text


def test_another_providers_invoice_is_not_confirmed(client, provider):
    page = client.get("/provider/payments")
    provider.answer("enrolment", "GET", f"/invoices/{w.PAYMENT_ID}",
                    {**w.INVOICE, "provider_id": w.OTHER})
    prefix = w.PAYMENT_ID

    response = client.post(f"/provider/payments/{w.PAYMENT_ID}/confirm", data={
        f"{prefix}.amount_received": "4500000", f"{prefix}.received_on": "2027-02-03",
        f"{prefix}.bank_reference": "BCA 0099", "csrf_token": csrf_of(page.data)})

    assert response.status_code == 404
    assert not provider.sent("enrolment", "POST")


# ------------------------------------------------------------------ revenue


def test_revenue_shows_each_months_payments_and_sponsor_shares_in_a_chart(client, provider):
    months = money._months(money.MONTHS_SHOWN)
    for month in months:
        provider.answer("enrolment", "GET", f"/providers/{w.PROVIDER}/statements/{month}",
                        w.statement(month))
    provider.answer("enrolment", "GET", f"/providers/{w.PROVIDER}/statements/{months[-1]}",
                    w.statement(months[-1], card_collected=3_000_000, card_refunded=500_000,
                                bank_received=4_500_000, sponsor_committed=2_000_000,
                                fee=450_000, net_payable=4_050_000))
    provider.answer("enrolment", "GET", "/statements", {"items": [], "next_cursor": None})

    page = client.get("/provider/revenue").get_data(as_text=True)

    asked = [r.path for r in provider.sent("enrolment", "GET", "/providers/*/statements/*")]
    assert asked == [f"/providers/{w.PROVIDER}/statements/{m}" for m in months]
    (issued,) = provider.sent("enrolment", "GET", "/statements")
    assert issued.query["provider_id"] == [w.PROVIDER]
    assert '<svg' in page and 'role="img"' in page
    assert "Rp7.000.000" in page  # 3,000,000 − 500,000 + 4,500,000 paid by SMEs
    assert "Rp2.000.000" in page and "Rp4.050.000" in page


def test_a_months_statement_lists_its_lines_and_offers_the_csv(client, provider):
    month = money._months(1)[0]
    provider.answer("enrolment", "GET", f"/providers/{w.PROVIDER}/statements/{month}", {
        **w.statement(month, bank_received=4_500_000), "lines": [{
            "kind": "bank_payment", "source_id": w.PAYMENT_ID, "enrolment_id": w.ENROLMENT_ID,
            "booked_at": "2027-02-03T03:00:00+00:00", "reference": "BCA 0099",
            "amount": 4_500_000, "platform_cash": False, "fee": 225_000,
            "fee_withheld": None}]})

    page = client.get(f"/provider/revenue/{month}").get_data(as_text=True)

    assert "Transfer bank" in page and "BCA 0099" in page and "Rp225.000" in page
    assert f'href="/provider/revenue/{month}.csv"' in page
    assert client.get("/provider/revenue/2027-13").status_code == 404


def test_a_months_csv_is_the_services_own_download(client, provider):
    month = money._months(1)[0]
    provider.answer("enrolment", "GET", f"/providers/{w.PROVIDER}/statements/{month}",
                    "record,kind\nline,bank_payment\n")

    response = client.get(f"/provider/revenue/{month}.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="statement-{month}.csv"')
    assert b"bank_payment" in response.data
    (sent,) = provider.sent("enrolment", "GET", f"/providers/{w.PROVIDER}/statements/{month}")
    assert sent.query == {"format": ["csv"]}
