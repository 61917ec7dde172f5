"""The badge detail page: readable settings, cycles and their earns, the earns-per-day chart,
activation with confirmation, claims."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import responses

from badge_rules.timestamps import to_iso
from tests.lifecycle import TRIGGER, earn_bulk_body, make_customers
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
    first_page = text(marketing.get(f"/badges/{badge['id']}/?cycles_page=1"))
    assert "Cycles 1–10 of" in first_page
    assert (
        "1 Per customer · weekly 5 Jan 2026 11 Jan 2026 7 1 0 Past" in first_page
    )  # starts on the badge's Monday; nobody has earned it yet


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


# --- earns: the cycles' counts and the earns-per-day chart -------------------------------------


def _monday() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@pytest.fixture
def earned(api, org, console_api):
    """A badge of five weeks (two before this one) with weekly windows for each customer and for
    everyone, earned through the API: once on the Sunday before this week, twice now."""
    monday = _monday()
    badge = create_badge(
        api,
        name="Weekly walker",
        live=True,
        startOnISO=f"{monday - timedelta(days=14)}T00:00:00Z",
        expiresOnISO=f"{monday + timedelta(days=20)}T12:00:00Z",
        customerConstraints=[WEEKLY],
        badgeConstraints=[WEEKLY | {"constraintType": "BADGE_FIXED_WINDOW", "maxEarnLimit": 100}],
    )
    assert api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)[0] == 200
    make_customers(org, [1, 2, 3])
    sunday_noon = datetime.combine(monday - timedelta(days=1), time(12), UTC)
    for customers, extra in (([1], {"earnEventDateISO": to_iso(sunday_noon)}), ([2, 3], {})):
        status, envelope = api.post("customer/earnBulk", earn_bulk_body(badge, customers, **extra))
        assert status == 200 and "error" not in str(envelope["data"]["issuedBadges"]), envelope
    return badge


def test_each_cycle_shows_how_often_everyone_earned_in_it(marketing, earned):
    monday = _monday()
    body = text(marketing.get(f"/badges/{earned['id']}/?cycles_page=1"))

    assert "“Earned” counts every customer's earns in the cycle" in body
    weeks = [monday - timedelta(days=14), monday - timedelta(days=7), monday]
    for level, limit in (("Per customer", 1), ("All customers", 100)):
        for number, (first, count, status) in enumerate(
            zip(weeks, (0, 1, 2), ("Past", "Past", "Current")), start=1
        ):
            days = f"{_day(first)} {_day(first + timedelta(days=6))} 7"
            row = f"{number} {level} · weekly {days} {limit} {count} {status}"
            assert row in body, row


def test_the_chart_draws_the_earns_of_each_day(marketing, earned):
    today = datetime.now(UTC).date()
    response = marketing.get(f"/badges/{earned['id']}/")

    assert response.status_code == 200
    html, body = response.content.decode(), text(response)
    first = today - timedelta(days=29)
    assert f"Earns per day {_day(first)} – {_day(today)} · days in UTC" in body
    assert f"Total 3 Peak day 2 on {today:%a} {today.day} {today:%b} Daily average 0.1" in body
    assert (
        f"A bar per day from {_day(first)} to {_day(today)}: 3 earns in total, "
        f"the most on {_day(today)} (2)." in body
    )
    start = _monday() - timedelta(days=14)
    assert f"Badge starts {_day(start)}" in body  # the days before it are not "no earns"
    assert f"The badge started on {_day(start)}." in body
    assert html.count('<rect class="chart__bar') == 2  # last Sunday and today
    assert f"<title>{today:%a} {_day(today)}: 2 earns</title>" in html
    assert 'class="chart__bar chart__bar--peak"' in html
    ticks = re.findall(r'dominant-baseline="middle">([\d,]+)</text>', html)
    assert ticks == ["0", "1", "2"]  # whole earns up to the busiest day
    # the same numbers as a table, every day of the range, quiet days as 0
    rows = re.findall(r"<tr><td>(\w+ \d+ \w+ \d+)</td><td class=\"num\">(\d+)</td></tr>", html)
    assert len(rows) == 30
    assert rows[-1] == (f"{today:%a} {_day(today)}", "2")
    assert sum(int(count) for _, count in rows) == 3
    assert '<a class="segmented__item" href="' in html and 'aria-current="true"' in html
    assert "style=" not in html.split('id="earns-per-day"')[1].split("</section>")[0]


def test_a_range_is_chosen_in_the_url(marketing, earned):
    body = text(marketing.get(f"/badges/{earned['id']}/?days=7&cycles_page=2"))
    today = datetime.now(UTC).date()
    assert f"Earns per day {_day(today - timedelta(days=6))} – {_day(today)}" in body
    unknown = text(marketing.get(f"/badges/{earned['id']}/?days=1000"))
    assert f"Earns per day {_day(today - timedelta(days=29))} – {_day(today)}" in unknown


def test_the_range_chooser_swaps_only_the_chart_over_htmx(marketing, earned):
    url = f"/badges/{earned['id']}/?days=90"
    response = marketing.get(url, headers=htmx("earns-per-day"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="earns-per-day"') and "<html" not in html
    assert 'id="cycles"' not in html
    assert len(re.findall(r"<tr><td>\w+ \d+ \w+ \d+</td>", html)) == 90
    assert response["HX-Push-Url"] == url
    assert (
        f'href="/badges/{earned["id"]}/?days=90#earns-per-day" hx-get="{url}" '
        'hx-target="#earns-per-day" hx-swap="outerHTML" aria-current="true"'
    ) in html
    assert "Total 3" in text(response)


def test_without_earns_the_chart_says_so(marketing, badge):
    response = marketing.get(f"/badges/{badge['id']}/")
    html = response.content.decode()
    assert "No earns between" in text(response) and "<svg" not in html
    assert "Choose a longer range to look further back." in text(response)


def test_an_upcoming_badge_says_when_earns_can_start(marketing, api, console_api):
    upcoming = create_badge(
        api, startOnISO="2099-01-02T10:00:00Z", expiresOnISO="2099-03-01T00:00:00Z"
    )
    body = text(marketing.get(f"/badges/{upcoming['id']}/"))
    assert "The badge starts on 2 Jan 2099, 10:00; earns will show here from then." in body


def test_an_ended_badge_shows_its_last_days(marketing, api, console_api):
    ended = create_badge(
        api,
        name="Summer",
        live=True,
        startOnISO="2026-06-01T00:00:00Z",
        expiresOnISO="2026-08-31T18:00:00Z",
    )
    body = text(marketing.get(f"/badges/{ended['id']}/?days=7"))
    assert "Earns per day 25 Aug 2026 – 31 Aug 2026" in body


def test_when_the_api_is_down_the_chart_says_so_in_its_place(
    marketing, earned, settings, closed_port_url
):
    settings.BADGES_API_URL = closed_port_url
    response = marketing.get(f"/badges/{earned['id']}/?days=7", headers=htmx("earns-per-day"))

    assert response.status_code == 503  # htmx swaps it in (base.html's responseHandling)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="earns-per-day"')
    assert "The badge API is not answering" in text(response)
    assert "7 days" in text(response)  # the chooser stays, to try again


@pytest.fixture
def earns_endpoint(console_api, earned):
    """The real API for everything but earnsPerDay, whose answer each test chooses."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(console_api.url)
        path = r"/api_gateway/v1/badges/badgeMeta/\w+/earnsPerDay"
        yield mock, re.compile(re.escape(console_api.url) + path)


def test_a_failing_chart_leaves_the_rest_of_the_page(marketing, earned, earns_endpoint):
    mock, url = earns_endpoint
    mock.get(url, status=503, json={"data": None, "errors": [], "warnings": None})

    response = marketing.get(f"/badges/{earned['id']}/")

    assert response.status_code == 200
    body = text(response)
    assert "Earns per day" in body and "The badge API is not answering" in body
    for region in ("Weekly walker", "Fixed-window cycles", "Owners and claims"):
        assert region in body


def test_an_api_without_the_extension_shows_no_chart_and_no_customer_cycle_counts(
    marketing, earned, earns_endpoint
):
    mock, url = earns_endpoint
    not_found = {"data": None, "errors": [{"code": 404, "message": "Not found"}], "warnings": None}
    mock.get(url, status=404, json=not_found)

    body = text(marketing.get(f"/badges/{earned['id']}/?cycles_page=1"))

    assert "This badge API does not report earns per day." in body
    week = f"{_day(_monday())} {_day(_monday() + timedelta(days=6))} 7"
    assert f"3 Per customer · weekly {week} 1 — Current" in body
    assert f"3 All customers · weekly {week} 100 2 Current" in body  # the API's includeEarnCount
