"""The badge detail page: readable settings, cycles, activation with confirmation, claims."""

import pytest

from tests.ui.helpers import create_badge, days_from_now, htmx, text

WEEKLY = {
    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
    "durationType": "WEEKS",
    "startDayOfTheWeek": "MONDAY",
    "maxEarnLimit": 1,
}


@pytest.fixture
def badge(api, console_api):
    status, envelope = api.post("group", {"name": "Coffee club", "rank": 3})
    return create_badge(
        api,
        name="Three coffees",
        description="Buy three coffees in a week",
        live=True,
        startOnISO="2026-01-05T10:00:00Z",
        expiresOnISO=days_from_now(200),
        badgeGroupId=envelope["data"]["id"],
        badgeRank=2,
        ownership={"restrictedToOwners": ["Loyalty", "Journeys"]},
        customerConstraints=[
            WEEKLY,
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 2,
                "rollForDays": 7,
            },
        ],
        badgeConstraints=[{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 5000}],
        earnedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "WEEKS", "value": 2},
        images=[{"tag": "UN_EARNED", "url": "https://img.test/u.png"}],
        benefits=[{"benefitType": "COUPON", "seriesId": 77}],
        tags=[{"name": "channel", "value": "store"}],
    )


def test_every_setting_reads_in_plain_words(marketing, badge):
    response = marketing.get(f"/badges/{badge['id']}/")
    assert response.status_code == 200
    body = text(response)
    for words in [
        "Three coffees",
        "Buy three coffees in a week",
        "Live",
        "Earned directly",
        "5 Jan 2026, 10:00",
        "Coffee club (group rank 3)",
        "2 weeks after it is earned",
        "Loyalty Journeys",
        "channel: store",
        "Each customer · Fixed window At most 1 per week starting Monday",
        "Each customer · Rolling window At most 2 in any 7 days",
        "All customers together · Lifetime cap At most 5000 while the badge runs",
        "Current cycle:",
        "Coupon series 77",
        "Earned 0",
        "Issued (enrolled) 0",
    ]:
        assert words in body, words


def test_dates_are_shown_in_the_orgs_timezone(marketing, badge, settings):
    settings.BADGES_ORG_TIMEZONE = "Asia/Kolkata"
    body = text(marketing.get(f"/badges/{badge['id']}/"))
    assert "5 Jan 2026, 15:30" in body  # 10:00 UTC
    assert "timezone, Asia/Kolkata" in body


def test_the_cycles_open_on_the_page_holding_todays_cycle(marketing, badge):
    html = marketing.get(f"/badges/{badge['id']}/").content.decode()
    assert 'id="cycles"' in html
    assert html.count('<tr class="is-current">') == 1
    assert ">Earned</th>" not in html  # the definitions API reports no earns per cycle
    first_page = text(marketing.get(f"/badges/{badge['id']}/?cycles_page=1"))
    assert "Cycles 1–10 of" in first_page
    assert (
        "1 Per customer · weekly 5 Jan 2026 11 Jan 2026 7 1 Past" in first_page
    )  # starts on the badge's Monday


