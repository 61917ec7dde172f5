"""The badge builder: create, edit and duplicate a badge, with a live preview beside the form.

Each mode is one page. A POST to it either publishes (the form's submit) or changes one region of
the form: add or remove a row, switch a row's type, upload an image, reset a custom field. HTMX
gets that region back, rendered from the posted data, and an event that makes the preview refresh
itself; without JavaScript the whole page comes back. The preview is its own endpoint, posted as
the marketer types. Uploaded images are served back by `badge_image`.
"""

import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from badges_ui import images, preview
from badges_ui.builder import (
    CREATE,
    DUPLICATE,
    EDIT,
    Action,
    BadgeBuilder,
    BuilderContext,
    apply_action,
    blank_initial,
    initial_from_badge,
)
from badges_ui.client import BadgesApiError, BadgesApiNotFound
from badges_ui.preview import Problem
from badges_ui.roles import MARKETING, role_required
from badges_ui.services import org_display
from badges_ui.views.common import api_problem, client_for, render

TEMPLATE = "badges_ui/badge_builder.html"
PREVIEW_TEMPLATE = "badges_ui/builder/preview.html"
IMAGE_FIELD = re.compile(r"^images-(\d+)-file$")


# --- pages ----------------------------------------------------------------------------------------


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def badge_create(request):
    return _builder(request, mode=CREATE)


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def badge_edit(request, badge_id: str):
    return _builder_from_badge(request, badge_id, mode=EDIT)


@role_required(MARKETING)
@require_http_methods(["GET", "POST"])
def badge_duplicate(request, badge_id: str):
    return _builder_from_badge(request, badge_id, mode=DUPLICATE)


@role_required(MARKETING)
@require_POST
def badge_preview(request, badge_id: str | None = None):
    """The preview panel for the posted form (never an error page: problems become notes)."""
    badge, problem = None, None
    if badge_id:
        try:
            badge = _badge_or_404(request, badge_id)
        except BadgesApiError as error:
            problem = api_problem(error)
    context, context_problem = _builder_context(
        request, mode=EDIT if badge_id else CREATE, badge=badge
    )
    builder = BadgeBuilder(context, data=request.POST)
    draft = builder.draft()
    problem = problem or context_problem
    if problem is not None:
        draft.problems.insert(0, Problem("", f"{problem.title}. {problem.message}"))
    page = {
        "preview": preview.badge_preview(draft, tz=context.tz, now=context.now),
        "tz_name": context.tz_name,
    }
    return render(request, PREVIEW_TEMPLATE, page)


@role_required(MARKETING)
@require_GET
def badge_name_check(request):
    """ "Available" or "already used" beside the name field, as the marketer types."""
    name = (request.GET.get("name") or "").strip()
    exclude = (request.GET.get("exclude") or "").strip() or None
    state = None
    if name:
        try:
            taken = client_for(request).badge_name_taken(name, excluding_id=exclude)
        except BadgesApiError:
            state = "unknown"
        else:
            state = "taken" if taken else "available"
    return render(request, TEMPLATE, {"name_state": state}, partial="name-check")


