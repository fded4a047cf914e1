"""Framework files: reading and writing YAML, JSON, XLSX and CSV, importing them (atomic and idempotent),
the shipped templates, the `commonweal framework` command, the import and download pages, and the API."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditEvent
from commonweal.frameworks import interchange
from commonweal.frameworks.interchange import (
    DocumentError,
    FrameworkDocument,
    MeasureDocument,
    OutcomeDocument,
    Problem,
    ThemeDocument,
)
from commonweal.frameworks.models import (
    Framework,
    FrameworkShare,
    FrameworkVersion,
    Measure,
    Outcome,
    Theme,
    ValueSet,
    ValueSetEntry,
    VersionStatus,
)
from commonweal.frameworks.services_interchange import framework_import
from commonweal.tenancy.models import Organisation, Role
from commonweal.tenancy.selectors import Member

from . import factories
from .conftest import Tenant
from .factories import api_token

UNITS = "count, fte, weeks, hours, days, gbp, tco2e, percent"

# A small framework with one value set. The line numbers of this text are used by the tests below.
VALID_YAML = """\
code: local
title: Local framework
licence: Our own wording
source: Written by the council
themes:
  - code: JOBS
    title: Jobs
    outcomes:
      - code: JOBS.1
        title: Local people in work
        measures:
          - code: JOBS.1.1
            title: Local people employed
            unit: fte
            value_type: local_economic
          - code: JOBS.1.2
            title: Apprenticeship weeks
            unit: weeks
value_sets:
  - code: local-values
    title: Local values 2024
    source: Council research, 2024
    licence: Open Government Licence v3.0
    base_year: 2024
    valid_from: 2024-04-01
    entries:
      - measure_code: JOBS.1.2
        value_per_unit: "312.50"
        deadweight: 0.2
        duration_years: 2
"""

# Everything the format can carry, including text a spreadsheet would take for a formula, several
# lines, quotes and £, a theme with no outcomes, an outcome with no measures, and edge-case numbers.
RICH_YAML = """\
code: rich
title: "Rich framework: “quotes” and £"
description: |-
  Two lines,
  the second with a comma, and “quotes”.
licence: Open Government Licence v3.0
source: https://example.org/framework
themes:
  - code: ECON
    title: "=SUM(A1:A2) looks like a formula"
    description: "-starts with a minus"
    verification: third_party
    source_note: https://example.org/summary
    outcomes:
      - code: ECON.1
        title: Spend stays local
        verification: verified
        source_note: Page 4
        measures:
          - code: ECON.1.1
            title: Spend with local suppliers
            description: "+plus, @at and a\\ttab"
            unit: gbp
            counting_rule: Invoices paid, excluding VAT
            evidence_required: Spend report
            value_type: local_economic
            verification: unconfirmed
            source_note: Not checked
          - code: ECON.1.2
            title: Share of spend with SMEs
            unit: percent
      - code: ECON.2
        title: An outcome with no measures yet
  - code: EMPTY
    title: A theme with no outcomes yet
value_sets:
  - code: rich-values
    title: Rich values
    description: For testing
    source: Council research
    licence: Our own licence
    base_year: 2023
    valid_from: 2023-04-01
    valid_to: 2026-03-31
    entries:
      - measure_code: ECON.1.1
        value_per_unit: 9999999999.9999
        source: Table 2, row 3
        base_year: 2022
        deadweight: 0.0001
        attribution: "1"
        displacement: 0.5
        drop_off: 0.25
        duration_years: 5
      - measure_code: ECON.1.2
        value_per_unit: 0
  - code: second-set
    title: Second value set
    source: Elsewhere
    licence: Another licence
    base_year: 2024
    valid_from: 2024-04-01
    entries:
      - measure_code: ECON.1.2
        value_per_unit: "0.1"
