"""Planning a procurement is a GOV.UK task list on its page: details, lots, the ask, the impact assessment,
the criteria, the timetable, then publishing, each with its status and a link to where it is done."""

import re
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from commonweal.procurement.models import ImpactItem, Procurement, ProcurementState
from commonweal.procurement.selectors_planning import TaskStatus, planning_tasks
from commonweal.tenancy.models import Role
from commonweal.tenancy.selectors import member_access

from .factories import OrganisationFactory, member_user
from .procurement_support import procurement_published


def statuses(tasks) -> list[tuple[str, str]]:
    return [(task.key, task.status) for task in tasks]


def test_a_new_draft_shows_every_step_to_do_and_publishing_cannot_start(client, db):
    council = OrganisationFactory.create(slug="northshire")
    officer = member_user(council, Role.PROCUREMENT_OFFICER)
    draft = Procurement.objects.create(
        organisation=council,
        reference="NS-1",
        title="Street lighting",
        estimated_value=Decimal("500000"),
        category="works",
        duration_months=24,
    )
    member = member_access(user=officer, slug=council.slug)
    assert statuses(planning_tasks(member=member, procurement=draft)) == [
        ("details", TaskStatus.INCOMPLETE),  # no framework version chosen
        ("lots", TaskStatus.NOT_STARTED),
        ("ask", TaskStatus.NOT_STARTED),
        ("impact", TaskStatus.NOT_STARTED),
        ("criteria", TaskStatus.NOT_STARTED),
        ("timetable", TaskStatus.NOT_STARTED),
        ("publish", TaskStatus.CANNOT_START),
    ]
    client.force_login(officer)
    page = client.get(reverse("procurement:procurement-detail", kwargs={"org": "northshire", "pk": draft.pk}))
    html = page.content.decode()
    assert 'class="govuk-task-list"' in html
    lot_add = reverse("procurement:procurement-lot-add", kwargs={"org": "northshire", "pk": draft.pk})
    assert re.search(rf'href="{lot_add}" aria-describedby="task-lots-status">Divide it into lots</a>', html)
    # Publishing cannot start: no link, and the status says so.
    assert re.search(r'<div>Publish</div>\s*<div id="task-publish-hint"', html)
    assert "govuk-task-list__status--cannot-start-yet" in html
    # The step's link is where the work is done.
    assert client.get(lot_add).status_code == 200


def test_when_every_step_is_complete_publishing_can_start(db):
    council = OrganisationFactory.create(slug="eastshire")
    officer = member_user(council, Role.PROCUREMENT_OFFICER)
    world = procurement_published(council, reference="ES-1")
    procurement = world.procurement
    procurement.state = ProcurementState.DRAFT
    procurement.ask = {"fitted": True}
    procurement.save()
    ImpactItem.objects.create(
        organisation=council, procurement=procurement, outcome_code="T.1", outcome_title="Outcome"
    )
    member = member_access(user=officer, slug=council.slug)
    tasks = planning_tasks(member=member, procurement=procurement)
    assert [task.status for task in tasks[:-1]] == [TaskStatus.COMPLETED] * 6
    assert tasks[-1].status == TaskStatus.NOT_STARTED
    assert tasks[-1].url == reverse(
        "procurement:procurement-publish", kwargs={"org": "eastshire", "pk": procurement.pk}
    )

    # A deadline already passed makes the timetable incomplete again, with the rule named, and publishing waits.
    procurement.tender_deadline = timezone.now() - timedelta(hours=1)
    procurement.save()
    by_key = {task.key: task for task in planning_tasks(member=member, procurement=procurement)}
    assert by_key["timetable"].status == TaskStatus.INCOMPLETE
    # The first of the rules broken is named: the clarification deadline is now after the tender deadline.
    assert by_key["timetable"].hint == "The clarification deadline must be before the tender deadline."
    assert by_key["publish"].status == TaskStatus.CANNOT_START


def test_only_planners_see_the_task_list_and_only_on_drafts(client, db):
    council = OrganisationFactory.create(slug="westshire")
    world = procurement_published(council, reference="WS-1")
    officer = member_user(council, Role.PROCUREMENT_OFFICER)
    viewer = member_user(council, Role.VIEWER)
    url = reverse("procurement:procurement-detail", kwargs={"org": "westshire", "pk": world.procurement.pk})
    client.force_login(officer)
    assert 'class="govuk-task-list"' not in client.get(url).content.decode()  # published: no longer planned
    world.procurement.state = ProcurementState.DRAFT
    world.procurement.save()
    assert 'class="govuk-task-list"' in client.get(url).content.decode()
    client.force_login(viewer)
    assert 'class="govuk-task-list"' not in client.get(url).content.decode()
