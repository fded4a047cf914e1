"""The audit history reads in words: actions and fields as people say them, and a field that was empty
before and after is no change (never "(removed)")."""

import pytest
from django.template.loader import render_to_string

from commonweal.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.database_independent


def event(before: dict[str, object], after: dict[str, object]) -> AuditEvent:
    return AuditEvent(
        action=AuditAction.AGREEMENT_UPDATED,
        actor_label="Sam Lead",
        object_type="delivery.agreement",
        object_id="1",
        object_label="NBC-1 Highways",
        before=before,
        after=after,
    )


def test_actions_and_fields_read_as_words_and_empty_fields_are_no_change() -> None:
    changed = event(
        {"target_quantity": "4", "notes": "", "department": "Highways"},
        {"target_quantity": "6", "department": None},
    )
    assert changed.action_label == "Agreement updated"
    # notes: "" before and missing after is no change; department was set and is now gone: removed.
    assert changed.changes == [("Department", "Highways", None), ("Target quantity", "4", "6")]
    html = render_to_string("frontend/_audit_history.html", {"events": [changed]})
    assert "Agreement updated" in html and "agreement.updated" not in html
    assert "<strong>Target quantity</strong>: 4 → 6" in html
    assert "<strong>Department</strong>: Highways → (removed)" in html
    assert "Notes" not in html and "target_quantity" not in html
    assert 'aria-label="History"' in html  # no caption given: the region is still named
