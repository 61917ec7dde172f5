"""Publishing: the payload goes to the real API; its errors land on their fields; nothing typed is
lost. Editing sends a PUT, duplicating a new POST."""

from datetime import UTC, datetime

from badges_ui.builder import BadgeBuilder, BuilderContext
from badges_ui.client import BadgesApiValidationError, BadgesClient
from badges_ui.types import ApiErrorItem, CustomField
from tests.ui.builder_posts import (
    ROLLING_2_IN_7_DAYS,
    WEEKLY,
    builder_post,
    errors_of,
    field_value,
    local,
    posted_form,
)
from tests.ui.helpers import create_badge, text

EVERYTHING = {
    "customer-limits": [WEEKLY | {"max_earn_limit": "2"}, ROLLING_2_IN_7_DAYS],
    "badge-limits": [{"kind": "FIXED_VALUE", "max_earn_limit": "1000"}],
    "benefits": [
        {
            "benefit_type": "LOYALTY_POINTS",
            "points": "50",
            "program_id": "626",
            "promotion_id": "80332",
            "allocation_strategy_id": "1489",
            "expiration_strategy_id": "3843",
        },
    ],
    "images": [{"tag": "EARNED", "url": "https://img.test/earned.png", "name": "Earned"}],
    "tags": [{"name": "channel", "value": "store"}],
}


def only_badge(api, name):
    status, envelope = api.get("badgeMeta", name=name)
    assert status == 200
    return [badge for badge in envelope["data"]["badges"] if badge["name"] == name]


def test_publishing_creates_the_badge_and_opens_it(marketing, api):
    _, group = api.post("group", {"name": "Coffee club", "rank": 1})
    data = builder_post(
        rows=EVERYTHING,
        name="Weekly latte",
        group=group["data"]["id"],
        rank="3",
        owners=["Loyalty", "Journeys"],
        earned_expiry_type="RELATIVE",
        earned_expiry_value="2",
        earned_expiry_unit="WEEKS",
    )
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 302
    (badge,) = only_badge(api, "Weekly latte")
    assert response["Location"] == f"/badges/{badge['id']}/"
    assert badge["earnType"] == "EARN" and badge["active"] is True
    assert badge["badgeGroupId"] == group["data"]["id"] and badge["badgeRank"] == 3
    assert badge["ownership"]["restrictedToOwners"] == ["Loyalty", "Journeys"]
    assert badge["earnedBadgeExpiry"] == {
        "expiryType": "RELATIVE",
        "relativeExpirytype": "WEEKS",
        "value": 2,
    }
    kinds = [c["constraintType"] for c in badge["customerConstraints"] + badge["badgeConstraints"]]
    assert kinds == [
        "CUSTOMER_BADGE_FIXED_WINDOW",
        "CUSTOMER_BADGE_ROLLING_WINDOW",
        "BADGE_FIXED_VALUE",
    ]
    assert badge["benefits"][0]["programId"] == 626
    assert badge["images"][0]["url"] == "https://img.test/earned.png"
    assert badge["tags"] == [{"name": "channel", "value": "store"}]

    detail = marketing.get(response["Location"])
    assert "“Weekly latte” is published." in text(detail)
    assert "At most 2 per week starting Monday" in text(detail)


def test_an_enrol_first_badge_sends_its_enrolment_expiry(marketing, api):
    data = builder_post(
        name="Enrol and earn",
        earn_type="ISSUE_EARN",
        issued_expiry_type="FIXED_DATE",
        issued_expiry_date=local(90, hour=12),
    )
    assert marketing.post("/badges/new/", data).status_code == 302
    (badge,) = only_badge(api, "Enrol and earn")
    assert badge["earnType"] == "ISSUE_EARN"
    assert badge["issuedBadgeExpiry"]["type"] == "FIXED_DATE"


def test_a_duplicate_name_comes_back_on_the_name_field_with_everything_else_kept(marketing, api):
    create_badge(api, name="Morning coffee")
    data = builder_post(rows=EVERYTHING, name="Morning coffee", description="Kept as typed")
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 400
    assert errors_of(response, "id_name") == "Badge name cannot be duplicate (code 725)"
    assert "aria-invalid" in response.content.decode().split('name="name"')[1].split(">")[0]
    assert "1 thing to fix before the badge can be published" in text(response)
    assert field_value(response, "name") == "Morning coffee"
    assert field_value(response, "description") == "Kept as typed"
    for name in (
        "customer-limits-0-max_earn_limit",
        "customer-limits-1-roll_for_days",
        "badge-limits-0-max_earn_limit",
        "benefits-0-expiration_strategy_id",
        "images-0-url",
        "tags-0-value",
        "start_on",
        "expires_on",
    ):
        assert field_value(response, name) == data[name], name
    assert len(only_badge(api, "Morning coffee")) == 1


