"""Alembic environment of the portal service."""

from services.portal.models import Base
from shared.events.tables import event_metadata
from shared.migrations import run_env

run_env([Base.metadata, event_metadata])
