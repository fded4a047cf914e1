"""Pure rules for the supplier registry: cleaning numbers, clustering near-duplicate names, and the
rules that classify a supplier. No database here: services feed these functions and store the results.

Every threshold is named here with the reason for its value; docs/spend-suppliers.md explains them.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

# Two normalised names are clustered when they differ only trivially: after dropping a trailing legal
# form, the same words except one that differs by a plural "S" or by one typed character in a word of
# TYPO_MIN_LETTERS or more ("NURSEY"/"NURSERY"), or the same letters spaced differently
# ("HEALTH WATCH"/"HEALTHWATCH"); and their rapidfuzz `ratio` (0-100: twice the matching characters
# over the total length) is at least CLUSTER_RATIO_THRESHOLD. Whole-word differences are never trivial:
# "UNIVERSITY OF MANCHESTER" and "UNIVERSITY OF CHESTER" (ratio 93) stay apart, and so do "ST MARYS
# PRIMARY" and "ST MARKS PRIMARY" (one letter, but in a short word, where one letter makes another name).
CLUSTER_RATIO_THRESHOLD = 90.0
TYPO_MIN_LETTERS = 6
# Names are compared only with their neighbours in sorted order within a block of names sharing the
# first word (never all pairs): this many names either side. Trivial differences keep names close in
# sorted order.
CLUSTER_WINDOW = 8
# Legal-form words dropped from the end of a name before comparing, so "ACME" and "ACME LTD" match.
# CIC and the charity forms are kept: they say what kind of body it is (see VCSE_NAME_FORMS).
LEGAL_FORM_WORDS = frozenset({"LTD", "PLC", "LLP", "LP", "INC", "CO", "COMPANY"})

COMPANY_NUMBER = re.compile(r"^(?:[0-9]{8}|[A-Z]{2}[0-9]{6})$")
CHARITY_NUMBER = re.compile(r"^(?:[0-9]{6,8}(?:-[0-9]{1,2})?|SC0[0-9]{5}|NIC[0-9]{5,6}|NI[0-9]{6})$")
VAT_NUMBER = re.compile(r"^GB(?:[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})$")

# Name endings that state a voluntary, community or social enterprise legal form, matched on the end of
# the normalised name (after a trailing LTD): "ACME CIC", "THE ACME CHARITY". Only at the end, so that
# "CHARITY COMMISSION" or "CHARITY SHOP FITTERS LTD" are not taken for one. "TRUST" alone is not one:
# NHS trusts and investment trusts are not VCSEs.
VCSE_NAME_FORMS: dict[str, str] = {
    "CIC": "community interest company",
    "COMMUNITY INTEREST COMPANY": "community interest company",
    "CIO": "charitable incorporated organisation",
    "CHARITABLE INCORPORATED ORGANISATION": "charitable incorporated organisation",
    "CHARITY": "charity",
    "CHARITABLE TRUST": "charitable trust",
    "CHARITABLE COMPANY": "charitable company",
    "COMMUNITY BENEFIT SOCIETY": "community benefit society",
}


def company_number_clean(text: str | None) -> str:
    """A Companies House number as 8 characters ("1234567" → "01234567", "sc 123456" → "SC123456");
    "" when it is not the shape of one ("NA", "N/A", blank, a VAT number)."""
    value = re.sub(r"[\s.]", "", text or "").upper()
    if value.isdigit() and 1 <= len(value) < 8:
        value = value.zfill(8)
    return value if COMPANY_NUMBER.match(value) and value != "00000000" else ""


def charity_number_clean(text: str | None) -> str:
    """A registered charity number (England and Wales, Scotland SC…, Northern Ireland NIC…), or ""."""
    value = re.sub(r"\s", "", text or "").upper()
    return value if CHARITY_NUMBER.match(value) and value.strip("0-") else ""


def vat_number_clean(text: str | None) -> str:
    """A UK VAT registration number as "GB" and its digits ("GB 812 3112 85" → "GB812311285"), or ""."""
    value = re.sub(r"[\s.-]", "", text or "").upper()
    if value.isdigit():
        value = "GB" + value
    return value if VAT_NUMBER.match(value) else ""


def first_word(normalised: str) -> str:
    return normalised.split(" ", 1)[0] if normalised else ""


def core_name(normalised: str) -> str:
    """The normalised name without legal-form words at its end: "ACME SERVICES LTD" → "ACME SERVICES"."""
    words = normalised.split()
    while len(words) > 1 and words[-1] in LEGAL_FORM_WORDS:
        words.pop()
    return " ".join(words)


def _digits(text: str) -> str:
    return "".join(filter(str.isdigit, text))


@dataclass
class NameEntry:
    """One normalised name to cluster, with what the payments say about it."""

    key: str
    payments: int = 0
    companies_house_number: str = ""
    charity_number: str = ""
    # The supplier the name already belongs to, for names already in the registry.
    supplier_id: int | None = None


@dataclass
class Cluster:
    """Names that are one supplier: the `key` names it, the others are aliases with the reason."""

    key: str
    supplier_id: int | None
    aliases: dict[str, str] = field(default_factory=dict)  # alias key → how it was clustered


def _numbers_conflict(a: NameEntry, b: NameEntry) -> bool:
    return bool(
        (a.companies_house_number and b.companies_house_number and a.companies_house_number != b.companies_house_number)
        or (a.charity_number and b.charity_number and a.charity_number != b.charity_number)
    )


def _word_difference_trivial(a: str, b: str) -> bool:
    if a.rstrip("S") == b.rstrip("S") and abs(len(a) - len(b)) == 1:
        return True  # a plural
    return min(len(a), len(b)) >= TYPO_MIN_LETTERS and Levenshtein.distance(a, b) == 1


def match_reason(a: str, b: str) -> str | None:
    """Why two normalised names are one supplier's, or None when they are not (numbers aside)."""
    if a == b:
        return "same name"
    if first_word(a) != first_word(b) or _digits(a) != _digits(b):
        # Different first words are different blocks; different numbers in a name ("PHASE 1", "PHASE 2")
        # are different bodies however alike the rest is.
        return None
    core_a, core_b = core_name(a), core_name(b)
    if core_a == core_b:
        return "same name but for its legal form"
    if core_a.replace(" ", "") == core_b.replace(" ", ""):
        return "same name but for its spacing"
    words_a, words_b = core_a.split(), core_b.split()
    if len(words_a) != len(words_b):
        return None
    differing = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    if len(differing) != 1 or not _word_difference_trivial(*differing[0]):
        return None
    score = fuzz.ratio(core_a, core_b)
    if score < CLUSTER_RATIO_THRESHOLD:
        return None
    return f"similar name {int(score)}%"


