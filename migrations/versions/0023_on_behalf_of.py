"""Bookings a host makes on behalf of someone who phoned or walked in

Revision ID: 0023_on_behalf_of
Revises: 0022_host_invitations
Create Date: 2026-12-07 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_on_behalf_of'
down_revision = '0022_host_invitations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('on_behalf_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('on_behalf_phone', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('on_behalf_phone')
        batch_op.drop_column('on_behalf_email')
        batch_op.drop_column('on_behalf_name')
