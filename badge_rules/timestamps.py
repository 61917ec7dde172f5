"""Capillary timestamps: what the API accepts and how it answers.

Capillary's own pages disagree on units (epoch seconds with nine fractional digits in every
example, "epoch milliseconds" in some tables), so input accepts all of them and output is always
epoch seconds plus an ISO-8601 UTC companion.
"""

from datetime import UTC, datetime

# 10**11 seconds is the year 5138; anything larger can only be milliseconds.
_MILLISECONDS_THRESHOLD = 10**11


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
            raise TimestampError("expected epoch seconds, epoch milliseconds or an ISO-8601 timestamp")
        try:
            return _from_epoch(float(text))
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError as error:
            raise TimestampError(f"'{value}' is not an ISO-8601 timestamp or an epoch number") from error
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    raise TimestampError("expected epoch seconds, epoch milliseconds or an ISO-8601 timestamp")


def _from_epoch(seconds: float) -> datetime:
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise TimestampError("timestamp must be a finite number")
    if abs(seconds) >= _MILLISECONDS_THRESHOLD:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise TimestampError("timestamp is out of range") from error


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
