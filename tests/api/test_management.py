"""GET management/{customerId} and management/{customerId}/badge/{badgeId}: the support views."""

from datetime import UTC, datetime, timedelta

import pytest

from badges_api.models import Badge, Customer, Earn, Enrolment
from badges_api.selectors import customer_badges
from tests.factories import badge_body, future
from tests.lifecycle import MIGRATION, TRIGGER, earn_bulk_body, make_customers

NEVER = {"expiryType": "NEVER"}


@pytest.fixture(autouse=True)
def fresh_catalogue():
    customer_badges.catalogue_forget()


def create(api, name, *, claim=True, **fields) -> dict:
    body = badge_body(
        name=name, **({"startOnISO": future(-10), "expiresOnISO": future(100)} | fields)
    )
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)
    assert status == 200, envelope
    if claim:
        assert api.post(f"badgeMeta/{envelope['data']['id']}/claim", TRIGGER)[0] == 200
    return envelope["data"]


def listing(api, customer="1", **query) -> dict:
    status, envelope = api.get(f"management/{customer}", **query)
    assert status == 200, envelope
    return envelope["data"]


def names(data) -> list[str]:
    return [badge["name"] for badge in data["customerBadges"]]


def detail(api, badge, customer="1", **query) -> dict:
    status, envelope = api.get(f"management/{customer}/badge/{badge['id']}", **query)
    assert status == 200, envelope
    return envelope["data"]


def row(
    badge: dict,
    customer_id: int,
    *,
    days_ago: float,
    lasts: float = 30,
    revoked=False,
    model=Earn,
    **extra,
):
    now = datetime.now(UTC)
    moment = now - timedelta(days=days_ago)
    dates = {"earned_on": moment} if model is Earn else {"issued_on": moment}
    return model.objects.create(
        org_id=100458,
        badge=Badge.objects.get(public_id=badge["id"]),
        customer=Customer.objects.get(customer_id=customer_id),
        event_date=moment,
        expires_on=moment + timedelta(days=lasts),
        is_active=not revoked,
        revoked_on=now if revoked else None,
        request_id=f"r-{days_ago}",
        owner_type="Loyalty",
        owner_reference_id="626",
        **dates,
        **extra,
    )


# --- the list --------------------------------------------------------------------------------


