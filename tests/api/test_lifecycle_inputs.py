"""Every value a client sends to the lifecycle endpoints is checked before anything is written:
ids, dates and text ids answer a 400 naming the field, never a 500 or another customer, and the
database holds exactly what it held before. Both databases answer the same (CI runs this file on
SQLite and PostgreSQL)."""

import pytest

from badges_api.models import Badge, BadgeRequest, Customer, Earn, Enrolment
from tests.lifecycle import TRIGGER, earn_bulk_body, live_badge, make_customers

NEVER = {"expiryType": "NEVER"}
# Digits Python's int() reads but Capillary's ids never hold, and shapes int() refuses.
NOT_IDS = ["²", "--5", "٣", "１２", "-5", "0", "1e3", 1.5, True, {}, [], ""]
DATE_EDGES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01", 1e30, 2**62]


def held(org) -> tuple:
    """What a refused lifecycle write must leave untouched."""
    counts = (
        Badge.objects.filter(org=org).values_list("earned_count", "issued_count").order_by("pk")
    )
    return (
        Earn.objects.count(),
        Enrolment.objects.count(),
        BadgeRequest.objects.count(),
        list(counts),
    )


def refused(envelope) -> list[tuple[int, str]]:
    return [(error["code"], error["reference"]) for error in envelope["errors"]]


@pytest.fixture
def badges(api, org):
    make_customers(org, [1, 2, 3, 5, 12])
    return {
        "earn": live_badge(api),
        "enrol": live_badge(api, earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER),
    }


@pytest.mark.parametrize("value", [v for v in NOT_IDS if v != ""], ids=repr)
def test_earn_bulk_refuses_a_customer_id_that_is_not_ascii_digits_naming_the_item(
    api, org, badges, value
):
    before = held(org)
    status, envelope = api.post("customer/earnBulk", earn_bulk_body(badges["earn"], [1, 2, value]))
    assert status == 400, envelope
    assert refused(envelope) == [(400, "customerIds[2]")]
    assert "whole number from 1 to 9,223,372,036,854,775,807" in envelope["errors"][0]["message"]
    assert held(org) == before


def test_arabic_three_and_fullwidth_twelve_no_longer_earn_for_customers_3_and_12(api, org, badges):
    before = held(org)
    for value in ("٣", "１２"):
        status, envelope = api.post("customer/earnBulk", earn_bulk_body(badges["earn"], [value]))
        assert status == 400 and refused(envelope) == [(400, "customerIds[0]")]
    assert held(org) == before
    assert not Earn.objects.filter(customer__customer_id__in=[3, 12]).exists()


def test_earn_bulk_refuses_an_id_beyond_64_bits(api, org, badges):
    before = held(org)
    body = f'{{"badgeMetaId": "{badges["earn"]["id"]}", "customerIds": [1, {2**64}], "triggeredBy": {{"ownerType": "Loyalty", "referenceId": "626"}}}}'
    status, envelope = api.post("customer/earnBulk", body)
    assert status == 400 and refused(envelope) == [(400, "customerIds[1]")]
    assert held(org) == before


def test_ids_written_as_ascii_digit_strings_still_earn(api, org, badges):
    status, envelope = api.post("customer/earnBulk", earn_bulk_body(badges["earn"], ["3", " 5 "]))
    assert status == 200, envelope
    assert [item["customerId"] for item in envelope["data"]["issuedBadges"]] == [3, 5]
    assert "error" not in envelope["data"]["issuedBadges"][0]


def test_a_list_of_bad_ids_is_answered_with_its_first_ones_only(api, org, badges):
    status, envelope = api.post("customer/earnBulk", earn_bulk_body(badges["earn"], ["x"] * 1000))
    assert status == 400
    assert len(envelope["errors"]) <= 22
    assert envelope["errors"][0]["reference"] == "customerIds[0]"


