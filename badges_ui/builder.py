"""The badge builder's forms.

One form for the badge itself (`BadgeForm`), one formset per kind of repeatable row (customer
limits, badge limits, benefits, images, tags), one form for the org's custom fields, and
`BadgeBuilder`, which binds them together and

- applies the builder's row actions (add, remove, reset a custom field) to the posted data
  before binding, so every re-rendered region comes from what the marketer typed;
- turns the valid parts into a `preview.Draft` (what the preview shows and publishing sends);
- puts each error the badge API answers on the field its `reference` names.

The forms check shape only (a number where a number goes, the fields a row's type needs); the
badge API owns the rules, and its codes land on these fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from types import SimpleNamespace
from typing import Any, ClassVar

from django import forms
from django.forms.boundfield import BoundField
from django.forms.formsets import DELETION_FIELD_NAME, BaseFormSet, all_valid, formset_factory
from django.http import QueryDict
from django.utils import timezone

from badge_rules.windows import DAY_NAMES
from badges_ui import images
from badges_ui.client import (
    BadgesApiAuthError,
    BadgesApiError,
    BadgesApiNotFound,
    BadgesApiUnavailable,
)
from badges_ui.forms import ConsoleForm
from badges_ui.preview import BADGE, BENEFIT_IDS, CUSTOMER, Draft, Problem, Row
from badges_ui.services import (
    BADGE_CODES,
    BADGE_REFERENCES,
    api_error_message,
    field_for_reference,
    unavailable_message,
)
from badges_ui.types import (
    BENEFIT_LABELS,
    EARN_TYPE_LABELS,
    IMAGE_TAG_LABELS,
    IMAGE_TAGS,
    OWNER_TYPES,
    ApiErrorItem,
    Badge,
    Constraint,
    CustomField,
    Expiry,
    Group,
    owner_label,
)

CREATE, EDIT, DUPLICATE = "create", "edit", "duplicate"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
UNIT_CHOICES = [("DAYS", "days"), ("WEEKS", "weeks"), ("MONTHS", "months")]
DAY_CHOICES = [(day, day.capitalize()) for day in DAY_NAMES]
MAX_ROWS = 100  # the badge API's limit per list


# --- the builder's context -------------------------------------------------------------------


@dataclass(frozen=True)
class BuilderContext:
    """What the forms need to know beyond the posted data."""

    mode: str
    tz: tzinfo
    tz_name: str
    now: datetime
    groups: tuple[Group, ...] = ()
    custom_fields: tuple[CustomField, ...] = ()
    badge: Badge | None = None  # edit and duplicate: the badge it starts from
    own_media_prefix: str = ""  # absolute URL under which this console serves uploads

    @property
    def editing(self) -> bool:
        return self.mode == EDIT and self.badge is not None

    @property
    def claimed_owners(self) -> tuple[str, ...]:
        """Owners the service will not let an edit remove: they hold an active claim."""
        if not self.editing:
            return ()
        return tuple(sorted({claim.owner_type for claim in self.badge.claims if claim.is_active}))

    @property
    def start_locked(self) -> bool:
        """Once a badge is live (or ended) its start cannot change (the API answers 723)."""
        return self.editing and self.badge.status != "UPCOMING"

    def locked_window(self, level: str) -> bool | None:
        """For a live badge being edited: True when the level has a fixed window (it must keep
        one), False when it has other limits (they cannot become a fixed window), else None."""
        if not self.start_locked:
            return None
        constraints = [
            c for c in self.badge.constraints if c.level == level and c.kind != "NO_LIMIT"
        ]
        if not constraints:
            return None
        return any(c.is_fixed_window for c in constraints)


# --- fields and forms ------------------------------------------------------------------------


class LocalDateTimeField(forms.DateTimeField):
    """A datetime-local input read and shown in the org's timezone (not the server's)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    input_formats = [  # noqa: RUF012 (Django's own field attribute)
        LOCAL_FORMAT,
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",  # a hidden input keeping a value renders this way
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
    ]

    def __init__(self, *, tz: tzinfo | None = None, **kwargs):
        self.tz = tz
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None and self.tz is not None:
            return value.astimezone(self.tz).replace(tzinfo=None)
        return value

    def to_python(self, value):
        if self.tz is None:
            return super().to_python(value)
        with timezone.override(self.tz):
            return super().to_python(value)


class BuilderBoundField(BoundField):
    """Errors (and aria-invalid) only once the marketer tried to publish.

    Adding a row or switching a type re-renders bound forms; they must not light up red for
    fields nobody has filled in yet. The preview lists what is missing instead.
    """

    @property
    def errors(self):
        form = self.form
        if getattr(form, "show_errors", True) or self.name in getattr(form, "always_show", ()):
            return super().errors
        return form.error_class(renderer=form.renderer)

    def as_inline(self):
        """Small label, input and errors: one field in a sentence of fields."""
        return self.render("badges_ui/builder/inline_field.html")

    @property
    def is_optional(self) -> bool:
        """Shown as "(optional)" among the fields a row's type sends."""
        return self.name in getattr(self.form, "optional_fields", ())


