"""GET customer/{customerId}: a customer's badges by type, the RANK order, and seed 003 replayed."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from badge_rules.ranking import sort_by_rank
from badge_rules.timestamps import to_epoch, to_iso
from badges_api.models import Badge, Customer, Earn
from badges_api.selectors import customer_badges
from tests.factories import badge_body, future
from tests.lifecycle import MIGRATION, TRIGGER, earn_bulk_body, make_customers
from tests.seeds import SEEDS

NEVER = {"expiryType": "NEVER"}


@pytest.fixture(autouse=True)
def fresh_catalogue():
    """Each test starts without the catalogue an earlier (rolled back) test left in this process."""
    customer_badges.catalogue_forget()


def badges_of(api, customer="1", **query):
    status, envelope = api.get(f"customer/{customer}", **query)
    assert status == 200, envelope
    return envelope["data"]


def names(data) -> list[str]:
    return [badge["name"] for badge in data["badges"]]


def create(api, **fields) -> dict:
    status, envelope = api.post("badgeMeta", badge_body(**fields), headers=MIGRATION)
    assert status == 200, envelope
    return envelope["data"]


def group(api, name, rank) -> dict:
    status, envelope = api.post("group", {"name": name, "rank": rank})
    assert status == 200, envelope
    return envelope["data"]


def live(api, name, **fields) -> dict:
    """A live, claimed badge; `fields` override the body (dates included)."""
    badge = create(
        api, name=name, **({"startOnISO": future(-10), "expiresOnISO": future(100)} | fields)
    )
    assert api.post(f"badgeMeta/{badge['id']}/claim", TRIGGER)[0] == 200
    return badge


def earn(
    badge: dict,
    customer_id: int,
    *,
    earned_days_ago: float,
    lasts_days: float = 30,
    event_days_ago=None,
    revoked=False,
):
    """An earned instance with chosen dates (the API always earns now)."""
    now = datetime.now(UTC)
    earned_on = now - timedelta(days=earned_days_ago)
    return Earn.objects.create(
        org_id=Badge.objects.get(public_id=badge["id"]).org_id,
        badge=Badge.objects.get(public_id=badge["id"]),
        customer=Customer.objects.get(customer_id=customer_id),
        earned_on=earned_on,
        event_date=now
        - timedelta(days=event_days_ago if event_days_ago is not None else earned_days_ago),
        expires_on=earned_on + timedelta(days=lasts_days),
        is_active=not revoked,
        revoked_on=now if revoked else None,
        request_id=f"test-{earned_days_ago}-{customer_id}",
    )


# --- badge types -----------------------------------------------------------------------------


def test_default_type_offers_live_active_enrol_and_issue_badges_enrolled_or_not(api, org):
    make_customers(org, [1])
    enrolled = live(api, "Enrolled", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    live(api, "Not enrolled", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    live(api, "Direct")
    create(
        api,
        name="Upcoming",
        earnType="ISSUE_EARN",
        issuedBadgeExpiry=NEVER,
        startOnISO=future(5),
        expiresOnISO=future(9),
    )
    create(
        api,
        name="Ended",
        earnType="ISSUE_EARN",
        issuedBadgeExpiry=NEVER,
        startOnISO=future(-9),
        expiresOnISO=future(-5),
    )
    off = live(api, "Deactivated", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    assert api.put(f"badgeMeta/{off['id']}/deactivate")[0] == 200
    enrol = {"badgeMetaId": enrolled["id"], "customers": [1], "triggeredBy": TRIGGER}
    assert api.post("badgeMeta/customer/issueBulk", enrol)[0] == 200

    data = badges_of(api)

    assert sorted(names(data)) == ["Enrolled", "Not enrolled"]
    assert {badge["earnType"] for badge in data["badges"]} == {"ISSUE_EARN"}
    assert badges_of(api, badgeType="AVAILABLE_TO_ISSUE") == data


def test_available_offers_live_active_direct_badges_the_customer_does_not_hold(api, org):
    make_customers(org, [1])
    held = live(api, "Held")
    expired = live(api, "Held before, expired")
    revoked = live(api, "Held before, revoked")
    live(api, "Never held")
    live(api, "Enrol first", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    create(api, name="Upcoming", startOnISO=future(5), expiresOnISO=future(9))
    off = live(api, "Deactivated")
    api.put(f"badgeMeta/{off['id']}/deactivate")
    assert api.post("customer/earnBulk", earn_bulk_body(held, [1]))[0] == 200
    earn(expired, 1, earned_days_ago=40, lasts_days=10)
    earn(revoked, 1, earned_days_ago=1, revoked=True)

    data = badges_of(api, badgeType="AVAILABLE")

    assert sorted(names(data)) == ["Held before, expired", "Held before, revoked", "Never held"]
    counts = {badge["name"]: badge["earnedCount"] for badge in data["badges"]}
    assert counts == {"Held before, expired": 1, "Held before, revoked": None, "Never held": None}


def test_earned_lists_live_instances_whatever_the_badge_state_and_include_expired_adds_the_rest(
    api, org
):
    make_customers(org, [1, 2])
    held = live(api, "Held")
    later_off = live(api, "Held, badge deactivated since")
    gone = live(api, "Expired only")
    taken_back = live(api, "Revoked only")
    api.post("customer/earnBulk", earn_bulk_body(held, [1, 2]))
    api.post("customer/earnBulk", earn_bulk_body(later_off, [1]))
    api.put(f"badgeMeta/{later_off['id']}/deactivate")
    earn(gone, 1, earned_days_ago=50, lasts_days=10)
    earn(gone, 1, earned_days_ago=20, lasts_days=10)
    earn(taken_back, 1, earned_days_ago=1, revoked=True)

    earned = badges_of(api, badgeType="EARNED")
    assert sorted(names(earned)) == ["Held", "Held, badge deactivated since"]
    assert {badge["earnedCount"] for badge in earned["badges"]} == {1}

    with_expired = badges_of(api, badgeType="EARNED", includeExpired="true")
    assert sorted(names(with_expired)) == ["Expired only", "Held", "Held, badge deactivated since"]
    assert (
        next(b for b in with_expired["badges"] if b["name"] == "Expired only")["earnedCount"] == 2
    )


def test_expired_lists_badges_whose_earned_instances_all_expired(api, org):
    make_customers(org, [1])
    gone = live(api, "Expired")
    renewed = live(api, "Expired, then earned again")
    taken_back = live(api, "Revoked")
    earn(gone, 1, earned_days_ago=50, lasts_days=10)
    earn(renewed, 1, earned_days_ago=50, lasts_days=10)
    earn(renewed, 1, earned_days_ago=1)
    earn(taken_back, 1, earned_days_ago=50, lasts_days=10, revoked=True)

    data = badges_of(api, badgeType="EXPIRED")

    assert names(data) == ["Expired"]
    badge = data["badges"][0]
    assert badge["earnedCount"] == 1
    assert badge["lastEarnedOnDate"] is not None


def test_earned_count_and_last_dates_are_this_customers(api, org):
    make_customers(org, [1, 2])
    badge = live(api, "Coffee")
    earn(badge, 1, earned_days_ago=30, lasts_days=5, event_days_ago=31)
    latest = earn(badge, 1, earned_days_ago=2, event_days_ago=3)
    earn(badge, 2, earned_days_ago=1)
    earn(badge, 1, earned_days_ago=1, revoked=True)

    item = badges_of(api, badgeType="EARNED")["badges"][0]

    assert item["earnedCount"] == 2
    assert item["lastEarnedOnDateISO"] == to_iso(latest.earned_on)
    assert item["lastEarnEventDateISO"] == to_iso(latest.event_date)
    assert item["lastEarnedOnDate"] == to_epoch(latest.earned_on)
    assert item["lastEarnEventDate"] == to_epoch(latest.event_date)


def test_sort_on_last_earned_dates_puts_latest_first_and_never_earned_last(api, org):
    make_customers(org, [1])
    old = live(api, "Earned long ago")
    recent = live(api, "Earned recently, event long ago")
    never = live(api, "Never earned")
    earn(old, 1, earned_days_ago=40, lasts_days=5, event_days_ago=40)
    earn(recent, 1, earned_days_ago=2, lasts_days=1, event_days_ago=60)
    assert never

    by_earned = badges_of(api, badgeType="AVAILABLE", sortOn="LAST_EARNED_ON_DATE")
    by_event = badges_of(api, badgeType="AVAILABLE", sortOn="last_earned_event_date")

    assert names(by_earned) == [
        "Earned recently, event long ago",
        "Earned long ago",
        "Never earned",
    ]
    assert names(by_event) == ["Earned long ago", "Earned recently, event long ago", "Never earned"]


# --- RANK ------------------------------------------------------------------------------------


def test_rank_follows_the_spec_example_and_a_disabled_group_counts_as_no_group(api, org):
    """Spec 4.8: Group1 (rank 1) -> Badge1, Group2 (rank 2) -> Badge2, Badge3 without a group and
    badge rank 1 give Badge1, Badge2, Badge3; deleting (disabling) Group1 gives Badge2, Badge3, Badge1."""
    make_customers(org, [1])
    group1, group2 = group(api, "Group1", 1), group(api, "Group2", 2)
    live(api, "Badge3", badgeRank=1)
    live(api, "Badge2", badgeGroupId=group2["id"])
    live(api, "Badge1", badgeGroupId=group1["id"])

    assert names(badges_of(api, badgeType="AVAILABLE", sortOn="RANK")) == [
        "Badge1",
        "Badge2",
        "Badge3",
    ]

    status, _ = api.put(f"group/{group1['id']}", {"name": "Group1", "rank": 1, "isActive": False})
    assert status == 200
    data = badges_of(api, badgeType="AVAILABLE")
    assert names(data) == ["Badge2", "Badge3", "Badge1"]
    badge1 = data["badges"][2]
    assert (badge1["badgeGroupId"], badge1["badgeGroupName"]) == (None, None)
    assert badges_of(api, badgeType="AVAILABLE", groupId=group1["id"])["badges"] == []


def test_rank_inside_a_group_puts_ranked_badges_first_then_latest_expiry(api, org):
    make_customers(org, [1])
    top, second = group(api, "Top", 1), group(api, "Second", 2)
    live(api, "Second group, rank 1", badgeGroupId=second["id"], badgeRank=1)
    live(api, "Top, unranked, ends soon", badgeGroupId=top["id"], expiresOnISO=future(20))
    live(api, "Top, unranked, ends late", badgeGroupId=top["id"], expiresOnISO=future(90))
    live(api, "Top, rank 2", badgeGroupId=top["id"], badgeRank=2)
    live(api, "Top, rank 1", badgeGroupId=top["id"], badgeRank=1)
    live(api, "No group, unranked, ends late", expiresOnISO=future(300))
    live(api, "No group, unranked, ends soon", expiresOnISO=future(30))
    live(api, "No group, rank 5", badgeRank=5)

    order = names(badges_of(api, badgeType="AVAILABLE", limit=20))

    assert order == [
        "Top, rank 1",
        "Top, rank 2",
        "Top, unranked, ends late",
        "Top, unranked, ends soon",
        "Second group, rank 1",
        "No group, rank 5",
        "No group, unranked, ends late",
        "No group, unranked, ends soon",
    ]


def test_rank_order_is_the_pure_ranking_rule(api, org):
    make_customers(org, [1])
    groups = [group(api, f"G{index}", rank) for index, rank in enumerate((3, 1, 1, 2))]
    for index in range(24):
        extra = {"badgeGroupId": groups[index % 5]["id"]} if index % 5 < 4 else {}
        if index % 3:
            extra["badgeRank"] = index % 4 + 1
        live(api, f"B{index:02d}", expiresOnISO=future(20 + index % 6), **extra)
    rows = [
        {
            "badge_id": b.public_id,
            "expires_on": b.expires_on,
            "badge_rank": b.badge_rank,
            "group_rank": b.group.rank if b.group else None,
            "group_id": b.group.public_id if b.group else None,
            "name": b.name,
        }
        for b in Badge.objects.filter(org=org).select_related("group")
    ]

    answered = names(badges_of(api, badgeType="AVAILABLE", limit=50))

    assert answered == [row["name"] for row in sort_by_rank(rows)]


# --- paging, filters, parameters -------------------------------------------------------------


def test_pages_are_zero_based_with_limit_and_carry_the_total(api, org):
    make_customers(org, [1])
    for index in range(7):
        live(api, f"Badge {index}", badgeRank=index + 1)

    first = badges_of(api, badgeType="AVAILABLE", limit=3)
    last = badges_of(api, badgeType="AVAILABLE", limit=3, page=2)
    beyond = badges_of(api, badgeType="AVAILABLE", limit=3, page=5)

    assert names(first) == ["Badge 0", "Badge 1", "Badge 2"]
    assert first["pagination"] == {"page": 0, "size": 3, "total": 7, "totalPages": 3}
    assert names(last) == ["Badge 6"]
    assert beyond == {
        "badges": [],
        "pagination": {"page": 5, "size": 3, "total": 7, "totalPages": 3},
    }
    assert badges_of(api, badgeType="AVAILABLE")["pagination"]["size"] == 10


def test_group_id_keeps_only_that_groups_badges(api, org):
    make_customers(org, [1])
    coffee = group(api, "Coffee", 1)
    live(api, "Espresso", badgeGroupId=coffee["id"])
    live(api, "Tea")

    data = badges_of(api, badgeType="AVAILABLE", groupId=coffee["id"])

    assert names(data) == ["Espresso"]
    assert (data["badges"][0]["badgeGroupId"], data["badges"][0]["badgeGroupName"]) == (
        coffee["id"],
        "Coffee",
    )
    assert badges_of(api, badgeType="AVAILABLE", groupId="0" * 24)["badges"] == []


@pytest.mark.parametrize(
    ("query", "reference"),
    [
        ({"badgeType": "SOMETIMES"}, "badgeType"),
        ({"sortOn": "NAME"}, "sortOn"),
        ({"limit": "0"}, "limit"),
        ({"page": "-1"}, "page"),
        ({"includeExpired": "perhaps"}, "includeExpired"),
    ],
)
def test_bad_parameters_are_400_naming_them(api, org, query, reference):
    make_customers(org, [1])
    status, envelope = api.get("customer/1", **query)
    assert status == 400
    assert [(e["code"], e["reference"]) for e in envelope["errors"]] == [(400, reference)]


# --- the customer: identifiers, 1026, 1028, orgs ---------------------------------------------


@pytest.mark.parametrize(
    ("header", "value"),
    [
        (None, "7"),
        ("email", "Ann@Example.com"),
        ("EMAIL", "ann@example.com"),
        ("mobile", "+91 98765-43210"),
        ("externalId", "EXT-7"),
        ("cardNumber", "CARD-0007"),
    ],
)
def test_the_customer_is_named_by_any_identifier(api, org, header, value):
    Customer.objects.create(
        org=org,
        customer_id=7,
        email="ann@example.com",
        mobile="919876543210",
        external_id="EXT-7",
        card_number="CARD-0007",
    )
    badge = live(api, "Coffee")
    earn(badge, 7, earned_days_ago=1)
    headers = {"X-CAP-CUSTOMER-IDENTIFIER": header} if header else {}

    status, envelope = api.call("GET", f"customer/{value}", headers=headers, badgeType="EARNED")

    assert status == 200, envelope
    assert names(envelope["data"]) == ["Coffee"]


def test_unknown_customer_is_1026_and_unknown_identifier_type_is_1028(api, org):
    make_customers(org, [1])

    status, envelope = api.get("customer/999")
    assert (status, envelope["errors"][0]["code"]) == (404, 1026)
    assert envelope["errors"][0]["message"] == "Customer with the specified ID is not found"
    assert (
        api.call(
            "GET", "customer/nobody@example.com", headers={"X-CAP-CUSTOMER-IDENTIFIER": "email"}
        )[1]["errors"][0]["code"]
        == 1026
    )
    assert api.get("customer/not-a-number")[1]["errors"][0]["code"] == 1026

    status, envelope = api.call(
        "GET", "customer/1", headers={"X-CAP-CUSTOMER-IDENTIFIER": "passport"}
    )
    assert (status, envelope["errors"][0]["code"]) == (400, 1028)


def test_another_orgs_customers_and_badges_stay_invisible(api, org, other_org_api):
    make_customers(org, [1])
    mine = live(api, "Mine")
    earn(mine, 1, earned_days_ago=1)
    theirs = other_org_api.post(
        "badgeMeta",
        badge_body(name="Theirs", startOnISO=future(-1), expiresOnISO=future(30)),
        headers=MIGRATION,
    )
    assert theirs[0] == 200

    assert other_org_api.get("customer/1")[1]["errors"][0]["code"] == 1026
    assert names(badges_of(api, badgeType="AVAILABLE")) == []
    assert names(badges_of(api, badgeType="EARNED")) == ["Mine"]


def test_credentials_are_required(client, org):
    response = client.get("/api_gateway/v1/badges/customer/1")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == 401


def test_a_change_made_in_this_process_shows_at_once(api, org):
    make_customers(org, [1])
    badge = live(api, "Coffee")
    assert names(badges_of(api, badgeType="AVAILABLE")) == ["Coffee"]

    api.put(f"badgeMeta/{badge['id']}/deactivate")
    assert names(badges_of(api, badgeType="AVAILABLE")) == []
    other = live(api, "Tea")
    api.post(f"badgeMeta/{other['id']}/unclaim", TRIGGER)
    assert (
        badges_of(api, badgeType="AVAILABLE")["badges"][0]["ownership"]["claims"][0]["isActive"]
        is False
    )


@pytest.mark.django_db(transaction=True)
def test_the_view_answers_alike_on_a_new_database_connection(api, org):
    """PostgreSQL runs the view's query as a statement each connection prepares once."""
    make_customers(org, [1])
    live(api, "Coffee", earnType="EARN")
    before = badges_of(api, badgeType="AVAILABLE")
    assert names(before) == ["Coffee"]
    connection.close()
    assert badges_of(api, badgeType="AVAILABLE") == before
    status, envelope = api.get("customer/2")
    assert (status, envelope["errors"][0]["code"]) == (404, 1026)


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1)))
def test_dates_read_back_from_the_database_render_as_everywhere_else(naive):
    """The customer view renders dates from their text without a datetime; it must say what
    to_epoch and to_iso say of the same instant."""
    moment = naive.replace(tzinfo=UTC)
    expected = (to_epoch(moment), to_iso(moment))
    assert customer_badges._stamps(str(naive)) == expected  # Django's SQLite form: naive UTC text
    assert customer_badges._stamps(naive.strftime("%Y-%m-%d %H:%M:%S.%f")) == expected  # to_char's
    assert customer_badges._stamps(moment) == expected
    assert customer_badges._stamps(None) == (None, None)


