"""Anchor networks: a hand-checked network of three members (tests/networks_support.py) whose every
figure is asserted; consent (aggregates only, detail, withdrawal); one count across members without
revealing the other member; pledges, programmes, reports, files, the command line and the API."""

import datetime
import json
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from commonweal.core.errors import ApplicationError
from commonweal.core.models import AuditAction, AuditEvent
from commonweal.networks import services_membership, services_metrics, services_programmes, services_reports
from commonweal.networks.figures import network_figures
from commonweal.networks.models import NetworkReport, ProgrammeParticipant, ProgrammeStage
from commonweal.networks.rules import Quarter, reference_digest, spread
from commonweal.tenancy.models import Role
from commonweal.tenancy.permissions import PermissionRefused

from . import factories
from .conftest import built_once
from .networks_support import Net, build

Q3 = Quarter(2026, 3)


@pytest.fixture(scope="module")
def net_once(django_db_blocker: DjangoDbBlocker) -> Iterator[Net]:
    yield from built_once(django_db_blocker, build)


@pytest.fixture
def net(net_once: Net, db: None) -> Net:
    return net_once


def metric(figures: dict[str, Any], code: str) -> dict[str, Any]:
    return next(m for m in figures["metrics"] if m["code"] == code)


# --- Every figure, by hand --------------------------------------------------------------------------


def test_delivery_metric_counts_claimed_and_verified_once_across_members(net: Net) -> None:
    figures = network_figures(network=net.network, quarter=Q3, include_detail=True).figures
    jobs = metric(figures, "jobs")
    assert (jobs["claimed"], jobs["verified"], jobs["headline"]) == ("16.00", "13.00", "13.00")
    assert (jobs["members_covered"], jobs["members_total"], jobs["left_out"]) == (3, 3, 1)
    assert jobs["value_type"] == "additional_social"
    assert jobs["states"].startswith("Claimed and verified")
    assert jobs["benchmark"] == {
        "rows": [
            {"label": "Anonymous member 1", "named": False, "value": "6.00", "position": "Top quarter"},
            {"label": "Alpha Council", "named": True, "value": "5.00", "position": "Above the median"},
            {"label": "Anonymous member 2", "named": False, "value": "2.00", "position": "Bottom quarter"},
        ],
        "median": "5.00",
        "lower_quartile": "3.50",
        "upper_quartile": "5.50",
    }
    pledges = jobs["pledges"]
    assert (pledges["count"], pledges["target_total"], pledges["current_total"], pledges["progress"]) == (
        2,
        "14.00",
        "7.00",
        "50.00",
    )
    assert [(row["label"], row["progress"]) for row in pledges["rows"]] == [
        ("Alpha Council", "50.00"),
        ("Anonymous member 1", "50.00"),
    ]
    assert [row["headline"] for row in jobs["trend"]] == ["0.00", "0.00", "0.00", "13.00"]
    assert [row["quarter"] for row in jobs["trend"]] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_spend_metric_is_one_share_across_members_spend(net: Net) -> None:
    figures = network_figures(network=net.network, quarter=Q3).figures
    local = metric(figures, "local-spend")
    assert (local["amount"], local["spend_total"], local["percent"]) == ("850.00", "2000.00", "42.50")
    assert (local["members_covered"], local["members_total"]) == (2, 3)
    assert local["value_type"] == "local_economic"
    assert local in figures["local_economic"] and local not in figures["additional_social"]
    assert (
        local["benchmark"]["median"],
        local["benchmark"]["lower_quartile"],
        local["benchmark"]["upper_quartile"],
    ) == (
        "42.50",
        "33.75",
        "51.25",
    )
    assert [row["headline"] for row in local["trend"]] == [None, None, "100.00", "42.50"]


def test_submitted_metric_sums_members_figures_as_claimed(net: Net) -> None:
    figures = network_figures(network=net.network, quarter=Q3).figures
    trained = metric(figures, "trained")
    assert (trained["claimed"], trained["members_covered"]) == ("60.00", 3)
    assert "verified" not in trained
    assert (trained["benchmark"]["median"], trained["benchmark"]["lower_quartile"]) == ("20.00", "15.00")
    assert figures["members_covered"] == 3
    assert [m["status"] for m in figures["members"]] == ["Reported", "Reported", "Reported"]