def test_available_types_include_every_state_and_say_the_enrolment_status(api, org):
    make_customers(org, [1])
    enrolled = create(api, "Enrolled", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    lapsed = create(api, "Enrolment lapsed", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    revoked = create(api, "Enrolment revoked", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    create(
        api,
        "Upcoming",
        earnType="ISSUE_EARN",
        issuedBadgeExpiry=NEVER,
        startOnISO=future(3),
        expiresOnISO=future(9),
    )
    off = create(api, "Deactivated", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    api.put(f"badgeMeta/{off['id']}/deactivate")
    create(api, "Direct")
    row(enrolled, 1, days_ago=1, model=Enrolment)
    row(lapsed, 1, days_ago=40, lasts=10, model=Enrolment)
    row(revoked, 1, days_ago=1, revoked=True, model=Enrolment)

    data = listing(api)

    statuses = {
        b["name"]: (b["issueStatus"], b["badgeStatus"], b["active"]) for b in data["customerBadges"]
    }
    assert statuses == {
        "Enrolled": ("LIVE", "LIVE", True),
        "Enrolment lapsed": ("EXPIRED", "LIVE", True),
        "Enrolment revoked": ("REVOKED", "LIVE", True),
        "Upcoming": (None, "UPCOMING", True),
        "Deactivated": (None, "LIVE", False),
    }
    assert names(listing(api, badgeType="AVAILABLE")) == ["Direct"]
    assert listing(api, badgeStatus="UPCOMING")["pagination"]["total"] == 1
    assert sorted(names(listing(api, action="DEACTIVATED"))) == ["Deactivated"]


def test_an_item_carries_every_documented_field(api, org):
    make_customers(org, [1])
    coffee = api.post("group", {"name": "Coffee", "rank": 1})[1]["data"]
    badge = create(api, "Espresso", badgeGroupId=coffee["id"], badgeRank=2)
    api.post("customer/earnBulk", earn_bulk_body(badge, [1]))

    item = listing(api, badgeType="EARNED")["customerBadges"][0]

    assert set(item) == {
        "badgeMetaId",
        "name",
        "description",
        "badgeType",
        "badgeGroupId",
        "badgeGroupName",
        "badgeRank",
        "createdOn",
        "createdOnISO",
        "lastUpdatedOn",
        "lastUpdatedOnISO",
        "images",
        "badgeStatus",
        "startsOn",
        "startsOnISO",
        "expiresOn",
        "expiresOnISO",
        "earnCount",
        "activeEarnedCount",
        "ownership",
        "issueStatus",
        "active",
        "lastEarnedOn",
        "lastEarnedOnISO",
        "lastEarnedOnDate",
        "lastEarnedOnDateISO",
        "lastEarnEventDate",
        "lastEarnEventDateISO",
    }
    assert (item["badgeMetaId"], item["badgeType"], item["badgeGroupName"], item["badgeRank"]) == (
        badge["id"],
        "EARN",
        "Coffee",
        2,
    )
    assert (item["earnCount"], item["activeEarnedCount"], item["issueStatus"]) == (1, 1, None)
    assert item["ownership"] == {
        "restrictedToOwners": ["Loyalty"],
        "claims": [TRIGGER | {"isActive": True}],
    }
    assert item["lastEarnedOn"] == item["lastEarnedOnDate"]
    assert item["startsOnISO"] == badge["startOnISO"]


def test_earned_and_expired_split_the_badges_the_customer_earned(api, org):
    make_customers(org, [1])
    held, gone = create(api, "Held"), create(api, "Gone")
    row(held, 1, days_ago=1)
    row(gone, 1, days_ago=50, lasts=10)
    row(gone, 1, days_ago=30, lasts=10)

    assert names(listing(api, badgeType="EARNED")) == ["Held"]
    expired = listing(api, badgeType="EXPIRED")["customerBadges"]
    assert [(b["name"], b["earnCount"], b["activeEarnedCount"]) for b in expired] == [
        ("Gone", 2, 0)
    ]


def test_filters(api, org):
    make_customers(org, [1])
    club = api.post("group", {"name": "Club", "rank": 1})[1]["data"]
    create(api, "Morning_Coffee", expiresOnISO=future(20), badgeGroupId=club["id"])
    create(
        api,
        "Evening tea",
        startOnISO=future(-30),
        expiresOnISO=future(50),
        ownership={"restrictedToOwners": ["Loyalty", "Journeys"]},
    )
    create(api, "Unclaimed 100%", claim=False)

    assert names(listing(api, badgeType="AVAILABLE", name="COFFEE")) == ["Morning_Coffee"]
    assert names(listing(api, badgeType="AVAILABLE", name="g_c")) == ["Morning_Coffee"]
    assert names(listing(api, badgeType="AVAILABLE", name="%")) == ["Unclaimed 100%"]
    assert names(listing(api, badgeType="AVAILABLE", owner="journeys")) == ["Evening tea"]
    assert sorted(names(listing(api, badgeType="AVAILABLE", claimedBy="Loyalty"))) == [
        "Evening tea",
        "Morning_Coffee",
    ]
    assert names(listing(api, badgeType="AVAILABLE", groupId=club["id"])) == ["Morning_Coffee"]
    assert names(
        listing(api, badgeType="AVAILABLE", expiresOn=future(30), expiresOnOperator="LESS_THAN")
    ) == ["Morning_Coffee"]
    assert names(
        listing(api, badgeType="AVAILABLE", startOn=future(-20), startOnOperator="LESS_THAN")
    ) == ["Evening tea"]
    assert (
        len(
            names(
                listing(
                    api, badgeType="AVAILABLE", startOn=future(-20), startOnOperator="GREATER_THAN"
                )
            )
        )
        == 2
    )


@pytest.mark.parametrize(
    ("query", "reference"),
    [
        ({"startOn": "2026-01-01T00:00:00Z"}, "startOnOperator"),
        ({"expiresOn": "2026-01-01T00:00:00Z", "expiresOnOperator": "EQUALS"}, "expiresOnOperator"),
        ({"sortOn": "NAME"}, "sortOn"),
        ({"order": "UP"}, "order"),
        ({"badgeStatus": "LIVE,SOON"}, "badgeStatus"),
        ({"owner": "Nobody"}, "owner"),
        ({"action": "PAUSED"}, "action"),
    ],
)
def test_bad_filters_are_400_naming_them(api, org, query, reference):
    make_customers(org, [1])
    status, envelope = api.get("management/1", **query)
    assert status == 400
    assert reference in [e["reference"] for e in envelope["errors"]]


def test_sorts_default_to_expiry_descending_and_undated_badges_go_last(api, org):
    make_customers(org, [1])
    soon, late, mid = (
        create(api, "Soon", expiresOnISO=future(10)),
        create(api, "Late", expiresOnISO=future(90)),
        create(api, "Mid", expiresOnISO=future(50)),
    )
    row(soon, 1, days_ago=40, lasts=5)
    row(mid, 1, days_ago=20, lasts=5)
    assert late

    assert names(listing(api, badgeType="AVAILABLE")) == ["Late", "Mid", "Soon"]
    assert names(listing(api, badgeType="AVAILABLE", order="ASC")) == ["Soon", "Mid", "Late"]
    assert names(listing(api, badgeType="AVAILABLE", sortOn="LAST_EARNED_ON_DATE")) == [
        "Mid",
        "Soon",
        "Late",
    ]
    assert names(
        listing(api, badgeType="AVAILABLE", sortOn="LAST_EARNED_ON_DATE", order="ASC")
    ) == ["Soon", "Mid", "Late"]
    assert names(listing(api, badgeType="AVAILABLE", sortOn="LAST_EXPIRED_BADGE")) == [
        "Mid",
        "Soon",
        "Late",
    ]
    assert names(listing(api, badgeType="AVAILABLE", sortOn="LAST_MODIFIED_DATE")) == [
        "Mid",
        "Late",
        "Soon",
    ]


def test_last_issued_date_sorts_by_the_latest_enrolment(api, org):
    make_customers(org, [1])
    first = create(api, "Enrolled long ago", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    second = create(api, "Enrolled lately", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    create(api, "Never enrolled", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    row(first, 1, days_ago=9, model=Enrolment)
    row(second, 1, days_ago=2, model=Enrolment)

    assert names(listing(api, sortOn="LAST_ISSUED_DATE")) == [
        "Enrolled lately",
        "Enrolled long ago",
        "Never enrolled",
    ]


def test_pages_use_size_and_page(api, org):
    make_customers(org, [1])
    for days in range(5):
        create(api, f"Badge {days}", expiresOnISO=future(20 + days))

    data = listing(api, badgeType="AVAILABLE", size=2, page=1)

    assert names(data) == ["Badge 2", "Badge 1"]
    assert data["pagination"] == {"page": 1, "size": 2, "total": 5, "totalPages": 3}


def test_customer_identifiers_and_codes(api, org, other_org_api):
    Customer.objects.create(org=org, customer_id=5, external_id="EXT-5")
    create(api, "Badge")

    assert (
        api.call(
            "GET",
            "management/EXT-5",
            headers={"X-CAP-CUSTOMER-IDENTIFIER": "externalId"},
            badgeType="AVAILABLE",
        )[0]
        == 200
    )
    assert api.get("management/6")[1]["errors"][0]["code"] == 1026
    assert (
        api.call("GET", "management/5", headers={"X-CAP-CUSTOMER-IDENTIFIER": "nickname"})[1][
            "errors"
        ][0]["code"]
        == 1028
    )
    assert other_org_api.get("management/5")[1]["errors"][0]["code"] == 1026


# --- one badge for one customer --------------------------------------------------------------


def test_detail_lists_every_enrolment_and_earn_with_its_status(api, org):
    make_customers(org, [1, 2])
    badge = create(api, "Birthday", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    old_enrolment = row(badge, 1, days_ago=60, lasts=10, model=Enrolment)
    row(badge, 1, days_ago=30, revoked=True, model=Enrolment)
    api.post(
        "badgeMeta/customer/issueBulk",
        {"badgeMetaId": badge["id"], "customers": [1, 2], "triggeredBy": TRIGGER},
    )
    earned = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]["data"]["issuedBadges"][0]
    row(badge, 1, days_ago=55, lasts=3, enrolment=old_enrolment)
    row(badge, 1, days_ago=20, revoked=True)

    data = detail(api, badge)

    assert data["customerId"] == 1
    assert data["issualDetails"]["issuedCount"] == 3
    assert [i["issuedStatus"] for i in data["issualDetails"]["issuals"]] == [
        "LIVE",
        "REVOKED",
        "EXPIRED",
    ]
    revoked_issual = data["issualDetails"]["issuals"][1]
    assert revoked_issual["revokedOnISO"] is not None and revoked_issual["ownerType"] == "Loyalty"
    earns = data["earnDetails"]["earns"]
    assert data["earnDetails"]["earnCount"] == 3
    assert [e["status"] for e in earns] == ["LIVE", "REVOKED", "EXPIRED"]
    assert earns[0]["earnedBadgeId"] == earned["issuedId"]
    assert earns[0]["issuedId"] == data["issualDetails"]["issuals"][0]["issueId"]
    assert earns[2]["issuedId"] == old_enrolment.public_id
    assert set(earns[0]) >= {
        "earnedOn",
        "earnedOnISO",
        "earnEventDate",
        "expiresOn",
        "revokedOn",
        "ownerReferenceId",
        "requestId",
    }
    assert data["activeEarnedCount"] == 1
    assert data["lastEarnedOnISO"] == earns[0]["earnedOnISO"]
    assert "earnConstraints" not in data


def test_detail_cuts_long_histories_but_counts_everything(api, org, monkeypatch):
    monkeypatch.setattr(customer_badges, "MAX_HISTORY_ITEMS", 2)
    make_customers(org, [1])
    badge = create(api, "Coffee")
    for days in (30, 20, 10):
        row(badge, 1, days_ago=days, lasts=5)

    earns = detail(api, badge)["earnDetails"]

    assert (earns["earnCount"], len(earns["earns"]), earns["truncated"]) == (3, 2, True)


def test_detail_of_an_unknown_or_foreign_badge_is_404(api, org, other_org_api):
    make_customers(org, [1])
    theirs = other_org_api.post("badgeMeta", badge_body(), headers=MIGRATION)[1]["data"]

    for badge_id in (theirs["id"], "0" * 24):
        status, envelope = api.get(f"management/1/badge/{badge_id}")
        assert (status, envelope["errors"][0]["code"]) == (404, 404)
    assert api.get(f"management/9/badge/{theirs['id']}")[1]["errors"][0]["code"] == 1026


def test_statistics_give_each_limit_the_count_the_engine_refuses_on(api, org):
    make_customers(org, [1, 2, 3])
    badge = create(
        api,
        "Limited",
        customerConstraints=[
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 2},
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 5,
                "rollForDays": 7,
                "maxEarnForMonths": 9,
                "rollForMonths": 1,
            },
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": 3,
                "maxEarnLimit": 4,
            },
        ],
        badgeConstraints=[
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 100},
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 3,
            },
        ],
    )
    row(badge, 1, days_ago=20, lasts=1)
    row(badge, 1, days_ago=2, lasts=1)
    api.post("customer/earnBulk", earn_bulk_body(badge, [2, 3]))

    entries = detail(api, badge, includeStatistics="true")["earnConstraints"]

    assert [(e["constraintLevel"], e["constraintType"]) for e in entries] == [
        ("CUSTOMER", "OVERALL"),
        ("CUSTOMER", "ROLLING_WINDOW"),
        ("CUSTOMER", "FIXED_WINDOW"),
        ("BADGE", "OVERALL"),
        ("BADGE", "ROLLING_WINDOW"),
    ]
    overall, rolling, window, badge_total, badge_rolling = entries
    assert (overall["earnConstraintBlockStatistics"], overall["limitReached"]) == (
        {"currentEarnCount": 2},
        True,
    )
    assert rolling["earnConstraintBlockStatistics"] == {
        "currentEarnCountDays": 1,
        "currentEarnCountWeeks": None,
        "currentEarnCountMonths": 2,
    }
    assert [
        (r["rollType"], r["maxEarnLimit"], r["currentEarnCount"])
        for r in rolling["rollingWindowLimits"]
    ] == [("DAYS", 5, 1), ("MONTHS", 9, 2)]
    assert (
        window["cycleStatus"] == "ACTIVE"
        and window["fixedWindowCycle"]["firstDay"] <= datetime.now(UTC).date().isoformat()
    )
    assert window["fixedWindowReferenceId"] == badge["customerConstraints"][2]["referenceId"]
    assert badge_total["earnConstraintBlockStatistics"] == {
        "currentEarnCount": Badge.objects.get(public_id=badge["id"]).earned_count
    }
    assert (badge_rolling["earnConstraintBlockStatistics"], badge_rolling["limitReached"]) == (
        {"currentEarnCount": 2},
        False,
    )

    # The engine agrees: customer 1 is refused by the lifetime limit the statistics call reached.
    answer = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]["data"]["issuedBadges"][0]
    assert answer["error"]["code"] == 9101


def test_statistics_of_a_badge_without_limits_say_none(api, org):
    make_customers(org, [1])
    badge = create(api, "Free")
    entries = detail(api, badge, includeStatistics="true")["earnConstraints"]
    assert entries == [
        {"constraintLevel": "CUSTOMER", "constraintType": "NONE"},
        {"constraintLevel": "BADGE", "constraintType": "NONE"},
    ]
