"""case study consents and case studies: an SME's consent, then the published study

Revision ID: 9f51b16e8d82
Revises: ae1883d8f96f
Create Date: 2026-11-30 04:06:46.427065
"""

import sqlalchemy as sa
from alembic import op


revision = '9f51b16e8d82'
down_revision = 'ae1883d8f96f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_study_consents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sme_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by', sa.String(length=64), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kpis', sa.JSON(), nullable=False),
    sa.Column('name_published', sa.Boolean(), nullable=False),
    sa.Column('statement', sa.String(length=1000), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['sme_id'], ['smes.id'], name=op.f('fk_case_study_consents_sme_id_smes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_study_consents'))
    )
    with op.batch_alter_table('case_study_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_study_consents_sme_id'), ['sme_id'], unique=False)

    op.create_table('case_studies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sme_id', sa.String(length=36), nullable=False),
    sa.Column('consent_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('story', sa.String(length=4000), nullable=False),
    sa.Column('kpis', sa.JSON(), nullable=False),
    sa.Column('published_by', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consent_id'], ['case_study_consents.id'], name=op.f('fk_case_studies_consent_id_case_study_consents')),
    sa.ForeignKeyConstraint(['sme_id'], ['smes.id'], name=op.f('fk_case_studies_sme_id_smes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_studies')),
    sa.UniqueConstraint('consent_id', name=op.f('uq_case_studies_consent_id'))
    )
    with op.batch_alter_table('case_studies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_studies_sme_id'), ['sme_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_studies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_studies_sme_id'))

    op.drop_table('case_studies')
    with op.batch_alter_table('case_study_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_study_consents_sme_id'))

    op.drop_table('case_study_consents')
