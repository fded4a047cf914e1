"""Department pages: the list (with each department's agreements and spend labels), and for the social
value lead, adding, changing and removing a department."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.frontend.forms import GovukForm
from commonweal.frontend.pages import form_page
from commonweal.tenancy.models import Department
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import selectors_budget, services_budget
from .forms_budget import DepartmentForm


def _list_url(org: str) -> str:
    return reverse("reporting:department-list", kwargs={"org": org})


def _department(member: Member, pk: int) -> Department:
    department = selectors_budget.department_get(member=member, pk=pk)
    if department is None:
        raise Http404("No such department.")
    return department


@login_required
@require_GET
def department_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.READ_PUBLIC_BODY)
    return render(
        request,
        "reporting/department_list.html",
        {"member": member, "departments": selectors_budget.department_list(member=member).order_by("name")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_create(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    form = DepartmentForm(request.POST or None, prefix="department")
    return form_page(
        request,
        form,
        save=lambda: services_budget.department_create(actor=member.user, member=member, **form.service_arguments()),
        message=lambda department: f"{department.name} has been added.",
        success_url=_list_url(org),
        template="reporting/department_form.html",
        context={"member": member},
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_update(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    department = _department(member, pk)
    form = DepartmentForm(request.POST or None, prefix="department", initial=DepartmentForm.initial_for(department))
    return form_page(
        request,
        form,
        save=lambda: services_budget.department_update(
            actor=member.user, member=member, department=department, **form.service_arguments()
        ),
        message=lambda saved: f"{saved.name} has been saved.",
        success_url=_list_url(org),
        template="reporting/department_form.html",
        context={"member": member, "department": department},
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_REPORTS)
    department = _department(member, pk)
    name = department.name
    return form_page(
        request,
        # Nothing to fill in: any POST asks for the removal.
        GovukForm(data=request.POST if request.method == "POST" else None),
        save=lambda: services_budget.department_remove(actor=member.user, member=member, department=department),
        message=f"{name} has been removed.",
        success_url=_list_url(org),
        template="reporting/department_remove.html",
        context={
            "member": member,
            "department": department,
            # Why it cannot be removed (the page then offers no button), as the service would refuse it.
            "error": selectors_budget.department_removal_problem(department),
        },
    )
