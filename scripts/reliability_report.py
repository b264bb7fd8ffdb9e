"""Run every fault and attack test and write docs/reliability.md from what they did.

    python scripts/reliability_report.py [PYTEST ARGS...]     (or: make reliability)

The tests marked @pytest.mark.reliability log one line each (area, attack, cases,
outcome) while they run; this script runs them, then turns the log into the table.
Nothing in the report is written by hand. Exits 1 if any of the tests failed.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "reliability.md"


def run_tests(log: Path, extra: list[str]) -> int:
    env = {**os.environ, "DIPLOKG_RELIABILITY_LOG": str(log)}
    command = [sys.executable, "-m", "pytest", "-m", "reliability", "-q", "-p", "no:cacheprovider", *extra]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def summarise(entries: list[dict]) -> list[dict]:
    """One row per (area, attack): cases summed over its tests, and the worst outcome."""
    rows: dict[tuple[str, str], dict] = {}
    for entry in entries:
        row = rows.setdefault((entry["area"], entry["attack"]),
                              {"area": entry["area"], "attack": entry["attack"], "cases": 0, "tests": set(),
                               "outcomes": set()})
        row["cases"] += entry["cases"]
        row["tests"].add(entry["test"].split("[")[0])
        row["outcomes"].add(entry["outcome"])
    for row in rows.values():
        outcomes = row.pop("outcomes")
        row["result"] = "FAILED" if "failed" in outcomes else "skipped" if outcomes == {"skipped"} else "passed"
    return sorted(rows.values(), key=lambda r: (r["area"], r["attack"].casefold()))


def render(rows: list[dict], exit_code: int) -> str:
    by_area: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_area[row["area"]].append(row)
    passed = sum(r["result"] == "passed" for r in rows)
    lines = [
        "# Reliability and security report",
        "",
        "Every fault and attack diplokg is tested against, how many cases each test tried,",
        "and the result. Generated from the test run by `make reliability`",
        "(`python scripts/reliability_report.py`); do not edit by hand.",
        "",
        f"- Run: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} on {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs",
        f"- {len(rows)} faults and attacks, {sum(r['cases'] for r in rows):,} cases; {passed} passed, "
        f"{sum(r['result'] == 'FAILED' for r in rows)} failed, {sum(r['result'] == 'skipped' for r in rows)} skipped"
        + ("" if exit_code == 0 else f" (pytest exit code {exit_code})"),
        "",
    ]
    for area, area_rows in sorted(by_area.items()):
        lines += [f"## {area}", "", "| fault or attack | cases | result | test |", "|---|---:|---|---|"]
        for row in area_rows:
            tests = "<br>".join(f"`{t}`" for t in sorted(row["tests"]))
            lines.append(f"| {row['attack']} | {row['cases']:,} | {row['result']} | {tests} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "reliability.jsonl"
        exit_code = run_tests(log, argv)
        entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    if not entries:
        print("no reliability test ran; nothing written", file=sys.stderr)
        return 1
    REPORT.write_text(render(summarise(entries), exit_code), encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}: {len(entries)} test results")
    return 0 if exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
