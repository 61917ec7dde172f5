"""The badge builder's pages: who may open them, and what create, edit and duplicate show."""

import pytest

from tests.ui.builder_posts import errors_of, field_html, field_value, local, posted_form
from tests.ui.helpers import create_badge, days_from_now, htmx, text

WEEKLY = {
    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
    "durationType": "WEEKS",
    "startDayOfTheWeek": "MONDAY",
    "maxEarnLimit": 1,
}


def test_the_create_page_has_every_section_and_the_orgs_timezone(marketing, settings):
    settings.BADGES_ORG_TIMEZONE = "Asia/Kolkata"
    response = marketing.get("/badges/new/")
    assert response.status_code == 200
    body = text(response)
    for words in [
        "New badge",
        "The badge",
        "When it runs",
        "organisation's timezone, Asia/Kolkata",
        "Historical badge",
        "Owners",
        "Expiry",
        "Limits",
        "Per customer",
        "For all customers together",
        "Benefits",
        "Images",
        "Tags",
        "Preview",
        "Publish badge",
    ]:
        assert words in body, words
    assert 'type="datetime-local"' in field_html(response, "start_on")
    # Sensible defaults: earned directly, active, owned by Loyalty, expiring with the badge.
    assert "checked" in field_html(response, "active")
    html = response.content.decode()
    assert 'value="EARN" id="id_earn_type_0" required checked' in html
    assert 'value="Loyalty" id="id_owners_0" checked' in html
    # The preview says what is missing, gently.
    assert "Before you publish" in body
    assert "Name: Give the badge a name." in body


def test_the_builder_links_show_on_the_catalogue_and_the_detail_page(marketing, api):
    badge = create_badge(api, name="Latte art")
    assert 'href="/badges/new/"' in marketing.get("/badges/").content.decode()
    detail = marketing.get(f"/badges/{badge['id']}/").content.decode()
    assert f'href="/badges/{badge["id"]}/edit/"' in detail
    assert f'href="/badges/{badge["id"]}/duplicate/"' in detail


@pytest.mark.parametrize("path", ["/badges/new/", "/badges/{id}/edit/", "/badges/{id}/duplicate/"])
def test_a_support_agent_gets_the_friendly_403(support, api, path):
    badge = create_badge(api)
    response = support.get(path.format(id=badge["id"]))
    assert response.status_code == 403
    assert "This page is for marketing managers and admins." in text(response)


def test_a_support_agent_cannot_post_previews_or_check_names(support):
    assert support.post("/badges/new/preview/", {}).status_code == 403
    assert support.get("/badges/name-check/?name=x").status_code == 403


def test_admins_may_build_and_anonymous_visitors_sign_in_first(admin, client, console_api):
    assert admin.get("/badges/new/").status_code == 200
    response = client.get("/badges/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_editing_an_unknown_badge_is_a_404(marketing):
    assert marketing.get("/badges/0123456789abcdef01234567/edit/").status_code == 404


def test_the_name_check_says_available_or_already_used(marketing, api):
    badge = create_badge(api, name="Flat white")
    taken = marketing.get("/badges/name-check/", {"name": "Flat white"}, headers=htmx("name-check"))
    assert taken.status_code == 200
    assert "Already used by another badge" in text(taken)
    assert "name-check--taken" in taken.content.decode()
    free = marketing.get("/badges/name-check/", {"name": "flat white"}, headers=htmx("name-check"))
    assert "Available" in text(free)  # names are case-sensitive, as the API compares them
    own = marketing.get(
        "/badges/name-check/",
        {"name": "Flat white", "exclude": badge["id"]},
        headers=htmx("name-check"),
    )
    assert "Available" in text(own)  # editing a badge keeps its own name
    assert text(marketing.get("/badges/name-check/", {"name": "  "})) == ""


def test_editing_an_upcoming_badge_fills_every_field(marketing, api):
    badge = create_badge(
        api,
        name="Pastry week",
        description="Three pastries",
        badgeRank=4,
        customerConstraints=[WEEKLY],
        badgeConstraints=[
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 300,
            }
        ],
        earnedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "WEEKS", "value": 2},
        benefits=[
            {
                "benefitType": "LOYALTY_POINTS",
                "points": 50,
                "programId": 1,
                "promotionId": 2,
                "allocationStrategyId": 3,
                "expirationStrategyId": 4,
            }
        ],
        images=[{"tag": "EARNED", "url": "https://img.test/earned.png", "name": "Earned"}],
        tags=[{"name": "channel", "value": "store"}],
    )
    response = marketing.get(f"/badges/{badge['id']}/edit/")
    assert response.status_code == 200
    assert "Edit “Pastry week”" in text(response)
    expected = {
        "name": "Pastry week",
        "description": "Three pastries",
        "rank": "4",
        "earned_expiry_value": "2",
        "earned_expiry_unit": "WEEKS",
        "customer-limits-0-kind": "FIXED_WINDOW",
        "customer-limits-0-duration_type": "WEEKS",
        "customer-limits-0-start_day": "MONDAY",
        "badge-limits-0-kind": "ROLLING_WINDOW",
        "badge-limits-0-roll_value": "1",
        "badge-limits-0-max_earn_limit": "300",
        "benefits-0-benefit_type": "LOYALTY_POINTS",
        "benefits-0-expiration_strategy_id": "4",
        "images-0-url": "https://img.test/earned.png",
        "tags-0-value": "store",
    }
    assert {name: field_value(response, name) for name in expected} == expected
    assert "disabled" not in field_html(response, "start_on")  # upcoming: the start may move
    assert "Save changes" in text(response)
    assert "Historical badge" not in text(response)
    assert "Ready to save" in text(response)


