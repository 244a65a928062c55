"""The mailer sends queued notifications: to a real SMTP server (aiosmtpd on 127.0.0.1), with
retries and a last attempt, or as .eml files on the embedded default; templates id/en."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from services import enrolment
from services.enrolment.mail import mailer
from services.enrolment.mail.backends import backend_for
from services.enrolment.mail.render import render
from services.enrolment.mail.settings import load_mail_settings
from services.enrolment.models import Notification
from services.enrolment.service import notifications
from shared.config import ConfigError, load_settings
from shared.jobs import JobContext
from tests.enrolment.builders import register_sme, team
from tests.infra.ports import free_ports

# The kernel's contexts (a title in ``session``) and the payments' (both titles, raw amounts).
PAID = {"sme": "PT Tenun & Batik", "session_title_id": "SCORE M1: Kerja Sama",
        "session_title_en": "SCORE M1: Workplace Cooperation", "amount": 7_500_000}
CONTEXTS = {
    "hold_confirmation": {"sme": "PT Tenun & Batik", "session": "SCORE M1: Kerja Sama",
                          "participants": 3, "amount": 7_500_000,
                          "expires_at": "2026-12-01T03:30:00+00:00"},
    "waitlist_offer": {"sme": "PT Tenun & Batik", "session": "SCORE M1: Kerja Sama",
                       "participants": 2, "expires_at": "2026-12-01T03:30:00+00:00"},
    "invoice": {**PAID, "invoice_number": "INV/BEDO/2026/000012",
                "payment_reference": "BEDO2600001274", "due_date": "2026-12-08"},
    "payment_received": PAID,
    "refund_issued": {**PAID, "refund_amount": 3_750_000,
                      "refund_reason": "cancelled 3 days before the start"},
}
AMOUNTS = {"id": "Rp7.500.000", "en": "IDR7,500,000"}


class Mailbox:
    """What an SMTP server on 127.0.0.1 received; it refuses recipients while ``refusing``."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refusing = False
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refusing:
            self.refused += 1
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


@pytest.fixture
def mailbox():
    """A real SMTP server (aiosmtpd) on a free 127.0.0.1 port, stopped after the test."""
    box = Mailbox()
    (port,) = free_ports(1)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port  # type: ignore[attr-defined]
    yield box
    controller.stop()


def mail_settings(tmp_path, **overrides):
    return load_mail_settings(load_settings("enrolment", {"data_dir": str(tmp_path),
                                                          **overrides}, environ={}))


@pytest.fixture
def smtp(tmp_path, mailbox):
    """Mail settings for the test server: no TLS, three attempts a minute apart."""
    return mail_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=str(mailbox.port),
                         smtp_starttls="false", mail_max_attempts="3", mail_retry_base_s="60",
                         mail_from="SCORE Marketplace <no-reply@score.example.org>")


@pytest.fixture
def held_team(client, catalog, db, policy, auth):
    """An SME enrolled a team: the kernel queued its hold confirmation."""
    session = catalog.session(title_id="SCORE M1: Kerja Sama", price_per_participant=2_500_000)
    sme_id = register_sme(db, policy, subject="owner", contact_email="owner@tenun.example")
    headers = auth("sme_user", sme_id, "sme", subject="owner")
    response = client.post(f"/sessions/{session['session_id']}/enrolments",
                           json={"participants": team(3)}, headers=headers)
    assert response.status_code == 201
    return response.json


def outbox_of(db) -> list[Notification]:
    with db.reading() as session:
        return list(session.scalars(select(Notification).order_by(Notification.created_at)))


def queue(db, template: str, language: str = "id", **context) -> None:
    with db.transaction() as session:
        notifications.queue(session, template, "desk@sme.example",
                            {**CONTEXTS[template], **context}, language=language)


def test_a_queued_email_arrives_with_its_recipient_subject_and_body(db, held_team, smtp,
                                                                    mailbox):
    assert mailer.send_pending(db, backend_for(smtp), smtp) == 1
    ((recipients, message),) = mailbox.received
    assert recipients == ["owner@tenun.example"]
    assert message["Subject"] == "Kursi Anda ditahan: SCORE M1: Kerja Sama"
    assert message["From"] == "SCORE Marketplace <no-reply@score.example.org>"
    (sent,) = outbox_of(db)
    assert message["Message-ID"] == f"<{sent.id}@score.example.org>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "3 kursi" in text and "Rp7.500.000" in text and "WIB" in text
    assert "<strong>Rp7.500.000</strong>" in html
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, None)
    assert mailer.send_pending(db, backend_for(smtp), smtp) == 0
    assert len(mailbox.received) == 1


def test_the_payments_emails_render_from_what_the_payments_queue(
        client, db, auth, held_team, smtp, mailbox):
    sme = auth("sme_user", held_team["sme_id"], "sme", subject="owner")
    invoice = client.post(f"/enrolments/{held_team['id']}/invoice", headers=sme)
    assert invoice.status_code == 201, invoice.json
    staff = auth("provider_staff", held_team["provider_id"], "provider")
    receipt = client.post(f"/invoices/{invoice.json['id']}/confirm", headers=staff, json={
        "amount_received": held_team["amount_due"], "bank_reference": "BCA 123",
        "received_on": invoice.json["created_at"][:10]})
    assert receipt.status_code == 200, receipt.json
    mailer.send_pending(db, backend_for(smtp), smtp)
    subjects = [message["Subject"] for _, message in mailbox.received]
    assert subjects == ["Kursi Anda ditahan: SCORE M1: Kerja Sama",
                        f"Tagihan {invoice.json['invoice_number']}: SCORE M1: Kerja Sama",
                        "Pembayaran diterima: SCORE M1: Kerja Sama"]
    assert {n.status for n in outbox_of(db)} == {"sent"}


