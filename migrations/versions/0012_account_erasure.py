"""Accounts can be erased (kept anonymous) and warned before erasure for inactivity

Revision ID: 0012_account_erasure
Revises: 0011_partner_consent
Create Date: 2026-12-03 19:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_account_erasure'
down_revision = '0011_partner_consent'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('inactivity_warned_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('inactivity_warned_at')
        batch_op.drop_column('erased_at')
