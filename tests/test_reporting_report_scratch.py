import pytest
from commonweal.reporting import selectors_report, services_report, annual_files
from tests.reporting_report_support import year_build

@pytest.mark.django_db
def test_scratch() -> None:
    y = year_build()
    m = y.member(y.lead)
    r = services_report.report_create(actor=y.lead, member=m, year=y.year, title="T", summary="S")
    v = selectors_report.report_view(member=m, report=r)
    for t in v.tables:
        print(t.key, [c.title for c in t.columns])
        for row in t.shown_rows: print("   ", [x for x, _ in row])
    __import__("pathlib").Path("/tmp/ir/draft.pdf").write_bytes(annual_files.report_pdf(v))
    __import__("pathlib").Path("/tmp/ir/f.csv").write_text(annual_files.figures_csv(v))
