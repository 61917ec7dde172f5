from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badge_rules.windows import (
    DAYS,
    MONTHS,
    WEEKS,
    FixedWindowSpec,
    RollingLimit,
    Window,
    add_months,
    badge_days,
    describe_fixed_window,
    describe_rolling_limit,
    iter_windows,
    normalise_duration_type,
    parse_day_of_week,
    rolling_window_start,
    window_at,
    window_containing,
    window_count,
    windows_overlapping,
)

ZONES = [ZoneInfo(name) for name in ("UTC", "Asia/Kolkata", "America/New_York", "Pacific/Auckland")]


def spans(spec, first_day, last_day):
    return [
        (w.first_day, w.last_day)
        for w in iter_windows(spec, first_day=first_day, last_day=last_day)
    ]


# Seed and spec examples --------------------------------------------------------------------


def test_weekly_windows_match_the_seed_example():
    spec = FixedWindowSpec(WEEKS, start_day_of_week="MONDAY")

    windows = list(iter_windows(spec, first_day=date(2023, 9, 25), last_day=date(2023, 10, 30)))

    assert [(w.first_day, w.last_day) for w in windows] == [
        (date(2023, 9, 25), date(2023, 10, 1)),
        (date(2023, 10, 2), date(2023, 10, 8)),
        (date(2023, 10, 9), date(2023, 10, 15)),
        (date(2023, 10, 16), date(2023, 10, 22)),
        (date(2023, 10, 23), date(2023, 10, 29)),
        (date(2023, 10, 30), date(2023, 10, 30)),
    ]
    assert [w.partial for w in windows] == [False] * 5 + [True]


def test_three_day_windows_match_the_seed_example():
    spec = FixedWindowSpec(DAYS, refresh_rate=3)
    first_day, last_day = date(2025, 3, 3), date(2026, 12, 20)

    assert spans(spec, first_day, last_day)[:3] == [
        (date(2025, 3, 3), date(2025, 3, 5)),
        (date(2025, 3, 6), date(2025, 3, 8)),
        (date(2025, 3, 9), date(2025, 3, 11)),
    ]
    assert window_count(spec, first_day=first_day, last_day=last_day) == 220


def test_retro_earn_on_oct_11_counts_against_the_oct_10_to_12_window():
    spec = FixedWindowSpec(DAYS, refresh_rate=3)

    window = window_containing(
        spec, date(2024, 10, 11), first_day=date(2024, 10, 1), last_day=date(2024, 12, 31)
    )

    assert (window.first_day, window.last_day) == (date(2024, 10, 10), date(2024, 10, 12))


def test_five_day_windows_are_cut_at_the_badge_end_day():
    spec = FixedWindowSpec(DAYS, refresh_rate=5)

    windows = list(iter_windows(spec, first_day=date(2024, 4, 15), last_day=date(2024, 4, 30)))

    assert [(w.first_day.day, w.last_day.day, w.partial) for w in windows] == [
        (15, 19, False),
        (20, 24, False),
        (25, 29, False),
        (30, 30, True),
    ]


def test_weekly_first_window_is_partial_when_the_badge_starts_mid_week():
    spec = FixedWindowSpec(WEEKS, start_day_of_week=1)

    # 2023-09-27 is a Wednesday.
    windows = list(iter_windows(spec, first_day=date(2023, 9, 27), last_day=date(2023, 10, 8)))

    assert [(w.first_day, w.last_day, w.partial) for w in windows] == [
        (date(2023, 9, 27), date(2023, 10, 1), True),
        (date(2023, 10, 2), date(2023, 10, 8), False),
    ]


def test_monthly_windows_are_calendar_months_with_a_partial_first_month():
    spec = FixedWindowSpec("MONTHLY")

    windows = list(iter_windows(spec, first_day=date(2024, 4, 15), last_day=date(2024, 7, 31)))

    assert [(w.first_day, w.last_day, w.partial) for w in windows] == [
        (date(2024, 4, 15), date(2024, 4, 30), True),
        (date(2024, 5, 1), date(2024, 5, 31), False),
        (date(2024, 6, 1), date(2024, 6, 30), False),
        (date(2024, 7, 1), date(2024, 7, 31), False),
    ]


