"""Every number a badge definition carries has a documented range (docs/API.md, "Value ranges").

A value outside it is a 400 naming the field, and nothing is written; a value inside it can be
stored, read back, listed and earned (a number past 64 bits once saved a badge no list could
render, and a limit past 2^63 let the first earn through and answered 500 to every later one).
"""

import json

import pytest
from django.apps import apps

from badges_api.models import Badge, Earn
from badges_api.selectors import badges as badge_selectors
from tests.factories import badge_body
from tests.lifecycle import MIGRATION, earn_bulk_body, live_badge, make_customers

MAX_COUNT = 2**31 - 1
MAX_BIGINT = 2**63 - 1


def row_counts() -> dict[str, int]:
    """Rows in every table the service owns."""
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("badges_api").get_models()
    }


def post(api, path, body, **kwargs):
    """Python's json writes integers past 64 bits, as a hostile client would (orjson refuses)."""
    return api.call("POST", path, json.dumps(body), **kwargs)


def put(api, path, body, **kwargs):
    return api.call("PUT", path, json.dumps(body), **kwargs)


def references(envelope) -> set[str | None]:
    return {error["reference"] for error in envelope["errors"]}


def customer_limit(value) -> dict:
    return {
        "customerConstraints": [
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": value}
        ]
    }


def badge_limit(value) -> dict:
    return {"badgeConstraints": [{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": value}]}


def relative_expiry(unit: str, value) -> dict:
    return {
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": unit, "value": value}
    }


def badge_rolling(unit: str, value) -> dict:
    return {
        "badgeConstraints": [
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": unit,
                "rollValue": value,
                "maxEarnLimit": 5,
            }
        ]
    }


def customer_rolling(max_key: str, roll_key: str, limit, period) -> dict:
    return {
        "customerConstraints": [
            {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", max_key: limit, roll_key: period}
        ]
    }


def days_window(refresh_rate, limit=3) -> dict:
    return {
        "customerConstraints": [
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": refresh_rate,
                "maxEarnLimit": limit,
            }
        ]
    }


def coupon(series_id) -> dict:
    return {"benefits": [{"benefitType": "COUPON", "seriesId": series_id}]}


def points(**fields) -> dict:
    benefit = {
        "benefitType": "LOYALTY_POINTS",
        "programId": 1,
        "promotionId": 2,
        "allocationStrategyId": 3,
        "expirationStrategyId": 4,
    } | fields
    return {"benefits": [benefit]}


# (fields, the reference a refusal names): every value here is outside its range.
OUT_OF_RANGE = {
    "customer-limit-1e30": (customer_limit(1e30), "customerConstraints[0].maxEarnLimit"),
    "customer-limit-2**70": (customer_limit(2**70), "customerConstraints[0].maxEarnLimit"),
    "customer-limit-2**63": (customer_limit(2**63), "customerConstraints[0].maxEarnLimit"),
    "customer-limit-2**31": (customer_limit(2**31), "customerConstraints[0].maxEarnLimit"),
    "customer-limit-0": (customer_limit(0), "customerConstraints[0].maxEarnLimit"),
    "badge-limit-2**70": (badge_limit(2**70), "badgeConstraints[0].maxEarnLimit"),
    "badge-limit-text-2**64": (badge_limit(str(2**64)), "badgeConstraints[0].maxEarnLimit"),
    "expiry-days-1e30": (relative_expiry("DAYS", 1e30), "earnedBadgeExpiry.value"),
    "expiry-days-10**18": (relative_expiry("DAYS", 10**18), "earnedBadgeExpiry.value"),
    "expiry-days-36501": (relative_expiry("DAYS", 36_501), "earnedBadgeExpiry.value"),
    "expiry-weeks-5201": (relative_expiry("WEEKS", 5_201), "earnedBadgeExpiry.value"),
    "expiry-months-10**9": (relative_expiry("MONTHS", 10**9), "earnedBadgeExpiry.value"),
    "expiry-months-1201": (relative_expiry("MONTHS", 1_201), "earnedBadgeExpiry.value"),
    "rolling-days-10**12": (badge_rolling("DAYS", 10**12), "badgeConstraints[0].rollValue"),
    "rolling-months-1201": (badge_rolling("MONTHS", 1_201), "badgeConstraints[0].rollValue"),
    "rolling-weeks-10**15": (
        customer_rolling("maxEarnForWeeks", "rollForWeeks", 2, 10**15),
        "customerConstraints[0].rollForWeeks",
    ),
    "rolling-limit-2**63": (
        customer_rolling("maxEarnForDays", "rollForDays", 2**63, 7),
        "customerConstraints[0].maxEarnForDays",
    ),
    "window-days-36501": (days_window(36_501), "customerConstraints[0].refreshRate"),
    "window-limit-2**40": (days_window(1, limit=2**40), "customerConstraints[0].maxEarnLimit"),
    "series-2**70": (coupon(2**70), "benefits[0].seriesId"),
    "series-1e30": (coupon(1e30), "benefits[0].seriesId"),
    "series-2**63": (coupon(2**63), "benefits[0].seriesId"),
    "points-2**31": (points(points=2**31), "benefits[0].points"),
    "till-2**64": (points(defaultTillId=2**64), "benefits[0].defaultTillId"),
    "rank-2**63": ({"badgeRank": 2**63}, "badgeRank"),
    "rank-2**31": ({"badgeRank": 2**31}, "badgeRank"),
}

# The largest value of each range: accepted, and the badge works.
AT_THE_LIMIT = {
    "customer-limit": customer_limit(MAX_COUNT),
    "badge-limit": badge_limit(MAX_COUNT),
    "expiry-days": relative_expiry("DAYS", 36_500),
    "expiry-weeks": relative_expiry("WEEKS", 5_200),
    "expiry-months": relative_expiry("MONTHS", 1_200),
    "rolling-days": badge_rolling("DAYS", 36_500),
    "rolling-weeks": customer_rolling("maxEarnForWeeks", "rollForWeeks", MAX_COUNT, 5_200),
    "rolling-months": customer_rolling("maxEarnForMonths", "rollForMonths", MAX_COUNT, 1_200),
    "window-days": days_window(36_500, limit=MAX_COUNT),
    "series": coupon(MAX_BIGINT),
    "points": points(points=MAX_COUNT, defaultTillId=MAX_BIGINT),
    "rank": {"badgeRank": MAX_COUNT},
}

NOT_ASCII_DIGITS = ["²", "٣", "１２", "--5", "+5", "5.5", "", " ", True]


def assert_readable_listable_and_earnable(api, org, badge_id: str) -> None:
    status, envelope = api.get(f"badgeMeta/{badge_id}")
    assert status == 200, envelope
    status, envelope = api.get("badgeMeta", limit=1000)
    assert status == 200, envelope
    assert badge_id in {badge["id"] for badge in envelope["data"]["badges"]}
    assert (
        api.post(f"badgeMeta/{badge_id}/claim", {"ownerType": "Loyalty", "referenceId": "626"})[0]
        == 200
    )
    badge = {"id": badge_id}
    # Twice for one customer (the first earn expired in between): a limit past 2^63 once let the
    # first earn through and answered 500 to every later one.
    for _ in range(2):
        status, envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))
        assert status == 200, envelope
        assert "error" not in envelope["data"]["issuedBadges"][0], envelope
        Earn.objects.filter(badge__public_id=badge_id).update(expires_on="2000-01-01T00:00:00Z")


