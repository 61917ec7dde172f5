"""POST badgeMeta: what a marketer's request may carry and how each mistake is answered."""

from datetime import UTC, datetime, timedelta

import pytest

from badges_api.models import Badge, BadgeGroup, CustomField
from tests.factories import badge_body, future

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}


def codes(envelope) -> list[tuple[int, str | None]]:
    return [(error["code"], error["reference"]) for error in envelope["errors"]]


def test_created_badge_carries_every_read_only_field(api, org):
    status, envelope = api.post("badgeMeta", badge_body(name="Coffee Lover"))

    assert status == 200
    badge = envelope["data"]
    assert badge["orgId"] == org.id
    assert isinstance(badge["badgeNumericId"], int)
    assert badge["issuedCount"] == 0 and badge["earnedCount"] == 0
    assert badge["createdBy"] == badge["lastUpdatedBy"]
    for key in ("startOn", "expiresOn", "createdOn", "lastUpdatedOn"):
        assert isinstance(badge[key], (int, float))
        assert badge[f"{key}ISO"].endswith("Z")
    assert Badge.objects.filter(public_id=badge["id"], org=org).exists()


@pytest.mark.parametrize(
    "start",
    [
        pytest.param(lambda d: int(d.timestamp()), id="epoch-seconds"),
        pytest.param(lambda d: d.timestamp() + 0.25, id="epoch-seconds-fraction"),
        pytest.param(lambda d: int(d.timestamp() * 1000), id="epoch-milliseconds"),
        pytest.param(lambda d: d.astimezone().isoformat(), id="iso-with-offset"),
    ],
)
def test_start_date_is_accepted_in_every_timestamp_form(api, start):
    moment = datetime(2031, 3, 1, 10, 0, tzinfo=UTC)
    body = badge_body(
        startOn=start(moment), expiresOn=int((moment + timedelta(days=30)).timestamp())
    )
    body.pop("startOnISO")
    body.pop("expiresOnISO")
    status, envelope = api.post("badgeMeta", body)

    assert status == 200, envelope
    answered = datetime.fromisoformat(envelope["data"]["startOnISO"])
    assert abs(answered - moment) < timedelta(seconds=1)


def test_iso_start_overrides_the_epoch_start(api):
    body = badge_body(
        startOn=1, startOnISO="2031-01-01T00:00:00Z", expiresOnISO="2031-06-01T00:00:00Z"
    )
    status, envelope = api.post("badgeMeta", body)

    assert status == 200
    assert envelope["data"]["startOnISO"] == "2031-01-01T00:00:00Z"
    assert envelope["data"]["startOn"] == 1924992000


def test_india_offset_is_answered_in_utc(api):
    body = badge_body(startOnISO="2031-03-15T11:20:00+05:30", expiresOnISO="2031-06-01T00:00:00Z")
    status, envelope = api.post("badgeMeta", body)
    assert envelope["data"]["startOnISO"] == "2031-03-15T05:50:00Z"


def test_missing_required_fields_are_all_named(api):
    status, envelope = api.post("badgeMeta", {"description": "nothing else"})

    assert status == 400
    references = {reference for _, reference in codes(envelope)}
    assert {
        "name",
        "startOn",
        "expiresOn",
        "earnType",
        "earnedBadgeExpiry",
        "ownership.restrictedToOwners",
    } <= references
    assert (728, "ownership.restrictedToOwners") in codes(envelope)


def test_unknown_owner_is_714_and_lists_the_allowed_owners(api):
    status, envelope = api.post(
        "badgeMeta", badge_body(ownership={"restrictedToOwners": ["Loyalty", "Facebook"]})
    )

    assert status == 400
    assert codes(envelope) == [(714, "ownership.restrictedToOwners[1]")]
    assert "Audience_Campaigns" in envelope["errors"][0]["message"]


def test_owner_names_are_accepted_in_capital_letters(api):
    status, envelope = api.post(
        "badgeMeta", badge_body(ownership={"restrictedToOwners": ["LOYALTY", "AUDIENCE_CAMPAIGNS"]})
    )
    assert status == 200
    assert envelope["data"]["ownership"]["restrictedToOwners"] == ["Loyalty", "Audience_Campaigns"]


