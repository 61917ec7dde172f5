"""The ``sortOn=RANK`` order of a customer's badges (spec 4.8, seed 003).

Groups come first, rank 1 on top; inside a group, badges with a badge rank lead (ascending),
then the rest by latest expiry. Badges without a group follow all grouped ones, ordered the same
way. A badge whose group was deleted or disabled counts as ungrouped, so callers pass no group
rank for it.

The key, in order, so SQL can express the same thing::

    ORDER BY (group_rank IS NULL),          -- grouped badges first
             group_rank, group_id,           -- rank 1 on top; the id keeps equal-rank groups apart
             (badge_rank IS NULL), badge_rank,
             expires_on DESC NULLS FIRST,    -- no expiry = never expires = latest
             badge_id

with ``group_rank`` and ``group_id`` both NULL for an ungrouped badge (LEFT JOIN active groups
only).
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any


def rank_sort_key(
    *,
    group_rank: int | None,
    group_id: str | None,
    badge_rank: int | None,
    expires_on: datetime | float | None,
    badge_id: str,
) -> tuple[int, int, str, int, int, float, str]:
    """A key under which ``sorted`` gives the RANK order; ``badge_id`` makes it a total order.

    ``expires_on`` is an aware datetime or epoch seconds; None means the badge never expires.
    """
    grouped = group_rank is not None
    ranked = badge_rank is not None
    return (
        0 if grouped else 1,
        group_rank if grouped else 0,
        (group_id or "") if grouped else "",
        0 if ranked else 1,
        badge_rank if ranked else 0,
        -_epoch(expires_on),
        badge_id,
    )


def sort_by_rank[T](
    items: Iterable[T], *, fields: Callable[[T], Mapping[str, Any]] | None = None
) -> list[T]:
    """Items in RANK order.

    ``fields`` maps an item to a mapping with ``badge_id``, ``expires_on`` and optionally
    ``group_rank``, ``group_id``, ``badge_rank`` (the arguments of ``rank_sort_key``); without it
    the items themselves are such mappings, e.g. rows from ``values()``.
    """

    def key(item: T) -> tuple[int, int, str, int, int, float, str]:
        row = fields(item) if fields else item
        return rank_sort_key(
            group_rank=row.get("group_rank"),
            group_id=row.get("group_id"),
            badge_rank=row.get("badge_rank"),
            expires_on=row["expires_on"],
            badge_id=row["badge_id"],
        )

    return sorted(items, key=key)


def _epoch(moment: datetime | float | None) -> float:
    if moment is None:
        return float("inf")
    if isinstance(moment, datetime):
        return moment.timestamp()
    return float(moment)
