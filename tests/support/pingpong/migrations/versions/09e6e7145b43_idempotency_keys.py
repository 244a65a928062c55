"""idempotency keys

Revision ID: 09e6e7145b43
Revises: 993f3b9a8e95
Create Date: 2026-11-29 19:05:39.227524
"""

from shared.migrations import create_idempotency_keys, drop_idempotency_keys


revision = '09e6e7145b43'
down_revision = '993f3b9a8e95'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_keys()


def downgrade() -> None:
    drop_idempotency_keys()
