"""One benchmark run from start to end: processes up, measurements in order, result written.

PostgreSQL: calls per invoice, per-issuer throughput, then a fleet of connected clinics
(warmed up: patient and articles already in Fortnox) for the aggregate and bare runs, latency,
memory, and last the API alone (its invoices are left untransferred). SQLite, for comparison,
in its embedded mode: aggregate, latency and API. Everything is stopped and the PostgreSQL
database dropped at the end, whatever happened.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import report
from bench.config import Sizes
from bench.database import fresh_database
from bench.fleet import make_clinics
from bench.machine import facts
from bench.processes import ROOT, Child, start_sandbox
from bench.sandbox import Control
from bench.scenarios import aggregate, api, calls, latency, memory, per_issuer
from bench.scenarios.warmup import warm_up
from bench.stack import Stack

log = logging.getLogger("bench")


def _step(name: str) -> None:
    log.info("%s  %s", time.strftime("%H:%M:%S"), name)


class Measured(dict[str, Any]):
    """The raw figures of one database's phases, written to ``path`` each time a phase
    finishes: a run stopped halfway (the full run takes over an hour) keeps what it measured
    in its work folder, though only a finished run writes the result."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.path.write_text(json.dumps(self, indent=2, ensure_ascii=False, default=str) + "\n")


async def _postgres(
    control: Control, sizes: Sizes, workdir: Path, profile: Path | None
) -> dict[str, Any]:
    found = Measured(workdir / "measured-postgres.json")
    async with fresh_database("postgres", workdir) as db:
        stack = Stack(workdir, db, control)
        found["version"] = await db.version()
        try:
            await stack.start_api()
            _step("calls per invoice")
            found["calls"] = await calls.measure(stack, sizes)
            _step("per-issuer throughput")
            found["per_issuer"] = await per_issuer.measure(stack, sizes)
            _step("fleet of connected clinics")
            clinics = await make_clinics(
                db, control, max(sizes.aggregate_issuers, sizes.memory_issuers)
            )
            await warm_up(stack, clinics)
            fleet = clinics[: sizes.aggregate_issuers]
            _step("aggregate throughput")
            found["aggregate"] = await aggregate.measure(stack, sizes, fleet, profile=profile)
            _step("bare load generator")
            found["bare"] = await aggregate.measure_bare(stack, sizes, fleet)
            one = found["aggregate"]["by_workers"][str(min(sizes.worker_counts))]
            _step("latency")
            found["latency"] = await latency.measure(
                stack, sizes, fleet, full_rate=one["invoices_per_second"]["median"]
            )
            _step("memory")
            found["memory"] = await memory.measure(stack, sizes, clinics[: sizes.memory_issuers])
            _step("API")
            found["api"] = await api.measure(stack, sizes, fleet)
        finally:
            await stack.close()
    return found