@pytest.mark.parametrize("value", NOT_IDS, ids=repr)
def test_single_earn_refuses_a_bad_customer_id_naming_customer_id(api, org, badges, value):
    before = held(org)
    body = {
        "badgeMetaId": badges["earn"]["id"],
        "customerId": value,
        "requestId": "r-1",
        "triggeredBy": TRIGGER,
    }
    status, envelope = api.post("customer/earn", body)
    assert status == 400, envelope
    assert refused(envelope) == [(812 if value == "" else 400, "customerId")]
    assert held(org) == before


@pytest.mark.parametrize("value", ["²", "--5", "٣", "１２", {}], ids=repr)
def test_issue_bulk_refuses_a_bad_customer_id_naming_the_item(api, org, badges, value):
    before = held(org)
    body = {"badgeMetaId": badges["enrol"]["id"], "customers": [1, value], "triggeredBy": TRIGGER}
    status, envelope = api.post("badgeMeta/customer/issueBulk", body)
    assert status == 400 and refused(envelope) == [(400, "customers[1]")]
    assert held(org) == before


@pytest.mark.parametrize("value", ["²", "--5", "٣", "１２", []], ids=repr)
def test_revocations_refuse_a_bad_customer_id_naming_it(api, org, badges, value):
    api.post(
        "badgeMeta/customer/issueBulk",
        {"badgeMetaId": badges["enrol"]["id"], "customers": [3, 12], "triggeredBy": TRIGGER},
    )
    earned = api.post("customer/earnBulk", earn_bulk_body(badges["earn"], [3]))[1]["data"][
        "issuedBadges"
    ][0]["issuedId"]
    before = held(org)
    enrol_id = badges["enrol"]["id"]

    status, envelope = api.post(
        "badgeMeta/customer/revokeIssue", {"badgeMetaId": enrol_id, "customers": [value]}
    )
    assert status == 400 and refused(envelope) == [(400, "customers[0]")]
    status, envelope = api.post(
        "badgeMeta/customer/revokeIssue",
        {"badgeMetaId": enrol_id, "revokeIssuals": [{"customerId": value, "issueId": "x"}]},
    )
    assert status == 400 and refused(envelope) == [(400, "revokeIssuals[0].customerId")]
    body = {"badgeMetaId": badges["earn"]["id"], "customerId": value, "earnedBadgeId": earned}
    status, envelope = api.post("customer/revokeEarn", body)
    assert status == 400 and refused(envelope) == [(400, "customerId")]
    assert held(org) == before
    assert Enrolment.objects.filter(is_active=True).count() == 2


@pytest.mark.parametrize("value", DATE_EDGES, ids=repr)
def test_an_event_date_outside_the_accepted_years_is_a_400_naming_the_field(
    api, org, badges, value
):
    before = held(org)
    key = "earnEventDate" if not isinstance(value, str) else "earnEventDateISO"
    status, envelope = api.post(
        "customer/earnBulk", earn_bulk_body(badges["earn"], [1], **{key: value})
    )
    assert status == 400 and refused(envelope) == [(400, key)]
    assert "between 1900-01-01 and 2999-12-31" in envelope["errors"][0]["message"]
    body = {
        "badgeMetaId": badges["earn"]["id"],
        "customerId": 1,
        "requestId": "r",
        "triggeredBy": TRIGGER,
        key: value,
    }
    status, envelope = api.post("customer/earn", body)
    assert status == 400 and refused(envelope) == [(400, key)]
    issue_key = key.replace("earn", "issue")
    body = {
        "badgeMetaId": badges["enrol"]["id"],
        "customers": [1],
        "triggeredBy": TRIGGER,
        issue_key: value,
    }
    status, envelope = api.post("badgeMeta/customer/issueBulk", body)
    assert status == 400 and refused(envelope) == [(400, issue_key)]
    assert held(org) == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("requestId", "r\x00"),
        ("badgeMetaId", "a\x00b"),
        ("triggeredBy.referenceId", "6\x006"),
        ("requestId", "line\nbreak"),
        ("badgeMetaId", "tab\there"),
    ],
)
def test_earn_refuses_control_characters_in_text_ids_naming_the_field(
    api, org, badges, field, value
):
    before = held(org)
    body = earn_bulk_body(badges["earn"], [1], requestId="r-nul")
    if field == "triggeredBy.referenceId":
        body["triggeredBy"] = {"ownerType": "Loyalty", "referenceId": value}
    else:
        body[field] = value
    status, envelope = api.post("customer/earnBulk", body)
    assert status == 400 and refused(envelope) == [(400, field)]
    assert "control characters" in envelope["errors"][0]["message"]
    assert held(org) == before


