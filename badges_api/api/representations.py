"""Badge rows -> Capillary's JSON. Timestamps go out as epoch seconds plus ISO-8601 UTC."""

from datetime import datetime, tzinfo

from badge_rules.status import badge_status
from badge_rules.timestamps import parse_timestamp, stamp, to_iso
from badge_rules.windows import Window
from badges_api.fixed_windows import current_window, windows_end
from badges_api.models import Badge

_CYCLE_STATUS = {"UPCOMING": "UPCOMING", "LIVE": "ACTIVE", "EXPIRED": "EXPIRED"}


def expiry_to_wire(expiry: dict | None) -> dict | None:
    if expiry is None:
        return None
    wire = dict(expiry)
    if "expiresOn" in wire:
        wire["expiresOnISO"] = (
            to_iso(parse_timestamp(wire["expiresOn"])) if wire["expiresOn"] is not None else None
        )
    return wire


def constraint_to_wire(
    badge,
    constraint: dict,
    *,
    status: str,
    now: datetime,
    tz: tzinfo,
    enrolment_expires_on: datetime | None = None,
) -> dict:
    """A constraint as answered. A fixed window carries its cycles' span (`startDate`/`endDate`),
    `cycleStatus` and, while a cycle runs, `currentCycle`.

    The span is the badge's, except an enrol-first badge's windows, which run to the enrolment
    expiry (seed 002; fixed_windows.windows_end): the latest one can reach, or for a customer
    window the customer's, `enrolment_expires_on`, when the answer is about one customer.
    """
    wire = dict(constraint)
    if not constraint["constraintType"].endswith("FIXED_WINDOW"):
        return wire
    end = windows_end(badge, constraint, enrolment_expires_on=enrolment_expires_on)
    if end != badge.expires_on:
        status = badge_status(start=badge.start_on, end=end, now=now)
    wire["cycleStatus"] = _CYCLE_STATUS[status]
    stamp(wire, "startDate", badge.start_on)
    stamp(wire, "endDate", end)
    if status == "LIVE":
        window = current_window(
            badge, constraint, now=now, tz=tz, enrolment_expires_on=enrolment_expires_on
        )
        if window is not None:
            wire["currentCycle"] = cycle_to_wire(window, tz)
    return wire


def cycle_to_wire(window: Window, tz: tzinfo) -> dict:
    """A cycle's `{startDate, endDate, firstDay, lastDay}`: 00:00 of its first and of its last
    day, Capillary's convention (seed 004: a 3-day cycle's endDate is two days after its
    startDate), the same as getFixedWindowDetails answers the cycle."""
    cycle: dict = {}
    stamp(cycle, "startDate", window.start_instant(tz))
    stamp(cycle, "endDate", window.last_day_instant(tz))
    cycle["firstDay"] = window.first_day.isoformat()
    cycle["lastDay"] = window.last_day.isoformat()
    return cycle


def badge_to_wire(
    badge: Badge, *, claims: list[dict], now: datetime, tz: tzinfo, group_public_id: str | None
) -> dict:
    """`claims` are {ownerType, referenceId, isActive}; the caller fetches them in one query."""
    status = badge_status(start=badge.start_on, end=badge.expires_on, now=now)
    wire: dict = {
        "id": badge.public_id,
        "badgeNumericId": badge.pk,
        "orgId": badge.org_id,
        "name": badge.name,
    }
    wire["description"] = badge.description
    stamp(wire, "startOn", badge.start_on)
    stamp(wire, "expiresOn", badge.expires_on)
    wire["earnedBadgeExpiry"] = expiry_to_wire(badge.earned_badge_expiry)
    wire["issuedBadgeExpiry"] = expiry_to_wire(badge.issued_badge_expiry)
    wire["images"] = badge.images
    wire["ownership"] = {"restrictedToOwners": badge.restricted_to_owners, "claims": claims}
    wire["customerConstraints"] = [
        constraint_to_wire(badge, c, status=status, now=now, tz=tz)
        for c in badge.customer_constraints
    ]
    wire["badgeConstraints"] = [
        constraint_to_wire(badge, c, status=status, now=now, tz=tz) for c in badge.badge_constraints
    ]
    wire["benefits"] = badge.benefits
    wire["tags"] = badge.tags
    wire["badgeGroupId"] = group_public_id
    wire["badgeRank"] = badge.badge_rank
    wire["earnType"] = badge.earn_type
    wire["issuedCount"] = badge.issued_count
    wire["earnedCount"] = badge.earned_count
    wire["status"] = status
    stamp(wire, "createdOn", badge.created_on)
    wire["createdBy"] = badge.created_by
    stamp(wire, "lastUpdatedOn", badge.last_updated_on)
    wire["lastUpdatedBy"] = badge.last_updated_by
    wire["customFields"] = badge.custom_fields
    wire["active"] = badge.active
    return wire
