"""The backend-for-frontend's one way out: the services' HTTP APIs, called with ``requests``.

Every page reads and writes through :class:`Backend`, with the user's access token
(kept in the server-side session, never in the browser). Answers come back as
:class:`Reply`; a problem answer (4xx) as :class:`ServiceRefused` carrying the
service's field errors, so a form can show each next to its field; a service that
cannot be reached, times out or fails (5xx) as :class:`ServiceUnavailable`, which
the portal shows as a friendly "try again" page. Nothing here raises anything else.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any

import requests

from shared.logs import request_id_var

USER_AGENT = "score-portal/1"


@dataclasses.dataclass(frozen=True)
class Reply:
    """A 2xx answer: status, parsed JSON body (or None), raw bytes and headers."""

    status: int
    body: Any
    content: bytes
    headers: Mapping[str, str]


class BackendError(Exception):
    """A call that did not succeed."""


class ServiceUnavailable(BackendError):
    """The service could not answer (unreachable, timed out, 5xx)."""

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service}: {detail}")
        self.service, self.detail = service, detail


class ServiceRefused(BackendError):
    """A 4xx answer: the problem document's title, detail, type and field errors."""

    def __init__(self, service: str, status: int, problem: Mapping[str, Any]) -> None:
        self.service, self.status = service, status
        self.problem = dict(problem)
        self.title = str(problem.get("title") or "")
        self.detail = str(problem.get("detail") or self.title)
        self.type = str(problem.get("type") or "about:blank")
        self.errors = _flatten(problem.get("errors") or {})
        super().__init__(f"{service} {status}: {self.detail}")

    @property
    def slug(self) -> str:
        """The problem type's last path segment (``invalid-transition``, ``not-found``)."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error map as ``{"participants.0.gender": ["..."]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, Mapping):
                flat.update(_flatten(value, name))
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                flat[name] = list(value)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    flat.update(_flatten({str(index): item}, name))
            else:
                flat[name] = [str(value)]
    elif isinstance(errors, list):
        flat[prefix or "_"] = [str(e) for e in errors]
    return flat


class Backend:
    """The services at ``urls`` (name → base URL), each call bounded by ``timeout_s``."""

    def __init__(self, urls: Mapping[str, str], timeout_s: float,
                 http: requests.Session | None = None) -> None:
        self.urls = {name: url.rstrip("/") for name, url in urls.items() if url}
        self.timeout_s = timeout_s
        self._local = threading.local()
        self._shared = http  # tests serve the services from a session of their own

    def url(self, service: str, path: str = "") -> str:
        """The public URL of ``path`` at ``service`` (links the browser follows)."""
        return self.urls[service] + path

    def _http(self) -> requests.Session:
        # One connection pool per thread: requests' Session is not thread-safe.
        if self._shared is not None:
            return self._shared
        http = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = requests.Session()
        return http

    def call(self, method: str, service: str, path: str, *, token: str | None = None,
             params: Mapping[str, Any] | None = None, json: Any = None,
             form: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None) -> Reply:
        """``method`` ``path`` at ``service``; a 2xx :class:`Reply` or a :class:`BackendError`."""
        base = self.urls.get(service)
        if base is None:
            raise ServiceUnavailable(service, "not configured")
        sent = {"Accept": "application/json, application/problem+json",
                "User-Agent": USER_AGENT, **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        request_id = request_id_var.get()
        if request_id:
            sent["X-Request-ID"] = request_id
        try:
            # No redirects: a token goes to the configured service and nowhere else.
            response = self._http().request(
                method, base + path, params=_clean(params), json=json, data=form,
                headers=sent, timeout=(self.timeout_s, self.timeout_s), allow_redirects=False)
        except requests.RequestException as exc:
            raise ServiceUnavailable(service, f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(service, f"answered {response.status_code}")
        body = _json(response)
        if response.status_code >= 400:
            problem = body if isinstance(body, Mapping) else {"title": response.reason}
            raise ServiceRefused(service, response.status_code, problem)
        return Reply(response.status_code, body, response.content, response.headers)


def _clean(params: Mapping[str, Any] | None) -> dict | None:
    """Query parameters without the empty ones (a blank filter is no filter)."""
    if params is None:
        return None
    return {k: v for k, v in params.items() if v not in (None, "", [], ())}


def _json(response: requests.Response) -> Any:
    kind = response.headers.get("Content-Type", "")
    if "json" not in kind or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None
