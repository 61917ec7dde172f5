"""The badge builder in a real browser: build, preview, publish, duplicate names, roles, rows,
keyboard and layout. Any Content Security Policy violation fails the test it happens in."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from badge_rules.windows import FixedWindowSpec, window_count
from tests.e2e.conftest import sign_in, wait_for_htmx
from tests.ui.builder_posts import local, raster
from tests.ui.helpers import create_badge

pytestmark = pytest.mark.e2e

# How Chromium words a CSP violation in the console, and how the listener below reports one.
CSP_WORDS = ("Content Security Policy", "CSP violation")


@pytest.fixture(autouse=True)
def no_csp_violations(page):
    """Kept apart from the page's other console errors, which a test may expect and forget."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if any(words in message.text for words in CSP_WORDS)
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (event) => console.error("
        "'CSP violation: ' + event.violatedDirective + ' ' + (event.blockedURI || 'inline')));"
    )
    yield
    assert violations == [], f"Content Security Policy violations: {violations}"


def forget_expected(page, status: int) -> None:
    """The browser logs the HTTP error status a refused page answers; only those are expected."""
    page.console_problems[:] = [
        problem for problem in page.console_problems if f"status of {status}" not in problem
    ]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def badge_png(tmp_path):
    path = tmp_path / "latte-earned.png"
    path.write_bytes(raster(240, 240))
    return path


def midnight(days: int) -> tuple[str, datetime]:
    """A datetime-local value at midnight UTC (the test org's timezone) `days` from today."""
    value = local(days, hour=0)
    return value, datetime.fromisoformat(value).replace(tzinfo=UTC)


def open_builder(page):
    sign_in(page, "mia")
    page.get_by_role("link", name="New badge").click()
    expect(page.get_by_role("heading", name="New badge", level=1)).to_be_visible()
    wait_for_htmx(page)


def fill_dates(page, first: int, last: int) -> tuple[tuple[str, datetime], tuple[str, datetime]]:
    """Starts and Ends at midnight `first` and `last` days from today; answers both as typed."""
    start, end = midnight(first), midnight(last)
    page.get_by_label("Starts", exact=True).fill(start[0])
    page.get_by_label("Ends", exact=True).fill(end[0])
    return start, end


def add_row(page, button: str, row: str):
    """Press an "Add ..." button and answer the row it adds, once htmx has drawn it."""
    page.get_by_role("button", name=button).click()
    wait_for_htmx(page)
    return page.get_by_role("group", name=row)


