"""A partner of an initiative is invited until it accepts

Revision ID: 0011_partner_consent
Revises: 0010_web_sessions
Create Date: 2026-12-03 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_partner_consent'
down_revision = '0010_web_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('initiative_partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
    # Partners listed before consent existed stay partners, as of when they were listed.
    op.execute("UPDATE initiative_partners SET accepted_at = created_at")


def downgrade():
    # Invitations nobody answered were never partnerships.
    op.execute("DELETE FROM initiative_partners WHERE accepted_at IS NULL")
    with op.batch_alter_table('initiative_partners', schema=None) as batch_op:
        batch_op.drop_column('accepted_at')
