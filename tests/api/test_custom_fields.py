"""Custom fields: POST/GET .../customField, PUT/GET .../customField/{id} (spec 2.4, 4.9; 9006-9009).

Rules that reach into badges (a mandatory field on every badge, unlinking, renaming) are checked
through the badge API and on the stored rows, since they run as one SQL UPDATE per vendor.
"""

import pytest

from badges_api.models import Badge, CustomField
from tests.factories import badge_body


def codes(envelope) -> list[tuple[int, str | None]]:
    return [(error["code"], error["reference"]) for error in envelope["errors"]]


def create_field(api, name: str, data_type: str = "STRING", **extra) -> dict:
    status, envelope = api.post("customField", {"name": name, "dataType": data_type, **extra})
    assert status == 200, envelope
    return envelope["data"]


def update_field(api, field: dict, **changes) -> tuple[int, dict]:
    body = {"name": field["name"]} | changes
    return api.put(f"customField/{field['id']}", body)


def create_badge(api, **custom_fields) -> str:
    status, envelope = api.post("badgeMeta", badge_body(customFields=custom_fields))
    assert status == 200, envelope
    return envelope["data"]["id"]


def badge_fields(api, badge_id: str) -> dict:
    status, envelope = api.get(f"badgeMeta/{badge_id}")
    assert status == 200, envelope
    return envelope["data"]["customFields"]


# --- create -----------------------------------------------------------------------------------


def test_created_field_carries_every_field(api, org, api_credentials):
    client, _ = api_credentials
    status, envelope = api.post("customField", {"name": "Terms", "dataType": "STRING"})

    assert status == 200
    field = envelope["data"]
    assert len(field["id"]) == 24
    assert field["orgId"] == org.id
    assert (
        field["name"],
        field["dataType"],
        field["isMandatory"],
        field["defaultValue"],
        field["isActive"],
    ) == (
        "Terms",
        "STRING",
        False,
        None,
        True,
    )
    assert field["createdBy"] == field["lastUpdatedBy"] == client.pk
    for key in ("createdOn", "lastUpdatedOn"):
        assert isinstance(field[key], (int, float))
        assert field[f"{key}ISO"].endswith("Z")
    assert CustomField.objects.filter(org=org, public_id=field["id"]).exists()


def test_data_type_is_read_in_any_case(api):
    assert create_field(api, "Tier", "integer")["dataType"] == "INTEGER"


@pytest.mark.parametrize("data_type", ["NUMBER", "", 3, ["STRING"]])
def test_unknown_data_type_lists_the_allowed_values(api, data_type):
    status, envelope = api.post("customField", {"name": "Tier", "dataType": data_type})

    assert status == 400
    assert codes(envelope) == [(400, "dataType")]
    assert "INTEGER, BOOLEAN, DATE, STRING" in envelope["errors"][0]["message"]


def test_data_type_is_mandatory(api):
    status, envelope = api.post("customField", {"name": "Tier"})

    assert (status, codes(envelope)) == (400, [(400, "dataType")])
    assert "INTEGER, BOOLEAN, DATE, STRING" in envelope["errors"][0]["message"]


@pytest.mark.parametrize("name", [..., None, "", "  ", 7, {"a": 1}, "x" * 201])
def test_field_name_is_mandatory_text(api, name):
    body = {"dataType": "STRING"} | ({} if name is ... else {"name": name})
    status, envelope = api.post("customField", body)

    assert (status, codes(envelope)) == (400, [(400, "name")])


def test_only_one_active_field_per_name(api):
    create_field(api, "Terms")

    status, envelope = api.post("customField", {"name": "Terms", "dataType": "INTEGER"})

    assert (status, codes(envelope)) == (400, [(9007, "name")])
    assert CustomField.objects.filter(name="Terms").count() == 1


def test_field_names_are_case_sensitive(api):
    create_field(api, "Terms")

    assert create_field(api, "terms")["name"] == "terms"


def test_a_disabled_fields_name_can_be_reused(api):
    old = create_field(api, "Terms")
    update_field(api, old, isActive=False)

    new = create_field(api, "Terms", "INTEGER")

    assert new["id"] != old["id"] and new["dataType"] == "INTEGER"


def test_fields_of_different_orgs_may_share_a_name(api, other_org_api):
    create_field(api, "Terms")

    assert create_field(other_org_api, "Terms")["name"] == "Terms"


def test_an_org_may_have_any_number_of_fields(api):
    for number in range(60):
        create_field(api, f"Field {number}")

    assert api.get("customField")[1]["data"]["pagination"]["total"] == 60


