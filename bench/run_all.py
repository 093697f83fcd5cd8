"""`make bench`: every benchmark in bench/, one after another on this machine, with what each
printed collected in bench/results.md under a description of the machine.

Each script measures its own ratios within one run (see its docstring); this file only runs
them and records the figures, so a reader sees them beside the cores, Python and PostgreSQL
they were taken on.

    .venv/bin/python bench/run_all.py [--only name,name]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "booking_throughput",
    "signups",
    "photos",
    "feeds_and_availability",
    "web_pages",
    "outbox",
    "webhooks",
    "memory",
    "mixed_load",
)


def machine() -> list[str]:
    """What the figures depend on: cores, Python, PostgreSQL, SQLite."""
    import sqlite3

    try:
        postgres = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        postgres = "not reachable"
    return [
        f"- date: {datetime.now(UTC).isoformat(timespec='minutes')}",
        f"- cores: {os.cpu_count()}; {platform.machine()}; "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {postgres}",
    ]


def _sections(path: Path) -> dict[str, str]:
    """The per-script sections of an earlier results.md, by script name."""
    if not path.exists():
        return {}
    found: dict[str, str] = {}
    for chunk in path.read_text(encoding="utf-8").split("\n## ")[1:]:
        name = chunk.split("\n", 1)[0].strip()
        found[name] = "## " + chunk.strip("\n")
    return found


def main() -> None:
    """Run the benchmarks and write bench/results.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(SCRIPTS))
    args = parser.parse_args()
    kept = _sections(HERE / "results.md")
    for name in args.only.split(","):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, str(HERE / f"{name}.py")],
            capture_output=True,
            text=True,
            cwd=HERE.parent,
        )
        output = done.stdout.strip() or done.stderr.strip()[-2000:]
        took = time.monotonic() - started
        print(f"## {name} ({took:.0f} s)\n{output}\n", flush=True)
        kept[name] = "\n".join(
            [f"## {name}", "", f"({took:.0f} s, exit {done.returncode})", "", "```", output, "```"]
        )
    # Scripts not run this time keep their last figures (with --only).
    body = [kept[name] for name in dict.fromkeys((*SCRIPTS, *kept)) if name in kept]
    text = "\n\n".join(["# Benchmark results\n\n" + "\n".join(machine()), *body]) + "\n"
    (HERE / "results.md").write_text(text, encoding="utf-8")
    print(f"written to {HERE / 'results.md'}")


if __name__ == "__main__":
    main()
