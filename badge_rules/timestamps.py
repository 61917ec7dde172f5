"""Capillary timestamps: what the API accepts and how it answers.

Capillary's own pages disagree on units (epoch seconds with nine fractional digits in every
example, "epoch milliseconds" in some tables), so input accepts all of them and output is always
epoch seconds plus an ISO-8601 UTC companion.
"""

from datetime import UTC, datetime

# 10**11 seconds is the year 5138; anything larger can only be milliseconds.
_MILLISECONDS_THRESHOLD = 10**11
# The instants the API accepts. Historical badges reach back a century (9004), and every
# duration added to an accepted instant (expiry, windows: at most 100 years) still fits in the
# years a date can hold, so nothing computed from an accepted value overflows.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
RANGE_MESSAGE = "timestamp must be between 1900-01-01 and 2999-12-31 (UTC)"


class TimestampError(ValueError):
    """The value is not a timestamp the API accepts."""


def parse_timestamp(value: object) -> datetime:
    """Epoch seconds (int or fraction), epoch milliseconds, or ISO-8601 -> aware UTC datetime.

    An ISO string without an offset is read as UTC, as Capillary's clusters do.
    """
    if isinstance(value, bool) or value is None:
        raise TimestampError("expected epoch seconds, epoch milliseconds or an ISO-8601 timestamp")
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise TimestampError(
                "expected epoch seconds, epoch milliseconds or an ISO-8601 timestamp"
            )
        if not text.isascii() or "_" in text:
            # float() reads "١٢", "１２" and "1_700" as numbers; the API takes plain ASCII digits.
            raise TimestampError(f"'{value}' is not an ISO-8601 timestamp or an epoch number")
        try:
            return _from_epoch(float(text))
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError as error:
            raise TimestampError(
                f"'{value}' is not an ISO-8601 timestamp or an epoch number"
            ) from error
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            return _in_range(parsed.astimezone(UTC))
        except OverflowError as error:  # year 1 or 9999 moved across midnight by its offset
            raise TimestampError(RANGE_MESSAGE) from error
    raise TimestampError("expected epoch seconds, epoch milliseconds or an ISO-8601 timestamp")


def _in_range(moment: datetime) -> datetime:
    if not EARLIEST <= moment <= LATEST:
        raise TimestampError(RANGE_MESSAGE)
    return moment


def _from_epoch(seconds: float) -> datetime:
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise TimestampError("timestamp must be a finite number")
    if abs(seconds) >= _MILLISECONDS_THRESHOLD:
        seconds /= 1000.0
    try:
        return _in_range(datetime.fromtimestamp(seconds, tz=UTC))
    except (OverflowError, OSError, ValueError) as error:
        raise TimestampError(RANGE_MESSAGE) from error


def stamp(fields: dict, key: str, moment: datetime | None) -> None:
    """Capillary's pair for one instant: `key` in epoch seconds and `keyISO` in ISO-8601 UTC."""
    fields[key] = to_epoch(moment)
    fields[f"{key}ISO"] = to_iso(moment)


def to_epoch(moment: datetime | None) -> float | int | None:
    """Epoch seconds; whole seconds come out as integers so responses stay readable."""
    if moment is None:
        return None
    seconds = moment.timestamp()
    whole = int(seconds)
    return whole if whole == seconds else round(seconds, 6)


def to_iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with a trailing Z, milliseconds only when there are any."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")
