"""initial: the tables every service carries (outbox, inbox, dead letters, idempotency keys)

Revision ID: 715c3143b92c
Revises:
Create Date: 2026-11-30 06:24:27
"""

from shared.migrations import (
    create_event_tables,
    create_idempotency_keys,
    drop_event_tables,
    drop_idempotency_keys,
)

revision = '715c3143b92c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables()
    create_idempotency_keys()


def downgrade() -> None:
    drop_idempotency_keys()
    drop_event_tables()
