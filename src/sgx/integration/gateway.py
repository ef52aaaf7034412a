"""The process's way out to Fortnox: one HTTP client, one pacer, the secret box and the URLs.

``FortnoxGateway`` is built once per process (``install`` puts it on the app) and handed to the
connection code, which asks it for a ``FortnoxOAuth`` (the token endpoints) or a
``FortnoxClient`` for one tenant. Settings name the hosts: OAuth lives under
``{fortnox_oauth_url}/oauth-v1`` and REST under ``{fortnox_api_url}/3`` (the client adds ``/3``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from sgx.fortnox import (
    FortnoxClient,
    FortnoxOAuth,
    Pacer,
    PacingKey,
    SlidingWindowPacer,
    TokenProvider,
)
from sgx.kit.crypto import SecretBox
from sgx.settings import Settings

# Fortnox answers within seconds; a minute covers slow list pages without hanging a worker.
FORTNOX_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
OAUTH_PATH = "/oauth-v1"


@dataclass(frozen=True)
class FortnoxGateway:
    http: httpx.AsyncClient
    settings: Settings
    pacer: Pacer
    box: SecretBox

    @classmethod
    def create(
        cls, *, http: httpx.AsyncClient, settings: Settings, pacer: Pacer | None = None
    ) -> FortnoxGateway:
        return cls(
            http=http,
            settings=settings,
            pacer=pacer or SlidingWindowPacer(),
            box=SecretBox(settings.encryption_key_list),
        )

    @property
    def client_id(self) -> str:
        return self.settings.fortnox_client_id

    @property
    def is_sandbox(self) -> bool:
        return self.settings.fortnox_sandbox

    def oauth(self) -> FortnoxOAuth:
        return FortnoxOAuth(
            self.http,
            client_id=self.settings.fortnox_client_id,
            client_secret=self.settings.fortnox_client_secret,
            redirect_uri=self.settings.fortnox_callback_url,
            base_url=self.settings.fortnox_oauth_url + OAUTH_PATH,
        )

    def client(self, *, tenant_id: int, token_provider: TokenProvider) -> FortnoxClient:
        return FortnoxClient(
            self.http,
            base_url=self.settings.fortnox_api_url,
            token_provider=token_provider,
            pacer=self.pacer,
            pacing_key=PacingKey(client_id=self.client_id, tenant_id=tenant_id),
        )


def new_http_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, timeout=FORTNOX_TIMEOUT)


def install(
    app: Any, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """Put the gateway on ``app.state.fortnox`` (and its HTTP client on ``fortnox_http``).

    The caller closes the returned client when the app shuts down.
    """
    http = new_http_client(transport)
    app.state.fortnox_http = http
    app.state.fortnox = FortnoxGateway.create(http=http, settings=settings)
    return http


def gateway_of(app: Any) -> FortnoxGateway:
    gateway: FortnoxGateway = app.state.fortnox
    return gateway
