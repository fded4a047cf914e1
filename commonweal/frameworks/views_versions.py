"""Framework pages: the list, a framework and its versions, a version's tree, draft editing,
publishing, comparing versions, forking, sharing, and starting from a shipped template.

Everyone in the organisation can read; only those with Permission.MANAGE_FRAMEWORKS (its social value
lead) reach the pages that change anything. Other organisations' objects answer 404."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.frontend.forms import GovukForm
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import interchange
from . import selectors_versions as selectors
from . import services_versions as services
from .forms_versions import (
    ConfirmForm,
    DiffForm,
    ForkForm,
    MeasureForm,
    OutcomeForm,
    PublishForm,
    ShareForm,
    TemplateUseForm,
    ThemeForm,
)
from .interchange import TemplateInfo
from .models import Framework, FrameworkVersion, Measure, Outcome, Theme

TEMPLATES_UNAVAILABLE = "Templates are not available."
T = TypeVar("T")


def _posted(request: HttpRequest) -> Any:
    """The submitted data for a POST (even an empty one, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def _version_url(org: str, version: FrameworkVersion) -> str:
    return reverse("frameworks:version-detail", kwargs={"org": org, "pk": version.pk})


def _framework_url(org: str, framework: Framework) -> str:
    return reverse("frameworks:framework-detail", kwargs={"org": org, "pk": framework.pk})


def _refusal(form: Any, version: FrameworkVersion) -> ApplicationError | None:
    """Say, before anyone types, that a published version cannot be edited (the service refuses too)."""
    if version.is_published and not form.is_bound:
        return ApplicationError(services.PUBLISHED_UNCHANGEABLE)
    return None


def _template_list() -> list[TemplateInfo] | None:
    """The shipped templates, or None if their files cannot be read (the pages then say so)."""
    try:
        return interchange.template_list()
    except (OSError, ApplicationError):
        return None


# --- Reading -----------------------------------------------------------------------------------------


@login_required
def framework_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    templates = _template_list()
    return render(
        request,
        "frameworks/versions/framework_list.html",
        {
            "member": member,
            "overview": selectors.framework_overview(member=member),
            "templates_available": templates is not None,
            "template_count": len(templates or []),
        },
    )


def _framework_detail(
    request: HttpRequest, member: Member, framework: Framework, *, error: ApplicationError | None = None
) -> HttpResponse:
    is_owner = framework.organisation_id == member.organisation.pk
    shares = list(selectors.framework_share_list(member=member, framework=framework)) if is_owner else []
    shared_networks = {share.network_id for share in shares}
    return render(
        request,
        "frameworks/versions/framework_detail.html",
        {
            "member": member,
            "framework": framework,
            "is_owner": is_owner,
            "can_edit": is_owner and member.may(Permission.MANAGE_FRAMEWORKS),
            "versions": selectors.framework_version_list(member=member, framework=framework),
            "draft": selectors.version_draft(framework=framework) if is_owner else None,
            "latest": selectors.version_latest_published(framework=framework),
            "shares": shares,
            "can_share": any(n.pk not in shared_networks for n in selectors.network_list(member=member)),
            "forked_from": framework.forked_from,
            "error": error,
        },
    )


@login_required
def framework_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    return _framework_detail(request, member, selectors.framework_get(member=member, pk=pk))


@login_required
def version_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    version = selectors.framework_version_get(member=member, pk=pk)
    is_owner = version.organisation_id == member.organisation.pk
    return render(
        request,
        "frameworks/versions/version_detail.html",
        {
            "member": member,
            "version": version,
            "framework": version.framework,
            "tree": selectors.version_tree(version=version),
            "is_owner": is_owner,
            "can_edit": is_owner and member.may(Permission.MANAGE_FRAMEWORKS) and not version.is_published,
        },
    )


@login_required
def version_diff(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    framework = selectors.framework_get(member=member, pk=pk)
    versions = selectors.framework_version_list(member=member, framework=framework)
    newest = list(versions[:2])
    initial = {"new": newest[0].pk, "old": newest[-1].pk} if newest else {}
    form = DiffForm(
        request.GET if "old" in request.GET or "new" in request.GET else None, versions=versions, initial=initial
    )
    diff = None
    if form.is_bound and form.is_valid():
        old, new = versions.get(pk=form.cleaned_data["old"]), versions.get(pk=form.cleaned_data["new"])
        diff = selectors.version_diff(old=old, new=new)
    elif not form.is_bound and len(newest) == 2:
        diff = selectors.version_diff(old=newest[1], new=newest[0])
    return render(
        request,
        "frameworks/versions/version_diff.html",
        {"member": member, "framework": framework, "form": form, "diff": diff, "version_count": len(newest)},
    )


# --- Forking, drafting, publishing and sharing -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def framework_fork(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    framework = selectors.framework_get(member=member, pk=pk)
    chosen = request.POST.get("version") or request.GET.get("version")
    source: FrameworkVersion | None
    if chosen and chosen.isdigit():
        source = selectors.framework_version_get(member=member, pk=int(chosen))
        if source.framework_id != framework.pk:
            raise Http404("No such version of this framework.")
    else:
        source = selectors.version_latest_published(framework=framework)
    if source is None:
        raise Http404("This framework has no published version to fork.")
    form = ForkForm(_posted(request), initial={"title": framework.title})
    return form_page(
        request,
        form,
        save=lambda: services.framework_fork(
            actor=member.user,
            member=member,
            source=source,
            code=form.cleaned_data["code"],
            title=form.cleaned_data["title"],
        ),
        message=lambda version: f"{version.framework.title} is your organisation’s own framework now.",
        success_url=lambda version: _framework_url(org, version.framework),
        template="frameworks/versions/fork.html",
        context={"member": member, "framework": framework, "source": source},
    )


@login_required
@require_http_methods(["POST"])
def draft_create(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    framework = selectors.framework_owned_get(member=member, pk=pk)
    try:
        version = services.version_draft_create(actor=member.user, member=member, framework=framework)
    except ApplicationError as error:
        return _framework_detail(request, member, framework, error=error)
    messages.success(request, f"Version {version.number} is a draft: change it, then publish it.")
    return redirect(_version_url(org, version))


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    version = selectors.version_owned_get(member=member, pk=pk)
    form = PublishForm(_posted(request))
    previous = selectors.version_latest_published(framework=version.framework)
    diff = selectors.version_diff(old=previous, new=version) if previous and not version.is_published else None
    return form_page(
        request,
        form,
        save=lambda: services.version_publish(
            actor=member.user, member=member, version=version, notes=form.cleaned_data["notes"]
        ),
        message=f"Version {version.number} is published. It will not change from now on.",
        success_url=_version_url(org, version),
        template="frameworks/versions/publish.html",
        context={
            "member": member,
            "version": version,
            "framework": version.framework,
            "diff": diff,
            "previous": previous,
            "error": _refusal(form, version),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_share(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    framework = selectors.framework_owned_get(member=member, pk=pk)
    shared = selectors.framework_share_list(member=member, framework=framework).values_list("network", flat=True)
    networks = selectors.network_list(member=member).exclude(pk__in=list(shared))
    form = ShareForm(_posted(request), networks=networks)
    return form_page(
        request,
        form,
        save=lambda: services.framework_share(
            actor=member.user,
            member=member,
            framework=framework,
            network=networks.get(pk=form.cleaned_data["network"]),
        ),
        message=lambda share: f"{framework.title} is shared with {share.network.name}.",
        success_url=_framework_url(org, framework),
        template="frameworks/versions/share.html",
        context={"member": member, "framework": framework, "networks": networks},
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_unshare(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    share = selectors.framework_share_get(member=member, pk=pk)
    return form_page(
        request,
        ConfirmForm(_posted(request)),
        save=lambda: services.framework_unshare(
            actor=member.user, member=member, framework=share.framework, network=share.network
        ),
        message=f"{share.framework.title} is no longer shared with {share.network.name}.",
        success_url=_framework_url(org, share.framework),
        template="frameworks/versions/unshare.html",
        context={"member": member, "share": share},
    )


# --- Editing a draft ---------------------------------------------------------------------------------


def _item_page(
    request: HttpRequest,
    member: Member,
    version: FrameworkVersion,
    form: GovukForm,
    *,
    save: Callable[[], T],
    message: Callable[[T], str],
    heading: str,
    button: str,
    caption: str = "",
    item: Theme | Outcome | Measure | None = None,
) -> HttpResponse:
    """The form to add or change a theme, outcome or measure of a draft; back to the version when saved."""
    return form_page(
        request,
        form,
        save=save,
        message=message,
        success_url=_version_url(member.organisation.slug, version),
        template="frameworks/versions/item_form.html",
        context={
            "member": member,
            "version": version,
            "framework": version.framework,
            "heading": heading,
            "button": button,
            "caption": caption,
            "item": item,
            "error": _refusal(form, version),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    version = selectors.version_owned_get(member=member, pk=pk)
    form = ThemeForm(_posted(request))
    return _item_page(
        request,
        member,
        version,
        form,
        save=lambda: services.theme_add(actor=member.user, member=member, version=version, **form.cleaned_data),
        message=lambda theme: f"Theme {theme.code} added.",
        heading="Add a theme",
        button="Add the theme",
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    theme = selectors.theme_owned_get(member=member, pk=pk)
    form = ThemeForm(_posted(request), editing=True, initial={"title": theme.title, "description": theme.description})
    return _item_page(
        request,
        member,
        theme.version,
        form,
        save=lambda: services.theme_update(actor=member.user, member=member, theme=theme, **form.cleaned_data),
        message=lambda saved: f"Theme {saved.code} saved.",
        heading=f"Change theme {theme.code}",
        button="Save the theme",
        item=theme,
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    theme = selectors.theme_owned_get(member=member, pk=pk)
    form = OutcomeForm(_posted(request))
    return _item_page(
        request,
        member,
        theme.version,
        form,
        save=lambda: services.outcome_add(actor=member.user, member=member, theme=theme, **form.cleaned_data),
        message=lambda outcome: f"Outcome {outcome.code} added.",
        heading="Add an outcome",
        button="Add the outcome",
        caption=f"Theme {theme.code} {theme.title}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    outcome = selectors.outcome_owned_get(member=member, pk=pk)
    themes = outcome.version.themes.order_by("position", "code")
    form = OutcomeForm(
        _posted(request),
        editing=True,
        themes=themes,
        initial={"title": outcome.title, "description": outcome.description, "theme": outcome.theme_id},
    )
    return _item_page(
        request,
        member,
        outcome.version,
        form,
        save=lambda: services.outcome_update(
            actor=member.user,
            member=member,
            outcome=outcome,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            theme=form.chosen_theme(themes),
        ),
        message=lambda saved: f"Outcome {saved.code} saved.",
        heading=f"Change outcome {outcome.code}",
        button="Save the outcome",
        item=outcome,
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_add(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    outcome = selectors.outcome_owned_get(member=member, pk=pk)
    form = MeasureForm(_posted(request))
    return _item_page(
        request,
        member,
        outcome.version,
        form,
        save=lambda: services.measure_add(
            actor=member.user,
            member=member,
            outcome=outcome,
            code=form.cleaned_data["code"],
            **form.measure_values(),
        ),
        message=lambda measure: f"Measure {measure.code} added.",
        heading="Add a measure",
        button="Add the measure",
        caption=f"Outcome {outcome.code} {outcome.title}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    measure = selectors.measure_owned_get(member=member, pk=pk)
    outcomes = measure.version.outcomes.order_by("theme__position", "position", "code")
    fields = ("title", "unit", "value_type", "description", "counting_rule", "evidence_required")
    form = MeasureForm(
        _posted(request),
        outcomes=outcomes,
        initial={**{name: getattr(measure, name) for name in fields}, "outcome": measure.outcome_id},
    )
    return _item_page(
        request,
        member,
        measure.version,
        form,
        save=lambda: services.measure_update(
            actor=member.user,
            member=member,
            measure=measure,
            outcome=form.chosen_outcome(outcomes),
            **form.measure_values(),
        ),
        message=lambda saved: f"Measure {saved.code} saved.",
        heading=f"Change measure {measure.code}",
        button="Save the measure",
        item=measure,
    )


def _remove_page(
    request: HttpRequest,
    member: Member,
    item: Theme | Outcome | Measure,
    *,
    kind: str,
    goes_with: list[Outcome] | list[Measure],
    remove: Callable[[], None],
) -> HttpResponse:
    """Confirm removing a theme, outcome or measure of a draft, listing what goes with it."""
    version = item.version
    form = ConfirmForm(_posted(request))
    return form_page(
        request,
        form,
        save=remove,
        message=f"{kind.capitalize()} {item.code} removed from version {version.number}.",
        success_url=_version_url(member.organisation.slug, version),
        template="frameworks/versions/item_remove.html",
        context={
            "member": member,
            "version": version,
            "framework": version.framework,
            "item": item,
            "kind": kind,
            "goes_with": goes_with,
            "error": _refusal(form, version),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    theme = selectors.theme_owned_get(member=member, pk=pk)
    outcomes = list(theme.outcomes.order_by("position", "code").prefetch_related("measures"))
    return _remove_page(
        request,
        member,
        theme,
        kind="theme",
        goes_with=outcomes,
        remove=lambda: services.theme_remove(actor=member.user, member=member, theme=theme),
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    outcome = selectors.outcome_owned_get(member=member, pk=pk)
    measures = list(outcome.measures.order_by("position", "code"))
    return _remove_page(
        request,
        member,
        outcome,
        kind="outcome",
        goes_with=measures,
        remove=lambda: services.outcome_remove(actor=member.user, member=member, outcome=outcome),
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_remove(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)
    measure = selectors.measure_owned_get(member=member, pk=pk)
    return _remove_page(
        request,
        member,
        measure,
        kind="measure",
        goes_with=[],
        remove=lambda: services.measure_remove(actor=member.user, member=member, measure=measure),
    )


# --- Starting from a shipped template ----------------------------------------------------------------


@login_required
def template_list(request: HttpRequest, org: str) -> HttpResponse:
    member = member_require(user=request.user, slug=org)
    templates = _template_list()
    return render(
        request,
        "frameworks/versions/template_list.html",
        {"member": member, "templates": templates or [], "unavailable": templates is None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_use(request: HttpRequest, org: str) -> HttpResponse:
    # Any member may open the page; only a social value lead may send it.
    member = member_require(
        user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS if request.method == "POST" else None
    )
    templates = _template_list()
    if templates is None or not member.may(Permission.MANAGE_FRAMEWORKS):
        # Readers see why there is nothing to fill in, rather than a missing page.
        return render(
            request,
            "frameworks/versions/template_use.html",
            {"member": member, "form": None, "unavailable": templates is None},
        )
    chosen = {template.key: template for template in templates}.get(request.GET.get("template", ""))
    initial = {"template": chosen.key, "title": chosen.title} if chosen else {}
    form = TemplateUseForm(_posted(request), templates=templates, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services.framework_from_template(
            actor=member.user,
            member=member,
            template=form.cleaned_data["template"],
            code=form.cleaned_data["code"],
            title=form.cleaned_data["title"],
        ),
        message=lambda version: f"{version.framework.title} is your organisation’s own framework now.",
        success_url=lambda version: _framework_url(org, version.framework),
        template="frameworks/versions/template_use.html",
        context={"member": member, "templates": templates, "unavailable": False},
    )
