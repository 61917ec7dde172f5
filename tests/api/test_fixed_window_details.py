"""GET badgeMeta/getFixedWindowDetails: the generated limit cycles, paged."""

import time

from badges_api.models import Org
from tests.factories import badge_body

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}
WEEKLY = {
    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
    "durationType": "WEEKS",
    "startDayOfTheWeek": "MONDAY",
    "maxEarnLimit": 1,
}
EVERY_3_DAYS = {
    "constraintType": "BADGE_FIXED_WINDOW",
    "durationType": "DAYS",
    "refreshRate": 3,
    "maxEarnLimit": 2,
}


def create(api, **fields):
    status, envelope = api.post("badgeMeta", badge_body(**fields), headers=MIGRATION)
    assert status == 200, envelope
    return envelope["data"]


def cycles(api, **query):
    status, envelope = api.get("badgeMeta/getFixedWindowDetails", **query)
    assert status == 200, envelope
    return envelope["data"]


def test_weekly_cycles_match_the_create_page_example(api):
    """Badge 25 Sep - 30 Oct 2023, weekly from Monday: 25 Sep-1 Oct, 2-8 Oct, 9-15 Oct ... to 30 Oct."""
    badge = create(
        api,
        startOnISO="2023-09-25T10:00:00Z",
        expiresOnISO="2023-10-30T18:00:00Z",
        customerConstraints=[WEEKLY],
    )
    data = cycles(api, badgeMetaId=badge["id"], size=50)

    spans = [(c["firstDay"], c["lastDay"]) for c in data["fixedWindowCycles"]]
    assert spans == [
        ("2023-09-25", "2023-10-01"),
        ("2023-10-02", "2023-10-08"),
        ("2023-10-09", "2023-10-15"),
        ("2023-10-16", "2023-10-22"),
        ("2023-10-23", "2023-10-29"),
        ("2023-10-30", "2023-10-30"),
    ]
    first = data["fixedWindowCycles"][0]
    assert first["startDateISO"] == "2023-09-25T00:00:00Z"
    assert first["endDateISO"] == "2023-10-01T00:00:00Z"  # Capillary: 00:00 of the cycle's last day
    assert first["cycleStatus"] == "EXPIRED"
    assert first["fixedWindowCycleReferenceId"] == badge["customerConstraints"][0]["referenceId"]
    assert [c["partial"] for c in data["fixedWindowCycles"]] == [False] * 5 + [True]
    assert data["pagination"] == {"page": 0, "size": 50, "total": 6, "totalPages": 1}


def test_three_day_cycles_from_the_fixed_window_page(api):
    badge = create(
        api,
        startOnISO="2025-03-03T08:00:00Z",
        expiresOnISO="2026-12-20T00:00:00Z",
        badgeConstraints=[EVERY_3_DAYS],
    )
    data = cycles(api, badgeMetaId=badge["id"], size=3)
    assert [(c["firstDay"], c["lastDay"]) for c in data["fixedWindowCycles"]] == [
        ("2025-03-03", "2025-03-05"),
        ("2025-03-06", "2025-03-08"),
        ("2025-03-09", "2025-03-11"),
    ]
    assert data["pagination"]["total"] == 220


def test_cycles_follow_the_org_timezone(api, org):
    Org.objects.filter(pk=org.pk).update(timezone="Asia/Kolkata")
    badge = create(
        api,
        startOnISO="2023-09-25T10:00:00+05:30",
        expiresOnISO="2023-10-30T18:00:00+05:30",
        customerConstraints=[WEEKLY],
    )
    first = cycles(api, badgeMetaId=badge["id"])["fixedWindowCycles"][0]
    assert first["startDateISO"] == "2023-09-24T18:30:00Z"  # midnight in India


def test_paging_runs_across_customer_then_badge_cycles_and_filters(api):
    badge = create(
        api,
        startOnISO="2023-09-25T10:00:00Z",
        expiresOnISO="2023-10-30T18:00:00Z",
        customerConstraints=[WEEKLY],
        badgeConstraints=[EVERY_3_DAYS],
    )
    everything = cycles(api, badgeMetaId=badge["id"], size=4, page=1)
    assert everything["pagination"]["total"] == 6 + 12
    kinds = [c["constraintType"] for c in everything["fixedWindowCycles"]]
    assert kinds == ["CUSTOMER_BADGE_FIXED_WINDOW"] * 2 + ["BADGE_FIXED_WINDOW"] * 2

    only_badge = cycles(api, badgeMetaId=badge["id"], constraintType="BADGE", size=100)
    assert only_badge["pagination"]["total"] == 12
    reference = badge["customerConstraints"][0]["referenceId"]
    by_reference = cycles(
        api, badgeMetaId=badge["id"], fixedWindowCycleReferenceId=reference, size=100
    )
    assert by_reference["pagination"]["total"] == 6
    in_october = cycles(
        api,
        badgeMetaId=badge["id"],
        constraintType="CUSTOMER",
        startDate="2023-10-05T00:00:00Z",
        endDate="2023-10-10T00:00:00Z",
    )
    assert [c["firstDay"] for c in in_october["fixedWindowCycles"]] == ["2023-10-02", "2023-10-09"]


def test_ten_year_daily_badge_pages_instantly(api):
    daily = dict(EVERY_3_DAYS, refreshRate=1)
    badge = create(
        api,
        startOnISO="2024-01-01T00:00:00Z",
        expiresOnISO="2033-12-31T00:00:00Z",
        badgeConstraints=[daily],
    )
    started = time.perf_counter()
    data = cycles(api, badgeMetaId=badge["id"], size=5, page=700)
    assert time.perf_counter() - started < 1.0
    assert data["pagination"]["total"] == 3653
    assert data["fixedWindowCycles"][0]["firstDay"] == "2033-08-01"


def test_missing_or_unknown_badge(api, other_org_api):
    status, envelope = api.get("badgeMeta/getFixedWindowDetails")
    assert status == 400 and envelope["errors"][0]["reference"] == "badgeMetaId"
    assert api.get("badgeMeta/getFixedWindowDetails", badgeMetaId="a" * 24)[0] == 404
    badge = create(api, customerConstraints=[WEEKLY])
    assert other_org_api.get("badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"])[0] == 404


def test_live_badge_shows_its_current_cycle(api):
    badge = create(
        api,
        startOnISO="2024-01-01T00:00:00Z",
        expiresOnISO="2035-01-01T00:00:00Z",
        customerConstraints=[WEEKLY],
    )
    window = api.get(f"badgeMeta/{badge['id']}")[1]["data"]["customerConstraints"][0]
    assert window["cycleStatus"] == "ACTIVE"
    current = window["currentCycle"]
    assert (
        current["endDate"] - current["startDate"] == 6 * 86400
    )  # 00:00 of the last day, as getFixedWindowDetails
    assert current["startDate"] <= time.time() < current["endDate"] + 86400
    active = [
        c
        for c in cycles(
            api, badgeMetaId=badge["id"], startDate=int(time.time()), endDate=int(time.time())
        )["fixedWindowCycles"]
    ]
    assert [c["cycleStatus"] for c in active] == ["ACTIVE"]
