"""Spend dashboard, cold and warm, over one body's payments made by `commonweal demo scale` (10 million by default).

    .venv/bin/python benchmarks/dashboard.py [--rows 10000000] [--repeat 5] [--json [PATH]]

A throwaway in-memory database holds one generated public body whose one import has `--rows` payments (one
Parquet file, written by DuckDB from the seed). The page is fetched through Django's test client:

- **cold**: the first request of a new process (no compiled templates, no DuckDB connection, nothing cached
  in the process; the Parquet file itself may be in the operating system's cache, having just been written);
- **warm**: the median of `--repeat` requests after it in the same process.

Targets (the scale issue): cold under 1 s, warm under 300 ms. `--check` exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.budget import database_create, django_setup  # noqa: E402

TARGET_COLD_SECONDS = 1.0
TARGET_WARM_SECONDS = 0.3


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", nargs="?", const="-", default=None)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="commonweal-dashboard-") as folder:
        work = Path(folder)
        django_setup(None, work)
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice

        from commonweal.accounts.models import User
        from commonweal.demo.selectors_scale import body_slug
        from commonweal.demo.services_scale import scale_generate

        settings.SPEND_DATA_DIR = work / "spend"
        drop, database = database_create()
        try:
            started = time.perf_counter()
            scale_generate(organisations=1, agreements_per_body=2, payments_per_body=args.rows, seed=2026)
            generate_seconds = time.perf_counter() - started
            slug = body_slug(1)
            user = User.objects.get(email=f"lead@{slug}.example")
            client = Client()
            client.force_login(user)
            device, _ = StaticDevice.objects.get_or_create(user=user, name="Benchmark sign-in")
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            url = reverse("spend:dashboard", kwargs={"org": slug})
            timings = []
            for _ in range(args.repeat + 1):
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
        finally:
            drop()
    cold, warm = timings[0], statistics.median(timings[1:])
    result = {
        "rows": args.rows,
        "database": database,
        "generate_seconds": round(generate_seconds, 1),
        "cold_seconds": round(cold, 3),
        "warm_median_seconds": round(warm, 3),
        "warm_all_seconds": [round(value, 3) for value in timings[1:]],
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    checks = [
        (f"cold {cold * 1000:.0f} ms < {TARGET_COLD_SECONDS * 1000:.0f}", cold < TARGET_COLD_SECONDS),
        (f"warm {warm * 1000:.0f} ms < {TARGET_WARM_SECONDS * 1000:.0f}", warm < TARGET_WARM_SECONDS),
    ]
    if args.json == "-":
        print(json.dumps(result, indent=2))
    else:
        print(json.dumps(result, indent=2))
        for what, ok in checks:
            print(f"{'PASS' if ok else 'MISS'}  spend dashboard over {args.rows:,} payments: {what}")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
    return 1 if args.check and not all(ok for _, ok in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
