"""Bridges a badge's stored fixed-window constraints to badge_rules' cycle arithmetic.

Where a fixed window's cycles stop (decision, issue 9): a direct (EARN) badge's windows stop at
the badge's end. An enrol-first (ISSUE_EARN) badge stays earnable after its own end while a
customer's enrolment lives, so its windows run past the badge's end: a customer window to the
customer's enrolment expiry, as seed 002's "Badge Issue earn" answer shows (its customer window
ends at the enrolment expiry 1926235957, the badge at 1726804000), and a badge-wide window to the
latest any enrolment can expire, so that every earn falls in a badge-wide cycle and a badge-wide
limit ("at most 100 a week across customers") keeps holding after the badge's end.
"""

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection

from badge_rules.expiry import expiry_instant
from badge_rules.timestamps import TimestampError, parse_timestamp
from badge_rules.windows import DAY_NAMES, FixedWindowSpec, Window, badge_days, window_containing
from badges_api.models import Org
from badges_api.sql import timestamp

# Cycles are computed up to the day after their last one; this keeps that day a valid date
# whatever an expiry rule says.
_LAST_CYCLE_END = datetime(9998, 12, 31, tzinfo=UTC)


def org_tz(org: Org) -> tzinfo:
    try:
        return ZoneInfo(org.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def window_spec(constraint: dict) -> FixedWindowSpec:
    start_day = constraint.get("startDayOfTheWeek") or "MONDAY"
    return FixedWindowSpec(
        duration_type=constraint["durationType"],
        refresh_rate=constraint.get("refreshRate"),
        start_day_of_week=DAY_NAMES.index(start_day) + 1,
    )


def fixed_window_constraints(badge, constraint_type: str = "ALL") -> list[dict]:
    """The badge's fixed-window constraints: customer first, then badge (constraintType ALL)."""
    chosen = []
    if constraint_type in ("ALL", "CUSTOMER"):
        chosen += [
            c for c in badge.customer_constraints if c["constraintType"].endswith("FIXED_WINDOW")
        ]
    if constraint_type in ("ALL", "BADGE"):
        chosen += [
            c for c in badge.badge_constraints if c["constraintType"].endswith("FIXED_WINDOW")
        ]
    return chosen


def runs_with_enrolment(badge) -> bool:
    """An enrol-first badge: its fixed windows run past the badge's end, with the enrolments."""
    return badge.earn_type == "ISSUE_EARN"


def enrolment_horizon(badge) -> datetime:
    """The latest an enrolment into the badge can expire.

    An enrolment runs by `issuedBadgeExpiry` (none: never) from its event date, which lies within
    the badge, so the latest one starts at the badge's end: a fixed date is that date, "with the
    badge" the badge's end, a relative period the end plus the period, never the end plus 100 years.
    """
    rule = dict(badge.issued_badge_expiry or {"expiryType": "NEVER"})
    try:
        if rule.get("expiresOn") is not None:
            rule["expiresOn"] = parse_timestamp(rule["expiresOn"])
        return min(
            expiry_instant(rule, granted_at=badge.expires_on, badge_end=badge.expires_on),
            _LAST_CYCLE_END,
        )
    except (TimestampError, ValueError, OverflowError):
        return _LAST_CYCLE_END


def windows_end(
    badge, constraint: dict, *, enrolment_expires_on: datetime | None = None
) -> datetime:
    """The instant a fixed window's cycles stop (see the module docstring).

    For an enrol-first badge, the latest an enrolment can expire; a customer window is cut
    instead at `enrolment_expires_on`, the expiry of the enrolment of the customer in question,
    when there is one. A badge-wide window is the same for every customer, so it ignores it.
    Never before the badge's start, so the cycles are never an empty span.
    """
    if not runs_with_enrolment(badge):
        return badge.expires_on
    if enrolment_expires_on is not None and constraint["constraintType"].startswith("CUSTOMER"):
        end = min(enrolment_expires_on, _LAST_CYCLE_END)
    else:
        end = enrolment_horizon(badge)
    return max(end, badge.start_on)


def window_days(
    badge, constraint: dict, tz: tzinfo, *, enrolment_expires_on: datetime | None = None
) -> tuple[date, date]:
    """The first and last local day of the constraint's cycles."""
    return badge_days(
        badge.start_on,
        windows_end(badge, constraint, enrolment_expires_on=enrolment_expires_on),
        tz,
    )


def current_window(
    badge,
    constraint: dict,
    *,
    now: datetime,
    tz: tzinfo,
    enrolment_expires_on: datetime | None = None,
) -> Window | None:
    first_day, last_day = window_days(
        badge, constraint, tz, enrolment_expires_on=enrolment_expires_on
    )
    return window_containing(
        window_spec(constraint), now.astimezone(tz).date(), first_day=first_day, last_day=last_day
    )


def live_enrolment_expiry(badge, customer_pk: int, *, now: datetime) -> datetime | None:
    """When the customer's live enrolment into an enrol-first badge expires (the latest, if
    several); None for a direct badge or a customer not enrolled now, whose cycles then run to
    the latest an enrolment can expire (windows_end)."""
    if badge.earn_type != "ISSUE_EARN":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires_on FROM badges_api_enrolment WHERE badge_id = %s AND customer_id = %s AND is_active"
            " AND issued_on <= %s AND expires_on > %s ORDER BY id DESC LIMIT 1",
            [badge.pk, customer_pk, timestamp(now), timestamp(now)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    expires_on = row[0]
    if isinstance(expires_on, str):  # SQLite without its column type
        expires_on = datetime.fromisoformat(expires_on)
    return expires_on if expires_on.tzinfo is not None else expires_on.replace(tzinfo=UTC)
