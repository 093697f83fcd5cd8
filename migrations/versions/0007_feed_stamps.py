"""Feed stamps: when a place last changed for its feeds, name/address revisions that move
every event's SEQUENCE, and a place's coordinates (GEO).

Revision ID: 0007_feed_stamps
Revises: 0006_outbox
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_feed_stamps'
down_revision = '0006_outbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('feed_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('feed_revision', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('feed_revised_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_revision', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('feed_revised_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('feed_revised_at')
        batch_op.drop_column('feed_revision')

    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_column('feed_revised_at')
        batch_op.drop_column('feed_revision')
        batch_op.drop_column('feed_changed_at')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')

