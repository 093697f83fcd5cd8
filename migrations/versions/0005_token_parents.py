"""API tokens remember the token that minted them, so revoking a parent ends its children.

Revision ID: 0005_token_parents
Revises: 0004_initiatives
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_token_parents'
down_revision = '0004_initiatives'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_parent_id_api_tokens'), 'api_tokens', ['parent_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_parent_id_api_tokens'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_parent_id'))
        batch_op.drop_column('parent_id')
