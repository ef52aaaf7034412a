"""Tables of invoicing (filled in by the domain)."""

from __future__ import annotations
