"""Process configuration, read once from the environment (prefix ``SGX_``).

The defaults describe the embedded mode: SQLite under ``./var/``, the Fortnox sandbox mounted
in the same process, development keys. Production refuses to start with the development keys.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "dev-secret-key-change-me"
# A Fernet key (urlsafe base64 of 32 bytes) for development only.
DEVELOPMENT_ENCRYPTION_KEY = "ZGV2LWVuY3J5cHRpb24ta2V5LWNoYW5nZS1tZS0zMiE="

SANDBOX_MOUNT_PATH = "/fortnox-sandbox"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SGX_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # e.g. https://sgx.example.se; defaults to http://host:port

    database_url: str = "sqlite+aiosqlite:///./var/sgx.db"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
    encryption_keys: str = DEVELOPMENT_ENCRYPTION_KEY

    # Fortnox. With the sandbox on, the base URLs point at the in-process sandbox.
    fortnox_sandbox: bool = True
    fortnox_api_base_url: str = ""
    fortnox_oauth_base_url: str = ""
    fortnox_client_id: str = "sgx-sandbox-client"
    fortnox_client_secret: str = "sgx-sandbox-secret"
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
            if self.secret_key == DEVELOPMENT_SECRET_KEY:
                raise ValueError("SGX_SECRET_KEY must be set in production")
            if DEVELOPMENT_ENCRYPTION_KEY in self.encryption_key_list:
                raise ValueError("SGX_ENCRYPTION_KEYS must be set in production")
            if self.fortnox_sandbox:
                raise ValueError("the Fortnox sandbox cannot be used in production")
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
