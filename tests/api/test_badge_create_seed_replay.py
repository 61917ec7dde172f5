"""Every example request body of the create page (shared/seeds/002) replayed against the service.

The seed examples were written in 2024, so their start dates are now in the past: sent as-is
they are refused with 722, exactly as Capillary refuses a past start; sent with the historical
badge header (`X-CAP-BADGES-MIGRATION: migration`) they are accepted and answered in the shape
of the page's response examples.
"""

import pytest

from badges_api.models import CustomField
from tests.seeds import create_page_requests, create_page_responses

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}
PAST_START_EXAMPLES = [0, 1, 2, 3]


@pytest.mark.parametrize("index", PAST_START_EXAMPLES)
def test_seed_example_with_a_2024_start_is_refused_as_a_past_start_date(api, index):
    status, envelope = api.post("badgeMeta", create_page_requests()[index])

    assert status == 400
    assert envelope["data"] is None
    assert envelope["errors"] == [
        {"code": 722, "message": "Start Date cannot be past date", "reference": None}
    ]


@pytest.mark.parametrize("index", PAST_START_EXAMPLES)
def test_seed_example_is_accepted_as_a_historical_badge(api, index):
    body = create_page_requests()[index]
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)

    assert status == 200, envelope
    badge = envelope["data"]
    assert badge["name"] == body["name"]
    assert badge["earnType"] == body["earnType"]
    assert badge["startOn"] == body["startOn"] and badge["expiresOn"] == body["expiresOn"]
    assert badge["status"] == "EXPIRED"  # it ended in September 2024
    assert sorted(badge["ownership"]["restrictedToOwners"]) == sorted(
        body["ownership"]["restrictedToOwners"]
    )
    assert badge["ownership"]["claims"] == []
    assert len(badge["id"]) == 24 and int(badge["id"], 16) >= 0
    assert [c["constraintType"] for c in badge["customerConstraints"]] == [
        c["constraintType"] for c in body.get("customerConstraints", [])
    ]
    assert len(badge["benefits"]) == len(body.get("benefits", []))
    assert badge["tags"] == body.get("tags", [])
    assert badge["active"] == body.get("active", body.get("isActive"))


def test_first_seed_example_answers_like_the_page_response(api):
    """The page's BADGE123 response: fixed windows get a referenceId, DAYS and refreshRate 3."""
    expected = create_page_responses()[0]["data"]
    body = dict(create_page_requests()[0], name=expected["name"])
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)

    assert status == 200
    badge = envelope["data"]
    assert envelope["errors"] == [] and envelope["warnings"] == []
    assert badge["orgId"] == expected["orgId"] == 100458
    assert badge["earnedBadgeExpiry"]["expiryType"] == "ABSOLUTE"
    assert badge["earnedBadgeExpiry"]["type"] == "WITH_BADGE_META"
    assert badge["earnedBadgeExpiry"]["expiresOn"] is None
    assert badge["earnedBadgeExpiry"]["expireWithBadgeMeta"] is True
    assert badge["issuedBadgeExpiry"] is None
    assert badge["images"] == []
    for ours, theirs in zip(
        badge["customerConstraints"] + badge["badgeConstraints"],
        expected["customerConstraints"] + expected["badgeConstraints"],
        strict=True,
    ):
        for key in ("constraintType", "durationType", "refreshRate", "maxEarnLimit"):
            assert ours[key] == theirs[key]
        assert ours["referenceId"]
        assert ours["startDate"] == theirs["startDate"] and ours["endDate"] == theirs["endDate"]
    assert [b["benefitType"] for b in badge["benefits"]] == [
        "COUPON",
        "COUPON",
        "COUPON",
        "LOYALTY_POINTS",
    ]
    points = badge["benefits"][3]
    assert {
        k: points[k]
        for k in ("programId", "promotionId", "allocationStrategyId", "expirationStrategyId")
    } == {
        k: theirs
        for k, theirs in expected["benefits"][2].items()
        if k not in ("benefitType", "defaultTillId")
    }
    assert points["defaultTillId"] is None
    assert badge["badgeRank"] == expected["badgeRank"] == 1
    assert badge["badgeGroupId"] is None
    assert badge["customFields"] == {}
    assert badge["startOnISO"] == "2024-05-27T09:51:27Z"


