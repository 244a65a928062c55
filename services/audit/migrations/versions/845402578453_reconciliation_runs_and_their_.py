"""reconciliation runs and their differences

Revision ID: 845402578453
Revises: abcdba0ae213
Create Date: 2026-11-30 04:06:04.689066
"""

import sqlalchemy as sa
from alembic import op

revision = '845402578453'
down_revision = 'abcdba0ae213'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reconciliation_runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('log_size', sa.BigInteger(), nullable=False),
    sa.Column('entities', sa.Integer(), nullable=False),
    sa.Column('differences', sa.Integer(), nullable=False),
    sa.Column('unread', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_runs'))
    )
    with op.batch_alter_table('reconciliation_runs', schema=None) as batch_op:
        batch_op.create_index('ix_reconciliation_runs_created_at_id', ['created_at', 'id'], unique=False)

    op.create_table('reconciliation_differences',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=36), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('endpoint', sa.String(length=200), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('log_value', sa.String(length=200), nullable=True),
    sa.Column('service_value', sa.String(length=200), nullable=True),
    sa.Column('last_seq', sa.BigInteger(), nullable=True),
    sa.Column('last_event_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['reconciliation_runs.id'], name=op.f('fk_reconciliation_differences_run_id_reconciliation_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_differences'))
    )
    with op.batch_alter_table('reconciliation_differences', schema=None) as batch_op:
        batch_op.create_index('ix_reconciliation_differences_run_id_id', ['run_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reconciliation_differences', schema=None) as batch_op:
        batch_op.drop_index('ix_reconciliation_differences_run_id_id')

    op.drop_table('reconciliation_differences')
    with op.batch_alter_table('reconciliation_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_reconciliation_runs_created_at_id')

    op.drop_table('reconciliation_runs')
