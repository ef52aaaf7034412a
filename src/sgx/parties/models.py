"""Tables of parties (filled in by the domain)."""

from __future__ import annotations