@require_GET
def badge_image(request, name: str):
    """An uploaded badge image, public (apps show it to customers), only ever one we stored."""
    path = images.image_path(name, media_root=settings.MEDIA_ROOT)
    if path is None:
        raise Http404("No such image")
    response = FileResponse(path.open("rb"), content_type=images.content_type_for(name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # named by its content
    # An SVG opened on its own is a document: nothing in it may run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# --- the builder ----------------------------------------------------------------------------------


def _builder_from_badge(request, badge_id: str, *, mode: str):
    try:
        badge = _badge_or_404(request, badge_id)
    except BadgesApiError as error:
        problem = api_problem(error)
        page = {"problem": problem, "title": "Badge", "unavailable": True}
        return render(request, TEMPLATE, page, status=problem.status)
    return _builder(request, mode=mode, badge=badge)


def _badge_or_404(request, badge_id: str):
    try:
        return client_for(request).get_badge(badge_id)
    except BadgesApiNotFound as error:
        raise Http404("No such badge") from error


def _builder_context(request, *, mode: str, badge=None):
    """The forms' context, and a problem to show when the groups or custom fields are unknown."""
    client = client_for(request)
    groups, custom_fields, problem = [], [], None
    try:
        groups = client.all_groups()
        custom_fields = client.all_custom_fields()
    except BadgesApiError as error:
        problem = api_problem(error)
    display = org_display()
    context = BuilderContext(
        mode=mode,
        tz=display.tz,
        tz_name=display.timezone_name,
        now=timezone.now(),
        groups=tuple(groups),
        custom_fields=tuple(custom_fields),
        badge=badge,
        own_media_prefix=request.build_absolute_uri(_media_prefix()),
    )
    return context, problem


def _media_prefix() -> str:
    """The path uploads are served under (badges_ui/urls.py routes it to badge_image)."""
    return reverse("badges_ui:badge_image", args=["-"]).removesuffix("-")


def _builder(request, *, mode: str, badge=None):
    client = client_for(request)
    context, problem = _builder_context(request, mode=mode, badge=badge)
    action = Action("refresh")
    if request.method == "POST":
        data = request.POST.copy()
        action = Action.parse((data.pop("_action", None) or [""])[-1])
        upload_errors = _accept_uploads(request, data)
        apply_action(data, action, context)
        builder = BadgeBuilder(
            context, data=data, upload_errors=upload_errors, show_errors=action.is_publish
        )
        if action.is_publish and problem is None and builder.is_valid():
            payload = preview.badge_payload(builder.draft())
            try:
                if context.editing:
                    saved = client.update_badge(payload)
                else:
                    saved = client.create_badge(payload, historical=builder.historical)
            except BadgesApiError as error:
                builder.add_api_errors(error)
            else:
                verb = "saved" if context.editing else "published"
                messages.success(request, f"“{saved.name}” is {verb}.")
                for warning in saved.warnings:
                    messages.warning(request, str(warning))
                return redirect("badges_ui:badge_detail", badge_id=saved.id)
        elif request.htmx and not action.is_publish:
            region = _region(action, builder)
            if region is not None:
                return _region_response(request, builder, region)
    else:
        if badge is None:
            initial = blank_initial(context)
        elif mode == DUPLICATE:
            initial = initial_from_badge(badge, context, name=_copy_name(client, badge.name))
        else:
            initial = initial_from_badge(badge, context)
        builder = BadgeBuilder.start(context, initial)

    draft = builder.draft()
    page = _page_context(request, builder, mode=mode, badge=badge, problem=problem)
    page["preview"] = preview.badge_preview(draft, tz=context.tz, now=context.now)
    page["summary"] = draft.problems if builder.show_errors else []
    status = 503 if problem and action.is_publish else 400 if page["summary"] else 200
    return render(request, TEMPLATE, page, status=status)


def _page_context(request, builder: BadgeBuilder, *, mode: str, badge, problem) -> dict:
    editing = mode == EDIT
    if mode == EDIT:
        title, submit = f"Edit “{badge.name}”", "Save changes"
        preview_url = reverse("badges_ui:badge_preview", args=[badge.id])
    else:
        title = f"Duplicate “{badge.name}”" if mode == DUPLICATE else "New badge"
        submit = "Publish badge"
        preview_url = reverse("badges_ui:badge_preview")
    cancel = (
        reverse("badges_ui:badge_detail", args=[badge.id])
        if badge
        else reverse("badges_ui:badge_list")
    )
    return {
        "builder": builder,
        "form": builder.form,
        "mode": mode,
        "editing": editing,
        "badge": badge,
        "title": title,
        "submit_label": submit,
        "action_url": request.path,
        "preview_url": preview_url,
        "name_check_url": reverse("badges_ui:badge_name_check"),
        "exclude_id": badge.id if editing else "",
        "cancel_url": cancel,
        "problem": problem,
        "show_errors": builder.show_errors,
        "tz_name": builder.context.tz_name,
        "verb": "save" if editing else "publish",
    }


def _copy_name(client, name: str) -> str:
    """ "Copy of X", or "Copy of X (2)" ... when taken (the name check would say so anyway)."""
    base = f"Copy of {name}"[:240]
    candidate = base
    for number in range(2, 10):
        try:
            if not client.badge_name_taken(candidate):
                return candidate
        except BadgesApiError:
            return candidate
        candidate = f"{base} ({number})"
    return candidate


def _accept_uploads(request, data) -> dict[str, str]:
    """Check and store each image row's uploaded file; its URL goes into the row's data.

    Runs before anything else on every POST, so an upload is kept whatever happens next (a
    failed publish, another row added). Answers {row prefix: why the file was refused}.
    """
    errors = {}
    for key, upload in request.FILES.items():
        match = IMAGE_FIELD.match(key)
        if match is None:
            continue
        prefix = f"images-{match[1]}"
        if upload.size > images.MAX_BYTES:
            size = upload.size / (1024 * 1024)
            errors[prefix] = f"The file is {size:.1f} MB; badge images may be at most 2 MB."
            continue
        try:
            checked = images.check_image(upload.read())
        except images.ImageRejected as error:
            errors[prefix] = str(error)
            continue
        name = images.store_image(checked, media_root=settings.MEDIA_ROOT)
        data[f"{prefix}-url"] = request.build_absolute_uri(_media_prefix() + name)
        if not (data.get(f"{prefix}-name") or "").strip():
            data[f"{prefix}-name"] = Path(upload.name or "").stem[:200]
    return errors


def _region(action: Action, builder: BadgeBuilder) -> dict | None:
    """Which part of the page an action re-renders, and what that partial needs."""
    target = action.target
    formset = builder.formsets.get(target)
    if action.verb in ("add", "remove", "upload") and formset is not None:
        region = {"region": "rows", "formset": formset}
        if action.verb == "add" and formset.forms:
            region["focus"] = formset.forms[-1].prefix
        elif action.verb == "remove":
            region["focus"] = f"add-{target}"
        return region
    if (
        action.verb == "refresh"
        and formset is not None
        and action.index is not None
        and action.index < len(formset.forms)
    ):
        return {"region": "row", "formset": formset, "row": formset.forms[action.index]}
    if action.verb == "refresh" and target == "expiry":
        return {"region": "expiry"}
    if action.verb == "reset":
        return {"region": "custom-fields"}
    return None


def _region_response(request, builder: BadgeBuilder, region: dict):
    """The changed region; the event tells the preview to refresh itself.

    Not an out-of-band swap of the preview: replacing the preview while its own request is in
    flight would orphan that request (htmx could no longer report it finished).
    """
    badge = builder.context.badge
    page = _page_context(request, builder, mode=builder.context.mode, badge=badge, problem=None)
    page |= region
    response = render(request, TEMPLATE, page, partial="builder-update")
    return trigger_client_event(response, "builder-changed", after="settle")
