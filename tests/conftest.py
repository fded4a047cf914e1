"""Shared fixtures: a two-tenant world (A and B), each with a buyer, a supplier, an agreement and people;
a temporary folder per run for the files tests write; and `built_once`, for objects a whole module reads."""

import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from pytest_django import DjangoDbBlocker

from commonweal.accounts.models import User
from commonweal.delivery.models import Agreement, Commitment
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.selectors import Member, member_access

from . import factories

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass
class Tenant:
    buyer: Organisation
    supplier: Organisation
    manager: User
    supplier_user: User
    agreement: Agreement
    commitments: list[Commitment]

    def manager_member(self) -> Member:
        return member_access(user=self.manager, slug=self.buyer.slug)

    def supplier_member(self) -> Member:
        return member_access(user=self.supplier_user, slug=self.supplier.slug)


def make_tenant(label: str) -> Tenant:
    buyer = factories.OrganisationFactory.create(name=f"Council {label}", slug=f"council-{label.lower()}")
    supplier = factories.SupplierFactory.create(name=f"Supplier {label} Ltd", slug=f"supplier-{label.lower()}")
    manager = factories.member_user(buyer, Role.CONTRACT_MANAGER)
    supplier_user = factories.member_user(supplier, Role.SUPPLIER_CONTACT)
    agreement = factories.AgreementFactory.create(organisation=buyer, supplier=supplier, reference=f"{label}-001")
    commitments = [factories.CommitmentFactory.create(agreement=agreement) for _ in range(3)]
    return Tenant(buyer, supplier, manager, supplier_user, agreement, commitments)


@pytest.fixture
def tenant_a(db: None) -> Tenant:
    return make_tenant("A")


@pytest.fixture
def tenant_b(db: None) -> Tenant:
    return make_tenant("B")


@pytest.fixture(autouse=True)
def _cache_cleared() -> Iterator[None]:
    """Each test starts with an empty cache: rolled-back rows can come back with the same primary keys, and
    figures cached for one test's organisation must not be read by the next."""
    cache.clear()
    yield


TEST_SIGN_IN_DEVICE = "Signed in by the test suite"


@pytest.fixture(autouse=True, scope="session")
def _force_login_finishes_two_factor_sign_in() -> Iterator[None]:
    """`client.force_login(user)` stands for a finished sign-in, two-factor step included: the session is
    marked verified with a device the test suite gives the user (a recovery-code device with no codes, so
    it opens nothing else and does not count as an authenticator app on the lead's page). Production is
    unchanged: a session becomes verified only through the code pages (tests/test_two_factor.py signs in
    through them)."""
    original = Client.force_login

    def force_login(self: Client, user: User, backend: str | None = None) -> None:
        original(self, user, backend)
        device, _ = StaticDevice.objects.get_or_create(user=user, name=TEST_SIGN_IN_DEVICE)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        yield


@pytest.fixture(autouse=True, scope="session")
def _files_root() -> Iterator[Path]:
    """Evidence uploads (MEDIA_ROOT) and spend Parquet files (SPEND_DATA_DIR) go under a temporary folder
    of this run (of each xdist worker), removed at the end."""
    root = Path(tempfile.mkdtemp(prefix="commonweal-test-"))
    with override_settings(MEDIA_ROOT=root / "media", SPEND_DATA_DIR=root / "spend"):
        yield root
    shutil.rmtree(root, ignore_errors=True)


Built = TypeVar("Built")


def built_once(django_db_blocker: DjangoDbBlocker, build: Callable[[], Built]) -> Iterator[Built]:
    """For a module-scoped fixture: `build()` inside a transaction that stays open while the module's
    tests run and is rolled back after them. A test that asks for `db` too runs in a savepoint inside
    it, rolled back after the test, so each test sees exactly what `build()` made (give each its own
    copy of the objects, with copy.deepcopy, if it may change them in memory). Only for tests that need
    no transaction of their own (not `transaction=True`, not the live server).

    While it is open, the end of a request never closes the database connection (Django's
    `close_old_connections` on `request_finished` closes one left outside autocommit): closing it would end
    the transaction, and with it what `build()` made. The test client keeps the connection open, except when
    a test closes a streamed response itself; an in-memory SQLite connection is never closed, so only
    PostgreSQL would show it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(*sys.exc_info())
            raise
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close_if_unusable_or_obsolete = lambda: None  # type: ignore[method-assign]
    try:
        yield built
    finally:
        del connection.close_if_unusable_or_obsolete
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _random_order_note(config: pytest.Config) -> str | None:
    seed = getattr(config.option, "randomly_seed", None)
    if not config.pluginmanager.has_plugin("randomly") or not isinstance(seed, int):
        return None
    return (
        f"Tests run in random order, seed {seed}: repeat it with --randomly-seed={seed}, "
        "or keep the file order with -p no:randomly."
    )


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass leaves out the modules marked `database_independent`, which the SQLite pass runs:
    they never reach the suite's database, so a second run would prove nothing new. A marked test that asks
    for the database is an error, so the mark cannot hide one."""
    marked = [item for item in items if item.get_closest_marker("database_independent")]
    for item in marked:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("django_db"):
            raise pytest.UsageError(f"{item.nodeid} is marked database_independent but uses the database")
    if marked and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        config.hook.pytest_deselected(items=marked)
        items[:] = [item for item in items if not item.get_closest_marker("database_independent")]


def pytest_sessionstart(session: pytest.Session) -> None:
    note = _random_order_note(session.config)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if note and reporter is not None and not hasattr(session.config, "workerinput"):
        reporter.write_line(note)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    note = _random_order_note(config)
    if note and not hasattr(config, "workerinput"):
        terminalreporter.write_line(note)
