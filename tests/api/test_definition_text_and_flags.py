"""Text, dates, image addresses and flags of badge, group and custom field definitions.

Control characters: PostgreSQL cannot store a NUL (it answered 500) and SQLite stored it, so both
databases now refuse control characters in names and ids with a 400 naming the field; free text
(descriptions, tag and text values) keeps tabs and line breaks. Every refusal leaves the database
exactly as it was.
"""

import pytest
from django.apps import apps
from django.urls import reverse

from badges_api.models import Badge, BadgeClaim, BadgeGroup, CustomField
from badges_api.services.badge_input import OWN_UPLOADS_PATH
from tests.factories import badge_body

NUL, BELL, DEL, C1 = "\x00", "\x07", "\x7f", "\x85"


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("badges_api").get_models()
    }


def references(envelope) -> set[str | None]:
    return {error["reference"] for error in envelope["errors"]}


def refused(api, method: str, path: str, body, reference: str) -> dict:
    """Asserts a 400 naming `reference` that changed nothing; answers the envelope."""
    before = row_counts()
    status, envelope = api.call(method, path, body)
    assert status == 400, envelope
    assert reference in references(envelope), envelope
    assert row_counts() == before
    return envelope


# --- badges: control characters -------------------------------------------------------------------

BADGE_TEXT_FIELDS = {
    "name": (lambda t: {"name": f"Cof{t}fee"}, "name"),
    "description": (lambda t: {"description": f"Buy{t}three"}, "description"),
    "image-name": (
        lambda t: {
            "images": [{"name": f"a{t}b", "url": "https://cdn.example/a.png", "tag": "EARNED"}]
        },
        "images[0].name",
    ),
    "image-url": (
        lambda t: {"images": [{"url": f"https://cdn.example/a{t}.png", "tag": "EARNED"}]},
        "images[0].url",
    ),
    "image-handle": (
        lambda t: {"images": [{"fileSvcHandle": f"h{t}i", "tag": "EARNED"}]},
        "images[0].fileSvcHandle",
    ),
    "tag-name": (lambda t: {"tags": [{"name": f"t{t}u", "value": "x"}]}, "tags[0].name"),
    "tag-value": (lambda t: {"tags": [{"name": "t", "value": f"x{t}y"}]}, "tags[0].value"),
    "group-id": (lambda t: {"badgeGroupId": f"abc{t}def"}, "badgeGroupId"),
    "window-reference": (
        lambda t: {
            "customerConstraints": [
                {
                    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                    "durationType": "WEEKS",
                    "maxEarnLimit": 1,
                    "referenceId": f"r{t}s",
                }
            ]
        },
        "customerConstraints[0].referenceId",
    ),
}


@pytest.mark.parametrize("char", [NUL, BELL, DEL, C1], ids=["NUL", "BEL", "DEL", "C1"])
@pytest.mark.parametrize(
    ("build", "reference"), BADGE_TEXT_FIELDS.values(), ids=BADGE_TEXT_FIELDS.keys()
)
def test_badge_create_refuses_control_characters_naming_the_field(api, build, reference, char):
    refused(api, "POST", "badgeMeta", badge_body(**build(char)), reference)


@pytest.mark.parametrize(
    ("build", "reference"), BADGE_TEXT_FIELDS.values(), ids=BADGE_TEXT_FIELDS.keys()
)
def test_badge_update_refuses_a_nul_naming_the_field(api, build, reference):
    created = api.post("badgeMeta", badge_body())[1]["data"]
    refused(api, "PUT", "badgeMeta", {"id": created["id"], **build(NUL)}, reference)
    assert api.get(f"badgeMeta/{created['id']}")[1]["data"]["name"] == created["name"]


def test_free_text_keeps_tabs_and_line_breaks(api):
    body = badge_body(
        description="Line one\n\tLine two\r\n", tags=[{"name": "note", "value": "a\tb\nc"}]
    )
    status, envelope = api.post("badgeMeta", body)

    assert status == 200, envelope
    assert envelope["data"]["description"] == "Line one\n\tLine two\r\n"
    assert envelope["data"]["tags"] == [{"name": "note", "value": "a\tb\nc"}]


