"""The services' APIs as the signed-in user (or anonymously): what every page calls.

``get("catalog", "/sessions", params)`` returns the parsed body. A 401 from a
service means the access token ran out early (or was revoked): the token is
refreshed once and the call repeated; if that fails the user is sent to sign in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.portal.backend import Reply, ServiceRefused
from services.portal.users import access_token, backend, refresh


def call(method: str, service: str, path: str, **kwargs: Any) -> Reply:
    """``method`` ``path`` at ``service`` with the user's token (if signed in)."""
    token = access_token()
    try:
        return backend().call(method, service, path, token=token, **kwargs)
    except ServiceRefused as refused:
        if refused.status != 401 or token is None:
            raise
    return backend().call(method, service, path, token=refresh(), **kwargs)


def get(service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
    """The JSON body of ``GET path`` at ``service``."""
    return call("GET", service, path, params=params).body


def post(service: str, path: str, json: Any = None, **kwargs: Any) -> Any:
    """The JSON body of ``POST path`` at ``service`` (``{}`` when it sent none)."""
    body = call("POST", service, path, json=json if json is not None else {}, **kwargs).body
    return {} if body is None else body


def put(service: str, path: str, json: Any) -> Any:
    """The JSON body of ``PUT path`` at ``service``."""
    return call("PUT", service, path, json=json).body


def patch(service: str, path: str, json: Any) -> Any:
    """The JSON body of ``PATCH path`` at ``service``."""
    return call("PATCH", service, path, json=json).body
