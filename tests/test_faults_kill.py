"""Killed half way, nothing is stuck and nothing is lost: a spend import killed with kill -9 while reading
the file, writing its Parquet or updating the supplier registry, on the command line or in the task
worker, is put right by the next run, which imports the file once with the right total and leaves no
orphan file. Real processes, real signals; on SQLite and (with DATABASE_URL) PostgreSQL."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .fault_support import FaultWorld, fault_world

CSV = "Paid Date,Supplier Name,Amount,Trans No\n" + "".join(
    f"{day:02d}/04/2024,Supplier {day % 7} Ltd,{day * 100}.25,{day}\n" for day in range(1, 29)
)
TOTAL = f"{sum(day * 100 for day in range(1, 29)) + 28 * 0.25:.2f}"  # 40607.00
STATE = """
import json
from commonweal.spend.models import SpendImport
rows = SpendImport.objects.filter(organisation__slug={slug!r}).order_by("pk")
print(json.dumps([[r.status, r.rows_imported, str(r.total_amount), r.error, r.upload_path, r.attempts] for r in rows]))
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultWorld]:
    yield from fault_world(tmp_path_factory.mktemp("faults"))


def _organisation(world: FaultWorld, slug: str) -> None:
    world.python(
        "import json\nfrom tests.factories import OrganisationFactory\n"
        f"OrganisationFactory.create(slug={slug!r}, name={slug!r})\nprint(json.dumps(1))"
    )


def _state(world: FaultWorld, slug: str) -> list[list[object]]:
    return world.python(STATE.format(slug=slug))


@pytest.mark.parametrize("point", ["reading", "parquet", "registry"])
def test_a_cli_import_killed_half_way_is_recovered_by_the_next_run(world: FaultWorld, point: str) -> None:
    slug = f"cli-{point}"
    _organisation(world, slug)
    csv_path = world.tmp / f"{slug}.csv"
    csv_path.write_text(CSV)
    world.kill_at(point, "spend", "import", str(csv_path), "--organisation", slug)
    stuck = _state(world, slug)
    assert [row[0] for row in stuck] == ["running"]  # what a kill -9 leaves behind
    if point == "parquet":
        assert any(name.endswith("payments.parquet") for name in world.leftovers())

    again = world.run("spend", "import", str(csv_path), "--organisation", slug, "--json")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "stopped: failed" in again.stderr
    (result,) = json.loads(again.stdout)
    assert (result["status"], result["rows_imported"], result["total_amount"]) == ("imported", 28, TOTAL)
    (failed, succeeded) = _state(world, slug)
    assert failed[0] == "failed" and "the import stopped before it finished" in str(failed[3])
    assert succeeded[:3] == ["succeeded", 28, TOTAL]
    if point == "registry":  # once more (at one point, to stay quick): the same file adds nothing
        third = world.run("spend", "import", str(csv_path), "--organisation", slug, "--json")
        assert json.loads(third.stdout)[0]["status"] == "already imported"
        assert len(_state(world, slug)) == 2
    # No orphan: only the successful import's Parquet files remain of this organisation's imports.
    import_id = result["import_id"]
    mine = [name for name in world.leftovers() if not name.startswith("uploads/")]
    assert all(name.split("/")[1] != str(import_id - 1) for name in mine if name.count("/") >= 2)
    assert not [name for name in mine if "/work/" in name]


QUEUE = """
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from commonweal.spend import services_imports
from commonweal.tenancy.selectors import Member
from tests.factories import OrganisationFactory, UserFactory
organisation = OrganisationFactory.create(slug={slug!r}, name={slug!r})
user = UserFactory.create(email={slug!r} + "@example.org")
member = Member.system(organisation)
upload = SimpleUploadedFile("worker.csv", {csv!r}.encode())
spend_import, _ = services_imports.spend_upload_create(actor=user, member=member, upload=upload, source_name="AP")
services_imports.spend_import_mapping_confirm(
    actor=user, member=member, spend_import=spend_import, mapping=spend_import.column_mapping
)
print(json.dumps(spend_import.pk))
"""
TASKS = """
import json
from django_tasks_db.models import DBTaskResult
print(json.dumps(sorted([r.status, r.exception_class_path] for r in DBTaskResult.objects.all())))
"""
WORKER = ["db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1"]


@pytest.mark.parametrize("point", ["reading", "parquet", "registry"])
def test_a_task_worker_killed_half_way_is_recovered_when_a_worker_starts(world: FaultWorld, point: str) -> None:
    slug = f"worker-{point}"
    world.python(QUEUE.format(slug=slug, csv=CSV))
    world.kill_at(point, *WORKER)
    (stuck,) = _state(world, slug)
    assert stuck[0] == "running" and stuck[4]  # its upload waits still

    restarted = world.run(*WORKER, "--batch")
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    assert "lost its worker: queued again" in restarted.stdout
    (done,) = _state(world, slug)
    assert done[:3] == ["succeeded", 28, TOTAL]
    assert done[4] == "" and done[5] == 1  # the upload removed after the run; queued again once
    tasks = world.python(TASKS)
    assert ["FAILED", "commonweal.core.services_tasks.WorkerLost"] in tasks
    assert ["RUNNING", ""] not in [task[:2] for task in tasks]
    assert not [name for name in world.leftovers() if "/work/" in name or name.startswith("uploads/")]


def test_the_parquet_folder_of_an_import_no_one_owns_is_removed(world: FaultWorld) -> None:
    orphan = world.spend_dir / "999999" / "888888"
    orphan.mkdir(parents=True)
    (orphan / "payments.parquet").write_bytes(b"PAR1")
    ran = world.run(*WORKER, "--batch")
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "Removed 999999/888888: no import owns it." in ran.stdout
    assert not orphan.exists()


def test_a_path_outside_the_data_folder_is_never_touched(world: FaultWorld) -> None:
    outside = Path(world.tmp) / "not-spend" / "1" / "2"
    outside.mkdir(parents=True)
    world.run(*WORKER, "--batch")
    assert outside.exists()
