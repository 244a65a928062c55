"""The SME pages' codes in words: why a sponsor offer does not apply, size classes, kinds."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Sponsorship's reasons an offer pays nothing for a team (docs/SPONSORSHIP.md).
REASONS = {
    "REASON_FREE_SESSION": _l("The session is free: there is nothing to fund."),
    "REASON_FUND_EXHAUSTED": _l("The sponsor's fund has no money left for this team."),
    "REASON_FUND_NOT_VALID": _l("The sponsor's fund is not open at this time."),
    "REASON_KBLI_NOT_COVERED": _l("The offer does not cover your enterprise's line of business "
                                  "(KBLI)."),
    "REASON_MODULE_NOT_COVERED": _l("The offer does not cover this training module."),
    "REASON_NOTHING_TO_PAY": _l("The offer's share of this price is nothing."),
    "REASON_NOT_ILO_SUPERVISED": _l("The offer is only for sessions the ILO supervises."),
    "REASON_NOT_STACKABLE": _l("The offer cannot be combined with the offers that pay here."),
    "REASON_OFFER_EXPIRED": _l("The offer has ended."),
    "REASON_OFFER_NOT_YET_VALID": _l("The offer has not started yet."),
    "REASON_PRICE_FULLY_COVERED": _l("Other offers already cover the whole price."),
    "REASON_PROVIDER_NOT_COVERED": _l("The offer does not cover this training provider."),
    "REASON_SESSION_PROVINCE_NOT_COVERED": _l("The offer does not cover the province where "
                                              "the session takes place."),
    "REASON_SIZE_CLASS_NOT_COVERED": _l("The offer does not cover enterprises of your size."),
    "REASON_SME_CAP_REACHED": _l("Your enterprise has already received the most this offer "
                                 "gives one enterprise."),
    "REASON_SME_NOT_LISTED": _l("The offer is only for the enterprises the sponsor named."),
    "REASON_SME_PROVINCE_NOT_COVERED": _l("The offer does not cover your enterprise's "
                                          "province."),
    "REASON_TOO_FEW_MANAGERS": _l("The offer asks for more managers in the team."),
    "REASON_TOO_FEW_WORKERS": _l("The offer asks for more workers in the team."),
    "REASON_WOMEN_SHARE_BELOW_MIN": _l("The offer asks for a larger share of women in the "
                                       "team."),
}

SIZE_CLASSES = {"micro": _l("Micro enterprise"), "small": _l("Small enterprise"),
                "medium": _l("Medium enterprise"), "large": _l("Large enterprise")}

KPI_KINDS = {"baseline": _l("Baseline (before the training)"), "follow_up": _l("Follow-up")}

PAYMENT_METHODS = {"card": _l("Card (Stripe Checkout)"), "bank_transfer": _l("Bank transfer")}

VISIT_STATUSES = {"scheduled": _l("Scheduled"), "recorded": _l("Took place"),
                  "cancelled": _l("Cancelled")}

WAITLIST_STATUSES = {"waiting": _l("Waiting"), "offered": _l("Seats offered"),
                     "withdrawn": _l("Withdrawn"), "lapsed": _l("Lapsed")}

# Enrolment statuses as badges: ok, warn, bad (or plain).
BADGES = {"confirmed": "ok", "completed": "ok", "paid": "ok", "held": "warn",
          "awaiting_payment": "warn", "pending": "warn", "cancelled": "bad", "expired": "bad",
          "failed": "bad", "refund_pending": "warn", "refunded": ""}


def reason(code: str) -> str:
    """Why an offer does not apply, in words."""
    known = REASONS.get(code)
    return str(known) if known is not None else _("It does not apply (%(code)s).", code=code)


def size_class(code: str | None) -> str:
    """A size class in words."""
    return str(SIZE_CLASSES.get(code or "", code or ""))


def kpi_kind(code: str | None) -> str:
    """A KPI report's kind in words."""
    return str(KPI_KINDS.get(code or "", code or ""))


def payment_method(code: str | None) -> str:
    """A payment method in words."""
    return str(PAYMENT_METHODS.get(code or "", code or ""))


def visit_status(code: str | None) -> str:
    """A consultancy visit's status in words."""
    return str(VISIT_STATUSES.get(code or "", code or ""))


def waitlist_status(code: str | None) -> str:
    """A waitlist entry's status in words."""
    return str(WAITLIST_STATUSES.get(code or "", code or ""))


def badge(code: str | None) -> str:
    """The badge class of a status."""
    return BADGES.get(code or "", "")
