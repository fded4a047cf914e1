"""Demo spend: two financial years of synthetic payments for the fictional Northfield Borough Council.

`data/demo-spend.csv` is made up (no real supplier's payments), shaped like a council's transparency
file: about 300 payments from April 2024 to March 2026 with local suppliers (Northfield stands in for
Trafford, E08000009, as in the demo priorities) and suppliers elsewhere, real postcodes so they can be
placed, a few without one, redacted payments spelled three ways, credits, and precept payments the
council cannot influence."""

from pathlib import Path

from commonweal.accounts.models import User
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member

from .models import ImportStatus, SpendPolicy
from .reading import file_sha256
from .rules import PolicyRule
from .services_imports import spend_import_file
from .services_suppliers import spend_policy_update

DEMO_SPEND_FILE = Path(__file__).parent / "data" / "demo-spend.csv"
DEMO_SOURCE = "Northfield payments over £0 (demo)"
DEMO_LOCAL_DISTRICTS = ["E08000009"]  # Northfield's stand-in, as in the demo priorities
DEMO_RULES = [PolicyRule(field="expense_type", contains="precept")]


def spend_demo_load(*, actor: User | None, organisation: Organisation) -> int:
    """Import the demo payments for `organisation`; the number of payments imported (0 if already there).

    The organisation's spend policy is set first (local districts and the precept rule) unless it has one.
    The demo loader acts as `Member.system(organisation)`, on behalf of `actor` (named in the audit log)."""
    member = Member.system(organisation)
    if not SpendPolicy.objects.filter(organisation=organisation).exists():
        spend_policy_update(actor=actor, member=member, local_district_codes=DEMO_LOCAL_DISTRICTS, rules=DEMO_RULES)
    sha256 = file_sha256(DEMO_SPEND_FILE)
    existing = organisation.spend_imports.filter(sha256=sha256).exclude(status=ImportStatus.FAILED).exists()
    if existing:
        return 0
    spend_import = spend_import_file(actor=actor, member=member, path=DEMO_SPEND_FILE, source_name=DEMO_SOURCE)
    return spend_import.rows_imported