def test_names_keep_emoji_and_non_latin_letters(api):
    name = "Café ☕ कॉफ़ी 👩‍👩‍👧"
    status, envelope = api.post("badgeMeta", badge_body(name=name))
    assert status == 200, envelope
    assert envelope["data"]["name"] == name


def test_claim_refuses_a_control_character_or_overlong_owner_id(api):
    badge = api.post("badgeMeta", badge_body())[1]["data"]
    path = f"badgeMeta/{badge['id']}/claim"
    refused(api, "POST", path, {"ownerType": "Loyalty", "referenceId": f"626{NUL}"}, "referenceId")
    refused(api, "POST", path, {"ownerType": "Loyalty", "referenceId": "6" * 201}, "referenceId")
    assert not BadgeClaim.objects.exists()


@pytest.mark.parametrize(
    ("path", "reference"),
    [
        ("badgeMeta/abc%00", "badge_id"),
        ("badgeMeta/abc%00/activate", "badge_id"),
        ("group/abc%00", "group_id"),
        ("customField/abc%00", "field_id"),
    ],
)
def test_a_path_id_with_a_nul_is_a_400_naming_the_path_parameter(api, path, reference):
    """The reference is the path parameter's name in the OpenAPI schema."""
    status, envelope = api.get(path) if "activate" not in path else api.put(path, {})
    assert status == 400, envelope
    assert references(envelope) == {reference}


@pytest.mark.parametrize(
    ("path", "query", "reference"),
    [
        ("badgeMeta", {"name": f"Cof{NUL}fee"}, "name"),
        ("badgeMeta", {"groupId": f"abc{NUL}"}, "groupId"),
        ("badgeMeta/getFixedWindowDetails", {"badgeMetaId": f"abc{NUL}"}, "badgeMetaId"),
    ],
)
def test_badge_reads_refuse_a_nul_in_the_query_naming_the_parameter(api, path, query, reference):
    status, envelope = api.get(path, **query)
    assert status == 400, envelope
    assert references(envelope) == {reference}


def test_updates_by_a_path_id_with_a_nul_are_refused(api):
    refused(api, "PUT", "group/abc%00", {"name": "Coffee", "rank": 1}, "group_id")
    refused(api, "PUT", "customField/abc%00", {"name": "Region"}, "field_id")
    refused(api, "PUT", "badgeMeta", {"id": f"abc{NUL}", "name": "x"}, "id")


# --- badges: dates at the edges ---------------------------------------------------------------------

EDGE_DATES = [
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "1899-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z",
    "１９２４９９２０００",
]


@pytest.mark.parametrize("moment", EDGE_DATES)
@pytest.mark.parametrize(
    ("build", "reference"),
    [
        (lambda m: {"startOnISO": m}, "startOnISO"),
        (lambda m: {"expiresOnISO": m}, "expiresOnISO"),
        (lambda m: {"startOn": m, "startOnISO": ...}, "startOn"),
        (
            lambda m: {
                "earnedBadgeExpiry": {
                    "expiryType": "ABSOLUTE",
                    "type": "FIXED_DATE",
                    "expiresOnISO": m,
                }
            },
            "earnedBadgeExpiry.expiresOnISO",
        ),
    ],
    ids=["startOnISO", "expiresOnISO", "startOn", "expiry-expiresOnISO"],
)
def test_dates_outside_1900_to_2999_are_a_400_naming_the_field(api, build, reference, moment):
    refused(api, "POST", "badgeMeta", badge_body(**build(moment)), reference)


def test_update_refuses_an_edge_date(api):
    created = api.post("badgeMeta", badge_body())[1]["data"]
    refused(
        api,
        "PUT",
        "badgeMeta",
        {"id": created["id"], "expiresOnISO": "9999-12-31T23:59:59-05:00"},
        "expiresOnISO",
    )


