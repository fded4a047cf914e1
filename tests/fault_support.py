"""A throw-away database and data folder for tests that run `commonweal` in real processes and kill them:
SQLite (a file) or, when the suite runs on PostgreSQL, a database of its own, migrated once per module."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
COMMONWEAL = [str(Path(sys.executable).parent / "commonweal")]
PAUSE_TIMEOUT_SECONDS = 60


@dataclass
class FaultWorld:
    env: dict[str, str]
    spend_dir: Path
    tmp: Path

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMONWEAL, *args],
            cwd=ROOT,
            env={**self.env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def python(self, code: str) -> Any:
        """Run `code` in a Django process on this world's database; what it prints as JSON last."""
        ran = self.run("shell", "-c", code)
        assert ran.returncode == 0, ran.stderr[-3000:]
        return json.loads(ran.stdout.strip().splitlines()[-1])

    def kill_at(self, point: str, *args: str) -> None:
        """Start `commonweal ARGS`, wait until it reaches the pause point `point`, and kill -9 it."""
        marker = self.tmp / f"paused-{uuid.uuid4().hex}"
        errors = self.tmp / f"{marker.name}.stderr"
        with errors.open("w") as stderr:
            process = subprocess.Popen(
                [*COMMONWEAL, *args],
                cwd=ROOT,
                env={**self.env, "COMMONWEAL_PAUSE_AT": point, "COMMONWEAL_PAUSE_FILE": str(marker)},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + PAUSE_TIMEOUT_SECONDS
        while not marker.exists() or not marker.read_text():
            if process.poll() is not None:
                raise AssertionError(f"it ended before {point}: {errors.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"it never reached {point}")
            time.sleep(0.05)
        assert int(marker.read_text()) == process.pid
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL

    def leftovers(self) -> list[str]:
        """Every file under the spend data folder, relative to it."""
        return sorted(str(path.relative_to(self.spend_dir)) for path in self.spend_dir.rglob("*") if path.is_file())


def fault_world(tmp: Path) -> Iterator[FaultWorld]:
    """Make a fresh database's schema from the models (SQLite file, or a PostgreSQL database beside the
    suite's; see tests/settings_processes.py) and yield a world whose processes use it; the PostgreSQL
    database is dropped afterwards."""
    default = settings.DATABASES["default"]
    spend_dir = tmp / "spend"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_processes",
        "DEBUG": "0",
        "SPEND_DATA_DIR": str(spend_dir),
        "MEDIA_ROOT": str(tmp / "media"),
        "COMMONWEAL_VAR_DIR": str(tmp / "var"),
        "PYTHONPATH": str(ROOT),
    }
    for name in ("PYTEST_XDIST_WORKER", "COMMONWEAL_PAUSE_AT", "COMMONWEAL_PAUSE_FILE"):
        env.pop(name, None)
    dropped: str | None = None
    if default["ENGINE"] == "django.db.backends.postgresql":
        name = f"commonweal_faults_{uuid.uuid4().hex[:12]}"
        url = dj_database_url.parse(os.environ["DATABASE_URL"])
        admin = f"postgresql://{url['USER']}@{url['HOST']}:{url['PORT'] or 5432}/postgres"
        if url.get("PASSWORD"):
            admin = f"postgresql://{url['USER']}:{url['PASSWORD']}@{url['HOST']}:{url['PORT'] or 5432}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = admin.rsplit("/", 1)[0] + f"/{name}"
        dropped = name
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'faults.sqlite3'}"
    world = FaultWorld(env=env, spend_dir=spend_dir, tmp=tmp)
    migrated = world.run("migrate", "--noinput", "--run-syncdb")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    try:
        yield world
    finally:
        if dropped:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')
