"""Enrolment's background jobs (``ServiceRuntime.jobs``): ``score job enrolment <name>``."""

from __future__ import annotations

from shared.jobs import Job


def jobs() -> tuple[Job, ...]:
    """Every background job of the service."""
    from services.enrolment.mail import mailer
    from services.enrolment.service import expiry

    return (expiry.REAPER_JOB, mailer.MAILER)
