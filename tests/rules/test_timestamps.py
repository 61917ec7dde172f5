"""Capillary timestamps: epoch seconds, epoch milliseconds or ISO-8601, inside 1900-2999 UTC."""

from datetime import UTC, datetime

import pytest

from badge_rules.timestamps import TimestampError, parse_timestamp


@pytest.mark.parametrize(
    "value, expected",
    [
        (1719898518, datetime(2024, 7, 2, 5, 35, 18, tzinfo=UTC)),
        (1719898518000, datetime(2024, 7, 2, 5, 35, 18, tzinfo=UTC)),
        ("1719898518", datetime(2024, 7, 2, 5, 35, 18, tzinfo=UTC)),
        ("2024-07-02T11:05:18+05:30", datetime(2024, 7, 2, 5, 35, 18, tzinfo=UTC)),
        ("2024-07-02T05:35:18", datetime(2024, 7, 2, 5, 35, 18, tzinfo=UTC)),
        ("1900-01-01T00:00:00Z", datetime(1900, 1, 1, tzinfo=UTC)),
        ("2999-12-31T23:59:59Z", datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_accepted_timestamps_read_as_utc_instants(value, expected):
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+05:00",  # crossed below year 1 by its offset: once an OverflowError
        "9999-12-31T23:00:00-05:00",  # crossed above year 9999
        "1899-12-31T23:59:59Z",
        "3000-01-01T00:00:00Z",
        1e30,
        2**70,
        float("nan"),
        "１７１９８９８５１８",  # full-width digits: float() reads them, the API does not
        "١٧١٩٨٩٨٥١٨",
        "2024-07-０2",
        "1_719_898_518",
        True,
        None,
        "",
    ],
)
def test_timestamps_outside_the_range_or_not_ascii_are_refused(value):
    with pytest.raises(TimestampError):
        parse_timestamp(value)
