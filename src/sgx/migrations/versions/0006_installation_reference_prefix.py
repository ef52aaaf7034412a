"""installation: the reference prefix that keeps SGX installations apart in Fortnox; Fortnox's
highest invoice number on the connection

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 05:30:00.000000

A database that has already talked to Fortnox (a transfer job or a Fortnox link exists) keeps
the empty prefix, so it still recognises the numbers and references it wrote before
(``SGXP42``, ``SGX-3-7``). Any other database gets its random prefix on first use.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sgx.kit.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fortnox_connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fortnox_highest_invoice_number", sa.Integer(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("numbers_checked_at", sgx.kit.db.UtcDateTime(timezone=True), nullable=True)
        )
    installation = op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference_prefix", sa.String(length=8), nullable=False),
        sa.Column("created_at", sgx.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation")),
    )
    connection = op.get_bind()
    wrote_before = connection.execute(
        sa.text(
            "SELECT EXISTS (SELECT 1 FROM transfer_jobs) OR EXISTS (SELECT 1 FROM fortnox_links)"
        )
    ).scalar()
    if wrote_before:
        op.bulk_insert(
            installation,
            [{"id": 1, "reference_prefix": "", "created_at": dt.datetime.now(dt.UTC)}],
        )


def downgrade() -> None:
    op.drop_table("installation")
    with op.batch_alter_table("fortnox_connections", schema=None) as batch_op:
        batch_op.drop_column("numbers_checked_at")
        batch_op.drop_column("fortnox_highest_invoice_number")
