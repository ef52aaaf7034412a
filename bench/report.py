"""The result as JSON (``bench/results/latest.json``) and as the Markdown table in
``docs/benchmarks.md`` (between the result markers; the prose around them is kept)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.processes import ROOT
from bench.stats import spread_text

RESULT = ROOT / "bench" / "results" / "latest.json"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def medians(
    figures: dict[str, Any], keys: dict[str, str], spread: dict[str, Any], prefix: str
) -> dict[str, Any]:
    """``{name: median}`` of the summaries ``figures[key]``; each summary lands in ``spread``."""
    flat: dict[str, Any] = {}
    for name, key in keys.items():
        figure = figures.get(key)
        if isinstance(figure, dict) and "median" in figure:
            flat[name] = figure["median"]
            spread[f"{prefix}.{name}"] = figure
    return flat


def write_json(result: dict[str, Any]) -> Path:
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return RESULT


def _row(label: str, figure: dict[str, Any] | None, unit: str, digits: int = 1) -> str:
    return f"| {label} | {spread_text(figure or {}, digits=digits)} | {unit} |"


def table(result: dict[str, Any]) -> str:
    spread: dict[str, Any] = result["spread"]
    machine = result["machine"]
    lines = [
        f"Measured {result['generated_at']} at commit `{machine['commit']}`"
        + (" — **quick run: smaller sizes, one run each**" if result["quick"] else "")
        + ".",
        "",
        f"* CPU: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB",
        f"* Python {machine['python']}, {machine['system']}",
        f"* {result['databases'].get('postgres', 'PostgreSQL ?')}; "
        f"{result['databases'].get('sqlite', 'SQLite ?')}",
        f"* Load average when the run began: {machine['load_average_at_start']}",
        "",
        "Each figure: median (min–max, runs).",
        "",
        "| Figure | Value | Unit |",
        "| --- | --- | --- |",
    ]
    for key, label, unit, digits in ROWS:
        if key in spread:
            lines.append(_row(label, spread[key], unit, digits))
    return "\n".join(lines)


ROWS: list[tuple[str, str, str, int]] = [
    ("calls_per_invoice.returning_patient", "Calls per invoice: returning patient", "calls", 0),
    ("calls_per_invoice.new_patient", "Calls per invoice: new patient", "calls", 0),
    ("calls_per_invoice.company", "Calls per invoice: company (known)", "calls", 0),
    (
        "calls_per_invoice.company_first_invoice",
        "Calls per invoice: company, first invoice",
        "calls",
        0,
    ),
    ("calls_per_invoice.full_credit", "Calls per invoice: full credit", "calls", 0),
    ("calls_per_invoice.partial_credit", "Calls per invoice: partial credit", "calls", 0),
    ("calls_per_invoice.later_credit", "Calls per invoice: later credit (the rest)", "calls", 0),
    (
        "calls_per_invoice.first_invoice_of_clinic",
        "Calls: a clinic's very first invoice",
        "calls",
        0,
    ),
    ("per_issuer.invoices_per_second", "One issuer, backlog: invoices per second", "inv/s", 2),
    ("per_issuer.ceiling_ratio", "One issuer: share of the 25/5 s ceiling", "ratio", 3),
    ("per_issuer.rate_limited_responses", "One issuer: 429 answers", "count", 0),
    ("aggregate.invoices_per_second.1", "Aggregate, PostgreSQL, 1 worker", "inv/s", 1),
    ("aggregate.invoices_per_second.2", "Aggregate, PostgreSQL, 2 workers", "inv/s", 1),
    ("aggregate.invoices_per_second.4", "Aggregate, PostgreSQL, 4 workers", "inv/s", 1),
    (
        "aggregate.sqlite_embedded_invoices_per_second",
        "Aggregate, SQLite, embedded worker",
        "inv/s",
        1,
    ),
    ("aggregate.bare_invoices_per_second", "Bare load generator → sandbox", "inv/s", 1),
    ("latency.idle_p50_ms", "Latency idle p50 (PostgreSQL)", "ms", 1),
    ("latency.idle_p95_ms", "Latency idle p95", "ms", 1),
    ("latency.idle_p99_ms", "Latency idle p99", "ms", 1),
    ("latency.loaded_p50_ms", "Latency at 50 % load p50", "ms", 1),
    ("latency.loaded_p95_ms", "Latency at 50 % load p95", "ms", 1),
    ("latency.loaded_p99_ms", "Latency at 50 % load p99", "ms", 1),
    ("sqlite.latency.idle_p50_ms", "Latency idle p50 (SQLite, embedded)", "ms", 1),
    ("sqlite.latency.idle_p99_ms", "Latency idle p99 (SQLite, embedded)", "ms", 1),
    ("sqlite.latency.loaded_p99_ms", "Latency at 50 % load p99 (SQLite, embedded)", "ms", 1),
    ("api.requests_per_second", "API invoice creation (PostgreSQL)", "req/s", 1),
    ("api.p99_ms", "API invoice creation p99 (PostgreSQL)", "ms", 1),
    ("sqlite.api.requests_per_second", "API invoice creation (SQLite)", "req/s", 1),
    ("sqlite.api.p99_ms", "API invoice creation p99 (SQLite)", "ms", 1),
    ("memory.worker_rss_mb", "Worker RSS after serving every issuer", "MiB", 1),
    ("memory.worker_peak_rss_mb", "Worker peak RSS", "MiB", 1),
]


def write_doc(result: dict[str, Any]) -> Path:
    """Replace the table between the markers (or start the document with one)."""
    block = f"{BEGIN}\n{table(result)}\n\n{extra_lines(result)}\n{END}"
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
    return DOC


def extra_lines(result: dict[str, Any]) -> str:
    aggregate = result.get("aggregate", {})
    sizes = result["sizes"]
    lines = []
    if "ratio_to_bare" in aggregate:
        lines.append(
            f"Ratio of the best PostgreSQL aggregate to the bare generator: "
            f"**{aggregate['ratio_to_bare']:.2f}** "
            f"({aggregate.get('best_worker_count')} worker processes)."
        )
    latency = result.get("latency", {})
    if "loaded_rate_per_second" in latency:
        lines.append(
            f"50 % load = {latency['loaded_rate_per_second']:.1f} invoices/s created through "
            "the API (half the one-worker aggregate)."
        )
    lines.append(
        f"Sizes: per-issuer backlog {sizes['per_issuer_invoices']}; aggregate "
        f"{sizes['aggregate_issuers']} issuers × {sizes['aggregate_invoices_each']} invoices, "
        f"sandbox latency {sizes['latency_ms']} ms, {sizes['worker_concurrency']} issuers at once "
        f"per worker, {sizes['posters']} API clients; memory with {sizes['memory_issuers']} "
        f"issuers; API {sizes['api_requests']} requests by {sizes['api_clients']} clients; "
        f"SQLite (embedded worker) with {sizes['sqlite_issuers']} issuers."
    )
    return "\n".join(lines) + "\n"
