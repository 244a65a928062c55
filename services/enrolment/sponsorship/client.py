"""``POST /quotes`` over HTTP with ``requests``: the SME's token forwarded, a short timeout.

Every way the call can go wrong becomes a :class:`QuoteFailed` with a reason from
a fixed set (the metric's labels); nothing here raises anything else. The answer
is read up to :data:`MAX_BODY` bytes and checked field by field (docs/SPONSORSHIP.md):
a quote enrolment cannot fully understand is not applied.
"""

from __future__ import annotations

import json
from typing import Any

import requests
import urllib3

from services.enrolment.sponsorship.quotes import QuoteAnswer, QuoteFailed, QuoteRequest
from shared.logs import request_id_var

MAX_BODY = 64 * 1024  # a quote lists a few offers; anything far bigger is not one
MAX_ID = 64
USER_AGENT = "score-enrolment/1"


class HttpSponsorshipClient:
    """Sponsorship's ``POST /quotes`` at ``quotes_url``; ``timeout_s`` to connect and to read."""

    def __init__(self, quotes_url: str, timeout_s: float) -> None:
        self.quotes_url, self.timeout_s = quotes_url, timeout_s

    def reserve(self, request: QuoteRequest, authorization: str | None) -> QuoteAnswer:
        """The reserving quote for ``request`` (:class:`QuoteFailed` when there is none)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": USER_AGENT}
        if authorization:
            headers["Authorization"] = authorization
        request_id = request_id_var.get()
        if request_id:
            headers["X-Request-ID"] = request_id
        try:
            # No redirects: the token must go to the configured service and nowhere else.
            with requests.post(self.quotes_url, json=request.body(), headers=headers,
                               timeout=(self.timeout_s, self.timeout_s),
                               allow_redirects=False, stream=True) as response:
                body = _read(response)
        except requests.RequestException as exc:
            if _timed_out(exc):
                raise QuoteFailed("timeout", f"no answer within {self.timeout_s:g} s: "
                                             f"{exc}") from exc
            raise QuoteFailed("unreachable", f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise QuoteFailed("server_error", f"{response.status_code} {_excerpt(body)}")
        if 400 <= response.status_code < 500:
            raise QuoteFailed("refused", f"{response.status_code} {_excerpt(body)}")
        if response.status_code not in (200, 201):
            raise QuoteFailed("malformed", f"unexpected status {response.status_code}")
        return parse_answer(body)


def _timed_out(exc: requests.RequestException) -> bool:
    # A body that stalls after the headers surfaces as a ConnectionError wrapping
    # urllib3's ReadTimeoutError (requests wraps it while streaming): a timeout too.
    return isinstance(exc, requests.Timeout) or (
        bool(exc.args) and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError))


def _read(response: requests.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(8192):
        body += chunk
        if len(body) > MAX_BODY:
            raise QuoteFailed("malformed", f"an answer over {MAX_BODY} bytes")
    return bytes(body)


def parse_answer(body: bytes) -> QuoteAnswer:
    """The quote in a 200/201 body (:class:`QuoteFailed` ``malformed`` when it is none)."""
    try:
        data = json.loads(body)
    except ValueError as exc:  # also UnicodeDecodeError
        raise QuoteFailed("malformed", f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise QuoteFailed("malformed", "the answer is not a JSON object")
    if data.get("currency", "IDR") != "IDR":
        raise QuoteFailed("malformed", f"currency {data.get('currency')!r}, not IDR")
    price, sponsor, sme = (_rupiah(data, name) for name in ("price", "sponsor_share",
                                                             "sme_share"))
    reservation = data.get("reservation")
    if reservation is None:
        return QuoteAnswer(price, sponsor, sme, None)
    if not isinstance(reservation, dict):
        raise QuoteFailed("malformed", "reservation is neither an object nor null")
    reservation_id = reservation.get("id")
    if not isinstance(reservation_id, str) or not 1 <= len(reservation_id) <= MAX_ID \
            or not reservation_id.isprintable():
        raise QuoteFailed("malformed", f"reservation.id must be a string of 1–{MAX_ID} "
                                       "printable characters")
    amount = _rupiah(reservation, "amount") if "amount" in reservation else None
    return QuoteAnswer(price, sponsor, sme, reservation_id, amount)


def _rupiah(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    # bool is an int in Python, never in JSON's sense of a number here.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise QuoteFailed("malformed", f"{name} must be whole rupiah (an integer >= 0), "
                                       f"not {value!r}")
    return value


def _excerpt(body: bytes) -> str:
    return body[:200].decode("utf-8", "replace")