def _closeness(reason: str) -> float:
    """How close a match `match_reason` gave is, for joining the closest pairs first."""
    exact = {"same name": 300.0, "same name but for its legal form": 200.0, "same name but for its spacing": 150.0}
    if reason in exact:
        return exact[reason]
    return float(reason.removeprefix("similar name ").rstrip("%"))


class _Groups:
    """Union-find over names, where a group may hold names of at most one existing supplier."""

    def __init__(self, entries: Sequence[NameEntry]) -> None:
        self.parent = list(range(len(entries)))
        self.supplier = [entry.supplier_id for entry in entries]
        self.entries = entries
        # The names in each group, for the number check (groups stay small).
        self.members: dict[int, list[int]] = {index: [index] for index in range(len(entries))}

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def union(self, a: int, b: int) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        supplier_a, supplier_b = self.supplier[root_a], self.supplier[root_b]
        if supplier_a is not None and supplier_b is not None and supplier_a != supplier_b:
            return False  # the registry's existing suppliers are never merged automatically
        if any(
            _numbers_conflict(self.entries[x], self.entries[y])
            for x in self.members[root_a]
            for y in self.members[root_b]
        ):
            return False
        if len(self.members[root_a]) < len(self.members[root_b]):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.members[root_a].extend(self.members.pop(root_b))
        self.supplier[root_a] = supplier_a if supplier_a is not None else supplier_b
        return True


def cluster_names(entries: Sequence[NameEntry]) -> list[Cluster]:
    """Group normalised names into suppliers: names in one block (same first word) within
    CLUSTER_WINDOW of each other in sorted order join when `match_reason` finds them trivially different
    and their Companies House and charity numbers do not conflict. The closest pairs join first (the
    same name but for its legal form before a similar name), so a name goes to its best match.
    Existing suppliers keep their names and are never merged with each other; a new name joining one
    becomes its alias.

    Runs in O(n · CLUSTER_WINDOW) comparisons, each in C (rapidfuzz).
    """
    order = sorted(range(len(entries)), key=lambda index: entries[index].key)
    candidates: list[tuple[float, int, int, str]] = []  # (closeness, earlier, later, why)
    block: list[int] = []
    block_word = None
    for index in order:
        word = first_word(entries[index].key)
        if word != block_word:
            block, block_word = [], word
        for other in block[-CLUSTER_WINDOW:]:
            if entries[other].supplier_id is not None and entries[index].supplier_id is not None:
                continue  # two names already in the registry: never merged automatically
            reason = match_reason(entries[other].key, entries[index].key)
            if reason is not None:
                candidates.append((_closeness(reason), other, index, reason))
        block.append(index)
    groups = _Groups(entries)
    reasons: dict[int, str] = {}  # index → why it joined its group
    for _closeness_value, other, index, reason in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if groups.union(other, index):
            reasons.setdefault(index, reason)
            reasons.setdefault(other, reason)

    by_root: dict[int, list[int]] = {}
    for index in range(len(entries)):
        by_root.setdefault(groups.find(index), []).append(index)
    clusters = []
    for root, members in by_root.items():
        supplier_id = groups.supplier[root]
        # The supplier's own name stays its name; a new supplier is named by its most-paid spelling.
        existing = [index for index in members if entries[index].supplier_id is not None]
        # max() keeps the first of equals: a tie goes to the spelling first in sorted order.
        by_key = sorted(members, key=lambda i: entries[i].key)
        named = existing[0] if existing else max(by_key, key=lambda i: entries[i].payments)
        cluster = Cluster(key=entries[named].key, supplier_id=supplier_id)
        for index in members:
            if index != named:
                cluster.aliases[entries[index].key] = reasons.get(index, "similar name")
        clusters.append(cluster)
    return clusters


def vcse_name_form(normalised: str) -> str | None:
    """The VCSE legal form a normalised name ends with ("community interest company"), or None."""
    words = normalised.split()
    while len(words) > 1 and words[-1] == "LTD":
        words.pop()
    name = " " + " ".join(words)
    for phrase, form in VCSE_NAME_FORMS.items():
        if name.endswith(" " + phrase):
            return form
    return None


def effective_value(labels: Iterable[tuple[bool, bool]]) -> bool | None:
    """The value a supplier's labels of one kind add up to, from (is_override, value) pairs: a manual
    override wins; otherwise any derived "yes" wins over derived "no" (a source saying yes has found
    evidence, one saying no may just lack it); no labels at all is unknown (None)."""
    derived: list[bool] = []
    for is_override, value in labels:
        if is_override:
            return value
        derived.append(value)
    if not derived:
        return None
    return any(derived)
