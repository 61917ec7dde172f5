"""Enrol-first (ISSUE_EARN) badges as the seeds describe them (issue 9).

Seed 000: the earn event date "has to be between the badge issual start date and end date if it
is an issue & earn type of badge". Seed 002's "Badge Issue earn" has an enrolment (issued badge)
expiry of 1926235957 while the badge ends 1726804000, and answers its customer fixed window with
`endDate: 1926235957`. So the customer's enrolment is the window that counts: the badge is
earnable while it lives, even after the badge's end, the event date lies inside it, and the
customer's fixed-window cycles run to its expiry.

The seed's dates are in 2024, so these tests set the service's clock (django.utils.timezone.now)
to the moments the story needs.
"""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from badges_api.models import Earn
from tests.lifecycle import TRIGGER, make_customers

SEED_002 = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "seeds" / "002_badge_issue_earn.json").read_text()
)
BADGE_START, BADGE_END, ENROLMENT_EXPIRY = 1716803487, 1726804000, 1926235957


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Sets the service's clock: clock("2025-01-15T12:00:00")."""

    def set_to(text: str) -> datetime:
        instant = moment(text)
        monkeypatch.setattr(timezone, "now", lambda: instant)
        return instant

    return set_to


def codes_by_customer(envelope) -> dict:
    return {
        item["customerId"]: (item.get("error") or {}).get("code")
        for item in envelope["data"]["issuedBadges"]
    }


def earn(api, badge_id, customer_id, request_id, **extra):
    return api.post(
        "customer/earn",
        {
            "badgeMetaId": badge_id,
            "customerId": customer_id,
            "requestId": request_id,
            "triggeredBy": TRIGGER,
        }
        | extra,
    )


def earn_bulk(api, badge_id, customers, **extra):
    return api.post(
        "customer/earnBulk",
        {"badgeMetaId": badge_id, "customerIds": customers, "triggeredBy": TRIGGER} | extra,
    )


def enrol(api, badge_id, customers, **extra):
    status, envelope = api.post(
        "badgeMeta/customer/issueBulk",
        {"badgeMetaId": badge_id, "customers": customers, "triggeredBy": TRIGGER} | extra,
    )
    assert status == 200, envelope
    return envelope["data"]


@pytest.fixture
def seed_badge(api, org, clock):
    """Seed 002's "Badge Issue earn", created before its start, claimed, customers 1-3 registered."""
    clock("2024-05-01T00:00:00")
    status, envelope = api.post("badgeMeta", SEED_002["request"])
    assert status == 200, envelope
    badge = envelope["data"]
    assert api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)[0] == 200
    make_customers(org, [1, 2, 3])
    return badge


def test_seed_002_issue_earn_badge_answers_its_customer_window_to_the_enrolment_expiry(seed_badge):
    expected = SEED_002["response"]["data"]
    assert (seed_badge["startOn"], seed_badge["expiresOn"]) == (
        expected["startOn"],
        expected["expiresOn"],
    )
    (window,) = seed_badge["customerConstraints"]
    (seed_window,) = expected["customerConstraints"]
    for key in (
        "constraintType",
        "durationType",
        "refreshRate",
        "maxEarnLimit",
        "cycleStatus",
        "startDate",
        "endDate",
    ):
        assert window[key] == seed_window[key], key
    assert window["endDate"] == ENROLMENT_EXPIRY != seed_badge["expiresOn"]


def test_an_issue_earn_badge_is_earned_after_its_end_while_the_enrolment_lives(
    api, seed_badge, clock
):
    clock("2024-06-01T00:00:00")
    enrolment = enrol(api, seed_badge["id"], [1])
    assert enrolment["expiresOn"] == ENROLMENT_EXPIRY

    clock("2025-01-15T12:00:00")  # the badge ended 2024-09-20; the enrolment runs to 2031
    status, envelope = earn(api, seed_badge["id"], 1, "after-the-end")
    assert status == 200, envelope
    assert envelope["data"]["issuedId"] == enrolment["issuedBadges"][0]["issuedId"]
    status, envelope = earn(api, seed_badge["id"], 2, "not-enrolled")
    assert (status, envelope["errors"][0]["code"]) == (409, 811)

    status, read = api.get(f"badgeMeta/{seed_badge['id']}")
    assert read["data"]["status"] == "EXPIRED"
    (window,) = read["data"]["customerConstraints"]
    assert window["cycleStatus"] == "ACTIVE"  # the customers' cycles go on to the enrolment expiry
    assert (window["currentCycle"]["firstDay"], window["currentCycle"]["lastDay"]) == (
        "2025-01-13",
        "2025-01-15",
    )