def test_other_quarters_and_the_spread_rule() -> None:
    assert spread([Decimal(1), Decimal(2), Decimal(3), Decimal(4), Decimal(5)]) == spread(
        [Decimal(5), Decimal(4), Decimal(3), Decimal(2), Decimal(1)]
    )
    assert Quarter.parse(" 2026q3 ") == Q3 and Q3.start == datetime.date(2026, 7, 1) and Q3.end.day == 30
    with pytest.raises(ApplicationError, match="like 2026Q3"):
        Quarter.parse("2026-Q5")


# --- Consent ----------------------------------------------------------------------------------------


def test_agreement_detail_only_of_members_that_share_it(net: Net) -> None:
    figures = network_figures(network=net.network, quarter=Q3, include_detail=True).figures
    detail = metric(figures, "jobs")["detail"]
    assert {row["member"] for row in detail} == {"Alpha Council"}
    assert detail == [
        {
            "member": "Alpha Council",
            "agreement": "ALPHA-SECRET-001",
            "title": "Alpha Council works",
            "claimed": "8.00",
            "verified": "5.00",
        }
    ]
    text = json.dumps(figures)
    assert "BETA-SECRET-001" not in text and "GAMMA-SECRET-001" not in text
    # Without detail (reports, the public page, members), no agreement at all.
    public = json.dumps(network_figures(network=net.network, quarter=Q3).figures)
    assert "SECRET" not in public


def test_a_withdrawal_stops_later_figures_and_published_ones_stay_marked(net: Net) -> None:
    coordinator = net.coordinator_member()
    report = services_reports.report_publish(actor=net.coordinator, member=coordinator, quarter="2026Q3")
    gamma = net.lead_member("gamma")
    services_membership.sharing_set(
        actor=net.leads["gamma"],
        member=gamma,
        membership=net.memberships["gamma"],
        sharing="none",
        named_in_benchmarks=True,
    )
    after = network_figures(network=net.network, quarter=Q3).figures
    jobs = metric(after, "jobs")
    assert (jobs["claimed"], jobs["verified"], jobs["members_covered"], jobs["members_total"]) == (
        "10.00",
        "7.00",
        2,
        3,
    )
    assert metric(after, "trained")["claimed"] == "30.00"
    assert after["members_covered"] == 2
    report.refresh_from_db()
    assert metric(report.figures, "jobs")["verified"] == "13.00"
    from commonweal.networks.selectors_reports import report_view

    view = report_view(report)
    assert [name for name, _ in view.withdrawn] == ["Gamma University"]
    event = (
        AuditEvent.objects.filter(action=AuditAction.NETWORK_SHARING_CHANGED, organisation=net.members["gamma"])
        .order_by("pk")
        .last()
    )
    assert event is not None and event.before["sharing"] == "aggregates" and event.after["sharing"] == "none"
    page = Client().get(reverse("network-public:report", kwargs={"org": net.network.slug, "pk": report.pk}))
    assert "Gamma University withdrew from sharing" in page.content.decode()


def test_only_the_member_itself_sets_what_is_shared(net: Net) -> None:
    alpha = net.lead_member("alpha")
    with pytest.raises(ApplicationError, match="Only the member itself"):
        services_membership.sharing_set(
            actor=net.leads["alpha"],
            member=alpha,
            membership=net.memberships["beta"],
            sharing="detail",
            named_in_benchmarks=True,
        )
    viewer = factories.member_user(net.members["alpha"], Role.VIEWER)
    from commonweal.tenancy.selectors import member_access

    with pytest.raises(PermissionRefused):
        services_membership.sharing_set(
            actor=viewer,
            member=member_access(user=viewer, slug="alpha"),
            membership=net.memberships["alpha"],
            sharing="none",
            named_in_benchmarks=False,
        )
    net.memberships["beta"].refresh_from_db()
    assert net.memberships["beta"].sharing == "aggregates"