def test_editing_a_live_badge_locks_the_start_and_explains_the_limits_rule(marketing, api):
    badge = create_badge(api, name="Live latte", live=True, customerConstraints=[WEEKLY])
    response = marketing.get(f"/badges/{badge['id']}/edit/")
    assert response.status_code == 200
    assert "disabled" in field_html(response, "start_on")
    body = text(response)
    assert "Locked: the badge has started, so its start can no longer change." in body
    assert "This badge has started, so the service refuses some changes" in body
    assert "Capillary code 826" in body
    assert "This level has a fixed window: keep one" in body


def test_a_live_badge_cannot_swap_its_fixed_window_for_a_rolling_one(marketing, api):
    badge = create_badge(api, name="Live mocha", live=True, customerConstraints=[WEEKLY])
    page = marketing.get(f"/badges/{badge['id']}/edit/")
    data = posted_form(page)
    data |= {
        "customer-limits-0-kind": "ROLLING_WINDOW",
        "customer-limits-0-max_for_days": "2",
        "customer-limits-0-roll_for_days": "7",
    }
    response = marketing.post(f"/badges/{badge['id']}/edit/", data)
    assert response.status_code == 400
    assert "its fixed window cannot become another kind of limit (Capillary code 826)" in text(
        response
    )


def test_a_duplicate_gets_a_new_name_and_no_past_start(marketing, api):
    badge = create_badge(
        api,
        name="Espresso",
        live=True,
        expiresOnISO=days_from_now(30),
        customerConstraints=[WEEKLY],
        tags=[{"name": "origin", "value": "copied"}],
    )
    create_badge(api, name="Copy of Espresso")
    response = marketing.get(f"/badges/{badge['id']}/duplicate/")
    assert response.status_code == 200
    assert "Duplicate “Espresso”" in text(response)
    assert field_value(response, "name") == "Copy of Espresso (2)"
    assert field_value(response, "start_on") in (None, "")  # it started yesterday
    assert field_value(response, "expires_on")  # still ahead, kept
    assert field_value(response, "customer-limits-0-kind") == "FIXED_WINDOW"
    assert field_value(response, "tags-0-value") == "copied"
    assert "Publish badge" in text(response)
    assert "Starts: Choose when the badge starts." in text(response)


def test_mandatory_custom_fields_start_at_their_default_and_can_be_reset(marketing, api):
    status, envelope = api.post(
        "customField",
        {
            "name": "Terms",
            "dataType": "STRING",
            "isMandatory": True,
            "defaultValue": "One per visit",
        },
    )
    assert status == 200, envelope
    api.post("customField", {"name": "Tier", "dataType": "INTEGER"})
    field_id = envelope["data"]["id"]
    page = marketing.get("/badges/new/")
    assert field_value(page, f"custom_{field_id}") == "One per visit"
    assert "Mandatory; default “One per visit”" in text(page)
    assert "Reset to default" in text(page)

    data = posted_form(page) | {
        f"custom_{field_id}": "Changed",
        "_action": f"reset:custom_{field_id}",
    }
    response = marketing.post("/badges/new/", data, headers=htmx("custom-fields"))
    assert response.status_code == 200
    assert field_value(response, f"custom_{field_id}") == "One per visit"
    assert "<section" not in response.content.decode()  # only the custom-fields region
    assert errors_of(response, f"id_custom_{field_id}") == ""


def test_editing_says_which_owner_a_claim_keeps_and_refuses_removing_it(marketing, api):
    badge = create_badge(
        api, name="Claimed latte", ownership={"restrictedToOwners": ["Loyalty", "Journeys"]}
    )
    claimed = api.post(
        f"badgeMeta/{badge['id']}/claim", {"ownerType": "Journeys", "referenceId": "J-1"}
    )
    assert claimed[0] == 200, claimed
    page = marketing.get(f"/badges/{badge['id']}/edit/")
    assert "Journeys holds an active claim on this badge, so it stays an owner" in text(page)

    data = posted_form(page) | {"owners": ["Loyalty"]}
    response = marketing.post(f"/badges/{badge['id']}/edit/", data)
    assert response.status_code == 400  # refused before anything is sent
    assert "Journeys cannot stop being an owner while it has an active claim" in errors_of(
        response, "id_owners"
    )


def test_editing_a_live_badge_refuses_an_end_in_the_past_before_sending_it(marketing, api):
    badge = create_badge(api, name="Ending latte", live=True)
    page = marketing.get(f"/badges/{badge['id']}/edit/")
    assert "Its end can, but not into the past (Capillary code 724)" in text(page)
    data = posted_form(page) | {"expires_on": local(-0.5)}
    response = marketing.post(f"/badges/{badge['id']}/edit/", data)
    assert response.status_code == 400
    assert "not into the past (Capillary code 724)" in errors_of(response, "id_expires_on")
    assert field_value(response, "expires_on") == local(-0.5)  # what was typed stays
