"""Alembic environment of the audit service."""

from services.audit.models import Base
from shared.events.tables import event_metadata
from shared.migrations import run_env

run_env([Base.metadata, event_metadata])
