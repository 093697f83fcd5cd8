"""Host invitations: a place's hosts invite a co-host by e-mail

Revision ID: 0022_host_invitations
Revises: 0021_place_photos
Create Date: 2026-12-07 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_host_invitations'
down_revision = '0021_place_photos'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'host_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['accepted_by_id'], ['accounts.id'], name=op.f('fk_host_invitations_accepted_by_id_accounts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['accounts.id'], name=op.f('fk_host_invitations_invited_by_id_accounts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_host_invitations_place_id_places'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_host_invitations')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_host_invitations_token_hash')),
    )
    with op.batch_alter_table('host_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_host_invitations_place_id'), ['place_id'], unique=False)


def downgrade():
    op.drop_table('host_invitations')
