"""The badge builder in a real browser: build, preview, publish, duplicate names, roles, rows."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from badge_rules.windows import FixedWindowSpec, window_count
from tests.e2e.conftest import sign_in, wait_for_htmx
from tests.ui.helpers import create_badge

pytestmark = pytest.mark.e2e


def local(days: int) -> tuple[str, datetime]:
    """A datetime-local value at midnight UTC (the test org's timezone) `days` from today."""
    moment = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return moment.strftime("%Y-%m-%dT%H:%M"), moment


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def badge_png(tmp_path):
    path = tmp_path / "latte-earned.png"
    buffer = io.BytesIO()
    Image.new("RGB", (240, 240), (79, 70, 229)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def open_builder(page):
    sign_in(page, "mia")
    page.get_by_role("link", name="New badge").click()
    expect(page.get_by_role("heading", name="New badge", level=1)).to_be_visible()
    wait_for_htmx(page)


def test_a_marketing_manager_builds_previews_and_publishes_a_badge(page, media, badge_png):
    open_builder(page)
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Before you publish")

    page.get_by_label("Name", exact=True).fill("Weekly latte")
    expect(page.locator("#name-check")).to_have_text("Available")
    page.get_by_label("Description").fill("Buy a latte, once a week")
    start_value, start = local(1)
    end_value, end = local(85)
    page.get_by_label("Starts", exact=True).fill(start_value)
    page.get_by_label("Ends", exact=True).fill(end_value)
    expect(preview).to_contain_text("Upcoming")

    # A weekly fixed window for each customer.
    page.get_by_role("button", name="Add a limit per customer").click()
    wait_for_htmx(page)
    window = page.get_by_role("group", name="Customer limit 1")
    expect(window.get_by_label("Type of limit")).to_have_value("FIXED_WINDOW")
    expect(window.get_by_label("Per")).to_have_value("WEEKS")
    window.get_by_label("At most").fill("1")
    weeks = window_count(FixedWindowSpec("WEEKS"), first_day=start.date(), last_day=end.date())
    expect(preview).to_contain_text("At most 1 per week starting Monday")
    expect(preview).to_contain_text(f"{weeks} cycles")

    # The preview follows the window: calendar months, then back to weeks.
    window.get_by_label("Per").select_option("MONTHS")
    wait_for_htmx(page)
    months = window_count(FixedWindowSpec("MONTHS"), first_day=start.date(), last_day=end.date())
    expect(preview).to_contain_text("At most 1 per calendar month")
    expect(preview).to_contain_text(f"{months} cycles")
    expect(window.get_by_label("Weeks start on")).to_have_count(0)
    window.get_by_label("Per").select_option("WEEKS")
    wait_for_htmx(page)
    expect(preview).to_contain_text(f"{weeks} cycles")
    expect(window.get_by_label("At most")).to_have_value("1")  # kept through both switches

    # A rolling limit: at most 2 in any 7 days.
    page.get_by_role("button", name="Add a limit per customer").click()
    wait_for_htmx(page)
    rolling = page.get_by_role("group", name="Customer limit 2")
    expect(rolling.get_by_label("Type of limit")).to_have_value("ROLLING_WINDOW")
    rolling.get_by_label("At most").first.fill("2")
    rolling.get_by_label("In any … days").fill("7")
    expect(preview).to_contain_text("At most 2 in any 7 days")

    # A benefit and an image.
    page.get_by_role("button", name="Add a benefit").click()
    wait_for_htmx(page)
    page.get_by_role("group", name="Benefit 1").get_by_label("Series id").fill("13686")
    page.get_by_role("button", name="Add an image").click()
    wait_for_htmx(page)
    image = page.get_by_role("group", name="Image 1")
    image.get_by_label("Shown when").select_option("EARNED")
    image.get_by_label("Upload a file").set_input_files(badge_png)
    wait_for_htmx(page)
    expect(image.get_by_role("img", name="Image 1: earned")).to_be_visible()
    expect(image.get_by_label("Image name")).to_have_value("latte-earned")

    expect(preview).to_contain_text("Ready to publish.")
    preview.get_by_text("JSON sent to the badge API").click()
    expect(preview.locator("pre")).to_contain_text(
        '"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW"'
    )
    expect(preview.locator("pre")).to_contain_text("/media/badge-images/")

    page.get_by_role("button", name="Publish badge").click()
    expect(page.get_by_role("heading", name="Weekly latte", level=1)).to_be_visible()
    expect(page.get_by_text("“Weekly latte” is published.")).to_be_visible()
    expect(page.get_by_text("At most 1 per week starting Monday")).to_be_visible()
    expect(page.get_by_text("At most 2 in any 7 days")).to_be_visible()

    # It is in the catalogue, with its thumbnail, and opens from there.
    page.get_by_role("link", name="Badges", exact=True).click()
    wait_for_htmx(page)
    with page.expect_response(re.compile(r"/badges/\?.*q=Weekly")):
        page.get_by_label("Search by name").fill("Weekly latte")
    wait_for_htmx(page)
    page.get_by_role("link", name="Weekly latte").click()
    expect(page.get_by_role("heading", name="Weekly latte", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Fixed-window cycles")).to_be_visible()


def test_a_duplicate_name_shows_on_the_name_field_with_everything_else_kept(page, api, media):
    create_badge(api, name="Morning coffee")
    open_builder(page)
    page.get_by_label("Name", exact=True).fill("Morning coffee")
    expect(page.locator("#name-check")).to_have_text("Already used by another badge")
    start_value, _ = local(2)
    end_value, _ = local(30)
    page.get_by_label("Starts", exact=True).fill(start_value)
    page.get_by_label("Ends", exact=True).fill(end_value)
    page.get_by_label("Journeys").check()
    page.get_by_role("button", name="Add a limit for all customers together").click()
    wait_for_htmx(page)
    page.get_by_role("group", name="Limit for everyone 1").get_by_label("At most").fill("500")
    page.get_by_role("button", name="Add a tag").click()
    wait_for_htmx(page)
    page.get_by_label("Tag name").fill("channel")
    page.get_by_label("Value").fill("store")

    page.get_by_role("button", name="Publish badge").click()
    page.wait_for_load_state()
    page.console_problems.clear()  # the browser logs the 400 the refused form answers

    name = page.get_by_label("Name", exact=True)
    expect(page.locator("#id_name_error")).to_have_text("Badge name cannot be duplicate (code 725)")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text(
        "1 thing to fix before the badge can be published"
    )
    expect(page.locator("#error-summary")).to_be_focused()
    expect(name).to_have_value("Morning coffee")
    expect(page.get_by_label("Starts", exact=True)).to_have_value(start_value)
    expect(page.get_by_label("Ends", exact=True)).to_have_value(end_value)
    expect(page.get_by_label("Journeys")).to_be_checked()
    expect(
        page.get_by_role("group", name="Limit for everyone 1").get_by_label("At most")
    ).to_have_value("500")
    expect(page.get_by_label("Tag name")).to_have_value("channel")
    expect(page.get_by_label("Value")).to_have_value("store")

    # Fixing the name publishes.
    name.fill("Morning coffee, take two")
    expect(page.locator("#name-check")).to_have_text("Available")
    page.get_by_role("button", name="Publish badge").click()
    expect(page.get_by_role("heading", name="Morning coffee, take two", level=1)).to_be_visible()


def test_a_support_agent_cannot_open_the_builder(page, api):
    badge = create_badge(api, name="Read-only latte")
    sign_in(page, "sam")
    expect(page.get_by_role("link", name="New badge")).to_have_count(0)
    page.goto(f"/badges/{badge['id']}/")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Duplicate")).to_have_count(0)
    for path in (
        "/badges/new/",
        f"/badges/{badge['id']}/edit/",
        f"/badges/{badge['id']}/duplicate/",
    ):
        response = page.goto(path)
        assert response.status == 403
        expect(
            page.get_by_role("heading", name="This page is not open to your role")
        ).to_be_visible()
    page.console_problems.clear()  # the browser logs the expected 403s


def test_adding_and_removing_rows_keeps_typed_values(page):
    open_builder(page)
    page.get_by_label("Name", exact=True).fill("Typed and kept")
    for _ in range(3):
        page.get_by_role("button", name="Add a tag").click()
        wait_for_htmx(page)
    expect(page.get_by_role("group", name="Tag 3")).to_be_visible()
    for number, (tag, value) in enumerate([("a", "1"), ("b", "2"), ("c", "3")], start=1):
        row = page.get_by_role("group", name=f"Tag {number}")
        row.get_by_label("Tag name").fill(tag)
        row.get_by_label("Value").fill(value)

    page.get_by_role("button", name="Add a limit per customer").click()
    wait_for_htmx(page)
    expect(page.get_by_role("heading", name="Customer limit 1")).to_be_focused()  # focus follows
    limit = page.get_by_role("group", name="Customer limit 1")
    limit.get_by_label("At most").fill("4")

    page.get_by_role("button", name="Remove tag 2").click()
    wait_for_htmx(page)
    expect(page.get_by_role("group", name="Tag 3")).to_have_count(0)
    first, second = page.get_by_role("group", name="Tag 1"), page.get_by_role("group", name="Tag 2")
    expect(first.get_by_label("Tag name")).to_have_value("a")
    expect(second.get_by_label("Tag name")).to_have_value("c")
    expect(second.get_by_label("Value")).to_have_value("3")
    expect(page.get_by_role("button", name="Add a tag")).to_be_focused()

    page.get_by_role("button", name="Add a tag").click()
    wait_for_htmx(page)
    expect(page.get_by_role("group", name="Tag 3").get_by_label("Tag name")).to_have_value("")
    expect(first.get_by_label("Value")).to_have_value("1")
    expect(limit.get_by_label("At most")).to_have_value("4")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Typed and kept")

    # Switching a row's type re-renders only that row.
    limit.get_by_label("Type of limit").select_option("FIXED_VALUE")
    wait_for_htmx(page)
    expect(limit.get_by_label("Per")).to_have_count(0)
    expect(limit.get_by_label("At most")).to_have_value("4")
    expect(page.locator("#preview")).to_contain_text("At most 4 while the badge runs")
    expect(page.get_by_role("group", name="Tag 2").get_by_label("Value")).to_have_value("3")
