"""Process configuration, read once from the environment (prefix ``SGX_``).

The defaults describe the embedded mode: SQLite under ``./var/``, the Fortnox sandbox mounted
in the same process, development keys. Without ``SGX_SECRET_KEY`` sessions are signed with a
random secret made on first start and kept beside the database (``sgx.web.sessions``).
Production refuses to start without its own keys or with the sandbox's client credentials.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The session key once printed here as a default; still refused wherever it is configured.
DEVELOPMENT_SECRET_KEY = "dev-secret-key-change-me"
# A Fernet key (urlsafe base64 of 32 bytes) for development only.
DEVELOPMENT_ENCRYPTION_KEY = "ZGV2LWVuY3J5cHRpb24ta2V5LWNoYW5nZS1tZS0zMiE="

SANDBOX_MOUNT_PATH = "/fortnox-sandbox"
# The OAuth client the embedded sandbox registers for SGX; public, so never valid in production.
SANDBOX_CLIENT_ID = "sgx-sandbox-client"
SANDBOX_CLIENT_SECRET = "sgx-sandbox-secret"
MINIMUM_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SGX_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # e.g. https://sgx.example.se; defaults to http://host:port

    database_url: str = "sqlite+aiosqlite:///./var/sgx.db"
    # Signs the session cookie. Empty: a random secret per installation, kept in
    # ``secret_key_file`` (default: beside the SQLite database, else ./var/secret-key).
    secret_key: str = ""
    secret_key_file: str = ""
    # Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
    encryption_keys: str = DEVELOPMENT_ENCRYPTION_KEY

    # Fortnox. With the sandbox on, the base URLs point at the in-process sandbox.
    fortnox_sandbox: bool = True
    fortnox_api_base_url: str = ""
    fortnox_oauth_base_url: str = ""
    fortnox_client_id: str = SANDBOX_CLIENT_ID
    fortnox_client_secret: str = SANDBOX_CLIENT_SECRET
    fortnox_redirect_url: str = ""
    sandbox_state_file: str = "./var/fortnox-sandbox.db"

    run_worker_in_process: bool = True
    # Reading back payments and changes made in Fortnox, per issuer (0 = only on demand).
    fortnox_reconcile_interval_seconds: int = Field(default=300, ge=0)
    log_level: str = "INFO"
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)

    @model_validator(mode="after")
    def _refuse_development_keys_in_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key in ("", DEVELOPMENT_SECRET_KEY):
                raise ValueError("SGX_SECRET_KEY must be set in production")
            if len(self.secret_key) < MINIMUM_SECRET_KEY_LENGTH:
                raise ValueError(
                    f"SGX_SECRET_KEY must be at least {MINIMUM_SECRET_KEY_LENGTH} characters"
                )
            if DEVELOPMENT_ENCRYPTION_KEY in self.encryption_key_list:
                raise ValueError("SGX_ENCRYPTION_KEYS must be set in production")
            if self.fortnox_sandbox:
                raise ValueError("the Fortnox sandbox cannot be used in production")
            if SANDBOX_CLIENT_ID == self.fortnox_client_id:
                raise ValueError("SGX_FORTNOX_CLIENT_ID must be set in production")
            if SANDBOX_CLIENT_SECRET == self.fortnox_client_secret:
                raise ValueError("SGX_FORTNOX_CLIENT_SECRET must be set in production")
        return self

    @property
    def encryption_key_list(self) -> list[str]:
        return [key.strip() for key in self.encryption_keys.split(",") if key.strip()]

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def fortnox_api_url(self) -> str:
        if self.fortnox_api_base_url:
            return self.fortnox_api_base_url.rstrip("/")
        if self.fortnox_sandbox:
            return self.base_url + SANDBOX_MOUNT_PATH
        return "https://api.fortnox.se"

    @property
    def fortnox_oauth_url(self) -> str:
        if self.fortnox_oauth_base_url:
            return self.fortnox_oauth_base_url.rstrip("/")
        if self.fortnox_sandbox:
            return self.base_url + SANDBOX_MOUNT_PATH
        return "https://apps.fortnox.se"

    @property
    def fortnox_callback_url(self) -> str:
        return self.fortnox_redirect_url or self.base_url + "/fortnox/callback"


@lru_cache
def get_settings() -> Settings:
    return Settings()