def test_a_mandatory_field_needs_a_default(api):
    for body in ({"isMandatory": True}, {"isMandatory": True, "defaultValue": None}):
        status, envelope = api.post("customField", {"name": "Terms", "dataType": "STRING", **body})
        assert (status, codes(envelope)) == (400, [(400, "defaultValue")])
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    ("data_type", "given", "stored"),
    [
        ("STRING", "T&C apply", "T&C apply"),
        ("STRING", 42, "42"),
        ("INTEGER", 5, "5"),
        ("INTEGER", "12", "12"),
        ("INTEGER", 7.0, "7"),
        ("BOOLEAN", True, "true"),
        ("BOOLEAN", "FALSE", "false"),
        ("DATE", "2030-01-02", "2030-01-02"),
        ("DATE", "2030-01-02T10:00:00Z", "2030-01-02"),
    ],
)
def test_default_is_stored_as_text_of_its_type(api, data_type, given, stored):
    field = create_field(api, "Field", data_type, isMandatory=True, defaultValue=given)

    assert field["defaultValue"] == stored


@pytest.mark.parametrize(
    ("data_type", "given"),
    [
        ("INTEGER", "abc"),
        ("INTEGER", 1.5),
        ("INTEGER", True),
        ("BOOLEAN", "maybe"),
        ("DATE", "soon"),
        ("STRING", {"a": 1}),
        ("STRING", ["a"]),
        ("STRING", "x" * 1001),
    ],
)
def test_default_that_does_not_fit_the_type_is_refused(api, data_type, given):
    status, envelope = api.post(
        "customField", {"name": "Field", "dataType": data_type, "defaultValue": given}
    )

    assert (status, codes(envelope)) == (400, [(400, "defaultValue")])


def test_an_optional_field_may_carry_a_default(api):
    field = create_field(api, "Tier", "INTEGER", defaultValue=1)

    assert (field["isMandatory"], field["defaultValue"]) == (False, "1")


def test_every_failing_rule_of_a_field_comes_back_together(api):
    create_field(api, "Terms")

    status, envelope = api.post(
        "customField",
        {
            "name": "Terms",
            "dataType": "STRING",
            "isMandatory": "yes",
            "isActive": 1,
            "defaultValue": {},
        },
    )

    assert status == 400
    assert sorted(codes(envelope)) == [
        (400, "defaultValue"),
        (400, "isActive"),
        (400, "isMandatory"),
        (9007, "name"),
    ]


@pytest.mark.parametrize("body", [[{"name": "Terms"}], "Terms"])
def test_a_field_body_that_is_not_an_object_is_refused(api, body):
    status, envelope = api.post("customField", body)

    assert status == 400
    assert envelope["errors"][0]["code"] == 400


def test_duplicate_field_names_that_race_past_the_check_are_still_9007(api, monkeypatch):
    from badges_api.services import custom_fields

    create_field(api, "Terms")
    monkeypatch.setattr(custom_fields, "_name_taken", lambda *args, **kwargs: False)

    status, envelope = api.post("customField", {"name": "Terms", "dataType": "STRING"})

    assert (status, codes(envelope)) == (400, [(9007, "name")])
    assert CustomField.objects.filter(name="Terms").count() == 1


# --- read -------------------------------------------------------------------------------------


def test_field_is_read_back_by_id(api):
    created = create_field(api, "Tier", "INTEGER", isMandatory=True, defaultValue=1)

    status, envelope = api.get(f"customField/{created['id']}")

    assert (status, envelope["data"]) == (200, created)


def test_unknown_field_id_is_not_found(api):
    for status, envelope in (
        api.get("customField/000000000000000000000000"),
        api.put("customField/nope", {"name": "A"}),
    ):
        assert status == 404
        assert envelope["errors"][0]["code"] == 404
        assert envelope["errors"][0]["message"] == "Custom field not found"


def test_another_orgs_field_is_answered_as_absent(api, other_org_api):
    theirs = create_field(other_org_api, "Terms")

    assert api.get(f"customField/{theirs['id']}")[0] == 404
    status, envelope = api.put(
        f"customField/{theirs['id']}", {"name": "Hijacked", "isActive": False}
    )
    assert (status, envelope["errors"][0]["code"]) == (404, 404)
    assert CustomField.objects.get(public_id=theirs["id"]).is_active


# --- update -----------------------------------------------------------------------------------


