"""pending primary email changes: email_changes

An active owner's new primary email proves itself before it manages the account
(SPEC 12): the request is kept here, with the hash of the token mailed to the new
address, until it is confirmed, cancelled, superseded or expires. A new table
only (expand): nothing that runs today reads or writes it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 11:50:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = "confirmed_at IS NULL AND revoked_at IS NULL"


def upgrade() -> None:
    op.create_table(
        'email_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('new_email', sa.String(length=320), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_email_changes_contact_id_contacts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_email_changes')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_email_changes_token_hash')),
    )
    op.create_index(op.f('ix_email_changes_contact_id'), 'email_changes', ['contact_id'])
    # At most one open request per contact: a new one revokes the old first.
    op.create_index('uq_email_changes_open_contact', 'email_changes', ['contact_id'], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index('uq_email_changes_open_contact', table_name='email_changes')
    op.drop_index(op.f('ix_email_changes_contact_id'), table_name='email_changes')
    op.drop_table('email_changes')
