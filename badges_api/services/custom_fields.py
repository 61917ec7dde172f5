"""Writes to custom field definitions, and the set-based updates they cause on badges.

Rules (spec 4.9, D-cf): unlimited per org; one active field per name (9007, case-sensitive; a
disabled field frees its name); a mandatory field needs a default that fits its type; `dataType`
never changes (9008); `isActive` goes true -> false only (9009); `isMandatory` toggles both ways.

A mandatory field is linked to every badge of the org, an optional one only to the badges that
set it. So the badges follow the field, each change in one UPDATE statement:
- becoming mandatory (on create or update) writes the default into badges that lack the field;
- mandatory -> optional removes the field from every badge (Capillary: "unlinks it");
- disabling removes it from every badge, as only active fields are shown;
- renaming moves each badge's value to the new name.
Badges' lastUpdatedOn is left alone: the badge definitions themselves did not change.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction

from badges_api import enums, errors
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.inputs import checked_id, read_name
from badges_api.models import ApiClient, Badge, CustomField, Org
from badges_api.services.custom_field_values import coerce_value, value_description, value_problem

DATA_TYPES = tuple(CustomField.DATA_TYPES)
MAX_NAME_LENGTH = CustomField._meta.get_field("name").max_length


@dataclass
class CustomFieldInput:
    """What a create or update carries; `present` names the fields the body had (non-null)."""

    present: set[str] = field(default_factory=set)
    name: str | None = None
    data_type: str | None = None
    is_mandatory: bool | None = None
    is_active: bool | None = None
    raw_default: object = None


def _flag(body: dict, key: str, data: CustomFieldInput, errs: ErrorCollector) -> bool | None:
    """Omitted keeps the stored value; sent, it is true or false (null included is refused)."""
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, bool):
        errs.add(errors.INVALID_INPUT, f"{key} must be true or false", key)
        return None
    data.present.add(key)
    return value


def parse_custom_field_input(body: object, errs: ErrorCollector) -> CustomFieldInput:
    """Shapes only; the rules that need the stored field are checked by create and update."""
    data = CustomFieldInput()
    if not isinstance(body, dict):
        errs.add(errors.INVALID_INPUT, "The request body must be a JSON object")
        return data
    data.name = read_name(body.get("name"), "name", errs, max_length=MAX_NAME_LENGTH)
    raw_type = body.get("dataType")
    if raw_type is not None:
        data.present.add("dataType")
        data.data_type = enums.choice(raw_type, DATA_TYPES)
        if data.data_type is None:
            errs.add(
                errors.INVALID_INPUT, enums.invalid_enum_message("dataType", DATA_TYPES), "dataType"
            )
    data.is_mandatory = _flag(body, "isMandatory", data, errs)
    data.is_active = _flag(body, "isActive", data, errs)
    # An explicit null clears the default (refused below for a mandatory field).
    if "defaultValue" in body:
        data.present.add("defaultValue")
        data.raw_default = body["defaultValue"]
    return data


def _default_value(
    data_type: str | None, raw: object, *, mandatory: bool, errs: ErrorCollector
) -> str | None:
    """The default as stored (coerce_value's text), or None; reports a default that does not fit."""
    if raw is None:
        if mandatory:
            errs.add(
                errors.INVALID_INPUT,
                "A mandatory custom field needs a defaultValue",
                "defaultValue",
            )
        return None
    if data_type is None:  # the dataType itself is wrong or missing; that error says enough
        return None
    value = coerce_value(data_type, raw)
    if value is None:
        errs.add(
            errors.INVALID_INPUT,
            f"defaultValue must be a {value_description(data_type)}",
            "defaultValue",
        )
        return None
    problem = value_problem(value, "defaultValue")
    if problem is not None:
        errs.add(errors.INVALID_INPUT, problem, "defaultValue")
        return None
    return value


def _name_taken(org: Org, name: str | None, *, excluding: int | None = None) -> bool:
    if name is None:
        return False
    query = CustomField.objects.filter(org=org, name=name, is_active=True)
    if excluding is not None:
        query = query.exclude(pk=excluding)
    return query.exists()


def _save(custom_field: CustomField) -> None:
    try:
        with transaction.atomic():
            custom_field.save()
    except IntegrityError as error:
        # Two requests raced past the 9007 check; the partial unique index decided.
        raise BadgeApiError(
            errors.CUSTOM_FIELD_NAME_NOT_UNIQUE, _not_unique(custom_field.name), "name"
        ) from error


def _not_unique(name: str) -> str:
    return f"An active custom field is already named {name!r}"


def custom_field_create(*, org: Org, client: ApiClient, body: object) -> CustomField:
    errs = ErrorCollector()
    data = parse_custom_field_input(body, errs)
    if "dataType" not in data.present:
        errs.add(
            errors.INVALID_INPUT,
            f"dataType is mandatory; allowed values: {', '.join(DATA_TYPES)}",
            "dataType",
        )
    is_mandatory = bool(data.is_mandatory)
    is_active = True if data.is_active is None else data.is_active
    default = _default_value(data.data_type, data.raw_default, mandatory=is_mandatory, errs=errs)
    if is_active and _name_taken(org, data.name):
        errs.add(errors.CUSTOM_FIELD_NAME_NOT_UNIQUE, _not_unique(data.name), "name")
    errs.raise_if_any()
    custom_field = CustomField(
        org=org,
        name=data.name,
        data_type=data.data_type,
        is_mandatory=is_mandatory,
        default_value=default,
        is_active=is_active,
        created_by=client.pk,
        last_updated_by=client.pk,
    )
    with transaction.atomic():
        _save(custom_field)
        if is_active and is_mandatory:
            badges_link(org=org, name=custom_field.name, value=default)
    return custom_field


def custom_field_for_update(org: Org, field_id: str) -> CustomField:
    custom_field = (
        CustomField.objects.select_for_update()
        .filter(org=org, public_id=checked_id(field_id))
        .first()
    )
    if custom_field is None:
        raise BadgeApiError.not_found("Custom field not found")
    return custom_field


def custom_field_update(*, org: Org, client: ApiClient, field_id: str, body: object) -> CustomField:
    """`name` is mandatory; an omitted `isMandatory`, `defaultValue`, `isActive` or `dataType`
    keeps its value."""
    errs = ErrorCollector()
    with transaction.atomic():
        custom_field = custom_field_for_update(org, field_id)
        data = parse_custom_field_input(body, errs)
        if data.data_type is not None and data.data_type != custom_field.data_type:
            errs.add(
                errors.CUSTOM_FIELD_TYPE_IMMUTABLE,
                f"dataType cannot change (this field is {custom_field.data_type})",
                "dataType",
            )
        if data.is_active and not custom_field.is_active:
            errs.add(
                errors.CUSTOM_FIELD_CANNOT_BE_REACTIVATED,
                "A disabled custom field cannot be re-enabled",
                "isActive",
            )
        was_active, was_mandatory = custom_field.is_active, custom_field.is_mandatory
        old_name = custom_field.name
        is_active = was_active if data.is_active is None else data.is_active
        is_mandatory = was_mandatory if data.is_mandatory is None else data.is_mandatory
        raw_default = (
            data.raw_default if "defaultValue" in data.present else custom_field.default_value
        )
        default = _default_value(
            custom_field.data_type, raw_default, mandatory=is_mandatory, errs=errs
        )
        if is_active and _name_taken(org, data.name, excluding=custom_field.pk):
            errs.add(errors.CUSTOM_FIELD_NAME_NOT_UNIQUE, _not_unique(data.name), "name")
        errs.raise_if_any()

        custom_field.name = data.name
        custom_field.is_mandatory = is_mandatory
        custom_field.default_value = default
        custom_field.is_active = is_active
        custom_field.last_updated_by = client.pk
        _save(custom_field)
        if was_active and (not is_active or (was_mandatory and not is_mandatory)):
            badges_unlink(org=org, name=old_name)
        elif is_active:
            if custom_field.name != old_name:
                badges_rename(org=org, old=old_name, new=custom_field.name)
            if is_mandatory and not was_mandatory:
                badges_link(org=org, name=custom_field.name, value=default)
    return custom_field


# --- set-based badge updates ---------------------------------------------------------------
# Keys are always parameters compared with json_each's decoded keys, never spliced into a JSON
# path or matched by json_patch: SQLite compares paths and patches against the raw stored label,
# so a name with a quote, or with non-ASCII letters (Django stores them \u-escaped), would
# silently match nothing. Removing and renaming therefore rebuild the object from its members.

# json_each gives true/false as 1/0; put them back as JSON booleans.
_SQLITE_MEMBER = (
    "CASE type WHEN 'true' THEN json('true') WHEN 'false' THEN json('false')"
    " WHEN 'object' THEN json(value) WHEN 'array' THEN json(value) ELSE value END"
)
_SQL = {
    "sqlite": {
        "has_key": "EXISTS (SELECT 1 FROM json_each({table}.custom_fields) WHERE key = %s)",
        "unlink": (
            f"(SELECT json_group_object(key, {_SQLITE_MEMBER})"
            " FROM json_each({table}.custom_fields) WHERE key <> %s)"
        ),
        # Only badges without the key are touched, so appending cannot duplicate it.
        "link": "json_patch(custom_fields, json_object(%s, %s))",
        # The new name is dropped first in case a stale value sits under it.
        "rename": (
            f"(SELECT json_group_object(CASE WHEN key = %s THEN %s ELSE key END, {_SQLITE_MEMBER})"
            " FROM json_each({table}.custom_fields) WHERE key <> %s)"
        ),
    },
    "postgresql": {
        "has_key": "jsonb_exists(custom_fields, %s)",
        "unlink": "custom_fields - %s::text",
        "link": "custom_fields || jsonb_build_object(%s::text, %s::text)",
        "rename": (
            "(custom_fields - %s::text) || jsonb_build_object(%s::text, custom_fields -> %s::text)"
        ),
    },
}


def _badges_update(org: Org, *, set_sql: str, set_params: list, key: str, has_key: bool) -> int:
    sql = _SQL.get(connection.vendor)
    if sql is None:
        raise NotImplementedError(
            f"custom field updates on badges are not written for {connection.vendor}"
        )
    table = connection.ops.quote_name(Badge._meta.db_table)
    condition = sql["has_key"].format(table=table)
    statement = (
        f"UPDATE {table} SET custom_fields = {sql[set_sql].format(table=table)}"
        f" WHERE org_id = %s AND {'' if has_key else 'NOT '}{condition}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*set_params, org.pk, key])
        return cursor.rowcount


def badges_unlink(*, org: Org, name: str) -> int:
    """Remove the field from every badge of the org; answers how many badges changed."""
    return _badges_update(org, set_sql="unlink", set_params=[name], key=name, has_key=True)


def badges_link(*, org: Org, name: str, value: str) -> int:
    """Give every badge of the org that lacks the field its default value."""
    return _badges_update(org, set_sql="link", set_params=[name, value], key=name, has_key=False)


def badges_rename(*, org: Org, old: str, new: str) -> int:
    """Move each badge's value from `old` to `new`."""
    params = [old, new, new] if connection.vendor == "sqlite" else [old, new, old]
    return _badges_update(org, set_sql="rename", set_params=params, key=old, has_key=True)
