"""Writes to badge groups: create and update (disabling with isActive=false is how a group goes).

A group's name is unique among the org's active groups (733, case-sensitive); a disabled group
frees its name. Ranks are mandatory (732) but need not be unique. Disabling a group leaves its
badges pointing at it; the RANK ordering treats them as ungrouped (badge_rules/ranking.py) and
new badges cannot join it (9005).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.inputs import MAX_COUNT, checked_id, range_message, read_name, whole_number
from badges_api.models import ApiClient, BadgeGroup, Org

MAX_NAME_LENGTH = BadgeGroup._meta.get_field("name").max_length


@dataclass(frozen=True, slots=True)
class GroupInput:
    name: str | None
    rank: int | None
    is_active: bool | None


def parse_group_input(body: object, errs: ErrorCollector) -> GroupInput:
    """`name` and `rank` are mandatory on create and update alike; `isActive` is optional."""
    if not isinstance(body, dict):
        errs.add(errors.INVALID_INPUT, "The request body must be a JSON object")
        return GroupInput(None, None, None)
    name = read_name(body.get("name"), "name", errs, max_length=MAX_NAME_LENGTH)
    raw_rank = body.get("rank")
    # 3, 3.0 and "3" (Capillary's examples send numbers as both); the column is a 32-bit integer.
    rank = whole_number(raw_rank, maximum=MAX_COUNT)
    if rank is None:
        message = (
            None
            if raw_rank is None
            else f"Group Rank is Mandatory: {range_message('rank', 1, MAX_COUNT)}"
        )
        errs.add(errors.GROUP_RANK_MANDATORY, message, "rank")
    # Omitted keeps the group as it is; sent, it is true or false (null is refused).
    is_active = body.get("isActive")
    if "isActive" in body and not isinstance(is_active, bool):
        errs.add(errors.INVALID_INPUT, "isActive must be true or false", "isActive")
        is_active = None
    return GroupInput(name, rank, is_active)


def _name_taken(org: Org, name: str | None, *, excluding: int | None = None) -> bool:
    if name is None:
        return False
    query = BadgeGroup.objects.filter(org=org, name=name, is_active=True)
    if excluding is not None:
        query = query.exclude(pk=excluding)
    return query.exists()


def _save(group: BadgeGroup) -> None:
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as error:
        # Two requests raced past the 733 check; the partial unique index decided.
        raise BadgeApiError(errors.GROUP_NAME_NOT_UNIQUE, None, "name") from error


def group_create(*, org: Org, client: ApiClient, body: object) -> BadgeGroup:
    errs = ErrorCollector()
    data = parse_group_input(body, errs)
    is_active = True if data.is_active is None else data.is_active
    if is_active and _name_taken(org, data.name):
        errs.add(errors.GROUP_NAME_NOT_UNIQUE, None, "name")
    errs.raise_if_any()
    group = BadgeGroup(
        org=org,
        name=data.name,
        rank=data.rank,
        is_active=is_active,
        created_by=client.pk,
        last_updated_by=client.pk,
    )
    _save(group)
    return group


def group_for_update(org: Org, group_id: str) -> BadgeGroup:
    group = (
        BadgeGroup.objects.select_for_update()
        .filter(org=org, public_id=checked_id(group_id))
        .first()
    )
    if group is None:
        raise BadgeApiError.not_found("Badge group not found")
    return group


def group_update(*, org: Org, client: ApiClient, group_id: str, body: object) -> BadgeGroup:
    """Replace name and rank; `isActive` false disables the group, true re-enables it.

    Re-enabling is refused with 733 when an active group has taken the name meanwhile.
    """
    errs = ErrorCollector()
    with transaction.atomic():
        group = group_for_update(org, group_id)
        data = parse_group_input(body, errs)
        is_active = group.is_active if data.is_active is None else data.is_active
        if is_active and _name_taken(org, data.name, excluding=group.pk):
            errs.add(errors.GROUP_NAME_NOT_UNIQUE, None, "name")
        errs.raise_if_any()
        group.name = data.name
        group.rank = data.rank
        group.is_active = is_active
        group.last_updated_by = client.pk
        _save(group)
    return group
