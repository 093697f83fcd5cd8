"""`make fuzz`: schemathesis against gunicorn + PostgreSQL, every operation, as every caller.

Usage: python -m tests.fuzz.run [--max-examples N] [--sqlite]
Exits non-zero when any check fails for any caller.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.fuzz.harness import fuzz_target
from tests.gunicorn import BIN

CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "positive_data_acceptance",
        "negative_data_rejection",
    ]
)


def schemathesis(base: str, token: str | None, max_examples: int, report: str) -> int:
    """One schemathesis run as one caller; its exit code."""
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/api/v1/openapi.json",
        "--url",
        base,
        "--checks",
        CHECKS,
        "--max-examples",
        str(max_examples),
        "--phases",
        "examples,coverage,fuzzing",
        "--seed",
        "20261125",
        # One worker: schemathesis's own coverage phase is not safe with several.
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report",
        "ndjson",
        "--report-dir",
        report,
        "--no-color",
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    return subprocess.run(command, check=False).returncode


def main() -> int:
    """Fuzz as admin, host, person and anonymous; print a summary line per caller."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--sqlite", action="store_true", help="fuzz SQLite instead")
    args = parser.parse_args()
    from bench.common import postgres_database, sqlite_database

    results: dict[str, int] = {}
    database = sqlite_database() if args.sqlite else postgres_database()
    with database as url, fuzz_target(url) as target:
        for caller, token in target.tokens.items():
            with tempfile.TemporaryDirectory() as report:
                print(f"\n=== schemathesis as {caller} ===", flush=True)
                results[caller] = schemathesis(target.base, token, args.max_examples, report)
    print("\n" + json.dumps(results))
    failed = [caller for caller, code in results.items() if code != 0]
    print(f"fuzz: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
