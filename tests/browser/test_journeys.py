"""One journey per role through the embedded marketplace, in Chromium, in both languages.

The marketplace is the README's run command (``score run``: every service, the local
bus, demo data) on free ports; the browser is Debian's Chromium driven by Playwright.
Every page a journey opens is checked by axe-core (no serious or critical violation),
and with ``SCORE_SCREENSHOTS=1`` the main pages are saved to ``docs/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator

import pytest

from tests.support.browser import assert_accessible, screenshot
from tests.support.marketplace import Marketplace, embedded_marketplace

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # ~160 s: its file starts first
PASSWORD = "score-demo-2026"
LANGUAGES = ("id", "en")
# What the pages say, where a journey checks words.
SAYS = {
    "id": {"published": "Diterbitkan", "draft": "Draf", "confirmed": "Terkonfirmasi",
           "paid": "Lunas", "find": "Cari pelatihan SCORE"},
    "en": {"published": "Published", "draft": "Draft", "confirmed": "Confirmed",
           "paid": "Paid", "find": "Find SCORE training"},
}


@pytest.fixture(scope="module")
def market(tmp_path_factory) -> Iterator[Marketplace]:
    """The embedded marketplace, once for every journey of this file."""
    with embedded_marketplace(tmp_path_factory.mktemp("journeys")) as running:
        yield running


class Visitor:
    """A person in a browser: a fresh context in one language, dialogs accepted."""

    def __init__(self, chromium, market: Marketplace, language: str) -> None:
        self.market, self.language = market, language
        self.base = market["portal"]
        self.context = chromium.new_context(locale="id-ID" if language == "id" else "en-GB",
                                            viewport={"width": 1280, "height": 900})
        self.context.add_cookies([{"name": "score_lang", "value": language,
                                   "url": self.base}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        # "Are you sure?" dialogs (data-confirm) are answered yes, as the user would.
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.says = SAYS[language]

    def open(self, path: str, shot: str | None = None) -> None:
        """Go to ``path``, check the page is accessible (and photograph it)."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        self.checked(shot)

    def checked(self, shot: str | None = None) -> None:
        """The page as it is now: accessible, and saved as ``shot`` when asked."""
        self.page.wait_for_load_state("networkidle")
        if self.page.url.startswith(self.base):  # the portal's pages, not the checkout's
            assert self.page.get_attribute("html", "lang") == self.language
        assert_accessible(self.page)
        if shot:
            screenshot(self.page, f"{shot}-{self.language}")

    def submit(self, form: str, shot: str | None = None) -> None:
        """Press ``form``'s submit button, wait for the answer, check it."""
        with self.page.expect_navigation():
            self.page.locator(form).locator("button[type=submit]").first.click()
        self.checked(shot)

    def sign_in(self, email: str) -> None:
        """Sign in through the login form."""
        self.open("/login", shot="sign-in")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.submit("form[action='/login']")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(chromium, market) -> Iterator[Callable[[str], Visitor]]:
    """``visitor(language)``: a new person in a browser; closed after the test."""
    made: list[Visitor] = []

    def new(language: str) -> Visitor:
        made.append(Visitor(chromium, market, language))
        return made[-1]

    yield new
    for person in made:
        person.close()


