"""GET badgeMeta/{id}/earnsPerDay: the extension behind the console's earns-per-day chart."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from badge_rules.timestamps import to_iso
from badges_api.models import Org
from tests.factories import badge_body
from tests.lifecycle import MIGRATION, TRIGGER, earn_bulk_body, live_badge, make_customers

BADGE_WEEK = {
    "constraintType": "BADGE_FIXED_WINDOW",
    "durationType": "WEEKS",
    "startDayOfTheWeek": "MONDAY",
    "maxEarnLimit": 1000,
}


def earns_per_day(api, badge, **query):
    return api.get(f"badgeMeta/{badge['id']}/earnsPerDay", **query)


def per_day(envelope) -> dict[str, int]:
    return {item["date"]: item["earnCount"] for item in envelope["data"]["earnsPerDay"]}


def earn_on(api, badge, customers, moment: datetime) -> None:
    body = earn_bulk_body(badge, customers, earnEventDateISO=to_iso(moment))
    status, envelope = api.post("customer/earnBulk", body)
    assert status == 200, envelope
    assert all("error" not in item for item in envelope["data"]["issuedBadges"]), envelope


def today() -> date:
    return datetime.now(UTC).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def badge(api, org):
    make_customers(org, range(1, 21))
    return live_badge(api)


def test_each_day_counts_the_earns_of_its_event_date_and_quiet_days_are_zero(api, badge):
    three_days_ago, yesterday = today() - timedelta(days=3), today() - timedelta(days=1)
    earn_on(api, badge, [1, 2, 3], at(three_days_ago, 9))
    earn_on(api, badge, [4], at(yesterday, 23, 59))
    status, single = api.post(
        "customer/earn",
        {"badgeMetaId": badge["id"], "customerId": 5, "requestId": "r-5", "triggeredBy": TRIGGER},
    )
    assert status == 200, single  # no event date: it happened now, today

    status, envelope = earns_per_day(
        api, badge, **{"from": (today() - timedelta(days=5)).isoformat(), "to": today().isoformat()}
    )

    assert status == 200, envelope
    assert envelope["errors"] == []
    data = envelope["data"]
    assert data["badgeMetaId"] == badge["id"] and data["timezone"] == "UTC"
    assert (data["from"], data["to"]) == (
        (today() - timedelta(days=5)).isoformat(),
        today().isoformat(),
    )
    assert [item["earnCount"] for item in data["earnsPerDay"]] == [0, 0, 3, 0, 1, 1]
    assert data["totalEarnCount"] == 5


def test_revoked_earns_are_left_out(api, badge):
    day = today() - timedelta(days=2)
    body = earn_bulk_body(badge, [1, 2], earnEventDateISO=to_iso(at(day, 12)))
    earned = api.post("customer/earnBulk", body)[1]["data"]["issuedBadges"]
    revoke = {"badgeMetaId": badge["id"], "customerId": 2, "earnedBadgeId": earned[1]["issuedId"]}
    assert api.post("customer/revokeEarn", revoke)[0] == 200

    envelope = earns_per_day(api, badge, **{"from": day.isoformat(), "to": day.isoformat()})[1]

    assert per_day(envelope) == {day.isoformat(): 1}
    assert envelope["data"]["totalEarnCount"] == 1
    assert api.get(f"badgeMeta/{badge['id']}")[1]["data"]["earnedCount"] == 1  # the same rule


def test_by_default_the_last_30_days_up_to_today(api, badge):
    earn_on(api, badge, [1], at(today() - timedelta(days=1), 8))

    status, envelope = earns_per_day(api, badge)

    assert status == 200
    days = [item["date"] for item in envelope["data"]["earnsPerDay"]]
    assert len(days) == 30
    assert days[0] == (today() - timedelta(days=29)).isoformat()
    assert days[-1] == today().isoformat()
    assert envelope["data"]["totalEarnCount"] == 1


def test_only_from_runs_to_today(api, badge):
    first = today() - timedelta(days=6)
    envelope = earns_per_day(api, badge, **{"from": first.isoformat()})[1]
    assert len(envelope["data"]["earnsPerDay"]) == 7
    assert envelope["data"]["to"] == today().isoformat()


def test_days_are_the_orgs_local_days(api, org, badge):
    day = today() - timedelta(days=3)
    earn_on(api, badge, [1], at(day, 18))  # 23:30 in Kolkata, the same day
    earn_on(api, badge, [2], at(day, 18, 31))  # 00:01 the next day in Kolkata
    span = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}

    assert per_day(earns_per_day(api, badge, **span)[1]) == {
        day.isoformat(): 2,
        (day + timedelta(days=1)).isoformat(): 0,
    }

    Org.objects.filter(pk=org.pk).update(timezone="Asia/Kolkata")
    envelope = earns_per_day(api, badge, **span)[1]
    assert envelope["data"]["timezone"] == "Asia/Kolkata"
    assert per_day(envelope) == {day.isoformat(): 1, (day + timedelta(days=1)).isoformat(): 1}


def test_days_follow_daylight_saving_time(api, org):
    """New York moved to UTC-4 on 9 March 2025: from then its midnight is 04:00 UTC, not 05:00."""
    Org.objects.filter(pk=org.pk).update(timezone="America/New_York")
    make_customers(org, [1, 2])
    body = badge_body(
        startOnISO="2025-03-01T12:00:00Z",
        expiresOnISO=to_iso(datetime.now(UTC) + timedelta(days=30)),
    )
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)
    assert status == 200, envelope
    badge = envelope["data"]
    assert api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)[0] == 200
    earn_on(api, badge, [1], datetime(2025, 3, 10, 3, 59, tzinfo=UTC))  # 23:59 on the 9th, EDT
    earn_on(api, badge, [2], datetime(2025, 3, 10, 4, 30, tzinfo=UTC))  # 00:30 on the 10th, EDT

    envelope = earns_per_day(api, badge, **{"from": "2025-03-08", "to": "2025-03-10"})[1]

    assert per_day(envelope) == {"2025-03-08": 0, "2025-03-09": 1, "2025-03-10": 1}


def test_the_days_of_a_badge_cycle_add_up_to_its_earn_count(api, org):
    make_customers(org, range(1, 8))
    badge = live_badge(api, badgeConstraints=[BADGE_WEEK])
    for offset, customers in ((1, [1, 2]), (2, [3]), (4, [4, 5, 6]), (8, [7])):
        earn_on(api, badge, customers, at(today() - timedelta(days=offset), 11))
    cycles = api.get(
        "badgeMeta/getFixedWindowDetails",
        badgeMetaId=badge["id"],
        constraintType="BADGE",
        includeEarnCount="true",
        size=100,
    )[1]["data"]["fixedWindowCycles"]
    started = [c for c in cycles if c["firstDay"] <= today().isoformat()]
    assert sum(c["earnCount"] for c in started) == 7

    for cycle in started:
        envelope = earns_per_day(api, badge, **{"from": cycle["firstDay"], "to": cycle["lastDay"]})[
            1
        ]
        assert envelope["data"]["totalEarnCount"] == cycle["earnCount"], cycle["firstDay"]


@pytest.mark.parametrize(
    ("query", "reference", "message"),
    [
        ({"from": "2026-02-30"}, "from", "from must be a date as YYYY-MM-DD"),
        ({"to": "yesterday"}, "to", "to must be a date as YYYY-MM-DD"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from", "from must be on or before to"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to", "The range may span at most 366 days"),
    ],
)
def test_a_bad_range_is_refused_with_an_envelope(api, badge, query, reference, message):
    status, envelope = earns_per_day(api, badge, **query)

    assert status == 400
    assert envelope["data"] is None
    assert envelope["errors"] == [{"code": 400, "message": message, "reference": reference}]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_days_beyond_the_api_dates_are_refused_not_a_500(api, org, badge, day):
    """Year 1 in a timezone east of UTC overflowed (a 500, found by bench/fuzz_api.py)."""
    Org.objects.filter(pk=org.pk).update(timezone="Asia/Kolkata")
    status, envelope = earns_per_day(api, badge, **{"from": day, "to": day})

    assert status == 400, envelope
    assert [item["reference"] for item in envelope["errors"]] == ["from", "to"]


def test_the_first_and_last_api_days_are_answered(api, org, badge):
    Org.objects.filter(pk=org.pk).update(timezone="Asia/Kolkata")
    for first in ("1900-01-01", "2999-12-31"):
        status, envelope = earns_per_day(api, badge, **{"from": first, "to": first})
        assert status == 200, envelope
        assert envelope["data"]["totalEarnCount"] == 0


def test_both_bad_dates_are_reported_at_once(api, badge):
    envelope = earns_per_day(api, badge, **{"from": "01/02/2026", "to": "2026-1-5"})[1]
    assert [item["reference"] for item in envelope["errors"]] == ["from", "to"]


def test_a_whole_leap_year_is_allowed(api, badge):
    status, envelope = earns_per_day(api, badge, **{"from": "2024-01-01", "to": "2024-12-31"})
    assert status == 200 and len(envelope["data"]["earnsPerDay"]) == 366


def test_another_orgs_badge_is_not_found(api, other_org_api, badge):
    earn_on(api, badge, [1], at(today(), 0))
    status, envelope = earns_per_day(other_org_api, badge)
    assert status == 404
    assert envelope["errors"][0]["code"] == 404 and envelope["data"] is None


def test_an_unknown_badge_is_not_found(api, org):
    status, envelope = earns_per_day(api, {"id": "ffffffffffffffffffffffff"})
    assert status == 404 and envelope["errors"][0]["message"] == "Passed badge is not found"


def test_credentials_are_required(badge):
    response = Client().get(f"/api_gateway/v1/badges/badgeMeta/{badge['id']}/earnsPerDay")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == 401
