"""One shown feedback or complaint form is kept once

Revision ID: 0017_form_nonces
Revises: 0016_booking_feed_revision
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_form_nonces'
down_revision = '0016_booking_feed_revision'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('feedback', 'complaints'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('form_nonce', sa.String(length=24), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_form_nonce'), ['form_nonce'])


def downgrade():
    for table in ('feedback', 'complaints'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_form_nonce'), type_='unique')
            batch_op.drop_column('form_nonce')
