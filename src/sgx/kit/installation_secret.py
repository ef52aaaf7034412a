"""A random secret per installation, made on first start and kept in a file afterwards.

Used when no secret is configured (development): sessions are then signed with a key nobody
else knows, instead of a key printed in the source. The file is written with mode 0600, and
atomically, so that processes starting at the same moment all end up with the same secret.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

SECRET_BYTES = 48
DEFAULT_DIRECTORY = Path("var")


def secret_file_beside(database_url: str) -> Path:
    """Where an installation keeps its secret: beside its SQLite file, or in ``./var``
    (the working directory's, like the sandbox's state) for a server database."""
    if database_url.startswith("sqlite") and ":///" in database_url:
        path = database_url.split(":///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            return Path(path).parent / "secret-key"
    return DEFAULT_DIRECTORY / "secret-key"


def installation_secret(path: Path) -> str:
    """The secret stored at ``path``; made (and stored) if there is none yet."""
    existing = _read(path)
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
        try:
            os.link(candidate, path)  # fails if another process was first: use theirs
        except FileExistsError:
            pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(candidate)
    stored = _read(path)
    if not stored:
        raise RuntimeError(f"the installation secret in {path} is empty")
    return stored


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return ""