def test_the_last_accepted_instant_gives_a_working_badge(api):
    status, envelope = api.post(
        "badgeMeta",
        badge_body(
            expiresOnISO="2999-12-31T23:59:59Z",
            earnedBadgeExpiry={
                "expiryType": "RELATIVE",
                "relativeExpirytype": "MONTHS",
                "value": 1200,
            },
        ),
    )
    assert status == 200, envelope
    assert api.get("badgeMeta")[0] == 200


# --- badges: image addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "http://cdn.example/a.png",
        "//cdn.example/a.png",
        "ftp://cdn.example/a.png",
        "https://",
        "https://cdn.example/a b.png",
        "vbscript:msgbox",
        "http://cdn.example/media/badge-images/../../x",
    ],
)
def test_image_urls_other_than_https_or_our_own_are_refused(api, url):
    refused(
        api,
        "POST",
        "badgeMeta",
        badge_body(images=[{"url": url, "tag": "EARNED"}]),
        "images[0].url",
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example/badges/coffee.png",
        "HTTPS://cdn.example/coffee.png?v=2#x",
        "/static/img/badges/coffee-earned.svg",  # the demo seed's images
        f"http://testserver{OWN_UPLOADS_PATH}0123abcd.png",  # an upload, on a laptop over http
        f"https://console.example{OWN_UPLOADS_PATH}0123abcd.svg",
    ],
)
def test_https_our_uploads_and_paths_on_this_server_are_accepted(api, url):
    status, envelope = api.post("badgeMeta", badge_body(images=[{"url": url, "tag": "EARNED"}]))
    assert status == 200, envelope
    assert envelope["data"]["images"][0]["url"] == url


def test_the_uploads_path_is_where_the_console_serves_uploads():
    assert reverse("badges_ui:badge_image", args=["x.png"]) == f"{OWN_UPLOADS_PATH}x.png"


# --- badges: isActive -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["active", "isActive"])
@pytest.mark.parametrize("value", [None, "true", 1, "yes"])
def test_badge_active_flag_must_be_a_boolean(api, key, value):
    refused(api, "POST", "badgeMeta", badge_body(active=...) | {key: value}, key)


def test_badge_is_active_false_is_read(api):
    status, envelope = api.post("badgeMeta", badge_body(active=..., isActive=False))
    assert status == 200 and envelope["data"]["active"] is False


# --- groups -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reference"),
    [
        ({"name": f"Coffee{NUL}", "rank": 1}, "name"),
        ({"name": f"Coffee{BELL}", "rank": 1}, "name"),
        ({"name": "\t", "rank": 1}, "name"),
        ({"name": "Coffee", "rank": 2**31}, "rank"),
        ({"name": "Coffee", "rank": 1e30}, "rank"),
        ({"name": "Coffee", "rank": "٣"}, "rank"),
        ({"name": "Coffee", "rank": "１２"}, "rank"),
        ({"name": "Coffee", "rank": "--5"}, "rank"),
        ({"name": "Coffee", "rank": 1, "isActive": None}, "isActive"),
        ({"name": "Coffee", "rank": 1, "isActive": "false"}, "isActive"),
    ],
)
def test_group_create_and_update_refuse_bad_values(api, body, reference):
    refused(api, "POST", "group", body, reference)
    group = api.post("group", {"name": "Existing", "rank": 5})[1]["data"]
    refused(api, "PUT", f"group/{group['id']}", body, reference)
    assert BadgeGroup.objects.get(public_id=group["id"]).name == "Existing"


def test_group_rank_at_the_top_of_its_range_is_stored(api):
    status, envelope = api.post("group", {"name": "Last", "rank": "2147483647"})
    assert status == 200, envelope
    assert envelope["data"]["rank"] == 2**31 - 1


