"""Badge groups: POST/GET .../group and PUT/GET .../group/{id} (spec 2.4, 4.8; codes 732, 733)."""

import pytest

from badges_api.models import BadgeGroup
from tests.factories import badge_body


def codes(envelope) -> list[tuple[int, str | None]]:
    return [(error["code"], error["reference"]) for error in envelope["errors"]]


def create_group(api, name: str, rank: int = 1, **extra) -> dict:
    status, envelope = api.post("group", {"name": name, "rank": rank, **extra})
    assert status == 200, envelope
    return envelope["data"]


def test_created_group_carries_every_field(api, org, api_credentials):
    client, _ = api_credentials
    status, envelope = api.post("group", {"name": "Coffee Club", "rank": 2})

    assert status == 200
    assert envelope["errors"] == []
    group = envelope["data"]
    assert len(group["id"]) == 24 and int(group["id"], 16) >= 0
    assert group["orgId"] == org.id
    assert (group["name"], group["rank"], group["isActive"]) == ("Coffee Club", 2, True)
    assert group["createdBy"] == group["lastUpdatedBy"] == client.pk
    for key in ("createdOn", "lastUpdatedOn"):
        assert isinstance(group[key], (int, float))
        assert group[f"{key}ISO"].endswith("Z")
    assert BadgeGroup.objects.filter(org=org, public_id=group["id"]).exists()


def test_group_names_must_be_unique_among_active_groups(api):
    create_group(api, "Coffee Club")

    status, envelope = api.post("group", {"name": "Coffee Club", "rank": 5})

    assert status == 400
    assert codes(envelope) == [(733, "name")]
    assert envelope["errors"][0]["message"] == "Group Name should be Unique"
    assert BadgeGroup.objects.filter(name="Coffee Club").count() == 1


def test_group_names_are_case_sensitive_and_trimmed(api):
    create_group(api, "Coffee Club")

    assert create_group(api, "coffee club")["name"] == "coffee club"
    status, envelope = api.post("group", {"name": "  Coffee Club ", "rank": 1})
    assert (status, codes(envelope)) == (400, [(733, "name")])


@pytest.mark.parametrize(
    "rank",
    [
        pytest.param(..., id="missing"),
        pytest.param(None, id="null"),
        pytest.param("first", id="word"),
        pytest.param(True, id="boolean"),
        pytest.param(1.5, id="fraction"),
        pytest.param(0, id="zero"),
        pytest.param(-3, id="negative"),
        pytest.param(2**31, id="beyond-32-bits"),
        pytest.param([1], id="list"),
    ],
)
def test_group_rank_is_mandatory_and_a_whole_number(api, rank):
    body = {"name": "Coffee Club"} | ({} if rank is ... else {"rank": rank})
    status, envelope = api.post("group", body)

    assert status == 400
    assert codes(envelope) == [(732, "rank")]
    assert envelope["errors"][0]["message"].startswith("Group Rank is Mandatory")
    assert not BadgeGroup.objects.exists()


def test_rank_given_as_digits_or_a_whole_float_is_accepted(api):
    assert create_group(api, "Text rank", rank="3")["rank"] == 3
    assert create_group(api, "Float rank", rank=4.0)["rank"] == 4


def test_ranks_need_not_be_unique(api):
    first = create_group(api, "Coffee Club", rank=1)
    second = create_group(api, "Tea Club", rank=1)

    assert first["rank"] == second["rank"] == 1


def test_every_failing_rule_of_a_group_comes_back_together(api):
    create_group(api, "Coffee Club")

    status, envelope = api.post("group", {"name": "Coffee Club", "rank": "high", "isActive": "yes"})

    assert status == 400
    assert sorted(codes(envelope)) == [(400, "isActive"), (732, "rank"), (733, "name")]


@pytest.mark.parametrize("name", [..., None, "", "   ", 42, ["Coffee"], "x" * 201])
def test_group_name_is_mandatory_text(api, name):
    body = {"rank": 1} | ({} if name is ... else {"name": name})
    status, envelope = api.post("group", body)

    assert status == 400
    assert codes(envelope) == [(400, "name")]


@pytest.mark.parametrize("body", [[{"name": "Coffee", "rank": 1}], "Coffee", 7])
def test_a_body_that_is_not_an_object_is_refused(api, body):
    status, envelope = api.post("group", body)

    assert status == 400
    assert envelope["data"] is None and envelope["errors"][0]["code"] == 400


