"""Small helpers for console tests."""

import re
from datetime import UTC, datetime, timedelta

from badge_rules.timestamps import to_iso
from tests.factories import badge_body

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}


def htmx(target: str) -> dict:
    """Headers of an HTMX request aimed at the element with this id."""
    return {"HX-Request": "true", "HX-Target": target}


def days_from_now(days: float) -> str:
    return to_iso(datetime.now(UTC) + timedelta(days=days))


def create_badge(api, **overrides) -> dict:
    """A badge created through the API; `live=True` starts it yesterday (migration header)."""
    live = overrides.pop("live", False)
    ended = overrides.pop("ended", False)
    headers = None
    if live:
        overrides.setdefault("startOnISO", days_from_now(-1))
        headers = MIGRATION
    if ended:
        overrides.setdefault("startOnISO", days_from_now(-10))
        overrides.setdefault("expiresOnISO", days_from_now(-2))
        headers = MIGRATION
    status, envelope = api.post("badgeMeta", badge_body(**overrides), headers=headers)
    assert status == 200, envelope
    return envelope["data"]


def text(response) -> str:
    """The response's HTML with tags removed and whitespace collapsed, for reading assertions."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
