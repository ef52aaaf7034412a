"""booking in Fortnox: the issuer's setting, and credits Fortnox does not link

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.add_column(
            sa.Column(
                "book_invoices_in_fortnox",
                sa.Boolean(),
                nullable=False,
                server_default=sa.true(),
            )
        )
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(
            sa.Column(
                "fortnox_unlinked_credit",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("fortnox_unlinked_credit")
    with op.batch_alter_table("issuers") as batch:
        batch.drop_column("book_invoices_in_fortnox")