def test_badges_that_start_or_end_while_cached_come_and_go_at_that_moment(api, org, monkeypatch):
    make_customers(org, [1])
    live(api, "Ending", expiresOnISO=future(2))
    live(api, "Starting", startOnISO=future(1), expiresOnISO=future(100))
    assert names(badges_of(api, badgeType="AVAILABLE")) == ["Ending"]

    for days_later, offered in ((1.5, ["Starting", "Ending"]), (3, ["Starting"])):
        moment = datetime.now(UTC) + timedelta(days=days_later)
        monkeypatch.setattr(customer_badges.timezone, "now", lambda moment=moment: moment)
        data = badges_of(api, badgeType="AVAILABLE")
        assert names(data) == offered
        assert all(
            badge["startOn"] <= moment.timestamp() <= badge["expiresOn"] for badge in data["badges"]
        )


# --- seed 003 replayed -----------------------------------------------------------------------

SEED_INPUT_KEYS = (
    "name",
    "description",
    "images",
    "badgeRank",
    "earnType",
    "customFields",
)
_CONSTRAINT_INPUT_KEYS = {
    "constraintType",
    "maxEarnLimit",
    "maxEarnForDays",
    "rollForDays",
    "maxEarnForWeeks",
    "rollForWeeks",
    "maxEarnForMonths",
    "rollForMonths",
    "durationType",
    "refreshRate",
    "rollType",
    "rollValue",
    "referenceId",
}