def test_revocations_refuse_control_characters_in_their_ids(api, org, badges):
    enrol_id, earn_id = badges["enrol"]["id"], badges["earn"]["id"]
    status, envelope = api.post(
        "badgeMeta/customer/revokeIssue",
        {"badgeMetaId": enrol_id, "revokeIssuals": [{"customerId": 1, "issueId": "x\x00"}]},
    )
    assert status == 400 and refused(envelope) == [(400, "revokeIssuals[0].issueId")]
    status, envelope = api.post(
        "customer/revokeEarn", {"badgeMetaId": earn_id, "customerId": 1, "earnedBadgeId": "x\x00"}
    )
    assert status == 400 and refused(envelope) == [(400, "earnedBadgeId")]
    status, envelope = api.post(
        "customer/revokeEarn",
        {"badgeMetaId": earn_id, "customerId": "a\x00@example.com", "earnedBadgeId": "x"},
        headers={"X-CAP-CUSTOMER-IDENTIFIER": "email"},
    )
    assert status == 400 and refused(envelope) == [(400, "customerId")]


def test_a_reference_id_longer_than_its_column_is_refused_on_both_databases(api, org, badges):
    before = held(org)
    body = earn_bulk_body(badges["earn"], [1]) | {
        "triggeredBy": {"ownerType": "Membercare", "referenceId": "r" * 201}
    }
    status, envelope = api.post("customer/earnBulk", body)
    assert status == 400 and refused(envelope) == [(400, "triggeredBy.referenceId")]
    assert held(org) == before


def test_a_number_beyond_64_bits_in_a_field_the_service_ignores_does_not_break_the_request(
    api, org, badges
):
    body = f'{{"badgeMetaId": "{badges["earn"]["id"]}", "customerIds": [1], "note": {2**70}, "requestId": "big", "triggeredBy": {{"ownerType": "Loyalty", "referenceId": "626"}}}}'
    status, envelope = api.post("customer/earnBulk", body)
    assert status == 200, envelope
    assert api.post("customer/earnBulk", body) == (status, envelope)  # replayed, not earned twice
    assert Earn.objects.count() == 1


# --- import/customerBadges -------------------------------------------------------------------

HISTORY = {"earnEventDate": 1700000000, "earnExpiresOn": 1900000000}


def import_rows(api, rows: list | bytes, **headers):
    status, envelope = api.put("import/customerBadges", rows, headers=headers or None)
    assert status == 200, envelope
    return envelope["data"]


def test_import_answers_a_bad_id_of_any_json_type_as_that_rows_error_and_loads_the_rest(
    api, org, badges
):
    badge_id = badges["earn"]["id"]
    rows = [
        {"badgeMetaId": {}, "customerId": 1},
        {"badgeMetaId": [], "customerId": 1},
        {"badgeMetaId": badge_id, "customerId": {}},
        {"badgeMetaId": badge_id, "customerId": []},
        {"badgeMetaId": "a\x00b", "customerId": 1},
        {"badgeMetaId": badge_id, "customerId": "٣"},
        {"badgeMetaId": badge_id, "customerId": 2},
        {"badgeMetaId": 7, "customerId": 1},
        {"badgeMetaId": badge_id},
        {"badgeMetaId": badge_id, "customerId": "3"},
    ]
    answers = import_rows(api, [row | HISTORY for row in rows])
    echoed = [
        (a["badgeMetaId"], a["customerId"], (a.get("error") or {}).get("reference"))
        for a in answers
    ]
    assert echoed == [
        (None, 1, "badgeMetaId"),
        (None, 1, "badgeMetaId"),
        (badge_id, None, "customerId"),
        (badge_id, None, "customerId"),
        (None, 1, "badgeMetaId"),
        (badge_id, None, "customerId"),
        (badge_id, 2, None),
        (None, 1, "badgeMetaId"),
        (badge_id, None, "customerId"),
        (badge_id, 3, None),
    ]
    assert answers[8]["error"]["code"] == 812
    assert sorted(Earn.objects.values_list("customer__customer_id", flat=True)) == [2, 3]
    assert Badge.objects.get(public_id=badge_id).earned_count == 2


