"""the contact's timeline: contact_events, and outbox messages linked to contacts

One append-only row per event of a contact (issue 19), and on each outbox
message the contact it went to, why (its kind), and when the sender gave up on
it, so the timeline can show every message with its delivery state. Expand
only: new table, new nullable columns; older code ignores them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 11:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a foreign key to an existing table in place.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=30), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_messages_contact_id_contacts'), 'contacts', ['contact_id'], ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index(batch_op.f('ix_outbox_messages_contact_id'), ['contact_id'], unique=False)

    op.create_table('contact_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('builder_account_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('actor_kind', sa.String(length=12), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('owner_visible', sa.Boolean(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("actor_kind IN ('BUILDER_USER', 'OWNER', 'SYSTEM')", name=op.f('ck_contact_events_actor_kind')),
    sa.ForeignKeyConstraint(['builder_account_id'], ['builder_accounts.id'], name=op.f('fk_contact_events_builder_account_id_builder_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_events_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_contact_events_actor_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'], name=op.f('fk_contact_events_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_events'))
    )
    with op.batch_alter_table('contact_events', schema=None) as batch_op:
        batch_op.create_index('ix_contact_events_contact_id_id', ['contact_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_events_outbox_message_id'), ['outbox_message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_events_outbox_message_id'))
        batch_op.drop_index('ix_contact_events_contact_id_id')
    op.drop_table('contact_events')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_contact_id'))
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_contact_id_contacts'), type_='foreignkey')
        batch_op.drop_column('kind')
        batch_op.drop_column('contact_id')
        batch_op.drop_column('failed_at')