def seed_responses() -> list[dict]:
    """The page's four answers. The second carries `// Example timestamp` comments, which are not
    JSON, so they are cut before decoding (tests/seeds.py reads the other pages as they are)."""
    text = re.sub(
        r",[ \t]*//[^\n]*", ",", next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
    )
    decoder, blocks, position = json.JSONDecoder(), [], 0
    while (start := text.find("{", position)) >= 0:
        try:
            block, position = decoder.raw_decode(text, start)
        except ValueError:
            position = start + 1
            continue
        if "data" in block:
            blocks.append(block)
    return blocks


def constraint_input(constraint: dict) -> dict:
    return {k: v for k, v in constraint.items() if k in _CONSTRAINT_INPUT_KEYS and v is not None}


def seed_image(image: dict) -> dict:
    """Capillary's swagger placeholder `"url": "string"` is no address; image URLs must be https."""
    return (
        image | {"url": "https://cdn.example/placeholder.png"}
        if image.get("url") == "string"
        else image
    )


def replay_badge(
    api, seed: dict, *, start: datetime, shift: float, groups: dict[str, dict], extra=None
) -> dict:
    """Create the seed's badge live (its dates shifted by `shift` seconds) and claim its claims."""
    body = badge_body(
        name=seed["name"],
        description=seed["description"] if seed["description"] is not None else ...,
        startOnISO=to_iso(start),
        expiresOnISO=to_iso(datetime.fromtimestamp(seed["expiresOn"] + shift, UTC)),
        earnType=seed["earnType"],
        images=[seed_image(image) for image in seed["images"]],
        ownership={"restrictedToOwners": seed["ownership"]["restrictedToOwners"]},
        customerConstraints=[constraint_input(c) for c in seed["customerConstraints"]],
        badgeConstraints=[constraint_input(c) for c in seed["badgeConstraints"]],
        badgeRank=seed.get("badgeRank"),
        customFields=seed["customFields"],
        **(
            {"badgeGroupId": groups[seed["badgeGroupId"]]["id"]} if seed.get("badgeGroupId") else {}
        ),
        **({"issuedBadgeExpiry": NEVER} if seed["earnType"] == "ISSUE_EARN" else {}),
        **(extra or {}),
    )
    status, envelope = api.post("badgeMeta", body, headers=MIGRATION)
    assert status == 200, envelope
    for claim in seed["ownership"]["claims"]:
        claimed = api.post(
            f"badgeMeta/{envelope['data']['id']}/claim",
            {"ownerType": claim["ownerType"], "referenceId": claim["referenceId"]},
        )
        assert claimed[0] == 200, claimed
    return envelope["data"]


