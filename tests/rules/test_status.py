from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badge_rules.status import (
    EXPIRED,
    ITEM_STATUSES,
    LIVE,
    REVOKED,
    UPCOMING,
    badge_status,
    item_status,
    normalise_status_filter,
)

START = datetime(2024, 9, 1, tzinfo=UTC)
END = datetime(2024, 9, 30, 23, 59, 59, tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (START - TICK, UPCOMING),
        (START, LIVE),
        (END, LIVE),
        (END + TICK, EXPIRED),
    ],
)
def test_a_badge_is_live_from_its_start_through_its_end_inclusive(now, status):
    assert badge_status(start=START, end=END, now=now) == status


def test_a_badge_past_its_end_reads_expired_whenever_it_was_updated():
    # S-update sample: expiresOn 2025-10-30, read on 2026-01-19.
    status = badge_status(
        start=datetime(2025, 10, 1, tzinfo=UTC),
        end=datetime(2025, 10, 30, tzinfo=UTC),
        now=datetime(2026, 1, 19, 12, 23, tzinfo=UTC),
    )

    assert status == EXPIRED


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (START - TICK, UPCOMING),
        (START, LIVE),
        (END - TICK, LIVE),
        (END, EXPIRED),
    ],
)
def test_an_item_stops_being_live_at_its_expiry_instant(now, status):
    assert item_status(starts_at=START, expires_at=END, now=now) == status


@pytest.mark.parametrize("now", [START - TICK, START, END + TICK])
def test_a_revoked_item_reads_revoked_whatever_its_dates(now):
    assert item_status(starts_at=START, expires_at=END, now=now, revoked=True) == REVOKED


@pytest.mark.parametrize(
    ("raw", "statuses"),
    [
        ("LIVE", {LIVE}),
        ("live,Ended", {LIVE, EXPIRED}),
        (" upcoming , EXPIRED ,", {UPCOMING, EXPIRED}),
        ("", set()),
        (" , ", set()),
    ],
)
def test_status_filter_accepts_comma_lists_in_any_case_with_ended_as_expired(raw, statuses):
    assert normalise_status_filter(raw) == statuses


def test_status_filter_lists_the_allowed_values_when_it_refuses():
    with pytest.raises(ValueError, match="UPCOMING, LIVE, EXPIRED, ENDED; got 'ARCHIVED'"):
        normalise_status_filter("live,ARCHIVED")


def test_revoked_is_a_filter_for_items_only():
    with pytest.raises(ValueError):
        normalise_status_filter("REVOKED")

    assert normalise_status_filter("revoked,ended", allowed=ITEM_STATUSES) == {REVOKED, EXPIRED}


ORDER = {UPCOMING: 0, LIVE: 1, EXPIRED: 2}
instants = st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))


@given(instants, st.timedeltas(timedelta(0), timedelta(days=400)), instants, instants)
def test_status_only_moves_forward_from_upcoming_to_live_to_expired(start, length, earlier, later):
    earlier, later = sorted((earlier, later))
    end = start + length

    assert (
        ORDER[badge_status(start=start, end=end, now=earlier)]
        <= ORDER[badge_status(start=start, end=end, now=later)]
    )
    assert (
        ORDER[item_status(starts_at=start, expires_at=end, now=earlier)]
        <= ORDER[item_status(starts_at=start, expires_at=end, now=later)]
    )
