"""The installation's reference prefix: made once per database, kept by a database that wrote to
Fortnox before prefixes existed, and the same for every process that asks."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.integration.installation import ALPHABET, PREFIX_LENGTH, reference_prefix
from sgx.kit.db import create_engine, create_session_factory
from sgx.kit.migrate import upgrade_database


def _prefix_of(url: str) -> str:
    async def read() -> str:
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            prefix = await reference_prefix(session)
            await session.commit()
        await engine.dispose()
        return prefix

    return asyncio.run(read())


def test_a_new_database_makes_its_prefix_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    upgrade_database(url)

    first, again = _prefix_of(url), _prefix_of(url)

    assert len(first) == PREFIX_LENGTH and set(first) <= set(ALPHABET)
    assert again == first


def test_two_new_databases_get_different_prefixes(tmp_path: Path) -> None:
    urls = [f"sqlite+aiosqlite:///{tmp_path / f'db{n}.db'}" for n in range(2)]
    for url in urls:
        upgrade_database(url)

    assert _prefix_of(urls[0]) != _prefix_of(urls[1])


def test_a_database_that_wrote_to_fortnox_before_keeps_the_empty_prefix(tmp_path: Path) -> None:
    path = tmp_path / "legacy.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_database(url, "0003")
    with sqlite3.connect(path) as connection:  # a link from the time before prefixes
        connection.execute(
            "INSERT INTO fortnox_links (issuer_id, tenant_id, kind, sgx_id, fortnox_number, "
            "content_hash, updated_at) VALUES (1, 1, 'patient', 42, 'SGXP42', '', "
            "'2026-01-01 00:00:00')"
        )

    upgrade_database(url)

    assert _prefix_of(url) == ""


async def test_processes_asking_at_once_agree_on_one_prefix(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async def ask() -> str:
        async with session_factory() as session:
            prefix = await reference_prefix(session)
            await session.commit()
        return prefix

    answers = await asyncio.gather(*(ask() for _ in range(4)))

    assert len(set(answers)) == 1 and len(answers[0]) == PREFIX_LENGTH
