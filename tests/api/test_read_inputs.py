"""What a client sends to the read endpoints is checked in one place each: paging by
selectors/pagination.py for every list, control characters in any path or query parameter by the
API dispatch. Both databases answer the same (CI runs this file on SQLite and PostgreSQL)."""

import pytest

from badges_api.selectors.pagination import MAX_PAGE, MAX_PAGE_SIZE
from tests.lifecycle import earn_bulk_body, live_badge, make_customers

# Every list of the API, with the key of its items and its size parameter.
LISTS = [
    ("badgeMeta", "badges", "limit"),
    ("customers", "customers", "size"),
    ("group", "badgeGroups", "size"),
    ("customField", "customFields", "size"),
    ("customer/1", "badges", "limit"),
    ("management/1", "customerBadges", "size"),
]
HUGE_PAGES = [str(2**63 - 1), "99999999999999999999", str(MAX_PAGE + 1), "-1", "٣", "1.5", "x"]


@pytest.fixture
def catalogue(api, org):
    make_customers(org, [1, 2, 3])
    badge = live_badge(api)
    api.post("customer/earnBulk", earn_bulk_body(badge, [1]))
    return badge


@pytest.mark.parametrize("path, key, size_name", LISTS)
@pytest.mark.parametrize("page", HUGE_PAGES)
def test_a_page_beyond_the_cap_is_a_400_naming_page(api, catalogue, path, key, size_name, page):
    status, envelope = api.get(path, page=page, **{size_name: "1000"})
    assert status == 400, envelope
    assert [(e["code"], e["reference"]) for e in envelope["errors"]] == [(400, "page")]
    assert f"from 0 to {MAX_PAGE:,}" in envelope["errors"][0]["message"]


def test_the_fixed_window_list_caps_its_page_too(api, org):
    badge = live_badge(
        api,
        badgeConstraints=[
            {
                "constraintType": "BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": 1,
                "maxEarnLimit": 5,
            }
        ],
    )
    status, envelope = api.get(
        "badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"], page=str(2**63 - 1)
    )
    assert status == 400 and envelope["errors"][0]["reference"] == "page"
    status, envelope = api.get(
        "badgeMeta/getFixedWindowDetails", badgeMetaId=badge["id"], page=str(MAX_PAGE), size="1000"
    )
    assert status == 200 and envelope["data"]["fixedWindowCycles"] == []


@pytest.mark.parametrize("path, key, size_name", LISTS)
@pytest.mark.parametrize("size", ["0", str(MAX_PAGE_SIZE + 1), "²", "-3"])
def test_a_size_outside_1_to_1000_is_a_400_naming_the_parameter_sent(
    api, catalogue, path, key, size_name, size
):
    alias = {"limit": "size", "size": "limit"}[size_name]
    for name in (size_name, alias):
        status, envelope = api.get(path, **{name: size})
        assert status == 400, envelope
        assert [(e["code"], e["reference"]) for e in envelope["errors"]] == [(400, name)]


@pytest.mark.parametrize("path, key, size_name", LISTS)
def test_the_last_page_of_the_cap_is_an_empty_page_with_the_true_totals(
    api, catalogue, path, key, size_name
):
    status, first = api.get(path, **{size_name: "1000"})
    assert status == 200, first
    total = first["data"]["pagination"]["total"]
    status, envelope = api.get(path, page=str(MAX_PAGE), **{size_name: "1000"})
    assert status == 200, envelope
    assert envelope["data"][key] == []
    assert envelope["data"]["pagination"] == {
        "page": MAX_PAGE,
        "size": 1000,
        "total": total,
        "totalPages": -(-total // 1000),
    }


# --- control characters in paths and query strings -------------------------------------------


@pytest.mark.parametrize(
    "path, query, reference",
    [
        ("customers", {"search": "an\x00"}, "search"),
        ("customers", {"search": "an\x1b[31m"}, "search"),
        ("badgeMeta", {"name": "a\x00"}, "name"),
        ("badgeMeta", {"name": "a\x85"}, "name"),  # C1 controls too
        ("customer/1", {"groupId": "g\x00"}, "groupId"),
        ("management/1", {"name": "x\x7f"}, "name"),
        ("badgeMeta/getFixedWindowDetails", {"badgeMetaId": "a\x00"}, "badgeMetaId"),
        ("customer/1%00", {}, "customer_id"),
        ("customers/1%0A", {}, "customer_id"),
        ("management/1/badge/abc%00", {}, "badge_id"),
        ("badgeMeta/abc%00", {}, "badge_id"),
        ("group/g%00", {}, "group_id"),
        ("customField/f%09", {}, "field_id"),
        ("badgeMeta", {"x\x00": "1"}, "query"),
    ],
)
def test_a_control_character_in_a_path_or_query_parameter_is_a_400_naming_it(
    api, catalogue, path, query, reference
):
    status, envelope = api.get(path, **query)
    assert status == 400, envelope
    assert [(e["code"], e["reference"]) for e in envelope["errors"]] == [(400, reference)]
    assert "control characters" in envelope["errors"][0]["message"]


def test_printable_unicode_in_a_query_still_searches(api, catalogue):
    status, envelope = api.get("customers", search="Zoë 👩‍💻")
    assert status == 200 and envelope["data"]["customers"] == []


def test_a_control_character_in_a_write_path_is_refused_before_anything_is_written(api, catalogue):
    status, envelope = api.post(
        f"badgeMeta/{catalogue['id']}%00/claim", {"ownerType": "Loyalty", "referenceId": "x"}
    )
    assert status == 400 and envelope["errors"][0]["reference"] == "badge_id"


def test_a_search_of_thousands_of_digits_finds_nothing_instead_of_failing(api, catalogue):
    status, envelope = api.get("customers", search="1" * 5000)
    assert status == 200 and envelope["data"]["customers"] == []
