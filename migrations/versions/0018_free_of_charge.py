"""Whether an activity is free, as its organiser says (unknown by default)

Revision ID: 0018_free_of_charge
Revises: 0017_form_nonces
Create Date: 2026-12-07 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_free_of_charge'
down_revision = '0017_form_nonces'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('bookings', 'web_requests'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('free_of_charge', sa.Boolean(), nullable=True))


def downgrade():
    for table in ('bookings', 'web_requests'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('free_of_charge')
