"""the log: entries, rejected records and ingest counters

Revision ID: abcdba0ae213
Revises: 98ab729cc3af
Create Date: 2026-11-30 03:59:37.098640
"""

import sqlalchemy as sa
from alembic import op

revision = 'abcdba0ae213'
down_revision = '98ab729cc3af'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('counters',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('entries',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('providerid', sa.String(length=64), nullable=True),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('topic', sa.String(length=249), nullable=False),
    sa.Column('partition', sa.Integer(), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_entries')),
    sa.UniqueConstraint('event_id', name=op.f('uq_entries_event_id'))
    )
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.create_index('ix_entries_providerid_seq', ['providerid', 'seq'], unique=False)
        batch_op.create_index('ix_entries_subject_seq', ['subject', 'seq'], unique=False)
        batch_op.create_index('ix_entries_time', ['time'], unique=False, postgresql_using='brin')
        batch_op.create_index('ix_entries_type_seq', ['type', 'seq'], unique=False)

    op.create_table('rejects',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('topic', sa.String(length=249), nullable=False),
    sa.Column('partition', sa.Integer(), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('record', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejects'))
    )


def downgrade() -> None:
    op.drop_table('rejects')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_type_seq')
        batch_op.drop_index('ix_entries_time')
        batch_op.drop_index('ix_entries_subject_seq')
        batch_op.drop_index('ix_entries_providerid_seq')

    op.drop_table('entries')
    op.drop_table('counters')
