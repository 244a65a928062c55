"""initial: the tables every service carries (outbox, inbox, dead letters, idempotency keys)

Revision ID: af33f1ae0bc1
Revises:
Create Date: 2026-11-29 19:57:53
"""

from shared.migrations import (
    create_event_tables,
    create_idempotency_keys,
    drop_event_tables,
    drop_idempotency_keys,
)

revision = 'af33f1ae0bc1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_event_tables()
    create_idempotency_keys()


def downgrade() -> None:
    drop_idempotency_keys()
    drop_event_tables()
