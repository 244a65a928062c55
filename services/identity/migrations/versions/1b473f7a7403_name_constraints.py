"""name identity's constraints by the shared convention (shared.persistence)

The first migration left constraint names to the database (PostgreSQL's
``users_email_key``, SQLite's none). Every service now names them the same way
(``uq_users_email``, ``fk_memberships_user_id_users``, ``pk_users``), so later
migrations can address them by name on both databases.

Revision ID: 1b473f7a7403
Revises: e1e92452c341
Create Date: 2026-11-29 19:40:00.000000
"""

from alembic import op

from shared.persistence import NAMING_CONVENTION

revision = '1b473f7a7403'
down_revision = 'e1e92452c341'
branch_labels = None
depends_on = None

# table, PostgreSQL's default name, the convention's name
RENAMES = [
    ("users", "users_pkey", "pk_users"),
    ("users", "users_email_key", "uq_users_email"),
    ("memberships", "memberships_pkey", "pk_memberships"),
    ("memberships", "memberships_user_id_fkey", "fk_memberships_user_id_users"),
    ("refresh_tokens", "refresh_tokens_pkey", "pk_refresh_tokens"),
    ("refresh_tokens", "refresh_tokens_token_hash_key", "uq_refresh_tokens_token_hash"),
    ("refresh_tokens", "refresh_tokens_user_id_fkey", "fk_refresh_tokens_user_id_users"),
    ("refresh_tokens", "refresh_tokens_membership_id_fkey",
     "fk_refresh_tokens_membership_id_memberships"),
    ("clients", "clients_pkey", "pk_clients"),
    ("login_failures", "login_failures_pkey", "pk_login_failures"),
]
# Parents before children is not needed: foreign keys are off while SQLite migrates.
TABLES = ("users", "memberships", "refresh_tokens", "clients", "login_failures")


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table, old, new in RENAMES:
            op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT "{old}" TO "{new}"')
        return
    # SQLite keeps constraint names in the table definition: rebuild each table,
    # naming its (reflected, unnamed) constraints by the convention.
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  naming_convention=NAMING_CONVENTION):
            pass


def downgrade() -> None:
    # SQLite: the named constraints are as good as unnamed ones to the older code.
    if op.get_context().dialect.name == "postgresql":
        for table, old, new in reversed(RENAMES):
            op.execute(f'ALTER TABLE {table} RENAME CONSTRAINT "{new}" TO "{old}"')
