"""the verifiable log: tiles of the Merkle tree and signed tree heads

Revision ID: 4acb1a008312
Revises: 845402578453
Create Date: 2026-11-30 04:04:54.647902
"""

import sqlalchemy as sa
from alembic import op

revision = '4acb1a008312'
down_revision = '845402578453'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tiles',
    sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('number', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('hashes', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('level', 'number', name=op.f('pk_tiles'))
    )
    op.create_table('tree_heads',
    sa.Column('size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.LargeBinary(length=64), nullable=False),
    sa.PrimaryKeyConstraint('size', name=op.f('pk_tree_heads'))
    )


def downgrade() -> None:
    op.drop_table('tree_heads')
    op.drop_table('tiles')
