"""search and list indexes: trigram search indexes, the customers list, the leads board and hot leads

Revision ID: 3f1c0a7e5b14
Revises: 150d14a40e37
Create Date: 2026-12-03 09:35:00

The trigram (pg_trgm GIN) indexes serve `lower(column) LIKE '%text%'` (SQLAlchemy's
icontains) on PostgreSQL (app.models.base.trigram_index); SQLite has no such index and
scans, as before. Creating the extension needs a role allowed to (the database owner
on PostgreSQL 13+, pg_trgm being a trusted extension).
"""

import sqlalchemy as sa
from alembic import op

revision = "3f1c0a7e5b14"
down_revision = "150d14a40e37"
branch_labels = None
depends_on = None

HOT_OPEN = "merged_into_id IS NULL AND temperature = 'hot' AND stage IN ('new', 'contacted', 'quoted', 'nurturing')"
TRIGRAM_INDEXES = (
    ("ix_customers_name_trgm", "customers", "lower(name)"),
    ("ix_customers_email_trgm", "customers", "lower(email)"),
    ("ix_bookings_reference_trgm", "bookings", "lower(reference)"),
)


def upgrade():
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leads_board",
            ["station_id", "stage", "score", "created_at", "id"],
            unique=False,
            postgresql_where=sa.text("merged_into_id IS NULL"),
            sqlite_where=sa.text("merged_into_id IS NULL"),
        )
        batch_op.create_index(
            "ix_leads_hot_open",
            ["station_id"],
            unique=False,
            postgresql_where=sa.text(HOT_OPEN),
            sqlite_where=sa.text(HOT_OPEN),
        )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_list",
            ["station_id", sa.text("lower(name)"), "id"],
            unique=False,
            postgresql_where=sa.text("merged_into_id IS NULL"),
            sqlite_where=sa.text("merged_into_id IS NULL"),
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({expression} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _expression in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        # The extension stays: objects outside this app may use it, and it costs nothing.
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_customers_list",
            postgresql_where=sa.text("merged_into_id IS NULL"),
            sqlite_where=sa.text("merged_into_id IS NULL"),
        )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_hot_open", postgresql_where=sa.text(HOT_OPEN), sqlite_where=sa.text(HOT_OPEN))
        batch_op.drop_index(
            "ix_leads_board",
            postgresql_where=sa.text("merged_into_id IS NULL"),
            sqlite_where=sa.text("merged_into_id IS NULL"),
        )
