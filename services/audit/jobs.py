"""Audit's background jobs (``ServiceRuntime.jobs``): ``score job audit <name>``."""

from __future__ import annotations

from services.audit.indicators.checkpoints import CHECKPOINT_JOB

JOBS = (CHECKPOINT_JOB,)