def test_invitation_rules(net: Net) -> None:
    coordinator = net.coordinator_member()
    with pytest.raises(ApplicationError, match="already a member"):
        services_membership.member_invite(actor=net.coordinator, member=coordinator, organisation=net.members["alpha"])
    supplier = factories.SupplierFactory.create()
    with pytest.raises(ApplicationError, match="Only public bodies"):
        services_membership.member_invite(actor=net.coordinator, member=coordinator, organisation=supplier)
    delta = factories.OrganisationFactory.create(name="Delta College", slug="delta")
    invited = services_membership.member_invite(actor=net.coordinator, member=coordinator, organisation=delta)
    lead = factories.member_user(delta, Role.SOCIAL_VALUE_LEAD)
    from commonweal.tenancy.selectors import member_access

    delta_lead = member_access(user=lead, slug="delta")
    with pytest.raises(ApplicationError, match="Accept the invitation first"):
        services_membership.sharing_set(
            actor=lead, member=delta_lead, membership=invited, sharing="detail", named_in_benchmarks=False
        )
    services_membership.invitation_answer(actor=lead, member=delta_lead, membership=invited, accept=False)
    assert not delta.networks.exists()
    figures = network_figures(network=net.network, quarter=Q3, include_detail=True).figures
    assert figures["members_total"] == 3
    assert [m["status"] for m in figures["members"] if m["name"] == "Delta College"] == ["Declined the invitation"]


# --- One count --------------------------------------------------------------------------------------


def test_the_member_is_told_its_line_was_counted_without_naming_the_other_member(net: Net, client: Client) -> None:
    from commonweal.networks.selectors_reports import member_left_out

    left_out = member_left_out(membership=net.memberships["beta"], quarter=Q3)
    assert [(line.line, line.reason) for line in left_out] == [
        ("BETA-SECRET-001, the return of 5 August 2026, JOBS.1", "already counted in the network")
    ]
    assert member_left_out(membership=net.memberships["alpha"], quarter=Q3) == []
    client.force_login(net.leads["beta"])
    page = client.get(
        reverse("networks:membership-detail", kwargs={"org": "beta", "pk": net.memberships["beta"].pk}),
        {"quarter": "2026Q3"},
    ).content.decode()
    assert "already counted in the network" in page
    assert "Alpha Council" not in page and "ALPHA-SECRET" not in page and "P-1" not in page


def test_a_member_own_earlier_line_is_named(net: Net) -> None:
    from commonweal.networks.selectors_reports import member_left_out

    from .networks_support import at, line_add

    commitment = net.agreements["alpha"].commitments.filter(measure__code="JOBS.1").first()
    assert commitment is not None
    line_add(commitment, "1", evidence="EV-1", at=at(20))
    other = net.agreements["alpha"].commitments.filter(measure__code="JOBS.1").last()
    assert other is not None
    line_add(other, "1", evidence=" ev-1", at=at(21))
    left_out = member_left_out(membership=net.memberships["alpha"], quarter=Q3)
    assert [line.reason for line in left_out] == [
        "already counted on your line ALPHA-SECRET-001, the return of 20 August 2026, JOBS.1"
    ]


def test_references_are_compared_only_as_keyed_hashes(settings: Any) -> None:
    one = reference_digest(network_id=1, kind="beneficiary", reference="P-1")
    assert one == reference_digest(network_id=1, kind="beneficiary", reference=" p-1 ")
    assert "p-1" not in one and len(one) == 64
    assert one != reference_digest(network_id=2, kind="beneficiary", reference="P-1")
    settings.NETWORK_REFERENCE_KEY = "another key"
    assert one != reference_digest(network_id=1, kind="beneficiary", reference="P-1")


# --- Programmes ------------------------------------------------------------------------------------