def test_malformed_json_is_a_400_envelope(api):
    status, envelope = api.post("group", b'{"name": "Coffee", "rank": ')

    assert status == 400
    assert envelope["errors"][0]["code"] == 400
    assert "Malformed JSON" in envelope["errors"][0]["message"]


def test_group_endpoints_need_credentials(client, org):
    response = client.get("/api_gateway/v1/badges/group")

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == 401


def test_group_is_read_back_by_id(api):
    created = create_group(api, "Coffee Club", rank=3)

    status, envelope = api.get(f"group/{created['id']}")

    assert status == 200
    assert envelope["data"] == created


def test_unknown_group_id_is_not_found(api):
    for status, envelope in (
        api.get("group/000000000000000000000000"),
        api.put("group/nope", {"name": "A", "rank": 1}),
    ):
        assert status == 404
        assert envelope["errors"][0]["code"] == 404
        assert envelope["errors"][0]["message"] == "Badge group not found"


def test_another_orgs_group_is_answered_as_absent(api, other_org_api):
    theirs = create_group(other_org_api, "Their Club")

    status, envelope = api.get(f"group/{theirs['id']}")
    assert (status, envelope["errors"][0]["code"]) == (404, 404)

    status, envelope = api.put(f"group/{theirs['id']}", {"name": "Hijacked", "rank": 1})
    assert (status, envelope["errors"][0]["code"]) == (404, 404)
    assert BadgeGroup.objects.get(public_id=theirs["id"]).name == "Their Club"


def test_groups_of_different_orgs_may_share_a_name(api, other_org_api):
    create_group(api, "Coffee Club")

    assert create_group(other_org_api, "Coffee Club")["name"] == "Coffee Club"


def test_update_replaces_name_and_rank(api):
    created = create_group(api, "Coffee Club", rank=1)

    status, envelope = api.put(f"group/{created['id']}", {"name": "Espresso Club", "rank": 7})

    assert status == 200
    updated = envelope["data"]
    assert (updated["id"], updated["name"], updated["rank"], updated["isActive"]) == (
        created["id"],
        "Espresso Club",
        7,
        True,
    )
    assert updated["createdOn"] == created["createdOn"]
    assert updated["lastUpdatedOn"] >= created["lastUpdatedOn"]
    assert api.get(f"group/{created['id']}")[1]["data"]["name"] == "Espresso Club"


def test_update_keeping_its_own_name_is_not_a_duplicate(api):
    created = create_group(api, "Coffee Club", rank=1)

    status, envelope = api.put(f"group/{created['id']}", {"name": "Coffee Club", "rank": 2})

    assert status == 200, envelope
    assert envelope["data"]["rank"] == 2


def test_update_to_another_active_groups_name_is_refused(api):
    create_group(api, "Coffee Club")
    tea = create_group(api, "Tea Club")

    status, envelope = api.put(f"group/{tea['id']}", {"name": "Coffee Club", "rank": 1})

    assert (status, codes(envelope)) == (400, [(733, "name")])
    assert BadgeGroup.objects.get(public_id=tea["id"]).name == "Tea Club"


def test_update_needs_name_and_rank_and_reports_both(api):
    created = create_group(api, "Coffee Club")

    status, envelope = api.put(f"group/{created['id']}", {"isActive": False})

    assert status == 400
    assert sorted(codes(envelope)) == [(400, "name"), (732, "rank")]
    assert BadgeGroup.objects.get(public_id=created["id"]).is_active


def test_disabling_a_group_frees_its_name(api):
    old = create_group(api, "Coffee Club", rank=1)

    status, envelope = api.put(
        f"group/{old['id']}", {"name": "Coffee Club", "rank": 1, "isActive": False}
    )
    assert status == 200
    assert envelope["data"]["isActive"] is False

    new = create_group(api, "Coffee Club", rank=2)
    assert new["id"] != old["id"]
    assert BadgeGroup.objects.filter(name="Coffee Club").count() == 2


def test_re_enabling_a_group_whose_name_was_taken_meanwhile_is_refused(api):
    old = create_group(api, "Coffee Club")
    api.put(f"group/{old['id']}", {"name": "Coffee Club", "rank": 1, "isActive": False})
    create_group(api, "Coffee Club")

    status, envelope = api.put(
        f"group/{old['id']}", {"name": "Coffee Club", "rank": 1, "isActive": True}
    )
    assert (status, codes(envelope)) == (400, [(733, "name")])

    status, envelope = api.put(
        f"group/{old['id']}", {"name": "Old Coffee Club", "rank": 1, "isActive": True}
    )
    assert status == 200
    assert envelope["data"]["isActive"] is True


