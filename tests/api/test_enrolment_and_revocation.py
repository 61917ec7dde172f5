"""Enrolling (issueBulk), earning an enrol-and-issue badge, and revoking both."""

from badges_api.models import Badge, Earn, Enrolment
from tests.factories import badge_body, future
from tests.lifecycle import TRIGGER, earn_bulk_body, live_badge, make_customers

NEVER = {"expiryType": "NEVER"}
TEN_DAYS = {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 10}


def enrol(api, badge, customers, **extra):
    return api.post(
        "badgeMeta/customer/issueBulk",
        {"badgeMetaId": badge["id"], "customers": customers, "triggeredBy": TRIGGER} | extra,
    )


def test_enrol_then_earn_an_issue_earn_badge(api, org):
    make_customers(org, [1, 2])
    badge = live_badge(api, earnType="ISSUE_EARN", issuedBadgeExpiry=TEN_DAYS)
    status, envelope = enrol(api, badge, [1])
    assert status == 200, envelope
    enrolment_id = envelope["data"]["issuedBadges"][0]["issuedId"]
    assert envelope["data"]["issuedBadges"][0]["status"] == "LIVE"
    assert Badge.objects.get(public_id=badge["id"]).issued_count == 1

    envelope = api.post("customer/earnBulk", earn_bulk_body(badge, [1, 2]))[1]
    codes = {
        i["customerId"]: (i.get("error") or {}).get("code")
        for i in envelope["data"]["issuedBadges"]
    }
    assert codes == {1: None, 2: 811}
    status, single = api.post(
        "customer/earn",
        {"badgeMetaId": badge["id"], "customerId": 2, "requestId": "r-2", "triggeredBy": TRIGGER},
    )
    assert status == 409 and single["errors"][0]["code"] == 811
    assert Earn.objects.get(customer__customer_id=1).enrolment.public_id == enrolment_id


def test_a_live_enrolment_is_not_repeated_1040(api, org):
    make_customers(org, [1])
    badge = live_badge(api, earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    enrol(api, badge, [1])
    envelope = enrol(api, badge, [1])[1]
    assert envelope["data"]["issuedBadges"][0]["error"]["code"] == 1040


def test_enrolment_window_runs_from_the_enrol_event_date(api, org):
    make_customers(org, [1])
    badge = live_badge(
        api,
        earnType="ISSUE_EARN",
        issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 2},
    )
    envelope = enrol(api, badge, [1], issueEventDateISO=future(-5))[1]
    assert envelope["data"]["issuedBadges"][0]["status"] == "EXPIRED"
    assert (
        enrol(api, badge, [1])[1]["data"]["issuedBadges"][0]["status"] == "LIVE"
    )  # the expired one does not block


