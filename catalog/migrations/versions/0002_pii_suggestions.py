"""pii suggestions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pii_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('column_id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=100), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('masked_example', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['column_id'], ['columns.id'], name=op.f('fk_pii_suggestions_column_id_columns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pii_suggestions'))
    )
    with op.batch_alter_table('pii_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pii_suggestions_column_id'), ['column_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pii_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pii_suggestions_column_id'))

    op.drop_table('pii_suggestions')
