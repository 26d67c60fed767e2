"""text read in pictures

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 14:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Issue #21: the error lines read in a screenshot stay with the attachment (the picture
    # itself is never stored); the case keeps those of its report's pictures for the staff
    # card and their folded signature for incident grouping. Nullable: earlier rows were
    # never read.
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("picture_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("picture_error", sqlmodel.sql.sqltypes.AutoString(length=90), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("picture_error")
        batch_op.drop_column("picture_text")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_column("text")
