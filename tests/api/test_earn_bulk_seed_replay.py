"""The earnBulk page's examples (shared/seeds/000 and 001) replayed against the service.

The page's badge id belongs to Capillary's demo org, so the replay creates an equivalent badge
(live, earned directly, claimed by Loyalty 123457, running since before the example's
2023-11-03 event date) and sends the page's body with that id.
"""

import re

from tests.factories import badge_body, future
from tests.lifecycle import MIGRATION, make_customers
from tests.seeds import seed_json_blocks

HEX24 = re.compile(r"^[0-9a-f]{24}$")


def page_examples():
    request, success, overlapping = seed_json_blocks("000")[:3]
    return request, success, overlapping


def seed_badge(api) -> str:
    body = badge_body(startOnISO="2023-11-01T00:00:00Z", expiresOnISO=future(90))
    badge = api.post("badgeMeta", body, headers=MIGRATION)[1]["data"]
    assert (
        api.post(
            f"badgeMeta/{badge['id']}/claim", {"ownerType": "Loyalty", "referenceId": "123457"}
        )[0]
        == 200
    )
    return badge["id"]


def test_the_page_request_earns_for_both_customers_in_the_page_response_shape(api, org):
    request, success, _ = page_examples()
    make_customers(org, request["customerIds"])
    body = dict(request, badgeMetaId=seed_badge(api))

    status, envelope = api.post("customer/earnBulk", body)

    assert status == 200, envelope
    data = envelope["data"]
    assert envelope["errors"] == [] and envelope["warnings"] == []
    assert set(success["data"]) <= set(data)  # every key of the page's answer is there
    assert data["triggeredBy"] == success["data"]["triggeredBy"] | {"referenceId": "123457"}
    assert data["requestId"] == "1234"
    assert data["earnEventDateISO"] == "2023-11-03T21:51:00.192Z"
    assert [item["customerId"] for item in data["issuedBadges"]] == [62090013, 553162563]
    for item in data["issuedBadges"]:
        assert set(item) == {"customerId", "issuedId", "status"}
        assert HEX24.match(item["issuedId"])
        # The page shows one EXPIRED item from its own history; ours were just earned and run
        # 30 days from processing (relative expiry counts from processing, not the event date).
        assert item["status"] == "LIVE"


def test_the_same_request_id_replays_the_first_answer(api, org):
    request, _, _ = page_examples()
    make_customers(org, request["customerIds"])
    body = dict(request, badgeMetaId=seed_badge(api))
    first = api.post("customer/earnBulk", body)
    assert api.post("customer/earnBulk", body) == first


def test_badge_overlapping_failure_of_the_page(api, org):
    """The page's 'Failure: Badge Overlapping': 1040 inside the item, HTTP 200, errors empty."""
    _, _, overlapping = page_examples()
    expected_error = overlapping["data"]["issuedBadges"][0]["error"]
    make_customers(org, [11115])
    badge_id = seed_badge(api)
    trigger = {"ownerType": "Loyalty", "referenceId": "123457"}
    earned = api.post(
        "customer/earnBulk",
        {"badgeMetaId": badge_id, "customerIds": [11115], "triggeredBy": trigger},
    )[1]

    status, envelope = api.post(
        "customer/earnBulk",
        {
            "badgeMetaId": badge_id,
            "customerIds": [11115],
            "triggeredBy": trigger,
            "requestId": "VGagtK2zN16jkRU56zs1",
        },
    )

    assert status == 200 and envelope["errors"] == []
    item = envelope["data"]["issuedBadges"][0]
    assert item["error"] == expected_error
    assert item["issuedId"] == earned["data"]["issuedBadges"][0]["issuedId"]
    assert envelope["data"]["requestId"] == overlapping["data"]["requestId"]