def test_a_ten_year_daily_badge_is_looked_up_without_listing_its_windows():
    spec = FixedWindowSpec(DAYS, refresh_rate=1)
    first_day, last_day = date(2016, 1, 1), date(2025, 12, 31)

    assert window_count(spec, first_day=first_day, last_day=last_day) == 3653
    last = window_containing(spec, last_day, first_day=first_day, last_day=last_day)
    assert last == Window(index=3652, first_day=last_day, last_day=last_day, partial=False)
    assert window_at(spec, 3652, first_day=first_day, last_day=last_day) == last


@pytest.mark.parametrize(
    "spec",
    [
        FixedWindowSpec(DAYS, 1),
        FixedWindowSpec(DAYS, 7),
        FixedWindowSpec(WEEKS, start_day_of_week=7),
        FixedWindowSpec(MONTHS),
    ],
    ids=["daily", "7-day", "weekly-sunday", "monthly"],
)
def test_lookups_are_arithmetic_even_for_a_badge_spanning_the_whole_calendar(spec):
    count = window_count(spec, first_day=date.min, last_day=date.max)

    last = window_at(spec, count - 1, first_day=date.min, last_day=date.max)

    assert last.last_day == date.max
    assert window_containing(spec, date.max, first_day=date.min, last_day=date.max) == last
    assert windows_overlapping(
        spec, first_day=date.min, last_day=date.max, from_day=date.min, to_day=date.max
    ) == range(count)


# Lookups -----------------------------------------------------------------------------------


def test_window_at_refuses_indexes_out_of_range():
    spec = FixedWindowSpec(WEEKS)
    bounds = {"first_day": date(2023, 9, 25), "last_day": date(2023, 10, 30)}

    with pytest.raises(IndexError):
        window_at(spec, 6, **bounds)
    with pytest.raises(IndexError):
        window_at(spec, -1, **bounds)


def test_window_containing_is_none_outside_the_badge():
    spec = FixedWindowSpec(DAYS, 3)
    bounds = {"first_day": date(2025, 3, 3), "last_day": date(2025, 3, 31)}

    assert window_containing(spec, date(2025, 3, 2), **bounds) is None
    assert window_containing(spec, date(2025, 4, 1), **bounds) is None


def test_windows_overlapping_gives_the_indexes_of_the_touched_windows():
    spec = FixedWindowSpec(WEEKS)
    bounds = {"first_day": date(2023, 9, 25), "last_day": date(2023, 10, 30)}

    touched = windows_overlapping(
        spec, **bounds, from_day=date(2023, 10, 8), to_day=date(2023, 10, 9)
    )

    assert touched == range(1, 3)
    assert windows_overlapping(
        spec, **bounds, from_day=date(2023, 1, 1), to_day=date(2023, 9, 24)
    ) == range(0)
    assert windows_overlapping(
        spec, **bounds, from_day=date(2023, 1, 1), to_day=date(2024, 1, 1)
    ) == range(6)


def test_iter_windows_resumes_from_start_index():
    spec = FixedWindowSpec(WEEKS)

    windows = list(
        iter_windows(spec, first_day=date(2023, 9, 25), last_day=date(2023, 10, 30), start_index=4)
    )

    assert [w.index for w in windows] == [4, 5]


def test_windows_refuse_a_badge_that_ends_before_it_starts():
    with pytest.raises(ValueError):
        window_count(
            FixedWindowSpec(MONTHS), first_day=date(2024, 2, 1), last_day=date(2024, 1, 31)
        )


# Days and instants in the org's timezone ---------------------------------------------------


def test_badge_days_are_the_org_local_dates_of_the_badge_instants():
    start = datetime(2024, 3, 31, 20, 0, tzinfo=UTC)  # 1 Apr 01:30 in Kolkata
    end = datetime(2024, 4, 30, 18, 29, 59, tzinfo=UTC)  # 30 Apr 23:59:59 in Kolkata

    assert badge_days(start, end, ZoneInfo("Asia/Kolkata")) == (date(2024, 4, 1), date(2024, 4, 30))


