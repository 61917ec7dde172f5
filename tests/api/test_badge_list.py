"""GET badgeMeta: the catalogue's filters, sort orders and paging."""

import pytest

from badges_api.models import BadgeGroup
from tests.factories import badge_body, future

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}


def create(api, **fields):
    status, envelope = api.post("badgeMeta", badge_body(**fields), headers=MIGRATION)
    assert status == 200, envelope
    return envelope["data"]


def names(api, **query) -> list[str]:
    status, envelope = api.get("badgeMeta", **query)
    assert status == 200, envelope
    return [badge["name"] for badge in envelope["data"]["badges"]]


@pytest.fixture
def catalogue(api, org):
    group = BadgeGroup.objects.create(org=org, name="Coffee", rank=1)
    create(
        api,
        name="Upcoming espresso",
        earnType="EARN",
        startOnISO=future(5),
        expiresOnISO=future(50),
        badgeGroupId=group.public_id,
    )
    create(
        api,
        name="Live latte",
        startOnISO=future(-5),
        expiresOnISO=future(50),
        ownership={"restrictedToOwners": ["Loyalty", "Journeys"]},
    )
    create(api, name="Ended mocha", startOnISO=future(-50), expiresOnISO=future(-5), active=True)
    create(
        api,
        name="Live tea",
        earnType="ISSUE_EARN",
        startOnISO=future(-1),
        expiresOnISO=future(10),
        active=False,
        issuedBadgeExpiry={"expiryType": "NEVER"},
        ownership={"restrictedToOwners": ["Audience_Campaigns"]},
    )
    live_latte = api.get("badgeMeta", name="latte")[1]["data"]["badges"][0]
    api.post(f"badgeMeta/{live_latte['id']}/claim", {"ownerType": "Journeys", "referenceId": "j-1"})
    return group


def test_default_list_is_by_id_ten_per_page(api, catalogue):
    status, envelope = api.get("badgeMeta")
    assert envelope["data"]["pagination"] == {"page": 0, "size": 10, "total": 4, "totalPages": 1}
    assert names(api) == ["Upcoming espresso", "Live latte", "Ended mocha", "Live tea"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "LIVE"}, {"Live latte", "Live tea"}),
        ({"status": "UPCOMING"}, {"Upcoming espresso"}),
        ({"status": "ENDED"}, {"Ended mocha"}),
        ({"status": "EXPIRED"}, {"Ended mocha"}),
        ({"status": "LIVE,UPCOMING"}, {"Live latte", "Live tea", "Upcoming espresso"}),
        ({"earnType": "ISSUE_EARN"}, {"Live tea"}),
        ({"badgeType": "EARN"}, {"Upcoming espresso", "Live latte", "Ended mocha"}),
        ({"action": "DE_ACTIVATED"}, {"Live tea"}),
        ({"action": "ACTIVATED"}, {"Upcoming espresso", "Live latte", "Ended mocha"}),
        ({"owner": "Journeys"}, {"Live latte"}),
        ({"owner": "AUDIENCE_CAMPAIGNS"}, {"Live tea"}),
        ({"claimedBy": "Journeys"}, {"Live latte"}),
        ({"unclaimed": "true"}, {"Upcoming espresso", "Ended mocha", "Live tea"}),
        ({"name": "LIVE"}, {"Live latte", "Live tea"}),
        ({"status": "LIVE", "owner": "Loyalty"}, {"Live latte"}),
    ],
)
def test_filters(api, catalogue, query, expected):
    assert set(names(api, **query)) == expected


def test_group_filter(api, catalogue):
    assert names(api, groupId=catalogue.public_id) == ["Upcoming espresso"]


def test_start_and_expiry_filters_take_iso_values(api, catalogue):
    assert set(names(api, startOn=future(-2))) == {"Upcoming espresso", "Live tea"}
    assert set(names(api, expiresOn=future(20))) == {"Ended mocha", "Live tea"}


def test_sort_orders(api, catalogue):
    assert names(api, sortOn="NAME") == [
        "Ended mocha",
        "Live latte",
        "Live tea",
        "Upcoming espresso",
    ]
    assert names(api, sortOn="START_DATE", order="DESC") == [
        "Upcoming espresso",
        "Live tea",
        "Live latte",
        "Ended mocha",
    ]
    assert names(api, sortOn="ID", order="DESC")[0] == "Live tea"


def test_paging(api, catalogue):
    status, envelope = api.get("badgeMeta", limit=3, page=1)
    assert [b["name"] for b in envelope["data"]["badges"]] == ["Live tea"]
    assert envelope["data"]["pagination"] == {"page": 1, "size": 3, "total": 4, "totalPages": 2}
    assert names(api, limit=3, page=9) == []


@pytest.mark.parametrize(
    ("query", "reference"),
    [
        ({"status": "SOMETIME"}, "status"),
        ({"earnType": "X"}, "earnType"),
        ({"sortOn": "COLOUR"}, "sortOn"),
        ({"order": "UP"}, "order"),
        ({"owner": "Martians"}, "owner"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page": "-1"}, "page"),
        ({"startOn": "yesterday"}, "startOn"),
        ({"action": "PAUSED"}, "action"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(api, query, reference):
    status, envelope = api.get("badgeMeta", **query)
    assert status == 400
    assert [e["reference"] for e in envelope["errors"]] == [reference]


def test_another_orgs_badges_are_never_listed(api, other_org_api, catalogue):
    assert other_org_api.get("badgeMeta")[1]["data"]["pagination"]["total"] == 0
    badge_id = api.get("badgeMeta")[1]["data"]["badges"][0]["id"]
    status, envelope = other_org_api.get(f"badgeMeta/{badge_id}")
    assert status == 404
    assert envelope["errors"] == [
        {"code": 404, "message": "Passed badge is not found", "reference": None}
    ]
