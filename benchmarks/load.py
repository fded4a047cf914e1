"""Load benchmark: gunicorn and a task worker on PostgreSQL over the `commonweal demo scale` dataset, driven by a
headless locust run (benchmarks/locustfile.py), with a bare Django "hello" page served the same way as the ceiling.

    .venv/bin/python benchmarks/load.py [--database-url URL] [--organisations 10] [--payments N]
                                        [--users 50] [--importers 5] [--duration 180] [--web-workers 3]
                                        [--json [PATH]] [--check]

It migrates the database, generates the dataset (`commonweal demo scale`, which adds only the bodies that are
missing), starts `gunicorn config.wsgi` (settings `benchmarks.settings_load`) and one `commonweal db_worker`
on loopback, runs locust with `--users` readers and `--importers` importers for `--duration` seconds, and
prints p50/p95/p99 per page and API call, errors, throughput and the machine's load average (sampled every
5 s through the run) beside the targets: p95 under 500 ms and p99 under 1.5 s for every page and API call,
no errors. `--check` exits with status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/commonweal_load"
TARGET_P95_MS = 500
TARGET_P99_MS = 1500
CEILING = "bare Django hello (ceiling)"
SIGN_INS = ("sign in", "sign in (supplier)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(args: argparse.Namespace, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings_load",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": args.database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "COMMONWEAL_VAR_DIR": str(work),
        "SPEND_DATA_DIR": str(work / "spend"),
        "MEDIA_ROOT": str(work / "media"),
        # One DuckDB thread a query: the web workers share two cores.
        "SPEND_DUCKDB_THREADS": "1",
    }


def prepare(args: argparse.Namespace, env: dict[str, str]) -> None:
    commonweal = str(BIN / "commonweal")
    subprocess.run([commonweal, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    command = [commonweal, "demo", "scale", "--organisations", str(args.organisations), "--seed", str(args.seed)]
    if args.payments is not None:
        command += ["--payments", str(args.payments)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def plan_write(args: argparse.Namespace, env: dict[str, str], path: Path) -> dict[str, int]:
    """The bodies, agreements and open periods the locust users work on (read from the database)."""
    script = f"""
import json, django
django.setup()
from commonweal.demo.selectors_scale import plan_for_load
print(json.dumps(plan_for_load(organisations={args.organisations})))
"""
    found = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    plan = json.loads(found.strip().splitlines()[-1])
    path.write_text(json.dumps(plan))
    return {"bodies": len(plan["bodies"]), "returns to submit": len(plan["returns"])}


def wait_up(url: str, processes: Sequence[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise RuntimeError("a server process ended while starting")
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


class LoadSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(5):
            self.samples.append(os.getloadavg()[0])


def stats_read(prefix: Path) -> list[dict[str, Any]]:
    rows = []
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            rows.append(
                {
                    "name": row["Name"],
                    "method": row["Type"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": float(row["50%"] or 0),
                    "p95_ms": float(row["95%"] or 0),
                    "p99_ms": float(row["99%"] or 0),
                    "rps": float(row["Requests/s"] or 0),
                }
            )
    return rows


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = environment(args, work)
    started = time.perf_counter()
    if not args.skip_generate:
        prepare(args, env)
    generate_seconds = time.perf_counter() - started
    plan_path = work / "load-plan.json"
    planned = plan_write(args, env, plan_path)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    logs = [(work / name).open("wb") for name in ("gunicorn.log", "worker.log")]
    servers = [
        subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.web_workers),
                "--no-control-socket",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs[0],
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(  # noqa: S603
            [str(BIN / "commonweal"), "db_worker", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=logs[1],
            stderr=subprocess.STDOUT,
        ),
    ]
    sampler = LoadSampler()
    try:
        wait_up(host + "/benchmark-hello/", servers)
        before = os.getloadavg()
        prefix = work / "locust"
        sampler.start()
        subprocess.run(  # noqa: S603
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users + args.importers),
                "--spawn-rate",
                "10",
                "--run-time",
                f"{args.duration}s",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                # The figures start once every user has started (signed in): sign-ins hash a password.
                "--reset-stats",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "LOAD_PLAN": str(plan_path), "LOAD_IMPORTERS": str(args.importers)},
            check=True,
        )
        sampler.stopped.set()
        after = os.getloadavg()
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        for log in logs:
            log.close()
    rows = stats_read(prefix)
    samples = sampler.samples or [after[0]]
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "dataset": {"organisations": args.organisations, "payments_per_body": args.payments, **planned},
        "generate_seconds": round(generate_seconds, 1),
        "users": args.users,
        "importers": args.importers,
        "duration_seconds": args.duration,
        "web_workers": args.web_workers,
        "load_average": {
            "before": round(before[0], 2),
            "during_mean": round(statistics.mean(samples), 2),
            "during_max": round(max(samples), 2),
            "after_1_5_15": [round(value, 2) for value in after],
        },
        "endpoints": rows,
    }


def checks(result: dict[str, Any]) -> list[tuple[str, bool]]:
    found = []
    for row in result["endpoints"]:
        if row["name"] in (CEILING, "Aggregated", *SIGN_INS):
            continue
        name = f"{row['method']} {row['name']}"
        found.append((f"{name}: p95 {row['p95_ms']:.0f} ms < {TARGET_P95_MS}", row["p95_ms"] < TARGET_P95_MS))
        found.append((f"{name}: p99 {row['p99_ms']:.0f} ms < {TARGET_P99_MS}", row["p99_ms"] < TARGET_P99_MS))
    total = next((row for row in result["endpoints"] if row["name"] == "Aggregated"), None)
    failures = total["failures"] if total else 0
    found.append((f"errors: {failures}", failures == 0))
    return found


def table(result: dict[str, Any]) -> str:
    lines = [
        f"Dataset: {result['dataset']}; {result['users']} readers + {result['importers']} importers for "
        f"{result['duration_seconds']} s; gunicorn {result['web_workers']} workers; {result['machine']['cpus']} CPUs",
        f"Load average: {result['load_average']['before']} before, mean {result['load_average']['during_mean']} "
        f"and max {result['load_average']['during_max']} during, {result['load_average']['after_1_5_15']} after",
        "",
        f"{'endpoint':<46} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>7}",
    ]
    for row in result["endpoints"]:
        lines.append(
            f"{(row['method'] + ' ' + row['name'])[:46]:<46} {row['requests']:>9} {row['failures']:>7} "
            f"{row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f} {row['p99_ms']:>8.0f} {row['rps']:>7.1f}"
        )
    lines.append("")
    lines.extend(f"{'PASS' if ok else 'MISS'}  {what}" for what, ok in checks(result))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--organisations", type=int, default=10)
    parser.add_argument("--payments", type=int, default=None, help="payments a body (default: the national share)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--importers", type=int, default=5)
    parser.add_argument("--duration", type=int, default=180)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--work", default=str(ROOT / "var" / "benchmarks" / "load"))
    parser.add_argument("--skip-generate", action="store_true", help="use the dataset already in the database")
    parser.add_argument("--json", nargs="?", const="-", default=None)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        parser.error("the load benchmark runs on PostgreSQL: give --database-url postgres://…")
    with tempfile.TemporaryDirectory():
        result = run(args)
    if args.json == "-":
        print(json.dumps(result, indent=2))
    else:
        print(table(result))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
    return 1 if args.check and not all(ok for _, ok in checks(result)) else 0


if __name__ == "__main__":
    sys.exit(main())
