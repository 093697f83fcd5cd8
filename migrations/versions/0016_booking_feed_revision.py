"""A booking's feed-only revisions, apart from its own sequence

Revision ID: 0016_booking_feed_revision
Revises: 0015_email_verified
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_booking_feed_revision'
down_revision = '0015_email_verified'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('feed_revision', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(
            sa.Column('feed_revised_at', sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('feed_revised_at')
        batch_op.drop_column('feed_revision')