def assert_matches_seed(answered: dict, seed: dict, *, ignore=()) -> None:
    """Every key of the seed's item is answered with the seed's value; ids and dates are ours."""
    assert set(seed) - {"badgeGroupName"} <= set(answered), set(seed) - set(answered)
    assert answered["name"] == seed["name"].strip()  # names are stored trimmed ("SH 3 Coke ")
    for key in SEED_INPUT_KEYS + ("badgeGroupName", "earnedCount", "active"):
        if key in seed and key not in ignore and key != "name":
            expected = [seed_image(image) for image in seed[key]] if key == "images" else seed[key]
            assert answered[key] == expected, (seed["name"], key)
    assert answered["ownership"] == seed["ownership"], seed["name"]
    assert answered["orgId"] == 100458
    for key in ("customerConstraints", "badgeConstraints"):
        assert len(answered[key]) == len(seed[key])
        for ours, theirs in zip(answered[key], seed[key], strict=True):
            assert constraint_input(ours) | {"referenceId": None} == constraint_input(theirs) | {
                "referenceId": None
            }
            if theirs["constraintType"].endswith("FIXED_WINDOW"):
                # The seed's windows span the badge: startDate is its startOn, endDate its expiresOn.
                assert (ours["cycleStatus"], ours["startDate"], ours["endDate"]) == (
                    theirs["cycleStatus"],
                    answered["startOn"],
                    answered["expiresOn"],
                )


