"""The services as the portal sees them, faked: canned answers, every request recorded.

``services.answer("catalog", "GET", "/sessions", {"items": []})`` makes that call
answer with the body; a path may contain ``*`` for one segment. Requests the test
did not expect answer 404 ``not-found``, as a real service would for an unknown
path. ``services.requests`` lists what the portal sent (method, service, path,
query, headers, JSON body), so a test can check what reached a service.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

SERVICES = ("identity", "catalog", "enrolment", "sponsorship", "certification", "audit")


@dataclasses.dataclass
class Sent:
    """One request the portal made."""

    method: str
    service: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class FakeServices(BaseAdapter):
    """A ``requests`` adapter answering for every service at ``http://<name>``."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[tuple[str, str, str, Any]] = []
        self.requests: list[Sent] = []

    def answer(self, service: str, method: str, path: str, body: Any = None,
               status: int = 200) -> None:
        """Answer ``method path`` at ``service`` with ``body`` (latest answer wins)."""
        self.answers.insert(0, (service, method.upper(), path, (status, body)))

    def refuse(self, service: str, method: str, path: str, status: int, title: str,
               detail: str = "", errors: dict | None = None, slug: str | None = None) -> None:
        """Answer with a problem document, as the shared problem handlers write them."""
        body = {"type": f"https://score.example/problems/{slug or title.lower().replace(' ', '-')}",
                "title": title, "status": status, "detail": detail or title}
        if errors:
            body["errors"] = errors
        self.answer(service, method, path, body, status)

    def sent(self, service: str, method: str | None = None, path: str | None = None) -> list[Sent]:
        """The requests that went to ``service`` (and ``method``/``path`` when given)."""
        return [r for r in self.requests if r.service == service
                and (method is None or r.method == method)
                and (path is None or fnmatch.fnmatchcase(r.path, path))]

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """The canned answer to ``request``."""
        parts = urlsplit(request.url)
        service = parts.hostname or ""
        body: Any = request.body
        if isinstance(body, bytes):
            body = body.decode()
        if body and "json" in request.headers.get("Content-Type", ""):
            body = json.loads(body)
        elif body:
            body = {k: v[0] for k, v in parse_qs(body).items()}
        self.requests.append(Sent(request.method, service, parts.path, parse_qs(parts.query),
                                  dict(request.headers), body))
        status, answer = 404, {"type": "https://score.example/problems/not-found",
                               "title": "Not found", "status": 404, "detail": "no such path"}
        for name, method, pattern, (code, canned) in self.answers:
            if name == service and method == request.method and _matches(pattern, parts.path):
                status, answer = code, canned
                break
        response = requests.Response()
        response.status_code = status
        content_type = "application/problem+json" if status >= 400 else "application/json"
        response.headers = CaseInsensitiveDict({"Content-Type": content_type})
        response._content = b"" if answer is None else json.dumps(answer).encode()
        response._content_consumed = True
        response.url = request.url
        response.request = request
        response.reason = "Fake"
        return response

    def close(self) -> None:
        """Nothing to release."""


def _matches(pattern: str, path: str) -> bool:
    wanted, got = pattern.strip("/").split("/"), path.strip("/").split("/")
    if len(wanted) != len(got):
        return False
    return all(w == "*" or w == g for w, g in zip(wanted, got, strict=True))


def session_for(fake: FakeServices) -> requests.Session:
    """A ``requests`` session whose every service is ``fake``."""
    http = requests.Session()
    for name in SERVICES:
        http.mount(f"http://{name}", fake)
    return http
