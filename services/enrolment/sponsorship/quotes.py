"""What enrolment asks sponsorship at checkout, and what it makes of the answer.

A :class:`SponsorshipClient` reserves a quote (``POST /quotes`` with ``reserve``)
and returns the :class:`QuoteAnswer`, or raises :class:`QuoteFailed` naming why
not. :class:`~services.enrolment.sponsorship.Sponsorship` turns either into the
:class:`Quote` a checkout applies – a failure is a full price, never an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Protocol

# Every outcome a quote can have: one Prometheus series each, a fixed set.
OK = "ok"
FALLBACKS = (
    "not_configured",  # no SCORE_ENROLMENT_SPONSORSHIP_URL
    "timeout",  # no connection or no answer within the timeout
    "unreachable",  # connection refused, DNS, TLS: no answer at all
    "server_error",  # 5xx
    "refused",  # 4xx: e.g. sponsorship does not know the SME or session yet (404)
    "malformed",  # not the documented answer (status, JSON, fields)
    "mismatch",  # documented, but not a quote of this enrolment (another price)
)
OUTCOMES = (OK, *FALLBACKS)


@dataclasses.dataclass(frozen=True)
class QuoteRequest:
    """A reserving quote for one enrolment's current hold."""

    sme_id: str
    session_id: str
    participants: int
    managers: int
    workers: int
    women: int
    men: int
    enrolment_id: str
    hold_id: str
    expires_at: dt.datetime
    amount_due: int  # not sent: what the answer's price must be

    def body(self) -> dict[str, Any]:
        """The JSON body of ``POST /quotes`` (docs/SPONSORSHIP.md)."""
        return {
            "sme_id": self.sme_id, "session_id": self.session_id,
            "team": {"participants": self.participants, "managers": self.managers,
                     "workers": self.workers, "women": self.women, "men": self.men},
            "reserve": {"enrolment_id": self.enrolment_id, "hold_id": self.hold_id,
                        "expires_at": self.expires_at.astimezone(dt.UTC).isoformat()},
        }


@dataclasses.dataclass(frozen=True)
class QuoteAnswer:
    """Sponsorship's answer, as far as enrolment uses it (whole rupiah)."""

    price: int
    sponsor_share: int
    sme_share: int
    reservation_id: str | None
    reservation_amount: int | None = None


@dataclasses.dataclass(frozen=True)
class Quote:
    """What a checkout applies: the sponsors' share and their reservation (0, None: none)."""

    sponsor_share: int
    reservation_id: str | None
    outcome: str

    @classmethod
    def full_price(cls, reason: str) -> Quote:
        """No sponsor share: the SME pays everything (``reason`` is one of FALLBACKS)."""
        assert reason in FALLBACKS, reason
        return cls(sponsor_share=0, reservation_id=None, outcome=reason)


class QuoteFailed(Exception):
    """No usable answer: ``reason`` is one of FALLBACKS, ``detail`` for the log."""

    def __init__(self, reason: str, detail: str) -> None:
        assert reason in FALLBACKS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class SponsorshipClient(Protocol):
    """Sponsorship's quote endpoint: over HTTP in the service, in-process in tests."""

    def reserve(self, request: QuoteRequest, authorization: str | None) -> QuoteAnswer:
        """Quote and reserve for ``request``'s hold, as the SME user ``authorization`` names.

        Idempotent by ``hold_id``: asked again, sponsorship returns the same
        reservation. Raises :class:`QuoteFailed` when there is no usable answer.
        """
        ...
