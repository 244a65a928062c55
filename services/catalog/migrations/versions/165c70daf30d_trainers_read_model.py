"""Trainers read model: trainers certification registered and their status per module.

Kept by the consumer of certification's events; sessions name only these trainers.

Revision ID: 165c70daf30d
Revises: f08a875be534
Create Date: 2026-11-30 02:10:10.804520
"""

import sqlalchemy as sa
from alembic import op


revision = '165c70daf30d'
down_revision = 'f08a875be534'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('trainer_module_statuses',
    sa.Column('trainer_id', sa.String(length=64), nullable=False),
    sa.Column('module_code', sa.String(length=4), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('trainer_id', 'module_code', name=op.f('pk_trainer_module_statuses'))
    )
    op.create_table('trainers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('gender', sa.String(length=6), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("gender IN ('female', 'male')", name=op.f('ck_trainers_gender')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainers'))
    )
    with op.batch_alter_table('trainers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainers_provider_id'), ['provider_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trainers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainers_provider_id'))

    op.drop_table('trainers')
    op.drop_table('trainer_module_statuses')