async def _sqlite(control: Control, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    found = Measured(workdir / "measured-sqlite.json")
    async with fresh_database("sqlite", workdir) as db:
        stack = Stack(workdir, db, control)
        found["version"] = await db.version()
        try:
            await stack.start_api(embedded_worker=True)
            _step("SQLite: fleet")
            fleet = await make_clinics(db, control, sizes.sqlite_issuers)
            await warm_up(stack, fleet)
            _step("SQLite: aggregate (embedded worker)")
            found["aggregate"] = await aggregate.measure(stack, sizes, fleet)
            embedded = found["aggregate"]["by_workers"][aggregate.EMBEDDED]
            _step("SQLite: latency")
            found["latency"] = await latency.measure(
                stack, sizes, fleet, full_rate=embedded["invoices_per_second"]["median"]
            )
            _step("SQLite: API")
            await stack.start_api(embedded_worker=False)
            found["api"] = await api.measure(stack, sizes, fleet)
        finally:
            await stack.close()
    return found


async def run(sizes: Sizes, *, profile: bool = False) -> dict[str, Any]:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    workdir = ROOT / "var" / "bench" / stamp
    workdir.mkdir(parents=True, exist_ok=True)
    log.info("work folder (logs, profiles): %s", workdir)
    machine = facts()
    began = time.monotonic()
    sandbox: Child
    sandbox, url = await asyncio.to_thread(start_sandbox, workdir)
    control = Control(url)
    try:
        await control.register_client()
        await control.rate_limit(enabled=True)
        pg = await _postgres(control, sizes, workdir, workdir / "profile" if profile else None)
        lite = await _sqlite(control, sizes, workdir) if sizes.sqlite else {}
    finally:
        await control.close()
        await asyncio.to_thread(sandbox.stop)
    result = assemble(sizes, machine, pg, lite)
    result["duration_seconds"] = round(time.monotonic() - began, 1)
    result["work_folder"] = str(workdir.relative_to(ROOT))
    return result


def assemble(
    sizes: Sizes, machine: dict[str, Any], pg: dict[str, Any], lite: dict[str, Any]
) -> dict[str, Any]:
    spread: dict[str, Any] = {}
    result: dict[str, Any] = {
        "quick": sizes.quick,
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "databases": {"postgres": pg.get("version", ""), "sqlite": lite.get("version", "")},
        "sizes": asdict(sizes),
    }
    result["calls_per_invoice"] = report.medians(
        pg["calls"], {key: key for key in calls.KEYS}, spread, "calls_per_invoice"
    )
    result["per_issuer"] = report.medians(
        pg["per_issuer"],
        {
            k: k
            for k in ("invoices_per_second", "ceiling_ratio", "rate_limited_responses", "seconds")
        },
        spread,
        "per_issuer",
    )
    result["aggregate"] = _aggregate(pg, lite, spread)
    result["latency"] = _latency(pg["latency"], spread, "latency")
    result["api"] = report.medians(
        pg["api"], {k: k for k in ("requests_per_second", "p50_ms", "p99_ms")}, spread, "api"
    )
    result["memory"] = report.medians(
        pg["memory"],
        {k: k for k in ("worker_rss_mb", "worker_peak_rss_mb", "worker_rss_at_start_mb")},
        spread,
        "memory",
    )
    result["memory"]["issuers"] = pg["memory"]["issuers"]
    if lite:
        result["sqlite"] = {
            "latency": _latency(lite["latency"], spread, "sqlite.latency"),
            "api": report.medians(
                lite["api"],
                {k: k for k in ("requests_per_second", "p50_ms", "p99_ms")},
                spread,
                "sqlite.api",
            ),
        }
    result["spread"] = spread
    result["detail"] = {"postgres": pg, "sqlite": lite}
    return result


def _aggregate(pg: dict[str, Any], lite: dict[str, Any], spread: dict[str, Any]) -> dict[str, Any]:
    by_workers = pg["aggregate"]["by_workers"]
    per_count = {
        count: figures["invoices_per_second"]["median"] for count, figures in by_workers.items()
    }
    for count, figures in by_workers.items():
        spread[f"aggregate.invoices_per_second.{count}"] = figures["invoices_per_second"]
    bare = pg["bare"]["invoices_per_second"]
    spread["aggregate.bare_invoices_per_second"] = bare
    best_count = max(per_count, key=lambda count: per_count[count] or 0)
    found: dict[str, Any] = {
        "invoices_per_second": per_count,
        "bare_invoices_per_second": bare["median"],
        "ratio_to_bare": (per_count[best_count] or 0) / bare["median"] if bare["median"] else None,
        "ratio_to_bare_by_workers": {
            count: (value or 0) / bare["median"] if bare["median"] else None
            for count, value in per_count.items()
        },
        "best_worker_count": int(best_count),
    }
    if lite:
        embedded = lite["aggregate"]["by_workers"][aggregate.EMBEDDED]["invoices_per_second"]
        found["sqlite_embedded_invoices_per_second"] = embedded["median"]
        spread["aggregate.sqlite_embedded_invoices_per_second"] = embedded
    return found


def _latency(figures: dict[str, Any], spread: dict[str, Any], prefix: str) -> dict[str, Any]:
    keys = [f"{phase}_{p}_ms" for phase in ("idle", "loaded") for p in ("p50", "p95", "p99")]
    found = report.medians(figures, {key: key for key in keys}, spread, prefix)
    found["loaded_rate_per_second"] = figures["loaded_rate_per_second"]
    return found
