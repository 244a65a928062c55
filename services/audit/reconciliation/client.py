"""The services' APIs over HTTP with ``requests``: a service token, timeouts, every page.

The audit asks identity for a token of its machine client (OAuth2 client
credentials, role ``service``) and reads list endpoints page by page
(``next_cursor``). Every way a call can go wrong becomes a :class:`ReadFailed`
with a reason from a fixed set; nothing here raises anything else. Tests mount
a transport adapter on the ``requests.Session`` to serve apps in-process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import requests
import urllib3

from shared.logs import request_id_var

MAX_BODY = 8 * 1024 * 1024  # a page of 100 items with their details; far more is not one
MAX_PAGES = 100_000  # a cursor that never ends is a fault, not a large market
PAGE_SIZE = 100
USER_AGENT = "score-audit/1"
REASONS = (
    "not_configured",  # no base URL for the service
    "timeout",  # no connection or answer within the timeout
    "unreachable",  # connection refused, DNS, TLS: no answer at all
    "server_error",  # 5xx
    "refused",  # 4xx: e.g. the token is not accepted, the role may not read the list
    "malformed",  # not the documented answer (status, JSON, fields)
)


class ReadFailed(Exception):
    """No usable answer: ``reason`` is one of REASONS, ``detail`` for the log."""

    def __init__(self, reason: str, detail: str) -> None:
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def call(http: requests.Session, method: str, url: str, timeout_s: float,
         **kwargs: Any) -> Any:
    """The JSON answer of one call (:class:`ReadFailed` unless a 200 with a JSON body)."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT,
               **kwargs.pop("headers", {})}
    request_id = request_id_var.get()
    if request_id:
        headers["X-Request-ID"] = request_id
    try:
        # No redirects: the token must go to the configured service and nowhere else.
        with http.request(method, url, headers=headers, timeout=(timeout_s, timeout_s),
                          allow_redirects=False, stream=True, **kwargs) as response:
            body = _read(response)
    except requests.RequestException as exc:
        if _timed_out(exc):
            raise ReadFailed("timeout", f"no answer within {timeout_s:g} s: {exc}") from exc
        raise ReadFailed("unreachable", f"{type(exc).__name__}: {exc}") from exc
    status = response.status_code
    if status >= 500:
        raise ReadFailed("server_error", f"{method} {url}: {status} {body[:200]!r}")
    if 400 <= status < 500:
        raise ReadFailed("refused", f"{method} {url}: {status} {body[:200]!r}")
    if status != 200:
        raise ReadFailed("malformed", f"{method} {url}: unexpected status {status}")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ReadFailed("malformed", f"{method} {url}: not JSON") from exc


def _timed_out(exc: requests.RequestException) -> bool:
    # A body that stalls after the headers surfaces as a ConnectionError wrapping
    # urllib3's ReadTimeoutError (requests wraps it while streaming): a timeout too.
    return isinstance(exc, requests.Timeout) or (
        bool(exc.args) and isinstance(exc.args[0], urllib3.exceptions.ReadTimeoutError))


def _read(response: requests.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(65536):
        body += chunk
        if len(body) > MAX_BODY:
            raise ReadFailed("malformed", f"an answer over {MAX_BODY} bytes")
    return bytes(body)


class ClientCredentials:
    """The audit's machine client at identity's token endpoint."""

    def __init__(self, http: requests.Session, identity_url: str, client_id: str,
                 client_secret: str, timeout_s: float) -> None:
        self.http, self.token_url = http, f"{identity_url}/oauth/token"
        self.client_id, self.client_secret, self.timeout_s = client_id, client_secret, timeout_s

    def authorization(self) -> str:
        """A fresh ``Authorization`` header value (a run is short: one token per run)."""
        answer = call(self.http, "POST", self.token_url, self.timeout_s,
                      data={"grant_type": "client_credentials"},
                      auth=(self.client_id, self.client_secret))
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise ReadFailed("malformed", "the token endpoint answered without access_token")
        return f"Bearer {token}"


class ServiceReader:
    """One service's list endpoints, read with the audit's token."""

    def __init__(self, http: requests.Session, base_url: str, authorization: str,
                 timeout_s: float) -> None:
        self.http, self.base_url = http, base_url
        self.authorization, self.timeout_s = authorization, timeout_s

    def items(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict]:
        """Every item of the list at ``path``, through all its pages (``ReadFailed``)."""
        query: dict[str, Any] = {**(params or {})}
        for _ in range(MAX_PAGES):
            page = call(self.http, "GET", f"{self.base_url}{path}", self.timeout_s,
                        params=query, headers={"Authorization": self.authorization})
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i
                                                      for i in items):
                raise ReadFailed("malformed", f"GET {path}: not a page of items")
            yield from items
            cursor = page.get("next_cursor")
            if not cursor:
                return
            query = {**(params or {}), "cursor": cursor}
            if "limit" in page:
                query["limit"] = PAGE_SIZE
        raise ReadFailed("malformed", f"GET {path}: more than {MAX_PAGES} pages")