def test_a_programme_counts_a_participant_once_and_leaves_only_aggregates(net: Net) -> None:
    coordinator = net.coordinator_member()
    programme = services_programmes.programme_create(
        actor=net.coordinator,
        member=coordinator,
        title="I Can into work",
        description="",
        shares={net.members["alpha"]: Decimal("60"), net.members["beta"]: Decimal("40")},
    )
    alpha, beta = (programme.partners.get(organisation=net.members[key]) for key in ("alpha", "beta"))
    record = services_programmes.participant_record
    day = datetime.date(2026, 7, 10)
    record(
        actor=net.leads["alpha"],
        member=net.lead_member("alpha"),
        partner=alpha,
        participant_id="X-1",
        stage="referral",
        reached_on=day,
    )
    record(
        actor=net.leads["alpha"],
        member=net.lead_member("alpha"),
        partner=alpha,
        participant_id="x-1",
        stage="training",
        reached_on=day,
    )
    record(
        actor=net.leads["alpha"],
        member=net.lead_member("alpha"),
        partner=alpha,
        participant_id="X-1",
        stage="start",
        reached_on=datetime.date(2026, 8, 1),
    )
    with pytest.raises(ApplicationError) as refusal:
        record(
            actor=net.leads["beta"],
            member=net.lead_member("beta"),
            partner=beta,
            participant_id=" X-1 ",
            stage="referral",
            reached_on=day,
        )
    assert refusal.value.message == "This participant is already counted in the network."
    with pytest.raises(ApplicationError, match="You referred this participant on 10 July 2026"):
        record(
            actor=net.leads["alpha"],
            member=net.lead_member("alpha"),
            partner=alpha,
            participant_id="X-1",
            stage="referral",
            reached_on=day,
        )
    with pytest.raises(ApplicationError, match="you have no participant with that id"):
        record(
            actor=net.leads["beta"],
            member=net.lead_member("beta"),
            partner=beta,
            participant_id="X-1",
            stage="offer",
            reached_on=day,
        )
    assert "X-1" not in ProgrammeParticipant.objects.get().digest
    figures = network_figures(network=net.network, quarter=Q3).figures
    (shown,) = figures["programmes"]
    counts = {row["stage"]: (row["count"], row["attributed"]) for row in shown["stages"]}
    assert counts[ProgrammeStage.REFERRAL] == (1, ["0.60", "0.40"])
    assert counts[ProgrammeStage.START] == (1, ["0.60", "0.40"])
    assert counts[ProgrammeStage.OFFER] == (0, ["0.00", "0.00"])
    assert shown["participants"] == 1
    with pytest.raises(ApplicationError, match="add up to 100%"):
        services_programmes.programme_create(
            actor=net.coordinator,
            member=coordinator,
            title="Half",
            description="",
            shares={net.members["alpha"]: Decimal("50")},
        )


# --- Pledges and submissions -----------------------------------------------------------------------


def test_bad_figures_and_pledges_are_refused_and_change_nothing(net: Net) -> None:
    alpha = net.lead_member("alpha")
    with pytest.raises(ApplicationError, match="like 2026Q3"):
        services_metrics.figure_submit(
            actor=net.leads["alpha"], member=alpha, metric=net.trained, quarter="Q3", value=Decimal(1)
        )
    with pytest.raises(ApplicationError, match="0 or more"):
        services_metrics.figure_submit(
            actor=net.leads["alpha"], member=alpha, metric=net.trained, quarter="2026Q3", value=Decimal(-1)
        )
    with pytest.raises(ApplicationError, match="nothing to submit"):
        services_metrics.figure_submit(
            actor=net.leads["alpha"], member=alpha, metric=net.jobs, quarter="2026Q3", value=Decimal(1)
        )
    with pytest.raises(ApplicationError, match="100 or less"):
        services_metrics.pledge_set(
            actor=net.leads["alpha"],
            member=alpha,
            metric=net.local,
            baseline=Decimal(50),
            target=Decimal(120),
            target_date=datetime.date(2027, 1, 1),
        )
    assert metric(network_figures(network=net.network, quarter=Q3).figures, "trained")["claimed"] == "60.00"


