"""Run the sandbox as its own server (uvicorn).

``python -m fortnox_sandbox --host 127.0.0.1 --port 8090 [--control] [--state-file PATH]
[--client-id X --client-secret Y --redirect-uri Z]`` — ``sgx sandbox`` calls ``serve`` too.
The control plane is off unless ``--control`` is given; state lives in memory unless a state
file is named; a client given on the command line is registered (again) at every start.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from fastapi import FastAPI

from fortnox_sandbox.app import create_app
from fortnox_sandbox.backend import OAuthClient, SandboxBackend


def build_app(
    *,
    control: bool = False,
    state_file: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    redirect_uris: Sequence[str] = (),
) -> FastAPI:
    backend = SandboxBackend(state_file=state_file or None)
    if client_id:
        if not client_secret:
            raise ValueError("a client id needs a client secret")
        existing = backend.clients.get(client_id)
        client = OAuthClient(
            client_id=client_id, client_secret=client_secret, redirect_uris=list(redirect_uris)
        )
        if existing is not None:
            # Keep what the control plane registered for this client before a restart.
            client.scopes = existing.scopes
            client.service_accounts = existing.service_accounts
        backend.register_client(client)
        backend.save()
    return create_app(backend, control=control)


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8090,
    control: bool = False,
    state_file: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    redirect_uris: Sequence[str] = (),
) -> None:
    import uvicorn

    app = build_app(
        control=control,
        state_file=state_file,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uris=redirect_uris,
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m fortnox_sandbox", description="Fortnox-sandlådan som egen server."
    )
    parser.add_argument("--host", default="127.0.0.1", help="adress (standard 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port (standard 8090)")
    parser.add_argument("--control", action="store_true", help="slå på kontrollytan /_sandbox/")
    parser.add_argument("--state-file", help="SQLite-fil som tillståndet sparas i")
    parser.add_argument("--client-id", help="registrera en OAuth-klient med detta id")
    parser.add_argument("--client-secret", help="klientens hemlighet")
    parser.add_argument(
        "--redirect-uri", action="append", default=[], help="klientens redirect-URI (flera går)"
    )
    arguments = parser.parse_args(argv)
    if arguments.client_id and not arguments.client_secret:
        parser.error("--client-id kräver --client-secret")
    return arguments


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    serve(
        host=arguments.host,
        port=arguments.port,
        control=arguments.control,
        state_file=arguments.state_file,
        client_id=arguments.client_id,
        client_secret=arguments.client_secret,
        redirect_uris=arguments.redirect_uri,
    )


if __name__ == "__main__":
    main()
