"""search changes

One row per search version: the one session the versioned transaction changed,
or NULL for "anything", and whether only its seats taken changed. Cached search
pages drop only the pages a change can affect instead of every page, and patch
seat counts into the others.

Revision ID: c3d91e5a7b20
Revises: 3fe9ca386c34
Create Date: 2026-11-30 19:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'c3d91e5a7b20'
down_revision = '3fe9ca386c34'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalog_search_changes',
    sa.Column('version', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('session_id', sa.String(length=36), nullable=True),
    sa.Column('seats_only', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_catalog_search_changes'))
    )


def downgrade() -> None:
    op.drop_table('catalog_search_changes')