def test_a_marketing_manager_builds_previews_and_publishes_a_badge(page, media, badge_png):
    open_builder(page)
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Before you publish")

    page.get_by_label("Name", exact=True).fill("Weekly latte")
    expect(page.locator("#name-check")).to_have_text("Available")
    page.get_by_label("Description").fill("Buy a latte, once a week")
    (_, start), (_, end) = fill_dates(page, 1, 85)
    expect(preview).to_contain_text("Upcoming")

    # A weekly fixed window for each customer.
    window = add_row(page, "Add a limit per customer", "Customer limit 1")
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
    rolling = add_row(page, "Add a limit per customer", "Customer limit 2")
    expect(rolling.get_by_label("Type of limit")).to_have_value("ROLLING_WINDOW")
    rolling.get_by_label("At most").first.fill("2")
    rolling.get_by_label("In any … days").fill("7")
    expect(preview).to_contain_text("At most 2 in any 7 days")

    # A benefit and an image.
    add_row(page, "Add a benefit", "Benefit 1").get_by_label("Series id").fill("13686")
    image = add_row(page, "Add an image", "Image 1")
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
    expect(page.get_by_role("img", name="Weekly latte, earned")).to_be_visible()
    expect(page.get_by_role("region", name="Benefits")).to_contain_text("13686")

    # It is in the catalogue, with its thumbnail, and opens from there.
    page.get_by_role("link", name="Badges", exact=True).click()
    wait_for_htmx(page)
    with page.expect_response(re.compile(r"/badges/\?.*q=Weekly")):
        page.get_by_label("Search by name").fill("Weekly latte")
    wait_for_htmx(page)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Weekly latte"))
    expect(row.locator("img")).to_have_attribute(
        "src", re.compile(r"/media/badge-images/\w+\.png$")
    )
    page.get_by_role("link", name="Weekly latte").click()
    expect(page.get_by_role("heading", name="Weekly latte", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Fixed-window cycles")).to_be_visible()


def test_a_duplicate_name_shows_on_the_name_field_with_everything_else_kept(page, api, media):
    create_badge(api, name="Morning coffee")
    open_builder(page)
    page.get_by_label("Name", exact=True).fill("Morning coffee")
    expect(page.locator("#name-check")).to_have_text("Already used by another badge")
    (start_value, _), (end_value, _) = fill_dates(page, 2, 30)
    page.get_by_label("Journeys").check()
    overall = add_row(page, "Add a limit for all customers together", "Limit for everyone 1")
    overall.get_by_label("At most").fill("500")
    tag = add_row(page, "Add a tag", "Tag 1")
    tag.get_by_label("Tag name").fill("channel")
    tag.get_by_label("Value").fill("store")

    page.get_by_role("button", name="Publish badge").click()
    page.wait_for_load_state()
    forget_expected(page, 400)  # the refused form answers 400

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
    expect(overall.get_by_label("At most")).to_have_value("500")
    expect(tag.get_by_label("Tag name")).to_have_value("channel")
    expect(tag.get_by_label("Value")).to_have_value("store")

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
    forget_expected(page, 403)


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

    limit = add_row(page, "Add a limit per customer", "Customer limit 1")
    expect(limit.get_by_role("heading", name="Customer limit 1")).to_be_focused()  # focus follows
    limit.get_by_label("At most").fill("4")

    page.get_by_role("button", name="Remove tag 2").click()
    wait_for_htmx(page)
    expect(page.get_by_role("group", name="Tag 3")).to_have_count(0)
    first, second = page.get_by_role("group", name="Tag 1"), page.get_by_role("group", name="Tag 2")
    expect(first.get_by_label("Tag name")).to_have_value("a")
    expect(second.get_by_label("Tag name")).to_have_value("c")
    expect(second.get_by_label("Value")).to_have_value("3")
    expect(page.get_by_role("button", name="Add a tag")).to_be_focused()

    expect(add_row(page, "Add a tag", "Tag 3").get_by_label("Tag name")).to_have_value("")
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


UNLABELLED_INPUTS = """() => Array.from(document.querySelectorAll('#builder input, #builder select, #builder textarea'))
  .filter((input) => input.type !== 'hidden' && !input.closest('[hidden], .visually-hidden'))
  .filter((input) => !(input.labels && input.labels.length) && !input.getAttribute('aria-label'))
  .map((input) => input.name)"""
UNDER_THE_PREVIEW = """() => {
  const edge = document.querySelector('#preview').getBoundingClientRect().left;
  return Array.from(document.querySelectorAll('#builder *'))
    .filter((element) => element.getBoundingClientRect().right > edge)
    .map((element) => element.tagName + '.' + element.className);
}"""
FOCUS_IS_DRAWN = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.boxShadow !== 'none' || (style.outlineStyle !== 'none' && style.outlineWidth !== '0px');
}"""


def test_the_builder_works_from_the_keyboard_with_visible_focus_and_a_label_on_every_input(page):
    open_builder(page)
    page.get_by_label("Name", exact=True).fill("Keyboard latte")
    add_tag = page.get_by_role("button", name="Add a tag")
    add_tag.focus()
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    row = page.get_by_role("group", name="Tag 1")
    expect(row.get_by_role("heading", name="Tag 1")).to_be_focused()  # focus follows the new row
    page.keyboard.press("Tab")
    expect(row.get_by_label("Tag name")).to_be_focused()
    assert page.evaluate(FOCUS_IS_DRAWN)
    page.keyboard.type("channel")
    page.keyboard.press("Tab")
    page.keyboard.type("store")
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name="Remove tag 1")).to_be_focused()
    assert page.evaluate(FOCUS_IS_DRAWN)

    # A limit's type chosen from the keyboard redraws its row; the typed tag stays.
    page.get_by_role("button", name="Add a limit per customer").focus()
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    limit = page.get_by_role("group", name="Customer limit 1")
    limit.get_by_label("Type of limit").focus()
    page.keyboard.press("ArrowDown")  # a closed select changes value with the arrow keys
    wait_for_htmx(page)
    expect(limit.get_by_label("In any … weeks")).to_be_visible()
    expect(row.get_by_label("Tag name")).to_have_value("channel")
    assert page.evaluate(UNLABELLED_INPUTS) == []

    page.get_by_role("button", name="Remove tag 1").focus()
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(page.get_by_role("group", name="Tag 1")).to_have_count(0)
    expect(add_tag).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Keyboard latte")


@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_the_preview_stays_beside_the_form_from_a_laptop_to_a_large_screen(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    open_builder(page)
    fill_dates(page, 1, 120)
    add_row(page, "Add a limit per customer", "Customer limit 1").get_by_label("At most").fill("1")
    preview = page.locator("#preview")
    expect(preview.get_by_role("list", name="Cycles of this limit")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    assert page.evaluate(UNDER_THE_PREVIEW) == []  # beside the form, covering none of it
    assert preview.bounding_box()["width"] >= 320
    # Scrolled down the form, the preview stays at the top of the window (it sticks).
    page.get_by_role("heading", name="Expiry", level=2).evaluate("(h2) => h2.scrollIntoView()")
    expect(page.get_by_role("heading", name="The badge")).not_to_be_in_viewport()
    assert 0 <= preview.bounding_box()["y"] <= 40
