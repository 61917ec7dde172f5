"""Earning-limit windows: fixed cycles (calendar-aligned) and rolling look-backs.

Fixed windows are whole days in the org's timezone. Each duration type lays an endless grid of
periods over the calendar (every N days from the badge's first day, weeks from the configured
weekday, calendar months); a badge's windows are the grid periods it touches, clipped to its
first and last day. Window ``i`` is therefore plain arithmetic, so a ten-year daily badge costs
no more than a one-week one: nothing here ever materialises the list.
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeGuard

DAYS = "DAYS"
WEEKS = "WEEKS"
MONTHS = "MONTHS"
DURATION_TYPES = (DAYS, WEEKS, MONTHS)

# Capillary's tables say DAILY/WEEKLY/MONTHLY; every example and response says DAYS/WEEKS/MONTHS.
_DURATION_ALIASES = {"DAILY": DAYS, "WEEKLY": WEEKS, "MONTHLY": MONTHS}

DAY_NAMES = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def normalise_duration_type(value: object, *, field: str = "durationType") -> str:
    """One spelling for the three duration types, because the docs use two.

    ``field`` names the input in the error, as rolling limits and expiries reuse these units.
    """
    text = value.strip().upper() if isinstance(value, str) else None
    if text in DURATION_TYPES:
        return text
    if text in _DURATION_ALIASES:
        return _DURATION_ALIASES[text]
    allowed = ", ".join(DURATION_TYPES + tuple(_DURATION_ALIASES))
    raise ValueError(f"{field} must be one of {allowed}; got {value!r}")


def parse_day_of_week(value: object) -> int:
    """ISO weekday (1 = Monday) from a number or a day name: examples send 1, tables MONDAY."""
    if _is_whole(value, minimum=1) and value <= 7:
        return value
    if isinstance(value, str):
        text = value.strip().upper()
        if text in DAY_NAMES:
            return DAY_NAMES.index(text) + 1
        if text in {"1", "2", "3", "4", "5", "6", "7"}:
            return int(text)
    raise ValueError(
        f"startDayOfTheWeek must be 1-7 or one of {', '.join(DAY_NAMES)}; got {value!r}"
    )


def add_months[D: date](value: D, months: int) -> D:
    """Calendar-month arithmetic that clamps the day (31 Mar - 1 month = 28/29 Feb).

    Works for dates and datetimes alike; a datetime keeps its time of day and timezone.
    """
    year, month0 = divmod(value.year * 12 + value.month - 1 + months, 12)
    day = min(value.day, calendar.monthrange(year, month0 + 1)[1])
    return value.replace(year=year, month=month0 + 1, day=day)


@dataclass(frozen=True, slots=True)
class FixedWindowSpec:
    """A fixed-window cycle configuration.

    Fields that do not shape the windows are reset (``refresh_rate`` to None unless DAYS,
    ``start_day_of_week`` to Monday unless WEEKS), so two specs compare equal exactly when they
    produce the same windows: that is the question the "did the cycle config change?" rule asks.
    """

    duration_type: str
    refresh_rate: int | None = None
    start_day_of_week: int = 1

    def __post_init__(self) -> None:
        duration_type = normalise_duration_type(self.duration_type)
        start_day = parse_day_of_week(self.start_day_of_week)
        refresh_rate = self.refresh_rate
        if duration_type == DAYS:
            if not _is_whole(refresh_rate, minimum=1):
                raise ValueError(
                    f"refreshRate must be a whole number of days >= 1; got {refresh_rate!r}"
                )
        else:
            refresh_rate = None
        if duration_type != WEEKS:
            start_day = 1
        object.__setattr__(self, "duration_type", duration_type)
        object.__setattr__(self, "refresh_rate", refresh_rate)
        object.__setattr__(self, "start_day_of_week", start_day)


@dataclass(frozen=True, slots=True)
class Window:
    """One cycle: inclusive whole days in the org's timezone.

    ``partial`` marks a cycle shorter than its period (a first week that starts mid-week, a first
    month that starts mid-month, a last cycle cut by the badge end), which previews point out.
    """

    index: int
    first_day: date
    last_day: date
    partial: bool

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def start_instant(self, tz: tzinfo) -> datetime:
        """The first instant of the window, in UTC, to compare with stored timestamps."""
        return _local_midnight(self.first_day, tz)

    def end_instant(self, tz: tzinfo) -> datetime:
        """The first instant *after* the window (exclusive), so consecutive windows share it."""
        return _local_midnight(self.last_day + timedelta(days=1), tz)

    def last_day_instant(self, tz: tzinfo) -> datetime:
        """00:00 of the window's last day: how Capillary answers a cycle's ``endDate`` (a 3-day
        cycle's endDate is two days after its startDate, seed 004). Counting uses ``end_instant``."""
        return _local_midnight(self.last_day, tz)


def badge_days(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, date]:
    """The badge's first and last local day, which anchor and bound its fixed windows."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    return start.astimezone(tz).date(), end.astimezone(tz).date()


def window_count(spec: FixedWindowSpec, *, first_day: date, last_day: date) -> int:
    first, last = _span(first_day, last_day)
    return _period(spec, last, first) - _period(spec, first, first) + 1


def window_at(spec: FixedWindowSpec, index: int, *, first_day: date, last_day: date) -> Window:
    """The ``index``-th window (0-based; negative indexes are refused, not counted from the end)."""
    first, last = _span(first_day, last_day)
    first_period = _period(spec, first, first)
    if not 0 <= index <= _period(spec, last, first) - first_period:
        raise IndexError(f"window index {index} is out of range")
    natural_start, natural_end = _period_bounds(spec, first_period + index, first)
    start, end = max(natural_start, first), min(natural_end, last)
    return Window(
        index=index,
        first_day=date.fromordinal(start),
        last_day=date.fromordinal(end),
        partial=(start, end) != (natural_start, natural_end),
    )


def iter_windows(
    spec: FixedWindowSpec, *, first_day: date, last_day: date, start_index: int = 0
) -> Iterator[Window]:
    """Windows in order, generated one at a time so callers can stop (or page) early."""
    for index in range(
        max(start_index, 0), window_count(spec, first_day=first_day, last_day=last_day)
    ):
        yield window_at(spec, index, first_day=first_day, last_day=last_day)


def window_containing(
    spec: FixedWindowSpec, day: date, *, first_day: date, last_day: date
) -> Window | None:
    """The window an earn on ``day`` (local) counts against; None outside the badge."""
    first, last = _span(first_day, last_day)
    ordinal = day.toordinal()
    if not first <= ordinal <= last:
        return None
    index = _period(spec, ordinal, first) - _period(spec, first, first)
    return window_at(spec, index, first_day=first_day, last_day=last_day)


def windows_overlapping(
    spec: FixedWindowSpec, *, first_day: date, last_day: date, from_day: date, to_day: date
) -> range:
    """Indexes of the windows touching ``from_day..to_day`` (inclusive), for date-range filters.

    A range rather than a list: it is O(1) to build, sized, and sliceable for paging; turn an
    index into a window with ``window_at``.
    """
    first, last = _span(first_day, last_day)
    low, high = max(from_day.toordinal(), first), min(to_day.toordinal(), last)
    if low > high:
        return range(0)
    base = _period(spec, first, first)
    return range(_period(spec, low, first) - base, _period(spec, high, first) - base + 1)


def describe_fixed_window(spec: FixedWindowSpec, max_earn: int) -> str:
    """Plain words for the console's preview, e.g. "at most 2 every 3 days"."""
    if spec.duration_type == DAYS:
        rate = spec.refresh_rate
        return (
            f"at most {max_earn} per day" if rate == 1 else f"at most {max_earn} every {rate} days"
        )
    if spec.duration_type == WEEKS:
        weekday = DAY_NAMES[spec.start_day_of_week - 1].capitalize()
        return f"at most {max_earn} per week starting {weekday}"
    return f"at most {max_earn} per calendar month"


# Rolling windows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollingLimit:
    """At most ``max_earn`` earns in the ``value`` ``unit``s before the moment of processing."""

    unit: str
    value: int
    max_earn: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", normalise_duration_type(self.unit, field="rollType"))
        if not _is_whole(self.value, minimum=1):
            raise ValueError(
                f"rolling window length must be a whole number >= 1; got {self.value!r}"
            )
        if not _is_whole(self.max_earn, minimum=0):
            raise ValueError(f"maxEarnLimit must be a whole number >= 0; got {self.max_earn!r}")


def rolling_window_start(now: datetime, *, unit: str, value: int) -> datetime:
    """Where a rolling look-back of ``value`` units ending at ``now`` begins.

    Rolling limits are checked at processing time (never retro), counting back N days, N weeks,
    or N calendar months with the day clamped. The arithmetic follows the wall clock of ``now``'s
    own timezone: pass ``now`` in the org's zone for calendar semantics, or in UTC for elapsed time.
    """
    _require_aware(now, "now")
    unit = normalise_duration_type(unit, field="rollType")
    if unit == MONTHS:
        return add_months(now, -value)
    return now - timedelta(days=value * (7 if unit == WEEKS else 1))


def describe_rolling_limit(limit: RollingLimit) -> str:
    """Plain words, e.g. "at most 2 in any 7 days" or "at most 1 in any day".

    A one-month look-back reads "any month", not "any calendar month": the window rolls, it is
    not aligned to the 1st.
    """
    noun = {DAYS: "day", WEEKS: "week", MONTHS: "month"}[limit.unit]
    period = noun if limit.value == 1 else f"{limit.value} {noun}s"
    return f"at most {limit.max_earn} in any {period}"


# Helpers -----------------------------------------------------------------------------------


def _period(spec: FixedWindowSpec, ordinal: int, first: int) -> int:
    """Index, on the spec's endless grid, of the period holding the day ``ordinal``."""
    if spec.duration_type == DAYS:
        return (ordinal - first) // spec.refresh_rate
    if spec.duration_type == WEEKS:
        # date.fromordinal(1) is a Monday, so weekday w starts on ordinals congruent to w mod 7.
        return (ordinal - spec.start_day_of_week) // 7
    day = date.fromordinal(ordinal)
    return day.year * 12 + day.month - 1


def _period_bounds(spec: FixedWindowSpec, period: int, first: int) -> tuple[int, int]:
    """First and last ordinal of a grid period, unclipped (may run past ``date.max``)."""
    if spec.duration_type == DAYS:
        start = first + period * spec.refresh_rate
        return start, start + spec.refresh_rate - 1
    if spec.duration_type == WEEKS:
        start = period * 7 + spec.start_day_of_week
        return start, start + 6
    year, month0 = divmod(period, 12)
    start = date(year, month0 + 1, 1).toordinal()
    return start, start + calendar.monthrange(year, month0 + 1)[1] - 1


def _span(first_day: date, last_day: date) -> tuple[int, int]:
    if last_day < first_day:
        raise ValueError(f"last day {last_day} is before first day {first_day}")
    return first_day.toordinal(), last_day.toordinal()


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    # fold=0 gives the first instant of the day even where midnight is skipped or repeated by DST.
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _require_aware(moment: datetime, name: str) -> None:
    # A naive datetime would silently be read in the server's local zone.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _is_whole(value: object, *, minimum: int) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum
