"""Two web processes (gunicorn) and two task workers (`commonweal db_worker`) on loopback, against one
PostgreSQL database and one object store (the S3 server of tests/s3_support.py): nothing a process keeps
to itself changes an answer.

- a spend file uploaded through web process A is imported by exactly one worker, and its dashboard read
  through web process B (signed in through A: the session is in the database) shows the file's total;
- the overdue-return reminders, queued twice and run by both workers at once, send each email once.

The processes see only committed data, so the test runs outside a wrapping transaction.
"""

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_tasks_db.models import DBTaskResult

from commonweal.delivery.models import ReminderKind, ReportingPeriod, ReturnReminder
from commonweal.delivery.tasks import overdue_reminders_send
from commonweal.spend.models import ImportStatus, SpendImport
from commonweal.tenancy.models import Role

from . import factories
from .conftest import SHARED_DATA
from .s3_support import ACCESS_KEY, REGION, SECRET_KEY, S3Server, s3_server  # noqa: F401 - the S3 server fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: several processes share one database (make test runs it in its PostgreSQL pass)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEVON_APRIL_2025 = SHARED_DATA / "devon-spend-over-500" / "DCCSpendingOver500_202504.csv"
# ../shared/data/README.md: Devon, April 2025, 237 payments, net total £2,845,421.21.
DEVON_APRIL_2025_TOTAL = "£2,845,421.21"
PASSWORD = "many-processes-password-1"
RECOVERY_CODE = "proc1234"
# Seven weeks after the returns were due (14 October 2026): overdue, and old enough to escalate too.
TODAY = date(2026, 11, 30)
# Longest waits (never sleeps): generous, as the whole suite may be running beside it on two cores.
WAIT_SECONDS = 60
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(what: str, check: Callable[[], bool], processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        ended = [process.args for process in processes if process.poll() is not None]
        assert not ended, f"a process ended while waiting for {what}: {ended}"
        assert time.monotonic() < deadline, f"waited {WAIT_SECONDS} s for {what}"
        time.sleep(0.2)


@dataclass
class Processes:
    web_a: str
    web_b: str
    workers: list[subprocess.Popen[bytes]]
    all: list[subprocess.Popen[bytes]]
    emails: Path


def _up(url: str) -> bool:
    try:
        return requests.get(url + "/account/sign-in/", timeout=10).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def processes(transactional_db: None, s3_server: S3Server) -> Iterator[Processes]:  # noqa: F811
    folder = Path(tempfile.mkdtemp(prefix="commonweal-processes-"))
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_many_processes",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": (
            f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
        # Files in the S3 server's bucket, as on several servers; the folders hold only working copies.
        "S3_BUCKET": s3_server.bucket,
        "S3_ENDPOINT_URL": s3_server.endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "MEDIA_ROOT": str(folder / "media"),
        "SPEND_DATA_DIR": str(folder / "spend"),
        "EMAIL_FILE_PATH": str(folder / "emails"),
        "COMMONWEAL_VAR_DIR": str(folder / "var"),
    }
    ports = [_free_port(), _free_port()]
    started: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        for name, port in zip(("a", "b"), ports, strict=True):
            log = (folder / f"web-{name}.log").open("wb")
            logs.append(log)
            started.append(
                subprocess.Popen(
                    [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        workers = []
        for name in ("1", "2"):
            log = (folder / f"worker-{name}.log").open("wb")
            logs.append(log)
            worker = subprocess.Popen(
                [str(BIN / "commonweal"), "db_worker", "--interval", "0.2", "--no-startup-delay"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            workers.append(worker)
            started.append(worker)
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            _wait_for(f"{url} to answer", partial(_up, url), started)
        yield Processes(urls[0], urls[1], workers, started, folder / "emails")
    finally:
        for process in started:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown; the worker's after its task
        for process in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
        for log_path in sorted(folder.glob("*.log")):
            text = log_path.read_text(errors="replace")
            if "Traceback" in text:
                print(f"--- {log_path.name}\n{text[-4000:]}")  # shown when the test fails
        shutil.rmtree(folder, ignore_errors=True)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, f"no form on {url}"
    return found.group(1)


def _sign_in(session: requests.Session, base: str, email_address: str) -> None:
    sign_in = base + "/account/sign-in/"
    token = _csrf(session, sign_in)
    answer = session.post(
        sign_in,
        data={"csrfmiddlewaretoken": token, "username": email_address, "password": PASSWORD},
        headers={"Referer": sign_in},
        timeout=10,
    )
    assert answer.url.startswith(base + "/account/two-factor/"), answer.url
    verify = answer.url
    token = _csrf(session, verify)
    answer = session.post(
        verify, data={"csrfmiddlewaretoken": token, "code": RECOVERY_CODE}, headers={"Referer": verify}, timeout=10
    )
    assert "/account/" not in answer.url, answer.url


class _FormFields(HTMLParser):
    """The values a browser would send for a page's form: its inputs and the selected option of each select."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") and found.get("type") not in ("checkbox", "radio", "submit"):
            self.values[str(found["name"])] = found.get("value") or ""
        elif tag == "select":
            self._select = found.get("name")
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _emails(folder: Path) -> Counter[tuple[str, str]]:
    """(recipient, subject) of every email the processes wrote, with how many times each went."""
    sent: Counter[tuple[str, str]] = Counter()
    for path in folder.glob("*.log") if folder.exists() else []:
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip(), policy=email.policy.default)
                for recipient in (message["To"] or "").split(","):
                    sent[(recipient.strip(), str(message["Subject"]))] += 1
    return sent


def test_an_import_runs_once_its_dashboard_reads_anywhere_and_reminders_go_once(
    processes: Processes,
    s3_server: S3Server,  # noqa: F811
) -> None:
    if not DEVON_APRIL_2025.exists():
        pytest.skip(f"{DEVON_APRIL_2025} is absent: the real spend files in ../shared/data/ are needed")
    buyer = factories.OrganisationFactory.create(name="Council P", slug="council-p")
    lead = factories.member_user(buyer, Role.SOCIAL_VALUE_LEAD)
    lead.set_password(PASSWORD)
    lead.save()
    device = StaticDevice.objects.create(user=lead, name="Recovery codes")
    StaticToken.objects.create(device=device, token=RECOVERY_CODE)
    supplier = factories.SupplierFactory.create(name="Supplier P Ltd", slug="supplier-p")
    contact = factories.member_user(supplier, Role.SUPPLIER_CONTACT)
    manager = factories.member_user(buyer, Role.CONTRACT_MANAGER)
    agreements = [
        factories.AgreementFactory.create(
            organisation=buyer, supplier=supplier, reference=f"P-{n}", contract_manager=manager
        )
        for n in range(3)
    ]
    for agreement in agreements:
        ReportingPeriod.objects.create(
            organisation=buyer,
            agreement=agreement,
            label="Jul–Sep 2026",
            start_date=date(2026, 7, 1),
            end_date=date(2026, 9, 30),
            return_due_date=date(2026, 10, 14),
        )

    # Signed in through A; the session works on B too (it is in the database).
    browser = requests.Session()
    _sign_in(browser, processes.web_a, lead.email)
    upload = f"{processes.web_a}/o/{buyer.slug}/spend/imports/upload/"
    token = _csrf(browser, upload)
    with DEVON_APRIL_2025.open("rb") as file:
        answer = browser.post(
            upload,
            data={"csrfmiddlewaretoken": token, "spend_source": "Devon payments over £500"},
            files={"spend_file": (DEVON_APRIL_2025.name, file, "text/csv")},
            headers={"Referer": upload},
            timeout=30,
        )
    assert answer.status_code == 200 and answer.url.endswith("/columns/"), (answer.status_code, answer.url)
    # A new source: the columns found are confirmed as proposed, as a person would.
    form = _FormFields()
    form.feed(answer.text)
    answer = browser.post(answer.url, data=form.values, headers={"Referer": answer.url}, timeout=30)
    assert answer.status_code == 200 and re.search(r"/spend/imports/\d+/$", answer.url), answer.url
    spend_import = SpendImport.objects.get(organisation=buyer)

    def finished() -> bool:
        spend_import.refresh_from_db()
        task_done = DBTaskResult.objects.filter(task_path__endswith="spend_import_task").finished().exists()
        return task_done and spend_import.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)

    _wait_for("the import", finished, processes.all)
    assert (spend_import.status, spend_import.rows_imported) == (ImportStatus.SUCCEEDED, 237)
    worker_pids = {str(worker.pid) for worker in processes.workers}
    assert spend_import.runner.rpartition(":")[2] in worker_pids
    (task,) = DBTaskResult.objects.filter(task_path__endswith="spend_import_task")
    assert (task.status, len(task.worker_ids)) == ("SUCCESSFUL", 1)

    dashboard = browser.get(f"{processes.web_b}/o/{buyer.slug}/spend/", timeout=30)
    assert dashboard.status_code == 200
    assert DEVON_APRIL_2025_TOTAL in dashboard.text
    # The import's Parquet files are in the bucket, where process B's dashboard read them.
    assert any(key.endswith(".parquet") for key in s3_server.keys("spend/")), s3_server.keys()

    # The overdue reminders queued twice: both workers run them at once.
    with override_settings(TASKS=DATABASE_TASKS):
        queued = [overdue_reminders_send.enqueue(today=TODAY.isoformat()) for _ in range(2)]

    def both_done() -> bool:
        return DBTaskResult.objects.filter(pk__in=[result.id for result in queued]).finished().count() == 2

    _wait_for("both reminder runs", both_done, processes.all)
    runs = DBTaskResult.objects.filter(pk__in=[result.id for result in queued])
    assert sorted(run.status for run in runs) == ["SUCCESSFUL", "SUCCESSFUL"]
    assert ReturnReminder.objects.filter(kind=ReminderKind.REMINDER).count() == 3
    assert ReturnReminder.objects.filter(kind=ReminderKind.ESCALATION).count() == 3
    sent = _emails(processes.emails)
    expected = {(lead.email, f"Your spend file is imported: {DEVON_APRIL_2025.name}")}
    expected |= {(contact.email, f"Delivery return overdue: P-{n}, Jul–Sep 2026") for n in range(3)} | {
        (manager.email, f"Escalation: Supplier P Ltd has not sent its delivery return for P-{n}") for n in range(3)
    }
    assert set(sent) == expected
    assert set(sent.values()) == {1}
