"""Enrolment's HTTP API: one blueprint per resource; views validate, delegate, return."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from services.enrolment.config import EnrolmentPolicy


def blueprints() -> list[Blueprint]:
    """Every blueprint of the enrolment API."""
    from services.enrolment.api import (
        attendance,
        case_studies,
        checkout_pages,
        enrolments,
        kpis,
        payments,
        sessions,
        smes,
        statements,
        visits,
        waitlist,
    )

    return [smes.blp, sessions.blp, enrolments.blp, waitlist.blp, payments.blp,
            payments.webhook_blp, checkout_pages.blp, attendance.blp, visits.blp, kpis.blp,
            case_studies.blp, statements.blp]


def current_policy() -> EnrolmentPolicy:
    """The policy of the app handling this request."""
    return current_app.extensions["enrolment_policy"]
