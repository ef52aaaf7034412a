"""Fortnox's rate limit: 25 requests per 5-second sliding window per (client id, tenant).

Only requests that reach Fortnox with a valid token are counted; a refused request (429) is not,
so a client that waits for the window to slide is served again. Time is the sandbox clock, so a
test can slide the window by moving the clock instead of sleeping.
"""

from __future__ import annotations

from collections import deque
from typing import Any

DEFAULT_REQUESTS = 25
DEFAULT_WINDOW_SECONDS = 5.0
# UNCONFIRMED: Fortnox documents the 429 status only; the body is our choice (no ErrorInformation,
# the reason phrase as message, like other non-resource errors).
TOO_MANY_REQUESTS_BODY = {"message": "Too Many Requests"}


class RateLimiter:
    def __init__(self) -> None:
        self.enabled = True
        self.requests = DEFAULT_REQUESTS
        self.window_seconds = DEFAULT_WINDOW_SECONDS
        self._windows: dict[tuple[str, int], deque[float]] = {}

    def configure(
        self,
        *,
        enabled: bool | None = None,
        requests: int | None = None,
        window_seconds: float | None = None,
    ) -> None:
        if enabled is not None:
            self.enabled = enabled
        if requests is not None:
            self.requests = requests
        if window_seconds is not None:
            self.window_seconds = window_seconds
        self._windows.clear()

    def setting(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "requests": self.requests,
            "window_seconds": self.window_seconds,
        }

    def allow(self, *, client_id: str, tenant_id: int, now: float) -> bool:
        """Count the request if the window has room; ``False`` means answer 429."""
        if not self.enabled:
            return True
        key = (client_id, tenant_id)
        # Keep what lies in (now - window, now]; entries "from the future" exist only after the
        # clock was set backwards and are dropped too.
        window = deque(
            moment
            for moment in self._windows.get(key, ())
            if now - self.window_seconds < moment <= now
        )
        self._windows[key] = window
        if len(window) >= self.requests:
            return False
        window.append(now)
        return True