def test_seed_003_first_example_every_field_and_the_rank_order(api, org):
    """The page's first answer: ten direct badges, six in the group "Group", four ungrouped.

    The page prints them in its store's order (no sortOn was sent, and no rule orders them so), and
    lists deactivated and ended badges too, which this service keeps out of AVAILABLE (it offers
    what the customer can earn now). So the replay makes them all live and active, checks every
    field of every item, and checks the order the seed's own RANK rule gives; then deactivates the
    four the seed shows inactive and checks they leave the list.
    """
    seed = seed_responses()[0]["data"]
    make_customers(org, [62407752])
    now = datetime.now(UTC)
    shift = (now + timedelta(days=30)).timestamp() - min(b["expiresOn"] for b in seed["badges"])
    groups = {"660bf2c98bdfa71c4496a940": group(api, "Group", 1)}
    created = {
        b["name"]: replay_badge(api, b, start=now - timedelta(days=10), shift=shift, groups=groups)
        for b in seed["badges"]
    }

    data = badges_of(api, "62407752", badgeType="AVAILABLE", sortOn="RANK")

    by_name = {b["name"]: b for b in data["badges"]}
    created = {name.strip(): badge for name, badge in created.items()}
    for item in seed["badges"]:
        answered = by_name[item["name"].strip()]
        assert_matches_seed(answered, item, ignore=("active",))
        assert answered["badgeGroupId"] == (
            groups[item["badgeGroupId"]]["id"] if item["badgeGroupId"] else None
        )
        assert answered["expiresOn"] == pytest.approx(item["expiresOn"] + shift, abs=1)

    def by_id(*tied):  # equal group, badge rank and expiry: the badge id decides
        return sorted(tied, key=lambda name: created[name]["id"])

    assert names(data) == [
        "Payment Mode Badge",
        "SH 3 Coke",
        "SH 3 Redemption",
        *by_id("SH Specific Time", "SH Specific Date"),
        "SH Specific Store",
        *by_id("BADGE12", "BADGE123"),
        "Transaction_Success",
        "Furrye12",
    ]
    assert data["pagination"] == {"page": 0, "size": 10, "total": 10, "totalPages": 1}

    for item in seed["badges"]:
        if not item["active"]:
            assert api.put(f"badgeMeta/{created[item['name']]['id']}/deactivate")[0] == 200
    still = badges_of(api, "62407752", badgeType="AVAILABLE")
    active = {item["name"].strip() for item in seed["badges"] if item["active"]}
    assert names(still) == [name for name in names(data) if name in active]
    for item in still["badges"]:
        assert item["active"] is True


