"""The services' codes (statuses, roles, reasons) as words in the page's language."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

STATUSES = {
    "draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled"),
    "in_progress": _l("In progress"), "completed": _l("Completed"), "archived": _l("Archived"),
    "pending": _l("Pending"), "approved": _l("Approved"), "suspended": _l("Suspended"),
    "rejected": _l("Rejected"), "held": _l("Seats held"),
    "awaiting_payment": _l("Awaiting payment"), "confirmed": _l("Confirmed"),
    "expired": _l("Expired"), "paid": _l("Paid"), "failed": _l("Failed"),
    "refund_pending": _l("Refund pending"), "refunded": _l("Refunded"),
    "active": _l("Active"), "closed": _l("Closed"), "withdrawn": _l("Withdrawn"),
    "candidate": _l("Candidate"), "tot_completed": _l("Training of Trainers completed"),
    "in_supervised_delivery": _l("In supervised delivery"), "recommended": _l("Recommended"),
    "certified": _l("Certified"), "planned": _l("Planned"), "recorded": _l("Recorded"),
    "accepted": _l("Accepted"), "submitted": _l("Submitted"), "issued": _l("Issued"),
    "offered": _l("Offered"), "waiting": _l("Waiting"),
}

ROLES = {
    "sme_user": _l("Enterprise (SME)"), "provider_staff": _l("Training provider"),
    "sponsor_staff": _l("Sponsor"), "trainer": _l("Trainer"),
    "platform_admin": _l("Platform administrator"), "ilo_auditor": _l("ILO auditor"),
    "lead": _l("lead trainer"), "co_trainer": _l("co-trainer"), "manager": _l("Manager"),
    "worker": _l("Worker"),
}

GENDERS = {"female": _l("Woman"), "male": _l("Man")}

# Certification's verification reasons.
VERIFICATION = {
    "MALFORMED": _l("The text is not a certificate token."),
    "UNKNOWN_ISSUER_KEY": _l("It was not signed by this marketplace's key."),
    "SIGNATURE_INVALID": _l("Its signature does not match: it was altered."),
    "CLAIMS_MISMATCH": _l("Its contents do not match its signature."),
    "NOT_YET_VALID": _l("It is not valid yet."),
    "EXPIRED": _l("It has expired."),
    "REVOKED": _l("It was revoked."),
    "SUSPENDED": _l("It is suspended."),
    "STATUS_UNAVAILABLE": _l("Its revocation status could not be checked right now."),
}


def status_label(code: str | None) -> str:
    """A status code in words."""
    return str(STATUSES.get(code or "", code or ""))


def role_label(code: str | None) -> str:
    """A role (or trainer role, participant role) in words."""
    return str(ROLES.get(code or "", code or ""))


def gender_label(code: str | None) -> str:
    """A gender code in words."""
    return str(GENDERS.get(code or "", code or ""))


def verification_reason(code: str) -> str:
    """Why a certificate does not verify, in words."""
    known = VERIFICATION.get(code)
    return str(known) if known is not None else _("Not valid (%(code)s).", code=code)


def without(mapping: dict, *keys: str) -> dict:
    """``mapping`` minus ``keys`` (for links that replace a query parameter)."""
    return {k: v for k, v in mapping.items() if k not in keys}


def init_labels(app: Flask) -> None:
    """The labels as template globals and filters."""
    app.jinja_env.globals.update(status_label=status_label, role_label=role_label,
                                 trainer_role=role_label, gender_label=gender_label,
                                 verification_reason=verification_reason)
    app.jinja_env.filters["without"] = without
