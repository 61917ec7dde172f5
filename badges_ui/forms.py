"""The console's forms. They check shape only; the badge API owns the rules and its errors land
on these fields through services.api_errors_to_form."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import DjangoTemplates

from badges_ui.types import (
    BADGE_STATUSES,
    CUSTOM_FIELD_TYPES,
    EARN_TYPE_LABELS,
    OWNER_TYPES,
    STATUS_LABELS,
    BadgeFilters,
    Group,
    owner_label,
)


class ConsoleFormRenderer(DjangoTemplates):
    """Every console form renders through the console's own field and form templates."""

    form_template_name = "badges_ui/forms/form.html"
    field_template_name = "badges_ui/forms/field.html"


class ConsoleForm(forms.Form):
    default_renderer = ConsoleFormRenderer()
    error_css_class = "has-error"
    required_css_class = "is-required"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginForm(AuthenticationForm):
    default_renderer = ConsoleFormRenderer()
    error_css_class = "has-error"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


# --- the badge catalogue ----------------------------------------------------------------------

SORTS = {
    "newest": ("ID", "DESC", "Newest first"),
    "oldest": ("ID", "ASC", "Oldest first"),
    "name": ("NAME", "ASC", "Name A–Z"),
    "-name": ("NAME", "DESC", "Name Z–A"),
    "start": ("START_DATE", "ASC", "Start date, earliest first"),
    "-start": ("START_DATE", "DESC", "Start date, latest first"),
}
DEFAULT_SORT = "newest"
PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 20
UNCLAIMED = "unclaimed"


def _with_any(choices, label="Any") -> list[tuple[str, str]]:
    return [("", label), *choices]


class BadgeFilterForm(ConsoleForm):
    """The catalogue's filters, read from the query string (GET), so a view can be bookmarked."""

    q = forms.CharField(
        label="Search by name",
        required=False,
        max_length=255,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Badge name", "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=_with_any([(s, STATUS_LABELS[s]) for s in BADGE_STATUSES]),
    )
    active = forms.ChoiceField(
        label="Activation",
        required=False,
        choices=_with_any([("yes", "Active"), ("no", "Deactivated")]),
    )
    earn_type = forms.ChoiceField(
        label="Earn type", required=False, choices=_with_any(list(EARN_TYPE_LABELS.items()))
    )
    owner = forms.ChoiceField(
        label="Owner", required=False, choices=_with_any([(o, owner_label(o)) for o in OWNER_TYPES])
    )
    claimed = forms.ChoiceField(
        label="Claims",
        required=False,
        choices=_with_any(
            [(UNCLAIMED, "Not claimed by anyone")]
            + [(o, f"Claimed by {owner_label(o)}") for o in OWNER_TYPES]
        ),
    )
    group = forms.ChoiceField(label="Group", required=False, choices=_with_any([]))
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[(key, label) for key, (_, _, label) in SORTS.items()],
    )
    size = forms.TypedChoiceField(
        label="Per page",
        required=False,
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        choices=[(str(n), str(n)) for n in PAGE_SIZES],
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    FILTER_FIELDS = ("q", "status", "active", "earn_type", "owner", "claimed", "group")

    def __init__(self, data=None, *, groups: list[Group] = (), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["group"].choices = _with_any([(g.id, g.name) for g in groups])

    def _value(self, name: str):
        """A field's clean value, or its default when absent or invalid (a bad link still works)."""
        if not self.is_bound or name in self.errors:
            return self.fields[name].initial
        return self.cleaned_data.get(name)

    def filters(self) -> BadgeFilters:
        self.is_valid()
        sort_on, order, _ = SORTS.get(self._value("sort") or DEFAULT_SORT, SORTS[DEFAULT_SORT])
        claimed = self._value("claimed") or ""
        active = self._value("active")
        return BadgeFilters(
            status=self._value("status") or None,
            active=None if not active else active == "yes",
            earn_type=self._value("earn_type") or None,
            owner=self._value("owner") or None,
            claimed_by=claimed if claimed and claimed != UNCLAIMED else None,
            unclaimed=claimed == UNCLAIMED,
            group_id=self._value("group") or None,
            name=(self._value("q") or "").strip() or None,
            sort_on=sort_on,
            order=order,
        )

    @property
    def page_index(self) -> int:
        """0-based, as the API counts; the URL says page=1 for the first page."""
        self.is_valid()
        return max((self._value("page") or 1) - 1, 0)

    @property
    def page_size(self) -> int:
        self.is_valid()
        return self._value("size") or DEFAULT_PAGE_SIZE

    @property
    def is_filtered(self) -> bool:
        self.is_valid()
        return any(self._value(name) for name in self.FILTER_FIELDS)

    def query_string(self, *, page: int | None = None) -> str:
        """The canonical query: only what differs from the defaults, so URLs stay short."""
        self.is_valid()
        params = []
        for name in self.FILTER_FIELDS:
            value = self._value(name)
            if value:
                params.append((name, value))
        sort = self._value("sort")
        if sort and sort != DEFAULT_SORT:
            params.append(("sort", sort))
        size = self._value("size")
        if size and size != DEFAULT_PAGE_SIZE:
            params.append(("size", size))
        if page is not None and page > 1:
            params.append(("page", page))
        return urlencode(params)


# --- badge actions ----------------------------------------------------------------------------


class ActivationForm(ConsoleForm):
    to = forms.ChoiceField(
        choices=[("activate", "Activate"), ("deactivate", "Deactivate")], widget=forms.HiddenInput
    )


class ClaimForm(ConsoleForm):
    """Claim the badge for an owner module (one of the badge's owners) and its reference."""

    owner_type = forms.ChoiceField(label="Owner", choices=())
    reference_id = forms.CharField(
        label="Reference id",
        max_length=200,
        help_text="The program, campaign or journey that claims the badge.",
    )

    def __init__(self, data=None, *, owners: tuple[str, ...] = (), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["owner_type"].choices = [(owner, owner_label(owner)) for owner in owners]


class UnclaimForm(ConsoleForm):
    owner_type = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reference_id = forms.CharField(widget=forms.HiddenInput, max_length=200)


# --- settings ---------------------------------------------------------------------------------


class GroupForm(ConsoleForm):
    name = forms.CharField(label="Name", max_length=200)
    rank = forms.IntegerField(
        label="Rank",
        min_value=1,
        help_text="Rank 1 shows first in a customer's badge list; ranks may repeat.",
    )


class CustomFieldForm(ConsoleForm):
    name = forms.CharField(label="Name", max_length=200)
    data_type = forms.ChoiceField(
        label="Type",
        choices=[(t, t.capitalize()) for t in CUSTOM_FIELD_TYPES],
        help_text="Cannot change once the field exists.",
    )
    is_mandatory = forms.BooleanField(
        label="Mandatory",
        required=False,
        help_text="Every badge gets the default value unless it sets its own.",
    )
    default_value = forms.CharField(
        label="Default value",
        required=False,
        max_length=1000,
        help_text="Needed when mandatory. Integers as 42, booleans as true or false, dates as 2026-03-15.",
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["data_type"].disabled = True

    def default_for_api(self):
        """Blank means no default."""
        value = self.cleaned_data.get("default_value")
        return value if value not in (None, "") else None