def test_update_changes_what_the_body_carries_and_keeps_the_rest(api):
    field = create_field(api, "Tier", "INTEGER", defaultValue=1)

    status, envelope = update_field(api, field, name="Level", defaultValue="2")

    assert status == 200, envelope
    updated = envelope["data"]
    assert (updated["id"], updated["name"], updated["defaultValue"]) == (field["id"], "Level", "2")
    assert (updated["dataType"], updated["isMandatory"], updated["isActive"]) == (
        "INTEGER",
        False,
        True,
    )
    assert updated["createdOn"] == field["createdOn"]


def test_update_needs_a_name(api):
    field = create_field(api, "Tier", "INTEGER")

    status, envelope = api.put(f"customField/{field['id']}", {"isMandatory": False})

    assert (status, codes(envelope)) == (400, [(400, "name")])


def test_an_explicit_null_clears_the_default_of_an_optional_field(api):
    field = create_field(api, "Tier", "INTEGER", defaultValue=1)

    status, envelope = update_field(api, field, defaultValue=None)

    assert (status, envelope["data"]["defaultValue"]) == (200, None)


def test_update_checks_the_default_against_the_stored_type(api):
    field = create_field(api, "Tier", "INTEGER")

    status, envelope = update_field(api, field, defaultValue="gold")

    assert (status, codes(envelope)) == (400, [(400, "defaultValue")])


def test_data_type_cannot_change(api):
    field = create_field(api, "Tier", "INTEGER")

    status, envelope = update_field(api, field, dataType="STRING")
    assert (status, codes(envelope)) == (400, [(9008, "dataType")])
    assert CustomField.objects.get(public_id=field["id"]).data_type == "INTEGER"

    assert update_field(api, field, dataType="integer")[0] == 200
    status, envelope = update_field(api, field, dataType="NUMBER")
    assert (status, codes(envelope)) == (400, [(400, "dataType")])


def test_a_disabled_field_cannot_be_re_enabled(api):
    field = create_field(api, "Terms")

    status, envelope = update_field(api, field, isActive=False)
    assert (status, envelope["data"]["isActive"]) == (200, False)

    status, envelope = update_field(api, field, isActive=True)
    assert (status, codes(envelope)) == (400, [(9009, "isActive")])
    assert not CustomField.objects.get(public_id=field["id"]).is_active


def test_mandatory_toggles_both_ways(api):
    field = create_field(api, "Terms", defaultValue="T&C apply")

    status, envelope = update_field(api, field, isMandatory=True)
    assert (status, envelope["data"]["isMandatory"]) == (200, True)
    status, envelope = update_field(api, field, isMandatory=False)
    assert (status, envelope["data"]["isMandatory"]) == (200, False)


def test_making_a_field_mandatory_needs_a_default(api):
    field = create_field(api, "Terms")

    status, envelope = update_field(api, field, isMandatory=True)
    assert (status, codes(envelope)) == (400, [(400, "defaultValue")])

    mandatory = create_field(api, "Region", isMandatory=True, defaultValue="North")
    status, envelope = update_field(api, mandatory, defaultValue=None)
    assert (status, codes(envelope)) == (400, [(400, "defaultValue")])


def test_renaming_onto_another_active_field_is_refused(api):
    create_field(api, "Terms")
    tier = create_field(api, "Tier")

    status, envelope = update_field(api, tier, name="Terms")

    assert (status, codes(envelope)) == (400, [(9007, "name")])


def test_every_failing_rule_of_an_update_comes_back_together(api):
    create_field(api, "Terms")
    tier = create_field(api, "Tier", "INTEGER")
    update_field(api, tier, isActive=False)

    status, envelope = update_field(api, tier, dataType="DATE", isActive=True, isMandatory=True)

    assert status == 400
    assert sorted(codes(envelope)) == [
        (400, "defaultValue"),
        (9008, "dataType"),
        (9009, "isActive"),
    ]


# --- the field on badges ----------------------------------------------------------------------


def test_a_mandatory_default_lands_on_a_badge_that_omits_it(api):
    create_field(api, "Terms", isMandatory=True, defaultValue="T&C apply")
    create_field(api, "Tier", "INTEGER")

    badge_id = create_badge(api, Tier="3")
    other_id = create_badge(api, Terms="Own terms")

    assert badge_fields(api, badge_id) == {"Tier": "3", "Terms": "T&C apply"}
    assert badge_fields(api, other_id) == {"Terms": "Own terms"}


