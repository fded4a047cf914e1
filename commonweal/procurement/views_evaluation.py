"""Pages for evaluating tenders: evaluators, declarations, independent scoring, moderation, flags, the
evaluation overview and the buyer's view of a bid. Bid content is opened only through
`selectors.bid_open_for_buyer` (audited); a person without a declaration is sent to make one first.

The buyer's evaluating people (`Permission.EVALUATE`) use the declaration, scoring, overview and bid pages;
the evaluators, moderation and flags pages are the planners' (`Permission.PLAN_PROCUREMENTS`). No page
records flags on GET: the flags page records them on POST, as the award does before it checks them."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import ApplicationError
from commonweal.frontend.pages import form_page
from commonweal.tenancy.permissions import Permission, member_require
from commonweal.tenancy.selectors import Member

from . import flags as flag_rules
from . import ranking, selectors, selectors_evaluation, services_evaluation
from .forms_evaluation import DeclarationForm, EvaluatorsForm, FlagDecisionForm, ModerationForm, ScoreForm
from .models import Bid, CriterionKind, FlagKind, Procurement

TEMPLATES = "procurement/evaluation/"


def _url(name: str, **kwargs: Any) -> str:
    """The address of another area's page, or "" while that page does not exist."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _page(
    request: HttpRequest, template: str, member: Member, procurement: Procurement, **context: Any
) -> HttpResponse:
    status = context.pop("status", 200)
    return render(request, TEMPLATES + template, _context(member, procurement, **context), status=status)


def _context(member: Member, procurement: Procurement, **context: Any) -> dict[str, Any]:
    """What every evaluation page shows besides its own content."""
    org = member.organisation.slug
    return {
        "member": member,
        "procurement": procurement,
        "procurements_url": _url("procurement:procurement-list", org=org),
        "procurement_url": _url("procurement:procurement-detail", org=org, pk=procurement.pk),
        "deadline_passed": selectors.tenders_opened(procurement),
        **context,
    }


def _procurement(request: HttpRequest, org: str, pk: int, permission: Permission) -> tuple[Member, Procurement]:
    """The member holding `permission` and the procurement of theirs the page is about; 404 otherwise."""
    member = member_require(user=request.user, slug=org, permission=permission)
    return member, selectors_evaluation.evaluation_procurement_get(member=member, pk=pk)


def _declaration_url(member: Member, procurement: Procurement, next_url: str = "") -> str:
    url = reverse("procurement:declaration", kwargs={"org": member.organisation.slug, "pk": procurement.pk})
    return f"{url}?next={next_url}" if next_url else url


def _bid_gate(request: HttpRequest, org: str, pk: int, permission: Permission) -> tuple[Member, Bid] | HttpResponse:
    """The member holding `permission` and the bid (unopened) if they may open it; otherwise the
    response to give: 404, the declaration form first, or a refusal for someone who declared a conflict."""
    member = member_require(user=request.user, slug=org, permission=permission)
    bid = selectors_evaluation.bid_reach(member=member, pk=pk)
    declaration = selectors_evaluation.declaration_get(procurement=bid.procurement, user=member.user)
    if declaration is None:
        return redirect(_declaration_url(member, bid.procurement, request.path))
    if declaration.has_conflict:
        return _page(request, "conflict.html", member, bid.procurement, declaration=declaration, status=403)
    return member, bid


def _commitments(member: Member, bid: Bid) -> dict[str, Any]:
    lines, valuation = selectors_evaluation.commitment_lines(member=member, bid=bid)
    return {"commitment_lines": lines, "valuation": valuation}


