"""The transactional outbox (events and their messages), sign-in codes, account locale and
mail preference, and a place's phone and website.

Revision ID: 0006_outbox
Revises: 0005_token_parents
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_outbox'
down_revision = '0005_token_parents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_events'))
    )
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_events_type'), ['type'], unique=False)
        batch_op.create_index('ix_outbox_events_undispatched', ['dispatched_at', 'id'], unique=False)

    op.create_table('sign_in_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_sign_in_codes_code_hash'))
    )
    with op.batch_alter_table('sign_in_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_codes_email'), ['email'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_outbox_messages_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_events.id'], name=op.f('fk_outbox_messages_event_id_outbox_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=False, server_default='nl'))
        batch_op.add_column(sa.Column('email_notifications', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('website', sa.String(length=300), nullable=True))



def downgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_column('website')
        batch_op.drop_column('phone')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('email_notifications')
        batch_op.drop_column('locale')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_event_id'))
        batch_op.drop_index('ix_outbox_messages_due')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_account_id'))

    op.drop_table('outbox_messages')
    with op.batch_alter_table('sign_in_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_codes_email'))

    op.drop_table('sign_in_codes')
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_events_undispatched')
        batch_op.drop_index(batch_op.f('ix_outbox_events_type'))

    op.drop_table('outbox_events')