def test_an_unknown_custom_field_on_a_badge_is_refused_with_9006(api):
    create_field(api, "Tier", "INTEGER")
    old = create_field(api, "Retired")
    update_field(api, old, isActive=False)

    status, envelope = api.post(
        "badgeMeta", badge_body(customFields={"Colour": "red", "Retired": "x", "Tier": 1})
    )

    assert status == 400
    assert sorted(codes(envelope)) == [
        (9006, "customFields.Colour"),
        (9006, "customFields.Retired"),
    ]


def test_creating_a_mandatory_field_links_it_to_every_existing_badge(api):
    create_field(api, "Region")
    plain = create_badge(api)
    regional = create_badge(api, Region="North")

    create_field(api, "Terms", isMandatory=True, defaultValue="T&C apply")

    assert badge_fields(api, plain) == {"Terms": "T&C apply"}
    assert badge_fields(api, regional) == {"Region": "North", "Terms": "T&C apply"}


def test_making_a_field_mandatory_fills_badges_that_lack_it_and_keeps_their_own_values(api):
    field = create_field(api, "Terms", defaultValue="T&C apply")
    without = create_badge(api)
    own = create_badge(api, Terms="Own terms")

    update_field(api, field, isMandatory=True)

    assert badge_fields(api, without) == {"Terms": "T&C apply"}
    assert badge_fields(api, own) == {"Terms": "Own terms"}


def test_turning_a_mandatory_field_optional_unlinks_it_from_every_badge_of_the_org(
    api, other_org_api
):
    field = create_field(api, "Terms", isMandatory=True, defaultValue="T&C apply")
    create_field(api, "Tier", "INTEGER")
    defaulted = create_badge(api, Tier=2)
    own = create_badge(api, Terms="Own terms")
    create_field(other_org_api, "Terms", isMandatory=True, defaultValue="Theirs")
    theirs = create_badge(other_org_api)

    status, _ = update_field(api, field, isMandatory=False)

    assert status == 200
    assert badge_fields(api, defaulted) == {"Tier": "2"}
    assert badge_fields(api, own) == {}
    assert badge_fields(other_org_api, theirs) == {"Terms": "Theirs"}


def test_disabling_a_field_unlinks_it_from_every_badge_of_the_org(api, other_org_api):
    field = create_field(api, "Colour")
    create_field(api, "Tier", "INTEGER")
    badge_id = create_badge(api, Colour="red", Tier=1)
    create_field(other_org_api, "Colour")
    theirs = create_badge(other_org_api, Colour="blue")

    update_field(api, field, isActive=False)

    assert badge_fields(api, badge_id) == {"Tier": "1"}
    assert badge_fields(other_org_api, theirs) == {"Colour": "blue"}


def test_renaming_a_field_moves_its_values_on_badges(api):
    field = create_field(api, "Colour")
    create_field(api, "Tier", "INTEGER")
    coloured = create_badge(api, Colour="red", Tier=1)
    plain = create_badge(api, Tier=2)

    update_field(api, field, name="Color")

    assert badge_fields(api, coloured) == {"Color": "red", "Tier": "1"}
    assert badge_fields(api, plain) == {"Tier": "2"}
    assert api.put("badgeMeta", {"id": coloured, "customFields": {"Color": "blue"}})[0] == 200


@pytest.mark.parametrize("name", ['Say "hi"', "a.b", "$", "back\\slash", "Ünïcode ✓", "it's"])
def test_any_field_name_is_safe_in_the_badge_updates(api, name):
    create_field(api, "Keep")
    field = create_field(api, name)
    badge_id = create_badge(api, **{name: "value", "Keep": "kept"})

    update_field(api, field, isMandatory=True, defaultValue="default")
    update_field(api, field, name=name + "!")
    assert badge_fields(api, badge_id) == {name + "!": "value", "Keep": "kept"}

    update_field(api, field | {"name": name + "!"}, isMandatory=False)
    assert badge_fields(api, badge_id) == {"Keep": "kept"}


def test_unlinking_is_one_statement_whatever_the_number_of_badges(
    api, org, django_assert_max_num_queries
):
    from badges_api.services import custom_fields

    create_field(api, "Colour")
    Badge.objects.bulk_create(
        [
            Badge(
                org=org,
                name=f"Bulk {number}",
                start_on="2031-01-01T00:00:00Z",
                expires_on="2031-02-01T00:00:00Z",
                earn_type="EARN",
                earned_badge_expiry={"expiryType": "NEVER"},
                custom_fields={"Colour": "red", "Other": "x"} if number % 2 else {"Other": "y"},
            )
            for number in range(200)
        ]
    )

    with django_assert_max_num_queries(1):
        changed = custom_fields.badges_unlink(org=org, name="Colour")

    assert changed == 100
    assert not Badge.objects.filter(org=org, custom_fields__has_key="Colour").exists()
    assert Badge.objects.filter(org=org, custom_fields__has_key="Other").count() == 200


