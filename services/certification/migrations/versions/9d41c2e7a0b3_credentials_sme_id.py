"""credentials name the participant's SME, so that its users can list their certificates

Revision ID: 9d41c2e7a0b3
Revises: 3c7ee9f6c7aa
Create Date: 2026-11-30 06:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '9d41c2e7a0b3'
down_revision = '3c7ee9f6c7aa'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sme_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_credentials_sme_id'), ['sme_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credentials_sme_id'))
        batch_op.drop_column('sme_id')
