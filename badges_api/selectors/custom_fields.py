"""Reads of custom field definitions: one field, and the org's fields, sorted and paged."""

from badges_api import enums, errors
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.inputs import checked_id
from badges_api.models import CustomField, Org
from badges_api.selectors.groups import active_flag
from badges_api.selectors.pagination import page_from_query

SORTS = {"LAST_UPDATED_DATE": "last_updated_on", "CREATED_DATE": "created_on", "NAME": "name"}


def custom_field_by_public_id(*, org: Org, field_id: str) -> CustomField:
    """Another org's field is answered exactly like a missing one."""
    custom_field = CustomField.objects.filter(org=org, public_id=checked_id(field_id)).first()
    if custom_field is None:
        raise BadgeApiError.not_found("Custom field not found")
    return custom_field


def custom_field_list(*, org: Org, query) -> tuple[list[CustomField], dict]:
    """GET customField: active fields unless `isActive=false` ("only active fields are returned").

    `sortOn` LAST_UPDATED_DATE (default), CREATED_DATE or NAME; `order` DESC (default, newest
    first) or ASC; `size` (alias `limit`, default 10) and 0-based `page`.
    """
    errs = ErrorCollector()
    is_active = active_flag(query, ("isActive",), errs, default=True)
    sort, order = "LAST_UPDATED_DATE", "DESC"
    for name, allowed in (("sortOn", tuple(SORTS)), ("order", enums.ORDERS)):
        raw = query.get(name)
        if raw in (None, ""):
            continue
        value = enums.choice(raw, allowed)
        if value is None:
            errs.add(errors.INVALID_INPUT, enums.invalid_enum_message(name, allowed), name)
        elif name == "sortOn":
            sort = value
        else:
            order = value
    page = page_from_query(query, errs, size_names=("size", "limit"))
    errs.raise_if_any()

    prefix = "-" if order == "DESC" else ""
    fields = CustomField.objects.filter(org=org, is_active=is_active)
    total = fields.count()
    rows = fields.order_by(prefix + SORTS[sort], prefix + "pk")[
        page.offset : page.offset + page.size
    ]
    return list(rows), page.block(total)