def test_seed_003_earned_examples(api, org):
    """The second and third answers: badges the customer earned, with earnedCount and the last dates."""
    second, third = seed_responses()[1]["data"], seed_responses()[2]["data"]
    for name, data_type in (("2024", "BOOLEAN"), ("Date", "STRING")):
        assert api.post("customField", {"name": name, "dataType": data_type})[0] == 200
    make_customers(org, [62407752])
    now = datetime.now(UTC)
    for seed, days in (
        (second["badges"][0], 400),
        (third["badges"][0], 300),
    ):  # RANK: the later end first
        shift = (now + timedelta(days=days)).timestamp() - seed["expiresOn"]
        badge = replay_badge(api, seed, start=now - timedelta(days=10), shift=shift, groups={})
        trigger = seed["ownership"]["claims"][0]
        body = {
            "badgeMetaId": badge["id"],
            "customerIds": [62407752],
            "triggeredBy": {k: trigger[k] for k in ("ownerType", "referenceId")},
        }
        assert api.post("customer/earnBulk", body)[1]["data"]["summary"]["earned"] == 1

    for seed_data in (second, third):
        seed = seed_data["badges"][0]
        data = badges_of(
            api, "62407752", badgeType="EARNED", limit=1, page=[second, third].index(seed_data)
        )
        answered = data["badges"][0]
        assert_matches_seed(answered, seed)
        assert answered["earnedCount"] == 1
        assert abs(answered["lastEarnedOnDate"] - now.timestamp()) < 60
        assert abs(answered["lastEarnEventDate"] - now.timestamp()) < 60
        assert data["pagination"] == {
            "page": [second, third].index(seed_data),
            "size": 1,
            "total": 2,
            "totalPages": 2,
        }


