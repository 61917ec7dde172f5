"""Hostile variations of valid definitions: never a 500, never a half-saved or unreadable object.

Each case takes a full, valid badge (every constraint kind, benefits, images, tags, custom
fields), group or custom field body and swaps some values for hostile ones (numbers past 64 bits,
non-ASCII digits, NULs, dates at the edges of time, wrong types) or drops keys. Whatever the
service answers must be a 200 or a 4xx; after a 4xx every table holds what it held before, and
after a 200 the badge reads back alone and in the list. A fixed seed keeps `make test` repeatable;
`BADGES_MUTATION_CASES=5000` runs a longer search.
"""

import json
import os
import random

import pytest
from django.apps import apps

from tests.factories import badge_body

CASES = int(os.environ.get("BADGES_MUTATION_CASES", "40"))

HOSTILE = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    2**63,
    2**64,
    2**70,
    1e30,
    -1e30,
    1.5,
    1e308,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t",
    "²",
    "٣",
    "１２",
    "--5",
    "1e400",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00",
    "javascript:alert(1)",
    [],
    {},
    [1],
    {"a": 1},
    "x" * 5000,
    "DAYS",
    "MONTHS",
    "RELATIVE",
    "NEVER",
    36_500,
    1_200,
]

FULL_BADGE = {
    "earnType": "ISSUE_EARN",
    "issuedBadgeExpiry": {
        "expiryType": "ABSOLUTE",
        "type": "FIXED_DATE",
        "expiresOnISO": "2030-01-01T00:00:00Z",
    },
    "customerConstraints": [
        {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 2},
        {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 7},
        {
            "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
            "durationType": "DAYS",
            "refreshRate": 3,
            "maxEarnLimit": 1,
            "referenceId": "r-1",
        },
    ],
    "badgeConstraints": [
        {
            "constraintType": "BADGE_ROLLING_WINDOW",
            "rollType": "WEEKS",
            "rollValue": 2,
            "maxEarnLimit": 5,
        },
        {
            "constraintType": "BADGE_FIXED_WINDOW",
            "durationType": "WEEKS",
            "startDayOfTheWeek": "TUESDAY",
            "maxEarnLimit": 5,
        },
    ],
    "images": [
        {"name": "n", "url": "https://cdn.example/a.png", "tag": "EARNED", "fileSvcHandle": "h"}
    ],
    "benefits": [
        {
            "benefitType": "LOYALTY_POINTS",
            "programId": 1,
            "promotionId": 2,
            "allocationStrategyId": 3,
            "expirationStrategyId": 4,
            "points": 5,
            "defaultTillId": 6,
        },
        {"benefitType": "COUPON", "seriesId": 7},
    ],
    "tags": [{"name": "t", "value": "v"}],
    "customFields": {"Level": 3, "Note": "x", "When": "2026-01-01", "Flag": True},
    "badgeRank": 3,
}
CUSTOM_FIELDS = {"Level": "INTEGER", "Note": "STRING", "When": "DATE", "Flag": "BOOLEAN"}


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("badges_api").get_models()
    }


def mutate(rng: random.Random, value, rate: float, depth: int = 0):
    """Each key of each object: swapped for a hostile value, dropped, or mutated further."""
    if isinstance(value, dict) and depth < 4:
        mutated = {}
        for key, item in value.items():
            roll = rng.random()
            if roll < rate:
                mutated[key] = rng.choice(HOSTILE)
            elif roll >= rate * 1.2:
                mutated[key] = mutate(rng, item, rate, depth + 1)
        return mutated
    if isinstance(value, list) and depth < 4:
        return [mutate(rng, item, rate, depth + 1) for item in value]
    return value


def send(api, method: str, path: str, body) -> tuple[int, dict]:
    """Python's json writes integers past 64 bits, as a hostile client would."""
    before = row_counts()
    status, envelope = api.call(method, path, json.dumps(body))
    assert status < 500, (body, envelope)
    if status != 200:
        assert row_counts() == before, body
    return status, envelope


@pytest.mark.parametrize("case", range(CASES))
def test_mutated_definitions_are_refused_or_stored_readable(api, case):
    for name, data_type in CUSTOM_FIELDS.items():
        api.post("customField", {"name": name, "dataType": data_type})
    rng = random.Random(case)
    rate = rng.choice([0.01, 0.03, 0.15])

    status, envelope = send(api, "POST", "badgeMeta", mutate(rng, badge_body(**FULL_BADGE), rate))
    if status == 200:
        badge_id = envelope["data"]["id"]
        update = mutate(rng, badge_body(**FULL_BADGE), rate) | {"id": badge_id}
        update.pop("name", None)
        send(api, "PUT", "badgeMeta", update)
        assert api.get(f"badgeMeta/{badge_id}")[0] == 200
        status, envelope = api.get("badgeMeta", limit=1000)
        assert status == 200 and badge_id in {badge["id"] for badge in envelope["data"]["badges"]}

    status, envelope = send(
        api, "POST", "group", mutate(rng, {"name": "Coffee", "rank": 1, "isActive": True}, rate)
    )
    if status == 200:
        send(
            api,
            "PUT",
            f"group/{envelope['data']['id']}",
            mutate(rng, {"name": "Tea", "rank": 2, "isActive": False}, rate),
        )

    data_type = rng.choice(list(CUSTOM_FIELDS.values()))
    field = {
        "name": "Extra",
        "dataType": data_type,
        "isMandatory": True,
        "defaultValue": "1",
        "isActive": True,
    }
    status, envelope = send(api, "POST", "customField", mutate(rng, field, rate))
    if status == 200:
        send(
            api,
            "PUT",
            f"customField/{envelope['data']['id']}",
            mutate(rng, {"name": "Other", "isMandatory": False}, rate),
        )