def test_issue_earn_seed_example_keeps_its_fixed_date_enrolment_expiry_and_images(api):
    expected = create_page_responses()[1]["data"]
    status, envelope = api.post("badgeMeta", create_page_requests()[1], headers=MIGRATION)

    assert status == 200
    badge = envelope["data"]
    assert badge["earnedBadgeExpiry"] == expected["earnedBadgeExpiry"]
    issued = dict(badge["issuedBadgeExpiry"])
    assert issued.pop("expiresOnISO") == "2031-01-15T09:32:37Z"
    assert issued == {k: v for k, v in expected["issuedBadgeExpiry"].items()} | {
        "expiresOn": 1926235957
    }
    assert badge["images"] == expected["images"]
    assert sorted(c["maxEarnLimit"] for c in badge["badgeConstraints"]) == [300, 3000, 10000]
    assert badge["active"] is True  # sent as isActive


def test_seed_example_with_custom_fields_and_claims_is_created_once_its_fields_exist(api, org):
    """test6578791 starts in 2027, names two custom fields, and tries to set a claim."""
    body = create_page_requests()[4]
    status, envelope = api.post("badgeMeta", body)
    assert status == 400
    assert {(e["code"], e["reference"]) for e in envelope["errors"]} == {
        (9006, "customFields.CF1"),
        (9006, "customFields.CF2 INTEGER"),
    }

    CustomField.objects.create(org=org, name="CF1", data_type="STRING")
    CustomField.objects.create(org=org, name="CF2 INTEGER", data_type="INTEGER")
    status, envelope = api.post("badgeMeta", body)

    assert status == 200, envelope
    badge = envelope["data"]
    assert badge["status"] == "UPCOMING"
    assert badge["customFields"] == {"CF1": "CF1", "CF2 INTEGER": "1"}
    # "You cannot claim a badge during badge creation": ignored, and said so.
    assert badge["ownership"]["claims"] == []
    assert [w["reference"] for w in envelope["warnings"]] == ["ownership.claims"]
    rolling = next(
        c
        for c in badge["customerConstraints"]
        if c["constraintType"] == "CUSTOMER_BADGE_ROLLING_WINDOW"
    )
    assert rolling == {
        "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
        "maxEarnForDays": 1,
        "rollForDays": 1,
        "maxEarnForWeeks": 2,
        "rollForWeeks": 1,
        "maxEarnForMonths": 10,
        "rollForMonths": 1,
    }


def test_schema_sample_body_is_refused_with_every_problem_at_once(api):
    """The page's generated sample: a 2023 start, BADGE_NO_LIMIT among customer limits, a tag without a name."""
    status, envelope = api.post("badgeMeta", create_page_requests()[5])

    assert status == 400
    found = [(e["code"], e["reference"]) for e in envelope["errors"]]
    assert [(400, f"customerConstraints[{i}].constraintType") for i in range(6)] == found[:6]
    assert (400, "tags[0].name") in found
    assert (722, None) in found
    assert (
        "CUSTOMER_BADGE_NO_LIMIT" in envelope["errors"][0]["message"]
    )  # the message lists what is allowed


def test_error_example_of_the_page_is_reproduced_in_order(api):
    """Seed response: 728 (no owner), 725 (duplicate name), 722 (past start), all together."""
    expected = create_page_responses()[2]
    first = create_page_requests()[2]
    assert api.post("badgeMeta", first, headers=MIGRATION)[0] == 200

    duplicate = dict(first, ownership={"restrictedToOwners": []})
    status, envelope = api.post("badgeMeta", duplicate)

    assert status == 400
    assert envelope == expected | {
        "errors": [
            {
                "code": 728,
                "message": "Atleast one owner is required",
                "reference": "ownership.restrictedToOwners",
            },
            {"code": 725, "message": "Badge name cannot be duplicate", "reference": None},
            {"code": 722, "message": "Start Date cannot be past date", "reference": None},
        ]
    }
    assert envelope["errors"] == expected["errors"]
