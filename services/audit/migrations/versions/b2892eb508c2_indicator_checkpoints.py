"""indicator checkpoints: stored states of the Phase III projection

Revision ID: b2892eb508c2
Revises: 4acb1a008312
Create Date: 2026-11-30 04:04:55.197044
"""

import sqlalchemy as sa
from alembic import op

revision = 'b2892eb508c2'
down_revision = '4acb1a008312'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_checkpoints',
    sa.Column('next', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('state', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('next', name=op.f('pk_indicator_checkpoints'))
    )


def downgrade() -> None:
    op.drop_table('indicator_checkpoints')
