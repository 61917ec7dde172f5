"""Sign-in, roles on every page, CSRF, and the commands that make console users."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from badges_ui import roles
from badges_ui.services import console_users_seed
from tests.ui.helpers import create_badge, text

PAGES = [
    "/badges/",
    "/badges/{id}/",
    "/badges/{id}/activation/?to=deactivate",
    "/settings/groups/",
    "/settings/custom-fields/",
    "/settings/api/",
]


@pytest.fixture
def badge(api, console_api):
    return create_badge(api, name="Coffee Club")


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(page, badge):
    url = page.format(id=badge["id"])
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_home_page_leads_to_the_catalogue(marketing):
    assert marketing.get("/")["Location"] == "/badges/"


def test_signing_in_with_the_login_page(console_api):
    get_user_model().objects.create_user("mia", password="a-long-password")
    roles.set_role(get_user_model().objects.get(username="mia"), roles.MARKETING)
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert (
        'for="id_username"' in page.content.decode()
        and 'for="id_password"' in page.content.decode()
    )
    wrong = client.post("/login/", {"username": "mia", "password": "nope"})
    assert wrong.status_code == 200 and "Please enter a correct username and password" in text(
        wrong
    )
    right = client.post(
        "/login/", {"username": "mia", "password": "a-long-password", "next": "/settings/groups/"}
    )
    assert right["Location"] == "/settings/groups/"
    home = client.get("/badges/")
    assert "mia" in text(home) and "Marketing manager" in text(home)


def test_signing_out_is_a_post(marketing):
    assert marketing.get("/logout/").status_code == 405
    response = marketing.post("/logout/")
    assert response["Location"] == "/login/"
    assert marketing.get("/badges/").status_code == 302


@pytest.mark.parametrize(
    "method,page",
    [
        ("get", "/settings/groups/"),
        ("post", "/settings/groups/"),
        ("get", "/settings/custom-fields/"),
        ("get", "/settings/api/"),
        ("get", "/badges/{id}/activation/?to=deactivate"),
        ("post", "/badges/{id}/activation/"),
        ("post", "/badges/{id}/claim/"),
        ("post", "/badges/{id}/unclaim/"),
    ],
)
def test_support_agents_get_a_friendly_403_on_settings_and_writes(support, badge, method, page):
    response = getattr(support, method)(page.format(id=badge["id"]), {"to": "deactivate"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    body = text(response)
    assert "This page is not open to your role" in body
    assert (
        "This page is for marketing managers and admins." in body
        or "This page is for admins." in body
    )
    assert "sam.support" in body


def test_support_agents_read_the_catalogue_and_badges(support, badge):
    assert support.get("/badges/").status_code == 200
    detail = support.get(f"/badges/{badge['id']}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Deactivate" not in html and "/claim/" not in html and "/unclaim/" not in html
    assert "Badge groups" not in text(detail)  # no settings in the nav


def test_marketing_managers_manage_badges_and_catalogue_settings_but_not_the_api_connection(
    marketing, badge
):
    assert marketing.get("/settings/groups/").status_code == 200
    assert marketing.get("/settings/custom-fields/").status_code == 200
    assert marketing.get(f"/badges/{badge['id']}/activation/?to=deactivate").status_code == 200
    denied = marketing.get("/settings/api/")
    assert denied.status_code == 403 and "This page is for admins." in text(denied)


def test_admins_open_everything(admin, badge):
    for page in PAGES:
        assert admin.get(page.format(id=badge["id"])).status_code == 200, page
    assert "API connection" in text(admin.get("/badges/"))


def test_a_user_without_a_role_is_refused_everywhere(no_role, badge):
    assert no_role.get("/badges/").status_code == 403
    assert no_role.get(f"/badges/{badge['id']}/").status_code == 403


def test_a_superuser_counts_as_an_admin(console_api):
    user = get_user_model().objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(user)
    assert client.get("/settings/api/").status_code == 200


def test_csrf_is_enforced_on_unsafe_requests(console_api, badge):
    user = get_user_model().objects.create_user("mia", password="pw")
    roles.set_role(user, roles.MARKETING)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    refused = client.post(
        f"/badges/{badge['id']}/claim/", {"owner_type": "Loyalty", "reference_id": "X"}
    )
    assert refused.status_code == 403
    assert "That form could not be sent" in text(refused)

    page = client.get(f"/badges/{badge['id']}/")
    token = client.cookies["csrftoken"].value
    assert (
        '"x-csrftoken": "' in page.content.decode()
    )  # HTMX sends the token from <body hx-headers>
    accepted = client.post(
        f"/badges/{badge['id']}/claim/",
        {"owner_type": "Loyalty", "reference_id": "X"},
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 302


def test_create_console_user_creates_and_prints_a_generated_password(db):
    out = io.StringIO()
    call_command("create_console_user", "sam", "--role", "support", stdout=out)
    password = out.getvalue().split("Password: ")[1].strip()
    user = get_user_model().objects.get(username="sam")
    assert user.check_password(password) and len(password) >= 12
    assert roles.role_of(user) == roles.SUPPORT


def test_create_console_user_changes_the_role_of_an_existing_user(db):
    call_command(
        "create_console_user",
        "sam",
        "--role",
        "support",
        "--password",
        "first-pass",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("create_console_user", "sam", "--role", "admin", stdout=out)
    user = get_user_model().objects.get(username="sam")
    assert roles.role_of(user) == roles.ADMIN
    assert user.check_password("first-pass")
    assert "password unchanged" in out.getvalue()
    assert [g.name for g in user.groups.all()] == ["console:admin"]


def test_create_console_user_refuses_an_unknown_role(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_console_user", "sam", "--role", "boss")


def test_console_users_seed_makes_one_user_per_role_once(db):
    first = console_users_seed()
    assert [(username, role) for username, role, _ in first] == [
        ("marketing", "marketing"),
        ("support", "support"),
        ("admin", "admin"),
    ]
    for username, role, password in first:
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password) and roles.role_of(user) == role
    again = console_users_seed()
    assert [password for _, _, password in again] == [None, None, None]
