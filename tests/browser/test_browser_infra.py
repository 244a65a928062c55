"""The browser test infrastructure works: Debian's Chromium under Playwright, axe-core in pages.

A tiny static site on 127.0.0.1 (``http.server``) stands in for the portal: a page is
opened and read, axe finds the violations planted in a bad page and none in a good one,
also where a Content-Security-Policy forbids inline scripts (as the portal's may).
"""

from __future__ import annotations

import pytest

from tests.support.browser import assert_accessible, axe_violations, screenshot

pytestmark = pytest.mark.e2e


def test_a_page_opens_and_reads_in_chromium(browser_page, site):
    response = browser_page.goto(f"{site}/good")
    assert response is not None and response.status == 200
    assert browser_page.text_content("#greeting") == "Pelatihan SCORE"
    assert browser_page.evaluate("navigator.language") == "en-US"
    assert screenshot(browser_page, "browser-infra-good").stat().st_size > 0


@pytest.mark.parametrize("browser_page", [{"locale": "id-ID"}], indirect=True)
def test_the_page_locale_can_be_set(browser_page, site):
    browser_page.goto(f"{site}/good")
    assert browser_page.evaluate("navigator.language") == "id-ID"


def test_axe_finds_no_serious_violation_on_a_good_page(browser_page, site):
    browser_page.goto(f"{site}/good")
    assert axe_violations(browser_page) == []
    assert_accessible(browser_page)


@pytest.mark.parametrize("path", ["/bad", "/bad-csp"])
def test_axe_finds_the_violations_planted_in_a_bad_page(browser_page, site, path):
    browser_page.goto(f"{site}{path}")
    found = {v["id"]: v for v in axe_violations(browser_page)}
    assert {"image-alt", "label"} <= found.keys()
    assert found["image-alt"]["nodes"][0]["target"] == ["img"]
    with pytest.raises(AssertionError, match=r"image-alt \(critical\).* at img"):
        assert_accessible(browser_page)
