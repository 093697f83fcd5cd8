"""Photos of a place, kept re-encoded at fixed widths in the database

Revision ID: 0021_place_photos
Revises: 0020_signup_links
Create Date: 2026-12-07 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_place_photos'
down_revision = '0020_signup_links'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'place_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('alt', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_photos_place_id_places'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_place_photos')),
    )
    with op.batch_alter_table('place_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_photos_place_id'), ['place_id'], unique=False)
    op.create_table(
        'photo_files',
        sa.Column('photo_id', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('etag', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['photo_id'], ['place_photos.id'], name=op.f('fk_photo_files_photo_id_place_photos'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('photo_id', 'width', name=op.f('pk_photo_files')),
    )


def downgrade():
    op.drop_table('photo_files')
    op.drop_table('place_photos')
