"""seat claims per hold (held seats count as taken)

The seats read model now counts enrolment holds too, one claim per hold.
The table is a small read model: its rows are copied into the new shape
(hold id = enrolment id; 'cancelled' becomes 'released').

Revision ID: 3fe9ca386c34
Revises: e9eda0a5ad78
Create Date: 2026-11-29 19:09:13.029831
"""

from alembic import op
import sqlalchemy as sa


revision = '3fe9ca386c34'
down_revision = 'e9eda0a5ad78'
branch_labels = None
depends_on = None


def _create(states: str, key: str) -> sa.Table:
    columns = [sa.Column(key, sa.String(length=80 if key == 'hold_id' else 64), nullable=False)]
    if key == 'hold_id':
        columns.append(sa.Column('enrolment_id', sa.String(length=64), nullable=False))
    table = op.create_table(
        'seat_claims', *columns,
        sa.Column('session_id', sa.String(length=36), nullable=False),
        sa.Column('participants', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"state IN ({states})", name=op.f('ck_seat_claims_state')),
        sa.PrimaryKeyConstraint(key, name=op.f('pk_seat_claims')))
    with op.batch_alter_table('seat_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_claims_session_id'), ['session_id'],
                              unique=False)
        if key == 'hold_id':
            batch_op.create_index(batch_op.f('ix_seat_claims_enrolment_id'), ['enrolment_id'],
                                  unique=False)
    return table


def upgrade() -> None:
    rows = op.get_bind().execute(sa.text(
        "SELECT enrolment_id, session_id, participants, state, updated_at FROM seat_claims")).all()
    op.drop_table('seat_claims')
    table = _create("'held', 'confirmed', 'released'", 'hold_id')
    op.bulk_insert(table, [
        {"hold_id": r.enrolment_id, "enrolment_id": r.enrolment_id, "session_id": r.session_id,
         "participants": r.participants, "updated_at": r.updated_at,
         "state": "released" if r.state == "cancelled" else r.state} for r in rows])


def downgrade() -> None:
    rows = op.get_bind().execute(sa.text(
        "SELECT enrolment_id, session_id, participants, state, updated_at FROM seat_claims "
        "WHERE hold_id = enrolment_id")).all()
    op.drop_table('seat_claims')
    table = _create("'confirmed', 'cancelled'", 'enrolment_id')
    op.bulk_insert(table, [
        {"enrolment_id": r.enrolment_id, "session_id": r.session_id,
         "participants": r.participants, "updated_at": r.updated_at,
         "state": "confirmed" if r.state == "confirmed" else "cancelled"} for r in rows])
