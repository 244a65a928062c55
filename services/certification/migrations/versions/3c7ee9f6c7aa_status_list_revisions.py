"""status list revisions: a counter bumped per flipped bit, and when it last moved

Revision ID: 3c7ee9f6c7aa
Revises: b5aaa5096b46
Create Date: 2026-11-30 02:10:35.487968
"""

import sqlalchemy as sa
from alembic import op

revision = '3c7ee9f6c7aa'
down_revision = 'b5aaa5096b46'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('revised_at', sa.DateTime(timezone=True), nullable=True))
    # Lists published before this revision last changed, as far as anyone can tell, when made.
    op.execute("UPDATE status_lists SET revised_at = created_at")
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.alter_column('revised_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('status_lists', schema=None) as batch_op:
        batch_op.drop_column('revised_at')
        batch_op.drop_column('revision')
