"""Bridges a badge's stored fixed-window constraints to badge_rules' cycle arithmetic."""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from badge_rules.windows import FixedWindowSpec, Window, badge_days, window_containing

from badges_api.models import Badge, Org


def org_tz(org: Org) -> tzinfo:
    try:
        return ZoneInfo(org.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def window_spec(constraint: dict) -> FixedWindowSpec:
    day_names = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
    start_day = constraint.get("startDayOfTheWeek") or "MONDAY"
    return FixedWindowSpec(
        duration_type=constraint["durationType"],
        refresh_rate=constraint.get("refreshRate"),
        start_day_of_week=day_names.index(start_day) + 1,
    )


def fixed_window_constraints(badge: Badge, constraint_type: str = "ALL") -> list[dict]:
    """The badge's fixed-window constraints: customer first, then badge (constraintType ALL)."""
    chosen = []
    if constraint_type in ("ALL", "CUSTOMER"):
        chosen += [c for c in badge.customer_constraints if c["constraintType"].endswith("FIXED_WINDOW")]
    if constraint_type in ("ALL", "BADGE"):
        chosen += [c for c in badge.badge_constraints if c["constraintType"].endswith("FIXED_WINDOW")]
    return chosen


def current_window(badge: Badge, constraint: dict, *, now: datetime, tz: tzinfo) -> Window | None:
    first_day, last_day = badge_days(badge.start_on, badge.expires_on, tz)
    return window_containing(window_spec(constraint), now.astimezone(tz).date(), first_day=first_day, last_day=last_day)
