"""who undid a merge: contact_merges.undone_by_user_id

The merge audit entry already says who merged; an undo is audited the same way.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a foreign key to an existing table in place.
    with op.batch_alter_table('contact_merges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('undone_by_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_contact_merges_undone_by_user_id_users'), 'users', ['undone_by_user_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade() -> None:
    with op.batch_alter_table('contact_merges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contact_merges_undone_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('undone_by_user_id')
