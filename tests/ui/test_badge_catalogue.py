"""The badge catalogue: filters in the URL, HTMX partials, paging, empty states, API down."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.ui.helpers import create_badge, htmx, text


def names_in(response) -> list[str]:
    """Badge names in the results table, in order."""
    html = response.content.decode()
    return re.findall(r'<a href="/badges/[0-9a-f]{24}/">([^<]+)</a>', html)


@pytest.fixture
def catalogue(api, console_api):
    """Five badges covering the filters' cases."""
    status, envelope = api.post("group", {"name": "Coffee club", "rank": 1})
    group_id = envelope["data"]["id"]
    badges = {
        "upcoming": create_badge(api, name="Upcoming coffee", badgeGroupId=group_id),
        "live": create_badge(
            api,
            name="Live latte",
            live=True,
            ownership={"restrictedToOwners": ["Loyalty", "Journeys"]},
            images=[
                {"tag": "EARNED", "url": "https://img.test/e.png"},
                {"tag": "UN_EARNED", "url": "https://img.test/u.png"},
            ],
        ),
        "ended": create_badge(api, name="Ended espresso", ended=True),
        "inactive": create_badge(api, name="Inactive iced tea", active=False),
        "enrol": create_badge(
            api,
            name="Enrol then earn",
            earnType="ISSUE_EARN",
            issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 7},
        ),
    }
    api.post(
        f"badgeMeta/{badges['live']['id']}/claim", {"ownerType": "Journeys", "referenceId": "J-9"}
    )
    badges["group_id"] = group_id
    return badges


def test_the_catalogue_lists_badges_newest_first_with_status_chips_and_thumbnails(
    marketing, catalogue
):
    response = marketing.get("/badges/")
    assert response.status_code == 200
    assert names_in(response) == [
        "Enrol then earn",
        "Inactive iced tea",
        "Ended espresso",
        "Live latte",
        "Upcoming coffee",
    ]
    html = response.content.decode()
    assert '<span class="chip chip--live">Live</span>' in html
    assert '<span class="chip chip--expired">Ended</span>' in html
    assert '<span class="chip chip--inactive">Deactivated</span>' in html
    assert '<img src="https://img.test/u.png"' in html  # the not-yet-earned image is the thumbnail
    assert "5 badges" in text(response)
    assert "Coffee club" in text(response)  # the group's name, not its id


@pytest.mark.parametrize(
    "query,expected",
    [
        ("status=LIVE", ["Live latte"]),
        ("status=EXPIRED", ["Ended espresso"]),
        ("active=no", ["Inactive iced tea"]),
        ("earn_type=ISSUE_EARN", ["Enrol then earn"]),
        ("owner=Journeys", ["Live latte"]),
        ("claimed=Journeys", ["Live latte"]),
        ("claimed=unclaimed&status=LIVE", []),
        ("q=COFFEE", ["Upcoming coffee"]),
        (
            "sort=name",
            [
                "Ended espresso",
                "Enrol then earn",
                "Inactive iced tea",
                "Live latte",
                "Upcoming coffee",
            ],
        ),
    ],
)
def test_filters_and_sort_come_from_the_url(marketing, catalogue, query, expected):
    response = marketing.get(f"/badges/?{query}")
    assert response.status_code == 200
    assert names_in(response) == expected


def test_the_group_filter(marketing, catalogue):
    response = marketing.get(f"/badges/?group={catalogue['group_id']}")
    assert names_in(response) == ["Upcoming coffee"]
    assert (
        f'<option value="{catalogue["group_id"]}" selected>Coffee club</option>'
        in response.content.decode()
    )


def test_the_filter_form_shows_what_the_url_asks_for(marketing, catalogue):
    html = marketing.get("/badges/?status=LIVE&q=latte").content.decode()
    assert '<option value="LIVE" selected>Live</option>' in html
    assert 'value="latte"' in html