# --- Evaluators and declarations -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluators(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member, procurement = _procurement(request, org, pk, Permission.PLAN_PROCUREMENTS)
    criteria = list(selectors_evaluation.scored_criteria(procurement))
    people = selectors_evaluation.assignable_people(procurement)
    assigned = selectors_evaluation.assignments(procurement)
    form = EvaluatorsForm(request.POST or None, criteria=criteria, people=people, assigned=assigned)
    declarations = selectors_evaluation.declarations(procurement)
    rows = [
        {
            "criterion": criterion,
            "field": form[f"eval_assign_{criterion.pk}"],
            "people": selectors_evaluation.people_named(assigned.get(criterion.pk, set())),
        }
        for criterion in criteria
    ]
    involved = {pk for ids in assigned.values() for pk in ids} | set(declarations)
    declaration_rows = [
        {"person": person, "declaration": declarations.get(person.pk)}
        for person in selectors_evaluation.people_named(involved)
    ]
    return form_page(
        request,
        form,
        save=lambda: services_evaluation.evaluators_set(
            actor=member.user, member=member, procurement=procurement, chosen=form.chosen()
        ),
        message=lambda changes: (
            "The evaluators have been saved." if changes else "Nothing changed: the evaluators are as they were."
        ),
        success_url=reverse("procurement:evaluators", kwargs={"org": org, "pk": procurement.pk}),
        template=TEMPLATES + "evaluators.html",
        context=_context(member, procurement, rows=rows, declaration_rows=declaration_rows),
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member, procurement = _procurement(request, org, pk, Permission.EVALUATE)
    existing = selectors_evaluation.declaration_get(procurement=procurement, user=member.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = DeclarationForm(request.POST or None) if existing is None else None
    if request.method == "POST":
        if form is None:
            messages.success(request, "You have already declared: a declaration cannot be changed.")
            return redirect("procurement:declaration", org=org, pk=procurement.pk)
        if form.is_valid():
            try:
                made = services_evaluation.declaration_make(
                    actor=member.user,
                    member=member,
                    procurement=procurement,
                    has_conflict=form.has_conflict(),
                    details=form.cleaned_data["eval_details"],
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                if made.has_conflict:
                    messages.success(request, "Your conflict of interest has been recorded. You will not see the bids.")
                    return redirect("procurement:declaration", org=org, pk=procurement.pk)
                messages.success(request, "Your declaration has been recorded.")
                return redirect(next_url or reverse("procurement:scoring", kwargs={"org": org, "pk": procurement.pk}))
    return _page(request, "declaration.html", member, procurement, form=form, existing=existing, next_url=next_url)


# --- Independent scoring ----------------------------------------------------------------------------------


@login_required
@require_GET
def scoring(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member, procurement = _procurement(request, org, pk, Permission.EVALUATE)
    declared = selectors_evaluation.declaration_get(procurement=procurement, user=member.user)
    return _page(
        request,
        "scoring.html",
        member,
        procurement,
        declared=declared,
        my_criteria=selectors_evaluation.my_criteria(member=member, procurement=procurement),
        rows=selectors_evaluation.scoring_rows(member=member, procurement=procurement),
        declaration_url=_declaration_url(member, procurement),
    )


@login_required
@require_http_methods(["GET", "POST"])
def score(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    gate = _bid_gate(request, org, pk, Permission.EVALUATE)
    if isinstance(gate, HttpResponse):
        return gate
    member, bid = gate
    procurement = bid.procurement
    mine = selectors_evaluation.my_criteria(member=member, procurement=procurement)
    if not mine:
        raise Http404("You are not assigned to score this procurement.")
    moderated = selectors_evaluation.moderated_criteria_ids(bid)
    own = selectors_evaluation.own_scores(member=member, bid=bid)
    open_criteria = [c for c in mine if c.pk not in moderated]
    initial: dict[str, Any] = {}
    for criterion_pk, mine_score in own.items():
        initial[f"eval_score_{criterion_pk}"] = f"{mine_score.score.normalize():f}"
        initial[f"eval_justification_{criterion_pk}"] = mine_score.justification
    form = ScoreForm(
        request.POST or None,
        criteria=[(c, selectors_evaluation.scale_levels(c)) for c in open_criteria],
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_evaluation.scores_record(actor=member.user, member=member, bid=bid, scores=form.scores())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"Your scores for {bid.supplier.name} have been saved.")
            return redirect("procurement:scoring", org=org, pk=procurement.pk)
    bid = selectors.bid_open_for_buyer(member=member, pk=bid.pk)
    levels = {c.pk: selectors_evaluation.scale_levels(c) for c in mine}
    items = [
        {
            **response,
            "levels": levels[response["criterion"].pk],
            "own": own.get(response["criterion"].pk),
            "moderated": response["criterion"].pk in moderated,
            "score_field": form[f"eval_score_{response['criterion'].pk}"]
            if response["criterion"].pk not in moderated
            else None,
            "justification_field": form[f"eval_justification_{response['criterion'].pk}"]
            if response["criterion"].pk not in moderated
            else None,
        }
        for response in selectors_evaluation.opened_bid_responses(opened=bid, criteria=mine, org=org)
    ]
    shows_commitments = any(c.kind == CriterionKind.SOCIAL_VALUE for c in mine)
    return _page(
        request,
        "score.html",
        member,
        procurement,
        bid=bid,
        form=form,
        items=items,
        can_save=bool(open_criteria),
        shows_commitments=shows_commitments,
        **(_commitments(member, bid) if shows_commitments else {}),
    )


# --- Moderation ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def moderation(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member, procurement = _procurement(request, org, pk, Permission.PLAN_PROCUREMENTS)
    declared = selectors_evaluation.declaration_get(procurement=procurement, user=member.user)
    return _page(
        request,
        "moderation.html",
        member,
        procurement,
        declared=declared,
        rows=selectors_evaluation.moderation_rows(member=member, procurement=procurement),
        declaration_url=_declaration_url(member, procurement),
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    gate = _bid_gate(request, org, pk, Permission.PLAN_PROCUREMENTS)
    if isinstance(gate, HttpResponse):
        return gate
    member, bid = gate
    procurement = bid.procurement
    sheets = selectors_evaluation.moderation_sheets(bid)
    posted: ModerationForm | None = None
    refusal = ""
    if request.method == "POST":
        sheet = next((s for s in sheets if str(s.criterion.pk) == request.POST.get("eval_criterion")), None)
        if sheet is None:
            refusal = "Choose a criterion of this procurement to moderate."
        else:
            posted = ModerationForm(request.POST, criterion=sheet.criterion, levels=sheet.levels)
            if posted.is_valid():
                try:
                    services_evaluation.moderation_record(
                        actor=member.user,
                        member=member,
                        bid=bid,
                        criterion=sheet.criterion,
                        score=posted.score(),
                        rationale=posted.cleaned_data["eval_rationale"],
                    )
                except ApplicationError as error:
                    posted.add_application_error(error)
                else:
                    messages.success(request, f"The consensus score for {sheet.criterion.code} has been recorded.")
                    return redirect("procurement:moderate", org=org, pk=bid.pk)
    bid = selectors.bid_open_for_buyer(member=member, pk=bid.pk)
    opened = selectors_evaluation.opened_bid_responses(opened=bid, criteria=[s.criterion for s in sheets], org=org)
    responses = {r["criterion"].pk: r for r in opened}
    blocks = []
    for sheet in sheets:
        if posted is not None and posted.criterion.pk == sheet.criterion.pk:
            form = posted
        else:
            initial = (
                {
                    "eval_consensus": f"{sheet.moderated.score.normalize():f}",
                    "eval_rationale": sheet.moderated.rationale,
                }
                if sheet.moderated
                else {}
            )
            form = ModerationForm(criterion=sheet.criterion, levels=sheet.levels, initial=initial)
        blocks.append({"sheet": sheet, "form": form, "item": responses.get(sheet.criterion.pk)})
    return _page(
        request,
        "moderate.html",
        member,
        procurement,
        bid=bid,
        blocks=blocks,
        form=posted,
        refusal=refusal,
    )


# --- Flags ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def flag_list(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The recorded flags with their decisions. Flags the rules raise that are not recorded yet are
    shown too (computed, not stored); a POST records them so that each can be decided."""
    member, procurement = _procurement(request, org, pk, Permission.PLAN_PROCUREMENTS)
    declared = selectors_evaluation.declaration_get(procurement=procurement, user=member.user)
    may_open = selectors.may_open_bids(member=member, procurement=procurement)
    if request.method == "POST":
        if not may_open:
            raise Http404("Declare that you have no conflict of interest before you record flags.")
        created = services_evaluation.flags_refresh(actor=member.user, member=member, procurement=procurement)
        messages.success(
            request,
            f"{len(created)} flag{'s' if len(created) != 1 else ''} recorded, each awaiting a decision."
            if created
            else "Every flag the rules raise was already recorded.",
        )
        return redirect("procurement:flags", org=org, pk=procurement.pk)
    unrecorded = (
        selectors_evaluation.flag_findings_unrecorded(member=member, procurement=procurement) if may_open else []
    )
    return _page(
        request,
        "flags.html",
        member,
        procurement,
        declared=declared,
        may_open=may_open,
        flags=selectors_evaluation.flag_list(member=member, procurement=procurement),
        unrecorded=[
            {"bid": bid, "finding": finding, "kind": FlagKind(finding.kind).label} for bid, finding in unrecorded
        ],
        restates_percent=f"{flag_rules.RESTATES_SHARE * 100:.0f}",
        declaration_url=_declaration_url(member, procurement),
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_decide(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    member = member_require(user=request.user, slug=org, permission=Permission.PLAN_PROCUREMENTS)
    flag = selectors_evaluation.flag_get(member=member, pk=pk)
    procurement = flag.bid.procurement
    initial = {"eval_decision": flag.decision, "eval_reason": flag.decision_reason} if flag.decided_at else {}
    form = FlagDecisionForm(request.POST or None, kind=flag.kind, initial=initial)
    return form_page(
        request,
        form,
        save=lambda: services_evaluation.flag_decide(
            actor=member.user,
            member=member,
            flag=flag,
            decision=form.cleaned_data["eval_decision"],
            reason=form.cleaned_data["eval_reason"],
        ),
        message=f"The decision on the flag for {flag.bid.supplier.name} has been recorded.",
        success_url=reverse("procurement:flags", kwargs={"org": org, "pk": procurement.pk}),
        template=TEMPLATES + "flag_decide.html",
        context=_context(member, procurement, flag=flag),
    )


# --- Overview and the whole bid --------------------------------------------------------------------------------


@login_required
@require_GET
def evaluation(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    """The overview. It only reads: flags the rules raise that nobody has recorded yet are counted as
    awaiting a decision (computed for the page), and recorded when the award is made or on the flags page."""
    member, procurement = _procurement(request, org, pk, Permission.EVALUATE)
    may_open = selectors.may_open_bids(member=member, procurement=procurement)
    criteria = selectors_evaluation.criteria_in_order(procurement)
    lots = []
    for row in selectors_evaluation.progress(procurement, member=member):
        result = None
        if may_open and row.moderation_complete and ranking.evaluation_complete(procurement, row.lot):
            result = ranking.evaluation_result(procurement, row.lot)
        ranked = [
            {"result": bid_result, "points": [bid_result.points.get(c.code) for c in criteria]}
            for bid_result in (result.bids if result else ())
        ]
        lots.append({"progress": row, "result": result, "ranked": ranked})
    return _page(
        request,
        "evaluation.html",
        member,
        procurement,
        lots=lots,
        may_open=may_open,
        award_url=_url("procurement:award", org=org, pk=procurement.pk)
        if member.may(Permission.PLAN_PROCUREMENTS)
        else "",
        criteria=criteria,
    )


@login_required
@require_GET
def bid_detail(request: HttpRequest, org: str, pk: int) -> HttpResponse:
    gate = _bid_gate(request, org, pk, Permission.EVALUATE)
    if isinstance(gate, HttpResponse):
        return gate
    member, reached = gate
    bid = selectors.bid_open_for_buyer(member=member, pk=reached.pk)
    criteria = list(selectors_evaluation.scored_criteria(bid.procurement))
    return _page(
        request,
        "bid_detail.html",
        member,
        bid.procurement,
        bid=bid,
        responses=selectors_evaluation.opened_bid_responses(opened=bid, criteria=criteria, org=org),
        unlinked=selectors_evaluation.opened_bid_unlinked_attachments(opened=bid, org=org),
        **_commitments(member, bid),
    )
