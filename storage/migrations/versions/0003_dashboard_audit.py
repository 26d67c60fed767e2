"""dashboard audit

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Logins and case page views on the web dashboard (bot/dashboard): who, when, which case.
    op.create_table('dashboardaudit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dashboardaudit', schema=None) as batch_op:
        batch_op.create_index('ix_dashboard_audit_at', ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboardaudit_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboardaudit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboardaudit_case_id'))
        batch_op.drop_index('ix_dashboard_audit_at')
    op.drop_table('dashboardaudit')
