"""reporter language

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The language a person chose ("vi", "en"); NULL for everyone until they choose (Vietnamese).
    with op.batch_alter_table('reporter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reporter', schema=None) as batch_op:
        batch_op.drop_column('language')
