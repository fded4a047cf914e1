"""Loading a framework from its data file."""

from pathlib import Path

import pytest

from commonweal.core.errors import ApplicationError
from commonweal.frameworks.models import Framework, FrameworkVersion, Measure, VersionStatus
from commonweal.frameworks.services_interchange import framework_load
from commonweal.tenancy.selectors import Member

from . import factories


def test_the_starter_framework_loads_as_a_published_version_once(db):
    organisation = factories.OrganisationFactory.create()
    version = framework_load(actor=None, member=Member.system(organisation))
    assert version.status == VersionStatus.PUBLISHED
    assert version.number == 1
    assert [t.code for t in version.themes.all()] == ["JOBS", "ECON", "COMM", "ENV"]
    assert version.measures.count() == 6
    measure = version.measures.get(code="JOBS.1.2")
    assert (measure.title, measure.unit) == ("Apprenticeship weeks completed", "weeks")
    assert measure.outcome.theme.code == "JOBS"

    again = framework_load(actor=None, member=Member.system(organisation))
    assert again == version
    assert FrameworkVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: No code\nthemes: []\n", "“code” is missing"),
        (
            "code: x\ntitle: X\nthemes:\n  - code: T\n    title: T\n    outcomes:\n"
            "      - code: T.1\n        title: O\n        measures:\n          - {code: M, title: M, unit: furlongs}\n",
            "unit “furlongs” is not one of",
        ),
        ("code: x\ntitle: X\nthemes:\n  - code: T\n    outcomes: []\n", "theme 1: “title” is missing"),
    ],
)
def test_a_malformed_framework_file_is_refused_and_nothing_is_stored(db, tmp_path: Path, text, message):
    organisation = factories.OrganisationFactory.create()
    path = tmp_path / "framework.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ApplicationError, match=message):
        framework_load(actor=None, member=Member.system(organisation), path=path)
    assert not Framework.objects.exists()
    assert not Measure.objects.exists()
