"""getFixedWindowDetails?includeEarnCount=true, and GET badgeMeta/{id} statistics."""

from datetime import UTC, datetime, timedelta

import pytest

from badge_rules.timestamps import to_iso
from badges_api.models import Badge, Customer, Earn
from badges_api.selectors import badges as badge_selectors
from tests.factories import badge_body
from tests.lifecycle import MIGRATION, TRIGGER, earn_bulk_body, make_customers

EVERY_3_DAYS_BADGE = {
    "constraintType": "BADGE_FIXED_WINDOW",
    "durationType": "DAYS",
    "refreshRate": 3,
    "maxEarnLimit": 50,
}
EVERY_3_DAYS_CUSTOMER = {
    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
    "durationType": "DAYS",
    "refreshRate": 3,
    "maxEarnLimit": 5,
}


@pytest.fixture
def start() -> datetime:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=20)


@pytest.fixture
def badge(api, org, start) -> dict:
    body = badge_body(
        startOnISO=to_iso(start + timedelta(hours=9)),
        expiresOnISO=to_iso(start + timedelta(days=60)),
        customerConstraints=[EVERY_3_DAYS_CUSTOMER],
        badgeConstraints=[EVERY_3_DAYS_BADGE],
    )
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)
    assert status == 200, envelope
    make_customers(org, [1, 2])
    return envelope["data"]


def earn_at(badge: dict, customer_id: int, event_date: datetime, *, revoked: bool = False) -> None:
    row = Badge.objects.get(public_id=badge["id"])
    Earn.objects.create(
        org_id=row.org_id,
        badge=row,
        customer=Customer.objects.get(customer_id=customer_id),
        earned_on=event_date,
        event_date=event_date,
        expires_on=event_date + timedelta(days=1),
        is_active=not revoked,
        request_id=f"r-{customer_id}-{event_date.timestamp()}",
    )


def counts(api, badge, **query) -> list[tuple[str, str, int]]:
    status, envelope = api.get(
        "badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"], includeEarnCount="true", **query
    )
    assert status == 200, envelope
    return [
        (c["constraintType"], c["firstDay"], c["earnCount"])
        for c in envelope["data"]["fixedWindowCycles"]
    ]


def test_badge_cycles_count_every_customers_earns_by_event_date(api, badge, start):
    earn_at(badge, 1, start + timedelta(hours=10))
    earn_at(badge, 2, start + timedelta(days=2, hours=23))
    earn_at(badge, 1, start + timedelta(days=3))  # the next cycle's first instant
    earn_at(badge, 2, start + timedelta(days=4), revoked=True)
    earn_at(badge, 2, start + timedelta(days=7))

    answered = counts(api, badge, constraintType="BADGE", size=4)

    day = lambda n: (start + timedelta(days=n)).date().isoformat()  # noqa: E731
    assert answered == [
        ("BADGE_FIXED_WINDOW", day(0), 2),
        ("BADGE_FIXED_WINDOW", day(3), 1),
        ("BADGE_FIXED_WINDOW", day(6), 1),
        ("BADGE_FIXED_WINDOW", day(9), 0),
    ]


def test_customer_cycles_count_that_customers_earns_and_badge_cycles_everyones(api, badge, start):
    earn_at(badge, 1, start + timedelta(hours=10))
    earn_at(badge, 2, start + timedelta(hours=11))
    earn_at(badge, 2, start + timedelta(days=3, hours=1))

    answered = counts(api, badge, customerId="2", size=40)
    customer_cycles = [c for c in answered if c[0] == "CUSTOMER_BADGE_FIXED_WINDOW"]
    badge_cycles = [c for c in answered if c[0] == "BADGE_FIXED_WINDOW"]

    assert [c[2] for c in customer_cycles[:3]] == [1, 1, 0]
    assert [c[2] for c in badge_cycles[:3]] == [2, 1, 0]
    assert [
        c[2] for c in counts(api, badge, constraintType="CUSTOMER", customerId="1", size=2)
    ] == [1, 0]


def test_a_later_page_is_counted_too(api, badge, start):
    earn_at(badge, 1, start + timedelta(days=9, hours=1))
    assert counts(api, badge, constraintType="BADGE", size=2, page=1) == [
        ("BADGE_FIXED_WINDOW", (start + timedelta(days=6)).date().isoformat(), 0),
        ("BADGE_FIXED_WINDOW", (start + timedelta(days=9)).date().isoformat(), 1),
    ]


@pytest.mark.parametrize("constraint_type", [None, "CUSTOMER", "ALL"])
def test_customer_id_is_mandatory_for_customer_cycles_with_counts(api, badge, constraint_type):
    query = {"constraintType": constraint_type} if constraint_type else {}
    status, envelope = api.get(
        "badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"], includeEarnCount="true", **query
    )

    assert status == 400
    assert [(e["code"], e["reference"]) for e in envelope["errors"]] == [(400, "customerId")]


def test_without_include_earn_count_cycles_carry_no_count_and_need_no_customer(api, badge):
    status, envelope = api.get("badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"])
    assert status == 200
    assert "earnCount" not in envelope["data"]["fixedWindowCycles"][0]


def test_an_unknown_customer_is_1026(api, badge):
    status, envelope = api.get(
        "badgeMeta/getFixedWindowDetails",
        badgeMetaId=badge["id"],
        includeEarnCount="true",
        customerId="404",
    )
    assert (status, envelope["errors"][0]["code"]) == (404, 1026)


def test_badge_statistics_count_live_earns_and_enrolments(api, org):
    make_customers(org, [1, 2, 3])
    body = badge_body(startOnISO=to_iso(datetime.now(UTC) - timedelta(days=5)))
    badge = api.post("badgeMeta", body, headers=MIGRATION)[1]["data"]
    assert api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)[0] == 200
    assert api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2]))[0] == 200
    earn_at(badge, 3, datetime.now(UTC) - timedelta(days=4))  # expired after a day
    earn_at(badge, 3, datetime.now(UTC) - timedelta(hours=1), revoked=True)

    statistics = badge_selectors.badge_wire(org, badge["id"], include_statistics=True)["statistics"]

    assert statistics["activeEarnedCount"] == 2
    assert statistics["activeIssuedCount"] == 0
    assert statistics["lastEarnedOnISO"] is not None
    assert "statistics" not in badge_selectors.badge_wire(org, badge["id"])
