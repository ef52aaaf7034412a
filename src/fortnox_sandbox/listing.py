"""Fortnox's list conventions: searches, one ``filter``, ``lastmodified``, sorting and paging.

Searches are substring, case-insensitive matches (Fortnox documents them as SQL ``ILIKE``), also
on numeric fields, so ``documentnumber=1`` finds 1, 10 and 21. ``limit`` defaults to 100 and
may be at most 500; a larger value is refused rather than silently capped, so a client that
relies on big pages fails here first. ``offset`` skips matches before paging.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fortnox_sandbox.clock import STOCKHOLM
from fortnox_sandbox.errors import INVALID_FILTER, FortnoxApiError
from fortnox_sandbox.wire import invalid

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

Entity = dict[str, Any]


@dataclass
class ListRules:
    """How one resource is listed: which parameters search which fields, filters, sort keys."""

    searches: Mapping[str, Callable[[Entity], Any]] = field(default_factory=dict)
    filters: Mapping[str, Callable[[Entity], bool]] = field(default_factory=dict)
    sort_keys: Mapping[str, Callable[[Entity], Any]] = field(default_factory=dict)
    default_sort: Callable[[Entity], Any] = lambda entity: 0


@dataclass
class Page:
    items: list[Entity]
    total: int
    total_pages: int
    current_page: int

    def meta(self) -> dict[str, int]:
        return {
            "@TotalResources": self.total,
            "@TotalPages": self.total_pages,
            "@CurrentPage": self.current_page,
        }


def natural_key(number: Any) -> tuple[int, int, str]:
    """Fortnox numbers are strings; numeric ones sort by value, before any alphanumeric."""
    text = str(number)
    if text.isdigit():
        return (0, int(text), "")
    return (1, 0, text.lower())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_lastmodified(text: str) -> dt.datetime:
    """``YYYY-MM-DD HH:MM`` (seconds optional) or a bare date, in Swedish local time."""
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).replace(tzinfo=STOCKHOLM)
        except ValueError:
            continue
    raise invalid("Ogiltig parameter i anropet.")


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit():
        raise invalid("Ogiltig parameter i anropet.")
    return int(raw)


def select(
    entities: Sequence[Entity],
    params: Mapping[str, str],
    rules: ListRules,
    *,
    modified_at: Callable[[Entity], dt.datetime | None],
) -> Page:
    """Apply searches, filter, lastmodified, sorting and paging to ``entities``."""
    filter_name = params.get("filter")
    if filter_name is not None and filter_name not in rules.filters:
        raise FortnoxApiError(
            400, INVALID_FILTER, "Ett ogiltigt filter har använts.", lowercase=True
        )
    matches = [entity for entity in entities if _matches(entity, params, rules)]
    since_text = params.get("lastmodified")
    if since_text:
        since = parse_lastmodified(since_text)
        matches = [e for e in matches if _modified_since(modified_at(e), since)]
    matches = _sorted(matches, params, rules)
    return _paged(matches, params)


def _modified_since(at: dt.datetime | None, since: dt.datetime) -> bool:
    return at is not None and at >= since


def _matches(entity: Entity, params: Mapping[str, str], rules: ListRules) -> bool:
    filter_name = params.get("filter")
    if filter_name is not None and not rules.filters[filter_name](entity):
        return False
    for name, getter in rules.searches.items():
        wanted = params.get(name)
        if wanted is not None and wanted.lower() not in _text(getter(entity)).lower():
            return False
    return True


def _sorted(matches: list[Entity], params: Mapping[str, str], rules: ListRules) -> list[Entity]:
    sort_by = params.get("sortby")
    key = rules.default_sort
    if sort_by:
        if sort_by not in rules.sort_keys:
            raise invalid("Ogiltig parameter i anropet.")
        key = rules.sort_keys[sort_by]
    order = params.get("sortorder", "ascending")
    if order not in ("ascending", "descending"):
        raise invalid("Ogiltig parameter i anropet.")
    return sorted(matches, key=key, reverse=order == "descending")


def _paged(matches: list[Entity], params: Mapping[str, str]) -> Page:
    limit = _int_param(params, "limit", DEFAULT_LIMIT)
    page = _int_param(params, "page", 1)
    offset = _int_param(params, "offset", 0)
    if not 1 <= limit <= MAX_LIMIT or page < 1:
        raise invalid("Ogiltig parameter i anropet.")
    remaining = matches[offset:]
    start = (page - 1) * limit
    return Page(
        items=remaining[start : start + limit],
        total=len(remaining),
        total_pages=math.ceil(len(remaining) / limit),
        current_page=page,
    )
