"""Services' Flask apps behind ``requests``: the reconciler's real HTTP client, no sockets.

``session_for({"catalog": catalog_app, ...})`` is a ``requests.Session`` on which
``http://<name>`` is served by that app's test client, so the client's own code
(headers, status handling, paging) runs unchanged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class FlaskAdapter(BaseAdapter):
    """Answers requests with a Flask app's test client."""

    def __init__(self, app) -> None:
        super().__init__()
        self.client = app.test_client()

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """The app's answer to ``request``."""
        parts = urlsplit(request.url)
        answer = self.client.open(parts.path, method=request.method,
                                  query_string=parts.query, headers=dict(request.headers),
                                  data=request.body)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.get_data()
        response._content_consumed = True
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release."""


def session_for(apps: dict) -> requests.Session:
    """A session serving ``http://<name>`` from ``apps[name]``."""
    http = requests.Session()
    for name, app in apps.items():
        http.mount(f"http://{name}", FlaskAdapter(app))
    return http
