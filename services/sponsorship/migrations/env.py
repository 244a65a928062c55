"""Alembic environment of the sponsorship service."""

from services.sponsorship.models import Base
from shared.events.tables import event_metadata
from shared.migrations import run_env

run_env([Base.metadata, event_metadata])