def _future(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


# SMEs no demo offer sponsors in Batam with a team of men: they pay the whole price.
UNSPONSORED_SMES = {"id": "siti@snack-makmur.example", "en": "rina@kopi-sidikalang.example"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_provider_publishes_a_session_and_confirms_a_bank_transfer(visitor, language):
    provider = visitor(language)
    provider.sign_in("staff@proserve.example")
    provider.checked(shot="provider-overview")
    provider.open("/provider/sessions", shot="provider-sessions")
    provider.open("/provider/sessions/new")
    page = provider.page
    page.select_option("select[name=course_id]", index=1)
    start = 60 + LANGUAGES.index(language)
    page.fill("input[name=start_date]", _future(start))
    page.fill("input[name=end_date]", _future(start + 1))
    page.fill("input[name=enrolment_deadline]", _future(start - 7))
    page.fill("textarea[name=venue_address]", "Jl. Industri Raya 5")
    page.fill("input[name=city]", "Batam")
    page.select_option("select[name=province_code]", label="Kepulauan Riau")
    page.fill("input[name=capacity]", "20")
    page.fill("input[name='estimated_delivery_cost']", "Rp45.000.000")
    lead = page.locator("select[name='trainers.0.trainer_id'] option", has_text=re.compile(
        r"(certified|tersertifikasi): .*M\d"))
    page.select_option("select[name='trainers.0.trainer_id']", lead.first.get_attribute("value"))
    page.select_option("select[name='trainers.0.role']", "lead")
    provider.submit("form[action='/provider/sessions/new']")
    assert "/provider/sessions/" in page.url
    assert provider.says["draft"] in page.inner_text("main")

    provider.submit("form[action$='/publish']", shot="provider-session")

    assert provider.says["published"] in page.inner_text("main")
    public = page.locator("a[href^='/sessions/']").first.get_attribute("href")
    provider.open(public)
    assert "Jl. Industri Raya 5" in page.inner_text("main")

    # An SME enrols a team in it and asks for an invoice to pay by bank transfer.
    sme = visitor(language)
    sme.sign_in(UNSPONSORED_SMES[language])
    sme.open(public.replace("/sessions/", "/sme/enrol/"))
    for row, (name, role) in enumerate([("Joko Widodo", "manager"), ("Andi Saputra", "worker")]):
        sme.page.fill(f"input[name='participants.{row}.full_name']", name)
        sme.page.select_option(f"select[name='participants.{row}.gender']", "male")
        sme.page.select_option(f"select[name='participants.{row}.role']", role)
        sme.page.fill(f"input[name='participants.{row}.position']", "Gudang")
    with sme.page.expect_navigation():
        sme.page.click("button[name=action][value=enrol]")
    sme.checked()
    enrolment = re.search(r"/sme/enrolments/([^/]+)/pay", sme.page.url)[1]
    sme.submit("form:has(input[name=method][value=bank])", shot="sme-invoice")
    reference = sme.page.locator("dt + dd strong").first.inner_text().strip()
    assert reference

    # The provider sees the money arrive and confirms the transfer.
    provider.open("/provider/payments", shot="provider-bank-transfers")
    invoice = page.locator("section.panel", has_text=reference)
    amount = re.sub(r"\D", "", invoice.locator("dd strong").first.inner_text())
    invoice.locator("input[name$='.amount_received']").fill(amount)
    invoice.locator("input[name$='.received_on']").fill(dt.date.today().isoformat())
    invoice.locator("input[name$='.bank_reference']").fill(f"BCA-{reference}")
    with page.expect_navigation():
        invoice.locator("button[type=submit]").click()
    provider.checked()
    assert not page.locator("section.panel", has_text=reference).count()

    sme.open(f"/sme/enrolments/{enrolment}")
    deadline = time.monotonic() + 30
    while sme.says["confirmed"] not in sme.page.inner_text("main") and time.monotonic() < deadline:
        time.sleep(1)
        sme.page.reload()
    assert sme.says["confirmed"] in sme.page.inner_text("main")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_sponsor_creates_and_publishes_an_offer(visitor, language):
    sponsor = visitor(language)
    sponsor.sign_in("sponsor@kemnaker.example")
    sponsor.checked(shot="sponsor-funds")
    sponsor.open("/sponsor/offers/new", shot="sponsor-offer-editor")
    page = sponsor.page
    page.select_option("select[name=fund_id]", index=1)
    title = f"Pelatihan K3 untuk UKM ({language})"
    page.fill("input[name=title]", title)
    page.fill("input[name=share_percent]", "40")
    # The editor checks as one types: a share over 100 % is refused next to its field.
    page.fill("input[name=share_percent]", "140")
    page.locator("[data-live-error]").first.wait_for()
    assert page.get_attribute("input[name=share_percent]", "aria-invalid") == "true"
    page.fill("input[name=share_percent]", "40")
    page.wait_for_function(
        "() => !document.querySelector('input[name=share_percent][aria-invalid=true]')")
    sponsor.submit("form[data-validate-url]")
    assert title in page.inner_text("main")
    assert sponsor.says["draft"] in page.inner_text("main")

    sponsor.submit("form[action$='/publish']", shot="sponsor-offer")

    assert sponsor.says["published"] in page.inner_text("main")
    sponsor.open("/sponsor/offers")
    assert title in page.inner_text("main")


# An SME whose team two sponsors share the price of, in an M1 session in Bekasi, so the
# SME still pays part: the donor for women-led teams and the ministry (demo data).
SPONSORED_SMES = {"id": "agus@mebel-jepara.example", "en": "budi@presisi-batam.example"}


def _sponsor_money(auditor: Visitor) -> int:
    """The dashboard's sponsor money, all kinds of sponsor together, in rupiah."""
    cells = auditor.page.locator("tr[id^='indicator-sponsor_money_'] td:first-of-type")
    return sum(int(re.sub(r"\D", "", text) or 0) for text in cells.all_inner_texts())


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_sme_enrols_a_sponsored_team_pays_and_the_ilo_dashboard_moves(visitor, language):
    auditor = visitor(language)
    auditor.sign_in("auditor@ilo.example")
    auditor.checked(shot="ilo-dashboard")
    before = _sponsor_money(auditor)

    sme = visitor(language)
    page = sme.page
    sme.open("/sessions", shot="search")
    assert sme.says["find"] in page.inner_text("h1")
    page.select_option("select[name=module]", "M1")
    page.fill("input[name=city]", "Bekasi")
    sme.submit("form[role=search]")
    page.locator("ul.results a").first.click()
    page.wait_for_load_state()
    sme.checked(shot="session")
    page.locator("a[href^='/sme/enrol/']").click()
    page.fill("input[name=email]", SPONSORED_SMES[language])
    page.fill("input[name=password]", PASSWORD)
    sme.submit("form[action='/login']")
    assert "/sme/enrol/" in page.url

    for row, (name, role) in enumerate([("Sri Mulyani", "manager"), ("Wati Susanti", "worker")]):
        page.fill(f"input[name='participants.{row}.full_name']", name)
        page.select_option(f"select[name='participants.{row}.gender']", "female")
        page.select_option(f"select[name='participants.{row}.role']", role)
        page.fill(f"input[name='participants.{row}.position']", "Produksi")
    with page.expect_navigation():
        page.click("button[name=action][value=quote]")
    sme.checked(shot="sme-enrol-offers")
    offers = page.inner_text("main")
    assert "Nordic Partnership for Decent Work" in offers
    assert "Kementerian Ketenagakerjaan (Kemnaker)" in offers
    with page.expect_navigation():
        page.click("button[name=action][value=enrol]")
    sme.checked(shot="sme-pay")
    assert "/pay" in page.url
    # The SME pays its own part only: Rp1.000.000 of the Rp5.000.000 price.
    assert re.search(r"(Rp1\.000\.000|IDR1,000,000)", page.inner_text("main"))

    sme.submit("form:has(input[name=method][value=card])")
    # The sandbox checkout (Stripe's stand-in, served by enrolment) takes the card.
    assert page.url.startswith(sme.market["enrolment"])
    with page.expect_navigation(url=re.compile(re.escape(sme.base) + r"/sme/enrolments/")):
        page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    deadline = time.monotonic() + 30
    while sme.says["confirmed"] not in page.inner_text("main") and time.monotonic() < deadline:
        time.sleep(1)  # the payment's webhook and the confirmation are events: not instant
        page.reload()
    sme.checked(shot="sme-enrolment-confirmed")
    assert sme.says["confirmed"] in page.inner_text("main")
    assert sme.says["paid"] in page.inner_text("main")

    # The sponsors' commitment reaches the ILO's log, and its dashboard, by events.
    deadline = time.monotonic() + 60
    after = before
    while after <= before and time.monotonic() < deadline:
        time.sleep(2)
        auditor.page.reload()
        after = _sponsor_money(auditor)
    assert after - before == 4_000_000, (before, after)
    auditor.checked()
