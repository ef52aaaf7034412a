"""The one place that reads the time, so every timestamp is timezone-aware UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_in_sweden() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()
