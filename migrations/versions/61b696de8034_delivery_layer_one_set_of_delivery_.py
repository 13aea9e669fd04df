"""delivery layer: one set of delivery states for notifications, replies and campaign recipients

Notifications, outbound messages and campaign recipients get the same delivery columns
(app.models.delivery); account email moves from email_messages into notifications (purpose
"account"); campaign counters are read from the recipients' states instead of being kept.
Old states are mapped: pending -> queued, skipped -> suppressed, sent by the recorder ->
recorded, and a row left in 'sending' (or 'unknown') by the old code, whose outcome was never
known, -> failed with that reason (it was never going to be retried).

Revision ID: 61b696de8034
Revises: c6c0a26a37db
Create Date: 2026-12-03 05:31:17.717241

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '61b696de8034'
down_revision = 'c6c0a26a37db'
branch_labels = None
depends_on = None

UNKNOWN = "outcome unknown (recorded before the delivery layer): check before resending"


def _delivery_columns(batch_op, *, existing: set[str]) -> None:
    columns = {
        "attempts": sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        "not_before": sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        "lease_expires_at": sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        "backend": sa.Column("backend", sa.String(length=16), nullable=True),
        "delivery_status": sa.Column("delivery_status", sa.String(length=32), nullable=True),
        "reason": sa.Column("reason", sa.String(length=200), nullable=True),
        "error": sa.Column("error", sa.Text(), nullable=True),
    }
    for name, column in columns.items():
        if name not in existing:
            batch_op.add_column(column)


def upgrade():
    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        _delivery_columns(batch_op, existing={"reason"})
        batch_op.alter_column('status', existing_type=sa.VARCHAR(length=12), type_=sa.String(length=16),
                              existing_nullable=False)
        batch_op.create_index('ix_campaign_recipients_provider_id', ['provider_id'], unique=False)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        _delivery_columns(batch_op, existing={"delivery_status", "error"})
        batch_op.alter_column('status', existing_type=sa.VARCHAR(length=12), type_=sa.String(length=16),
                              existing_nullable=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        _delivery_columns(batch_op, existing={"attempts", "backend", "delivery_status", "error"})
        batch_op.alter_column('backend', existing_type=sa.VARCHAR(length=16), nullable=True)
        batch_op.alter_column('provider_id', existing_type=sa.VARCHAR(length=120), type_=sa.String(length=255),
                              existing_nullable=True)

    # -- the states, mapped ---------------------------------------------------------------
    op.execute("UPDATE notifications SET reason = skip_reason")
    op.execute("UPDATE notifications SET status = 'queued' WHERE status = 'pending'")
    op.execute("UPDATE notifications SET status = 'suppressed' WHERE status = 'skipped'")
    op.execute("UPDATE notifications SET status = 'recorded' WHERE status = 'sent' AND backend = 'recorded'")
    op.execute(f"UPDATE notifications SET status = 'failed', reason = '{UNKNOWN}' WHERE status = 'sending'")
    for table in ('messages', 'campaign_recipients'):
        op.execute(f"UPDATE {table} SET status = 'recorded', backend = 'recorded' "
                   "WHERE status = 'sent' AND provider_id LIKE 'recorded-%'")
        op.execute(f"UPDATE {table} SET status = 'failed', reason = '{UNKNOWN}' WHERE status IN ('sending', 'unknown')")
    op.execute("UPDATE campaign_recipients SET status = 'queued' WHERE status = 'pending'")
    op.execute("UPDATE campaign_recipients SET status = 'suppressed' WHERE status = 'skipped'")

    # -- account email becomes notifications of purpose "account" --------------------------
    op.execute(
        "INSERT INTO notifications (key, station_id, booking_id, kind, channel, purpose, recipient, subject, "
        "body_text, body_html, status, backend, attempts, error, reason, created_at, sent_at) "
        "SELECT 'account:' || kind || ':' || 'migrated-' || id, station_id, NULL, kind, 'email', 'account', to_address, "
        "subject, text_body, html_body, "
        "CASE status WHEN 'sending' THEN 'failed' ELSE status END, "
        "CASE status WHEN 'recorded' THEN 'recorded' WHEN 'queued' THEN NULL ELSE 'smtp' END, "
        "CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END, error, "
        f"CASE status WHEN 'sending' THEN '{UNKNOWN}' END, created_at, sent_at FROM email_messages"
    )
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_messages_created_at'))
        batch_op.drop_index(batch_op.f('ix_email_messages_station_id'))
    op.drop_table('email_messages')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('skip_reason')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('skipped')
        batch_op.drop_column('failed')
        batch_op.drop_column('sent')


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent', sa.INTEGER(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('failed', sa.INTEGER(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column('skipped', sa.INTEGER(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE campaigns SET "
        "sent = (SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = campaigns.id "
        "AND r.status IN ('sent', 'recorded')), "
        "failed = (SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = campaigns.id "
        "AND r.status = 'failed'), "
        "skipped = (SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = campaigns.id "
        "AND r.status = 'suppressed')"
    )

    op.create_table('email_messages',
    sa.Column('id', sa.INTEGER(), autoincrement=True, nullable=False),
    sa.Column('station_id', sa.INTEGER(), nullable=True),
    sa.Column('to_address', sa.VARCHAR(length=255), nullable=False),
    sa.Column('subject', sa.VARCHAR(length=255), nullable=False),
    sa.Column('text_body', sa.TEXT(), nullable=False),
    sa.Column('html_body', sa.TEXT(), nullable=True),
    sa.Column('kind', sa.VARCHAR(length=64), nullable=False),
    sa.Column('status', sa.VARCHAR(length=16), nullable=False),
    sa.Column('error', sa.TEXT(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_email_messages_station_id_stations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_messages'))
    )
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_messages_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_messages_created_at'), ['created_at'], unique=False)
    op.execute(
        "INSERT INTO email_messages (station_id, to_address, subject, text_body, html_body, kind, status, error, "
        "created_at, sent_at) SELECT station_id, recipient, subject, body_text, body_html, kind, "
        "CASE status WHEN 'suppressed' THEN 'failed' ELSE status END, error, created_at, sent_at "
        "FROM notifications WHERE purpose = 'account'"
    )
    op.execute("DELETE FROM notifications WHERE purpose = 'account'")

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skip_reason', sa.VARCHAR(length=120), nullable=True))
    op.execute("UPDATE notifications SET skip_reason = substr(reason, 1, 120)")
    op.execute("UPDATE notifications SET status = 'pending' WHERE status = 'queued'")
    op.execute("UPDATE notifications SET status = 'skipped' WHERE status = 'suppressed'")
    op.execute("UPDATE notifications SET status = 'sent' WHERE status = 'recorded'")
    op.execute("UPDATE notifications SET backend = '' WHERE backend IS NULL")
    op.execute("UPDATE campaign_recipients SET status = 'pending' WHERE status = 'queued'")
    op.execute("UPDATE campaign_recipients SET status = 'skipped' WHERE status = 'suppressed'")
    for table in ('messages', 'campaign_recipients'):
        op.execute(f"UPDATE {table} SET status = 'sent' WHERE status = 'recorded'")

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('provider_id', existing_type=sa.String(length=255), type_=sa.VARCHAR(length=120),
                              existing_nullable=True)
        batch_op.alter_column('backend', existing_type=sa.VARCHAR(length=16), nullable=False)
        batch_op.drop_column('reason')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('not_before')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.VARCHAR(length=12),
                              existing_nullable=False)
        batch_op.drop_column('reason')
        batch_op.drop_column('backend')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('not_before')
        batch_op.drop_column('attempts')

    with op.batch_alter_table('campaign_recipients', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_recipients_provider_id')
        batch_op.alter_column('status', existing_type=sa.String(length=16), type_=sa.VARCHAR(length=12),
                              existing_nullable=False)
        batch_op.drop_column('error')
        batch_op.drop_column('delivery_status')
        batch_op.drop_column('backend')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('not_before')
        batch_op.drop_column('attempts')