def test_a_disabled_group_may_be_edited_and_keeps_its_state(api):
    group = create_group(api, "Coffee Club")
    api.put(f"group/{group['id']}", {"name": "Coffee Club", "rank": 1, "isActive": False})

    status, envelope = api.put(f"group/{group['id']}", {"name": "Retired Club", "rank": 9})

    assert status == 200
    assert (envelope["data"]["name"], envelope["data"]["isActive"]) == ("Retired Club", False)


def test_duplicate_names_that_race_past_the_check_are_still_733(api, monkeypatch):
    from badges_api.services import groups

    create_group(api, "Coffee Club")
    monkeypatch.setattr(groups, "_name_taken", lambda *args, **kwargs: False)

    status, envelope = api.post("group", {"name": "Coffee Club", "rank": 1})

    assert (status, codes(envelope)) == (400, [(733, "name")])
    assert BadgeGroup.objects.filter(name="Coffee Club").count() == 1


def test_disabled_group_keeps_its_badges_but_takes_no_new_ones(api):
    group = create_group(api, "Coffee Club")
    status, created = api.post("badgeMeta", badge_body(badgeGroupId=group["id"], badgeRank=1))
    assert status == 200, created

    api.put(f"group/{group['id']}", {"name": "Coffee Club", "rank": 1, "isActive": False})

    assert api.get(f"badgeMeta/{created['data']['id']}")[1]["data"]["badgeGroupId"] == group["id"]
    status, envelope = api.post("badgeMeta", badge_body(badgeGroupId=group["id"]))
    assert (status, codes(envelope)) == (400, [(9005, "badgeGroupId")])


# --- the list ---------------------------------------------------------------------------------


def names(envelope) -> list[str]:
    return [group["name"] for group in envelope["data"]["badgeGroups"]]


def test_list_orders_groups_by_rank_then_creation(api):
    for name, rank in (("Gold", 3), ("Bronze", 1), ("Silver", 2), ("Copper", 1)):
        create_group(api, name, rank=rank)

    assert names(api.get("group")[1]) == ["Bronze", "Copper", "Silver", "Gold"]
    assert names(api.get("group", order="ASC")[1]) == ["Bronze", "Copper", "Silver", "Gold"]
    assert names(api.get("group", order="desc")[1]) == ["Gold", "Silver", "Copper", "Bronze"]


def test_list_pages_from_zero_with_a_pagination_block(api):
    for rank in range(1, 6):
        create_group(api, f"Group {rank}", rank=rank)

    status, envelope = api.get("group", size=2, page=0)
    assert status == 200
    assert names(envelope) == ["Group 1", "Group 2"]
    assert envelope["data"]["pagination"] == {"page": 0, "size": 2, "total": 5, "totalPages": 3}

    assert names(api.get("group", size=2, page=2)[1]) == ["Group 5"]
    assert names(api.get("group", size=2, page=3)[1]) == []
    assert api.get("group")[1]["data"]["pagination"] == {
        "page": 0,
        "size": 10,
        "total": 5,
        "totalPages": 1,
    }


def test_list_shows_active_groups_unless_asked_for_disabled_ones(api):
    create_group(api, "Live Club")
    old = create_group(api, "Old Club")
    api.put(f"group/{old['id']}", {"name": "Old Club", "rank": 1, "isActive": False})

    assert names(api.get("group")[1]) == ["Live Club"]
    assert names(api.get("group", isActive="true")[1]) == ["Live Club"]
    assert names(api.get("group", isActive="false")[1]) == ["Old Club"]
    assert names(api.get("group", status="FALSE")[1]) == ["Old Club"]


def test_list_shows_only_the_callers_groups(api, other_org_api):
    create_group(api, "Ours")
    create_group(other_org_api, "Theirs")

    assert names(api.get("group")[1]) == ["Ours"]
    assert names(other_org_api.get("group")[1]) == ["Theirs"]


def test_list_refuses_bad_parameters_all_at_once(api):
    status, envelope = api.get("group", order="UP", isActive="maybe", size="ten", page=-1)

    assert status == 400
    assert sorted(codes(envelope)) == [
        (400, "isActive"),
        (400, "order"),
        (400, "page"),
        (400, "size"),
    ]
    messages = {error["reference"]: error["message"] for error in envelope["errors"]}
    assert "ASC, DESC" in messages["order"]
    assert "true, false" in messages["isActive"]
