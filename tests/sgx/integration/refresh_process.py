"""A separate process asking for one issuer's access token from several tasks at once.

Run by ``test_refresh_processes``: ``python -m tests.sgx.integration.refresh_process
DATABASE_URL FORTNOX_URL ISSUER_ID TASKS``. It waits for a line on stdin (so that the processes
start together), then prints the access tokens it was handed as a JSON list on its last line.
"""

from __future__ import annotations

import asyncio
import json
import sys

import sgx.models  # noqa: F401  (every table, as in any SGX process)
from sgx.integration.gateway import FortnoxGateway, new_http_client
from sgx.integration.tokens import ConnectionTokens
from sgx.kit.db import create_engine, create_session_factory
from sgx.settings import Settings


async def main(database_url: str, fortnox_url: str, issuer_id: int, tasks: int) -> None:
    settings = Settings(
        environment="test",
        database_url=database_url,
        fortnox_sandbox=False,
        fortnox_api_base_url=fortnox_url,
        fortnox_oauth_base_url=fortnox_url,
    )
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    async with new_http_client() as http:
        gateway = FortnoxGateway.create(http=http, settings=settings)
        providers = [ConnectionTokens(factory, gateway, issuer_id=issuer_id) for _ in range(tasks)]
        await asyncio.to_thread(sys.stdin.readline)
        tokens = await asyncio.gather(*(provider() for provider in providers))
    await engine.dispose()
    print(json.dumps(tokens))


if __name__ == "__main__":
    database_url, fortnox_url, issuer_id, tasks = sys.argv[1:5]
    asyncio.run(main(database_url, fortnox_url, int(issuer_id), int(tasks)))