def test_an_ended_issue_earn_badge_stays_refused_when_deactivated_and_before_its_start(
    api, seed_badge, clock
):
    clock("2024-05-02T00:00:00")
    enrol(
        api, seed_badge["id"], [1], issueEventDate=BADGE_START
    )  # enrolment accepts an upcoming badge
    status, envelope = earn(api, seed_badge["id"], 1, "before-the-start")
    assert (status, envelope["errors"][0]["code"]) == (400, 815)
    assert "upcoming" in envelope["errors"][0]["message"]

    clock("2024-06-01T00:00:00")
    assert api.put(f"badgeMeta/{seed_badge['id']}/deactivate")[0] == 200
    clock("2025-01-15T12:00:00")
    status, envelope = earn(api, seed_badge["id"], 1, "deactivated")
    assert (status, envelope["errors"][0]["code"]) == (400, 815)
    assert "deactivated" in envelope["errors"][0]["message"]
    assert Earn.objects.count() == 0


def test_an_earn_event_date_outside_the_customers_enrolment_is_816_for_that_customer(
    api, seed_badge, clock
):
    clock("2024-06-20T00:00:00")
    enrol(api, seed_badge["id"], [1, 2], issueEventDateISO="2024-06-10T00:00:00Z")
    before_enrolment = "2024-06-05T00:00:00Z"  # inside the badge, before the enrolment

    status, envelope = earn(
        api, seed_badge["id"], 1, "too-early", earnEventDateISO=before_enrolment
    )
    assert (status, envelope["errors"][0]["code"], envelope["errors"][0]["reference"]) == (
        400,
        816,
        "earnEventDate",
    )
    status, envelope = earn_bulk(api, seed_badge["id"], [1, 3], earnEventDateISO=before_enrolment)
    assert status == 200
    assert codes_by_customer(envelope) == {1: 816, 3: 811}
    assert Earn.objects.count() == 0

    status, envelope = earn_bulk(
        api, seed_badge["id"], [1, 2, 3], earnEventDateISO="2024-06-10T00:00:00Z"
    )
    assert codes_by_customer(envelope) == {
        1: None,
        2: None,
        3: 811,
    }  # the enrolment's first instant counts


def test_the_customer_fixed_window_keeps_counting_after_the_badge_end(api, seed_badge, clock):
    """Seed 002's customer limit is 2 per 3-day cycle. A customer holds one live earn at a time
    (2-week expiry), so the cycle is filled by back-dated earns, each once the last expired."""
    clock("2024-06-01T00:00:00")
    enrol(api, seed_badge["id"], [1])
    in_one_cycle = "2025-01-02T10:00:00Z"  # cycle 2025-01-01..03 (3-day cycles from 2024-05-27)
    for request_id, now in (("first", "2025-01-15T00:00:00"), ("second", "2025-02-01T00:00:00")):
        clock(now)
        status, envelope = earn(api, seed_badge["id"], 1, request_id, earnEventDateISO=in_one_cycle)
        assert status == 200, envelope

    clock("2025-02-20T00:00:00")
    status, envelope = earn(api, seed_badge["id"], 1, "third", earnEventDateISO=in_one_cycle)
    assert (status, envelope["errors"][0]["code"]) == (400, 9103)
    assert "2025-01-01 to 2025-01-03" in envelope["errors"][0]["message"]
    status, envelope = earn(
        api, seed_badge["id"], 1, "next-cycle", earnEventDateISO="2025-01-04T10:00:00Z"
    )
    assert status == 200, envelope