# --- the list ---------------------------------------------------------------------------------


def names(envelope) -> list[str]:
    return [field["name"] for field in envelope["data"]["customFields"]]


def test_list_shows_active_fields_newest_update_first(api):
    first = create_field(api, "First")
    create_field(api, "Second")
    create_field(api, "Third")
    update_field(api, first, defaultValue="touched")

    status, envelope = api.get("customField")

    assert status == 200
    assert names(envelope) == ["First", "Third", "Second"]
    assert names(api.get("customField", sortOn="LAST_UPDATED_DATE", order="ASC")[1]) == [
        "Second",
        "Third",
        "First",
    ]


def test_list_sorts_on_creation_or_name(api):
    for name in ("Banana", "apple", "Cherry"):
        create_field(api, name)

    assert names(api.get("customField", sortOn="CREATED_DATE", order="ASC")[1]) == [
        "Banana",
        "apple",
        "Cherry",
    ]
    assert names(api.get("customField", sortOn="CREATED_DATE")[1]) == ["Cherry", "apple", "Banana"]
    by_name = names(api.get("customField", sortOn="name", order="asc")[1])
    assert sorted(by_name, key=lambda n: n.lower()) == ["apple", "Banana", "Cherry"]
    assert by_name[0] in ("Banana", "apple")  # collation decides case order; it must be a name sort
    assert names(api.get("customField", sortOn="NAME", order="DESC")[1]) == list(reversed(by_name))


def test_list_shows_disabled_fields_only_when_asked(api):
    create_field(api, "Live")
    old = create_field(api, "Old")
    update_field(api, old, isActive=False)

    assert names(api.get("customField")[1]) == ["Live"]
    assert names(api.get("customField", isActive="false")[1]) == ["Old"]
    assert names(api.get("customField", isActive="True")[1]) == ["Live"]


def test_list_pages_from_zero_with_a_pagination_block(api):
    for number in range(5):
        create_field(api, f"Field {number}")

    status, envelope = api.get("customField", sortOn="CREATED_DATE", order="ASC", size=2, page=1)

    assert status == 200
    assert names(envelope) == ["Field 2", "Field 3"]
    assert envelope["data"]["pagination"] == {"page": 1, "size": 2, "total": 5, "totalPages": 3}
    assert api.get("customField", limit=4)[1]["data"]["pagination"]["totalPages"] == 2


def test_list_shows_only_the_callers_fields(api, other_org_api):
    create_field(api, "Ours")
    create_field(other_org_api, "Theirs")

    assert names(api.get("customField")[1]) == ["Ours"]
    assert names(other_org_api.get("customField")[1]) == ["Theirs"]


def test_list_refuses_bad_parameters_all_at_once(api):
    status, envelope = api.get("customField", sortOn="ID", order="UP", isActive="all", size=0)

    assert status == 400
    assert sorted(codes(envelope)) == [
        (400, "isActive"),
        (400, "order"),
        (400, "size"),
        (400, "sortOn"),
    ]
    sort_message = next(e["message"] for e in envelope["errors"] if e["reference"] == "sortOn")
    assert "LAST_UPDATED_DATE, CREATED_DATE, NAME" in sort_message


def test_badge_updates_keep_other_members_exactly(org):
    from badges_api.services import custom_fields

    others = {"flag": True, "off": False, "nested": {"a": [1, "b"]}, "none": None, "count": 3}
    badge = Badge.objects.create(
        org=org,
        name="Mixed",
        start_on="2031-01-01T00:00:00Z",
        expires_on="2031-02-01T00:00:00Z",
        earn_type="EARN",
        earned_badge_expiry={"expiryType": "NEVER"},
        custom_fields={"Colour": "red", **others},
    )

    assert custom_fields.badges_rename(org=org, old="Colour", new="Color") == 1
    badge.refresh_from_db()
    assert badge.custom_fields == {"Color": "red", **others}

    assert custom_fields.badges_unlink(org=org, name="Color") == 1
    badge.refresh_from_db()
    assert badge.custom_fields == others

    assert custom_fields.badges_link(org=org, name="Colour", value="blue") == 1
    assert custom_fields.badges_link(org=org, name="Colour", value="green") == 0
    badge.refresh_from_db()
    assert badge.custom_fields == {**others, "Colour": "blue"}