def test_every_error_shows_at_once_and_nothing_is_sent(marketing, monkeypatch):
    calls = []
    monkeypatch.setattr(BadgesClient, "create_badge", lambda *args, **kwargs: calls.append(args))
    data = builder_post(
        name="",
        owners=None,
        expires_on=local(1),
        start_on=local(3),
        rows={
            "customer-limits": [WEEKLY | {"max_earn_limit": ""}, WEEKLY],
            "benefits": [{"benefit_type": "COUPON"}],
            "tags": [{"name": "", "value": "x"}],
        },
    )
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 400
    assert calls == []
    expected = {
        "id_name": "Give the badge a name.",
        "id_owners": "Choose at least one owner.",
        "id_expires_on": "The end must be after the start.",
        "id_customer-limits-0-max_earn_limit": "How many times at most?",
        "id_benefits-0-series_id": "Required.",
        "id_tags-0-name": "Give the tag a name.",
    }
    assert {field_id: errors_of(response, field_id) for field_id in expected} == expected
    assert "Only one fixed window per customer" in text(response)
    assert "7 things to fix before the badge can be published" in text(response)
    assert 'href="#id_customer-limits-0-max_earn_limit"' in response.content.decode()


def test_a_past_start_needs_the_historical_switch_which_sends_the_migration_header(
    marketing, api, monkeypatch
):
    data = builder_post(name="Imported last month", start_on=local(-30), expires_on=local(30))
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 400
    assert errors_of(response, "id_start_on") == "Start Date cannot be past date (code 722)"

    seen = []
    original = BadgesClient._call

    def spy(self, method, path, **kwargs):
        seen.append((method, (kwargs.get("headers") or {}).get("X-CAP-BADGES-MIGRATION")))
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(BadgesClient, "_call", spy)
    response = marketing.post("/badges/new/", data | {"historical": "on"})
    assert response.status_code == 302
    assert ("POST", "migration") in seen
    (badge,) = only_badge(api, "Imported last month")
    assert badge["status"] == "LIVE"


def test_a_disabled_group_comes_back_on_the_group_field(marketing, api):
    _, group = api.post("group", {"name": "Old club", "rank": 1})
    page = marketing.get("/badges/new/")  # the group is still offered
    group_id = group["data"]["id"]
    assert f'value="{group_id}"' in page.content.decode()
    api.put(f"group/{group_id}", {"name": "Old club", "rank": 1, "isActive": False})
    response = marketing.post("/badges/new/", builder_post(group=group_id))
    assert response.status_code == 400
    # The group is no longer a choice: the form says so before the API is asked.
    assert "Select a valid choice" in errors_of(response, "id_group")


def test_api_errors_land_on_the_row_their_reference_names():
    """Row references count the rows sent: a removed row before it does not shift the mapping."""
    definitions = (CustomField(id="a" * 24, name="Tier", data_type="INTEGER"),)
    context = BuilderContext(
        mode="create", tz=UTC, tz_name="UTC", now=datetime.now(UTC), custom_fields=definitions
    )
    data = builder_post(
        rows={
            "customer-limits": [
                WEEKLY | {"DELETE": "on"},
                {
                    "kind": "FIXED_WINDOW",
                    "duration_type": "DAYS",
                    "refresh_rate": "3",
                    "max_earn_limit": "1",
                },
            ],
            "benefits": [{"benefit_type": "COUPON", "series_id": "5"}],
        }
    )
    builder = BadgeBuilder(context, data=data, show_errors=True)
    assert builder.is_valid()
    payload_rows = builder.draft().customer_limits
    assert [index for index, _ in payload_rows] == [1]
    error = BadgesApiValidationError(
        "refused",
        status=400,
        errors=[
            ApiErrorItem(9010, "refreshRate is too large", "customerConstraints[0].refreshRate"),
            ApiErrorItem(9011, "Constraint repeated", "customerConstraints[0]"),
            ApiErrorItem(826, "Cannot switch window kinds", "badgeConstraints"),
            ApiErrorItem(400, "seriesId unknown", "benefits[0].seriesId"),
            ApiErrorItem(9006, "'Tier' expects a INTEGER value", "customFields.Tier"),
            ApiErrorItem(999999, "Unexpected error", None),
        ],
    )
    builder.add_api_errors(error)
    rows = builder.formsets["customer-limits"].forms
    assert rows[1].errors["refresh_rate"] == ["refreshRate is too large (code 9010)"]
    assert rows[1].errors["__all__"] == ["Constraint repeated (code 9011)"]
    assert not rows[0].errors.get("refresh_rate")
    assert builder.formsets["badge-limits"].non_form_errors() == [
        "Cannot switch window kinds (code 826)"
    ]
    assert builder.formsets["benefits"].forms[0].errors["series_id"] == [
        "seriesId unknown (code 400)"
    ]
    assert builder.custom.errors[f"custom_{'a' * 24}"] == [
        "'Tier' expects a INTEGER value (code 9006)"
    ]
    assert builder.api_errors == ["Unexpected error (code 999999)"]
    assert str(builder.problems()[0]) == "Unexpected error (code 999999)"


