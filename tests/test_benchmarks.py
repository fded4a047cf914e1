"""The spend benchmark runs end to end on a small generated file and prints its ratios, so it cannot rot."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import spend

from .conftest import SHARED_DATA

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parent.parent
TRAFFORD_ZIP = SHARED_DATA / "trafford-supplier-spend" / "trafford-supplier-spend-2025-26.zip"


@pytest.fixture(scope="module")
def trafford_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not TRAFFORD_ZIP.exists():
        pytest.skip(f"The Trafford FY2025-26 file is not at {TRAFFORD_ZIP}: the benchmark generates from it.")
    return spend.real_csv(tmp_path_factory.mktemp("benchmark-cache"))


def test_a_generated_file_has_the_real_header_and_line_endings_and_a_smaller_one_is_its_prefix(
    trafford_csv: Path,
) -> None:
    cache = trafford_csv.parent
    small = spend.generate(700, trafford_csv, cache)
    large = spend.generate(2_000, trafford_csv, cache)
    real_lines = trafford_csv.read_bytes().split(b"\r\n", 701)[:701]
    large_lines = large.read_bytes().split(b"\r\n")

    assert large_lines[0] == real_lines[0]  # the same header
    assert large_lines[-1] == b"" and len(large_lines) == 2_002  # header, 2,000 rows, CRLF after the last
    assert small.read_bytes() == b"\r\n".join(large_lines[:701]) + b"\r\n"
    real_rows = list(csv.DictReader(line.decode() for line in real_lines))
    rows = list(csv.DictReader([line.decode() for line in large_lines[:701]]))
    for real, made in zip(real_rows, rows, strict=True):
        # Everything but the transaction number and the amount is the published row.
        assert {k: v for k, v in made.items() if k not in {"TransactionNumber", "Amount"}} == {
            k: v for k, v in real.items() if k not in {"TransactionNumber", "Amount"}
        }
        assert made["TransactionNumber"] == "1" + real["TransactionNumber"].zfill(10)
        assert made["Amount"].startswith("-") == real["Amount"].startswith("-")
        assert 0.74 <= float(made["Amount"]) / float(real["Amount"]) <= 1.26


def test_the_benchmark_runs_every_contender_and_reports_ratios_and_query_times(
    trafford_csv: Path, tmp_path: Path
) -> None:
    record = tmp_path / "benchmark.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "spend.py"),
            "--rows",
            "2000",
            "--skip-real",
            "--cache-dir",
            str(trafford_csv.parent),
            "--work-dir",
            str(tmp_path / "runs"),
            "--json",
            str(record),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr

    table = completed.stdout
    assert "Generated 2,000" in table
    assert "Commonweal / DuckDB time" in table
    assert "pandas row by row / Commonweal time" in table
    assert "pandas vectorised / Commonweal time" in table
    assert "Dashboard queries over Generated 2,000" in table

    report = json.loads(record.read_text())
    (generated,) = report["files"]
    assert generated["rows"] == 2_000
    contenders = {c["contender"]: c for c in generated["contenders"]}
    assert set(contenders) == {"duckdb", "commonweal", "pandas-vectorised", "pandas-rowwise"}
    assert all(c["error"] is None and c["seconds"] > 0 and c["peak_mb"] > 0 for c in contenders.values())
    assert all(c["rows"] == 2_000 for c in contenders.values())
    imported = contenders["commonweal"]["details"]
    assert imported["status"] == "succeeded"
    assert imported["rows_imported"] + imported["rows_rejected"] + imported["rows_duplicate"] == 2_000
    # The same file, read independently: both pandas imports take every row and find the same total.
    for name in ("pandas-vectorised", "pandas-rowwise"):
        assert contenders[name]["details"]["imported"] == 2_000
        assert imported["total_amount"] == contenders[name]["details"]["total_amount"]
    assert contenders["pandas-rowwise"]["details"]["redacted"] == imported["rows_redacted"]

    ratios = {c["what"]: c for c in report["checks"]}
    assert ratios["Generated 2,000: Commonweal / DuckDB time"]["value"] == pytest.approx(
        contenders["commonweal"]["seconds"] / contenders["duckdb"]["seconds"], rel=0.01
    )
    assert "Generated 2,000: Commonweal peak memory (MB)" in ratios
    assert generated["queries"], "no dashboard query was timed"
    assert {q["name"] for q in generated["queries"]} >= {"spend_headline", "spend_shares", spend.PAGE}
    for query in generated["queries"]:
        assert "skipped" not in query, query
        assert len(query["runs_ms"]) == spend.QUERY_RUNS
        assert query["median_ms"] <= query["max_ms"]


def test_the_budget_benchmark_builds_both_councils_and_finds_the_same_queries_at_both_sizes(tmp_path: Path) -> None:
    record = tmp_path / "budget.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "budget.py"),
            "--agreements",
            "20",
            "--baseline",
            "2",
            "--repeat",
            "1",
            "--no-pdf",
            "--work-dir",
            str(tmp_path / "runs"),
            "--json",
            str(record),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    assert "budget_compute (shares=True), 2024/25 open" in completed.stdout

    report = json.loads(record.read_text())
    councils = {council["label"]: council for council in report["councils"]}
    # 10 commitments an agreement, each with a line on each of 10 quarterly returns.
    assert (councils["baseline"]["agreements"], councils["baseline"]["commitments"], councils["baseline"]["lines"]) == (
        2,
        20,
        200,
    )
    assert (councils["large"]["commitments"], councils["large"]["lines"]) == (200, 2_000)
    timings = {(t["what"], t["world"]): t for t in report["timings"]}
    for phase in ("2024/25 open", "2024/25 closed"):
        for what in ("budget_compute (shares=True)", "budget page (test client)"):
            small, large = timings[(f"{what}, {phase}", "baseline")], timings[(f"{what}, {phase}", "large")]
            assert small["queries"] == large["queries"] > 0
            assert len(large["runs"]) == 1 and large["best"] > 0
    # Closing last year saves working out its figures: fewer queries.
    assert (
        timings[("budget_compute (shares=True), 2024/25 closed", "large")]["queries"]
        < timings[("budget_compute (shares=True), 2024/25 open", "large")]["queries"]
    )
    checks = {check["what"]: check for check in report["checks"]}
    assert checks["budget_compute (shares=True), 2024/25 open: the same queries at every size"]["passed"] is True


def test_the_network_benchmark_times_spend_against_bare_duckdb_and_the_dashboard(tmp_path: Path) -> None:
    """A tiny network (the full size, 50 members of a million payments, is never made in the suite)."""
    record = tmp_path / "networks.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "networks.py"),
            "--members",
            "3",
            "--rows",
            "500",
            "--commitments",
            "60",
            "--repeat",
            "1",
            "--work-dir",
            str(tmp_path / "runs"),
            "--json",
            str(record),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(record.read_text())
    assert report["world"]["commitments"] == 60 and report["world"]["lines"] == 240
    assert [timing["what"] for timing in report["timings"]] == [
        "network spend shares (Commonweal)",
        "bare DuckDB query, same files",
        "dashboard page, 60 commitments",
    ]
    assert all(len(timing["runs"]) == 1 and timing["best"] > 0 for timing in report["timings"])
    assert {check["what"] for check in report["checks"]} == {
        "network spend shares",
        "network spend over bare DuckDB",
        "dashboard page",
    }
    files = sorted((tmp_path / "runs" / "spend" / "generated").rglob("*.parquet"))
    assert len(files) == 3  # one a member, seeded: the same run again reuses them
