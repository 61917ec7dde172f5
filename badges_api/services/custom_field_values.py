"""Custom field values on a badge: checked against the org's active fields, defaults applied."""

from datetime import date

from badge_rules.timestamps import TimestampError, parse_timestamp
from badges_api import errors
from badges_api.errors import ErrorCollector
from badges_api.models import CustomField, Org

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def coerce_value(data_type: str, value: object) -> str | None:
    """The value as Capillary stores it (text), or None when it does not fit the field's type."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if data_type == "STRING":
        return str(value)
    if data_type == "BOOLEAN":
        text = str(value).strip().lower()
        return "true" if text in _TRUE else "false" if text in _FALSE else None
    if data_type == "INTEGER":
        if isinstance(value, bool):
            return None
        if isinstance(value, float) and not value.is_integer():
            return None
        try:
            return str(int(str(value).strip()) if not isinstance(value, float) else int(value))
        except ValueError:
            return None
    if data_type == "DATE":
        text = str(value).strip()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            try:
                return parse_timestamp(value).date().isoformat()
            except TimestampError:
                return None
    return None


def custom_field_values_apply(*, org: Org, values: dict[str, object], errs: ErrorCollector) -> dict[str, str]:
    """Validated values plus the defaults of mandatory fields the badge omits."""
    fields = {field.name: field for field in CustomField.objects.filter(org=org, is_active=True)}
    applied: dict[str, str] = {}
    for name, raw in values.items():
        field = fields.get(name)
        if field is None:
            known = ", ".join(sorted(fields)) or "none defined"
            errs.add(errors.CUSTOM_FIELD_INVALID, f"Unknown custom field {name!r}; active fields: {known}", f"customFields.{name}")
            continue
        coerced = coerce_value(field.data_type, raw)
        if coerced is None:
            errs.add(errors.CUSTOM_FIELD_INVALID, f"{name!r} expects a {field.data_type} value", f"customFields.{name}")
            continue
        applied[name] = coerced
    for field in fields.values():
        if field.is_mandatory and field.name not in applied and field.default_value is not None:
            applied[field.name] = field.default_value
    return applied
