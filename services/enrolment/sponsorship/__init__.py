"""Sponsorship, as enrolment sees it: a quote at checkout that lowers the SME's share.

    settings.py  SPONSORSHIP_URL (unset: no sponsorship), SPONSORSHIP_TIMEOUT_S
    quotes.py    the request, the answer, the Quote applied, the client protocol
    client.py    the real client: ``POST /quotes`` over HTTP, the SME's token forwarded

:class:`Sponsorship` holds a process's settings and client and never fails a
checkout: no answer in time, a 4xx or 5xx, an answer that is not a quote of this
enrolment – each is a logged, counted full price (docs/SPONSORSHIP.md: the SME
can always pay and confirm; a reservation made meanwhile is released by the saga
or sponsorship's reaper). The app installs its own at start
(``app.extensions["enrolment_sponsorship"]``); tests inject one with a fake client.
"""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter

from services.enrolment.sponsorship.quotes import (
    OK,
    OUTCOMES,
    Quote,
    QuoteAnswer,
    QuoteFailed,
    QuoteRequest,
    SponsorshipClient,
)
from services.enrolment.sponsorship.settings import (
    SponsorshipSettings,
    load_sponsorship_settings,
)
from shared.config import Settings

__all__ = ["Quote", "QuoteAnswer", "QuoteFailed", "QuoteRequest", "Sponsorship",
           "SponsorshipClient", "build"]

log = logging.getLogger(__name__)


class Sponsorship:
    """Quotes for checkouts: ``client`` None means no sponsorship (full price)."""

    def __init__(self, settings: SponsorshipSettings, client: SponsorshipClient | None,
                 registry: CollectorRegistry | None = None) -> None:
        self.settings, self.client = settings, client
        self._counter: Counter | None = None
        if registry is not None:
            self._counter = Counter("score_enrolment_sponsorship_quotes",
                                    "Sponsorship quotes asked at checkout, by outcome "
                                    "(ok, or why the SME pays the full price)",
                                    ["outcome"], registry=registry)
            for outcome in OUTCOMES:  # every series exists from the start, at 0
                self._counter.labels(outcome)

    @classmethod
    def disabled(cls) -> Sponsorship:
        """No sponsorship: every quote is the full price (seeds, tools)."""
        return cls(SponsorshipSettings(), None)

    def quote(self, request: QuoteRequest, authorization: str | None) -> Quote:
        """The sponsors' share for ``request``'s hold; the full price when there is none."""
        if self.client is None:
            return self._counted(Quote.full_price("not_configured"))
        try:
            answer = self.client.reserve(request, authorization)
            quote = _checked(request, answer)
        except QuoteFailed as failed:
            log.warning("sponsorship quote for enrolment %s (hold %s) failed, full price: %s",
                        request.enrolment_id, request.hold_id, failed)
            return self._counted(Quote.full_price(failed.reason))
        log.info("sponsorship quote for enrolment %s (hold %s): sponsors pay %s of %s "
                 "(reservation %s)", request.enrolment_id, request.hold_id,
                 quote.sponsor_share, request.amount_due, quote.reservation_id)
        return self._counted(quote)

    def _counted(self, quote: Quote) -> Quote:
        if self._counter is not None:
            self._counter.labels(quote.outcome).inc()
        return quote


def _checked(request: QuoteRequest, answer: QuoteAnswer) -> Quote:
    """The answer as a Quote, if it is one of this enrolment (``QuoteFailed`` if not)."""
    if answer.sponsor_share + answer.sme_share != answer.price:
        raise QuoteFailed("malformed", f"shares {answer.sponsor_share} + {answer.sme_share} "
                                       f"are not the price {answer.price}")
    if answer.price != request.amount_due:
        # Sponsorship's read model has another price (or team) than the enrolment's
        # snapshot: its reservation would not match what the SME owes.
        raise QuoteFailed("mismatch", f"quoted price {answer.price}, the enrolment owes "
                                      f"{request.amount_due}")
    if answer.sponsor_share == 0:
        return Quote(sponsor_share=0, reservation_id=None, outcome=OK)
    if answer.reservation_id is None:
        raise QuoteFailed("malformed", "a sponsor share without a reservation")
    if answer.reservation_amount not in (None, answer.sponsor_share):
        raise QuoteFailed("malformed", f"reservation of {answer.reservation_amount}, sponsor "
                                       f"share {answer.sponsor_share}")
    return Quote(sponsor_share=answer.sponsor_share, reservation_id=answer.reservation_id,
                 outcome=OK)


def build(settings: Settings, registry: CollectorRegistry | None = None) -> Sponsorship:
    """The sponsorship of a service with ``settings`` (:class:`ConfigError` when unusable)."""
    from services.enrolment.sponsorship.client import HttpSponsorshipClient

    loaded = load_sponsorship_settings(settings)
    client = (HttpSponsorshipClient(loaded.quotes_url, loaded.timeout_s)
              if loaded.quotes_url else None)
    return Sponsorship(loaded, client, registry)