def test_publishing_twice_or_a_future_quarter_is_refused(net: Net) -> None:
    coordinator = net.coordinator_member()
    services_reports.report_publish(actor=net.coordinator, member=coordinator, quarter="2026Q3")
    with pytest.raises(ApplicationError, match="was published on"):
        services_reports.report_publish(actor=net.coordinator, member=coordinator, quarter="2026q3")
    with pytest.raises(ApplicationError, match="has not started"):
        services_reports.report_publish(actor=net.coordinator, member=coordinator, quarter="2099Q1")
    with pytest.raises(PermissionRefused):
        services_reports.report_publish(actor=net.leads["alpha"], member=net.lead_member("alpha"), quarter="2026Q2")
    assert NetworkReport.objects.count() == 1


# --- Pages, files, command line, API ----------------------------------------------------------------


def test_the_dashboard_and_report_files(net: Net, client: Client, tmp_path: Path) -> None:
    client.force_login(net.coordinator)
    page = client.get(reverse("networks:dashboard", kwargs={"org": net.network.slug}), {"quarter": "2026Q3"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "ALPHA-SECRET-001" in text and "BETA-SECRET-001" not in text
    assert "Anonymous member 1" in text and "42.5%" in text
    bad = client.get(reverse("networks:dashboard", kwargs={"org": net.network.slug}), {"quarter": "soon"})
    assert "Enter the quarter as a year and quarter number" in bad.content.decode()
    response = client.post(
        reverse("networks:report-list", kwargs={"org": net.network.slug}),
        {"nw-quarter": "2026Q3", "nw-summary": "First"},
    )
    report = NetworkReport.objects.get()
    assert response.status_code == 302
    kwargs = {"org": net.network.slug, "pk": report.pk}
    pdf = client.get(reverse("networks:report-pdf", kwargs=kwargs))
    assert pdf.content.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    text_of_pdf = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Tees Anchors: network report, July to September" in text_of_pdf and "SECRET" not in text_of_pdf
    csv_text = client.get(reverse("networks:report-csv", kwargs=kwargs)).content.decode()
    assert "jobs,Local people into jobs,additional_social" in csv_text and ",16.00,13.00," in csv_text
    assert client.get(reverse("networks:report-xlsx", kwargs=kwargs)).content.startswith(b"PK")
    data = json.loads(client.get(reverse("networks:report-json", kwargs=kwargs)).content)
    assert metric(data["figures"], "local-spend")["percent"] == "42.50"
    assert "SECRET" not in json.dumps(data)
    public = Client().get(reverse("network-public:page", kwargs={"org": net.network.slug})).content.decode()
    assert "Tees Anchors" in public and "42.5%" in public and "SECRET" not in public


def test_the_public_page_is_a_404_before_a_report(net: Net) -> None:
    assert Client().get(reverse("network-public:page", kwargs={"org": net.network.slug})).status_code == 404


def test_the_command_line_prints_the_quarter(net: Net) -> None:
    out = StringIO()
    call_command("network", "report", "--network", net.network.slug, "--quarter", "2026Q3", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["standing"] == "worked out now"
    assert metric(data["figures"], "jobs")["verified"] == "13.00"
    out = StringIO()
    call_command("network", "report", "--network", net.network.slug, "--quarter", "2026Q3", "--csv", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("quarter,metric,title")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No network"):
        call_command("network", "report", "--network", "alpha", "--quarter", "2026Q3")


def test_the_api(net: Net, client: Client) -> None:
    token = factories.api_token(net.coordinator)
    headers = {"Authorization": f"Token {token.key}"}
    response = client.get(
        reverse("api:network-figures", kwargs={"org": net.network.slug}), {"quarter": "2026Q3"}, headers=headers
    )
    assert response.status_code == 200
    assert metric(response.json(), "trained")["claimed"] == "60.00"
    assert (
        client.get(
            reverse("api:network-figures", kwargs={"org": net.network.slug}), {"quarter": "x"}, headers=headers
        ).status_code
        == 400
    )
    lead = {"Authorization": f"Token {factories.api_token(net.leads['beta']).key}"}
    mine = client.get(reverse("api:network-membership-list", kwargs={"org": "beta"}), headers=lead).json()
    assert [(m["network"], m["sharing"]) for m in mine] == [("tees-anchors", "aggregates")]
    assert client.get(reverse("api:network-figures", kwargs={"org": net.network.slug}), headers=lead).status_code == 404
