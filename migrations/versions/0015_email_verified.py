"""An account's address is proven before anything matched by address is shown

Revision ID: 0015_email_verified
Revises: 0014_monitoring
Create Date: 2026-12-07 13:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_email_verified'
down_revision = '0014_monitoring'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True)
        )
    # Accounts from before count as proven where something proved them: an admin made them
    # (organisations, admins), a sign-in code or a page request of the address was used, or
    # they never had a token from the open sign-up. Only bare sign-ups stay unproven.
    op.execute(
        """
        UPDATE accounts SET email_verified_at = created_at
        WHERE kind = 'organisation' OR is_admin
           OR EXISTS (SELECT 1 FROM sign_in_codes c
                      WHERE c.email = accounts.email AND c.used_at IS NOT NULL)
           OR EXISTS (SELECT 1 FROM web_requests r
                      WHERE r.email = accounts.email AND r.used_at IS NOT NULL)
           OR NOT EXISTS (SELECT 1 FROM api_tokens t
                          WHERE t.account_id = accounts.id AND t.name = 'sign-up')
        """
    )


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
