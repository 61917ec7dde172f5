"""Statuses computed at read time from dates, never stored, so they cannot go stale."""

from collections.abc import Iterable
from datetime import datetime

UPCOMING = "UPCOMING"
LIVE = "LIVE"
EXPIRED = "EXPIRED"
REVOKED = "REVOKED"
# Capillary's docs call an expired badge ENDED as often as EXPIRED; responses say EXPIRED.
ENDED = "ENDED"

BADGE_STATUSES = (UPCOMING, LIVE, EXPIRED)
ITEM_STATUSES = (UPCOMING, LIVE, EXPIRED, REVOKED)

_ALIASES = {ENDED: EXPIRED}


def badge_status(*, start: datetime, end: datetime, now: datetime) -> str:
    """A badge is earnable from its start through its end, both inclusive."""
    if now < start:
        return UPCOMING
    return LIVE if now <= end else EXPIRED


def item_status(
    *, starts_at: datetime, expires_at: datetime, now: datetime, revoked: bool = False
) -> str:
    """Status of one enrolment or earned badge, independent of the badge's own status.

    Unlike the badge, the item has stopped counting at ``expires_at`` (exclusive), so that a
    follow-up grant starting at that instant does not overlap it.
    """
    if revoked:
        return REVOKED
    if now < starts_at:
        return UPCOMING
    return LIVE if now < expires_at else EXPIRED


def normalise_status_filter(value: str, *, allowed: Iterable[str] = BADGE_STATUSES) -> set[str]:
    """Statuses asked for in a query such as ``status=live,Ended``.

    Blank means no filter and gives an empty set, as an empty ``<select>`` submits.
    """
    allowed = tuple(allowed)
    statuses = set()
    for part in value.split(","):
        name = part.strip().upper()
        if not name:
            continue
        name = _ALIASES.get(name, name)
        if name not in allowed:
            aliases = [alias for alias, target in _ALIASES.items() if target in allowed]
            raise ValueError(
                f"status must be one of {', '.join(allowed + tuple(aliases))}; got {part.strip()!r}"
            )
        statuses.add(name)
    return statuses