def test_an_htmx_filter_request_answers_only_the_rows_and_pushes_a_clean_url(marketing, catalogue):
    response = marketing.get(
        "/badges/?q=&status=LIVE&active=&earn_type=&owner=&claimed=&group=&sort=newest&size=20",
        headers=htmx("badge-rows"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="badge-rows"')
    assert "<html" not in html and "badge-filters" not in html
    assert names_in(response) == ["Live latte"]
    assert response["HX-Push-Url"] == "/badges/?status=LIVE"


def test_the_same_url_without_htmx_renders_the_whole_page(marketing, catalogue):
    response = marketing.get("/badges/?status=LIVE")
    html = response.content.decode()
    assert "<html" in html and 'id="badge-filters"' in html and 'id="badge-rows"' in html
    assert "HX-Push-Url" not in response


def test_pages_link_with_a_real_href_and_htmx(marketing, api, console_api):
    for number in range(23):
        create_badge(api, name=f"Visit {number:02d}")
    first = marketing.get("/badges/?sort=name")
    assert len(names_in(first)) == 20
    assert "Page 1 of 2" in text(first)
    html = first.content.decode()
    assert (
        '<a class="button button--small" href="/badges/?sort=name&amp;page=2" hx-get="/badges/?sort=name&amp;page=2"'
        in html
    )
    second = marketing.get("/badges/?sort=name&page=2", headers=htmx("badge-rows"))
    assert names_in(second) == ["Visit 20", "Visit 21", "Visit 22"]
    assert second["HX-Push-Url"] == "/badges/?sort=name&page=2"
    assert "Previous" in text(second) and "Showing 21–23" in text(second)
    bigger = marketing.get("/badges/?sort=name&size=50")
    assert len(names_in(bigger)) == 23


def test_filters_that_match_nothing_say_so_and_offer_to_clear(marketing, catalogue):
    response = marketing.get("/badges/?q=nothing-like-this")
    assert "No badges match these filters" in text(response)
    assert 'href="/badges/">Clear filters' in response.content.decode()


def test_an_org_without_badges_gets_a_friendly_empty_state(marketing, console_api):
    response = marketing.get("/badges/")
    assert response.status_code == 200
    assert "No badges yet" in text(response)


def test_bad_filter_values_are_ignored_rather_than_failing(marketing, catalogue):
    response = marketing.get("/badges/?status=BOGUS&page=-3&size=7&sort=sideways")
    assert response.status_code == 200
    assert len(names_in(response)) == 5


def test_when_the_api_is_down_the_catalogue_says_so(marketing, api_down):
    response = marketing.get("/badges/?status=LIVE")
    assert response.status_code == 503
    body = text(response)
    assert "The badge API is not answering" in body and "could not be reached" in body
    assert (
        '<option value="LIVE" selected>Live</option>' in response.content.decode()
    )  # the filters stay


def test_when_the_api_is_down_an_htmx_request_gets_the_message_in_the_rows(marketing, api_down):
    response = marketing.get("/badges/?status=LIVE", headers=htmx("badge-rows"))
    assert response.status_code == 503
    assert response.content.decode().lstrip().startswith('<section id="badge-rows"')
    assert "The badge API is not answering" in text(response)


def test_wrong_api_credentials_say_who_should_fix_what(marketing, settings):
    settings.BADGES_API_PASSWORD = "wrong"
    response = marketing.get("/badges/")
    assert response.status_code == 503
    assert "could not sign in to the badge API" in text(response)


def test_pages_carry_a_strict_content_security_policy_and_no_inline_script(marketing, catalogue):
    response = marketing.get("/badges/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="' in attrs and body.strip() == "" for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+=", html)  # no onclick= and friends
    assert not re.search(r"\sstyle=", html)
    assert "/static/django_htmx/htmx-2" in html  # vendored htmx, no CDN
    assert "https://cdn" not in html


def test_the_base_url_defaults_to_this_server(marketing, catalogue, settings, console_api):
    """With BADGES_API_URL empty the console calls the host the request came to."""
    settings.BADGES_API_URL = ""
    host = urlsplit(console_api.url).netloc
    response = marketing.get("/badges/", HTTP_HOST=host)
    assert response.status_code == 200
    assert len(names_in(response)) == 5


def test_the_push_url_keeps_only_non_default_values(marketing, catalogue):
    response = marketing.get(
        "/badges/?sort=newest&size=20&owner=Loyalty&page=1", headers=htmx("badge-rows")
    )
    assert parse_qs(urlsplit(response["HX-Push-Url"]).query) == {"owner": ["Loyalty"]}


def test_when_the_api_is_slow_the_catalogue_says_so_instead_of_hanging(
    marketing, settings, silent_server
):
    url, accepted = silent_server
    settings.BADGES_API_URL = url
    settings.BADGES_API_TIMEOUT_SECONDS = 0.3
    response = marketing.get("/badges/")
    assert response.status_code == 503
    assert "did not answer within 0.3 seconds" in text(response)


def test_a_page_past_the_end_offers_the_first_page(marketing, catalogue):
    response = marketing.get("/badges/?status=LIVE&page=9")
    assert response.status_code == 200
    assert "This page is past the last one" in text(response)
    assert 'href="/badges/?status=LIVE">Go to the first page' in response.content.decode()
