"""Sixteen clients earning the same badge for overlapping customers at once, over real HTTP.

Runs on whichever database the suite runs on (CI runs it on SQLite and on PostgreSQL). The
limits must hold exactly: not one earn beyond any limit, never two live instances per customer.
"""

import base64
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from badges_api import auth
from badges_api.models import Badge, Earn, Org
from badges_api.services import badges as badge_services
from tests.factories import badge_body, future
from tests.lifecycle import TRIGGER, make_customers

CLIENTS = 16
API = "/api_gateway/v1/badges"


def _create_badge(org, client, **fields):
    body = badge_body(startOnISO=future(-3), expiresOnISO=future(30), **fields)
    badge, _ = badge_services.badge_create(org=org, client=client, body=body, migration=True)
    badge_services.badge_claim(org=org, client=client, badge_id=badge.public_id, body=TRIGGER)
    return badge


def _storm(url: str, header: str, badge_id: str, customer_sets: list[list[int]]) -> list[dict]:
    barrier = threading.Barrier(len(customer_sets))

    def send(index: int) -> dict:
        session = requests.Session()
        session.headers["Authorization"] = header
        body = {
            "badgeMetaId": badge_id,
            "customerIds": customer_sets[index],
            "triggeredBy": TRIGGER,
            "requestId": f"storm-{index}",
        }
        barrier.wait()
        response = session.post(f"{url}{API}/customer/earnBulk", json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    with ThreadPoolExecutor(max_workers=len(customer_sets)) as pool:
        return list(pool.map(send, range(len(customer_sets))))


@pytest.fixture
def storm_setup(transactional_db):
    org = Org.objects.create(id=100458, name="Storm")
    client, password = auth.api_client_create(org=org, username="storm", password="storm-pass")
    header = "Basic " + base64.b64encode(b"storm:storm-pass").decode()
    make_customers(org, range(1, 121))
    return org, client, header


def _granted(answers: list[dict]) -> list[int]:
    return [
        item["customerId"]
        for answer in answers
        for item in answer["data"]["issuedBadges"]
        if "error" not in item
    ]


def test_sixteen_clients_never_exceed_the_badge_limit_nor_double_earn(live_server, storm_setup):
    org, client, header = storm_setup
    badge = _create_badge(
        org,
        client,
        badgeConstraints=[
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 50},
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 45,
            },
        ],
        customerConstraints=[
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 1,
                "rollForDays": 7,
            }
        ],
    )
    rng = random.Random(7)
    customer_sets = [rng.sample(range(1, 121), 30) for _ in range(CLIENTS)]

    answers = _storm(live_server.url, header, badge.public_id, customer_sets)

    granted = _granted(answers)
    rows = list(Earn.objects.filter(badge=badge).values_list("customer__customer_id", flat=True))
    assert (
        len(granted) == len(rows) == 45
    )  # demand (>100 distinct customers) exceeds the tighter limit
    assert len(set(rows)) == len(rows)  # nobody holds two instances
    assert sorted(granted) == sorted(rows)
    assert Badge.objects.get(pk=badge.pk).earned_count == 45
    refusals = {
        item["error"]["code"]
        for answer in answers
        for item in answer["data"]["issuedBadges"]
        if "error" in item
    }
    assert refusals <= {1040, 9112}


def test_sixteen_clients_respect_a_fixed_window_and_a_customer_lifetime_limit(
    live_server, storm_setup
):
    org, client, header = storm_setup
    badge = _create_badge(
        org,
        client,
        earnedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 1},
        badgeConstraints=[
            {
                "constraintType": "BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": 1,
                "maxEarnLimit": 37,
            }
        ],
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}],
    )
    customer_sets = [list(range(1 + i * 5, 41 + i * 5)) for i in range(CLIENTS)]  # heavy overlap

    answers = _storm(live_server.url, header, badge.public_id, customer_sets)

    rows = list(Earn.objects.filter(badge=badge).values_list("customer__customer_id", flat=True))
    assert len(rows) == len(_granted(answers)) == 37
    assert len(set(rows)) == 37