def test_badge_days_refuse_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        badge_days(datetime(2024, 1, 1), datetime(2024, 2, 1, tzinfo=UTC), ZoneInfo("UTC"))


def test_window_instants_are_local_midnights_in_utc():
    window = Window(index=0, first_day=date(2024, 4, 1), last_day=date(2024, 4, 7), partial=False)
    kolkata = ZoneInfo("Asia/Kolkata")

    assert window.start_instant(kolkata) == datetime(2024, 3, 31, 18, 30, tzinfo=UTC)
    assert window.end_instant(kolkata) == datetime(2024, 4, 7, 18, 30, tzinfo=UTC)
    assert window.days == 7


def test_a_cycles_answered_end_is_00_00_of_its_last_day_as_capillary_shows_it():
    """Seed 004: a 3-day cycle from 2 to 4 July 2024 has endDate two days after its startDate."""
    window = Window(index=12, first_day=date(2024, 7, 2), last_day=date(2024, 7, 4), partial=False)
    kolkata = ZoneInfo("Asia/Kolkata")

    assert window.last_day_instant(ZoneInfo("UTC")) - window.start_instant(
        ZoneInfo("UTC")
    ) == timedelta(days=2)
    assert window.last_day_instant(kolkata) == datetime(2024, 7, 3, 18, 30, tzinfo=UTC)
    assert (
        window.start_instant(kolkata)
        <= window.last_day_instant(kolkata)
        < window.end_instant(kolkata)
    )


def test_a_window_across_the_spring_dst_change_is_an_hour_short():
    window = Window(index=0, first_day=date(2024, 3, 9), last_day=date(2024, 3, 15), partial=False)
    new_york = ZoneInfo("America/New_York")

    assert window.end_instant(new_york) - window.start_instant(new_york) == timedelta(
        days=7, hours=-1
    )


def test_a_window_starts_at_the_first_instant_of_a_day_whose_midnight_is_skipped():
    # Chile moved its clocks from 00:00 to 01:00 on 11 Sep 2022.
    window = Window(index=0, first_day=date(2022, 9, 11), last_day=date(2022, 9, 11), partial=False)
    santiago = ZoneInfo("America/Santiago")

    assert window.start_instant(santiago) == datetime(2022, 9, 11, 4, 0, tzinfo=UTC)
    assert window.end_instant(santiago) == datetime(2022, 9, 12, 3, 0, tzinfo=UTC)


# Parsing the spec --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("DAYS", DAYS), ("daily", DAYS), (" Weekly ", WEEKS), ("WEEKS", WEEKS), ("MONTHLY", MONTHS)],
)
def test_normalise_duration_type_accepts_both_documented_spellings(raw, expected):
    assert normalise_duration_type(raw) == expected


@pytest.mark.parametrize("raw", ["YEARS", "", None, 7])
def test_normalise_duration_type_lists_the_allowed_values_when_it_refuses(raw):
    with pytest.raises(ValueError, match="DAYS, WEEKS, MONTHS, DAILY, WEEKLY, MONTHLY"):
        normalise_duration_type(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(1, 1), (7, 7), ("3", 3), ("MONDAY", 1), ("tuesday", 2), (" Sunday ", 7)],
)
def test_parse_day_of_week_accepts_numbers_and_names(raw, expected):
    assert parse_day_of_week(raw) == expected


@pytest.mark.parametrize("raw", [0, 8, True, "0", "MON", "", None, 1.0])
def test_parse_day_of_week_refuses_anything_else(raw):
    with pytest.raises(ValueError, match="MONDAY, TUESDAY"):
        parse_day_of_week(raw)


@pytest.mark.parametrize("rate", [None, 0, -3, True, 2.5])
def test_days_windows_need_a_whole_refresh_rate(rate):
    with pytest.raises(ValueError, match="refreshRate"):
        FixedWindowSpec(DAYS, refresh_rate=rate)


