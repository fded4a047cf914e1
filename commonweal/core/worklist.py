"""The shape of a home page's to-do list: one `WorkItem` per kind of pending work, with a count, a link to
the exact place, and up to a few links to the exact things waiting.

Each domain app reads its own pending work in a `selectors_worklist.py` and returns items of this shape;
`commonweal/frontend/selectors_worklist.py` lists those readers, in order, and is where a new app adds its
own. A reader runs a fixed number of queries, whatever the amount of data: the counts are aggregates, and
the exact links are the first few rows of one query.
"""

from dataclasses import dataclass, field

# How many exact links an item lists under its count; the rest are one click away on its list page.
LINKS_SHOWN = 5


@dataclass(frozen=True)
class WorkLink:
    text: str
    url: str
    hint: str = ""


@dataclass(frozen=True)
class WorkItem:
    """One kind of pending work ("Returns waiting for review": 3), or, with `count` None, a thing the
    member can do today ("Post a need")."""

    key: str  # stable, for tests and anchors: "returns-to-review"
    title: str
    url: str
    count: int | None = None
    hint: str = ""
    links: list[WorkLink] = field(default_factory=list)

    @property
    def is_action(self) -> bool:
        return self.count is None

    @property
    def is_pending(self) -> bool:
        return bool(self.count)
