"""idempotency keys

Revision ID: e1e92452c341
Revises: 73118af45f04
Create Date: 2026-11-29 19:05:30.654523
"""

from shared.migrations import create_idempotency_keys, drop_idempotency_keys


revision = 'e1e92452c341'
down_revision = '73118af45f04'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_keys()


def downgrade() -> None:
    drop_idempotency_keys()
