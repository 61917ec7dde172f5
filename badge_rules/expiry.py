"""When an earned badge (or an enrolment) stops counting for the customer.

The service parses Capillary's expiry objects into a normalised mapping; this module only turns
one into an instant and into words. The same rule serves ``earnedBadgeExpiry`` and
``issuedBadgeExpiry``.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from badge_rules.windows import DAYS, MONTHS, WEEKS, add_months, normalise_duration_type

RELATIVE = "RELATIVE"
ABSOLUTE = "ABSOLUTE"
NEVER = "NEVER"
FIXED_DATE = "FIXED_DATE"
WITH_BADGE_META = "WITH_BADGE_META"

# Capillary sets a never-expiring badge to "100 years from now"; calendar years, Feb 29 clamped.
NEVER_YEARS = 100


def expiry_instant(
    rule: Mapping[str, Any], *, granted_at: datetime, badge_end: datetime
) -> datetime:
    """The instant the grant expires.

    Relative periods run from ``granted_at``, the processing time, not the event date (S-earn's
    2026 sample and D-retro both show this), and may run past the badge end (S-multi). Calendar
    arithmetic follows the wall clock of ``granted_at``'s timezone.
    """
    expiry_type = rule.get("expiryType")
    if expiry_type == RELATIVE:
        unit, value = _relative_period(rule)
        if unit == MONTHS:
            return add_months(granted_at, value)
        return granted_at + timedelta(days=value * (7 if unit == WEEKS else 1))
    if expiry_type == ABSOLUTE:
        kind = rule.get("type")
        if kind == WITH_BADGE_META:
            return badge_end
        if kind == FIXED_DATE:
            expires_on = rule.get("expiresOn")
            if not isinstance(expires_on, datetime):
                raise ValueError("a FIXED_DATE expiry needs expiresOn")
            return expires_on
        raise ValueError(
            f"ABSOLUTE expiry type must be {FIXED_DATE} or {WITH_BADGE_META}; got {kind!r}"
        )
    if expiry_type == NEVER:
        return add_months(granted_at, 12 * NEVER_YEARS)
    raise ValueError(
        f"expiryType must be one of {RELATIVE}, {ABSOLUTE}, {NEVER}; got {expiry_type!r}"
    )


def describe_expiry(
    rule: Mapping[str, Any], *, action: str = "earned", tz: tzinfo | None = None
) -> str:
    """Plain words for previews, e.g. "2 weeks after it is earned".

    ``action`` names the grant ("enrolled" for enrolment expiry); ``tz`` shows a fixed date as
    the org's local date rather than the stored instant's.
    """
    expiry_type = rule.get("expiryType")
    if expiry_type == RELATIVE:
        unit, value = _relative_period(rule)
        noun = {DAYS: "day", WEEKS: "week", MONTHS: "month"}[unit]
        return f"{value} {noun}{'' if value == 1 else 's'} after it is {action}"
    if expiry_type == ABSOLUTE and rule.get("type") == WITH_BADGE_META:
        return "with the badge end"
    if expiry_type == ABSOLUTE and isinstance(expires_on := rule.get("expiresOn"), datetime):
        return f"on {(expires_on.astimezone(tz) if tz else expires_on).date().isoformat()}"
    if expiry_type == NEVER:
        return f"never ({NEVER_YEARS} years)"
    raise ValueError(f"cannot describe expiry rule {dict(rule)!r}")


def _relative_period(rule: Mapping[str, Any]) -> tuple[str, int]:
    # The examples spell it relativeExpirytype, the tables relativeExpiryType.
    unit = normalise_duration_type(
        rule.get("relativeExpirytype", rule.get("relativeExpiryType")), field="relativeExpirytype"
    )
    value = rule.get("value")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"a RELATIVE expiry needs a whole number value >= 1; got {value!r}")
    return unit, value
