"""The console's glue: form data -> API calls, API errors -> form errors, and the demo users.

Nothing here talks HTTP itself (client.py does) or renders anything (views and templates do).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from badges_ui import roles
from badges_ui.client import (
    BadgesApiAuthError,
    BadgesApiError,
    BadgesApiNotFound,
    BadgesApiUnavailable,
    BadgesApiValidationError,
)
from badges_ui.types import ApiErrorItem, Badge, Constraint

# --- the org the console shows --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgDisplay:
    name: str
    timezone_name: str

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone_name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def org_display() -> OrgDisplay:
    """The org's name and timezone for the nav bar and for showing dates.

    Capillary's badge API has no call that names the org or its timezone, so the console is told
    by settings (BADGES_ORG_NAME, BADGES_ORG_TIMEZONE).
    """
    return OrgDisplay(
        name=getattr(settings, "BADGES_ORG_NAME", "") or "",
        timezone_name=getattr(settings, "BADGES_ORG_TIMEZONE", "") or "UTC",
    )


# --- API errors onto forms ------------------------------------------------------------------

# reference (as the API names a field) -> form field. A reference names a path such as
# `customerConstraints[0].refreshRate`; the longest mapped prefix wins, so the builder can map
# `customerConstraints` to its formset and refine per row.
GROUP_REFERENCES = {"name": "name", "rank": "rank"}
GROUP_CODES = {733: "name", 732: "rank"}
CUSTOM_FIELD_REFERENCES = {
    "name": "name",
    "dataType": "data_type",
    "isMandatory": "is_mandatory",
    "defaultValue": "default_value",
}
CUSTOM_FIELD_CODES = {9007: "name", 9008: "data_type"}
CLAIM_REFERENCES = {"ownerType": "owner_type", "referenceId": "reference_id"}
CLAIM_CODES = {714: "owner_type", 716: "owner_type", 717: "reference_id", 737: "reference_id"}
# For the badge builder: Capillary answers 722 and 725 with a null reference, so codes that
# always concern one field are mapped too.
BADGE_REFERENCES = {
    "name": "name",
    "description": "description",
    "startOn": "start_on",
    "startOnISO": "start_on",
    "expiresOn": "expires_on",
    "expiresOnISO": "expires_on",
    "earnType": "earn_type",
    "active": "active",
    "ownership.restrictedToOwners": "owners",
    "ownership": "owners",
    "badgeGroupId": "group",
    "badgeRank": "rank",
    "earnedBadgeExpiry": "earned_expiry_type",
    "issuedBadgeExpiry": "issued_expiry_type",
    # The badge builder (badges_ui/builder.py). Expiry details:
    "earnedBadgeExpiry.expiryType": "earned_expiry_type",
    "earnedBadgeExpiry.type": "earned_expiry_type",
    "earnedBadgeExpiry.value": "earned_expiry_value",
    "earnedBadgeExpiry.relativeExpirytype": "earned_expiry_unit",
    "earnedBadgeExpiry.expiresOn": "earned_expiry_date",
    "earnedBadgeExpiry.expiresOnISO": "earned_expiry_date",
    "issuedBadgeExpiry.expiryType": "issued_expiry_type",
    "issuedBadgeExpiry.type": "issued_expiry_type",
    "issuedBadgeExpiry.value": "issued_expiry_value",
    "issuedBadgeExpiry.relativeExpirytype": "issued_expiry_unit",
    "issuedBadgeExpiry.expiresOn": "issued_expiry_date",
    "issuedBadgeExpiry.expiresOnISO": "issued_expiry_date",
    # Rows: "<formset prefix>.<row field>", looked up with the row index stripped
    # (customerConstraints[0].refreshRate -> customerConstraints.refreshRate); the builder puts
    # the error on the row the index names, or on the formset when there is no index.
    "customerConstraints": "customer-limits",
    "customerConstraints.constraintType": "customer-limits.kind",
    "customerConstraints.maxEarnLimit": "customer-limits.max_earn_limit",
    "customerConstraints.durationType": "customer-limits.duration_type",
    "customerConstraints.refreshRate": "customer-limits.refresh_rate",
    "customerConstraints.startDayOfTheWeek": "customer-limits.start_day",
    "customerConstraints.maxEarnForDays": "customer-limits.max_for_days",
    "customerConstraints.rollForDays": "customer-limits.roll_for_days",
    "customerConstraints.maxEarnForWeeks": "customer-limits.max_for_weeks",
    "customerConstraints.rollForWeeks": "customer-limits.roll_for_weeks",
    "customerConstraints.maxEarnForMonths": "customer-limits.max_for_months",
    "customerConstraints.rollForMonths": "customer-limits.roll_for_months",
    "badgeConstraints": "badge-limits",
    "badgeConstraints.constraintType": "badge-limits.kind",
    "badgeConstraints.maxEarnLimit": "badge-limits.max_earn_limit",
    "badgeConstraints.durationType": "badge-limits.duration_type",
    "badgeConstraints.refreshRate": "badge-limits.refresh_rate",
    "badgeConstraints.startDayOfTheWeek": "badge-limits.start_day",
    "badgeConstraints.rollType": "badge-limits.roll_type",
    "badgeConstraints.rollValue": "badge-limits.roll_value",
    "benefits": "benefits",
    "benefits.benefitType": "benefits.benefit_type",
    "benefits.seriesId": "benefits.series_id",
    "benefits.points": "benefits.points",
    "benefits.programId": "benefits.program_id",
    "benefits.promotionId": "benefits.promotion_id",
    "benefits.allocationStrategyId": "benefits.allocation_strategy_id",
    "benefits.expirationStrategyId": "benefits.expiration_strategy_id",
    "benefits.defaultTillId": "benefits.default_till_id",
    "images": "images",
    "images.tag": "images.tag",
    "images.url": "images.url",
    "images.name": "images.name",
    "tags": "tags",
    "tags.name": "tags.name",
    "tags.value": "tags.value",
    # customFields.<name>: the builder finds the input of the field with that name.
    "customFields": "custom_fields",
}
BADGE_CODES = {
    725: "name",
    722: "start_on",
    723: "start_on",
    9004: "start_on",
    720: "expires_on",
    728: "owners",
    9005: "group",
    714: "owners",
    9001: "owners",
}

_INDEX = re.compile(r"\[\d+\]")


def field_for_reference(
    reference: str | None,
    code: int | None,
    *,
    references: Mapping[str, str],
    codes: Mapping[int, str] | None = None,
) -> str | None:
    """The form field an API error belongs to, or None (the error then goes above the form)."""
    if reference:
        if reference in references:
            return references[reference]
        # Longest prefix on a path boundary: "ownership.restrictedToOwners[2]" -> "ownership.restrictedToOwners".
        candidates = [
            key
            for key in references
            if reference.startswith(key) and reference[len(key) : len(key) + 1] in (".", "[")
        ]
        if candidates:
            return references[max(candidates, key=len)]
        bare = _INDEX.sub("", reference)
        if bare in references:
            return references[bare]
    if code is not None and codes and code in codes:
        return codes[code]
    return None


def api_error_message(item: ApiErrorItem) -> str:
    """ "Badge name cannot be duplicate (code 725)"."""
    return str(item)


def unavailable_message(error: BadgesApiError) -> str:
    if isinstance(error, BadgesApiAuthError):
        return (
            "The console could not sign in to the badge API. An admin should check the console's "
            "API credentials (BADGES_API_USERNAME and BADGES_API_PASSWORD, or the OAuth key and secret)."
        )
    return f"{error.message} Nothing was changed; please try again in a moment."


def api_errors_to_form(
    form: forms.Form,
    error: BadgesApiError,
    *,
    references: Mapping[str, str],
    codes: Mapping[int, str] | None = None,
) -> None:
    """Put every error the API reported on the field its reference names, others above the form.

    The form keeps its bound data, so nothing the user typed is lost. Failures that are not about
    the input (API down, credentials, not found) become one message above the form.
    """
    if isinstance(error, (BadgesApiUnavailable, BadgesApiAuthError)):
        form.add_error(None, unavailable_message(error))
        return
    if isinstance(error, BadgesApiNotFound) and not error.errors:
        form.add_error(None, "That no longer exists; it may have been removed by someone else.")
        return
    items = error.errors or (ApiErrorItem(code=error.status, message=error.message),)
    for item in items:
        name = field_for_reference(item.reference, item.code, references=references, codes=codes)
        if name is not None and name in form.fields and not form.fields[name].disabled:
            form.add_error(name, api_error_message(item))
        else:
            form.add_error(None, api_error_message(item))


def is_validation(error: BadgesApiError) -> bool:
    return isinstance(error, (BadgesApiValidationError, BadgesApiNotFound))


# --- badge presentation ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LimitRow:
    level: str  # "Each customer" or "All customers together"
    kind: str  # "Fixed window", "Rolling window", ...
    words: list[str]
    constraint: Constraint


_KIND_LABELS = {
    "FIXED_VALUE": "Lifetime cap",
    "ROLLING_WINDOW": "Rolling window",
    "FIXED_WINDOW": "Fixed window",
    "NO_LIMIT": "No limit",
}


def badge_limits(badge: Badge) -> list[LimitRow]:
    """Every limit of the badge in plain words (badge_rules' wording, as the service enforces)."""
    rows = []
    for constraint in badge.constraints:
        level = "Each customer" if constraint.level == "CUSTOMER" else "All customers together"
        rows.append(
            LimitRow(
                level=level,
                kind=_KIND_LABELS.get(
                    constraint.kind, constraint.kind.replace("_", " ").capitalize()
                ),
                words=constraint.describe(),
                constraint=constraint,
            )
        )
    return rows


# --- demo users -------------------------------------------------------------------------------

# Development defaults, printed by `make run`; change them (create_console_user --password) on
# any server other people can reach.
DEMO_USERS = (
    ("marketing", roles.MARKETING, "marketing-demo"),
    ("support", roles.SUPPORT, "support-demo"),
    ("admin", roles.ADMIN, "admin-demo"),
)


def console_user_save(*, username: str, role: str, password: str | None) -> tuple[object, bool]:
    """Create the user with `role` (and `password`), or give an existing user `role`.

    An existing user's password changes only when one is given. Answers (user, created).
    """
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=username)
    if password is not None:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    if created or password is not None:
        user.save()
    roles.set_role(user, role)
    return user, created


def console_users_seed(
    passwords: Mapping[str, str] | None = None,
) -> list[tuple[str, str, str | None]]:
    """One console user per role, for the demo: [(username, role, password)].

    Users that already exist keep their passwords (answered as None) and get their role back.
    `passwords` ({username: password}) overrides the development defaults.
    """
    seeded = []
    user_model = get_user_model()
    for username, role, default_password in DEMO_USERS:
        if user_model.objects.filter(username=username).exists():
            console_user_save(username=username, role=role, password=None)
            seeded.append((username, role, None))
            continue
        password = (passwords or {}).get(username, default_password)
        console_user_save(username=username, role=role, password=password)
        seeded.append((username, role, password))
    return seeded
