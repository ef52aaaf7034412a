"""Optional persistence of the sandbox: the in-memory state snapshotted to one SQLite row.

The sandbox works in memory; with a state file, the durable part of the backend (companies,
clients, consents, tokens, clock offset) is pickled into a single-row table after each
state-changing request and loaded at start, so the embedded demo survives a restart. The file
is the sandbox's own and trusted like the code: never point it at a file from elsewhere.
"""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path
from typing import Any

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sandbox_state ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " format INTEGER NOT NULL,"
    " state BLOB NOT NULL)"
)
# Bumped when the pickled shape changes incompatibly; an older snapshot is then ignored.
FORMAT = 1


class SnapshotStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute(_SCHEMA)
        return connection

    def load(self) -> dict[str, Any] | None:
        connection = self._connect()
        try:
            row = connection.execute(
                "SELECT format, state FROM sandbox_state WHERE id = 1"
            ).fetchone()
        finally:
            connection.close()
        if row is None or row[0] != FORMAT:
            return None
        state: dict[str, Any] = pickle.loads(row[1])
        return state

    def save(self, state: dict[str, Any]) -> None:
        blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        connection = self._connect()
        try:
            with connection:
                connection.execute(
                    "INSERT INTO sandbox_state (id, format, state) VALUES (1, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET format = excluded.format,"
                    " state = excluded.state",
                    (FORMAT, blob),
                )
        finally:
            connection.close()
