"""`manage.py seed_demo`: demo data on an empty database only, and always the URLs and logins."""

import base64
from io import StringIO

import orjson
import pytest
from django.core.management import call_command
from django.test import Client

from badges_api import auth
from badges_api.management.commands import seed_demo
from badges_api.models import ApiClient, Badge, BadgeClaim, BadgeGroup, CustomField, Org

API = "/api_gateway/v1/badges"


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_get(path: str, **query) -> dict:
    token = base64.b64encode(f"{seed_demo.API_USERNAME}:{seed_demo.API_PASSWORD}".encode()).decode()
    response = Client().get(f"{API}/{path}", query, headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 200, response.content
    return orjson.loads(response.content)["data"]


def test_seed_demo_creates_the_demo_org_client_group_custom_field_and_badges_on_an_empty_database(
    db,
):
    output = run_seed("--port", "8123")

    org = Org.objects.get()
    assert (org.id, org.name, org.timezone) == (100458, "Demo Retail", "UTC")
    client = ApiClient.objects.get(org=org)
    assert client.username == "demo.till"
    assert auth.check_password(client, "demo-till-password")
    group = BadgeGroup.objects.get(org=org)
    assert (group.name, group.rank, group.is_active) == ("Coffee Club", 1, True)
    terms = CustomField.objects.get(org=org)
    assert (terms.name, terms.data_type, terms.is_mandatory) == ("Terms", "STRING", True)
    assert terms.default_value
    assert Badge.objects.filter(org=org).count() == 5
    assert BadgeClaim.objects.filter(
        badge__name="Coffee Week", owner_type="Loyalty", reference_id="demo-program", is_active=True
    ).exists()
    assert "Seeded the demo org 100458" in output


def test_seed_demo_prints_the_urls_credentials_and_a_curl_example(db):
    output = run_seed("--port", "8123")

    assert "http://localhost:8123/" in output
    assert "http://localhost:8123/api_gateway/v1/badges/" in output
    assert "demo.till / demo-till-password" in output
    assert (
        "curl -u demo.till:demo-till-password 'http://localhost:8123/api_gateway/v1/badges/badgeMeta"
        in output
    )
    assert "http://localhost:8123/api/schema/" in output
    assert "http://localhost:8123/api/docs/" in output


def test_seed_demo_port_defaults_to_the_PORT_variable(db, monkeypatch):
    monkeypatch.setenv("PORT", "9321")

    assert "http://localhost:9321/" in run_seed()


def test_seed_demo_changes_nothing_when_the_database_already_has_an_org(org):
    output = run_seed("--port", "8000")

    assert list(Org.objects.values_list("id", flat=True)) == [org.id]
    assert not Badge.objects.exists()
    assert not ApiClient.objects.filter(username="demo.till").exists()
    assert "nothing was seeded" in output
    assert "http://localhost:8000/api_gateway/v1/badges/" in output


def test_seed_demo_run_twice_seeds_once(db):
    run_seed()
    output = run_seed()

    assert Org.objects.count() == 1
    assert Badge.objects.count() == 5
    assert "nothing was seeded" in output


def test_seeded_badges_cover_live_upcoming_expired_and_enrol_and_issue(db):
    run_seed()

    listed = demo_get("badgeMeta", limit=50)
    by_name = {badge["name"]: badge for badge in listed["badges"]}
    assert listed["pagination"]["total"] == 5
    assert by_name["Coffee Week"]["status"] == "LIVE"
    assert by_name["Summer Smoothie"]["status"] == "UPCOMING"
    assert by_name["Grand Opening 2024"]["status"] == "EXPIRED"
    assert by_name["Pastry Passport"]["earnType"] == "ISSUE_EARN"
    assert by_name["Pastry Passport"]["issuedBadgeExpiry"]["expiryType"] == "RELATIVE"


def test_seeded_live_badge_has_a_weekly_window_a_badge_limit_a_group_and_a_claim(db):
    run_seed()

    coffee = demo_get("badgeMeta", name="Coffee Week")["badges"][0]
    window = coffee["customerConstraints"][0]
    assert window["constraintType"] == "CUSTOMER_BADGE_FIXED_WINDOW"
    assert (window["durationType"], window["startDayOfTheWeek"], window["maxEarnLimit"]) == (
        "WEEKS",
        "MONDAY",
        1,
    )
    assert "currentCycle" in window
    assert coffee["badgeConstraints"] == [
        {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 5000}
    ]
    assert coffee["badgeGroupId"] == BadgeGroup.objects.get().public_id
    assert coffee["ownership"]["claims"] == [
        {"ownerType": "Loyalty", "referenceId": "demo-program", "isActive": True}
    ]
    cycles = demo_get("badgeMeta/getFixedWindowDetails", badgeMetaId=coffee["id"])
    assert cycles["pagination"]["total"] >= 13


def test_seeded_badges_get_the_mandatory_custom_field_default_unless_they_set_it(db):
    run_seed()
    default = CustomField.objects.get(name="Terms").default_value

    badges = {badge["name"]: badge for badge in demo_get("badgeMeta", limit=50)["badges"]}
    assert badges["Coffee Week"]["customFields"] == {"Terms": default}
    assert badges["Barista's Choice"]["customFields"] == {"Terms": "While stocks last."}


def test_seeded_images_point_at_static_files_that_exist(db, settings):
    run_seed()

    badges = demo_get("badgeMeta", limit=50)["badges"]
    urls = {image["url"] for badge in badges for image in badge["images"]}
    assert urls
    static_dir = settings.BASE_DIR / "static"
    for url in urls:
        assert url.startswith("/static/img/badges/")
        assert (static_dir / url.removeprefix("/static/")).is_file(), url


def test_seeded_benefits_cover_every_benefit_type(db):
    run_seed()

    barista = demo_get("badgeMeta", name="Barista's Choice")["badges"][0]
    assert {benefit["benefitType"] for benefit in barista["benefits"]} == {
        "COUPON",
        "LOYALTY_POINTS",
        "CART_PROMOTION",
        "GIFT_VOUCHER",
    }


@pytest.mark.parametrize("port", ["8000", "8777"])
def test_seed_demo_curl_example_uses_the_given_port(db, port):
    assert f"'http://localhost:{port}/api_gateway/v1/badges/badgeMeta?status=LIVE'" in run_seed(
        "--port", port
    )