# --- custom fields ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reference"),
    [
        ({"name": "\t", "dataType": "STRING"}, "name"),
        ({"name": " \n ", "dataType": "STRING"}, "name"),
        ({"name": f"Region{NUL}", "dataType": "STRING"}, "name"),
        ({"name": f"Region{DEL}", "dataType": "STRING"}, "name"),
        (
            {
                "name": "Region",
                "dataType": "STRING",
                "isMandatory": True,
                "defaultValue": f"North{NUL}",
            },
            "defaultValue",
        ),
        (
            {"name": "Level", "dataType": "INTEGER", "isMandatory": True, "defaultValue": "٣"},
            "defaultValue",
        ),
        (
            {"name": "Level", "dataType": "INTEGER", "isMandatory": True, "defaultValue": 2**63},
            "defaultValue",
        ),
        (
            {"name": "Level", "dataType": "INTEGER", "isMandatory": True, "defaultValue": "--5"},
            "defaultValue",
        ),
        (
            {"name": "Since", "dataType": "DATE", "isMandatory": True, "defaultValue": "１２"},
            "defaultValue",
        ),
        ({"name": "Region", "dataType": "STRING", "isActive": None}, "isActive"),
        ({"name": "Region", "dataType": "STRING", "isMandatory": None}, "isMandatory"),
    ],
)
def test_custom_field_create_refuses_bad_values(api, body, reference):
    refused(api, "POST", "customField", body, reference)


def test_custom_field_update_refuses_bad_values_and_keeps_the_field(api):
    field = api.post("customField", {"name": "Region", "dataType": "STRING"})[1]["data"]
    path = f"customField/{field['id']}"
    refused(api, "PUT", path, {"name": "\t"}, "name")
    refused(api, "PUT", path, {"name": f"Re{NUL}gion"}, "name")
    refused(api, "PUT", path, {"name": "Region", "isActive": None}, "isActive")
    refused(
        api,
        "PUT",
        path,
        {"name": "Region", "isMandatory": True, "defaultValue": f"x{NUL}"},
        "defaultValue",
    )
    assert CustomField.objects.get(public_id=field["id"]).name == "Region"


@pytest.mark.parametrize(
    ("data_type", "value"),
    [
        ("STRING", f"North{NUL}"),
        ("STRING", "x" * 1001),
        ("INTEGER", "٣"),
        ("INTEGER", "１２"),
        ("INTEGER", 2**63),
        ("INTEGER", 1e30),
        ("INTEGER", "+5"),
        ("DATE", "١٩٧٠"),
    ],
)
def test_badge_custom_field_values_are_checked(api, data_type, value):
    api.post("customField", {"name": "Extra", "dataType": data_type})
    body = badge_body(customFields={"Extra": value})
    refused(api, "POST", "badgeMeta", orjson_safe(body), "customFields.Extra")


def test_badge_custom_field_values_in_range_are_stored(api):
    api.post("customField", {"name": "Level", "dataType": "INTEGER"})
    api.post("customField", {"name": "Note", "dataType": "STRING"})
    body = badge_body(customFields={"Level": str(-(2**63 - 1)), "Note": "two\nlines"})
    status, envelope = api.post("badgeMeta", body)
    assert status == 200, envelope
    assert envelope["data"]["customFields"] == {"Level": str(-(2**63 - 1)), "Note": "two\nlines"}


def orjson_safe(body: dict) -> str:
    """Bodies with integers past 64 bits, which orjson (the test client's writer) refuses."""
    import json

    return json.dumps(body)


def test_a_badge_refused_for_one_field_writes_nothing_on_either_table(api):
    group = api.post("group", {"name": "Coffee", "rank": 1})[1]["data"]
    before = row_counts()
    body = badge_body(
        badgeGroupId=group["id"],
        ownership={"restrictedToOwners": ["Loyalty", "Journeys"]},
        badgeRank=2**31,
    )
    status, _ = api.post("badgeMeta", body)
    assert status == 400
    assert row_counts() == before
    assert not Badge.objects.exists()