def test_cycles_page_over_htmx_without_the_rest_of_the_page(marketing, badge):
    response = marketing.get(f"/badges/{badge['id']}/?cycles_page=2", headers=htmx("cycles"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="cycles"')
    assert "Cycles 11–20 of" in text(response)
    assert f'href="/badges/{badge["id"]}/?cycles_page=1#cycles"' in html


def test_a_badge_without_fixed_windows_has_no_cycles_section(marketing, api, console_api):
    plain = create_badge(api)
    html = marketing.get(f"/badges/{plain['id']}/").content.decode()
    assert 'id="cycles"' not in html
    assert "No limits: a customer can earn this badge any number of times" in text(
        marketing.get(f"/badges/{plain['id']}/")
    )


def test_the_earns_chart_is_an_honest_placeholder(marketing, badge):
    body = text(marketing.get(f"/badges/{badge['id']}/"))
    assert "Earns per day This chart needs earn data." in body


def test_an_unknown_badge_is_a_404_page(marketing, console_api):
    response = marketing.get("/badges/ffffffffffffffffffffffff/")
    assert response.status_code == 404
    assert "There is nothing here" in text(response)


def test_when_the_api_is_down_the_detail_page_says_so(marketing, badge, settings, closed_port_url):
    settings.BADGES_API_URL = closed_port_url
    response = marketing.get(f"/badges/{badge['id']}/")
    assert response.status_code == 503
    assert "The badge API is not answering" in text(response)


# --- activation --------------------------------------------------------------------------------


def test_deactivating_asks_for_confirmation_first(marketing, badge):
    page = marketing.get(f"/badges/{badge['id']}/activation/?to=deactivate")
    assert page.status_code == 200
    assert "Deactivate “Three coffees”?" in text(page)
    partial = marketing.get(
        f"/badges/{badge['id']}/activation/?to=deactivate", headers=htmx("activation")
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="activation-confirm"') and "<html" not in html
    assert f'action="/badges/{badge["id"]}/activation/"' in html


def test_confirming_deactivates_then_activating_again(marketing, badge, api):
    response = marketing.post(f"/badges/{badge['id']}/activation/", {"to": "deactivate"})
    assert response["Location"] == f"/badges/{badge['id']}/"
    assert api.get(f"badgeMeta/{badge['id']}")[1]["data"]["active"] is False
    detail = marketing.get(response["Location"])
    assert "“Three coffees” is deactivated." in text(detail)
    assert "Activate…" in text(detail)
    marketing.post(f"/badges/{badge['id']}/activation/", {"to": "activate"})
    assert api.get(f"badgeMeta/{badge['id']}")[1]["data"]["active"] is True


def test_the_apis_refusal_to_deactivate_an_ended_badge_is_shown_with_its_code(
    marketing, api, console_api
):
    ended = create_badge(api, name="Old one", ended=True)
    detail = marketing.get(f"/badges/{ended['id']}/")
    assert "Deactivate…" not in text(detail)  # not offered
    response = marketing.post(f"/badges/{ended['id']}/activation/", {"to": "deactivate"})
    assert response.status_code == 400
    assert "(code 9002)" in text(response)


def test_a_bad_activation_word_is_refused(marketing, badge):
    assert (
        marketing.post(f"/badges/{badge['id']}/activation/", {"to": "explode"}).status_code == 400
    )


# --- claims -----------------------------------------------------------------------------------


def test_claiming_without_htmx_redirects_back_to_the_claims(marketing, badge, api):
    response = marketing.post(
        f"/badges/{badge['id']}/claim/", {"owner_type": "Journeys", "reference_id": "J-7"}
    )
    assert response["Location"] == f"/badges/{badge['id']}/#claims"
    claims = api.get(f"badgeMeta/{badge['id']}")[1]["data"]["ownership"]["claims"]
    assert claims == [{"ownerType": "Journeys", "referenceId": "J-7", "isActive": True}]
    assert "Claimed for Journeys J-7." in text(marketing.get(response["Location"]))


def test_claiming_over_htmx_swaps_the_claims_region(marketing, badge):
    response = marketing.post(
        f"/badges/{badge['id']}/claim/",
        {"owner_type": "Loyalty", "reference_id": "LP-1"},
        headers=htmx("claims"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="claims"') and "<html" not in html
    assert "Claimed for Loyalty LP-1." in text(response)
    assert "LP-1" in html and 'name="reference_id" value="LP-1"' in html  # its unclaim form


def test_a_claim_refused_by_the_api_keeps_the_input_and_shows_the_code(marketing, badge, api):
    api.put(f"badgeMeta/{badge['id']}/deactivate")
    response = marketing.post(
        f"/badges/{badge['id']}/claim/",
        {"owner_type": "Journeys", "reference_id": "J-7"},
        headers=htmx("claims"),
    )
    assert response.status_code == 400
    assert "(code 9003)" in text(response)
    assert 'value="J-7"' in response.content.decode()


def test_a_claim_for_an_owner_the_badge_does_not_have_is_refused_on_the_field(marketing, badge):
    response = marketing.post(
        f"/badges/{badge['id']}/claim/", {"owner_type": "Milestones", "reference_id": "M-1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_owner_type_error"' in html and 'value="M-1"' in html


def test_unclaiming(marketing, badge, api):
    api.post(f"badgeMeta/{badge['id']}/claim", {"ownerType": "Loyalty", "referenceId": "LP-1"})
    response = marketing.post(
        f"/badges/{badge['id']}/unclaim/",
        {"owner_type": "Loyalty", "reference_id": "LP-1"},
        headers=htmx("claims"),
    )
    assert response.status_code == 200
    assert "The claim of Loyalty LP-1 is removed." in text(response)
    assert "Removed claims" in text(response)
    again = marketing.post(
        f"/badges/{badge['id']}/unclaim/", {"owner_type": "Loyalty", "reference_id": "LP-1"}
    )
    assert again.status_code == 400 and "(code 737)" in text(again)
