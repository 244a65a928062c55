"""The real sponsorship client against a real HTTP server on 127.0.0.1.

What a checkout gets from each answer sponsorship may give: a quote to apply, or
(timeout, refused connection, 5xx, 4xx, anything but the documented quote) the
full price – logged and counted, never an exception.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client import CollectorRegistry

from services.enrolment.sponsorship import QuoteRequest, Sponsorship, build
from services.enrolment.sponsorship.client import HttpSponsorshipClient
from services.enrolment.sponsorship.settings import SponsorshipSettings
from shared.config import load_settings
from tests.infra.ports import free_ports

TIMEOUT_S = 0.3
TOKEN = "Bearer sme-users-token"
EXPIRES = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
REQUEST = QuoteRequest(sme_id="sme-1", session_id="session-1", participants=4, managers=1,
                       workers=3, women=2, men=2, enrolment_id="enr-1", hold_id="enr-1",
                       expires_at=EXPIRES, amount_due=10_000_000)
QUOTE = {"price": 10_000_000, "sponsor_share": 6_000_000, "sme_share": 4_000_000,
         "currency": "IDR",
         "applied": [{"offer_id": "o1", "fund_id": "f1", "sponsor_id": "s1",
                      "sponsor_name": "Kemnaker", "amount": 6_000_000, "participants": 4}],
         "declined": [],
         "reservation": {"id": "res-1", "status": "reserved", "amount": 6_000_000,
                         "expires_at": EXPIRES.isoformat()}}

Reply = tuple[int, bytes]


class Sponsor:
    """A stand-in sponsorship service: records requests, answers with ``reply``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.reply: Callable[[], Reply] = lambda: (201, json.dumps(QUOTE).encode())
        self.delay_s = 0.0  # before the status line
        self.stall_after_headers = False  # headers, part of the body, then nothing
        self.release = threading.Event()  # ends any sleep when the test is over
        sponsor = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                sponsor.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "body": json.loads(self.rfile.read(length))})
                sponsor.release.wait(sponsor.delay_s)
                status, body = sponsor.reply()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    if status in (301, 302, 307, 308):
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if sponsor.stall_after_headers:
                        self.wfile.write(body[:5])
                        self.wfile.flush()
                        sponsor.release.wait(5)
                        return
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (the timeout tests)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def sponsor() -> Iterator[Sponsor]:
    stub = Sponsor()
    # A short poll: shutdown() waits for the loop to look (0.5 s by default).
    thread = threading.Thread(target=stub.server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield stub
    stub.release.set()
    stub.server.shutdown()
    stub.server.server_close()
    thread.join(5)


def sponsorship_at(url: str, registry: CollectorRegistry | None = None) -> Sponsorship:
    return build(load_settings("enrolment", {"sponsorship_url": url,
                                             "sponsorship_timeout_s": str(TIMEOUT_S)},
                               environ={}), registry)


def counted(registry: CollectorRegistry, outcome: str) -> float | None:
    return registry.get_sample_value("score_enrolment_sponsorship_quotes_total",
                                     {"outcome": outcome})


def test_a_quote_is_reserved_with_the_smes_token_for_the_hold_until_its_expiry(sponsor):
    registry = CollectorRegistry()

    quote = sponsorship_at(sponsor.url, registry).quote(REQUEST, TOKEN)

    assert (quote.sponsor_share, quote.reservation_id, quote.outcome) == (6_000_000, "res-1",
                                                                          "ok")
    (sent,) = sponsor.requests
    assert sent["path"] == "/quotes"
    assert sent["headers"]["Authorization"] == TOKEN
    assert sent["body"] == {
        "sme_id": "sme-1", "session_id": "session-1",
        "team": {"participants": 4, "managers": 1, "workers": 3, "women": 2, "men": 2},
        "reserve": {"enrolment_id": "enr-1", "hold_id": "enr-1",
                    "expires_at": "2026-12-01T03:00:00+00:00"}}
    assert counted(registry, "ok") == 1 and counted(registry, "timeout") == 0


def test_an_existing_reservation_of_the_hold_answers_200_and_is_applied(sponsor):
    sponsor.reply = lambda: (200, json.dumps(QUOTE).encode())
    assert sponsorship_at(sponsor.url).quote(REQUEST, TOKEN).reservation_id == "res-1"


def test_no_sponsor_paying_is_a_quote_without_reservation(sponsor):
    answer = QUOTE | {"sponsor_share": 0, "sme_share": 10_000_000, "applied": [],
                      "reservation": None}
    sponsor.reply = lambda: (201, json.dumps(answer).encode())
    quote = sponsorship_at(sponsor.url).quote(REQUEST, TOKEN)
    assert (quote.sponsor_share, quote.reservation_id, quote.outcome) == (0, None, "ok")


def test_an_answer_slower_than_the_timeout_is_the_full_price(sponsor, caplog):
    sponsor.delay_s = 5 * TIMEOUT_S
    registry = CollectorRegistry()

    with caplog.at_level(logging.WARNING, "services.enrolment.sponsorship"):
        quote = sponsorship_at(sponsor.url, registry).quote(REQUEST, TOKEN)

    assert (quote.sponsor_share, quote.reservation_id, quote.outcome) == (0, None, "timeout")
    assert counted(registry, "timeout") == 1 and counted(registry, "ok") == 0
    assert "enr-1" in caplog.text and "timeout" in caplog.text


def test_a_body_that_stalls_after_the_headers_is_a_timeout_too(sponsor):
    sponsor.stall_after_headers = True
    assert sponsorship_at(sponsor.url).quote(REQUEST, TOKEN).outcome == "timeout"


def test_a_refused_connection_is_the_full_price():
    (closed,) = free_ports(1)  # nothing listens there
    registry = CollectorRegistry()
    quote = sponsorship_at(f"http://127.0.0.1:{closed}", registry).quote(REQUEST, TOKEN)
    assert (quote.sponsor_share, quote.outcome) == (0, "unreachable")
    assert counted(registry, "unreachable") == 1


@pytest.mark.parametrize(("status", "outcome"), [
    (500, "server_error"), (503, "server_error"),
    (404, "refused"),  # sponsorship's read models do not know the SME or session yet
    (401, "refused"), (422, "refused"),
    (307, "malformed"),  # never followed: the SME's token goes nowhere else
    (204, "malformed"),
])
def test_an_error_status_is_the_full_price(sponsor, status, outcome):
    problem = {"type": "about:blank", "title": "Not Found", "status": status}
    sponsor.reply = lambda: (status, json.dumps(problem).encode() if status != 204 else b"")
    quote = sponsorship_at(sponsor.url).quote(REQUEST, TOKEN)
    assert (quote.sponsor_share, quote.reservation_id, quote.outcome) == (0, None, outcome)
    assert [r["path"] for r in sponsor.requests] == ["/quotes"]


@pytest.mark.parametrize("body", [
    b"<html>gateway</html>",
    b"\xff\xfe not utf-8",
    b"[1, 2]",
    json.dumps(QUOTE | {"sponsor_share": "6000000"}).encode(),
    json.dumps(QUOTE | {"sponsor_share": 6_000_000.5}).encode(),
    json.dumps(QUOTE | {"sponsor_share": True}).encode(),
    json.dumps(QUOTE | {"sponsor_share": -1, "sme_share": 10_000_001}).encode(),
    json.dumps({k: v for k, v in QUOTE.items() if k != "sme_share"}).encode(),
    json.dumps(QUOTE | {"sme_share": 5_000_000}).encode(),  # shares do not add up
    json.dumps(QUOTE | {"currency": "USD"}).encode(),
    json.dumps(QUOTE | {"reservation": None}).encode(),  # a share nobody reserved
    json.dumps(QUOTE | {"reservation": {"id": ""}}).encode(),
    json.dumps(QUOTE | {"reservation": {"id": "r" * 65}}).encode(),
    json.dumps(QUOTE | {"reservation": "res-1"}).encode(),
    json.dumps(QUOTE | {"reservation": QUOTE["reservation"] | {"amount": 5}}).encode(),
    json.dumps(QUOTE | {"applied": ["x" * 70_000]}).encode(),  # far too big for a quote
])
def test_an_answer_that_is_not_the_documented_quote_is_the_full_price(sponsor, body):
    sponsor.reply = lambda: (201, body)
    quote = sponsorship_at(sponsor.url).quote(REQUEST, TOKEN)
    assert (quote.sponsor_share, quote.reservation_id, quote.outcome) == (0, None, "malformed")


def test_a_quote_of_another_price_is_not_applied(sponsor):
    # Sponsorship's read model has an older price than the enrolment's snapshot.
    answer = QUOTE | {"price": 12_000_000, "sme_share": 6_000_000}
    sponsor.reply = lambda: (201, json.dumps(answer).encode())
    quote = sponsorship_at(sponsor.url).quote(REQUEST, TOKEN)
    assert (quote.sponsor_share, quote.outcome) == (0, "mismatch")


def test_without_a_url_nothing_is_asked_and_the_full_price_is_counted():
    registry = CollectorRegistry()
    sponsorship = build(load_settings("enrolment", {}, environ={}), registry)
    assert sponsorship.client is None
    assert sponsorship.quote(REQUEST, TOKEN).outcome == "not_configured"
    assert counted(registry, "not_configured") == 1


def test_no_token_is_sent_when_there_is_none(sponsor):
    HttpSponsorshipClient(f"{sponsor.url}/quotes", TIMEOUT_S).reserve(REQUEST, None)
    assert "Authorization" not in sponsor.requests[0]["headers"]


def test_the_disabled_sponsorship_asks_nobody():
    assert Sponsorship.disabled().quote(REQUEST, TOKEN).outcome == "not_configured"
    assert Sponsorship.disabled().settings == SponsorshipSettings()
