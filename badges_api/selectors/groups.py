"""Reads of badge groups: one group, and the org's groups by rank, paged."""

from badges_api import enums, errors
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.inputs import checked_id
from badges_api.models import BadgeGroup, Org
from badges_api.selectors.pagination import page_from_query

_FLAGS = {"true": True, "false": False}


def active_flag(query, names: tuple[str, ...], errs: ErrorCollector, *, default: bool) -> bool:
    """The first of `names` given in the query, read as true/false (any case)."""
    for name in names:
        raw = query.get(name)
        if raw in (None, ""):
            continue
        flag = _FLAGS.get(raw.strip().lower())
        if flag is None:
            errs.add(
                errors.INVALID_INPUT, enums.invalid_enum_message(name, ("true", "false")), name
            )
            return default
        return flag
    return default


def group_by_public_id(*, org: Org, group_id: str) -> BadgeGroup:
    """Another org's group is answered exactly like a missing one."""
    group = BadgeGroup.objects.filter(org=org, public_id=checked_id(group_id)).first()
    if group is None:
        raise BadgeApiError.not_found("Badge group not found")
    return group


def group_list(*, org: Org, query) -> tuple[list[BadgeGroup], dict]:
    """GET group: active groups unless `isActive` (or `status`) is false; by rank, then age.

    `order` ASC (default: rank 1 first) or DESC; `size` (alias `limit`, default 10) and
    0-based `page`. Answers (groups, pagination block).
    """
    errs = ErrorCollector()
    is_active = active_flag(query, ("isActive", "status"), errs, default=True)
    order = None
    if query.get("order") not in (None, ""):
        order = enums.choice(query["order"], enums.ORDERS)
        if order is None:
            errs.add(
                errors.INVALID_INPUT, enums.invalid_enum_message("order", enums.ORDERS), "order"
            )
    page = page_from_query(query, errs, size_names=("size", "limit"))
    errs.raise_if_any()

    groups = BadgeGroup.objects.filter(org=org, is_active=is_active)
    ordering = ("-rank", "-pk") if order == "DESC" else ("rank", "pk")
    total = groups.count()
    return list(groups.order_by(*ordering)[page.offset : page.offset + page.size]), page.block(
        total
    )
