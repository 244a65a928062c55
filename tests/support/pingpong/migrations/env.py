"""Alembic environment of the test service."""

from shared.events.tables import event_metadata
from shared.migrations import run_env
from tests.support.pingpong.models import Base

run_env([Base.metadata, event_metadata])
