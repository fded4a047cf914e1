"""Every table on a page scrolls inside its own box, so no page scrolls sideways at 320 px (WCAG 1.4.10):
each `<table>` in a page template sits in a keyboard-focusable, named `app-table-scroll` region. The
browser tests check the pages they visit at 320 px too (`tests/browser/support.assert_accessible`); this
checks every template, visited or not. Print templates (PDFs) have no screen to scroll."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parent.parent / "commonweal"
# The region's opening tag, in either order of its attributes: named, focusable (so a keyboard can scroll it).
OPENING = re.compile(
    r'<div class="app-table-scroll"(?=[^>]*role="region")(?=[^>]*aria-label="[^"]+")(?=[^>]*tabindex="0")'
)


def page_templates() -> list[Path]:
    return [path for path in sorted(ROOT.rglob("templates/**/*.html")) if "print" not in path.name]


def test_every_table_in_a_page_template_scrolls_in_a_named_focusable_region() -> None:
    unwrapped = []
    tables = 0
    for path in page_templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            tables += 1
            before = text[max(0, match.start() - 400) : match.start()]
            opened = list(OPENING.finditer(before))
            if not opened or "</div>" in before[opened[-1].end() :]:
                unwrapped.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert tables > 100  # the check reads the templates it means to
    assert unwrapped == [], "tables outside an app-table-scroll region:\n" + "\n".join(unwrapped)
