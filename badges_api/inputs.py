"""The one reading of client-sent numbers, text and ids: every value range-checked before use.

Every write validates with these before anything touches the database, so a value the service
accepts can always be stored, counted and rendered again (a number past 64 bits once saved a
badge that no list could render). The ranges are documented in docs/API.md, "Value ranges".
"""

import re

from badges_api import errors
from badges_api.errors import ErrorCollector

# The widest integer a BIGINT column (and orjson) holds; ids and counts of rows stay under it.
MAX_BIGINT = 2**63 - 1
# Limits, ranks and other counts a client sets fit a 32-bit INTEGER column, so sums of them and
# comparisons against BIGINT counts never overflow on either database.
MAX_COUNT = 2**31 - 1

_NOT_GIVEN = object()


def whole_number(value: object, *, minimum: int = 1, maximum: int = MAX_COUNT) -> int | None:
    """A whole number in [minimum, maximum] from 3, "3" or 3.0; None for anything else.

    Strings hold ASCII digits only (an optional leading minus), never "²", "٣" or "１２":
    Python's int() and str.isdigit() accept those, which is how "٣" once earned for customer 3.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        if not (digits and digits.isascii() and digits.isdigit()) or len(digits) > 20:
            return None
        number = int(text)
    else:
        return None
    return number if minimum <= number <= maximum else None


def range_message(name: str, minimum: int, maximum: int) -> str:
    return f"{name} must be a whole number from {minimum:,} to {maximum:,}"


def read_whole_number(
    value: object,
    reference: str,
    errs: ErrorCollector,
    *,
    minimum: int = 1,
    maximum: int = MAX_COUNT,
    name: str | None = None,
) -> int | None:
    """whole_number(), adding a 400 that names the field and its range when the value is refused."""
    number = whole_number(value, minimum=minimum, maximum=maximum)
    if number is None:
        errs.add(
            errors.INVALID_INPUT,
            range_message(name or reference.rsplit(".", 1)[-1], minimum, maximum),
            reference,
        )
    return number


# Unicode's control characters (category Cc): C0, DEL and C1. Format characters such as the
# zero-width joiner in emoji stay allowed.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# Free text (descriptions) may hold line breaks and tabs, nothing else of the C0/C1 sets.
_CONTROL_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str, *, free_text: bool = False) -> str | None:
    """The first control character in text (NUL, tab, newline, DEL, ...), or None.

    PostgreSQL cannot store NUL in text at all and SQLite stores it silently; refusing control
    characters in names and ids makes both databases answer the same. With free_text, tabs and
    line breaks are allowed.
    """
    found = (_CONTROL_IN_FREE_TEXT if free_text else _CONTROL).search(text)
    return found.group() if found else None


def control_message(reference: str, char: str) -> str:
    return f"{reference} must not contain control characters (U+{ord(char):04X})"


def read_name(
    value: object, reference: str, errs: ErrorCollector, *, max_length: int, required: bool = True
) -> str | None:
    """A name or id: a string with at least one visible character, no control characters."""
    if value is None or value == "":
        if required:
            errs.add(errors.INVALID_INPUT, f"{reference} is mandatory", reference)
        return None
    if not isinstance(value, str):
        errs.add(errors.INVALID_INPUT, f"{reference} must be a string", reference)
        return None
    text = value.strip()
    if not text:
        errs.add(errors.INVALID_INPUT, f"{reference} must have a visible character", reference)
        return None
    return text if text_fits(text, reference, errs, max_length=max_length) else None


def text_fits(
    text: str, reference: str, errs: ErrorCollector, *, max_length: int, free_text: bool = False
) -> bool:
    """No control characters (free text may keep tabs and line breaks) and at most max_length."""
    bad = control_character(text, free_text=free_text)
    if bad is not None:
        errs.add(errors.INVALID_INPUT, control_message(reference, bad), reference)
        return False
    if len(text) > max_length:
        errs.add(
            errors.INVALID_INPUT,
            f"{reference} must be at most {max_length:,} characters",
            reference,
        )
        return False
    return True


def checked_id(value: str, reference: str = "id") -> str:
    """An object id from a path or a body, refused with a 400 naming it when it holds a control
    character: PostgreSQL cannot even compare a NUL, SQLite would look it up and answer 404."""
    bad = control_character(value)
    if bad is not None:
        raise errors.BadgeApiError(errors.INVALID_INPUT, control_message(reference, bad), reference)
    return value
