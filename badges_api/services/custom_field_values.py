"""Custom field values on a badge: checked against the org's active fields, defaults applied."""

from datetime import date

from badge_rules.timestamps import TimestampError, parse_timestamp
from badges_api import errors
from badges_api.errors import ErrorCollector
from badges_api.inputs import MAX_BIGINT, control_character, control_message, whole_number
from badges_api.models import CustomField, Org

# A value is stored as text beside the badge; it may be as long as a field's default.
MAX_VALUE_LENGTH = CustomField._meta.get_field("default_value").max_length

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def coerce_value(data_type: str, value: object) -> str | None:
    """The value as Capillary stores it (text), or None when it does not fit the field's type.

    INTEGER values are signed 64-bit whole numbers in ASCII digits, so any reader can parse them.
    """
    if value is None or isinstance(value, (dict, list)):
        return None
    if data_type == "STRING":
        return str(value)
    if data_type == "BOOLEAN":
        text = str(value).strip().lower()
        return "true" if text in _TRUE else "false" if text in _FALSE else None
    if data_type == "INTEGER":
        number = whole_number(value, minimum=-MAX_BIGINT, maximum=MAX_BIGINT)
        return None if number is None else str(number)
    if data_type == "DATE":
        text = str(value).strip()
        if not text.isascii():  # parse_timestamp's epoch reading would take "１２" for 12
            return None
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            try:
                return parse_timestamp(value).date().isoformat()
            except TimestampError:
                return None
    return None


def custom_field_values_apply(
    *, org: Org, values: dict[str, object], errs: ErrorCollector
) -> dict[str, str]:
    """Validated values plus the defaults of mandatory fields the badge omits."""
    fields = {field.name: field for field in CustomField.objects.filter(org=org, is_active=True)}
    applied: dict[str, str] = {}
    for name, raw in values.items():
        field = fields.get(name)
        if field is None:
            known = ", ".join(sorted(fields)) or "none defined"
            errs.add(
                errors.CUSTOM_FIELD_INVALID,
                f"Unknown custom field {name!r}; active fields: {known}",
                f"customFields.{name}",
            )
            continue
        reference = f"customFields.{name}"
        coerced = coerce_value(field.data_type, raw)
        if coerced is None:
            errs.add(
                errors.CUSTOM_FIELD_INVALID,
                f"{name!r} expects a {value_description(field.data_type)}",
                reference,
            )
            continue
        problem = value_problem(coerced, reference)
        if problem is not None:
            errs.add(errors.CUSTOM_FIELD_INVALID, problem, reference)
            continue
        applied[name] = coerced
    for field in fields.values():
        if field.is_mandatory and field.name not in applied and field.default_value is not None:
            applied[field.name] = field.default_value
    return applied


def value_description(data_type: str) -> str:
    if data_type == "INTEGER":
        return f"INTEGER value (a whole number from {-MAX_BIGINT:,} to {MAX_BIGINT:,})"
    return f"{data_type} value"


def value_problem(text: str, reference: str) -> str | None:
    """Why a coerced value cannot be stored (control characters, length), or None.

    Text values may hold tabs and line breaks, as a description may.
    """
    bad = control_character(text, free_text=True)
    if bad is not None:
        return control_message(reference, bad)
    if len(text) > MAX_VALUE_LENGTH:
        return f"{reference} must be at most {MAX_VALUE_LENGTH:,} characters"
    return None
