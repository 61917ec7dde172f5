"""The earns-per-day chart in a real browser: drawn without script or inline style (the page
fixture fails on any CSP violation), ranges swapped in place with HTMX and kept in the URL."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from badge_rules.timestamps import to_iso
from tests.e2e.conftest import sign_in, wait_for_htmx
from tests.lifecycle import TRIGGER, earn_bulk_body, make_customers
from tests.ui.helpers import create_badge

pytestmark = pytest.mark.e2e

# customers earning on each of the last days (index 0 = today)
EARNS_BY_DAYS_AGO = [3, 5, 0, 8, 6, 2, 0, 4, 7, 9, 3, 1, 0, 2, 5, 6, 4, 2, 1, 3]


@pytest.fixture
def earned(api, org, console_server):
    started = to_iso(datetime.now(UTC) - timedelta(days=40))
    badge = create_badge(api, name="Daily stretch", live=True, startOnISO=started)
    assert api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)[0] == 200
    make_customers(org, range(1, sum(EARNS_BY_DAYS_AGO) + 1))
    next_customer = 1
    now = datetime.now(UTC)
    for days_ago, count in enumerate(EARNS_BY_DAYS_AGO):
        if not count:
            continue
        customers = range(next_customer, next_customer + count)
        next_customer += count
        when = now - timedelta(days=days_ago) if days_ago else now
        body = earn_bulk_body(badge, customers, earnEventDateISO=to_iso(when))
        assert api.post("customer/earnBulk", body)[0] == 200
    return badge


def test_the_chart_shows_real_earns_and_changes_range_in_place(page, earned):
    sign_in(page, "mia")
    page.goto(f"/badges/{earned['id']}/")
    wait_for_htmx(page)
    chart = page.get_by_role("img", name=re.compile("Earns per day of Daily stretch"))
    expect(chart).to_be_visible()
    card = page.locator("#earns-per-day")
    expect(card.locator(".chart-summary dd").first).to_have_text(str(sum(EARNS_BY_DAYS_AGO)))
    expect(card.locator("rect.chart__bar")).to_have_count(
        len([count for count in EARNS_BY_DAYS_AGO if count])
    )
    page.locator("#earns-per-day").screenshot(path="/tmp/earns_per_day_30.png")
    page.evaluate("window.__sameDocument = true")

    with page.expect_response(re.compile(r"\?days=7$")):
        card.get_by_role("link", name="7 days").click()
    wait_for_htmx(page)

    expect(page).to_have_url(re.compile(r"/badges/\w+/\?days=7$"))
    assert page.evaluate("window.__sameDocument") is True
    week = sum(EARNS_BY_DAYS_AGO[:7])
    expect(card.locator(".chart-summary dd").first).to_have_text(str(week))
    expect(card.get_by_role("link", name="7 days")).to_have_attribute("aria-current", "true")
    expect(card.get_by_role("link", name="7 days")).to_be_focused()
    card.get_by_text("Show the numbers").click()
    expect(card.locator("tbody tr")).to_have_count(7)
    page.locator("#earns-per-day").screenshot(path="/tmp/earns_per_day_7.png")
    page.screenshot(path="/tmp/badge_detail_page.png", full_page=True)
