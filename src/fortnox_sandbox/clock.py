"""The sandbox's clock: real UTC time plus an offset that tests can move forward or set."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class SandboxClock:
    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def now_local(self) -> dt.datetime:
        """Fortnox shows times (``LastModified``) and dates in Swedish local time."""
        return self.now().astimezone(STOCKHOLM)

    def today(self) -> dt.date:
        return self.now_local().date()

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)

    def set(self, moment: dt.datetime) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        self.offset = moment - dt.datetime.now(dt.UTC)

    def reset(self) -> None:
        self.offset = dt.timedelta()