def test_an_english_email_is_written_in_english(db, app, smtp, mailbox):
    queue(db, "payment_received", language="en")
    mailer.send_pending(db, backend_for(smtp), smtp)
    ((_, message),) = mailbox.received
    assert message["Subject"] == "Payment received: SCORE M1: Workplace Cooperation"
    assert "IDR7,500,000" in message.get_body(("plain",)).get_content()


def test_a_refusing_server_is_retried_with_backoff_then_the_email_fails(
        db, held_team, smtp, mailbox, clock):
    mailbox.refusing = True
    backend = backend_for(smtp)
    assert mailer.send_pending(db, backend, smtp) == 1
    (pending,) = outbox_of(db)
    assert (pending.status, pending.attempts) == ("pending", 1) and "550" in pending.last_error
    assert mailer.send_pending(db, backend, smtp) == 0  # not due for a minute
    clock.advance(seconds=61)
    mailer.send_pending(db, backend, smtp)
    assert outbox_of(db)[0].attempts == 2
    clock.advance(seconds=61)
    assert mailer.send_pending(db, backend, smtp) == 0  # the second delay is two minutes
    clock.advance(seconds=60)
    mailer.send_pending(db, backend, smtp)
    (failed,) = outbox_of(db)
    assert (failed.status, failed.attempts, mailbox.refused) == ("failed", 3, 3)
    assert "550" in failed.last_error and mailbox.received == []


def test_an_unreachable_server_ends_the_round_and_leaves_the_emails_pending(db, held_team,
                                                                            tmp_path):
    queue(db, "payment_received")
    (closed,) = free_ports(1)
    settings = mail_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=str(closed),
                             smtp_starttls="false", smtp_timeout_s="2")
    assert mailer.send_pending(db, backend_for(settings), settings) == 1
    tried, untouched = outbox_of(db)
    assert tried.status == "pending" and tried.next_attempt_at is not None
    assert "cannot connect" in tried.last_error
    assert (untouched.status, untouched.attempts) == ("pending", 0)


def test_an_email_missing_what_its_template_needs_fails_at_once(db, app, smtp, mailbox):
    with db.transaction() as session:
        notifications.queue(session, "invoice", "desk@sme.example", {"sme": "PT A"})
    mailer.send_pending(db, backend_for(smtp), smtp)
    (failed,) = outbox_of(db)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "is undefined" in failed.last_error and mailbox.received == []


def test_the_embedded_default_writes_eml_files_into_the_data_directory(app, db, held_team,
                                                                       tmp_path):
    settings = app.extensions["score_settings"]
    job = mailer.MAILER.build(JobContext(settings, db, app.extensions["score_bus"]))
    assert job.name == "mailer" and job.tick() == 1
    (written,) = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["To"] == "owner@tenun.example"
    assert message["Subject"].startswith("Kursi Anda ditahan")
    assert outbox_of(db)[0].status == "sent"


def test_the_mailer_is_one_of_the_services_jobs():
    assert "mailer" in {job.name for job in enrolment.runtime().jobs}


PRODUCTION = {"env": "production", "secret_key": "s" * 32,
              "database_url": "postgresql+psycopg://u:p@db/enrolment"}


@pytest.mark.parametrize(("overrides", "says"), [
    ({}, "SMTP_HOST"),
    ({"mail_backend": "file", "mail_from": "x@score.example.org"}, "not into files"),
    ({"smtp_host": "smtp.example.org"}, "MAIL_FROM"),
    ({"smtp_host": "smtp.example.org", "mail_from": "x@score.example.org",
      "smtp_user": "score", "smtp_password": "secret", "smtp_starttls": "false"}, "TLS"),
    ({"smtp_host": "smtp.example.org", "mail_from": "x@score.example.org",
      "mail_max_attempts": "0"}, "MAIL_MAX_ATTEMPTS"),
])
def test_production_refuses_mail_settings_that_cannot_work_or_are_unsafe(overrides, says):
    with pytest.raises(ConfigError, match=says):
        load_mail_settings(load_settings("enrolment", {**PRODUCTION, **overrides}, environ={}))


def test_production_sends_over_smtp_with_starttls_by_default():
    mail = load_mail_settings(load_settings("enrolment", {
        **PRODUCTION, "smtp_host": "smtp.example.org", "mail_from": "x@score.example.org",
        "smtp_user": "score", "smtp_password": "secret"}, environ={}))
    assert (mail.backend, mail.smtp_port, mail.smtp_starttls) == ("smtp", 587, True)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_every_template_renders_subject_text_and_html_in_both_languages(template, language):
    email_ = render(template, language, CONTEXTS[template])
    title = "SCORE M1: Workplace Cooperation" if language == "en" and template not in (
        "hold_confirmation", "waitlist_offer") else "SCORE M1: Kerja Sama"
    assert email_.subject and "\n" not in email_.subject and title in email_.subject
    assert "PT Tenun & Batik" in email_.text and "PT Tenun &amp; Batik" in email_.html
    assert f'<html lang="{language}">' in email_.html
    if template in ("hold_confirmation", "invoice", "payment_received"):
        assert AMOUNTS[language] in email_.text and AMOUNTS[language] in email_.html
    if template == "refund_issued":
        assert "3.750.000" in email_.text or "3,750,000" in email_.text
        assert "cancelled 3 days before the start" in email_.html
    assert not re.search(r"{{|{%", email_.text + email_.html)


def test_an_unknown_language_falls_back_to_indonesian():
    assert render("payment_received", "fr", CONTEXTS["payment_received"]).subject.startswith(
        "Pembayaran diterima")
