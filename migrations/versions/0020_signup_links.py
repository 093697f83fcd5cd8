"""Sign-ups by mail and for a whole series: a confirm link, its expiry, the language to write
in, the reminder sent, the series a sign-up holds every date of, and the places a request
from the pages asks for

Revision ID: 0020_signup_links
Revises: 0019_signups
Create Date: 2026-12-07 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_signup_links'
down_revision = '0019_signups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('locale', sa.String(length=8), server_default='nl', nullable=False)
        )
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_signups_confirm_hash', ['confirm_hash'], unique=True)
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('signup_whole_series', sa.Boolean(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('web_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signup_capacity', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('web_requests', schema=None) as batch_op:
        batch_op.drop_column('signup_capacity')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('signup_whole_series')
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_index('ix_signups_confirm_hash')
        batch_op.drop_column('series_id')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('locale')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('confirm_hash')
