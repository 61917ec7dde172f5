"""Writes to badge definitions: create, update, activate, claim, unclaim."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from badge_rules.status import badge_status
from badges_api import enums, errors
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.inputs import checked_id, control_character, control_message
from badges_api.models import ApiClient, Badge, BadgeClaim, BadgeGroup, BadgeOwner, Org
from badges_api.services.badge_input import BadgeInput, parse_badge_input
from badges_api.services.custom_field_values import custom_field_values_apply

# A console form submitted a few seconds after "now" was chosen is not a past start date.
START_DATE_GRACE = timedelta(seconds=60)
MAX_OWNER_ID_LENGTH = BadgeClaim._meta.get_field("reference_id").max_length
_CREATE_REQUIRED = {
    "name": "name",
    "startOn": "start_on",
    "expiresOn": "expires_on",
    "earnType": "earn_type",
    "earnedBadgeExpiry": "earned_badge_expiry",
}


def _group_for(org: Org, group_id: str | None, errs: ErrorCollector) -> BadgeGroup | None:
    if group_id is None:
        return None
    group = BadgeGroup.objects.filter(org=org, public_id=group_id, is_active=True).first()
    if group is None:
        errs.add(errors.GROUP_NOT_FOUND, f"Badge group {group_id!r} not found", "badgeGroupId")
    return group


def _name_taken(org: Org, name: str | None, *, excluding: int | None = None) -> bool:
    if not name:
        return False
    query = Badge.objects.filter(org=org, name=name)
    if excluding is not None:
        query = query.exclude(pk=excluding)
    return query.exists()


def _window_kinds(constraints: list[dict]) -> set[str]:
    kinds = set()
    for constraint in constraints:
        kind = constraint["constraintType"]
        kinds.add("FIXED_WINDOW" if kind.endswith("FIXED_WINDOW") else "OTHER_LIMIT")
    return kinds


def _keep_window_reference_ids(old: list[dict], new: list[dict]) -> None:
    """A fixed window keeps its referenceId while its shape is unchanged (only maxEarnLimit may differ)."""
    shape_keys = ("constraintType", "durationType", "refreshRate", "startDayOfTheWeek")
    old_windows = {
        tuple(c.get(k) for k in shape_keys): c["referenceId"] for c in old if "referenceId" in c
    }
    for constraint in new:
        if "referenceId" in constraint:
            previous = old_windows.get(tuple(constraint.get(k) for k in shape_keys))
            if previous:
                constraint["referenceId"] = previous


def _sync_owners(badge: Badge) -> None:
    BadgeOwner.objects.filter(badge=badge).exclude(
        owner_type__in=badge.restricted_to_owners
    ).delete()
    existing = set(BadgeOwner.objects.filter(badge=badge).values_list("owner_type", flat=True))
    BadgeOwner.objects.bulk_create(
        [
            BadgeOwner(badge=badge, owner_type=owner)
            for owner in badge.restricted_to_owners
            if owner not in existing
        ]
    )


def _save_or_duplicate(badge: Badge) -> None:
    try:
        with transaction.atomic():
            badge.save()
    except IntegrityError as error:
        # Two requests raced past the 725 check; the unique index decided.
        raise BadgeApiError(errors.DUPLICATE_BADGE_NAME) from error


def badge_create(
    *, org: Org, client: ApiClient, body: object, migration: bool = False
) -> tuple[Badge, list[dict]]:
    """Create a badge; returns it with any warnings. All failing rules are reported together."""
    now = timezone.now()
    errs = ErrorCollector()
    data = parse_badge_input(body, now=now, migration=migration, errs=errs)
    if isinstance(body, dict):
        for wire, attr in _CREATE_REQUIRED.items():
            already = any(
                item.reference
                and item.reference.split(".")[0].split("[")[0].removesuffix("ISO") == wire
                for item in errs.items
            )
            if getattr(data, attr) is None and not already:
                errs.add(errors.INVALID_INPUT, f"{wire} is mandatory", wire)
        if "ownership" not in body:
            errs.add(errors.OWNER_REQUIRED, None, "ownership.restrictedToOwners")
    if (
        data.earn_type == "ISSUE_EARN"
        and data.issued_badge_expiry is None
        and not any((item.reference or "").startswith("issuedBadgeExpiry") for item in errs.items)
    ):
        errs.add(
            errors.INVALID_INPUT,
            "issuedBadgeExpiry (the enrolment expiry) is mandatory for ISSUE_EARN badges",
            "issuedBadgeExpiry",
        )
    if _name_taken(org, data.name):
        errs.add(errors.DUPLICATE_BADGE_NAME)
    if data.start_on and data.start_on < now - START_DATE_GRACE and not migration:
        errs.add(errors.START_DATE_IN_PAST)
    group = _group_for(org, data.badge_group_id, errs)
    custom_fields = custom_field_values_apply(org=org, values=data.custom_fields, errs=errs)
    errs.raise_if_any()

    badge = Badge(
        org=org,
        name=data.name,
        description=data.description,
        start_on=data.start_on,
        expires_on=data.expires_on,
        earn_type=data.earn_type,
        active=True if data.active is None else data.active,
        earned_badge_expiry=data.earned_badge_expiry,
        issued_badge_expiry=data.issued_badge_expiry,
        restricted_to_owners=data.restricted_to_owners,
        customer_constraints=data.customer_constraints,
        badge_constraints=data.badge_constraints,
        images=data.images,
        benefits=data.benefits,
        tags=data.tags,
        custom_fields=custom_fields,
        group=group,
        badge_rank=data.badge_rank,
        created_by=client.pk,
        last_updated_by=client.pk,
    )
    with transaction.atomic():
        _save_or_duplicate(badge)
        _sync_owners(badge)
    return badge, data.warnings


def badge_for_update(org: Org, badge_id: object) -> Badge:
    if not isinstance(badge_id, str) or not badge_id:
        raise BadgeApiError(errors.INVALID_INPUT, "id is mandatory", "id")
    badge = (
        Badge.objects.select_for_update().filter(org=org, public_id=checked_id(badge_id)).first()
    )
    if badge is None:
        raise BadgeApiError.not_found()
    return badge


def badge_update(
    *, org: Org, client: ApiClient, body: object, migration: bool = False
) -> tuple[Badge, list[dict]]:
    """Replace the fields the body carries; omitted fields keep their values.

    Once a badge is live its start date is fixed (723) and its limits cannot switch between
    fixed windows and other kinds (826); an owner with an active claim cannot be removed.
    """
    now = timezone.now()
    errs = ErrorCollector()
    with transaction.atomic():
        badge = badge_for_update(org, body.get("id") if isinstance(body, dict) else None)
        data = parse_badge_input(body, now=now, migration=migration, errs=errs)
        status = badge_status(start=badge.start_on, end=badge.expires_on, now=now)
        _check_update_rules(badge, data, status=status, now=now, errs=errs)
        group = (
            _group_for(org, data.badge_group_id, errs)
            if "badgeGroupId" in data.present
            else badge.group
        )
        custom_fields = (
            custom_field_values_apply(org=org, values=data.custom_fields, errs=errs)
            if "customFields" in data.present
            else badge.custom_fields
        )
        errs.raise_if_any()
        _apply(badge, data, group=group, custom_fields=custom_fields)
        badge.last_updated_by = client.pk
        _save_or_duplicate(badge)
        _sync_owners(badge)
    return badge, data.warnings


def _check_update_rules(
    badge: Badge, data: BadgeInput, *, status: str, now: datetime, errs: ErrorCollector
) -> None:
    if data.name and _name_taken(badge.org, data.name, excluding=badge.pk):
        errs.add(errors.DUPLICATE_BADGE_NAME)
    start = data.start_on or badge.start_on
    end = data.expires_on or badge.expires_on
    if (
        data.start_on
        and status != "UPCOMING"
        and abs((data.start_on - badge.start_on).total_seconds()) >= 1
    ):
        errs.add(errors.START_DATE_LOCKED_WHEN_LIVE, None, "startOn")
    if (
        (data.start_on or data.expires_on)
        and start >= end
        and not any(i.code == errors.START_AFTER_END for i in errs.items)
    ):
        errs.add(errors.START_AFTER_END, None, "expiresOn")
    if (
        data.expires_on
        and data.expires_on < now
        and abs((data.expires_on - badge.expires_on).total_seconds()) >= 1
    ):
        errs.add(errors.EXPIRY_DATE_IN_PAST, None, "expiresOn")
    if status != "UPCOMING":
        for level, old in (
            ("customerConstraints", badge.customer_constraints),
            ("badgeConstraints", badge.badge_constraints),
        ):
            if level not in data.present:
                continue
            new = (
                data.customer_constraints
                if level == "customerConstraints"
                else data.badge_constraints
            )
            old_kinds, new_kinds = _window_kinds(old), _window_kinds(new)
            switched_to_window = (
                "FIXED_WINDOW" in new_kinds
                and "FIXED_WINDOW" not in old_kinds
                and "OTHER_LIMIT" in old_kinds
            )
            switched_from_window = (
                "FIXED_WINDOW" in old_kinds
                and "FIXED_WINDOW" not in new_kinds
                and "OTHER_LIMIT" in new_kinds
            )
            if switched_to_window or switched_from_window:
                errs.add(errors.WINDOW_KIND_CHANGE_NOT_ALLOWED, None, level)
    if data.restricted_to_owners is not None:
        claimed = set(
            BadgeClaim.objects.filter(badge=badge, is_active=True).values_list(
                "owner_type", flat=True
            )
        )
        for owner in sorted(claimed - set(data.restricted_to_owners)):
            errs.add(
                errors.OWNER_HAS_ACTIVE_CLAIM,
                f"{owner} cannot be removed while it has an active claim",
                "ownership.restrictedToOwners",
            )
    if (
        data.earn_type == "ISSUE_EARN"
        and badge.issued_badge_expiry is None
        and data.issued_badge_expiry is None
    ):
        errs.add(
            errors.INVALID_INPUT,
            "issuedBadgeExpiry (the enrolment expiry) is mandatory for ISSUE_EARN badges",
            "issuedBadgeExpiry",
        )


def _apply(
    badge: Badge, data: BadgeInput, *, group: BadgeGroup | None, custom_fields: dict
) -> None:
    present = data.present
    if data.name:
        badge.name = data.name
    if "description" in present:
        badge.description = data.description
    if data.start_on:
        badge.start_on = data.start_on
    if data.expires_on:
        badge.expires_on = data.expires_on
    if data.earn_type:
        badge.earn_type = data.earn_type
    if data.active is not None:
        badge.active = data.active
    if data.earned_badge_expiry:
        badge.earned_badge_expiry = data.earned_badge_expiry
    if "issuedBadgeExpiry" in present:
        badge.issued_badge_expiry = data.issued_badge_expiry
    if data.restricted_to_owners is not None:
        badge.restricted_to_owners = data.restricted_to_owners
    if "customerConstraints" in present:
        _keep_window_reference_ids(badge.customer_constraints, data.customer_constraints)
        badge.customer_constraints = data.customer_constraints
    if "badgeConstraints" in present:
        _keep_window_reference_ids(badge.badge_constraints, data.badge_constraints)
        badge.badge_constraints = data.badge_constraints
    for attr, key in (("images", "images"), ("benefits", "benefits"), ("tags", "tags")):
        if key in present:
            setattr(badge, attr, getattr(data, attr))
    badge.custom_fields = custom_fields
    badge.group = group
    if "badgeRank" in present:
        badge.badge_rank = data.badge_rank


def badge_set_active(*, org: Org, client: ApiClient, badge_id: str, activation: str) -> Badge:
    """`activation` is the path word: activate or deactivate (any case)."""
    word = activation.strip().lower()
    if word not in ("activate", "deactivate"):
        raise BadgeApiError(
            errors.INVALID_INPUT,
            enums.invalid_enum_message("activationStatus", ("activate", "deactivate")),
            "activationStatus",
        )
    with transaction.atomic():
        badge = badge_for_update(org, badge_id)
        if (
            word == "deactivate"
            and badge_status(start=badge.start_on, end=badge.expires_on, now=timezone.now())
            == "EXPIRED"
        ):
            raise BadgeApiError(errors.EXPIRED_BADGE_CANNOT_BE_DEACTIVATED)
        badge.active = word == "activate"
        badge.last_updated_by = client.pk
        badge.save(update_fields=["active", "last_updated_by", "last_updated_on"])
    return badge


def _claim_fields(body: object) -> tuple[str, str]:
    body = body if isinstance(body, dict) else {}
    errs = ErrorCollector()
    raw_owner, reference_id = body.get("ownerType"), body.get("referenceId")
    owner = enums.owner_type(raw_owner)
    if raw_owner in (None, ""):
        errs.add(errors.OWNER_TYPE_MISSING, None, "ownerType")
    elif owner is None:
        errs.add(
            errors.INVALID_INPUT,
            enums.invalid_enum_message("ownerType", enums.OWNER_TYPES),
            "ownerType",
        )
    if isinstance(reference_id, (int, float)) and not isinstance(reference_id, bool):
        reference_id = str(reference_id)
    if not isinstance(reference_id, str) or not reference_id.strip():
        errs.add(errors.OWNER_ID_MANDATORY, None, "referenceId")
    elif (bad := control_character(reference_id.strip())) is not None:
        errs.add(errors.INVALID_INPUT, control_message("referenceId", bad), "referenceId")
    elif len(reference_id.strip()) > MAX_OWNER_ID_LENGTH:
        errs.add(
            errors.INVALID_INPUT,
            f"referenceId must be at most {MAX_OWNER_ID_LENGTH} characters",
            "referenceId",
        )
    errs.raise_if_any()
    return owner, reference_id.strip()


def badge_claim(*, org: Org, client: ApiClient, badge_id: str, body: object) -> BadgeClaim:
    """Claiming twice with the same owner and reference is harmless: the active claim is returned."""
    owner, reference_id = _claim_fields(body)
    with transaction.atomic():
        badge = badge_for_update(org, badge_id)
        if owner not in badge.restricted_to_owners:
            raise BadgeApiError(
                errors.OWNER_TYPE_NOT_ALLOWED,
                f"Owner type is not allowed: {owner} is not among this badge's owners ({', '.join(badge.restricted_to_owners)})",
                "ownerType",
            )
        if not badge.active:
            raise BadgeApiError(errors.INACTIVE_BADGE_CANNOT_BE_CLAIMED)
        claim, _ = BadgeClaim.objects.get_or_create(
            badge=badge,
            owner_type=owner,
            reference_id=reference_id,
            is_active=True,
            defaults={"created_by": client.pk},
        )
    return claim


def badge_unclaim(*, org: Org, client: ApiClient, badge_id: str, body: object) -> BadgeClaim:
    owner, reference_id = _claim_fields(body)
    with transaction.atomic():
        badge = badge_for_update(org, badge_id)
        claim = BadgeClaim.objects.filter(
            badge=badge, owner_type=owner, reference_id=reference_id, is_active=True
        ).first()
        if claim is None:
            raise BadgeApiError(errors.CLAIM_NOT_FOUND, None, "referenceId", status=404)
        claim.is_active = False
        claim.save(update_fields=["is_active", "last_updated_on"])
    return claim