def test_seed_003_group_filter_example(api, org):
    """The fourth answer: `?groupId=...` with the default type gives the group's enrol-and-issue badge."""
    seed_data = seed_responses()[3]["data"]
    seed = seed_data["badges"][0]
    for name, data_type in (
        ("2024", "BOOLEAN"),
        ("Date", "STRING"),
        ("Category1", "BOOLEAN"),
        ("Priority", "INTEGER"),
    ):
        assert api.post("customField", {"name": name, "dataType": data_type})[0] == 200
    make_customers(org, [62090013])
    now = datetime.now(UTC)
    groups = {seed["badgeGroupId"]: group(api, "2024 Badges", 2)}
    replay_badge(
        api,
        seed,
        start=now - timedelta(days=10),
        shift=(now + timedelta(days=300)).timestamp() - seed["expiresOn"],
        groups=groups,
    )
    live(api, "Outside the group", earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)

    data = badges_of(api, "62090013", groupId=groups[seed["badgeGroupId"]]["id"], limit=1)

    assert names(data) == ["Birthday Badge"]
    assert_matches_seed(data["badges"][0], seed)
    assert data["badges"][0]["badgeGroupName"] == "2024 Badges"
    assert data["pagination"] == seed_data["pagination"]


def test_wrong_credentials_and_wrong_methods_leave_as_the_envelope(client, api, org):
    wrong = client.get(
        "/api_gateway/v1/badges/customer/1", headers={"Authorization": "Basic bm9ib2R5Om5vdGhpbmc="}
    )
    assert (wrong.status_code, wrong["Content-Type"], wrong.json()["errors"][0]["code"]) == (
        401,
        "application/json",
        401,
    )
    assert wrong["WWW-Authenticate"] == 'Basic realm="badges"'
    status, envelope = api.post("customer/1", {})
    assert (status, envelope["errors"][0]["code"], envelope["data"]) == (405, 405, None)
