"""Small statistics: percentiles of samples and the median of runs with its spread."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile (0..1) by linear interpolation between closest ranks."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: Sequence[float]) -> dict[str, Any]:
    """The median of the runs, and their minimum, maximum and count (the spread)."""
    finite = [value for value in values if not math.isnan(value)]
    if not finite:
        return {"median": None, "min": None, "max": None, "runs": len(values)}
    return {
        "median": round(statistics.median(finite), 4),
        "min": round(min(finite), 4),
        "max": round(max(finite), 4),
        "runs": len(values),
    }


def spread_text(figure: dict[str, Any], *, digits: int = 1) -> str:
    """``12.3 (11.9–12.8, 3 runs)`` for the Markdown table."""
    median = figure.get("median")
    if median is None:
        return "–"
    text = f"{median:.{digits}f}"
    if figure.get("runs", 1) > 1:
        text += f" ({figure['min']:.{digits}f}–{figure['max']:.{digits}f}, {figure['runs']} runs)"
    else:
        text += " (1 run)"
    return text