def test_specs_are_equal_exactly_when_they_produce_the_same_windows():
    # The seed sends startDayOfTheWeek "TUESDAY" with DAYS windows, where it means nothing.
    assert FixedWindowSpec("DAYS", 3, "TUESDAY") == FixedWindowSpec(DAYS, 3, 1)
    assert FixedWindowSpec("WEEKLY", 5, "MONDAY") == FixedWindowSpec(WEEKS)
    assert FixedWindowSpec(WEEKS, start_day_of_week=2) != FixedWindowSpec(WEEKS)


# Calendar months ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2023, 3, 31), -1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
        (date(2024, 12, 31), 2, date(2025, 2, 28)),
        (date(2024, 5, 20), 0, date(2024, 5, 20)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_keeps_the_time_of_day_and_timezone():
    kolkata = ZoneInfo("Asia/Kolkata")

    assert add_months(datetime(2024, 3, 31, 9, 15, tzinfo=kolkata), -1) == datetime(
        2024, 2, 29, 9, 15, tzinfo=kolkata
    )


# Rolling windows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        ("DAYS", 7, datetime(2024, 3, 24, 10, 30, tzinfo=UTC)),
        ("WEEKS", 2, datetime(2024, 3, 17, 10, 30, tzinfo=UTC)),
        ("MONTHS", 1, datetime(2024, 2, 29, 10, 30, tzinfo=UTC)),
        ("MONTHS", 13, datetime(2023, 2, 28, 10, 30, tzinfo=UTC)),
    ],
)
def test_rolling_window_counts_back_from_the_moment_of_processing(unit, value, expected):
    now = datetime(2024, 3, 31, 10, 30, tzinfo=UTC)

    assert rolling_window_start(now, unit=unit, value=value) == expected


def test_rolling_window_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        rolling_window_start(datetime(2024, 3, 31), unit=DAYS, value=1)


@pytest.mark.parametrize(
    ("limit", "words"),
    [
        (RollingLimit(DAYS, 7, 2), "at most 2 in any 7 days"),
        (RollingLimit(DAYS, 1, 1), "at most 1 in any day"),
        (RollingLimit(WEEKS, 1, 3), "at most 3 in any week"),
        (RollingLimit("weekly", 2, 5), "at most 5 in any 2 weeks"),
        (RollingLimit(MONTHS, 1, 10), "at most 10 in any month"),
        (RollingLimit(MONTHS, 3, 10), "at most 10 in any 3 months"),
    ],
)
def test_describe_rolling_limit_in_plain_words(limit, words):
    assert describe_rolling_limit(limit) == words


@pytest.mark.parametrize(("value", "max_earn"), [(0, 1), (1, -1), (True, 1), (1, 1.5)])
def test_rolling_limit_refuses_nonsense_numbers(value, max_earn):
    with pytest.raises(ValueError):
        RollingLimit(DAYS, value, max_earn)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (FixedWindowSpec(DAYS, 3), "at most 2 every 3 days"),
        (FixedWindowSpec(DAYS, 1), "at most 2 per day"),
        (FixedWindowSpec(WEEKS, start_day_of_week=1), "at most 2 per week starting Monday"),
        (FixedWindowSpec(WEEKS, start_day_of_week="SUNDAY"), "at most 2 per week starting Sunday"),
        (FixedWindowSpec(MONTHS), "at most 2 per calendar month"),
    ],
)
def test_describe_fixed_window_in_plain_words(spec, words):
    assert describe_fixed_window(spec, 2) == words


# Properties --------------------------------------------------------------------------------

specs = st.one_of(
    st.integers(1, 40).map(lambda rate: FixedWindowSpec(DAYS, refresh_rate=rate)),
    st.integers(1, 7).map(lambda weekday: FixedWindowSpec(WEEKS, start_day_of_week=weekday)),
    st.just(FixedWindowSpec(MONTHS)),
)


