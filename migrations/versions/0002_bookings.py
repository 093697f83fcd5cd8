"""Bookings, occupancies, series, booking history and idempotency keys.

The no-double-booking guarantee is written by hand: autogenerate knows neither
PostgreSQL exclusion constraints nor SQLite triggers.

Revision ID: 0002_bookings
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_bookings'
down_revision = '0001_initial'
branch_labels = None
depends_on = None

# Two active occupancies of one atomic room may never overlap ([start, end) with the buffer).
POSTGRES_GUARANTEE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE occupancies ADD CONSTRAINT ex_occupancies_no_overlap
       EXCLUDE USING gist (room_id WITH =, tstzrange(start, "end", '[)') WITH &&)
       WHERE (active)""",
]
_SQLITE_OVERLAP = """
    NEW.active AND EXISTS (
        SELECT 1 FROM occupancies AS other
        WHERE other.active AND other.room_id = NEW.room_id AND other.id IS NOT NEW.id
          AND other.start < NEW."end" AND NEW.start < other."end")"""
SQLITE_GUARANTEE = [
    f"""CREATE TRIGGER occupancies_no_overlap_insert BEFORE INSERT ON occupancies
        WHEN {_SQLITE_OVERLAP}
        BEGIN SELECT RAISE(ABORT, 'occupancy_overlap'); END""",
    f"""CREATE TRIGGER occupancies_no_overlap_update
        BEFORE UPDATE OF room_id, start, "end", active ON occupancies
        WHEN {_SQLITE_OVERLAP}
        BEGIN SELECT RAISE(ABORT, 'occupancy_overlap'); END""",
]


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_idempotency_keys_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)

    op.create_table('series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=False),
    sa.Column('rrule', sa.String(length=300), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booked_by_id'], ['accounts.id'], name=op.f('fk_series_booked_by_id_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_series_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_series_room_id_rooms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series'))
    )
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_booked_by_id'), ['booked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_series_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_series_room_id'), ['room_id'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('booked_by_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expected_attendees', sa.Integer(), nullable=True),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('outside_opening_hours', sa.Boolean(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booked_by_id'], ['accounts.id'], name=op.f('fk_bookings_booked_by_id_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_bookings_place_id_places'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_bookings_room_id_rooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_bookings_series_id_series'), ondelete='SET NULL'),
    sa.CheckConstraint('start < "end"', name=op.f('ck_bookings_start_before_end')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_booked_by_id'), ['booked_by_id'], unique=False)
        batch_op.create_index('ix_bookings_place_id_start', ['place_id', 'start'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_status'), ['status'], unique=False)

    op.create_table('booking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_booking_events_actor_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_events_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_events'))
    )
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_events_booking_id'), ['booking_id'], unique=False)

    op.create_table('occupancies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_occupancies_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_occupancies_room_id_rooms'), ondelete='CASCADE'),
    sa.CheckConstraint('start < "end"', name=op.f('ck_occupancies_start_before_end')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occupancies'))
    )
    with op.batch_alter_table('occupancies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_occupancies_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index('ix_occupancies_room_id_start', ['room_id', 'start'], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in POSTGRES_GUARANTEE if dialect == "postgresql" else SQLITE_GUARANTEE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS occupancies_no_overlap_insert")
        op.execute("DROP TRIGGER IF EXISTS occupancies_no_overlap_update")
    with op.batch_alter_table('occupancies', schema=None) as batch_op:
        batch_op.drop_index('ix_occupancies_room_id_start')
        batch_op.drop_index(batch_op.f('ix_occupancies_booking_id'))

    op.drop_table('occupancies')
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_events_booking_id'))

    op.drop_table('booking_events')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_status'))
        batch_op.drop_index(batch_op.f('ix_bookings_series_id'))
        batch_op.drop_index(batch_op.f('ix_bookings_room_id'))
        batch_op.drop_index('ix_bookings_place_id_start')
        batch_op.drop_index(batch_op.f('ix_bookings_booked_by_id'))

    op.drop_table('bookings')
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_room_id'))
        batch_op.drop_index(batch_op.f('ix_series_place_id'))
        batch_op.drop_index(batch_op.f('ix_series_booked_by_id'))

    op.drop_table('series')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))

    op.drop_table('idempotency_keys')
