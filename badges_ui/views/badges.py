"""The badge catalogue: list, detail, activation and claims."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import push_url

from badges_ui import services
from badges_ui.client import BadgesApiError, BadgesApiNotFound
from badges_ui.forms import ActivationForm, BadgeFilterForm, ClaimForm, UnclaimForm
from badges_ui.roles import MARKETING, SUPPORT, role_required
from badges_ui.views.common import api_problem, client_for, render

CYCLES_PAGE_SIZE = 10


def _htmx_target(request) -> str | None:
    return request.htmx.target if request.htmx else None


@role_required(MARKETING, SUPPORT)
def badge_list(request):
    """The catalogue. The filter form and its pager swap the `badge-rows` region over HTMX."""
    client = client_for(request)
    groups, badges, problem = [], None, None
    try:
        groups = client.all_groups()
    except BadgesApiError as error:
        problem = api_problem(error)
    form = BadgeFilterForm(request.GET, groups=groups)
    if problem is None:
        try:
            badges = client.list_badges(form.filters(), page=form.page_index, limit=form.page_size)
        except BadgesApiError as error:
            problem = api_problem(error)

    query = form.query_string()
    url = reverse("badges_ui:badge_list") + (f"?{query}" if query else "")
    context = {
        "form": form,
        "badges": badges,
        "groups_by_id": {group.id: group for group in groups},
        "problem": problem,
        "list_url": url,
    }
    if badges is not None:
        pagination = badges.pagination
        context["previous_url"] = (
            _page_url(form, pagination.number - 1) if pagination.has_previous else None
        )
        context["next_url"] = (
            _page_url(form, pagination.number + 1) if pagination.has_next else None
        )
    status = problem.status if problem else 200
    if _htmx_target(request) == "badge-rows":
        page_query = form.query_string(page=form.page_index + 1)
        response = render(
            request, "badges_ui/badge_list.html", context, status=status, partial="badge-rows"
        )
        return push_url(
            response, reverse("badges_ui:badge_list") + (f"?{page_query}" if page_query else "")
        )
    return render(request, "badges_ui/badge_list.html", context, status=status)


def _page_url(form: BadgeFilterForm, number: int) -> str:
    query = form.query_string(page=number)
    return reverse("badges_ui:badge_list") + (f"?{query}" if query else "")


def _cycles_page(request) -> int | None:
    """The 0-based page of cycles the URL asks for, or None to open on the current cycle."""
    try:
        return max(int(request.GET["cycles_page"]) - 1, 0)
    except (KeyError, ValueError):
        return None


def _current_cycles_page(client, badge) -> int:
    """The page holding today's cycle of the first listed window (customer windows come first).

    Asked of the API rather than computed here, so it is the API's cycle in the org's timezone.
    """
    window = next(
        (c for c in badge.constraints if c.is_fixed_window and c.current_cycle and c.reference_id),
        None,
    )
    if window is None:
        return 0
    now = timezone.now()
    probe = client.fixed_window_cycles(
        badge.id, reference_id=window.reference_id, start=now, end=now, size=1
    )
    return probe.cycles[0].cycle_index // CYCLES_PAGE_SIZE if probe.cycles else 0


def _detail_context(request, badge_id: str, **extra) -> dict:
    """Everything the detail page shows; raises Http404 or BadgesApiError."""
    client = client_for(request)
    try:
        badge = client.get_badge(badge_id)
    except BadgesApiNotFound as error:
        raise Http404("No such badge") from error
    group = None
    if badge.badge_group_id:
        try:
            group = client.get_group(badge.badge_group_id)
        except BadgesApiNotFound:
            group = None
    cycles = None
    if badge.has_fixed_windows:
        page = _cycles_page(request)
        if page is None:
            page = _current_cycles_page(client, badge)
        cycles = client.fixed_window_cycles(badge.id, page=page, size=CYCLES_PAGE_SIZE)
    context = {
        "badge": badge,
        "group": group,
        "limits": services.badge_limits(badge),
        "cycles": cycles,
        "badge_id": badge.id,
        "claim_form": ClaimForm(owners=badge.restricted_to_owners),
        "problem": None,
    }
    return context | extra


@role_required(MARKETING, SUPPORT)
def badge_detail(request, badge_id: str):
    """Every setting of one badge. HTMX requests aimed at `cycles` page the cycles only."""
    client = client_for(request)
    if _htmx_target(request) == "cycles":
        try:
            cycles = client.fixed_window_cycles(
                badge_id, page=_cycles_page(request) or 0, size=CYCLES_PAGE_SIZE
            )
        except BadgesApiNotFound as error:
            raise Http404("No such badge") from error
        except BadgesApiError as error:
            problem = api_problem(error)
            context = {"badge_id": badge_id, "cycles": None, "cycles_problem": problem}
            return render(
                request,
                "badges_ui/badge_detail.html",
                context,
                status=problem.status,
                partial="cycles",
            )
        context = {"badge_id": badge_id, "cycles": cycles}
        return render(request, "badges_ui/badge_detail.html", context, partial="cycles")
    try:
        context = _detail_context(request, badge_id)
    except BadgesApiError as error:
        problem = api_problem(error)
        return render(
            request,
            "badges_ui/badge_detail.html",
            {"problem": problem, "badge": None},
            status=problem.status,
        )
    return render(request, "badges_ui/badge_detail.html", context)


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def badge_activation(request, badge_id: str):
    """GET asks for confirmation (a page, or the `activation-confirm` region over HTMX); POST acts."""
    client = client_for(request)
    form = ActivationForm(
        request.POST if request.method == "POST" else {"to": request.GET.get("to", "")}
    )
    badge, problem = None, None
    try:
        badge = client.get_badge(badge_id)
    except BadgesApiNotFound as error:
        raise Http404("No such badge") from error
    except BadgesApiError as error:
        problem = api_problem(error)

    if request.method == "POST" and badge is not None and form.is_valid():
        activate = form.cleaned_data["to"] == "activate"
        try:
            client.set_badge_active(badge_id, activate)
        except BadgesApiError as error:
            services.api_errors_to_form(form, error, references={})
        else:
            verb = "activated" if activate else "deactivated"
            messages.success(request, f"“{badge.name}” is {verb}.")
            return redirect("badges_ui:badge_detail", badge_id=badge_id)

    context = {"badge": badge, "form": form, "problem": problem, "badge_id": badge_id}
    status = (
        problem.status if problem else 200 if request.method == "GET" and not form.errors else 400
    )
    partial = "activation-confirm" if _htmx_target(request) == "activation" else None
    return render(
        request, "badges_ui/badge_activation.html", context, status=status, partial=partial
    )


def _claims_response(
    request, badge_id: str, *, form_name: str, form, status: int, notice: str | None = None
):
    """After a claim or unclaim: the `claims` region (HTMX) or the whole detail page.

    An HTMX success shows its notice inside the region (a flash message would wait for the next
    full page)."""
    try:
        context = _detail_context(request, badge_id)
    except BadgesApiError as error:
        problem = api_problem(error)
        return render(
            request,
            "badges_ui/badge_detail.html",
            {"problem": problem, "badge": None},
            status=problem.status,
        )
    if form is not None:
        context[form_name] = form
    context["claims_notice"] = notice
    partial = "claims" if _htmx_target(request) == "claims" else None
    return render(request, "badges_ui/badge_detail.html", context, status=status, partial=partial)


@role_required(MARKETING)
@require_POST
def badge_claim(request, badge_id: str):
    client = client_for(request)
    try:
        badge = client.get_badge(badge_id)
    except BadgesApiNotFound as error:
        raise Http404("No such badge") from error
    except BadgesApiError as error:
        problem = api_problem(error)
        return render(
            request,
            "badges_ui/badge_detail.html",
            {"problem": problem, "badge": None},
            status=problem.status,
        )
    form = ClaimForm(request.POST, owners=badge.restricted_to_owners)
    if form.is_valid():
        try:
            client.claim_badge(
                badge_id,
                owner_type=form.cleaned_data["owner_type"],
                reference_id=form.cleaned_data["reference_id"],
            )
        except BadgesApiError as error:
            services.api_errors_to_form(
                form, error, references=services.CLAIM_REFERENCES, codes=services.CLAIM_CODES
            )
        else:
            notice = f"Claimed for {form.cleaned_data['owner_type']} {form.cleaned_data['reference_id']}."
            if _htmx_target(request) == "claims":
                return _claims_response(
                    request, badge_id, form_name="claim_form", form=None, status=200, notice=notice
                )
            messages.success(request, notice)
            return redirect(reverse("badges_ui:badge_detail", args=[badge_id]) + "#claims")
    return _claims_response(request, badge_id, form_name="claim_form", form=form, status=400)


@role_required(MARKETING)
@require_POST
def badge_unclaim(request, badge_id: str):
    client = client_for(request)
    form = UnclaimForm(request.POST)
    if form.is_valid():
        owner, reference = form.cleaned_data["owner_type"], form.cleaned_data["reference_id"]
        try:
            client.unclaim_badge(badge_id, owner_type=owner, reference_id=reference)
        except BadgesApiNotFound as error:
            if not error.errors:
                raise Http404("No such badge") from error
            services.api_errors_to_form(form, error, references={})
        except BadgesApiError as error:
            services.api_errors_to_form(form, error, references={})
        else:
            notice = f"The claim of {owner} {reference} is removed."
            if _htmx_target(request) == "claims":
                return _claims_response(
                    request,
                    badge_id,
                    form_name="unclaim_form",
                    form=None,
                    status=200,
                    notice=notice,
                )
            messages.success(request, notice)
            return redirect(reverse("badges_ui:badge_detail", args=[badge_id]) + "#claims")
    return _claims_response(request, badge_id, form_name="unclaim_form", form=form, status=400)
