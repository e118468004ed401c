"""hostile input: one spelling per mailbox and username, reset links bound to
their address, coalesced job notices

SPEC 12 (issue 13): emails are stored normalised (NFKC, trimmed, the domain in
its IDNA form) and compared by a key made from that form; usernames compare by
an NFKC, case-folded key and by their confusable skeleton; a reset link records
the primary email it was mailed to; outbox messages carry the key of the notice
they are (job changes are coalesced per owner, job and address).

Expand only: three nullable columns and two indexes, and stored emails and username
keys rewritten to the new normal form. A row whose new key would collide with
another row's (two spellings of one mailbox both claimed before this rule) keeps
its old spelling, so the upgrade never fails on existing data; such rows are
logged for a person to merge.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:00:00

"""
import logging
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from domain.emails import email_key, normalise_email
from domain.usernames import username_key, username_skeleton

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    op.add_column('users', sa.Column('username_skeleton', sa.String(length=150), nullable=True))
    op.create_index(op.f('ix_users_username_skeleton'), 'users', ['username_skeleton'], unique=False)
    op.add_column('password_resets', sa.Column('sent_to_email_key', sa.String(length=320), nullable=True))
    op.add_column('outbox_messages', sa.Column('coalesce_key', sa.String(length=200), nullable=True))
    op.create_index(op.f('ix_outbox_messages_coalesce_key'), 'outbox_messages', ['coalesce_key'], unique=False)
    connection = op.get_bind()
    _normalise_usernames(connection)
    _normalise_primary_emails(connection)
    _normalise_additional_emails(connection)


def _normalise_usernames(connection) -> None:
    rows = connection.execute(sa.text("SELECT id, username, username_key FROM users")).all()
    keys = {row.username_key for row in rows}
    for row in rows:
        key = username_key(row.username)
        if key != row.username_key:
            if key in keys:
                log.warning("user %s keeps username key %r: %r is taken", row.id, row.username_key, key)
                key = row.username_key
            else:
                keys.discard(row.username_key)
                keys.add(key)
        connection.execute(
            sa.text("UPDATE users SET username_key = :key, username_skeleton = :skeleton WHERE id = :id"),
            {"key": key, "skeleton": username_skeleton(row.username), "id": row.id},
        )


def _normalise_primary_emails(connection) -> None:
    rows = connection.execute(sa.text(
        "SELECT id, builder_account_id, primary_email, primary_email_key, "
        "activation_status IN ('PENDING', 'ACTIVE') AND merged_into_id IS NULL AS claimed "
        "FROM contacts WHERE primary_email IS NOT NULL"
    )).all()
    claimed = {(row.builder_account_id, row.primary_email_key) for row in rows if row.claimed}
    for row in rows:
        email, key = normalise_email(row.primary_email), email_key(row.primary_email)
        if (email, key) == (row.primary_email, row.primary_email_key):
            continue
        if row.claimed and key != row.primary_email_key:
            if (row.builder_account_id, key) in claimed:
                log.warning("contact %s keeps primary email %r: another claimed contact has %r",
                            row.id, row.primary_email, key)
                continue
            claimed.discard((row.builder_account_id, row.primary_email_key))
            claimed.add((row.builder_account_id, key))
        connection.execute(
            sa.text("UPDATE contacts SET primary_email = :email, primary_email_key = :key WHERE id = :id"),
            {"email": email, "key": key, "id": row.id},
        )


def _normalise_additional_emails(connection) -> None:
    rows = connection.execute(sa.text("SELECT id, contact_id, email, email_key FROM contact_emails")).all()
    keys = {(row.contact_id, row.email_key) for row in rows}
    for row in rows:
        email, key = normalise_email(row.email), email_key(row.email)
        if (email, key) == (row.email, row.email_key):
            continue
        if key != row.email_key:
            if (row.contact_id, key) in keys:
                log.warning("additional email %s keeps %r: its contact has %r already", row.id, row.email, key)
                continue
            keys.discard((row.contact_id, row.email_key))
            keys.add((row.contact_id, key))
        connection.execute(
            sa.text("UPDATE contact_emails SET email = :email, email_key = :key WHERE id = :id"),
            {"email": email, "key": key, "id": row.id},
        )


def downgrade() -> None:
    # The normalised spellings stay: they are valid addresses and usernames.
    op.drop_index(op.f('ix_outbox_messages_coalesce_key'), table_name='outbox_messages')
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_column('coalesce_key')
    with op.batch_alter_table('password_resets') as batch_op:
        batch_op.drop_column('sent_to_email_key')
    op.drop_index(op.f('ix_users_username_skeleton'), table_name='users')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('username_skeleton')