def test_end_before_start_is_720(api):
    status, envelope = api.post(
        "badgeMeta", badge_body(startOnISO=future(10), expiresOnISO=future(5))
    )
    assert (720, "expiresOn") in codes(envelope)


def test_past_start_is_722_unless_the_migration_header_is_sent(api):
    body = badge_body(startOnISO=future(-30))
    assert codes(api.post("badgeMeta", body)[1]) == [(722, None)]

    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)
    assert status == 200
    assert envelope["data"]["status"] == "LIVE"


def test_start_more_than_a_century_ago_is_refused_even_for_history(api):
    body = badge_body(startOnISO="1900-01-01T00:00:00Z")
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)
    assert status == 400
    assert codes(envelope) == [(9004, "startOn")]


def test_duplicate_name_is_725_and_names_are_case_sensitive(api):
    assert api.post("badgeMeta", badge_body(name="Gold"))[0] == 200
    status, envelope = api.post("badgeMeta", badge_body(name="Gold"))
    assert codes(envelope) == [(725, None)]
    assert api.post("badgeMeta", badge_body(name="GOLD"))[0] == 200


def test_same_name_is_fine_in_another_org(api, other_org_api):
    assert api.post("badgeMeta", badge_body(name="Shared name"))[0] == 200
    assert other_org_api.post("badgeMeta", badge_body(name="Shared name"))[0] == 200


def test_unknown_enum_value_lists_the_allowed_values(api):
    status, envelope = api.post("badgeMeta", badge_body(earnType="SOMETIMES"))
    assert status == 400
    assert codes(envelope) == [(400, "earnType")]
    assert "EARN, ISSUE_EARN" in envelope["errors"][0]["message"]


def test_issue_earn_badge_needs_an_enrolment_expiry(api):
    status, envelope = api.post("badgeMeta", badge_body(earnType="ISSUE_EARN"))
    assert codes(envelope) == [(400, "issuedBadgeExpiry")]

    body = badge_body(
        earnType="ISSUE_EARN",
        issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 10},
    )
    assert api.post("badgeMeta", body)[0] == 200


