"""Pure rules of spend that both sides read: the writes check against them, the pages and forms show them.

Nothing here touches the database, so selectors, forms and views may import it without reaching the
write side (services).
"""

from dataclasses import dataclass

# --- Imports ---------------------------------------------------------------------------------------

DEFAULT_SOURCE = "Spend files"  # the source of an import when none is named

# --- Supplier labels: where each comes from (`SupplierLabel.source`) ----------------------------------

SOURCE_POSTCODE = "postcode"
SOURCE_CHARITY_NUMBER = "charity-number"
SOURCE_LEGAL_FORM = "legal-form"
SOURCE_LIVING_WAGE_LIST = "living-wage-list"
SOURCE_MANUAL = "manual"
# Recomputed by every classification; the flag sources (flags.SOURCE_*) and overrides are not.
DERIVED_SOURCES = (SOURCE_POSTCODE, SOURCE_CHARITY_NUMBER, SOURCE_LEGAL_FORM, SOURCE_LIVING_WAGE_LIST)

# --- The spend policy ------------------------------------------------------------------------------

# The fields the policy page offers a not-influenceable rule, with what people call them: payment columns
# the dashboard applies rules to (`analytics.RULE_FIELDS`), by the same names.
RULE_FIELDS: dict[str, str] = {
    "expense_type": "Expense type",
    "service_area": "Service area",
    "supplier_name": "Supplier name",
}


@dataclass(frozen=True)
class PolicyRule:
    """A not-influenceable rule as a person enters it: payments whose `field` contains the text."""

    field: str  # a key of RULE_FIELDS
    contains: str


# --- LM3 surveys -----------------------------------------------------------------------------------

LM3_TITLE_MAX = 200  # Lm3Survey.title
LM3_RESPONDENT_MAX = 300  # Lm3Response.respondent
LM3_UPLOAD_MAX_BYTES = 1024 * 1024
LM3_UPLOAD_COLUMNS = (
    "kind",
    "supplier",
    "respondent",
    "local_supplier_percent",
    "local_staff_percent",
    "local_respend_percent",
)
