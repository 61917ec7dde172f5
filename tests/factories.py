"""Builders for API JSON: a valid badge body by default, overridden per test."""

import time
from datetime import UTC, datetime, timedelta

from badge_rules.timestamps import to_iso

_counter = iter(range(1, 10**9))


def future(days: float = 1.0) -> str:
    return to_iso(datetime.now(UTC) + timedelta(days=days))


def badge_body(**overrides) -> dict:
    body = {
        "name": f"Badge {next(_counter)} {time.time_ns()}",
        "description": "Buy three coffees in a week",
        "startOnISO": future(1),
        "expiresOnISO": future(60),
        "earnType": "EARN",
        "active": True,
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 30},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}
