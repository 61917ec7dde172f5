"""POST customer/earnBulk: many customers in one request, each answered on its own."""

from badges_api.models import Badge, Earn
from tests.lifecycle import TRIGGER, earn_bulk_body, live_badge, make_customers


def errors_by_customer(envelope) -> dict[int, int | None]:
    return {
        item["customerId"]: (item.get("error") or {}).get("code")
        for item in envelope["data"]["issuedBadges"]
    }


def test_every_known_customer_earns_and_unknown_ones_get_1026(api, org):
    make_customers(org, [1, 2, 3])
    badge = live_badge(api)
    status, envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2, 3, 99]))

    assert status == 200, envelope
    assert errors_by_customer(envelope) == {1: None, 2: None, 3: None, 99: 1026}
    granted = [item for item in envelope["data"]["issuedBadges"] if "error" not in item]
    assert all(item["status"] == "LIVE" and len(item["issuedId"]) == 24 for item in granted)
    assert envelope["data"]["summary"] == {"requested": 4, "earned": 3, "refused": 1}
    assert Earn.objects.filter(badge__public_id=badge["id"]).count() == 3
    assert Badge.objects.get(public_id=badge["id"]).earned_count == 3
    assert not Earn.objects.filter(customer__customer_id=99).exists()


def test_a_customer_holds_one_active_instance_1040(api, org):
    make_customers(org, [1, 2])
    badge = live_badge(api)
    first = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]
    earned_id = first["data"]["issuedBadges"][0]["issuedId"]

    status, envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2, 2]))
    items = envelope["data"]["issuedBadges"]
    assert items[0]["error"]["code"] == 1040 and items[0]["issuedId"] == earned_id
    assert "error" not in items[1]
    assert items[2]["error"]["code"] == 1040 and items[2]["issuedId"] == items[1]["issuedId"]
    assert Earn.objects.filter(badge__public_id=badge["id"]).count() == 2


def test_customer_lifetime_limit(api, org):
    make_customers(org, [1])
    badge = live_badge(
        api,
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}],
        earnedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 1},
    )
    api.post("customer/earnBulk", earn_bulk_body(badge, [1]))
    Earn.objects.update(expires_on="2000-01-01T00:00:00Z")  # the first one has expired
    envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]
    assert errors_by_customer(envelope) == {1: 9101}


def test_badge_total_limit_fills_in_request_order(api, org):
    make_customers(org, range(1, 11))
    badge = live_badge(
        api, badgeConstraints=[{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 4}]
    )
    envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [5, 4, 3, 2, 1, 6]))[1]
    assert errors_by_customer(envelope) == {5: None, 4: None, 3: None, 2: None, 1: 9111, 6: 9111}
    assert "at most 4 in total" in envelope["data"]["issuedBadges"][4]["error"]["message"]


def test_whole_request_refusals(api, org):
    make_customers(org, [1])
    unclaimed = live_badge(api, claim=False)
    status, envelope = api.post("customer/earnBulk", earn_bulk_body(unclaimed, [1]))
    assert status == 400 and envelope["errors"][0]["code"] == 810

    badge = live_badge(api)
    api.put(f"badgeMeta/{badge['id']}/deactivate")
    assert api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]["errors"][0]["code"] == 815
    assert (
        api.post("customer/earnBulk", {"badgeMetaId": badge["id"], "triggeredBy": TRIGGER})[1][
            "errors"
        ][0]["code"]
        == 812
    )


def test_same_request_id_replays_and_a_different_body_is_809(api, org):
    make_customers(org, [1, 2])
    badge = live_badge(api)
    body = earn_bulk_body(badge, [1], requestId="req-1")
    first = api.post("customer/earnBulk", body)
    again = api.post("customer/earnBulk", body)
    assert first == again
    assert Earn.objects.count() == 1
    status, envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [2], requestId="req-1"))
    assert status == 400 and envelope["errors"][0]["code"] == 809


def test_request_id_is_generated_when_absent(api, org):
    make_customers(org, [1])
    badge = live_badge(api)
    envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]
    assert len(envelope["data"]["requestId"]) == 32


def test_each_customer_is_refused_by_the_first_of_its_limits_that_is_full(api, org):
    make_customers(org, [1, 2, 3])
    badge = live_badge(
        api,
        customerConstraints=[
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 1,
                "rollForDays": 7,
            },
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 2},
        ],
    )
    api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2]))
    Earn.objects.update(expires_on="2000-01-01T00:00:00Z")  # free to earn again, limits permitting
    Earn.objects.filter(customer__customer_id=2).update(
        earned_on="2000-01-01T00:00:00Z"
    )  # outside the 7 days

    envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2, 3]))[1]
    assert errors_by_customer(envelope) == {1: 9102, 2: None, 3: None}
    assert (
        envelope["data"]["issuedBadges"][0]["error"]["message"]
        == "Earn limit reached: at most 1 in any 7 days for this customer"
    )

    Earn.objects.update(expires_on="2000-01-01T00:00:00Z", earned_on="2000-01-01T00:00:00Z")
    envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [2, 3]))[1]
    assert errors_by_customer(envelope) == {2: 9101, 3: None}
    assert "at most 2 in total" in envelope["data"]["issuedBadges"][0]["error"]["message"]