def test_editing_saves_with_a_put_and_keeps_a_live_badges_exact_start(marketing, api):
    badge = create_badge(
        api,
        name="Live cortado",
        live=True,
        startOnISO="2026-01-05T10:00:37Z",  # seconds the datetime input does not show
        customerConstraints=[
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "maxEarnLimit": 1,
            }
        ],
    )
    page = marketing.get(f"/badges/{badge['id']}/edit/")
    data = posted_form(page)
    assert "start_on" not in data  # disabled: the browser does not send it
    data |= {
        "name": "Live cortado (new)",
        "customer-limits-0-max_earn_limit": "3",
        "_action": "publish",
    }
    response = marketing.post(f"/badges/{badge['id']}/edit/", data)
    assert response.status_code == 302, text(response)
    assert response["Location"] == f"/badges/{badge['id']}/"
    _, envelope = api.get(f"badgeMeta/{badge['id']}")
    saved = envelope["data"]
    assert saved["name"] == "Live cortado (new)"
    assert saved["startOnISO"] == "2026-01-05T10:00:37Z"
    assert saved["customerConstraints"][0]["maxEarnLimit"] == 3
    # The window kept its shape, so it kept its reference id (and its cycles).
    assert (
        saved["customerConstraints"][0]["referenceId"]
        == badge["customerConstraints"][0]["referenceId"]
    )
    assert "“Live cortado (new)” is saved." in text(marketing.get(response["Location"]))


def test_editing_an_untouched_badge_changes_nothing_but_its_update_time(marketing, api):
    badge = create_badge(
        api,
        name="Untouched",
        expiresOnISO="2031-06-30T18:45:12Z",
        badgeConstraints=[{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 10}],
        tags=[{"name": "a", "value": "b"}],
    )
    page = marketing.get(f"/badges/{badge['id']}/edit/")
    response = marketing.post(
        f"/badges/{badge['id']}/edit/", posted_form(page) | {"_action": "publish"}
    )
    assert response.status_code == 302, text(response)
    _, envelope = api.get(f"badgeMeta/{badge['id']}")
    saved = envelope["data"]
    for key in (
        "name",
        "startOn",
        "expiresOn",
        "badgeConstraints",
        "tags",
        "earnedBadgeExpiry",
        "ownership",
        "images",
        "benefits",
        "customFields",
        "active",
        "earnType",
    ):
        assert saved[key] == badge[key], key


def test_duplicating_publishes_a_new_badge_and_leaves_the_original(marketing, api):
    badge = create_badge(api, name="Americano", tags=[{"name": "origin", "value": "copied"}])
    page = marketing.get(f"/badges/{badge['id']}/duplicate/")
    data = posted_form(page) | {"_action": "publish"}
    assert data["name"] == "Copy of Americano"
    response = marketing.post(f"/badges/{badge['id']}/duplicate/", data)
    assert response.status_code == 302, text(response)
    (copy,) = only_badge(api, "Copy of Americano")
    assert copy["id"] != badge["id"]
    assert copy["tags"] == [{"name": "origin", "value": "copied"}]
    assert response["Location"] == f"/badges/{copy['id']}/"
    assert len(only_badge(api, "Americano")) == 1


def test_an_api_that_is_down_keeps_what_was_typed(marketing, settings, closed_port_url):
    settings.BADGES_API_URL = closed_port_url
    data = builder_post(name="Typed while down", rows={"tags": [{"name": "kept", "value": "yes"}]})
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 503
    assert "The badge API is not answering" in text(response)
    assert field_value(response, "name") == "Typed while down"
    assert field_value(response, "tags-0-value") == "yes"


def test_editing_a_badge_while_the_api_is_down_says_so(marketing, api, settings, closed_port_url):
    badge = create_badge(api)
    settings.BADGES_API_URL = closed_port_url
    response = marketing.get(f"/badges/{badge['id']}/edit/")
    assert response.status_code == 503
    assert "The badge API is not answering" in text(response)
    preview = marketing.post(f"/badges/{badge['id']}/edit/preview/", builder_post())
    assert preview.status_code == 200
    assert "The badge API is not answering" in text(preview)
