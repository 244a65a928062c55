"""Alembic environment of the certification service."""

from services.certification.models import Base
from shared.events.tables import event_metadata
from shared.migrations import run_env

run_env([Base.metadata, event_metadata])
