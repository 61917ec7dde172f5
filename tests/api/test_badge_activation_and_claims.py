"""Activating, deactivating, claiming and unclaiming a badge."""

from tests.factories import badge_body, future

MIGRATION = {"X-CAP-BADGES-MIGRATION": "migration"}


def codes(envelope):
    return [(error["code"], error["reference"]) for error in envelope["errors"]]


def create(api, **fields):
    status, envelope = api.post("badgeMeta", badge_body(**fields), headers=MIGRATION)
    assert status == 200, envelope
    return envelope["data"]


def test_deactivate_then_activate(api):
    badge = create(api)
    status, envelope = api.put(f"badgeMeta/{badge['id']}/deactivate")
    assert status == 200
    assert envelope["data"] == {"id": badge["id"], "isActive": False}
    assert api.get(f"badgeMeta/{badge['id']}")[1]["data"]["active"] is False

    status, envelope = api.put(f"badgeMeta/{badge['id']}/activate", {"active": True})
    assert envelope["data"] == {"id": badge["id"], "isActive": True}


def test_unknown_activation_word_is_an_invalid_enum(api):
    badge = create(api)
    status, envelope = api.put(f"badgeMeta/{badge['id']}/pause")
    assert status == 400
    assert codes(envelope) == [(400, "activationStatus")]


def test_ended_badge_cannot_be_deactivated_but_stays_active(api):
    badge = create(api, startOnISO=future(-30), expiresOnISO=future(-1))
    assert badge["status"] == "EXPIRED"
    status, envelope = api.put(f"badgeMeta/{badge['id']}/deactivate")
    assert codes(envelope) == [(9002, None)]


def test_claim_is_listed_on_the_badge_and_is_idempotent(api):
    badge = create(api, ownership={"restrictedToOwners": ["Loyalty", "Journeys"]})
    claim = {"ownerType": "Loyalty", "referenceId": "469_TransactionAdd"}
    status, envelope = api.post(f"badgeMeta/{badge['id']}/claim", claim)
    assert status == 200
    assert envelope["data"] == {
        "badgeMetaId": badge["id"],
        "ownerType": "Loyalty",
        "referenceId": "469_TransactionAdd",
        "isActive": True,
    }
    assert api.post(f"badgeMeta/{badge['id']}/claim", claim)[0] == 200

    claims = api.get(f"badgeMeta/{badge['id']}")[1]["data"]["ownership"]["claims"]
    assert claims == [
        {"ownerType": "Loyalty", "referenceId": "469_TransactionAdd", "isActive": True}
    ]


def test_claim_errors(api):
    badge = create(api, ownership={"restrictedToOwners": ["Loyalty"]})
    path = f"badgeMeta/{badge['id']}/claim"
    assert codes(api.post(path, {"referenceId": "1"})[1]) == [(716, "ownerType")]
    assert codes(api.post(path, {"ownerType": "Loyalty"})[1]) == [(717, "referenceId")]
    assert codes(api.post(path, {"ownerType": "Martians", "referenceId": "1"})[1]) == [
        (400, "ownerType")
    ]
    assert codes(api.post(path, {"ownerType": "Journeys", "referenceId": "1"})[1]) == [
        (714, "ownerType")
    ]
    assert (
        api.post("badgeMeta/" + "f" * 24 + "/claim", {"ownerType": "Loyalty", "referenceId": "1"})[
            0
        ]
        == 404
    )


def test_deactivated_badge_cannot_be_claimed(api):
    badge = create(api)
    api.put(f"badgeMeta/{badge['id']}/deactivate")
    status, envelope = api.post(
        f"badgeMeta/{badge['id']}/claim", {"ownerType": "Loyalty", "referenceId": "1"}
    )
    assert codes(envelope) == [(9003, None)]


def test_unclaim_soft_deletes_and_a_missing_claim_is_737(api):
    badge = create(api)
    claim = {"ownerType": "Loyalty", "referenceId": "626"}
    api.post(f"badgeMeta/{badge['id']}/claim", claim)

    status, envelope = api.post(f"badgeMeta/{badge['id']}/unclaim", claim)
    assert status == 200
    assert envelope["data"]["isActive"] is False
    claims = api.get(f"badgeMeta/{badge['id']}")[1]["data"]["ownership"]["claims"]
    assert claims == [{"ownerType": "Loyalty", "referenceId": "626", "isActive": False}]

    status, envelope = api.post(f"badgeMeta/{badge['id']}/unclaim", claim)
    assert status == 404 and codes(envelope) == [(737, "referenceId")]

    # claiming again after an unclaim makes a new active claim
    assert api.post(f"badgeMeta/{badge['id']}/claim", claim)[1]["data"]["isActive"] is True
