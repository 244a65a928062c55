"""mail retries back off

After a failed attempt the mailer waits until ``next_attempt_at`` before it
tries a notification again (exponential backoff).

Revision ID: f10f8c9637b4
Revises: fa63aa7efee9
Create Date: 2026-11-29 20:47:11.987438
"""

from alembic import op
import sqlalchemy as sa


revision = 'f10f8c9637b4'
down_revision = 'fa63aa7efee9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
