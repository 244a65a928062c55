"""Sponsorship's background jobs (``ServiceRuntime.jobs``): ``score job sponsorship <name>``."""

from __future__ import annotations

from services.sponsorship.service.expiry import REAPER_JOB

JOBS = (REAPER_JOB,)