class BuilderForm(ConsoleForm):
    bound_field_class = BuilderBoundField
    show_errors = True

    def __init__(self, *args, show_errors: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_errors = show_errors

    def visible_non_field_errors(self):
        return self.non_field_errors() if self.show_errors else self.error_class()


def _required(message: str) -> dict:
    return {"required": message}


def _words(items: Iterable[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


EARNED_EXPIRY_CHOICES = [
    ("WITH_BADGE_META", "When the badge ends"),
    ("RELATIVE", "A set time after it is earned"),
    ("FIXED_DATE", "On a fixed date"),
    ("NEVER", "Never"),
]
ISSUED_EXPIRY_CHOICES = [
    ("WITH_BADGE_META", "When the badge ends"),
    ("RELATIVE", "A set time after enrolment"),
    ("FIXED_DATE", "On a fixed date"),
    ("NEVER", "Never"),
]


class BadgeForm(BuilderForm):
    name = forms.CharField(
        label="Name",
        max_length=255,
        error_messages=_required("Give the badge a name."),
        help_text="Customers see it. Unique in your organisation; capitals count.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=4000,
        help_text="What a customer does to earn it, e.g. “Buy three coffees in a week”.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    earn_type = forms.ChoiceField(
        label="How customers get it",
        choices=list(EARN_TYPE_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages=_required("Choose how customers get the badge."),
    )
    active = forms.BooleanField(
        label="Active",
        required=False,
        help_text="Only an active badge can be earned. You can also activate it later.",
    )
    start_on = LocalDateTimeField(
        label="Starts", error_messages=_required("Choose when the badge starts.")
    )
    expires_on = LocalDateTimeField(
        label="Ends", error_messages=_required("Choose when the badge ends.")
    )
    historical = forms.BooleanField(
        label="Historical badge",
        required=False,
        help_text="Lets the start be in the past, to import a badge that already ran. "
        "Sends Capillary's migration header.",
        widget=forms.CheckboxInput(attrs={"role": "switch"}),
    )
    group = forms.ChoiceField(
        label="Group",
        required=False,
        choices=(),
        help_text="Badges of a group are ranked together.",
    )
    rank = forms.IntegerField(
        label="Rank",
        required=False,
        min_value=1,
        help_text="1 shows first in a customer's list.",
    )
    owners = forms.MultipleChoiceField(
        label="Owners",
        choices=[(owner, owner_label(owner)) for owner in OWNER_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required("Choose at least one owner."),
        help_text="The modules that may claim and issue the badge.",
    )
    earned_expiry_type = forms.ChoiceField(
        label="An earned badge expires",
        choices=EARNED_EXPIRY_CHOICES,
        widget=forms.RadioSelect,
        error_messages=_required("Choose when an earned badge expires."),
    )
    earned_expiry_value = forms.IntegerField(label="How many", required=False, min_value=1)
    earned_expiry_unit = forms.ChoiceField(label="Unit", required=False, choices=UNIT_CHOICES)
    earned_expiry_date = LocalDateTimeField(label="Expires on", required=False)
    issued_expiry_type = forms.ChoiceField(
        label="An enrolment expires",
        required=False,
        choices=ISSUED_EXPIRY_CHOICES,
        widget=forms.RadioSelect,
    )
    issued_expiry_value = forms.IntegerField(label="How many", required=False, min_value=1)
    issued_expiry_unit = forms.ChoiceField(label="Unit", required=False, choices=UNIT_CHOICES)
    issued_expiry_date = LocalDateTimeField(label="Expires on", required=False)

    # Labels that only make sense inside their sentence get its subject in the list of problems.
    problem_groups: ClassVar[dict[str, str]] = {
        **{
            f"earned_expiry_{part}": "An earned badge expires" for part in ("value", "unit", "date")
        },
        **{f"issued_expiry_{part}": "An enrolment expires" for part in ("value", "unit", "date")},
    }

    def __init__(self, *args, context: BuilderContext, **kwargs):
        super().__init__(*args, **kwargs)
        self.context = context
        for name in ("start_on", "expires_on", "earned_expiry_date", "issued_expiry_date"):
            self.fields[name].tz = context.tz
        self.fields["group"].choices = [("", "No group")] + [
            (group.id, f"{group.name} (group rank {group.rank})") for group in context.groups
        ]
        if context.mode == EDIT:
            del self.fields["historical"]
        if context.start_locked:
            # A disabled input is not posted; the form then reads the badge's own start.
            self.initial["start_on"] = context.badge.start_on
            start = self.fields["start_on"]
            start.disabled = True
            start.help_text = "Locked: the badge has started, so its start can no longer change."
        if context.claimed_owners:
            names = _words(owner_label(owner) for owner in context.claimed_owners)
            one = len(context.claimed_owners) == 1
            self.fields["owners"].help_text = (
                f"{names} {'holds an active claim' if one else 'hold active claims'} on this "
                f"badge, so {'it stays an owner' if one else 'they stay owners'} until the claim "
                "is removed (Capillary code 9001)."
            )

    def earn_type_value(self) -> str:
        return self["earn_type"].value() or "EARN"

    def expiry_value(self, which: str) -> str:
        return self[f"{which}_expiry_type"].value() or ""

    def clean_owners(self):
        owners = self.cleaned_data.get("owners") or []
        kept = [owner for owner in self.context.claimed_owners if owner not in owners]
        if kept:
            raise forms.ValidationError(
                f"{_words(owner_label(owner) for owner in kept)} cannot stop being an owner while "
                "it has an active claim; remove the claim first (Capillary code 9001)."
            )
        return owners

    def clean_start_on(self):
        return self._keep_seconds(self.cleaned_data.get("start_on"), "start_on")

    def clean_expires_on(self):
        return self._keep_seconds(self.cleaned_data.get("expires_on"), "expires_on")

    def _keep_seconds(self, value: datetime | None, name: str) -> datetime | None:
        """The input shows minutes; an untouched date keeps the badge's exact instant, so an
        edit never moves a locked start (723) or an ended badge's end (724) by a few seconds."""
        badge = self.context.badge
        original = None if badge is None or self.context.mode != EDIT else getattr(badge, name)
        minute = {"second": 0, "microsecond": 0}
        if (
            value is not None
            and original is not None
            and value.replace(**minute) == original.replace(**minute)
        ):
            return original
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("start_on"), data.get("expires_on")
        if start and end and start >= end:
            self.add_error("expires_on", "The end must be after the start.")
        elif (
            end
            and self.context.editing
            and end != self.context.badge.expires_on
            and end < self.context.now
        ):
            self.add_error(
                "expires_on", "The end can move, but not into the past (Capillary code 724)."
            )
        for which in ("earned", "issued"):
            if which == "issued":
                if data.get("earn_type") != "ISSUE_EARN":
                    continue
                if not data.get("issued_expiry_type"):
                    self.add_error("issued_expiry_type", "Choose when an enrolment expires.")
                    continue
            kind = data.get(f"{which}_expiry_type")
            if kind == "RELATIVE":
                if data.get(f"{which}_expiry_value") is None and not self.has_error(
                    f"{which}_expiry_value"
                ):
                    self.add_error(f"{which}_expiry_value", "How many days, weeks or months?")
                if not data.get(f"{which}_expiry_unit"):
                    self.add_error(f"{which}_expiry_unit", "Choose days, weeks or months.")
            elif (
                kind == "FIXED_DATE"
                and data.get(f"{which}_expiry_date") is None
                and not self.has_error(f"{which}_expiry_date")
            ):
                self.add_error(f"{which}_expiry_date", "Choose the date it expires.")
        return data


class CustomFieldsForm(BuilderForm):
    """One input per active custom field of the org; mandatory ones start at their default."""

    def __init__(self, *args, definitions: Iterable[CustomField] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.definitions = {f"custom_{definition.id}": definition for definition in definitions}
        for key, definition in self.definitions.items():
            self.fields[key] = _custom_field(definition)

    @property
    def resettable(self) -> tuple[str, ...]:
        """The inputs that have a default to go back to."""
        return tuple(
            key
            for key, definition in self.definitions.items()
            if definition.default_value is not None
        )

    def key_for(self, name: str) -> str | None:
        for key, definition in self.definitions.items():
            if definition.name == name:
                return key
        return None

    def values(self) -> dict[str, str]:
        """{field name: value as Capillary stores it (text)} of the valid, filled-in fields."""
        values = {}
        for key, definition in self.definitions.items():
            value = getattr(self, "cleaned_data", {}).get(key)
            if value in (None, ""):
                continue
            if definition.data_type == "DATE":
                value = value.isoformat()
            values[definition.name] = str(value)
        return values


def _custom_field(definition: CustomField) -> forms.Field:
    required = definition.is_mandatory
    if definition.is_mandatory:
        help_text = "Mandatory" + (
            f"; default “{definition.default_value}”"
            if definition.default_value is not None
            else ""
        )
    else:
        help_text = "Optional" + (
            f"; default “{definition.default_value}”"
            if definition.default_value is not None
            else ""
        )
    common = {"label": definition.name, "required": required, "help_text": help_text}
    if definition.data_type == "INTEGER":
        return forms.IntegerField(**common)
    if definition.data_type == "BOOLEAN":
        choices = [("true", "Yes"), ("false", "No")]
        if not required:
            choices = [("", "Not set")] + choices
        return forms.ChoiceField(choices=choices, **common)
    if definition.data_type == "DATE":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    return forms.CharField(max_length=1000, **common)


# --- repeatable rows -------------------------------------------------------------------------


ROWS_TEMPLATE = "badges_ui/builder/rows.html"


class RowForm(BuilderForm):
    """A formset row: knows its index, number among the rows still shown, and title."""

    title_prefix = "Row"
    # How the row draws (badges_ui/builder/rows.html): the partial with its fields, whether it is
    # one line (title for screen readers only), and the words of its formset.
    fields_template = ""
    compact = False
    add_label = "Add a row"
    empty_text = "None yet."
    optional_fields: tuple[str, ...] = ()
    # Field names that depend on the row's type; those the type does not need are kept as hidden
    # inputs (so switching back loses nothing) and are neither validated nor sent.
    typed_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.index = 0
        self.number = 0
        self.removed = False

    @property
    def title(self) -> str:
        return f"{self.title_prefix} {self.number}"

    def needs(self) -> tuple[str, ...]:
        return self.typed_fields

    def hidden_fields_kept(self) -> list[BoundField]:
        needed = set(self.needs())
        return [self[name] for name in self.typed_fields if name not in needed]

    def _drop_unneeded_errors(self) -> None:
        needed = set(self.needs())
        for name in self.typed_fields:
            if name not in needed and name in self._errors:
                del self._errors[name]
                self.cleaned_data.pop(name, None)

    def _require(self, data: dict, *names: str, message: str = "Required.") -> None:
        for name in names:
            if data.get(name) in (None, "") and not self.has_error(name):
                self.add_error(name, message)


LIMIT_KIND_CHOICES = [
    ("FIXED_WINDOW", "Per day, week or month (fixed window)"),
    ("ROLLING_WINDOW", "In any N days, weeks or months (rolling window)"),
    ("FIXED_VALUE", "In total while the badge runs (lifetime cap)"),
    ("NO_LIMIT", "No limit"),
]
DURATION_CHOICES = [("DAYS", "block of days"), ("WEEKS", "week"), ("MONTHS", "calendar month")]
ROLLING_FIELDS = (
    "max_for_days",
    "roll_for_days",
    "max_for_weeks",
    "roll_for_weeks",
    "max_for_months",
    "roll_for_months",
)


class LimitForm(RowForm):
    kind = forms.ChoiceField(label="Type of limit", choices=LIMIT_KIND_CHOICES)
    max_earn_limit = forms.IntegerField(label="At most", required=False, min_value=1)
    duration_type = forms.ChoiceField(label="Per", required=False, choices=DURATION_CHOICES)
    refresh_rate = forms.IntegerField(label="Days in each block", required=False, min_value=1)
    start_day = forms.ChoiceField(label="Weeks start on", required=False, choices=DAY_CHOICES)
    max_for_days = forms.IntegerField(label="At most", required=False, min_value=1)
    roll_for_days = forms.IntegerField(label="In any … days", required=False, min_value=1)
    max_for_weeks = forms.IntegerField(label="At most", required=False, min_value=1)
    roll_for_weeks = forms.IntegerField(label="In any … weeks", required=False, min_value=1)
    max_for_months = forms.IntegerField(label="At most", required=False, min_value=1)
    roll_for_months = forms.IntegerField(label="In any … months", required=False, min_value=1)
    roll_value = forms.IntegerField(label="In any", required=False, min_value=1)
    roll_type = forms.ChoiceField(label="Unit", required=False, choices=UNIT_CHOICES)

    typed_fields = (
        "max_earn_limit",
        "duration_type",
        "refresh_rate",
        "start_day",
        *ROLLING_FIELDS,
        "roll_value",
        "roll_type",
    )

    fields_template = f"{ROWS_TEMPLATE}#limit-fields"

    def __init__(self, *args, level: str = CUSTOMER, **kwargs):
        super().__init__(*args, **kwargs)
        self.level = level
        self.title_prefix = "Customer limit" if level == CUSTOMER else "Limit for everyone"

    def kind_value(self) -> str:
        return self["kind"].value() or "FIXED_WINDOW"

    def duration_value(self) -> str:
        return self["duration_type"].value() or "WEEKS"

    def needs(self) -> tuple[str, ...]:
        kind = self.kind_value()
        if kind == "FIXED_VALUE":
            return ("max_earn_limit",)
        if kind == "FIXED_WINDOW":
            extra = {"DAYS": ("refresh_rate",), "WEEKS": ("start_day",)}.get(
                self.duration_value(), ()
            )
            return ("max_earn_limit", "duration_type", *extra)
        if kind == "ROLLING_WINDOW":
            return (
                ROLLING_FIELDS
                if self.level == CUSTOMER
                else ("max_earn_limit", "roll_value", "roll_type")
            )
        return ()

    def clean(self):
        data = super().clean()
        self._drop_unneeded_errors()
        kind = data.get("kind")
        if kind == "FIXED_VALUE":
            self._require(data, "max_earn_limit", message="How many times at most?")
        elif kind == "FIXED_WINDOW":
            self._require(data, "max_earn_limit", message="How many times at most?")
            self._require(data, "duration_type")
            if data.get("duration_type") == "DAYS":
                self._require(data, "refresh_rate", message="How many days in each block?")
            if data.get("duration_type") == "WEEKS" and not data.get("start_day"):
                data["start_day"] = "MONDAY"
        elif kind == "ROLLING_WINDOW" and self.level == BADGE:
            self._require(data, "max_earn_limit", message="How many times at most?")
            self._require(data, "roll_value", message="How many days, weeks or months?")
            self._require(data, "roll_type")
        elif kind == "ROLLING_WINDOW":
            filled = 0
            for unit in ("days", "weeks", "months"):
                most, window = f"max_for_{unit}", f"roll_for_{unit}"
                has_most, has_window = data.get(most) is not None, data.get(window) is not None
                if has_most and has_window:
                    filled += 1
                elif has_most and not self.has_error(window):
                    self.add_error(window, f"In how many {unit}?")
                elif has_window and not self.has_error(most):
                    self.add_error(most, "How many times at most?")
            if not filled and not any(self.has_error(name) for name in ROLLING_FIELDS):
                self.add_error(
                    None,
                    "Fill at least one line: at most how many in any number of days, weeks or "
                    "months.",
                )
        return data


class BenefitForm(RowForm):
    title_prefix = "Benefit"
    fields_template = f"{ROWS_TEMPLATE}#benefit-fields"
    add_label = "Add a benefit"
    empty_text = "No benefit."
    benefit_type = forms.ChoiceField(label="Benefit", choices=list(BENEFIT_LABELS.items()))
    series_id = forms.IntegerField(label="Series id", required=False, min_value=1)
    points = forms.IntegerField(label="Points", required=False, min_value=1)
    program_id = forms.IntegerField(label="Program id", required=False, min_value=1)
    promotion_id = forms.IntegerField(label="Promotion id", required=False, min_value=1)
    allocation_strategy_id = forms.IntegerField(
        label="Allocation strategy id", required=False, min_value=1
    )
    expiration_strategy_id = forms.IntegerField(
        label="Expiration strategy id", required=False, min_value=1
    )
    default_till_id = forms.IntegerField(label="Default till id", required=False, min_value=1)

    typed_fields = tuple(dict.fromkeys(name for ids in BENEFIT_IDS.values() for name, _ in ids))
    # Which ids each type sends is preview.BENEFIT_IDS (the payload's own table); of those, these
    # may be left out (Capillary marks them optional for loyalty points).
    OPTIONAL = frozenset({"points", "default_till_id"})

    def type_value(self) -> str:
        return self["benefit_type"].value() or "COUPON"

    def needs(self) -> tuple[str, ...]:
        return tuple(name for name, _ in BENEFIT_IDS.get(self.type_value(), ()))

    @property
    def optional_fields(self) -> tuple[str, ...]:
        return tuple(name for name in self.needs() if name in self.OPTIONAL)

    def needed_fields(self) -> list[BoundField]:
        """The fields this benefit type sends, in Capillary's order."""
        return [self[name] for name in self.needs()]

    def clean(self):
        data = super().clean()
        self._drop_unneeded_errors()
        if data.get("benefit_type"):
            required = [name for name in self.needs() if name not in self.OPTIONAL]
            self._require(data, *required)
        return data


class ImageForm(RowForm):
    title_prefix = "Image"
    fields_template = f"{ROWS_TEMPLATE}#image-fields"
    add_label = "Add an image"
    empty_text = "No image yet: the catalogue shows the badge's initial instead."
    tag = forms.ChoiceField(
        label="Shown when", choices=[(t, IMAGE_TAG_LABELS[t]) for t in IMAGE_TAGS]
    )
    file = forms.FileField(
        label="Upload a file",
        required=False,
        help_text="Square PNG, JPEG or SVG, at most 2 MB.",
        widget=forms.FileInput(attrs={"accept": images.ACCEPT}),
    )
    url = forms.CharField(
        label="Or its address (URL)",
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "inputmode": "url"}),
    )
    name = forms.CharField(label="Image name", required=False, max_length=200)
    file_handle = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        upload_errors: dict[str, str] | None = None,
        own_media_prefix: str = "",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.upload_error = (upload_errors or {}).get(self.prefix)
        self.own_media_prefix = own_media_prefix
        # A refused file is news at once, not only when publishing.
        self.always_show = ("file",) if self.upload_error else ()

    def url_value(self) -> str:
        return (self["url"].value() or "").strip()

    def tag_label(self) -> str:
        return IMAGE_TAG_LABELS.get(self["tag"].value() or "", "")

    def thumbnail_url(self) -> str | None:
        """The image to show beside the row, when the console's CSP lets the browser load it."""
        url = self.url_value()
        return url if _displayable(url, self.own_media_prefix) else None

    def clean_url(self):
        url = (self.cleaned_data.get("url") or "").strip()
        if url and not re.match(r"^(https?://[^\s/]+|/(?!/))\S*$", url):
            raise forms.ValidationError(
                "Give a web address starting with https://, or upload a file instead."
            )
        return url

    def clean(self):
        data = super().clean()
        if self.upload_error:
            self.add_error("file", self.upload_error)
        elif not data.get("url") and not data.get("file_handle") and not self.has_error("url"):
            self.add_error("url", "Upload an image or give its address.")
        return data


def _displayable(url: str, own_media_prefix: str) -> bool:
    """https anywhere, our own uploads, or a path on this server (the demo badges' images live
    under /static/). Plain http elsewhere is accepted by the API but blocked by our CSP."""
    if not url:
        return False
    if url.startswith("https://"):
        return True
    if own_media_prefix and url.startswith(own_media_prefix):
        return True
    return url.startswith("/") and not url.startswith("//")


class TagForm(RowForm):
    title_prefix = "Tag"
    fields_template = f"{ROWS_TEMPLATE}#tag-fields"
    compact = True
    add_label = "Add a tag"
    empty_text = "No tag."
    name = forms.CharField(
        label="Tag name", max_length=200, error_messages=_required("Give the tag a name.")
    )
    value = forms.CharField(label="Value", required=False, max_length=1000)


class BuilderFormSet(BaseFormSet):
    """Rows that are never silently skipped: a row on screen is a row that must be valid."""

    def __init__(self, *args, show_errors: bool = True, **kwargs):
        self.show_errors = show_errors
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {
            "empty_permitted": False,
            "show_errors": self.show_errors,
        }

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.index = i
        return form

    def is_removed(self, form) -> bool:
        """Removed rows stay in the posted data, flagged DELETE, as Django's formsets expect."""
        if not (self.is_bound and self.can_delete):
            return False
        return bool(form[DELETION_FIELD_NAME].data)

    @property
    def live_forms(self) -> list:
        return [form for form in self.forms if not form.removed]

    def number_rows(self) -> None:
        number = 0
        for form in self.forms:
            form.removed = self.is_removed(form)
            if not form.removed:
                number += 1
                form.number = number

    def visible_non_form_errors(self):
        return self.non_form_errors() if self.show_errors else self.error_class()

    @property
    def add_label(self) -> str:
        return self.form.add_label

    @property
    def empty_text(self) -> str:
        return self.form.empty_text

    @property
    def notes(self) -> tuple[str, ...]:
        """What the service will refuse here, said before the marketer tries."""
        return ()


class LimitFormSet(BuilderFormSet):
    def __init__(self, *args, level: str = CUSTOMER, locked_window: bool | None = None, **kwargs):
        self.level = level
        self.locked_window = locked_window
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {"level": self.level}

    @property
    def level_words(self) -> str:
        return "per customer" if self.level == CUSTOMER else "for all customers together"

    @property
    def add_label(self) -> str:
        return f"Add a limit {self.level_words}"

    @property
    def empty_text(self) -> str:
        return "No per-customer limit." if self.level == CUSTOMER else "No overall limit."

    @property
    def notes(self) -> tuple[str, ...]:
        if self.locked_window is True:
            return (
                (
                    "This level has a fixed window: keep one (its size and period may change), "
                    "or remove every limit here."
                ),
            )
        if self.locked_window is False:
            return (
                (
                    "These limits cannot become a fixed window now that the badge has started; "
                    "rolling windows and lifetime caps can replace each other."
                ),
            )
        return ()

    def clean(self):
        """One limit of each kind per level (badge rolling windows: one per length), as the API."""
        seen: dict[tuple, int] = {}
        kinds = set()
        for form in self.forms:
            if self.is_removed(form) or not hasattr(form, "cleaned_data"):
                continue
            data = form.cleaned_data
            kind = data.get("kind")
            if not kind or kind == "NO_LIMIT":
                continue
            kinds.add(kind)
            identity: tuple = (kind,)
            if kind == "ROLLING_WINDOW" and self.level == BADGE:
                identity = (kind, data.get("roll_type"), data.get("roll_value"))
            if identity in seen:
                label = dict(LIMIT_KIND_CHOICES)[kind].split(" (")[-1].rstrip(")")
                rows = f"{form.title_prefix.lower()}s {seen[identity]} and {form.number}"
                length = " for the same length" if len(identity) > 1 else ""
                raise forms.ValidationError(
                    f"Only one {label} {self.level_words}{length}: {rows} repeat it.",
                    code="duplicate",
                )
            seen[identity] = form.number
        if self.locked_window is True and "FIXED_WINDOW" not in kinds and kinds:
            raise forms.ValidationError(
                "This badge has started, so its fixed window cannot become another kind of limit "
                "(Capillary code 826). Keep a fixed window, or remove every limit of this level.",
                code="locked",
            )
        if self.locked_window is False and "FIXED_WINDOW" in kinds:
            raise forms.ValidationError(
                "This badge has started, so these limits cannot switch to a fixed window "
                "(Capillary code 826). Rolling windows and lifetime caps can replace each other.",
                code="locked",
            )


def _formset(form, formset=BuilderFormSet):
    return formset_factory(
        form, formset=formset, extra=0, can_delete=True, max_num=MAX_ROWS, validate_max=True
    )


LimitRows = _formset(LimitForm, LimitFormSet)
BenefitRows = _formset(BenefitForm)
ImageRows = _formset(ImageForm)
TagRows = _formset(TagForm)

# prefix (also the id of the region the rows render in) -> (formset class, section name)
ROWS = {
    "customer-limits": (LimitRows, "Customer limits"),
    "badge-limits": (LimitRows, "Limits for everyone"),
    "benefits": (BenefitRows, "Benefits"),
    "images": (ImageRows, "Images"),
    "tags": (TagRows, "Tags"),
}


# --- initial values --------------------------------------------------------------------------


@dataclass
class BuilderInitial:
    main: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)


def blank_initial(context: BuilderContext) -> BuilderInitial:
    """A new badge: directly earned, active, owned by Loyalty, expiring with the badge."""
    main = {
        "earn_type": "EARN",
        "active": True,
        "owners": ["Loyalty"],
        "earned_expiry_type": "WITH_BADGE_META",
        "earned_expiry_unit": "DAYS",
        "issued_expiry_type": "WITH_BADGE_META",
        "issued_expiry_unit": "DAYS",
    }
    custom = {
        f"custom_{definition.id}": definition.default_value
        for definition in context.custom_fields
        if definition.is_mandatory and definition.default_value is not None
    }
    return BuilderInitial(main=main, custom=custom)


def initial_from_badge(
    badge: Badge, context: BuilderContext, *, name: str | None = None
) -> BuilderInitial:
    """The builder filled from a badge (edit), or from a badge under a new name (duplicate).

    A duplicate's start (and end) are left empty when they are in the past: a new badge needs
    new dates, and the preview then asks for them.
    """
    group_ids = {group.id for group in context.groups}
    main: dict[str, Any] = {
        "name": name if name is not None else badge.name,
        "description": badge.description,
        "earn_type": badge.earn_type or "EARN",
        "active": badge.active,
        "start_on": badge.start_on,
        "expires_on": badge.expires_on,
        "group": badge.badge_group_id if badge.badge_group_id in group_ids else "",
        "rank": badge.badge_rank,
        "owners": list(badge.restricted_to_owners),
        **_expiry_initial(badge.earned_badge_expiry, "earned"),
        **_expiry_initial(badge.issued_badge_expiry, "issued"),
    }
    if context.mode == DUPLICATE:
        for key in ("start_on", "expires_on"):
            if main[key] is not None and main[key] < context.now:
                main[key] = None
    rows = {
        "customer-limits": [_limit_initial(c) for c in badge.customer_constraints],
        "badge-limits": [_limit_initial(c) for c in badge.badge_constraints],
        "benefits": [
            {
                "benefit_type": b.benefit_type,
                **{_BENEFIT_FIELDS[k]: v for k, v in b.ids.items() if k in _BENEFIT_FIELDS},
            }
            for b in badge.benefits
        ],
        "images": [
            {
                "tag": i.tag,
                "url": i.url or "",
                "name": i.name or "",
                "file_handle": i.file_svc_handle or "",
            }
            for i in badge.images
        ],
        "tags": [{"name": t.name, "value": t.value or ""} for t in badge.tags],
    }
    custom = {
        f"custom_{definition.id}": badge.custom_fields[definition.name]
        for definition in context.custom_fields
        if definition.name in badge.custom_fields
    }
    return BuilderInitial(main=main, rows=rows, custom=custom)


_BENEFIT_FIELDS = {
    "seriesId": "series_id",
    "points": "points",
    "programId": "program_id",
    "promotionId": "promotion_id",
    "allocationStrategyId": "allocation_strategy_id",
    "expirationStrategyId": "expiration_strategy_id",
    "defaultTillId": "default_till_id",
}


def _expiry_initial(expiry: Expiry | None, which: str) -> dict[str, Any]:
    initial: dict[str, Any] = {
        f"{which}_expiry_type": "WITH_BADGE_META",
        f"{which}_expiry_unit": "DAYS",
    }
    if expiry is None:
        return initial
    if expiry.expiry_type == "RELATIVE":
        initial |= {
            f"{which}_expiry_type": "RELATIVE",
            f"{which}_expiry_value": expiry.value,
            f"{which}_expiry_unit": _unit(expiry.unit),
        }
    elif expiry.expiry_type == "ABSOLUTE" and expiry.absolute_type == "FIXED_DATE":
        initial |= {f"{which}_expiry_type": "FIXED_DATE", f"{which}_expiry_date": expiry.expires_on}
    elif expiry.expiry_type == "NEVER":
        initial[f"{which}_expiry_type"] = "NEVER"
    return initial


def _unit(value: str | None) -> str:
    aliases = {"DAILY": "DAYS", "WEEKLY": "WEEKS", "MONTHLY": "MONTHS"}
    value = (value or "DAYS").upper()
    return aliases.get(value, value)


def _limit_initial(constraint: Constraint) -> dict[str, Any]:
    initial: dict[str, Any] = {"kind": constraint.kind, "start_day": "MONDAY", "roll_type": "DAYS"}
    if constraint.kind == "FIXED_WINDOW":
        spec_day = (
            constraint.fixed_window_spec().start_day_of_week if constraint.duration_type else 1
        )
        initial |= {
            "max_earn_limit": constraint.max_earn_limit,
            "duration_type": _unit(constraint.duration_type),
            "refresh_rate": constraint.refresh_rate,
            "start_day": DAY_NAMES[spec_day - 1],
        }
    elif constraint.kind == "ROLLING_WINDOW":
        initial |= {
            "max_earn_limit": constraint.max_earn_limit,
            "roll_value": constraint.roll_value,
            "roll_type": _unit(constraint.roll_type),
            "max_for_days": constraint.max_earn_for_days,
            "roll_for_days": constraint.roll_for_days,
            "max_for_weeks": constraint.max_earn_for_weeks,
            "roll_for_weeks": constraint.roll_for_weeks,
            "max_for_months": constraint.max_earn_for_months,
            "roll_for_months": constraint.roll_for_months,
        }
    elif constraint.kind == "FIXED_VALUE":
        initial["max_earn_limit"] = constraint.max_earn_limit
    return initial


# --- row actions on posted data ----------------------------------------------------------------

ACTION = re.compile(
    r"^(?P<verb>add|remove|refresh|reset)(?::(?P<target>[\w-]+))?(?::(?P<index>\d+))?$"
)
_NEW_LIMIT_KINDS = {
    "customer-limits": ("FIXED_WINDOW", "ROLLING_WINDOW", "FIXED_VALUE"),
    "badge-limits": ("FIXED_VALUE", "FIXED_WINDOW", "ROLLING_WINDOW"),
}


@dataclass(frozen=True, slots=True)
class Action:
    """What a builder POST asks for: publish, or a change that re-renders one region."""

    verb: str  # publish, add, remove, refresh, reset, upload
    target: str | None = None  # a row prefix, "expiry", or a custom field key
    index: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> Action:
        if not value or value == "publish":
            return cls("publish")
        if value == "upload:images":
            return cls("upload", "images")
        match = ACTION.match(value)
        if match is None:
            return cls("refresh")
        index = match["index"]
        return cls(match["verb"], match["target"], int(index) if index is not None else None)

    @property
    def is_publish(self) -> bool:
        return self.verb == "publish"


def apply_action(data, action: Action, context: BuilderContext) -> None:
    """Change the posted data (a mutable QueryDict) as the action asks, before binding."""
    if action.verb == "add" and action.target in ROWS:
        prefix = action.target
        total = _int(data.get(f"{prefix}-TOTAL_FORMS"))
        if total >= MAX_ROWS:
            return
        data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
        for key, value in _new_row(data, prefix, total).items():
            data[f"{prefix}-{total}-{key}"] = value
    elif action.verb == "remove" and action.target in ROWS and action.index is not None:
        data[f"{action.target}-{action.index}-{DELETION_FIELD_NAME}"] = "on"
    elif action.verb == "reset" and action.target:
        for definition in context.custom_fields:
            if f"custom_{definition.id}" == action.target and definition.default_value is not None:
                data[action.target] = definition.default_value


def _new_row(data, prefix: str, index: int) -> dict[str, str]:
    """Defaults for a new row that match what its selects show first, so the server renders the
    fields the browser shows; a second limit picks a kind the level does not have yet."""
    live = [
        i
        for i in range(index)
        if data.get(f"{prefix}-{i}-{DELETION_FIELD_NAME}") not in ("on", "true", "True")
    ]
    if prefix in _NEW_LIMIT_KINDS:
        used = {data.get(f"{prefix}-{i}-kind") for i in live}
        kind = next(
            (k for k in _NEW_LIMIT_KINDS[prefix] if k not in used), _NEW_LIMIT_KINDS[prefix][0]
        )
        return {"kind": kind, "duration_type": "WEEKS", "start_day": "MONDAY", "roll_type": "DAYS"}
    if prefix == "benefits":
        return {"benefit_type": "COUPON"}
    if prefix == "images":
        used = {data.get(f"{prefix}-{i}-tag") for i in live}
        return {"tag": next((t for t in IMAGE_TAGS if t not in used), IMAGE_TAGS[0])}
    return {}


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


# --- the builder -------------------------------------------------------------------------------


class BadgeBuilder:
    """Every form of the builder, bound together (POST) or filled from initial values (GET)."""

    def __init__(
        self,
        context: BuilderContext,
        *,
        data=None,
        initial: BuilderInitial | None = None,
        upload_errors: dict[str, str] | None = None,
        show_errors: bool = False,
    ):
        self.context = context
        self.show_errors = show_errors
        self.api_errors: list[str] = []
        initial = initial or BuilderInitial()
        self.initial = initial
        self.form = BadgeForm(data, initial=initial.main, context=context, show_errors=show_errors)
        self.custom = CustomFieldsForm(
            data, initial=initial.custom, definitions=context.custom_fields, show_errors=show_errors
        )
        self.formsets: dict[str, BuilderFormSet] = {}
        for prefix, (rows, _) in ROWS.items():
            extra: dict[str, Any] = {}
            form_kwargs: dict[str, Any] = {}
            if prefix.endswith("-limits"):
                level = CUSTOMER if prefix == "customer-limits" else BADGE
                extra = {"level": level, "locked_window": context.locked_window(level)}
            if prefix == "images":
                form_kwargs = {
                    "upload_errors": upload_errors or {},
                    "own_media_prefix": context.own_media_prefix,
                }
            formset = rows(
                data,
                initial=initial.rows.get(prefix),
                prefix=prefix,
                form_kwargs=form_kwargs,
                show_errors=show_errors,
                **extra,
            )
            formset.number_rows()
            self.formsets[prefix] = formset
        self._row_sources: dict[str, list[int]] = {}

    @classmethod
    def start(cls, context: BuilderContext, initial: BuilderInitial) -> BadgeBuilder:
        """A builder bound to its initial values, as if the page had just been posted.

        The page, the preview and publishing then all read bound forms: the first preview is
        exactly what the first preview request will answer.
        """
        unbound = cls(context, initial=initial)
        return cls(context, data=unbound.as_data(), initial=initial)

    def as_data(self):
        """What a browser would post for these forms as they render now."""
        data = QueryDict(mutable=True)
        forms_ = [self.form, self.custom]
        for formset in self.formsets.values():
            forms_.append(formset.management_form)
            forms_.extend(formset.forms)
        for form in forms_:
            for bound in form:
                if bound.field.disabled:
                    continue
                data.setlist(bound.html_name, _posted_values(bound))
        return data

    @property
    def rows(self) -> SimpleNamespace:
        """The formsets by name for templates (their prefixes have hyphens): rows.badge_limits."""
        return SimpleNamespace(
            **{prefix.replace("-", "_"): formset for prefix, formset in self.formsets.items()}
        )

    @property
    def historical(self) -> bool:
        """The "Historical badge" switch (a create that may start in the past)."""
        self.form.is_valid()
        return bool(self.form.cleaned_data.get("historical"))

    def is_valid(self) -> bool:
        """Every form and formset validated (all of them, so every error shows at once)."""
        formsets_valid = all_valid(self.formsets.values())
        return all([self.form.is_valid(), self.custom.is_valid(), formsets_valid])

    def draft(self) -> Draft:
        """The valid parts, for the preview and the payload; what is not valid becomes a problem."""
        self.is_valid()
        rows: dict[str, list[Row]] = {}
        for prefix, formset in self.formsets.items():
            rows[prefix] = [
                (form.index, dict(form.cleaned_data))
                for form in formset.live_forms
                if form.is_valid()
            ]
            self._row_sources[prefix] = [index for index, _ in rows[prefix]]
        badge = self.context.badge if self.context.editing else None
        fields = dict(self.form.cleaned_data)
        if self.context.start_locked and badge is not None:
            fields["start_on"] = badge.start_on
        return Draft(
            fields=fields,
            customer_limits=rows["customer-limits"],
            badge_limits=rows["badge-limits"],
            benefits=rows["benefits"],
            images=rows["images"],
            tags=rows["tags"],
            custom_fields=self.custom.values(),
            badge_id=badge.id if badge is not None else None,
            start_locked=self.context.start_locked,
            problems=self.problems(),
        )

    def problems(self) -> list[Problem]:
        """Every error of every form, in page order, with the input to jump to."""
        problems = [Problem("", message) for message in self.api_errors]
        problems += _form_problems(self.form)
        for prefix, formset in self.formsets.items():
            section = ROWS[prefix][1]
            for message in formset.non_form_errors():
                problems.append(Problem(section, message, prefix))
            for form in formset.live_forms:
                problems += _form_problems(form, where=form.title, row_anchor=form.prefix)
        problems += _form_problems(self.custom, where_is_label=True)
        return problems

    # --- API errors ---------------------------------------------------------------------------

    def add_api_errors(self, error: BadgesApiError) -> None:
        """Each error on the field its reference (or code) names; the rest above the form.

        Call after is_valid() and draft() (row references count the rows that were sent).
        """
        if isinstance(error, (BadgesApiUnavailable, BadgesApiAuthError)):
            self.api_errors.append(unavailable_message(error))
            return
        if isinstance(error, BadgesApiNotFound) and not error.errors:
            self.api_errors.append("That badge no longer exists; it may have been removed.")
            return
        items = error.errors or (ApiErrorItem(code=error.status, message=error.message),)
        for item in items:
            if not self._place(item):
                self.api_errors.append(api_error_message(item))

    def _place(self, item) -> bool:
        reference, index = item.reference, None
        if reference:
            match = re.match(r"^([^\[]+)\[(\d+)\](.*)$", reference)
            if match:
                index, reference = int(match[2]), match[1] + match[3]
        target = field_for_reference(
            reference, item.code, references=BADGE_REFERENCES, codes=BADGE_CODES
        )
        if target is None:
            return False
        message = api_error_message(item)
        prefix, _, name = target.partition(".")
        if prefix in self.formsets:
            formset = self.formsets[prefix]
            sources = self._row_sources.get(prefix, [])
            if index is None or index >= len(sources):
                formset.non_form_errors().append(message)
                return True
            form = formset.forms[sources[index]]
            form.add_error(name if name in form.fields else None, message)
            return True
        if prefix == "custom_fields":
            custom_name = (item.reference or "").partition(".")[2]
            key = self.custom.key_for(custom_name)
            if key is None:
                return False
            self.custom.add_error(key, message)
            return True
        if target in self.form.fields and not self.form.fields[target].disabled:
            self.form.add_error(target, message)
            return True
        return False


def _posted_values(bound: BoundField) -> list[str]:
    widget, value = bound.field.widget, bound.value()
    if isinstance(widget, forms.FileInput):
        return []
    if isinstance(widget, forms.CheckboxInput):
        return ["on"] if value else []
    if isinstance(widget, forms.widgets.ChoiceWidget) or isinstance(value, (list, tuple)):
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(item) for item in values if item is not None]
    formatted = widget.format_value(value)
    return ["" if formatted is None else str(formatted)]


def _form_problems(
    form, *, where: str = "", row_anchor: str | None = None, where_is_label: bool = False
) -> list[Problem]:
    if not form.is_bound:
        return []
    problems = []
    for name, errors in form.errors.items():
        if name == "__all__":
            for message in errors:
                problems.append(Problem(where, message, row_anchor))
            continue
        bound = form[name]
        label = str(bound.label)
        group = getattr(form, "problem_groups", {}).get(name)
        if group:
            label = f"{group} · {label}"
        for message in errors:
            if where_is_label or not where:
                problems.append(Problem(label, message, bound.auto_id))
            else:
                problems.append(Problem(f"{where} · {label}", message, bound.auto_id))
    return problems
