"""idempotency keys

Revision ID: e9eda0a5ad78
Revises: 7f10098dfc4d
Create Date: 2026-11-29 19:05:33.629316
"""

from shared.migrations import create_idempotency_keys, drop_idempotency_keys


revision = 'e9eda0a5ad78'
down_revision = '7f10098dfc4d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_keys()


def downgrade() -> None:
    drop_idempotency_keys()