def test_a_customers_views_run_the_cycles_to_their_own_enrolment_expiry(api, org, clock):
    """With a relative enrolment expiry each customer's cycles end with their own enrolment; for
    no particular customer they run to the latest an enrolment can expire (badge end + 30 days)."""
    body = dict(SEED_002["request"], name="Thirty-day enrolment")
    body["issuedBadgeExpiry"] = {
        "expiryType": "RELATIVE",
        "relativeExpirytype": "DAYS",
        "value": 30,
    }
    clock("2024-05-01T00:00:00")
    badge = api.post("badgeMeta", body)[1]["data"]
    api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)
    make_customers(org, [7])
    assert badge["customerConstraints"][0]["endDate"] == BADGE_END + 30 * 86400

    clock("2024-09-15T00:00:00")
    enrolment_expiry = enrol(api, badge["id"], [7])["expiresOn"]  # 2024-10-15, after the badge end
    clock("2024-10-01T12:00:00")
    assert earn(api, badge["id"], 7, "in-october")[0] == 200

    status, detail = api.get(f"management/7/badge/{badge['id']}", includeStatistics="true")
    assert status == 200, detail
    (window,) = detail["data"]["customerConstraints"]
    assert (window["endDate"], window["cycleStatus"]) == (enrolment_expiry, "ACTIVE")
    assert window["currentCycle"]["firstDay"] == "2024-09-30"
    fixed = next(
        entry
        for entry in detail["data"]["earnConstraints"]
        if entry["constraintType"] == "FIXED_WINDOW"
    )
    assert fixed["earnConstraintBlockStatistics"]["currentEarnCount"] == 1
    assert (
        fixed["cycleStatus"] == "ACTIVE" and fixed["fixedWindowCycle"]["firstDay"] == "2024-09-30"
    )

    status, held = api.get("customer/7", badgeType="EARNED")
    (window,) = held["data"]["badges"][0]["customerConstraints"]
    assert (window["endDate"], window["cycleStatus"]) == (BADGE_END + 30 * 86400, "ACTIVE")

    status, cycles = api.get(
        "badgeMeta/getFixedWindowDetails",
        badgeMetaId=badge["id"],
        constraintType="CUSTOMER",
        customerId="7",
        includeEarnCount="true",
        startDate="2024-09-30T00:00:00Z",
    )
    assert status == 200, cycles
    listed = cycles["data"]["fixedWindowCycles"]
    assert (
        listed[-1]["lastDay"]
        == "2024-10-15"
        == datetime.fromtimestamp(enrolment_expiry, UTC).date().isoformat()
    )
    assert [cycle["earnCount"] for cycle in listed if cycle["firstDay"] == "2024-09-30"] == [1]
    status, unknown = api.get(
        "badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"], customerId="404404"
    )
    assert (status, unknown["errors"][0]["code"]) == (404, 1026)
    status, cycles = api.get(
        "badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"], constraintType="CUSTOMER"
    )
    days = (
        date(2024, 10, 20) - date(2024, 5, 27)
    ).days + 1  # to the latest enrolment expiry, 2024-10-20
    assert cycles["data"]["pagination"]["total"] == -(-days // 3)


def test_getfixedwindowdetails_lists_seed_002s_customer_cycles_to_the_enrolment_expiry(
    api, seed_badge
):
    status, cycles = api.get(
        "badgeMeta/getFixedWindowDetails",
        badgeMetaId=seed_badge["id"],
        constraintType="CUSTOMER",
        startDate="2031-01-01T00:00:00Z",
    )
    assert status == 200, cycles
    assert (
        cycles["data"]["fixedWindowCycles"][-1]["lastDay"]
        == datetime.fromtimestamp(ENROLMENT_EXPIRY, UTC).date().isoformat()
    )


def test_a_badge_wide_fixed_window_limit_keeps_holding_after_the_badge_end(api, org, clock):
    """An enrol-first badge is earned after its end while enrolments live, so its badge-wide
    cycles run on to the latest an enrolment can expire (badge end + 30 days): "at most 1 a week
    across customers" holds for every earn, not only those before the badge's end."""
    body = dict(SEED_002["request"], name="Once a week across customers", customerConstraints=[])
    body["issuedBadgeExpiry"] = {
        "expiryType": "RELATIVE",
        "relativeExpirytype": "DAYS",
        "value": 30,
    }
    body["badgeConstraints"] = [
        {
            "constraintType": "BADGE_FIXED_WINDOW",
            "durationType": "WEEKLY",
            "startDayOfTheWeek": "MONDAY",
            "maxEarnLimit": 1,
        }
    ]
    clock("2024-05-01T00:00:00")
    status, created = api.post("badgeMeta", body)
    assert status == 200, created
    badge = created["data"]
    api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)
    make_customers(org, [1, 2, 3])
    horizon = BADGE_END + 30 * 86400  # 2024-10-20, the latest an enrolment can expire
    assert badge["badgeConstraints"][0]["endDate"] == horizon

    clock("2024-09-15T00:00:00")
    enrol(api, badge["id"], [1, 2, 3])  # expire 2024-10-15, after the badge's end (2024-09-20)
    clock("2024-10-01T12:00:00")  # week 2024-09-30..10-06
    assert earn(api, badge["id"], 1, "first-of-the-week")[0] == 200
    status, envelope = earn(api, badge["id"], 2, "second-of-the-week")
    assert (status, envelope["errors"][0]["code"]) == (400, 9113), envelope
    assert "2024-09-30 to 2024-10-06" in envelope["errors"][0]["message"]
    clock("2024-10-08T12:00:00")  # the next week
    status, envelope = earn_bulk(api, badge["id"], [2, 3])
    assert status == 200, envelope
    assert codes_by_customer(envelope) == {2: None, 3: 9113}
    assert Earn.objects.count() == 2

    status, read = api.get(f"badgeMeta/{badge['id']}")
    assert read["data"]["status"] == "EXPIRED"
    (window,) = read["data"]["badgeConstraints"]
    assert (window["endDate"], window["cycleStatus"]) == (horizon, "ACTIVE")
    assert (window["currentCycle"]["firstDay"], window["currentCycle"]["lastDay"]) == (
        "2024-10-07",
        "2024-10-13",
    )
    status, held = api.get("customer/2", badgeType="EARNED")
    (window,) = held["data"]["badges"][0]["badgeConstraints"]
    assert (window["endDate"], window["cycleStatus"]) == (horizon, "ACTIVE")
    status, detail = api.get(f"management/3/badge/{badge['id']}", includeStatistics="true")
    assert status == 200, detail
    assert (
        detail["data"]["badgeConstraints"][0]["endDate"] == horizon
    )  # not cut at customer 3's enrolment
    (fixed,) = (
        entry for entry in detail["data"]["earnConstraints"] if entry["constraintLevel"] == "BADGE"
    )
    assert (fixed["cycleStatus"], fixed["fixedWindowCycle"]["firstDay"]) == ("ACTIVE", "2024-10-07")
    assert (fixed["earnConstraintBlockStatistics"]["currentEarnCount"], fixed["limitReached"]) == (
        1,
        True,
    )

    status, cycles = api.get(
        "badgeMeta/getFixedWindowDetails",
        badgeMetaId=badge["id"],
        constraintType="BADGE",
        includeEarnCount="true",
        startDate="2024-09-16T00:00:00Z",
    )
    assert status == 200, cycles
    listed = [
        (cycle["firstDay"], cycle["lastDay"], cycle["earnCount"])
        for cycle in cycles["data"]["fixedWindowCycles"]
    ]
    assert listed == [
        ("2024-09-16", "2024-09-22", 0),
        ("2024-09-23", "2024-09-29", 0),
        ("2024-09-30", "2024-10-06", 1),
        ("2024-10-07", "2024-10-13", 1),
        ("2024-10-14", "2024-10-20", 0),
    ]
