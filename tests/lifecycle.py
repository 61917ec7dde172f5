"""Builders for lifecycle tests: customers in bulk, a live claimed badge, earn request bodies."""

from badges_api.models import Customer
from tests.factories import badge_body, future

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}
TRIGGER = {"ownerType": "Loyalty", "referenceId": "626"}


def make_customers(org, ids) -> None:
    Customer.objects.bulk_create(
        [Customer(org=org, customer_id=i, email=f"c{i}@example.com") for i in ids]
    )


def live_badge(api, *, claim=True, **fields) -> dict:
    body = badge_body(startOnISO=future(-10), expiresOnISO=future(100), **fields)
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)
    assert status == 200, envelope
    badge = envelope["data"]
    if claim:
        assert api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)[0] == 200
    return badge


def earn_bulk_body(badge, customer_ids, **extra) -> dict:
    return {
        "badgeMetaId": badge["id"],
        "customerIds": list(customer_ids),
        "triggeredBy": TRIGGER,
    } | extra
