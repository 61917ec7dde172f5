"""A limit of one per customer lets every customer earn once (issue 9: it let only the first).

A customer who never earned the badge weighs nothing against any customer limit, whatever its
kind, and whoever else has earned it already; a customer who did is refused.
"""

import pytest

from badges_api.models import Earn
from tests.lifecycle import TRIGGER, earn_bulk_body, live_badge, make_customers

ONCE = {
    "lifetime": ({"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}, 9101),
    "rolling": (
        {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 7},
        9102,
    ),
    "fixed window": (
        {
            "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
            "durationType": "DAYS",
            "refreshRate": 30,
            "maxEarnLimit": 1,
        },
        9103,
    ),
}


def codes(envelope) -> dict[int, int | None]:
    return {
        item["customerId"]: (item.get("error") or {}).get("code")
        for item in envelope["data"]["issuedBadges"]
    }


def earn_once_badge(api, constraint: dict) -> dict:
    # Earned instances that never expire: the refusal of A's second earn is the limit's, not 1040's
    # (A's first earn is revoked below so A holds nothing live).
    return live_badge(api, customerConstraints=[constraint])


def revoke_every_earn(api, badge, customer_id) -> None:
    for earned_id in Earn.objects.filter(
        badge__public_id=badge["id"], customer__customer_id=customer_id, is_active=True
    ).values_list("public_id", flat=True):
        body = {
            "badgeMetaId": badge["id"],
            "customerId": str(customer_id),
            "earnedBadgeId": earned_id,
        }
        assert api.post("customer/revokeEarn", body)[0] == 200


@pytest.mark.parametrize("kind", ONCE)
def test_every_customer_earns_an_earn_once_badge_once(api, org, kind):
    constraint, refusal = ONCE[kind]
    make_customers(org, [1, 2, 3])
    badge = earn_once_badge(api, constraint)

    assert codes(api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]) == {1: None}
    assert codes(api.post("customer/earnBulk", earn_bulk_body(badge, [2]))[1]) == {2: None}
    status, envelope = api.post(
        "customer/earn",
        {"badgeMetaId": badge["id"], "customerId": "3", "triggeredBy": TRIGGER, "requestId": "c-3"},
    )
    assert status == 200, envelope
    assert Earn.objects.filter(badge__public_id=badge["id"]).count() == 3


@pytest.mark.parametrize("kind", ONCE)
def test_a_customer_who_earned_an_earn_once_badge_is_refused_with_the_limit(api, org, kind):
    constraint, refusal = ONCE[kind]
    make_customers(org, [1, 2])
    badge = earn_once_badge(api, constraint)
    api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2]))
    revoke_every_earn(api, badge, 2)  # a revoked earn no longer counts: 2 may earn again
    Earn.objects.filter(badge__public_id=badge["id"], customer__customer_id=1).update(
        expires_on="2000-01-01T00:00:00Z"
    )

    assert codes(api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2]))[1]) == {
        1: refusal,
        2: None,
    }
    status, envelope = api.post(
        "customer/earn",
        {"badgeMetaId": badge["id"], "customerId": "1", "triggeredBy": TRIGGER, "requestId": "a-2"},
    )
    assert status == 400 and envelope["errors"][0]["code"] == refusal


@pytest.mark.parametrize("kind", ONCE)
def test_many_new_customers_in_one_earn_bulk_each_earn_an_earn_once_badge(api, org, kind):
    constraint, refusal = ONCE[kind]
    make_customers(org, range(1, 8))
    badge = earn_once_badge(api, constraint)
    api.post("customer/earnBulk", earn_bulk_body(badge, [1]))
    Earn.objects.filter(badge__public_id=badge["id"]).update(expires_on="2000-01-01T00:00:00Z")

    envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [2, 3, 1, 4, 5, 99, 6, 7]))[1]
    assert codes(envelope) == {
        2: None,
        3: None,
        1: refusal,
        4: None,
        5: None,
        99: 1026,
        6: None,
        7: None,
    }
    assert envelope["data"]["summary"] == {"requested": 8, "earned": 6, "refused": 2}


def test_the_management_view_counts_nothing_for_a_customer_who_never_earned(api, org):
    make_customers(org, [1, 2])
    badge = earn_once_badge(api, ONCE["lifetime"][0])
    api.post("customer/earnBulk", earn_bulk_body(badge, [1]))

    status, envelope = api.get(f"management/2/badge/{badge['id']}", includeStatistics="true")
    assert status == 200, envelope
    customer_limit = envelope["data"]["earnConstraints"][0]
    assert customer_limit["earnConstraintBlockStatistics"] == {"currentEarnCount": 0}
    assert customer_limit["limitReached"] is False


def test_every_enrolled_customer_earns_an_enrol_first_earn_once_badge_once(api, org):
    make_customers(org, [1, 2, 3])
    badge = live_badge(
        api,
        earnType="ISSUE_EARN",
        customerConstraints=[ONCE["lifetime"][0]],
        issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 30},
    )
    enrolled = api.post(
        "badgeMeta/customer/issueBulk",
        {"badgeMetaId": badge["id"], "customers": [1, 2, 3], "triggeredBy": TRIGGER},
    )
    assert enrolled[0] == 200, enrolled

    assert codes(api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]) == {1: None}
    assert codes(api.post("customer/earnBulk", earn_bulk_body(badge, [2]))[1]) == {2: None}
    status, envelope = api.post(
        "customer/earn",
        {"badgeMetaId": badge["id"], "customerId": "3", "triggeredBy": TRIGGER, "requestId": "e-3"},
    )
    assert status == 200, envelope