@pytest.mark.parametrize(
    ("expiry", "stored"),
    [
        ({"expiryType": "NEVER"}, {"expiryType": "NEVER"}),
        (
            {"expiryType": "RELATIVE", "relativeExpiryType": "MONTHLY", "value": "3"},
            {"expiryType": "RELATIVE", "relativeExpirytype": "MONTHS", "value": 3},
        ),
        (
            {"expiryType": "ABSOLUTE", "expireWithBadgeMeta": True},
            {
                "expiryType": "ABSOLUTE",
                "type": "WITH_BADGE_META",
                "expiresOn": None,
                "expireWithBadgeMeta": True,
                "expiresOnISO": None,
            },
        ),
        (
            {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": "2035-01-01T00:00:00Z"},
            {
                "expiryType": "ABSOLUTE",
                "type": "FIXED_DATE",
                "expiresOn": 2051222400,
                "expireWithBadgeMeta": False,
                "expiresOnISO": "2035-01-01T00:00:00Z",
            },
        ),
    ],
)
def test_expiry_forms_are_normalised(api, expiry, stored):
    status, envelope = api.post("badgeMeta", badge_body(earnedBadgeExpiry=expiry))
    assert status == 200, envelope
    assert envelope["data"]["earnedBadgeExpiry"] == stored


@pytest.mark.parametrize(
    ("expiry", "reference"),
    [
        ({"expiryType": "LATER"}, "earnedBadgeExpiry.expiryType"),
        (
            {"expiryType": "RELATIVE", "relativeExpirytype": "YEARS", "value": 1},
            "earnedBadgeExpiry.relativeExpirytype",
        ),
        (
            {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 0},
            "earnedBadgeExpiry.value",
        ),
        ({"expiryType": "ABSOLUTE", "type": "FIXED_DATE"}, "earnedBadgeExpiry.expiresOn"),
        ({"expiryType": "ABSOLUTE", "type": "SOMEDAY"}, "earnedBadgeExpiry.type"),
        ("NEVER", "earnedBadgeExpiry"),
    ],
)
def test_bad_expiry_is_refused_naming_the_field(api, expiry, reference):
    status, envelope = api.post("badgeMeta", badge_body(earnedBadgeExpiry=expiry))
    assert status == 400
    assert [r for _, r in codes(envelope)] == [reference]


def test_fixed_date_expiry_in_the_past_is_724(api):
    expiry = {"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": "2020-01-01T00:00:00Z"}
    status, envelope = api.post("badgeMeta", badge_body(earnedBadgeExpiry=expiry))
    assert codes(envelope) == [(724, "earnedBadgeExpiry.expiresOn")]


def test_fixed_window_accepts_the_documented_aliases(api):
    constraints = [
        {
            "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
            "durationType": "WEEKLY",
            "startDayOfTheWeek": 3,
            "maxEarnLimit": 2,
        },
    ]
    badge_limits = [
        {
            "constraintType": "BADGE_FIXED_WINDOW",
            "durationType": "DAILY",
            "refreshRate": 3,
            "maxEarnLimit": 100,
        }
    ]
    status, envelope = api.post(
        "badgeMeta", badge_body(customerConstraints=constraints, badgeConstraints=badge_limits)
    )

    assert status == 200, envelope
    weekly = envelope["data"]["customerConstraints"][0]
    assert weekly["durationType"] == "WEEKS" and weekly["startDayOfTheWeek"] == "WEDNESDAY"
    assert weekly["cycleStatus"] == "UPCOMING"
    daily = envelope["data"]["badgeConstraints"][0]
    assert daily["durationType"] == "DAYS" and daily["refreshRate"] == 3
    assert daily["referenceId"] != weekly["referenceId"]


@pytest.mark.parametrize(
    ("constraint", "reference"),
    [
        (
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "maxEarnLimit": 1,
            },
            "customerConstraints[0].refreshRate",
        ),
        (
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "YEARS",
                "maxEarnLimit": 1,
            },
            "customerConstraints[0].durationType",
        ),
        (
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "startDayOfTheWeek": 9,
                "maxEarnLimit": 1,
            },
            "customerConstraints[0].startDayOfTheWeek",
        ),
        ({"constraintType": "CUSTOMER_BADGE_FIXED_VALUE"}, "customerConstraints[0].maxEarnLimit"),
        (
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": -2},
            "customerConstraints[0].maxEarnLimit",
        ),
        ({"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW"}, "customerConstraints[0]"),
        (
            {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 2},
            "customerConstraints[0].rollForDays",
        ),
        (
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 5},
            "customerConstraints[0].constraintType",
        ),
    ],
)
def test_bad_customer_limit_is_refused_naming_the_field(api, constraint, reference):
    status, envelope = api.post("badgeMeta", badge_body(customerConstraints=[constraint]))
    assert status == 400
    assert [r for _, r in codes(envelope)] == [reference]


def test_badge_rolling_windows_combine_but_do_not_repeat(api):
    rolling = [
        {
            "constraintType": "BADGE_ROLLING_WINDOW",
            "rollType": "DAYS",
            "rollValue": 1,
            "maxEarnLimit": 300,
        },
        {
            "constraintType": "BADGE_ROLLING_WINDOW",
            "rollType": "WEEKS",
            "rollValue": 1,
            "maxEarnLimit": 3000,
        },
    ]
    assert api.post("badgeMeta", badge_body(badgeConstraints=rolling))[0] == 200

    status, envelope = api.post("badgeMeta", badge_body(badgeConstraints=rolling + [rolling[0]]))
    assert codes(envelope) == [(9011, "badgeConstraints[2]")]


def test_no_limit_entries_store_nothing(api):
    status, envelope = api.post(
        "badgeMeta", badge_body(customerConstraints=[{"constraintType": "CUSTOMER_BADGE_NO_LIMIT"}])
    )
    assert status == 200
    assert envelope["data"]["customerConstraints"] == []


