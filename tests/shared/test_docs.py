"""``/docs`` works offline: the page loads ReDoc from the service itself, never a CDN."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

import pytest

from shared.config import project_root
from tests.support import pingpong
from tests.support.apps import service_app

VENDORED = project_root() / "shared" / "static" / "redoc"


class _Links(HTMLParser):
    """Every ``src``/``href``/``spec-url`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in {"src", "href", "spec-url"} and v]


@pytest.fixture
def client(tmp_path, signing_key):
    app = service_app(pingpong.runtime(), tmp_path, signing_key)
    yield app.test_client()
    app.extensions["score_db"].dispose()


def _page_urls(client) -> list[str]:
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    parser = _Links()
    parser.feed(page.get_data(as_text=True))
    return parser.urls


def test_the_docs_page_refers_only_to_the_service_itself(client):
    urls = _page_urls(client)

    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls


def test_everything_the_docs_page_loads_is_served_by_the_service(client):
    for url in _page_urls(client):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_the_served_redoc_bundle_is_the_vendored_release_unchanged(client):
    script = next(url for url in _page_urls(client) if url.endswith(".js"))
    recorded = re.search(r"sha256\s+`([0-9a-f]{64})`", (VENDORED / "README.md").read_text())

    response = client.get(script)

    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert hashlib.sha256(response.get_data()).hexdigest() == recorded.group(1)
    response.close()