"""


def parse(text: str, name: str = "framework.yaml") -> FrameworkDocument:
    return interchange.document_parse(text.encode(), name)


def problems(content: bytes | str, name: str) -> list[tuple[int | None, str]]:
    data = content.encode() if isinstance(content, str) else content
    with pytest.raises(DocumentError) as caught:
        interchange.document_parse(data, name)
    return [(problem.line, problem.reason) for problem in caught.value.problems]


def stored() -> dict[str, int]:
    models = [Framework, FrameworkVersion, Theme, Outcome, Measure, ValueSet, ValueSetEntry, AuditEvent]
    return {model.__name__: model._default_manager.count() for model in models}


def import_file(organisation: Organisation, content: bytes | str, name: str = "framework.yaml") -> FrameworkVersion:
    data = content.encode() if isinstance(content, str) else content
    return framework_import(
        actor=None, member=Member.system(organisation), document=interchange.document_parse(data, name)
    )


@pytest.fixture
def council(db: None) -> Organisation:
    return factories.OrganisationFactory.create(name="Northfield Borough Council", slug="northfield")


@pytest.fixture
def lead(council: Organisation) -> factories.User:
    return factories.member_user(council, Role.SOCIAL_VALUE_LEAD)


# --- Reading: every format, and exact round trips ----------------------------------------------------


def test_a_yaml_document_reads_into_themes_outcomes_measures_and_values_with_decimals():
    document = parse(VALID_YAML)
    assert (document.code, document.title, document.licence) == ("local", "Local framework", "Our own wording")
    assert [theme.code for theme in document.themes] == ["JOBS"]
    assert [(m.code, m.unit, m.value_type, m.verification) for m in document.measures] == [
        ("JOBS.1.1", "fte", "local_economic", "local"),
        ("JOBS.1.2", "weeks", "additional_social", "local"),
    ]
    (value_set,) = document.value_sets
    assert (value_set.base_year, value_set.valid_from, value_set.valid_to) == (2024, date(2024, 4, 1), None)
    (entry,) = value_set.entries
    # The entry takes its source and base year from its value set; numbers are Decimal, never float.
    assert entry == interchange.ValueEntryDocument(
        measure_code="JOBS.1.2",
        value_per_unit=Decimal("312.50"),
        source="Council research, 2024",
        base_year=2024,
        deadweight=Decimal("0.2"),
        duration_years=2,
    )
    assert isinstance(entry.deadweight, Decimal) and str(entry.deadweight) == "0.2"


def test_yaml_scalars_stay_as_written_so_no_becomes_a_code_not_false():
    document = parse(VALID_YAML.replace("code: JOBS\n", "code: NO\n"))
    assert document.themes[0].code == "NO"


@pytest.mark.parametrize("fmt", ["yaml", "json", "xlsx"])
def test_every_format_round_trips_a_document_with_its_value_sets_exactly(fmt: str):
    document = parse(RICH_YAML)
    exported = interchange.document_export(document, fmt)
    again = interchange.document_parse(exported, f"rich.{fmt}")
    assert again == document
    assert again.value_sets[0].entries[0].value_per_unit == Decimal("9999999999.9999")
    if fmt != "xlsx":  # an XLSX file carries its creation time, so only its content is compared
        assert interchange.document_export(again, fmt) == exported


def test_the_measures_csv_round_trips_the_framework_exactly():
    document = replace(parse(RICH_YAML), value_sets=())
    exported = interchange.document_export(document, "csv")
    again = interchange.document_parse(exported, "rich.csv")
    assert again == document
    assert interchange.document_export(again, "csv") == exported
    rows = list(csv.DictReader(io.StringIO(exported.decode())))
    # Text a spreadsheet would run as a formula is written with an apostrophe, and read back without.
    assert rows[0]["theme_title"] == "'=SUM(A1:A2) looks like a formula"
    assert again.themes[0].title == "=SUM(A1:A2) looks like a formula"
    # The framework's own columns are on the first row only; a theme with no outcomes has a row of its own.
    assert rows[0]["framework_code"] == "rich" and rows[1]["framework_code"] == ""
    assert [(row["theme_code"], row["outcome_code"], row["code"]) for row in rows] == [
        ("ECON", "ECON.1", "ECON.1.1"),
        ("ECON", "ECON.1", "ECON.1.2"),
        ("ECON", "ECON.2", ""),
        ("EMPTY", "", ""),
    ]


def test_the_xlsx_workbook_has_the_four_sheets_and_never_writes_a_formula():
    exported = interchange.document_export(parse(RICH_YAML), "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(exported))
    assert workbook.sheetnames == ["Framework", "Measures", "Value sets", "Values"]
    assert [row[0] for row in workbook["Framework"].iter_rows(values_only=True)] == [
        "code",
        "title",
        "description",
        "licence",
        "source",
    ]
    measures = workbook["Measures"]
    assert measures["B2"].value == "=SUM(A1:A2) looks like a formula"
    assert measures["B2"].data_type == "s"
    values = list(workbook["Values"].iter_rows(values_only=True))
    assert values[0][:3] == ("value_set_code", "measure_code", "value_per_unit")
    assert values[1][:3] == ("rich-values", "ECON.1.1", 9999999999.9999)  # a number cell, for sums in Excel


def test_the_values_csv_has_one_row_per_value_with_its_value_set():
    rows = list(csv.DictReader(io.StringIO(interchange.values_csv(parse(RICH_YAML)).decode())))
    assert [(row["value_set_code"], row["measure_code"], row["value_per_unit"]) for row in rows] == [
        ("rich-values", "ECON.1.1", "9999999999.9999"),
        ("rich-values", "ECON.1.2", "0"),
        ("second-set", "ECON.1.2", "0.1"),
    ]
    assert rows[0]["deadweight"] == "0.0001" and rows[0]["value_set_valid_to"] == "2026-03-31"
    assert problems(interchange.values_csv(parse(RICH_YAML)), "values.csv") == [
        (1, "this is a CSV of values: import value sets with their framework in a YAML, JSON or XLSX file")
    ]


def test_a_version_exported_in_each_format_imports_into_another_organisation_unchanged(council, tmp_path):
    version = import_file(council, RICH_YAML)
    other = factories.OrganisationFactory.create()
    expected = interchange.version_document(version)
    for fmt in interchange.FORMATS:
        exported = interchange.version_export(version, fmt)
        document = interchange.document_parse(exported, f"rich.{fmt}")
        assert document == (replace(expected, value_sets=()) if fmt == "csv" else expected), fmt
    copy = import_file(other, interchange.version_export(version, "yaml"), "rich.yaml")
    assert interchange.version_document(copy) == expected
    assert interchange.version_export(copy, "yaml") == interchange.version_export(version, "yaml")
    entry = ValueSetEntry.objects.get(organisation=other, value_set__code="rich-values", measure_code="ECON.1.1")
    assert (entry.value_per_unit, entry.deadweight, entry.attribution) == (
        Decimal("9999999999.9999"),
        Decimal("0.0001"),
        Decimal("1"),
    )


def test_a_version_exports_only_the_value_sets_whose_values_are_all_for_its_measures(council):
    version = import_file(council, VALID_YAML)
    other_framework = factories.ValueSetFactory.create(organisation=council, code="other-framework")
    factories.ValueSetEntryFactory.create(value_set=other_framework, measure_code="ELSEWHERE.1")
    mixed = factories.ValueSetFactory.create(organisation=council, code="mixed")
    factories.ValueSetEntryFactory.create(value_set=mixed, measure_code="JOBS.1.1")
    factories.ValueSetEntryFactory.create(value_set=mixed, measure_code="ELSEWHERE.2")
    assert [value_set.code for value_set in interchange.version_document(version).value_sets] == ["local-values"]
    assert interchange.version_document(version, include_value_sets=False).value_sets == ()


# --- Refusing a bad file: every problem, with its line, and nothing stored ----------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "            unit: weeks\n",
            "            unit: furlongs\n",
            [(18, f"measure JOBS.1.2: unit “furlongs” is not one of {UNITS}")],
        ),
        (
            "          - code: JOBS.1.2\n",
            "          - code: JOBS.1.1\n",
            [
                (16, "measure code “JOBS.1.1” is used twice (first at line 12)"),
                (27, "value set local-values: measure_code “JOBS.1.2” is not a measure of this framework"),
            ],
        ),
        ("    title: Jobs\n", '    title: ""\n', [(7, "theme 1: “title” is missing")]),
        ("            title: Apprenticeship weeks\n", "", [(16, "measure JOBS.1.2: “title” is missing")]),
        (
            "      - measure_code: JOBS.1.2\n",
            "      - measure_code: JOBS.9.9\n",
            [(27, "value set local-values: measure_code “JOBS.9.9” is not a measure of this framework")],
        ),
        (
            "        deadweight: 0.2\n",
            "        deadweight: 1.2\n",
            [
                (
                    29,
                    "value set local-values: value for JOBS.1.2: deadweight “1.2” must be a fraction from 0 to 1, "
                    "like 0.25 for 25%",
                )
            ],
        ),
        (
            '        value_per_unit: "312.50"\n',
            "        value_per_unit: £312.50\n",
            [(28, "value set local-values: value for JOBS.1.2: value_per_unit “£312.50” is not a number")],
        ),
        (
            '        value_per_unit: "312.50"\n',
            "        value_per_unit: 312.12345\n",
            [
                (
                    28,
                    "value set local-values: value for JOBS.1.2: value_per_unit “312.12345” has more than 4 "
                    "decimal places",
                )
            ],
        ),
        (
            "    valid_from: 2024-04-01\n",
            "    valid_from: 2024-04-31\n",
            [(25, "value set local-values: valid_from “2024-04-31” is not a date: write it as 2025-04-01")],
        ),
        (
            "    base_year: 2024\n",
            "    base_year: twenty\n",
            [(24, "value set local-values: base_year “twenty” is not a whole number")],
        ),
        (
            "    title: Jobs\n",
            "    title: Jobs\n    colour: red\n",
            [
                (
                    8,
                    "theme 1: unknown key “colour” (allowed: code, title, description, verification, "
                    "source_note, outcomes)",
                )
            ],
        ),
        (
            "            value_type: local_economic\n",
            "            value_type: local_economic\n            verification: checked\n",
            [(16, "measure JOBS.1.1: verification “checked” is not one of verified, third_party, unconfirmed, local")],
        ),
        (
            "title: Local framework\n",
            "title: Local framework\ntitle: Again\n",
            [(3, "the key “title” is given twice (first on line 2)")],
        ),
        (
            "        title: Local people in work\n",
            "        title: [unclosed\n",
            [
                (
                    11,
                    "the YAML is not valid: while parsing a flow sequence (from line 10), expected ',' or ']', "
                    "but got ':'",
                )
            ],
        ),
    ],
)
def test_a_malformed_yaml_file_is_refused_with_each_line_and_reason_and_stores_nothing(council, old, new, expected):
    assert VALID_YAML.count(old) == 1
    bad = VALID_YAML.replace(old, new)
    before = stored()
    assert problems(bad, "local.yaml") == expected
    with pytest.raises(DocumentError):
        import_file(council, bad)
    assert stored() == before


def test_every_problem_is_reported_at_once_in_line_order():
    bad = VALID_YAML.replace("unit: weeks", "unit: furlongs").replace("deadweight: 0.2", "deadweight: -1")
    bad = bad.replace("code: local\n", "code: local framework\n")
    assert problems(bad, "local.yaml") == [
        (1, "code “local framework” may contain only letters, numbers, hyphens and underscores"),
        (18, f"measure JOBS.1.2: unit “furlongs” is not one of {UNITS}"),
        (
            29,
            "value set local-values: value for JOBS.1.2: deadweight “-1” must be a fraction from 0 to 1, like 0.25 "
            "for 25%",
        ),
    ]
    with pytest.raises(DocumentError) as caught:
        parse(bad)
    assert caught.value.message.startswith("The file has 3 problems: line 1: code “local framework”")
    assert caught.value.field_errors == {"file": "The file has 3 problems. Correct them and upload the file again"}


def test_yaml_aliases_are_refused_so_a_small_file_cannot_expand():
    text = VALID_YAML.replace("    title: Jobs\n", "    title: &jobs Jobs\n").replace(
        "        title: Local people in work\n", "        title: *jobs\n"
    )
    assert problems(text, "local.yaml") == [(10, "aliases (*name) are not allowed: write the value out")]


def test_a_malformed_json_file_names_the_line_of_the_item_or_of_the_syntax_error():
    exported = interchange.document_export(parse(VALID_YAML), "json").decode()
    lines = exported.splitlines()
    item_line = next(n for n, line in enumerate(lines, start=1) if '"code": "JOBS.1.2"' in line) - 1
    assert lines[item_line - 1].strip() == "{"
    assert problems(exported.replace('"unit": "weeks"', '"unit": "furlongs"'), "local.json") == [
        (item_line, f"measure JOBS.1.2: unit “furlongs” is not one of {UNITS}")
    ]
    comma_line = next(n for n, line in enumerate(lines, start=1) if '"title": "Local framework",' in line)
    broken = exported.replace('"title": "Local framework",', '"title": "Local framework"')
    assert problems(broken, "local.json") == [
        (comma_line + 1, "the JSON is not valid: Expecting ',' delimiter (column 3)")
    ]
    # A number is read as Decimal, never float: 0.1 + 0.2 stays exact.
    exact = json.loads(exported)
    exact["value_sets"][0]["entries"][0]["value_per_unit"] = 0.3
    document = interchange.document_parse(json.dumps(exact).encode(), "local.json")
    assert document.value_sets[0].entries[0].value_per_unit == Decimal("0.3")


def test_a_malformed_xlsx_file_names_the_sheet_and_row():
    workbook = openpyxl.load_workbook(io.BytesIO(interchange.document_export(parse(VALID_YAML), "xlsx")))
    measures = workbook["Measures"]
    unit_column = [cell.value for cell in measures[1]].index("unit") + 1
    measures.cell(row=3, column=unit_column, value="furlongs")
    values = workbook["Values"]
    values.cell(row=2, column=[cell.value for cell in values[1]].index("deadweight") + 1, value=1.5)
    workbook["Framework"]["B1"] = ""
    workbook.create_sheet("Notes")
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(DocumentError) as caught:
        interchange.document_parse(out.getvalue(), "local.xlsx")
    assert [(p.sheet, p.line, p.reason) for p in caught.value.problems] == [
        ("Notes", None, "unknown sheet (allowed: Framework, Measures, Value sets, Values)")
    ]
    del workbook["Notes"]
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(DocumentError) as caught:
        interchange.document_parse(out.getvalue(), "local.xlsx")
    assert [str(problem) for problem in caught.value.problems] == [
        "sheet “Framework”, row 1: “code” is missing",
        f"sheet “Measures”, row 3: measure JOBS.1.2: unit “furlongs” is not one of {UNITS}",
        "sheet “Values”, row 2: value set local-values: value for JOBS.1.2: deadweight “1.5” must be a fraction "
        "from 0 to 1, like 0.25 for 25%",
    ]


def test_a_malformed_csv_file_names_the_line_even_after_a_value_spanning_lines():
    exported = interchange.document_export(replace(parse(VALID_YAML), description="One\ntwo"), "csv").decode()
    lines = exported.splitlines()
    assert lines[1].startswith('local,Local framework,"One') and lines[2].startswith('two"')
    bad = exported.replace(",weeks,", ",furlongs,")
    assert problems(bad, "local.csv") == [(4, f"measure JOBS.1.2: unit “furlongs” is not one of {UNITS}")]
    assert problems(exported.replace("framework_code,", "colour,"), "local.csv") == [
        (1, f"unknown column “colour” (allowed: {', '.join(interchange.CSV_MEASURE_COLUMNS)})"),
        (1, "the column “framework_code” is missing"),
    ]


def test_a_csv_saved_by_excel_in_windows_1252_is_read():
    exported = interchange.document_export(parse(VALID_YAML.replace("Jobs", "Jobs £")), "csv").decode()
    document = interchange.document_parse(exported.encode("cp1252"), "local.csv")
    assert document.themes[0].title == "Jobs £"


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (
            b"code: x",
            "framework.txt",
            "the file must be YAML (.yaml or .yml), JSON (.json), XLSX (.xlsx) or CSV (.csv)",
        ),
        (b"", "framework.yaml", "the file is empty"),
        (b"not a zip", "framework.xlsx", "the file is not an XLSX workbook that can be read: save it again as .xlsx"),
        (b"- just\n- a list\n", "framework.yaml", "the file must hold a mapping with code, title and themes"),
        (b"code: x\ntitle: X\n", "framework.yaml", "“themes” is missing"),
    ],
)
def test_files_that_are_not_frameworks_at_all_are_refused_with_a_reason(content, name, reason):
    assert [found for _, found in problems(content, name)] == [reason]


# --- Importing: idempotent, versioned, atomic and audited ------------------------------------------


def test_importing_creates_a_published_version_1_with_its_value_set_and_audits_it(council):
    version = import_file(council, VALID_YAML)
    assert (version.number, version.status, version.framework.code, version.source) == (
        1,
        VersionStatus.PUBLISHED,
        "local",
        "Written by the council",
    )
    assert version.framework.licence == "Our own wording"
    assert list(version.measures.order_by("position").values_list("code", "unit", "value_type")) == [
        ("JOBS.1.1", "fte", "local_economic"),
        ("JOBS.1.2", "weeks", "additional_social"),
    ]
    entry = ValueSetEntry.objects.get(value_set__organisation=council, value_set__code="local-values")
    assert (entry.measure_code, entry.value_per_unit, entry.deadweight, entry.duration_years) == (
        "JOBS.1.2",
        Decimal("312.5000"),
        Decimal("0.2000"),
        2,
    )
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "after")) == [
        (
            "framework.imported",
            {"framework": "local", "version": 1, "template": "", "themes": 1, "outcomes": 1, "measures": 2},
        ),
        ("value_set.imported", {"code": "local-values", "base_year": 2024, "values": 1}),
    ]


@pytest.mark.parametrize("fmt", interchange.FORMATS)
def test_importing_the_same_file_again_changes_nothing(council, fmt):
    version = import_file(council, VALID_YAML)
    exported = interchange.version_export(version, fmt)
    before = stored()
    assert import_file(council, exported, f"local.{fmt}") == version
    assert stored() == before


def test_a_changed_file_makes_version_2_and_leaves_version_1_as_it_was(council):
    first = import_file(council, VALID_YAML)
    changed = VALID_YAML.replace("title: Apprenticeship weeks", "title: Apprenticeship weeks completed")
    second = import_file(council, changed)
    assert (second.number, second.status, second.framework_id) == (2, VersionStatus.PUBLISHED, first.framework_id)
    assert first.measures.get(code="JOBS.1.2").title == "Apprenticeship weeks"
    assert second.measures.get(code="JOBS.1.2").title == "Apprenticeship weeks completed"
    assert ValueSet.objects.filter(organisation=council).count() == 1  # the same value set, kept once
    assert import_file(council, changed) == second


def test_a_new_framework_title_in_the_file_renames_the_framework_and_is_audited(council):
    version = import_file(council, VALID_YAML)
    again = import_file(council, VALID_YAML.replace("title: Local framework", "title: Our framework"))
    assert again == version
    version.framework.refresh_from_db()
    assert version.framework.title == "Our framework"
    event = AuditEvent.objects.get(action="framework.updated")
    assert (event.before, event.after) == ({"title": "Local framework"}, {"title": "Our framework"})


def test_a_value_set_code_already_used_with_other_values_is_refused_and_nothing_is_stored(council):
    import_file(council, VALID_YAML)
    changed = VALID_YAML.replace('"312.50"', '"400"').replace("title: Jobs", "title: Jobs and skills")
    before = stored()
    with pytest.raises(DocumentError) as caught:
        import_file(council, changed)
    assert [(problem.line, problem.reason) for problem in caught.value.problems] == [
        (
            20,
            "value set local-values: Northfield Borough Council already has a value set with this code and "
            "different details or values: give this one a new code",
        )
    ]
    assert stored() == before


def test_a_framework_with_a_draft_refuses_a_changed_import(council):
    version = import_file(council, VALID_YAML)
    FrameworkVersion.objects.create(
        organisation=council, framework=version.framework, number=2, status=VersionStatus.DRAFT
    )
    before = stored()
    with pytest.raises(ApplicationError, match=r"has a draft \(version 2\): publish or delete the draft"):
        import_file(council, VALID_YAML.replace("unit: weeks", "unit: days"))
    assert stored() == before
    assert import_file(council, VALID_YAML) == version  # an unchanged file still matches version 1


def test_the_code_and_title_given_replace_those_in_the_file(council):
    document = parse(VALID_YAML)
    version = framework_import(actor=None, member=Member.system(council), document=document, code="ours", title="Ours")
    assert (version.framework.code, version.framework.title) == ("ours", "Ours")
    with pytest.raises(ApplicationError) as caught:
        framework_import(actor=None, member=Member.system(council), document=document, code="not a slug")
    assert caught.value.field_errors == {
        "code": "Code must be 60 characters or fewer, using only letters, numbers, hyphens and underscores"
    }


def test_the_same_code_in_two_organisations_makes_two_frameworks(council):
    import_file(council, VALID_YAML)
    other = factories.OrganisationFactory.create()
    version = import_file(other, VALID_YAML)
    assert version.number == 1
    assert Framework.objects.filter(code="local").count() == 2


# --- Templates ---------------------------------------------------------------------------------------


def test_the_shipped_templates_are_listed_with_their_licence_and_source():
    templates = {template.key: template for template in interchange.template_list()}
    assert sorted(templates) == ["community-wealth-building", "uk-svm-ppn002", "uk-svm-ppn0620"]
    assert templates["uk-svm-ppn0620"].title == "Social Value Model (PPN 06/20)"
    assert templates["uk-svm-ppn0620"].licence.startswith("Open Government Licence v3.0 (unconfirmed")
    assert "procurement-policy-note-0620" in templates["uk-svm-ppn0620"].source
    assert templates["uk-svm-ppn002"].licence.startswith("Open Government Licence v3.0 (unconfirmed")
    assert "003_ba5e154554e5d854.txt" in templates["community-wealth-building"].source
    assert "000_b77884faec396c94.txt" in templates["community-wealth-building"].source


@pytest.mark.parametrize("key", ["uk-svm-ppn0620", "uk-svm-ppn002", "community-wealth-building"])
def test_every_item_of_every_template_carries_a_verification_status_and_a_source(key):
    path = interchange.TEMPLATES_DIR / f"{key}.yaml"
    document = interchange.document_load(path)
    assert document.value_sets == ()  # structure only: no money values are shipped
    text = path.read_text(encoding="utf-8")
    assert "TOMs" not in text and "HACT" not in text
    statuses = re.findall(r"^ *(?:- )?verification: (\w+)$", text, flags=re.MULTILINE)
    assert len(statuses) == len(document.themes) + len(document.outcomes) + len(document.measures)
    items: list[ThemeDocument | OutcomeDocument | MeasureDocument] = [
        *document.themes,
        *document.outcomes,
        *document.measures,
    ]
    assert all(item.source_note for item in items if item.verification != "local")
    for fmt in interchange.FORMATS:  # the real templates survive every format
        exported = interchange.document_export(document, fmt)
        assert interchange.document_parse(exported, f"{key}.{fmt}") == document


def test_the_ppn_06_20_template_has_the_five_themes_and_eight_outcomes_with_honest_statuses():
    document = interchange.document_load(interchange.TEMPLATES_DIR / "uk-svm-ppn0620.yaml")
    assert [(theme.title, theme.verification) for theme in document.themes] == [
        ("COVID-19 recovery", "verified"),
        ("Tackling economic inequality", "verified"),
        ("Fighting climate change", "verified"),
        ("Equal opportunity", "verified"),
        ("Wellbeing", "verified"),
    ]
    assert [(outcome.title, outcome.verification) for outcome in document.outcomes] == [
        ("Help local communities to manage and recover from the impact of COVID-19", "verified"),
        ("Create new businesses, new jobs and new skills", "verified"),
        ("Increase supply chain resilience and capacity", "verified"),
        ("Effective stewardship of the environment", "unconfirmed"),
        ("Reduce the disability employment gap", "unconfirmed"),
        ("Tackle workforce inequality", "unconfirmed"),
        ("Improve health and wellbeing", "unconfirmed"),
        ("Improve community cohesion", "unconfirmed"),
    ]
    assert [measure.code for measure in document.measures] == [
        "MAC1.1",
        "MAC2.1",
        "MAC2.2",
        "MAC2.3",
        "MAC3.1",
        "MAC3.2",
        "MAC3.3",
        "MAC3.4",
        "MAC3.5",
        "MAC4.1",
        "MAC4.2",
        "MAC5.1",
        "MAC6.1",
        "MAC6.2",
        "MAC6.3",
        "MAC7.1",
        "MAC7.2",
        "MAC8.1",
    ]
    # Every award criterion's title is a paraphrase not yet checked against the model.
    assert {measure.verification for measure in document.measures} == {"unconfirmed"}
    assert all("standard reporting metric" in measure.counting_rule for measure in document.measures)
    assert all("gov.uk" in measure.source_note for measure in document.measures)


def test_the_ppn_002_template_has_the_five_missions_and_marks_every_gap():
    document = interchange.document_load(interchange.TEMPLATES_DIR / "uk-svm-ppn002.yaml")
    assert [theme.title for theme in document.themes] == [
        "Kickstart economic growth",
        "Make Britain a clean energy superpower",
        "Take back our streets",
        "Break down barriers to opportunity",
        "Build an NHS fit for the future",
    ]
    assert {theme.verification for theme in document.themes} == {"verified"}
    assert len(document.outcomes) == 8
    assert (document.outcomes[0].title, document.outcomes[0].verification) == ("Fair work", "third_party")
    assert [(m.code, m.title, m.verification) for m in document.measures[:4]] == [
        ("MAC1a", "Create and retain high-quality jobs", "third_party"),
        ("MAC1b", "Fair working conditions", "third_party"),
        ("MAC1c", "Fair pay practices", "third_party"),
        ("MAC1d", "In-work progression (new skills)", "third_party"),
    ]
    assert document.measures[4].verification == "unconfirmed"
    placeholders = [outcome for outcome in document.outcomes if "to be confirmed" in outcome.title]
    assert [outcome.code for outcome in placeholders] == ["5", "6", "8"]
    assert {outcome.verification for outcome in placeholders} == {"unconfirmed"}


def test_the_community_wealth_building_template_keeps_local_economic_value_apart():
    document = interchange.document_load(interchange.TEMPLATES_DIR / "community-wealth-building.yaml")
    assert [theme.title for theme in document.themes] == [
        "Progressive procurement",
        "Fair employment and just labour markets",
        "Socially productive use of land and property",
        "Making financial power work for local places",
        "Plural ownership of the economy",
    ]
    assert all("003_ba5e154554e5d854.txt" in theme.source_note for theme in document.themes)
    measures = {measure.code: measure for measure in document.measures}
    assert {code for code, measure in measures.items() if measure.value_type == "local_economic"} == {
        "PROC.1.1",
        "PROC.1.2",
        "EMPL.1.1",
        "FIN.1.1",
    }
    assert (measures["PROC.1.1"].title, measures["PROC.1.1"].unit) == ("Share of spend with local suppliers", "percent")
    assert measures["PROC.2.1"].unit == measures["PROC.2.2"].unit == "percent"
    assert (measures["EMPL.2.1"].title, measures["EMPL.2.1"].unit) == ("Employees paid the Real Living Wage", "count")
    assert (measures["EMPL.1.3"].unit, measures["EMPL.1.1"].unit) == ("weeks", "fte")
    assert {measure.verification for measure in document.measures} == {"local"}


def test_a_template_imports_with_its_verification_statuses_and_remembers_the_template(council):
    path = interchange.TEMPLATES_DIR / "uk-svm-ppn0620.yaml"
    version = framework_import(
        actor=None, member=Member.system(council), document=interchange.document_load(path), template="uk-svm-ppn0620"
    )
    assert version.framework.template == "uk-svm-ppn0620"
    assert version.notes == "Made from the template “uk-svm-ppn0620”."
    assert version.themes.count() == 5 and version.outcomes.count() == 8 and version.measures.count() == 18
    assert version.outcomes.get(code="O2").verification == "verified"
    assert version.measures.get(code="MAC4.1").verification == "unconfirmed"


# --- The command line --------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("framework", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    """The message of the CommandError a failing command raises, and what it wrote to standard error."""
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("framework", *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def test_validate_prints_ok_with_the_counts(tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text(VALID_YAML, encoding="utf-8")
    out = run("validate", str(path))
    assert out == (
        "OK: local.yaml is “Local framework” (local): 1 themes, 1 outcomes, 2 measures, 1 value sets (1 values).\n"
    )


def test_validate_prints_every_problem_and_fails(tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text(VALID_YAML.replace("unit: weeks", "unit: furlongs").replace("0.2", "2"), encoding="utf-8")
    message, errors = run_failing("validate", str(path))
    assert message == "local.yaml has 2 problems."
    assert errors.splitlines() == [
        f"local.yaml: line 18: measure JOBS.1.2: unit “furlongs” is not one of {UNITS}",
        "local.yaml: line 29: value set local-values: value for JOBS.1.2: deadweight “2” must be a fraction from 0 "
        "to 1, like 0.25 for 25%",
    ]


def test_the_commonweal_script_exits_1_on_a_bad_file_and_0_on_a_good_one(tmp_path):
    bad, good = tmp_path / "bad.yaml", tmp_path / "good.yaml"
    bad.write_text(VALID_YAML.replace("unit: weeks", "unit: furlongs"), encoding="utf-8")
    good.write_text(VALID_YAML, encoding="utf-8")
    script = Path(sys.executable).parent / "commonweal"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    failed = subprocess.run([script, "framework", "validate", bad], capture_output=True, text=True, env=env)
    assert failed.returncode == 1
    assert "bad.yaml: line 18: measure JOBS.1.2: unit “furlongs”" in failed.stderr
    passed = subprocess.run([script, "framework", "validate", good], capture_output=True, text=True, env=env)
    assert (passed.returncode, passed.stdout.startswith("OK: good.yaml")) == (0, True)


def test_import_from_the_command_line_then_again_changes_nothing(council, tmp_path):
    path = tmp_path / "local.yaml"
    path.write_text(VALID_YAML, encoding="utf-8")
    out = run("import", str(path), "--organisation", "northfield", "--code", "ours")
    assert out == (
        "Imported “Local framework” (ours) as version 1 for Northfield Borough Council: 1 themes, 1 outcomes, "
        "2 measures, 1 value sets (1 values).\n"
    )
    before = stored()
    out = run("import", str(path), "--organisation", "northfield", "--code", "ours")
    assert out == "“Local framework” (ours) already matches version 1: the framework did not change.\n"
    assert stored() == before


def test_import_of_a_bad_file_from_the_command_line_stores_nothing(council, tmp_path):
    path = tmp_path / "local.csv"
    path.write_bytes(interchange.document_export(parse(VALID_YAML), "csv").replace(b",weeks,", b",furlongs,"))
    before = stored()
    message, errors = run_failing("import", str(path), "--organisation", "northfield")
    assert (message, errors) == (
        "local.csv has 1 problem.",
        f"local.csv: line 3: measure JOBS.1.2: unit “furlongs” is not one of {UNITS}\n",
    )
    assert stored() == before


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_export_writes_the_version_to_standard_output(council, fmt):
    version = import_file(council, VALID_YAML)
    out = run("export", "--organisation", "northfield", "--framework", "local", "--format", fmt)
    assert out.encode() == interchange.version_export(version, fmt)
    assert interchange.document_parse(out.encode(), f"local.{fmt}").code == "local"


def test_export_of_xlsx_needs_an_output_file(council, tmp_path):
    version = import_file(council, VALID_YAML)
    message, _ = run_failing("export", "--organisation", "northfield", "--framework", "local", "--format", "xlsx")
    assert message == "An XLSX file is binary: give --output PATH, or redirect standard output to a file."
    path = tmp_path / "local.xlsx"
    out = run(
        "export", "--organisation", "northfield", "--framework", "local", "--format", "xlsx", "--output", str(path)
    )
    assert out.startswith(f"Wrote Local framework, version 1 to {path} (")
    assert interchange.document_load(path) == interchange.version_document(version)


def test_export_of_values_csv_and_of_an_older_version(council):
    import_file(council, VALID_YAML)
    import_file(council, VALID_YAML.replace("title: Apprenticeship weeks", "title: Apprentice weeks"))
    out = run("export", "--organisation", "northfield", "--framework", "local", "--format", "values-csv")
    assert [row["value_per_unit"] for row in csv.DictReader(io.StringIO(out))] == ["312.5"]
    out = run("export", "--organisation", "northfield", "--framework", "local", "--format", "yaml", "--version", "1")
    assert "title: Apprenticeship weeks\n" in out and out.startswith("# Local framework, version 1 (published)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "nowhere", "--framework", "local"], "No organisation has the short name “nowhere”."),
        (
            ["--organisation", "northfield", "--framework", "toms"],
            "Northfield Borough Council has no framework with the code “toms”.",
        ),
        (
            ["--organisation", "northfield", "--framework", "local", "--version", "7"],
            "The framework “local” has no version 7.",
        ),
    ],
)
def test_export_of_something_that_does_not_exist_is_a_clear_error(council, args, message):
    import_file(council, VALID_YAML)
    assert run_failing("export", *args, "--format", "yaml")[0] == message


def test_the_templates_command_lists_the_shipped_templates():
    out = run("templates")
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "community-wealth-building",
        "uk-svm-ppn002",
        "uk-svm-ppn0620",
    ]


# --- The pages ---------------------------------------------------------------------------------------


def import_url(organisation: Organisation) -> str:
    return reverse("frameworks:framework-import", kwargs={"org": organisation.slug})


def upload(name: str, content: bytes | str) -> object:
    return factories.evidence_file(name, content.encode() if isinstance(content, str) else content)


def test_a_file_with_problems_shows_the_error_summary_and_a_table_of_lines_and_nothing_is_stored(client, council, lead):
    client.force_login(lead)
    before = stored()
    bad = VALID_YAML.replace("unit: weeks", "unit: furlongs").replace("deadweight: 0.2", "deadweight: lots")
    response = client.post(import_url(council), {"file": upload("local.yaml", bad)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error: Import a framework" in page
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_file">The file has 2 problems. Correct them and upload the file again</a>' in page
    assert "Line 18</td>" in page
    assert f"Measure JOBS.1.2: unit “furlongs” is not one of {UNITS}</td>" in page
    assert "Line 29</td>" in page
    assert "Value set local-values: value for JOBS.1.2: deadweight “lots” is not a number</td>" in page
    assert stored() == before


def test_a_file_of_the_wrong_type_is_refused_by_the_form(client, council, lead):
    client.force_login(lead)
    response = client.post(import_url(council), {"file": upload("local.pdf", b"%PDF-1.4")})
    assert "The selected file must be a CSV, JSON, XLSX, YAML or YML" in response.content.decode()
    response = client.post(import_url(council), {"file": upload("local.xlsx", b"code: not a workbook")})
    assert "The selected file’s contents do not match its type (.xlsx)" in response.content.decode()


def test_a_good_file_is_imported_and_the_lead_lands_on_the_framework_with_a_banner(client, council, lead):
    client.force_login(lead)
    xlsx = interchange.document_export(parse(VALID_YAML), "xlsx")
    response = client.post(import_url(council), {"file": upload("local.xlsx", xlsx), "title": "Our framework"})
    version = FrameworkVersion.objects.get(framework__organisation=council)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "frameworks:framework-detail", kwargs={"org": council.slug, "pk": version.framework_id}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Our framework version 1 imported: 1 themes, 1 outcomes and 2 measures." in page
    assert AuditEvent.objects.get(action="framework.imported").actor == lead
    assert version.published_by == lead
    response = client.post(
        import_url(council), {"file": upload("local.xlsx", xlsx), "title": "Our framework"}, follow=True
    )
    assert "Our framework already matches version 1: nothing changed." in response.content.decode()


def test_only_the_social_value_lead_can_import(client, council):
    manager = factories.member_user(council, Role.CONTRACT_MANAGER)
    client.force_login(manager)
    page = client.get(import_url(council)).content.decode()
    assert "Only your organisation’s social value lead can import frameworks." in page
    assert 'type="file"' not in page
    before = stored()
    response = client.post(import_url(council), {"file": upload("local.yaml", VALID_YAML)})
    assert response.status_code == 404
    assert stored() == before


def test_the_downloads_page_links_every_format_and_each_download_reads_back(client, council, lead):
    version = import_file(council, VALID_YAML)
    client.force_login(lead)
    page = client.get(reverse("frameworks:version-downloads", kwargs={"org": council.slug, "pk": version.pk}))
    text = page.content.decode()
    assert "Value sets included: Local values 2024 (local-values)." in text
    for fmt in interchange.FORMATS:
        url = reverse(f"frameworks:version-export-{fmt}", kwargs={"org": council.slug, "pk": version.pk})
        assert f'href="{url}"' in text
        response = client.get(url)
        assert response["Content-Type"] == interchange.CONTENT_TYPES[fmt]
        assert response["Content-Disposition"] == f'attachment; filename="local-v1.{fmt}"'
        if fmt != "xlsx":  # an XLSX file carries the time it was made
            assert response.content == interchange.version_export(version, fmt)
        assert interchange.document_parse(response.content, f"local.{fmt}").measures == parse(VALID_YAML).measures
    values = client.get(reverse("frameworks:version-export-values-csv", kwargs={"org": council.slug, "pk": version.pk}))
    assert values["Content-Disposition"] == 'attachment; filename="local-v1-values.csv"'
    assert "local-values,Local values 2024" in values.content.decode()


def test_a_network_member_downloads_a_shared_framework_without_the_owners_value_sets(client, council):
    version = import_file(council, VALID_YAML)
    network = factories.NetworkFactory.create()
    member_org = factories.OrganisationFactory.create(slug="southfield")
    council.networks.add(network)
    member_org.networks.add(network)
    FrameworkShare.objects.create(organisation=council, framework=version.framework, network=network)
    client.force_login(factories.member_user(member_org, Role.VIEWER))
    url = reverse("frameworks:version-export-yaml", kwargs={"org": "southfield", "pk": version.pk})
    document = interchange.document_parse(client.get(url).content, "shared.yaml")
    assert (document.code, document.value_sets) == ("local", ())
    values = reverse("frameworks:version-export-values-csv", kwargs={"org": "southfield", "pk": version.pk})
    assert client.get(values).status_code == 404


def test_another_organisation_cannot_download_a_version(client, council):
    version = import_file(council, VALID_YAML)
    outsider = factories.OrganisationFactory.create(slug="elsewhere")
    client.force_login(factories.member_user(outsider, Role.SOCIAL_VALUE_LEAD))
    for name in ("version-downloads", "version-export-yaml", "version-export-xlsx"):
        assert (
            client.get(reverse(f"frameworks:{name}", kwargs={"org": "elsewhere", "pk": version.pk})).status_code == 404
        )
        assert (
            client.get(reverse(f"frameworks:{name}", kwargs={"org": "northfield", "pk": version.pk})).status_code == 404
        )


# --- The API -----------------------------------------------------------------------------------------


def token(user) -> dict[str, str]:
    return {"Authorization": f"Token {api_token(user).key}"}


def test_the_api_lists_own_and_shared_frameworks_without_the_sharers_drafts(client, tenant_a: Tenant, tenant_b: Tenant):
    own = import_file(tenant_a.buyer, VALID_YAML)
    shared = import_file(tenant_b.buyer, RICH_YAML)
    FrameworkVersion.objects.create(
        organisation=tenant_b.buyer, framework=shared.framework, number=2, status=VersionStatus.DRAFT
    )
    network = factories.NetworkFactory.create()
    tenant_a.buyer.networks.add(network)
    FrameworkShare.objects.create(organisation=tenant_b.buyer, framework=shared.framework, network=network)
    response = client.get(
        reverse("api:framework-list", kwargs={"org": tenant_a.buyer.slug}), headers=token(tenant_a.manager)
    )
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert sorted(rows) == ["local", "rich", "test"]
    assert (rows["local"]["owner"], rows["local"]["shared"]) == (tenant_a.buyer.slug, False)
    assert [v["number"] for v in rows["local"]["versions"]] == [own.number]
    assert (rows["rich"]["owner"], rows["rich"]["shared"]) == (tenant_b.buyer.slug, True)
    assert [(v["number"], v["status"]) for v in rows["rich"]["versions"]] == [(1, "published")]


def test_the_api_gives_a_version_as_its_tree(client, tenant_a: Tenant):
    version = import_file(tenant_a.buyer, RICH_YAML)
    response = client.get(
        reverse("api:framework-version-detail", kwargs={"org": tenant_a.buyer.slug, "pk": version.pk}),
        headers=token(tenant_a.manager),
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["framework"], data["number"], data["status"], data["owner"]) == ("rich", 1, "published", "council-a")
    assert [theme["code"] for theme in data["themes"]] == ["ECON", "EMPTY"]
    assert [outcome["code"] for outcome in data["themes"][0]["outcomes"]] == ["ECON.1", "ECON.2"]
    measure = data["themes"][0]["outcomes"][0]["measures"][0]
    assert measure == {
        "code": "ECON.1.1",
        "title": "Spend with local suppliers",
        "description": "+plus, @at and a\ttab",
        "unit": "gbp",
        "counting_rule": "Invoices paid, excluding VAT",
        "evidence_required": "Spend report",
        "value_type": "local_economic",
        "verification": "unconfirmed",
        "source_note": "Not checked",
    }


def test_the_api_answers_404_for_another_tenants_version(client, tenant_a: Tenant, tenant_b: Tenant):
    version = import_file(tenant_a.buyer, VALID_YAML)
    for slug in (tenant_b.buyer.slug, tenant_a.buyer.slug):
        response = client.get(
            reverse("api:framework-version-detail", kwargs={"org": slug, "pk": version.pk}),
            headers=token(tenant_b.manager),
        )
        assert response.status_code == 404
        assert response.json()["detail"].startswith("No such")
    listed = client.get(
        reverse("api:framework-list", kwargs={"org": tenant_b.buyer.slug}), headers=token(tenant_b.manager)
    )
    assert "local" not in [row["code"] for row in listed.json()]


def test_problem_text_names_where_it_is():
    assert str(Problem(14, "measure JOBS.1.2: unit “furlongs” is not one of count")) == (
        "line 14: measure JOBS.1.2: unit “furlongs” is not one of count"
    )
    assert str(Problem(3, "bad", "Measures")) == "sheet “Measures”, row 3: bad"
    assert str(Problem(None, "the file is empty")) == "the file is empty"


def test_the_example_in_the_documentation_is_a_valid_framework_file():
    guide = (Path(__file__).resolve().parent.parent / "docs" / "frameworks.md").read_text(encoding="utf-8")
    section = guide[guide.index("## Import, export and templates") :]
    example = re.search(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    assert example is not None
    document = parse(example[1])
    assert (document.code, [m.code for m in document.measures]) == ("local", ["JOBS.1.1"])
    assert document.value_sets[0].entries[0].value_per_unit == Decimal("12345.67")


@pytest.mark.django_db(transaction=True)
def test_importing_creates_a_published_version_1_committed(council):
    """Importing a framework file, committed for real: on PostgreSQL this fails
    if a service locks a row outside its own transaction (see tests/test_lock_paths.py)."""
    test_importing_creates_a_published_version_1_with_its_value_set_and_audits_it(council)
