"""Running Alembic from code (``sgx db upgrade``, ``make run``, tests)."""

from __future__ import annotations

import asyncio
from importlib.resources import files

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("sgx") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Migrate to ``revision``. Runs its own event loop: call it outside a running loop."""
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_database_from_async(database_url: str, revision: str = "head") -> None:
    """``upgrade_database`` for async callers: Alembic runs its own loop, so in a thread."""
    await asyncio.to_thread(upgrade_database, database_url, revision)
