"""lineage graph

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lineage_edges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=1000), nullable=False),
    sa.Column('target', sa.String(length=1000), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('executions', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_lineage_edges_warehouse_id_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lineage_edges')),
    sa.UniqueConstraint('warehouse_id', 'source', 'target', 'kind', name=op.f('uq_lineage_edges_warehouse_id'))
    )
    with op.batch_alter_table('lineage_edges', schema=None) as batch_op:
        batch_op.create_index('ix_lineage_edges_target', ['warehouse_id', 'target'], unique=False)

    op.create_table('lineage_log_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('record_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_lineage_log_records_warehouse_id_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lineage_log_records')),
    sa.UniqueConstraint('warehouse_id', 'record_key', name=op.f('uq_lineage_log_records_warehouse_id'))
    )
    op.create_table('lineage_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('normalized_sql', sa.Text(), nullable=False),
    sa.Column('dialect', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('executions', sa.Integer(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_lineage_statements_warehouse_id_warehouses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lineage_statements')),
    sa.UniqueConstraint('warehouse_id', 'fingerprint', name=op.f('uq_lineage_statements_warehouse_id'))
    )
    op.create_table('lineage_edge_statements',
    sa.Column('edge_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edge_id'], ['lineage_edges.id'], name=op.f('fk_lineage_edge_statements_edge_id_lineage_edges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['statement_id'], ['lineage_statements.id'], name=op.f('fk_lineage_edge_statements_statement_id_lineage_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edge_id', 'statement_id', name=op.f('pk_lineage_edge_statements'))
    )


def downgrade() -> None:
    op.drop_table('lineage_edge_statements')
    op.drop_table('lineage_statements')
    op.drop_table('lineage_log_records')
    with op.batch_alter_table('lineage_edges', schema=None) as batch_op:
        batch_op.drop_index('ix_lineage_edges_target')

    op.drop_table('lineage_edges')
