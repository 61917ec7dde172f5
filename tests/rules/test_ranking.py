import random
from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from badge_rules.ranking import rank_sort_key, sort_by_rank

LATER = datetime(2025, 12, 31, tzinfo=UTC)
SOONER = datetime(2025, 6, 30, tzinfo=UTC)


def badge(badge_id, *, group_id=None, group_rank=None, badge_rank=None, expires_on=LATER):
    return {
        "badge_id": badge_id,
        "group_id": group_id,
        "group_rank": group_rank,
        "badge_rank": badge_rank,
        "expires_on": expires_on,
    }


def ids(rows):
    return [row["badge_id"] for row in rows]


def test_groups_come_first_in_rank_order_then_ungrouped_badges():
    # Spec 4.8: Group1(rank 1) -> Badge1, Group2(rank 2) -> Badge2, Badge3 ungrouped with rank 1.
    rows = [
        badge("Badge3", badge_rank=1),
        badge("Badge2", group_id="Group2", group_rank=2),
        badge("Badge1", group_id="Group1", group_rank=1),
    ]

    assert ids(sort_by_rank(rows)) == ["Badge1", "Badge2", "Badge3"]


def test_a_badge_whose_group_was_deleted_follows_the_ranked_ungrouped_badges():
    rows = [
        badge("Badge1"),
        badge("Badge2", group_id="Group2", group_rank=2),
        badge("Badge3", badge_rank=1),
    ]

    assert ids(sort_by_rank(rows)) == ["Badge2", "Badge3", "Badge1"]


def test_within_a_group_ranked_badges_lead_then_the_latest_expiry():
    group = {"group_id": "g", "group_rank": 1}
    rows = [
        badge("soon", **group, expires_on=SOONER),
        badge("late", **group, expires_on=LATER),
        badge("second", **group, badge_rank=2, expires_on=SOONER),
        badge("first", **group, badge_rank=1, expires_on=SOONER),
    ]

    assert ids(sort_by_rank(rows)) == ["first", "second", "late", "soon"]


def test_groups_of_equal_rank_stay_together_in_group_id_order():
    rows = [
        badge("b1", group_id="B", group_rank=1, badge_rank=1),
        badge("a2", group_id="A", group_rank=1, badge_rank=2),
        badge("b2", group_id="B", group_rank=1, badge_rank=2),
        badge("a1", group_id="A", group_rank=1, badge_rank=1),
    ]

    assert ids(sort_by_rank(rows)) == ["a1", "a2", "b1", "b2"]


def test_a_badge_that_never_expires_counts_as_the_latest_expiry():
    rows = [badge("dated", expires_on=LATER), badge("never", expires_on=None)]

    assert ids(sort_by_rank(rows)) == ["never", "dated"]


def test_epoch_seconds_and_datetimes_sort_alike():
    rows = [badge("soon", expires_on=SOONER.timestamp()), badge("late", expires_on=LATER)]

    assert ids(sort_by_rank(rows)) == ["late", "soon"]


def test_sort_by_rank_reads_other_objects_through_a_fields_function():
    @dataclass
    class Earned:
        id: str
        rank: int | None
        expires: datetime

    items = [Earned("x", None, LATER), Earned("y", 1, SOONER)]

    ordered = sort_by_rank(
        items, fields=lambda e: {"badge_id": e.id, "badge_rank": e.rank, "expires_on": e.expires}
    )

    assert [e.id for e in ordered] == ["y", "x"]


def test_rank_sort_key_ignores_a_group_id_without_a_group_rank():
    stale = rank_sort_key(
        group_rank=None, group_id="deleted", badge_rank=None, expires_on=LATER, badge_id="b"
    )
    plain = rank_sort_key(
        group_rank=None, group_id=None, badge_rank=None, expires_on=LATER, badge_id="b"
    )

    assert stale == plain


@st.composite
def badge_sets(draw):
    """Badges with unique ids; every badge of a group shares that group's rank."""
    group_ranks = draw(st.dictionaries(st.sampled_from("ABCDE"), st.integers(1, 3), max_size=5))
    group_choices = [None, *group_ranks]
    count = draw(st.integers(0, 25))
    rows = []
    for n in range(count):
        group_id = draw(st.sampled_from(group_choices))
        rows.append(
            badge(
                f"b{n:02}",
                group_id=group_id,
                group_rank=group_ranks.get(group_id),
                badge_rank=draw(st.none() | st.integers(1, 3)),
                expires_on=draw(st.sampled_from([1.7e9, 1.8e9, 1.9e9])),
            )
        )
    return rows


@given(badge_sets(), st.randoms())
def test_rank_order_is_a_total_order_regardless_of_input_order(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)

    assert ids(sort_by_rank(shuffled)) == ids(sort_by_rank(rows))


@given(badge_sets())
def test_rank_order_follows_the_rules(rows):
    ordered = sort_by_rank(rows)

    grouped = [row["group_rank"] is not None for row in ordered]
    assert grouped == sorted(grouped, reverse=True), "grouped badges come before ungrouped ones"

    group_ranks = [row["group_rank"] for row in ordered if row["group_rank"] is not None]
    assert group_ranks == sorted(group_ranks), "rank 1 groups on top"

    segments = [row["group_id"] if row["group_rank"] is not None else None for row in ordered]
    seen = []
    for segment in segments:
        if not seen or seen[-1] != segment:
            assert segment not in seen, "a group's badges stay together"
            seen.append(segment)

    for segment in seen:
        members = [row for row, s in zip(ordered, segments, strict=True) if s == segment]
        ranked = [row["badge_rank"] is not None for row in members]
        assert ranked == sorted(ranked, reverse=True), "ranked badges before unranked"
        badge_ranks = [row["badge_rank"] for row in members if row["badge_rank"] is not None]
        assert badge_ranks == sorted(badge_ranks)
        expiries = [row["expires_on"] for row in members if row["badge_rank"] is None]
        assert expiries == sorted(expiries, reverse=True), "unranked by latest expiry"


def test_otherwise_equal_badges_fall_back_to_badge_id_order():
    rows = [badge(f"b{n}", expires_on=LATER) for n in range(5)]
    random.Random(4).shuffle(rows)

    assert ids(sort_by_rank(rows)) == ["b0", "b1", "b2", "b3", "b4"]