@pytest.mark.parametrize(("fields", "reference"), OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_create_refuses_a_value_outside_its_range_naming_the_field(api, fields, reference):
    before = row_counts()
    status, envelope = post(api, "badgeMeta", badge_body(**fields))

    assert status == 400, envelope
    assert reference in references(envelope)
    assert row_counts() == before


@pytest.mark.parametrize(("fields", "reference"), OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_update_refuses_a_value_outside_its_range_and_keeps_the_badge(api, fields, reference):
    created = post(api, "badgeMeta", badge_body())[1]["data"]
    before, stored = row_counts(), api.get(f"badgeMeta/{created['id']}")[1]["data"]

    status, envelope = put(api, "badgeMeta", {"id": created["id"], **fields})

    assert status == 400, envelope
    assert reference in references(envelope)
    assert row_counts() == before
    assert api.get(f"badgeMeta/{created['id']}")[1]["data"] == stored


@pytest.mark.parametrize("fields", AT_THE_LIMIT.values(), ids=AT_THE_LIMIT.keys())
def test_the_largest_value_of_each_range_gives_a_readable_listable_earnable_badge(api, org, fields):
    make_customers(org, [1])
    badge = live_badge(api, claim=False, **fields)
    assert_readable_listable_and_earnable(api, org, badge["id"])


@pytest.mark.parametrize(
    "fields",
    [fields for fields, _ in OUT_OF_RANGE.values()] + list(AT_THE_LIMIT.values()),
    ids=[f"out-{name}" for name in OUT_OF_RANGE] + [f"limit-{name}" for name in AT_THE_LIMIT],
)
def test_a_created_badge_is_refused_or_works_whatever_its_numbers(api, org, fields):
    """The issue's proof: each kind of extreme value is either a 400 or a badge that works."""
    make_customers(org, [1])
    status, envelope = post(
        api, "badgeMeta", badge_body(startOnISO="2020-01-01T00:00:00Z", **fields), headers=MIGRATION
    )
    if status == 400:
        assert not Badge.objects.exists()
        return
    assert status == 200, envelope
    assert_readable_listable_and_earnable(api, org, envelope["data"]["id"])


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
@pytest.mark.parametrize(
    ("build", "reference"),
    [
        (customer_limit, "customerConstraints[0].maxEarnLimit"),
        (lambda v: relative_expiry("DAYS", v), "earnedBadgeExpiry.value"),
        (lambda v: {"badgeRank": v}, "badgeRank"),
        (coupon, "benefits[0].seriesId"),
        (lambda v: badge_rolling("WEEKS", v), "badgeConstraints[0].rollValue"),
        (days_window, "customerConstraints[0].refreshRate"),
    ],
    ids=["maxEarnLimit", "expiry-value", "badgeRank", "seriesId", "rollValue", "refreshRate"],
)
def test_only_ascii_digits_are_numbers(api, build, reference, value):
    """int() reads "٣" as 3 and "１２" as 12; isdigit() says "²" is a digit that int() refuses."""
    before = row_counts()
    status, envelope = post(api, "badgeMeta", badge_body(**build(value)))

    assert status == 400, envelope
    assert reference in references(envelope)
    assert row_counts() == before


def test_numbers_sent_as_text_or_whole_floats_are_still_read(api):
    """Capillary's examples send numbers both ways; "3", 3.0 and " 3 " stay 3."""
    status, envelope = post(
        api,
        "badgeMeta",
        badge_body(badgeRank="7", **customer_limit(3.0), **relative_expiry("DAYS", " 30 ")),
    )

    assert status == 200, envelope
    badge = envelope["data"]
    assert badge["badgeRank"] == 7
    assert badge["customerConstraints"][0]["maxEarnLimit"] == 3
    assert badge["earnedBadgeExpiry"]["value"] == 30


def test_a_refused_number_is_named_with_its_range(api):
    status, envelope = post(api, "badgeMeta", badge_body(**relative_expiry("MONTHS", 1_201)))

    assert status == 400
    [error] = envelope["errors"]
    assert error == {
        "code": 400,
        "message": "value (months) must be a whole number from 1 to 1,200",
        "reference": "earnedBadgeExpiry.value",
    }


def test_a_refused_huge_limit_leaves_the_name_free_and_the_list_readable(api):
    """Defect 1: the badge was saved, the answer failed, the name was taken and every list 500d."""
    body = badge_body(**customer_limit(1e30))
    assert post(api, "badgeMeta", body)[0] == 400

    assert api.get("badgeMeta")[0] == 200
    status, envelope = post(api, "badgeMeta", body | customer_limit(1))
    assert status == 200, envelope


def test_an_answer_that_cannot_be_rendered_rolls_the_create_back(api, monkeypatch):
    """Should validation ever miss a value, the write must not outlive its failed answer."""

    def unrenderable(org, badge_id, **kwargs):
        return {"id": badge_id, "maxEarnLimit": 2**70}

    monkeypatch.setattr(badge_selectors, "badge_wire", unrenderable)
    before = row_counts()
    status, envelope = post(api, "badgeMeta", badge_body())

    assert status == 500
    assert envelope["errors"][0]["message"] == "Unexpected error; nothing was changed"
    assert row_counts() == before


def test_an_answer_that_cannot_be_rendered_rolls_the_update_back(api, monkeypatch):
    created = post(api, "badgeMeta", badge_body(description="before"))[1]["data"]
    monkeypatch.setattr(badge_selectors, "badge_wire", lambda org, badge_id, **kwargs: {"n": 2**70})

    status, _ = put(api, "badgeMeta", {"id": created["id"], "description": "after"})

    assert status == 500
    assert Badge.objects.get(public_id=created["id"]).description == "before"


def test_badges_stored_before_the_ranges_are_clamped_back_into_them(api, org):
    """Migration 0007: a badge saved with 10^30 before the ranges existed broke every list."""
    import importlib

    clamp = importlib.import_module("badges_api.migrations.0007_definitions_within_value_ranges")
    badge = post(api, "badgeMeta", badge_body(**customer_limit(5), **coupon(7)))[1]["data"]
    Badge.objects.filter(public_id=badge["id"]).update(
        customer_constraints=[
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 10**30}
        ],
        badge_constraints=[
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "MONTHS",
                "rollValue": 10**9,
                "maxEarnLimit": 2**64,
            }
        ],
        earned_badge_expiry={
            "expiryType": "RELATIVE",
            "relativeExpirytype": "DAYS",
            "value": 10**18,
        },
        benefits=[{"benefitType": "COUPON", "seriesId": 2**70}],
    )
    with pytest.raises(TypeError, match="64-bit"):  # every list failed while rendering (a 500)
        api.get("badgeMeta")

    clamp.clamp_definitions(apps, None)

    status, envelope = api.get(f"badgeMeta/{badge['id']}")
    assert status == 200, envelope
    answered = envelope["data"]
    assert answered["customerConstraints"][0]["maxEarnLimit"] == MAX_COUNT
    assert answered["badgeConstraints"][0] == {
        "constraintType": "BADGE_ROLLING_WINDOW",
        "rollType": "MONTHS",
        "rollValue": 1_200,
        "maxEarnLimit": MAX_COUNT,
    }
    assert answered["earnedBadgeExpiry"]["value"] == 36_500
    assert answered["benefits"] == [{"benefitType": "COUPON", "seriesId": MAX_BIGINT}]
    assert api.get("badgeMeta")[0] == 200
