"""``python -m bench [--quick] [--profile] [--latency-ms N]``: run, then write the result."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bench import report
from bench.config import sizes_for
from bench.runner import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy on the workers and API of one aggregate run"
    )
    parser.add_argument("--latency-ms", type=int, help="the sandbox's added latency per call")
    parser.add_argument("--runs", type=int, help="repetitions of each measurement")
    parser.add_argument("--aggregate-issuers", type=int, help="issuers of the aggregate runs")
    parser.add_argument(
        "--aggregate-invoices-each", type=int, help="invoices per issuer in an aggregate run"
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sizes = sizes_for(
        quick=arguments.quick,
        latency_ms=arguments.latency_ms,
        runs=arguments.runs,
        calls_runs=arguments.runs,
        aggregate_issuers=arguments.aggregate_issuers,
        aggregate_invoices_each=arguments.aggregate_invoices_each,
    )
    result = asyncio.run(run(sizes, profile=arguments.profile))
    print(f"wrote {report.write_json(result)} and {report.write_doc(result)}")
    print(report.table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
