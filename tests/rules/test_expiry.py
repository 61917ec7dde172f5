import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badge_rules.expiry import describe_expiry, expiry_instant

BADGE_END = datetime(2024, 9, 30, 23, 59, 59, tzinfo=UTC)


def relative(unit, value):
    return {"expiryType": "RELATIVE", "relativeExpirytype": unit, "value": value}


def test_relative_expiry_counts_from_processing_time_not_the_event_date():
    # S-earn 2026 sample: processed 2026-01-19T12:23:16Z, 2-week expiry.
    processed = datetime(2026, 1, 19, 12, 23, 16, tzinfo=UTC)

    expires = expiry_instant(relative("WEEKS", 2), granted_at=processed, badge_end=BADGE_END)

    assert expires == datetime(2026, 2, 2, 12, 23, 16, tzinfo=UTC)


def test_relative_expiry_may_run_past_the_badge_end():
    # S-multi: badge Sept 1-30, issued Sept 17 with a 2-week duration expires Oct 1.
    issued = datetime(2024, 9, 17, 10, 0, tzinfo=UTC)

    expires = expiry_instant(relative("WEEKS", 2), granted_at=issued, badge_end=BADGE_END)

    assert expires == datetime(2024, 10, 1, 10, 0, tzinfo=UTC)
    assert expires > BADGE_END


def test_relative_days_expiry_matches_the_retro_example():
    processed = datetime(2024, 10, 20, 9, 0, tzinfo=UTC)

    assert expiry_instant(
        relative("DAYS", 2), granted_at=processed, badge_end=BADGE_END
    ) == datetime(2024, 10, 22, 9, 0, tzinfo=UTC)


def test_relative_months_are_calendar_months_with_the_day_clamped():
    granted = datetime(2024, 1, 31, 8, 0, tzinfo=UTC)

    assert expiry_instant(
        relative("MONTHS", 1), granted_at=granted, badge_end=BADGE_END
    ) == datetime(2024, 2, 29, 8, 0, tzinfo=UTC)


def test_relative_expiry_accepts_the_tables_spelling_of_the_unit():
    rule = {"expiryType": "RELATIVE", "relativeExpiryType": "DAYS", "value": 10}
    granted = datetime(2024, 4, 5, tzinfo=UTC)

    assert expiry_instant(rule, granted_at=granted, badge_end=BADGE_END) == datetime(
        2024, 4, 15, tzinfo=UTC
    )


def test_fixed_date_expiry_is_its_own_date_whenever_the_badge_was_granted():
    on = datetime(2025, 1, 1, tzinfo=UTC)
    rule = {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": on}

    assert (
        expiry_instant(rule, granted_at=datetime(2024, 6, 1, tzinfo=UTC), badge_end=BADGE_END) == on
    )
    assert (
        expiry_instant(rule, granted_at=datetime(2024, 12, 1, tzinfo=UTC), badge_end=BADGE_END)
        == on
    )


def test_with_badge_meta_expiry_follows_the_badge_end():
    rule = {"expiryType": "ABSOLUTE", "type": "WITH_BADGE_META", "expiresOn": None}

    assert (
        expiry_instant(rule, granted_at=datetime(2024, 6, 1, tzinfo=UTC), badge_end=BADGE_END)
        == BADGE_END
    )


def test_never_expiring_is_a_hundred_calendar_years_with_feb_29_clamped():
    rule = {"expiryType": "NEVER"}

    assert expiry_instant(
        rule, granted_at=datetime(2000, 2, 29, 7, 0, tzinfo=UTC), badge_end=BADGE_END
    ) == datetime(2100, 2, 28, 7, 0, tzinfo=UTC)
    assert expiry_instant(
        rule, granted_at=datetime(2024, 5, 6, tzinfo=UTC), badge_end=BADGE_END
    ) == datetime(2124, 5, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    "rule",
    [
        {"expiryType": "SOMETIMES"},
        {},
        {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": None},
        {"expiryType": "ABSOLUTE", "type": "LATER"},
        relative("DAYS", 0),
        relative("DAYS", True),
        relative("YEARS", 1),
    ],
)
def test_expiry_instant_refuses_incomplete_rules(rule):
    with pytest.raises(ValueError):
        expiry_instant(rule, granted_at=datetime(2024, 6, 1, tzinfo=UTC), badge_end=BADGE_END)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (relative("WEEKS", 2), "2 weeks after it is earned"),
        (relative("DAYS", 1), "1 day after it is earned"),
        (relative("MONTHS", 3), "3 months after it is earned"),
        ({"expiryType": "ABSOLUTE", "type": "WITH_BADGE_META"}, "with the badge end"),
        (
            {
                "expiryType": "ABSOLUTE",
                "type": "FIXED_DATE",
                "expiresOn": datetime(2025, 1, 1, tzinfo=UTC),
            },
            "on 2025-01-01",
        ),
        ({"expiryType": "NEVER"}, "never (100 years)"),
    ],
)
def test_describe_expiry_in_plain_words(rule, words):
    assert describe_expiry(rule) == words


def test_describe_expiry_names_the_grant_and_shows_fixed_dates_in_the_org_timezone():
    fixed = {
        "expiryType": "ABSOLUTE",
        "type": "FIXED_DATE",
        "expiresOn": datetime(2024, 12, 31, 20, tzinfo=UTC),
    }

    assert (
        describe_expiry(relative("DAYS", 10), action="enrolled") == "10 days after it is enrolled"
    )
    assert describe_expiry(fixed, tz=ZoneInfo("Asia/Kolkata")) == "on 2025-01-01"


grant_instants = st.datetimes(datetime(2000, 1, 1), datetime(2090, 12, 31), timezones=st.just(UTC))


@given(grant_instants, st.integers(1, 120))
def test_relative_months_never_expire_early_and_only_clamp_the_day(granted, months):
    expires = expiry_instant(relative("MONTHS", months), granted_at=granted, badge_end=BADGE_END)

    assert expires > granted
    assert expires.time() == granted.time()
    assert (expires.year * 12 + expires.month) - (granted.year * 12 + granted.month) == months
    assert expires.day == min(granted.day, calendar.monthrange(expires.year, expires.month)[1])


@given(grant_instants, st.sampled_from(["DAYS", "WEEKS"]), st.integers(1, 400))
def test_relative_days_and_weeks_are_exact_elapsed_time_in_utc(granted, unit, value):
    expires = expiry_instant(relative(unit, value), granted_at=granted, badge_end=BADGE_END)

    assert expires - granted == timedelta(days=value * (7 if unit == "WEEKS" else 1))
