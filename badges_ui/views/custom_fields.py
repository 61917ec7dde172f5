"""Settings: custom fields (name, type, mandatory, default; disable). Marketing managers and admins."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from badges_ui import services
from badges_ui.client import BadgesApiError, BadgesApiNotFound
from badges_ui.forms import CustomFieldForm
from badges_ui.roles import MARKETING, role_required
from badges_ui.views.common import api_problem, client_for, render


def _save_errors(form, error) -> None:
    services.api_errors_to_form(
        form, error, references=services.CUSTOM_FIELD_REFERENCES, codes=services.CUSTOM_FIELD_CODES
    )


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def custom_field_list(request):
    """The org's custom fields, with the form that adds one (POST here)."""
    client = client_for(request)
    form = CustomFieldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            custom_field = client.create_custom_field(
                name=form.cleaned_data["name"],
                data_type=form.cleaned_data["data_type"],
                is_mandatory=form.cleaned_data["is_mandatory"],
                default_value=form.default_for_api(),
            )
        except BadgesApiError as error:
            _save_errors(form, error)
        else:
            messages.success(request, f"Custom field “{custom_field.name}” is added.")
            return redirect("badges_ui:custom_field_list")

    show_disabled = request.GET.get("show") == "disabled"
    fields, problem = None, None
    try:
        fields = client.all_custom_fields(active=not show_disabled)
    except BadgesApiError as error:
        problem = api_problem(error)
    status = problem.status if problem else 400 if form.errors else 200
    context = {
        "form": form,
        "custom_fields": fields,
        "problem": problem,
        "show_disabled": show_disabled,
    }
    return render(request, "badges_ui/custom_field_list.html", context, status=status)


def _field_or_404(client, field_id: str):
    try:
        return client.get_custom_field(field_id)
    except BadgesApiNotFound as error:
        raise Http404("No such custom field") from error


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def custom_field_edit(request, field_id: str):
    client = client_for(request)
    custom_field, problem = None, None
    try:
        custom_field = _field_or_404(client, field_id)
    except BadgesApiError as error:
        problem = api_problem(error)
    initial = None
    if custom_field is not None:
        initial = {
            "name": custom_field.name,
            "data_type": custom_field.data_type,
            "is_mandatory": custom_field.is_mandatory,
            "default_value": custom_field.default_value or "",
        }
    if request.method == "POST":
        form = CustomFieldForm(request.POST, initial=initial, editing=True)
        if form.is_valid() and custom_field is not None:
            try:
                client.update_custom_field(
                    field_id,
                    name=form.cleaned_data["name"],
                    is_mandatory=form.cleaned_data["is_mandatory"],
                    default_value=form.default_for_api(),
                )
            except BadgesApiError as error:
                _save_errors(form, error)
            else:
                messages.success(request, f"Custom field “{form.cleaned_data['name']}” is saved.")
                return redirect("badges_ui:custom_field_list")
    else:
        form = CustomFieldForm(initial=initial, editing=True)
    status = problem.status if problem else 400 if form.errors else 200
    context = {"form": form, "custom_field": custom_field, "problem": problem}
    return render(request, "badges_ui/custom_field_edit.html", context, status=status)


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def custom_field_disable(request, field_id: str):
    """GET asks for confirmation; POST disables for good (the API refuses re-enabling: 9009)."""
    client = client_for(request)
    custom_field, problem, errors = None, None, []
    try:
        custom_field = _field_or_404(client, field_id)
    except BadgesApiError as error:
        problem = api_problem(error)
    if request.method == "POST" and custom_field is not None:
        try:
            client.update_custom_field(field_id, name=custom_field.name, is_active=False)
        except BadgesApiError as error:
            errors = [str(item) for item in error.errors] or [services.unavailable_message(error)]
        else:
            messages.success(request, f"Custom field “{custom_field.name}” is disabled.")
            return redirect("badges_ui:custom_field_list")
    context = {
        "problem": problem,
        "errors": errors,
        "title": "Disable this custom field?",
        "object_label": custom_field.name if custom_field else "",
        "explanation": (
            "The field disappears from every badge, with the values badges had for it. "
            "This cannot be undone: a disabled field cannot be enabled again, though a new field "
            "may take its name."
        ),
        "confirm_label": "Disable custom field",
        "cancel_url": reverse("badges_ui:custom_field_list"),
    }
    status = problem.status if problem else 400 if errors else 200
    return render(request, "badges_ui/confirm_disable.html", context, status=status)
