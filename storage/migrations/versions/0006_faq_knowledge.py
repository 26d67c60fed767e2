"""faq knowledge base in the database

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 14:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # Issue #20: the knowledge base moves from faq/data/topics into the database, edited and
    # approved from the staff group. The tables start empty: the bot seeds them from faq/data on
    # its first start (bot.knowledge), so a database upgraded from the YAML-only version answers
    # exactly as before until staff publish a change.
    op.create_table(
        "faqtopic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", _text(60), nullable=False),
        sa.Column("title", _text(200), nullable=False),
        sa.Column("audience", _text(10), nullable=False),
        sa.Column("system", _text(40), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_en", sa.Text(), nullable=True),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("examples_en", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("status", _text(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file", _text(60), nullable=True),
        sa.Column("draft_of", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_by", _text(100), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("faqtopic", schema=None) as batch_op:
        batch_op.create_index("ix_faqtopic_slug", ["slug"], unique=False)
        batch_op.create_index("ix_faqtopic_status", ["status"], unique=False)
    op.create_table(
        "faqtopicversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("slug", _text(60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", _text(10), nullable=False),
        sa.Column("changed_by", _text(100), nullable=True),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("topic_id", "version", name="uq_faqtopicversion_topic_version"),
    )
    with op.batch_alter_table("faqtopicversion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faqtopicversion_topic_id"), ["topic_id"], unique=False)
    op.create_table(
        "faqevalrow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topic", _text(60), nullable=True),
        sa.Column("source", _text(120), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("faqevalrow")
    with op.batch_alter_table("faqtopicversion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faqtopicversion_topic_id"))
    op.drop_table("faqtopicversion")
    with op.batch_alter_table("faqtopic", schema=None) as batch_op:
        batch_op.drop_index("ix_faqtopic_status")
        batch_op.drop_index("ix_faqtopic_slug")
    op.drop_table("faqtopic")
