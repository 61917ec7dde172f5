"""The badge catalogue: list, detail, activation and claims."""

from dataclasses import replace
from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import push_url

from badges_ui import services
from badges_ui.charts import earns_chart
from badges_ui.client import BadgesApiError, BadgesApiNotFound
from badges_ui.forms import ActivationForm, BadgeFilterForm, ClaimForm, UnclaimForm
from badges_ui.roles import MARKETING, SUPPORT, role_required
from badges_ui.types import FixedWindowCycles
from badges_ui.views.common import api_problem, client_for, render

CYCLES_PAGE_SIZE = 10
CHART_RANGES = (7, 30, 90)
DEFAULT_CHART_DAYS = 30
EARNS_PER_DAY_MAX_DAYS = 366  # the API's longest range per request


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


def _counted_cycles(client, badge_id: str, *, page: int) -> FixedWindowCycles:
    """One page of cycles, each with every customer's earns in it (revoked ones left out).

    Badge cycles carry the API's own `includeEarnCount`. For customer cycles Capillary counts
    only one given customer's earns, which says nothing about the badge, so the page shows the
    same badge-wide figure summed from the earns-per-day extension over the cycle's days (both
    count by event date in the org's days). Counts are extra: one the API cannot give (no
    extension, or a failure the chart card explains) stays unknown rather than hiding the cycles.
    """
    cycles = client.fixed_window_cycles(badge_id, page=page, size=CYCLES_PAGE_SIZE)
    counts: dict[tuple[str, int], int | None] = {}
    badge_references = dict.fromkeys(c.reference_id for c in cycles.cycles if c.level == "BADGE")
    for reference in badge_references:
        own = [c for c in cycles.cycles if c.reference_id == reference]
        try:
            counted = client.fixed_window_cycles(
                badge_id,
                constraint_type="BADGE",
                reference_id=reference,
                start=own[0].start_date,
                end=own[-1].start_date,
                size=len(own),
                include_earn_count=True,
            )
        except BadgesApiError:
            continue
        counts |= {(c.reference_id, c.cycle_index): c.earned_count for c in counted.cycles}
    customer_cycles = [c for c in cycles.cycles if c.level == "CUSTOMER"]
    if customer_cycles:
        daily = _earns_by_day(
            client,
            badge_id,
            min(c.first_day for c in customer_cycles),
            max(c.last_day for c in customer_cycles),
        )
        if daily is not None:
            for cycle in customer_cycles:
                counts[(cycle.reference_id, cycle.cycle_index)] = sum(
                    count
                    for day, count in daily.items()
                    if cycle.first_day <= day <= cycle.last_day
                )
    return replace(
        cycles,
        cycles=tuple(
            replace(c, earned_count=counts.get((c.reference_id, c.cycle_index)))
            for c in cycles.cycles
        ),
    )


def _earns_by_day(client, badge_id: str, first_day: date, last_day: date) -> dict[date, int] | None:
    """Earns per day over any span, asked in the API's longest ranges; None when unavailable."""
    counts: dict[date, int] = {}
    while first_day <= last_day:
        chunk_end = min(last_day, first_day + timedelta(days=EARNS_PER_DAY_MAX_DAYS - 1))
        try:
            earns = client.earns_per_day(badge_id, first_day=first_day, last_day=chunk_end)
        except BadgesApiError:
            return None
        counts |= {day.day: day.count for day in earns.days}
        first_day = chunk_end + timedelta(days=1)
    return counts


def _chart_days(request) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_CHART_DAYS))
    except ValueError:
        return DEFAULT_CHART_DAYS
    return days if days in CHART_RANGES else DEFAULT_CHART_DAYS


def _chart_ranges(request, badge_id: str) -> dict:
    """The range chooser's links; each keeps the page's other parameters (the cycles page)."""
    chosen = _chart_days(request)
    ranges = []
    for days in CHART_RANGES:
        query = request.GET.copy()
        query["days"] = str(days)
        url = reverse("badges_ui:badge_detail", args=[badge_id]) + "?" + query.urlencode()
        ranges.append({"days": days, "url": url, "current": days == chosen})
    return {"chart_days": chosen, "chart_ranges": ranges}


def _earns_context(request, client, badge) -> dict:
    """The earns-per-day card: the chosen number of days up to today, or up to the badge's last
    day once it has ended (so an ended badge shows its final weeks, not an empty chart).

    The API's failures stay inside the card: the rest of the page has already been fetched.
    """
    tz = services.org_display().tz
    last_day = timezone.now().astimezone(tz).date()
    if badge.expires_on is not None:
        last_day = min(last_day, badge.expires_on.astimezone(tz).date())
    context = _chart_ranges(request, badge.id) | {
        "earns": None,
        "chart": None,
        "chart_problem": None,
        "chart_unsupported": False,
    }
    first_day = last_day - timedelta(days=context["chart_days"] - 1)
    try:
        earns = client.earns_per_day(badge.id, first_day=first_day, last_day=last_day)
    except BadgesApiNotFound:
        context["chart_unsupported"] = True
    except BadgesApiError as error:
        context["chart_problem"] = api_problem(error)
    else:
        context["earns"] = earns
        starts_on = badge.start_on.astimezone(tz).date() if badge.start_on else None
        context["chart"] = earns_chart(earns, starts_on=starts_on) if earns.total else None
    return context


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
        cycles = _counted_cycles(client, badge.id, page=page)
    context = {
        "badge": badge,
        "group": group,
        "limits": services.badge_limits(badge),
        "cycles": cycles,
        "badge_id": badge.id,
        "claim_form": ClaimForm(owners=badge.restricted_to_owners),
        "problem": None,
    }
    return context | _earns_context(request, client, badge) | extra


@role_required(MARKETING, SUPPORT)
def badge_detail(request, badge_id: str):
    """Every setting of one badge. HTMX requests aimed at `cycles` page the cycles only; those
    aimed at `earns-per-day` redraw the chart for another range."""
    client = client_for(request)
    if _htmx_target(request) == "earns-per-day":
        return _earns_per_day_partial(request, client, badge_id)
    if _htmx_target(request) == "cycles":
        try:
            cycles = _counted_cycles(client, badge_id, page=_cycles_page(request) or 0)
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


def _earns_per_day_partial(request, client, badge_id: str):
    try:
        badge = client.get_badge(badge_id)
    except BadgesApiNotFound as error:
        raise Http404("No such badge") from error
    except BadgesApiError as error:
        context = {"badge_id": badge_id, "chart_problem": api_problem(error)}
        context |= _chart_ranges(request, badge_id)
    else:
        context = {"badge": badge, "badge_id": badge_id} | _earns_context(request, client, badge)
    problem = context["chart_problem"]
    response = render(
        request,
        "badges_ui/badge_detail.html",
        context,
        status=problem.status if problem else 200,
        partial="earns-per-day",
    )
    return push_url(response, request.get_full_path())


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