def test_import_refuses_a_customer_id_beyond_64_bits_as_that_rows_error(api, org, badges):
    badge_id = badges["earn"]["id"]
    body = (
        f'[{{"badgeMetaId": "{badge_id}", "customerId": {2**64}, "earnEventDate": 1700000000, "earnExpiresOn": 1900000000}},'
        f' {{"badgeMetaId": "{badge_id}", "customerId": {2**63 - 1}, "earnEventDate": 1700000000, "earnExpiresOn": 1900000000}},'
        f' {{"badgeMetaId": "{badge_id}", "customerId": 1, "earnEventDate": 1700000000, "earnExpiresOn": 1900000000}}]'
    )
    answers = import_rows(api, body.encode())
    assert [(a["customerId"], (a.get("error") or {}).get("code")) for a in answers] == [
        (None, 400),
        (2**63 - 1, 1026),
        (1, None),
    ]
    assert answers[0]["error"]["reference"] == "customerId"


@pytest.mark.parametrize("value", DATE_EDGES, ids=repr)
def test_import_names_the_date_field_that_is_out_of_range(api, org, badges, value):
    key = "earnExpiresOn" if not isinstance(value, str) else "earnExpiresOnISO"
    answers = import_rows(
        api,
        [
            {
                "badgeMetaId": badges["earn"]["id"],
                "customerId": 1,
                "earnEventDate": 1700000000,
                key: value,
            }
        ],
    )
    assert answers[0]["error"]["reference"] == key
    assert "between 1900-01-01 and 2999-12-31" in answers[0]["error"]["message"]
    assert not Earn.objects.exists()


def test_import_refuses_a_batch_id_with_control_characters(api, org, badges):
    row = {"badgeMetaId": badges["earn"]["id"], "customerId": 1} | HISTORY
    status, envelope = api.put(
        "import/customerBadges", [row], headers={"X-CAP-REQUEST-ID": "b\x01"}
    )
    assert status == 400 and refused(envelope) == [(400, "X-CAP-REQUEST-ID")]
    status, envelope = api.put(
        "import/customerBadges", [row], headers={"X-CAP-REQUEST-ID": "b" * 200}
    )
    assert status == 400 and refused(envelope) == [(400, "X-CAP-REQUEST-ID")]
    assert not Earn.objects.exists()


def test_import_answers_are_typed_json(api, org, badges):
    """Every answer's ids are a string or null and an integer or null (the schema's ImportResult)."""
    rows = [
        {"badgeMetaId": value, "customerId": value} | HISTORY
        for value in (None, True, 1.5, "x", {}, [], "4")
    ]
    for answer in import_rows(api, rows):
        assert answer["badgeMetaId"] is None or isinstance(answer["badgeMetaId"], str)
        assert answer["customerId"] is None or type(answer["customerId"]) is int


def test_revoke_earn_by_a_mobile_sent_as_a_json_number_still_finds_the_customer(api, org, badges):
    Customer.objects.filter(org=org, customer_id=5).update(mobile="919876543210")
    earned = api.post("customer/earnBulk", earn_bulk_body(badges["earn"], [5]))[1]["data"][
        "issuedBadges"
    ][0]["issuedId"]
    body = {
        "badgeMetaId": badges["earn"]["id"],
        "customerId": 919876543210,
        "earnedBadgeId": earned,
    }
    status, envelope = api.post(
        "customer/revokeEarn", body, headers={"X-CAP-CUSTOMER-IDENTIFIER": "mobile"}
    )
    assert status == 200, envelope
    assert envelope["data"]["customerId"] == 5
