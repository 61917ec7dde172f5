"""Settings: badge groups (name and rank; disable). Marketing managers and admins."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from badges_ui import services
from badges_ui.client import BadgesApiError, BadgesApiNotFound
from badges_ui.forms import GroupForm
from badges_ui.roles import MARKETING, role_required
from badges_ui.views.common import api_problem, client_for, render


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def group_list(request):
    """The org's groups by rank, with the form that adds one (POST here)."""
    client = client_for(request)
    form = GroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            group = client.create_group(
                name=form.cleaned_data["name"], rank=form.cleaned_data["rank"]
            )
        except BadgesApiError as error:
            services.api_errors_to_form(
                form, error, references=services.GROUP_REFERENCES, codes=services.GROUP_CODES
            )
        else:
            messages.success(request, f"Group “{group.name}” is added.")
            return redirect("badges_ui:group_list")

    show_disabled = request.GET.get("show") == "disabled"
    groups, problem = None, None
    try:
        groups = client.all_groups(active=not show_disabled)
    except BadgesApiError as error:
        problem = api_problem(error)
    status = problem.status if problem else 400 if form.errors else 200
    context = {"form": form, "groups": groups, "problem": problem, "show_disabled": show_disabled}
    return render(request, "badges_ui/group_list.html", context, status=status)


def _group_or_404(client, group_id: str):
    try:
        return client.get_group(group_id)
    except BadgesApiNotFound as error:
        raise Http404("No such group") from error


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def group_edit(request, group_id: str):
    client = client_for(request)
    group, problem = None, None
    try:
        group = _group_or_404(client, group_id)
    except BadgesApiError as error:
        problem = api_problem(error)
    if request.method == "POST":
        form = GroupForm(request.POST)
        if form.is_valid() and group is not None:
            try:
                client.update_group(
                    group_id, name=form.cleaned_data["name"], rank=form.cleaned_data["rank"]
                )
            except BadgesApiError as error:
                services.api_errors_to_form(
                    form, error, references=services.GROUP_REFERENCES, codes=services.GROUP_CODES
                )
            else:
                messages.success(request, f"Group “{form.cleaned_data['name']}” is saved.")
                return redirect("badges_ui:group_list")
    else:
        form = GroupForm(initial={"name": group.name, "rank": group.rank} if group else None)
    status = problem.status if problem else 400 if form.errors else 200
    return render(
        request,
        "badges_ui/group_edit.html",
        {"form": form, "group": group, "problem": problem},
        status=status,
    )


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def group_disable(request, group_id: str):
    """GET asks for confirmation; POST disables (the group's badges then rank as ungrouped)."""
    client = client_for(request)
    group, problem, errors = None, None, []
    try:
        group = _group_or_404(client, group_id)
    except BadgesApiError as error:
        problem = api_problem(error)
    if request.method == "POST" and group is not None:
        try:
            client.update_group(group_id, name=group.name, rank=group.rank, is_active=False)
        except BadgesApiError as error:
            errors = [str(item) for item in error.errors] or [services.unavailable_message(error)]
        else:
            messages.success(request, f"Group “{group.name}” is disabled.")
            return redirect("badges_ui:group_list")
    context = {
        "problem": problem,
        "errors": errors,
        "title": "Disable this group?",
        "object_label": group.name if group else "",
        "explanation": (
            "Badges in this group keep their settings but are ranked as ungrouped, and new badges "
            "cannot join it. The name becomes free for a new group."
        ),
        "confirm_label": "Disable group",
        "cancel_url": reverse("badges_ui:group_list"),
    }
    status = problem.status if problem else 400 if errors else 200
    return render(request, "badges_ui/confirm_disable.html", context, status=status)
