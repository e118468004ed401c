"""contact list sort indexes

The `contacts` connection sorts by `coalesce(last_name, '')` (or first name, or
creation time) then id, and pages by keyset on that same expression: an index on
exactly that expression within the builder account lets the database read one
page without sorting the account's contacts, so a page costs the same at 1M
contacts as at 10k (issue 7).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_contacts_builder_sort_last_name', 'contacts',
                    ['builder_account_id', sa.text("coalesce(last_name, '')"), 'id'])
    op.create_index('ix_contacts_builder_sort_first_name', 'contacts',
                    ['builder_account_id', sa.text("coalesce(first_name, '')"), 'id'])
    op.create_index('ix_contacts_builder_created_at', 'contacts', ['builder_account_id', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_contacts_builder_created_at', table_name='contacts')
    op.drop_index('ix_contacts_builder_sort_first_name', table_name='contacts')
    op.drop_index('ix_contacts_builder_sort_last_name', table_name='contacts')
