"""What each kind of notification is: its name for people, who gets it, and whether it may be turned off.

A pure module: no database. `commonweal/notifications/services.py` decides the recipients and writes;
the preferences page and docs/notifications.md read the labels from here.
"""

from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    RETURN_SUBMITTED = "return_submitted", "A delivery return is submitted"
    LINE_REJECTED = "line_rejected", "A line of your return is rejected"
    LINE_QUERIED = "line_queried", "A line of your return is queried"
    QUERY_ANSWERED = "query_answered", "A supplier answers a query or resubmits a line"
    RETURN_DUE = "return_due", "A delivery return is due in 7 days"
    RETURN_OVERDUE = "return_overdue", "A delivery return is overdue"
    SUBSTITUTION_PROPOSED = "substitution_proposed", "A supplier proposes a substitution"
    SUBSTITUTION_DECIDED = "substitution_decided", "Your proposed substitution is decided"
    CLARIFICATION_ANSWERED = "clarification_answered", "A clarification question is answered"
    TENDER_DEADLINE_PASSED = "tender_deadline_passed", "Tenders are ready to evaluate"
    AWARD_DECIDED = "award_decided", "An award is decided on a tender you submitted"
    SPEND_IMPORT_FINISHED = "spend_import_finished", "A spend file you uploaded is imported"
    SPEND_IMPORT_FAILED = "spend_import_failed", "A spend file you uploaded could not be imported"


class Delivery(models.TextChoices):
    """How a person wants a kind by email; every notification is in their list on the site as well."""

    IMMEDIATE = "immediate", "An email straight away"
    DIGEST = "digest", "One daily email with everything"
    OFF = "off", "No email, only the list on the site"


BUYER = "public_body"  # the organisation kinds whose people get a kind (tenancy.models.OrganisationKind)
SUPPLIER = "supplier"


@dataclass(frozen=True)
class KindRule:
    audience: str  # who gets it, for the preferences page and the docs
    mandatory: bool  # cannot be turned off (a daily digest is still allowed)
    side: str = BUYER  # the kind of organisation whose people get it


RULES: dict[str, KindRule] = {
    Kind.RETURN_SUBMITTED: KindRule("The agreement's contract manager", mandatory=False),
    Kind.LINE_REJECTED: KindRule("The supplier's contacts", mandatory=True, side=SUPPLIER),
    Kind.LINE_QUERIED: KindRule("The supplier's contacts", mandatory=True, side=SUPPLIER),
    Kind.QUERY_ANSWERED: KindRule("The agreement's contract manager", mandatory=False),
    Kind.RETURN_DUE: KindRule("The supplier's contacts", mandatory=False, side=SUPPLIER),
    Kind.RETURN_OVERDUE: KindRule("The supplier's contacts", mandatory=True, side=SUPPLIER),
    Kind.SUBSTITUTION_PROPOSED: KindRule("The agreement's contract manager", mandatory=False),
    Kind.SUBSTITUTION_DECIDED: KindRule("The supplier's contacts", mandatory=True, side=SUPPLIER),
    Kind.CLARIFICATION_ANSWERED: KindRule("The contacts of every supplier bidding", mandatory=True, side=SUPPLIER),
    Kind.TENDER_DEADLINE_PASSED: KindRule("The procurement's evaluators", mandatory=False),
    Kind.AWARD_DECIDED: KindRule(
        "The contacts of every supplier that tendered for the lot", mandatory=True, side=SUPPLIER
    ),
    Kind.SPEND_IMPORT_FINISHED: KindRule("The person who uploaded the file", mandatory=False),
    Kind.SPEND_IMPORT_FAILED: KindRule("The person who uploaded the file", mandatory=False),
}


def is_mandatory(kind: str) -> bool:
    return RULES[kind].mandatory


def choices_for(kind: str) -> list[tuple[str, str]]:
    """The delivery choices a person has for `kind`: a mandatory kind cannot be turned off."""
    return [(value, label) for value, label in Delivery.choices if not (is_mandatory(kind) and value == Delivery.OFF)]