@st.composite
def badges(draw):
    """(tz, first_day, last_day) of a badge lasting up to about three years."""
    tz = draw(st.sampled_from(ZONES))
    start = draw(st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)))
    length = draw(st.timedeltas(timedelta(0), timedelta(days=1100)))
    first_day, last_day = badge_days(start, start + length, tz)
    return tz, first_day, last_day


def full_period_days(spec, window):
    if spec.duration_type == DAYS:
        return spec.refresh_rate
    if spec.duration_type == WEEKS:
        return 7
    return (add_months(window.first_day.replace(day=1), 1) - window.first_day.replace(day=1)).days


@given(specs, badges())
def test_windows_tile_the_badge_exactly(spec, badge):
    _, first_day, last_day = badge

    windows = list(iter_windows(spec, first_day=first_day, last_day=last_day))

    assert windows[0].first_day == first_day
    assert windows[-1].last_day == last_day
    assert [w.index for w in windows] == list(range(len(windows)))
    assert len(windows) == window_count(spec, first_day=first_day, last_day=last_day)
    for previous, current in pairwise(windows):
        assert current.first_day == previous.last_day + timedelta(days=1)
    assert all(w.first_day <= w.last_day for w in windows)


@given(specs, badges())
def test_each_window_fits_in_one_period_and_only_the_ends_are_partial(spec, badge):
    _, first_day, last_day = badge

    windows = list(iter_windows(spec, first_day=first_day, last_day=last_day))

    for w in windows:
        full = full_period_days(spec, w)
        assert w.days <= full
        assert w.partial == (w.days < full)
        if spec.duration_type == MONTHS:
            assert (w.first_day.year, w.first_day.month) == (w.last_day.year, w.last_day.month)
    interior = windows[1:-1] if spec.duration_type != DAYS else windows[:-1]
    assert not any(w.partial for w in interior)


@given(st.integers(1, 7), badges())
def test_weekly_windows_after_the_first_start_on_the_configured_day(weekday, badge):
    _, first_day, last_day = badge
    spec = FixedWindowSpec(WEEKS, start_day_of_week=weekday)

    windows = list(iter_windows(spec, first_day=first_day, last_day=last_day))

    assert all(w.first_day.isoweekday() == weekday for w in windows[1:])
    assert all((w.last_day.isoweekday() % 7) + 1 == weekday for w in windows[:-1])
    if first_day.isoweekday() != weekday:
        assert windows[0].partial


@given(specs, badges())
def test_random_access_agrees_with_iteration(spec, badge):
    _, first_day, last_day = badge
    bounds = {"first_day": first_day, "last_day": last_day}

    for w in iter_windows(spec, **bounds):
        assert window_at(spec, w.index, **bounds) == w
        day = w.first_day
        while day <= w.last_day:
            assert window_containing(spec, day, **bounds) == w
            day += timedelta(days=1)


@given(specs, badges(), st.integers(-60, 1200), st.integers(0, 400))
def test_windows_overlapping_matches_a_scan(spec, badge, offset, length):
    _, first_day, last_day = badge
    from_day = first_day + timedelta(days=offset)
    to_day = from_day + timedelta(days=length)

    touched = windows_overlapping(
        spec, first_day=first_day, last_day=last_day, from_day=from_day, to_day=to_day
    )

    assert list(touched) == [
        w.index
        for w in iter_windows(spec, first_day=first_day, last_day=last_day)
        if w.first_day <= to_day and from_day <= w.last_day
    ]


@given(specs, badges())
def test_window_instants_are_contiguous_local_midnights_across_dst(spec, badge):
    tz, first_day, last_day = badge

    windows = list(iter_windows(spec, first_day=first_day, last_day=last_day))

    for previous, current in pairwise(windows):
        assert previous.end_instant(tz) == current.start_instant(tz)
    for w in windows:
        start, end = w.start_instant(tz), w.end_instant(tz)
        assert start.tzinfo is UTC
        local = start.astimezone(tz)
        assert (local.date(), local.hour, local.minute) == (w.first_day, 0, 0)
        assert abs((end - start) - timedelta(days=w.days)) <= timedelta(hours=1)
