"""The console in a real browser: sign-in, the HTMX catalogue, a badge, roles."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in, wait_for_htmx
from tests.ui.helpers import create_badge

pytestmark = pytest.mark.e2e


@pytest.fixture
def badges(api, console_server):
    return {
        "live": create_badge(
            api,
            name="Live latte",
            live=True,
            customerConstraints=[
                {
                    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                    "durationType": "WEEKS",
                    "startDayOfTheWeek": "MONDAY",
                    "maxEarnLimit": 1,
                }
            ],
        ),
        "upcoming": create_badge(api, name="Upcoming coffee"),
    }


def test_a_marketing_manager_filters_by_status_with_htmx_and_opens_a_badge(page, badges):
    sign_in(page, "mia")
    expect(page.get_by_role("heading", name="Badges", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Upcoming coffee")).to_be_visible()
    wait_for_htmx(page)
    page.evaluate("window.__sameDocument = true")

    with page.expect_response(re.compile(r"/badges/\?.*status=LIVE")):
        page.get_by_label("Status").select_option("LIVE")
    wait_for_htmx(page)

    expect(page).to_have_url(re.compile(r"/badges/\?status=LIVE$"))
    expect(page.get_by_role("link", name="Upcoming coffee")).to_have_count(0)
    expect(page.get_by_role("heading", name="1 badge")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, no page load

    page.get_by_role("link", name="Live latte").click()
    expect(page.get_by_role("heading", name="Live latte", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Fixed-window cycles")).to_be_visible()
    expect(page.locator("tr.is-current")).to_have_count(1)

    page.go_back()
    expect(page.get_by_label("Status")).to_have_value(
        "LIVE"
    )  # the bookmarkable URL renders the filter


def test_the_name_search_updates_the_list_as_you_type(page, badges):
    sign_in(page, "mia")
    wait_for_htmx(page)
    with page.expect_response(re.compile(r"/badges/\?.*q=latte")):
        page.get_by_label("Search by name").fill("latte")
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"q=latte"))
    expect(page.get_by_role("link", name="Upcoming coffee")).to_have_count(0)
    expect(page.get_by_role("link", name="Live latte")).to_be_visible()


def test_deactivating_asks_inline_then_shows_the_new_state(page, badges):
    sign_in(page, "mia")
    page.goto(f"/badges/{badges['live']['id']}/")
    wait_for_htmx(page)
    page.get_by_role("link", name="Deactivate…").click()
    wait_for_htmx(page)
    confirm = page.get_by_role("region", name="Deactivate “Live latte”?")
    expect(confirm).to_be_visible()
    expect(page).to_have_url(
        re.compile(rf"/badges/{badges['live']['id']}/$")
    )  # still the detail page
    expect(confirm.get_by_role("button", name="Yes, deactivate")).to_be_focused()
    confirm.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_text("“Live latte” is deactivated.")).to_be_visible()
    expect(page.get_by_role("link", name="Activate…")).to_be_visible()


def test_claiming_swaps_the_claims_panel(page, badges):
    sign_in(page, "mia")
    page.goto(f"/badges/{badges['live']['id']}/")
    wait_for_htmx(page)
    page.get_by_label("Reference id").fill("LP-2026")
    page.get_by_role("button", name="Claim", exact=True).click()
    wait_for_htmx(page)
    expect(page.get_by_text("Claimed for Loyalty LP-2026.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove the claim of Loyalty LP-2026")).to_be_visible()


def test_a_support_agent_sees_no_write_buttons_and_gets_403_on_a_write_url(page, badges):
    sign_in(page, "sam")
    expect(page.get_by_role("link", name="Badge groups")).to_have_count(0)
    page.goto(f"/badges/{badges['live']['id']}/")
    expect(page.get_by_role("heading", name="Live latte", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Deactivate|Activate"))).to_have_count(0)
    expect(page.get_by_role("button", name="Claim", exact=True)).to_have_count(0)
    expect(page.get_by_label("Reference id")).to_have_count(0)

    response = page.goto(f"/badges/{badges['live']['id']}/activation/?to=deactivate")
    assert response.status == 403
    expect(page.get_by_role("heading", name="This page is not open to your role")).to_be_visible()
    page.console_problems.clear()  # the browser logs the expected 403


def test_the_catalogue_works_from_the_keyboard(page, badges):
    sign_in(page, "mia")
    wait_for_htmx(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("Status").focus()
    with page.expect_response(re.compile(r"status=")):
        page.keyboard.press("ArrowDown")  # Any -> Live
        page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"status=LIVE"))
