"""Sign-ups for activities: a capacity, a waitlist and a check-in

Revision ID: 0019_signups
Revises: 0018_free_of_charge
Create Date: 2026-12-07 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_signups'
down_revision = '0018_free_of_charge'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signup_capacity', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('signup_waitlist', sa.Boolean(), server_default='1', nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                'signup_closes_minutes_before', sa.Integer(), server_default='0', nullable=False
            )
        )
    op.create_table(
        'signups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('party_size', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('checked_in', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_signups_account_id_accounts'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_signups_booking_id_bookings'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signups')),
    )
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signups_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_signups_booking_status', ['booking_id', 'status'], unique=False)


def downgrade():
    op.drop_table('signups')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('signup_closes_minutes_before')
        batch_op.drop_column('signup_waitlist')
        batch_op.drop_column('signup_capacity')
