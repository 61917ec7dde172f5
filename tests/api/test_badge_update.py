"""PUT badgeMeta: what may change, and what a live badge protects."""

from tests.factories import badge_body, future

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}
WEEKLY = {
    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
    "durationType": "WEEKS",
    "startDayOfTheWeek": "MONDAY",
    "maxEarnLimit": 1,
}
FIXED_VALUE = {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 5}
ROLLING = {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 1, "rollForDays": 7}


def codes(envelope):
    return [(error["code"], error["reference"]) for error in envelope["errors"]]


def create(api, *, live=False, **fields):
    body = badge_body(**fields)
    if live:
        body["startOnISO"] = future(-2)
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION if live else None)
    assert status == 200, envelope
    return envelope["data"]


def test_update_replaces_the_fields_it_carries_and_keeps_the_rest(api):
    badge = create(api, description="before", tags=[{"name": "tier", "value": "gold"}])
    status, envelope = api.put(
        "badgeMeta", {"id": badge["id"], "description": "after", "badgeRank": 4}
    )

    assert status == 200, envelope
    updated = envelope["data"]
    assert updated["description"] == "after" and updated["badgeRank"] == 4
    assert updated["name"] == badge["name"] and updated["tags"] == badge["tags"]
    assert updated["lastUpdatedOn"] >= badge["lastUpdatedOn"]
    assert api.get(f"badgeMeta/{badge['id']}")[1]["data"]["description"] == "after"


def test_update_without_id_is_400_and_unknown_id_is_404(api, other_org_api):
    assert codes(api.put("badgeMeta", {"name": "x"})[1]) == [(400, "id")]
    status, envelope = api.put("badgeMeta", {"id": "0" * 24, "name": "x"})
    assert status == 404 and codes(envelope) == [(404, None)]

    badge = create(api)
    status, _ = other_org_api.put("badgeMeta", {"id": badge["id"], "name": "stolen"})
    assert status == 404


def test_upcoming_badge_may_move_its_start_even_into_the_past(api):
    badge = create(api)
    status, envelope = api.put("badgeMeta", {"id": badge["id"], "startOnISO": future(-1)})
    assert status == 200, envelope
    assert envelope["data"]["status"] == "LIVE"


def test_live_badge_start_date_is_locked_723_but_its_end_may_move(api):
    badge = create(api, live=True)
    status, envelope = api.put("badgeMeta", {"id": badge["id"], "startOnISO": future(-5)})
    assert codes(envelope) == [(723, "startOn")]

    status, envelope = api.put(
        "badgeMeta", {"id": badge["id"], "startOn": badge["startOn"], "expiresOnISO": future(90)}
    )
    assert status == 200, envelope


def test_end_before_start_is_720_and_a_past_end_is_724(api):
    badge = create(api, live=True)
    assert (720, "expiresOn") in codes(
        api.put("badgeMeta", {"id": badge["id"], "expiresOnISO": future(-3)})[1]
    )
    assert codes(api.put("badgeMeta", {"id": badge["id"], "expiresOnISO": future(-1)})[1]) == [
        (724, "expiresOn")
    ]


def test_live_badge_cannot_switch_between_fixed_windows_and_other_limits_826(api):
    windowed = create(api, live=True, customerConstraints=[WEEKLY])
    status, envelope = api.put(
        "badgeMeta", {"id": windowed["id"], "customerConstraints": [FIXED_VALUE]}
    )
    assert codes(envelope) == [(826, "customerConstraints")]

    valued = create(api, live=True, customerConstraints=[FIXED_VALUE])
    status, envelope = api.put("badgeMeta", {"id": valued["id"], "customerConstraints": [WEEKLY]})
    assert codes(envelope) == [(826, "customerConstraints")]

    # rolling window <-> fixed value is allowed
    status, envelope = api.put("badgeMeta", {"id": valued["id"], "customerConstraints": [ROLLING]})
    assert status == 200, envelope


def test_upcoming_badge_may_switch_limit_kinds(api):
    badge = create(api, customerConstraints=[FIXED_VALUE])
    status, envelope = api.put("badgeMeta", {"id": badge["id"], "customerConstraints": [WEEKLY]})
    assert status == 200


def test_window_keeps_its_reference_id_when_only_the_limit_changes(api):
    badge = create(api, live=True, customerConstraints=[WEEKLY])
    reference = badge["customerConstraints"][0]["referenceId"]

    raised = dict(WEEKLY, maxEarnLimit=3)
    envelope = api.put("badgeMeta", {"id": badge["id"], "customerConstraints": [raised]})[1]
    assert envelope["data"]["customerConstraints"][0]["referenceId"] == reference
    assert envelope["data"]["customerConstraints"][0]["maxEarnLimit"] == 3

    moved = dict(WEEKLY, startDayOfTheWeek="SUNDAY")
    envelope = api.put("badgeMeta", {"id": badge["id"], "customerConstraints": [moved]})[1]
    assert envelope["data"]["customerConstraints"][0]["referenceId"] != reference


def test_owner_with_an_active_claim_cannot_be_removed(api):
    badge = create(api, ownership={"restrictedToOwners": ["Loyalty", "Journeys"]})
    assert (
        api.post(f"badgeMeta/{badge['id']}/claim", {"ownerType": "Loyalty", "referenceId": "626"})[
            0
        ]
        == 200
    )

    status, envelope = api.put(
        "badgeMeta", {"id": badge["id"], "ownership": {"restrictedToOwners": ["Journeys"]}}
    )
    assert codes(envelope) == [(9001, "ownership.restrictedToOwners")]

    status, envelope = api.put(
        "badgeMeta", {"id": badge["id"], "ownership": {"restrictedToOwners": ["Loyalty"]}}
    )
    assert status == 200
    assert api.get("badgeMeta", owner="Journeys")[1]["data"]["pagination"]["total"] == 0


def test_rename_to_an_existing_name_is_725(api):
    create(api, name="Taken")
    badge = create(api, name="Free")
    assert codes(api.put("badgeMeta", {"id": badge["id"], "name": "Taken"})[1]) == [(725, None)]
    assert (
        api.put("badgeMeta", {"id": badge["id"], "name": "Free"})[0] == 200
    )  # its own name is fine


def test_all_update_errors_come_back_together(api):
    create(api, name="Other")
    badge = create(api, live=True)
    status, envelope = api.put(
        "badgeMeta",
        {
            "id": badge["id"],
            "name": "Other",
            "startOnISO": future(-9),
            "earnType": "NOPE",
            "ownership": {"restrictedToOwners": []},
        },
    )
    assert status == 400
    assert {code for code, _ in codes(envelope)} == {725, 723, 400, 728}
