"""An in-process sponsorship for enrolment's tests: pays a share, idempotent by hold id."""

from __future__ import annotations

import itertools

from services.enrolment.sponsorship import QuoteAnswer, QuoteFailed, QuoteRequest

_numbers = itertools.count(1)


class FakeSponsors:
    """Sponsors paying ``percent`` of the price; ``failure`` (a reason) makes quotes fail.

    Like sponsorship, one reservation per hold id: a second quote of the same hold
    returns the first reservation. Every call is kept in ``calls``.
    """

    def __init__(self, percent: int = 0) -> None:
        self.percent = percent
        self.failure: str | None = None
        self.calls: list[tuple[QuoteRequest, str | None]] = []
        self.reservations: dict[str, str] = {}

    def reserve(self, request: QuoteRequest, authorization: str | None) -> QuoteAnswer:
        self.calls.append((request, authorization))
        if self.failure is not None:
            raise QuoteFailed(self.failure, "the test's sponsorship fails")
        price = request.amount_due
        share = price * self.percent // 100
        if share == 0:
            return QuoteAnswer(price, 0, price, None)
        reservation = self.reservations.setdefault(request.hold_id, f"res-{next(_numbers)}")
        return QuoteAnswer(price, share, price - share, reservation, share)

    @property
    def holds(self) -> list[str]:
        """The hold id of every quote asked, in order."""
        return [request.hold_id for request, _ in self.calls]