def test_enrolment_rules(api, org):
    make_customers(org, [1])
    direct = live_badge(api)
    assert enrol(api, direct, [1])[1]["errors"][0]["code"] == 9012
    badge = live_badge(api, earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    assert enrol(api, badge, [1], issueEventDateISO=future(-30))[1]["errors"][0]["code"] == 816
    unclaimed = live_badge(api, claim=False, earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    assert enrol(api, unclaimed, [1])[1]["errors"][0]["code"] == 810


def test_revoke_issue_by_customer_and_by_issue_id(api, org):
    make_customers(org, [1, 2])
    badge = live_badge(api, earnType="ISSUE_EARN", issuedBadgeExpiry=NEVER)
    issued = {
        i["customerId"]: i["issuedId"] for i in enrol(api, badge, [1, 2])[1]["data"]["issuedBadges"]
    }

    status, envelope = api.post(
        "badgeMeta/customer/revokeIssue", {"badgeMetaId": badge["id"], "customers": [1]}
    )
    assert status == 200
    assert envelope["data"]["revokedIssues"] == [
        {"customerId": 1, "issueId": issued[1], "isActive": False}
    ]

    body = {
        "badgeMetaId": badge["id"],
        "customers": [2],
        "revokeIssuals": [{"customerId": 1, "issueId": issued[2]}],
    }
    envelope = api.post("badgeMeta/customer/revokeIssue", body)[1]
    assert (
        envelope["data"]["revokedIssues"][0]["error"]["message"]
        == "issue doesn't belong to customer"
    )

    envelope = api.post(
        "badgeMeta/customer/revokeIssue",
        {"badgeMetaId": badge["id"], "revokeIssuals": [{"customerId": 2, "issueId": issued[2]}]},
    )[1]
    assert envelope["data"]["revokedIssues"] == [
        {"customerId": 2, "issueId": issued[2], "isActive": False}
    ]
    assert Badge.objects.get(public_id=badge["id"]).issued_count == 0
    assert not Enrolment.objects.filter(is_active=True).exists()

    again = api.post(
        "badgeMeta/customer/revokeIssue", {"badgeMetaId": badge["id"], "customers": [1]}
    )[1]
    assert (
        again["data"]["revokedIssues"][0]["error"]["message"]
        == "Customer doesn't have issue instance"
    )
    assert (
        api.post("badgeMeta/customer/revokeIssue", {"badgeMetaId": badge["id"]})[1]["errors"][0][
            "code"
        ]
        == 1051
    )
    too_many = api.post(
        "badgeMeta/customer/revokeIssue",
        {"badgeMetaId": badge["id"], "customers": list(range(1, 22))},
    )
    assert too_many[0] == 400


def test_revoke_earn_frees_the_customer_to_earn_again(api, org):
    make_customers(org, [1])
    badge = live_badge(api)
    earned = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]["data"]["issuedBadges"][
        0
    ]["issuedId"]

    body = {"badgeMetaId": badge["id"], "customerId": 1, "earnedBadgeId": earned}
    status, envelope = api.post("customer/revokeEarn", body)
    assert status == 200
    assert envelope["data"] == {
        "badgeMetaId": badge["id"],
        "customerId": 1,
        "earnedBadgeId": earned,
        "isActive": False,
    }
    assert Badge.objects.get(public_id=badge["id"]).earned_count == 0
    assert api.post("customer/revokeEarn", body)[1]["errors"][0]["code"] == 814

    again = api.post("customer/earnBulk", earn_bulk_body(badge, [1]))[1]["data"]["issuedBadges"][0]
    assert "error" not in again


def test_revoke_earn_by_email_identifier(api, org):
    make_customers(org, [7])
    badge = live_badge(api)
    earned = api.post("customer/earnBulk", earn_bulk_body(badge, [7]))[1]["data"]["issuedBadges"][
        0
    ]["issuedId"]
    body = {"badgeMetaId": badge["id"], "customerId": "C7@Example.com", "earnedBadgeId": earned}
    status, envelope = api.post(
        "customer/revokeEarn", body, headers={"X-CAP-CUSTOMER-IDENTIFIER": "email"}
    )
    assert status == 200, envelope
    assert envelope["data"]["customerId"] == 7


def test_import_customer_badges_answers_each_row(api, org, other_org_api):
    make_customers(org, [1, 2])
    badge = live_badge(api, claim=False)
    foreign = other_org_api.post("badgeMeta", badge_body())[1]["data"]  # exists, but in another org
    rows = [
        {
            "badgeMetaId": badge["id"],
            "customerId": 1,
            "earnEventDateISO": "2024-01-05T10:00:00Z",
            "earnExpiresOnISO": "2024-03-05T10:00:00Z",
        },
        {
            "badgeMetaId": badge["id"],
            "customerId": 2,
            "earnEventDate": 1704448800,
            "earnExpiresOn": 1893456000,
        },
        {
            "badgeMetaId": foreign["id"],
            "customerId": 1,
            "earnEventDate": 1704448800,
            "earnExpiresOn": 1893456000,
        },
        {
            "badgeMetaId": badge["id"],
            "customerId": 404,
            "earnEventDate": 1704448800,
            "earnExpiresOn": 1893456000,
        },
        {"badgeMetaId": badge["id"], "customerId": 1, "earnEventDate": 1704448800},
    ]
    status, envelope = api.put(
        "import/customerBadges", rows, headers={"X-CAP-REQUEST-ID": "batch7"}
    )
    assert status == 200, envelope
    answers = envelope["data"]
    assert [a.get("error", {}).get("code") for a in answers] == [None, None, 1054, 1026, 400]
    assert [a["requestId"] for a in answers] == [f"batch7_{n}" for n in range(1, 6)]
    assert answers[0]["expiresOnISO"] == "2024-03-05T10:00:00Z"
    assert Badge.objects.get(public_id=badge["id"]).earned_count == 2
    imported = Earn.objects.get(public_id=answers[1]["earnedBadgeId"])
    assert imported.owner_type == "Historical_Import" and imported.expires_on.year == 2030