@pytest.mark.parametrize(
    ("benefit", "reference"),
    [
        ({"benefitType": "COUPON"}, "benefits[0].seriesId"),
        (
            {
                "benefitType": "LOYALTY_POINTS",
                "programId": 1,
                "promotionId": 2,
                "allocationStrategyId": 3,
            },
            "benefits[0].expirationStrategyId",
        ),
        ({"benefitType": "CASHBACK"}, "benefits[0].benefitType"),
        ({"benefitType": "CART_PROMOTION"}, "benefits[0].promotionId"),
    ],
)
def test_benefit_needs_the_ids_of_its_type(api, benefit, reference):
    status, envelope = api.post("badgeMeta", badge_body(benefits=[benefit]))
    assert [r for _, r in codes(envelope)] == [reference]


def test_every_benefit_type_is_kept(api):
    benefits = [
        {"benefitType": "COUPON", "seriesId": 13686},
        {
            "benefitType": "LOYALTY_POINTS",
            "points": 100,
            "programId": 626,
            "promotionId": 80332,
            "allocationStrategyId": 1489,
            "expirationStrategyId": 3843,
            "defaultTillId": 75,
        },
        {"benefitType": "CART_PROMOTION", "promotionId": 991},
        {"benefitType": "GIFT_VOUCHER", "seriesId": 4242},
    ]
    status, envelope = api.post("badgeMeta", badge_body(benefits=benefits))
    assert status == 200
    assert envelope["data"]["benefits"] == [
        benefits[0],
        benefits[1],
        benefits[2],
        benefits[3],
    ]


def test_images_need_a_known_tag_and_a_source(api):
    images = [
        {"name": "locked", "url": "https://cdn.example/locked.png", "tag": "UN_EARNED"},
        {"name": "half", "fileSvcHandle": "abc-123", "tag": "in_progress"},
        {"name": "bad", "url": "https://cdn.example/x.png", "tag": "SHINY"},
        {"name": "nothing", "tag": "EARNED"},
    ]
    status, envelope = api.post("badgeMeta", badge_body(images=images))
    assert [r for _, r in codes(envelope)] == ["images[2].tag", "images[3].url"]

    status, envelope = api.post("badgeMeta", badge_body(images=images[:2]))
    assert [image["tag"] for image in envelope["data"]["images"]] == ["UN_EARNED", "IN_PROGRESS"]


def test_badge_joins_an_active_group_of_its_own_org(api, org, other_org_api):
    group = BadgeGroup.objects.create(org=org, name="Coffee Club", rank=1)
    status, envelope = api.post("badgeMeta", badge_body(badgeGroupId=group.public_id, badgeRank=2))
    assert status == 200
    assert envelope["data"]["badgeGroupId"] == group.public_id
    assert envelope["data"]["badgeRank"] == 2

    status, envelope = other_org_api.post("badgeMeta", badge_body(badgeGroupId=group.public_id))
    assert codes(envelope) == [(9005, "badgeGroupId")]


def test_mandatory_custom_field_default_is_applied(api, org):
    CustomField.objects.create(
        org=org, name="Terms", data_type="STRING", is_mandatory=True, default_value="T&C apply"
    )
    CustomField.objects.create(org=org, name="Tier", data_type="INTEGER")
    status, envelope = api.post("badgeMeta", badge_body(customFields={"Tier": 3}))
    assert envelope["data"]["customFields"] == {"Tier": "3", "Terms": "T&C apply"}

    status, envelope = api.post("badgeMeta", badge_body(customFields={"Tier": "gold"}))
    assert codes(envelope) == [(9006, "customFields.Tier")]


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[1, 2, 3]",
        b'"a string"',
        b'{"name": 5, "startOn": true, "ownership": "Loyalty"}',
    ],
)
def test_malformed_bodies_are_400_envelopes(api, raw):
    status, envelope = api.post("badgeMeta", raw)
    assert status == 400
    assert envelope["data"] is None
    assert envelope["errors"] and all(
        isinstance(error["code"], int) for error in envelope["errors"]
    )


def test_wrong_types_are_named_not_crashed_on(api):
    body = badge_body(
        name=["list"],
        active="yes",
        tags="vip",
        images={"a": 1},
        badgeRank="first",
        customFields=[1],
    )
    status, envelope = api.post("badgeMeta", body)
    assert status == 400
    assert {"name", "active", "tags", "images", "badgeRank", "customFields"} <= {
        r for _, r in codes(envelope)
    }
