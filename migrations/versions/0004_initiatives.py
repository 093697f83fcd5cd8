"""Initiatives, their partners and transitions; bookings and series may name one.

Revision ID: 0004_initiatives
Revises: 0003_feed_tokens
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_initiatives'
down_revision = '0003_feed_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('initiatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('initiator_id', sa.Integer(), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.Column('target_groups', sa.JSON(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('trial_starts_on', sa.Date(), nullable=True),
    sa.Column('trial_ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('lessons', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['initiator_id'], ['accounts.id'], name=op.f('fk_initiatives_initiator_id_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_initiatives_neighbourhood_id_neighbourhoods'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiatives'))
    )
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiatives_initiator_id'), ['initiator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_initiatives_status'), ['status'], unique=False)

    op.create_table('initiative_partners',
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_initiative_partners_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_partners_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('initiative_id', 'account_id', name=op.f('pk_initiative_partners'))
    )
    with op.batch_alter_table('initiative_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_partners_account_id'), ['account_id'], unique=False)

    op.create_table('initiative_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_initiative_transitions_actor_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_initiative_transitions_initiative_id_initiatives'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_initiative_transitions'))
    )
    with op.batch_alter_table('initiative_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_transitions_initiative_id'), ['initiative_id'], unique=False)

    for table in ("bookings", "series"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('initiative_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_initiative_id'), ['initiative_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_initiative_id_initiatives'), 'initiatives', ['initiative_id'], ['id'], ondelete='SET NULL')


def downgrade():
    for table in ("series", "bookings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_initiative_id_initiatives'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_initiative_id'))
            batch_op.drop_column('initiative_id')

    with op.batch_alter_table('initiative_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_transitions_initiative_id'))

    op.drop_table('initiative_transitions')
    with op.batch_alter_table('initiative_partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiative_partners_account_id'))

    op.drop_table('initiative_partners')
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiatives_status'))
        batch_op.drop_index(batch_op.f('ix_initiatives_neighbourhood_id'))
        batch_op.drop_index(batch_op.f('ix_initiatives_initiator_id'))

    op.drop_table('initiatives')
