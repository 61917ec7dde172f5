"""API paths skip the console's middleware (badges_api/api/dispatch.py) and keep what an API
call needs: security headers, host validation, the envelope, no cookies, no CSRF."""

import orjson
import pytest
from django.test import Client

from tests.factories import badge_body

BADGES = "/api_gateway/v1/badges"
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def assert_api_headers(response) -> None:
    assert response["Content-Type"].startswith("application/json")
    assert int(response["Content-Length"]) == len(response.content)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == API_POLICY
    assert not response.cookies  # no session, CSRF or messages cookie on an API answer


def test_an_api_answer_carries_the_security_headers_and_no_cookie(api):
    response = api.client.get(f"{BADGES}/badgeMeta", headers=api.headers)
    assert response.status_code == 200
    assert_api_headers(response)


@pytest.mark.parametrize(
    "method, url, status",
    [
        ("get", f"{BADGES}/nothingHere", 404),
        ("delete", f"{BADGES}/badgeMeta", 405),
        ("get", f"{BADGES}/customer/424242", 404),
    ],
)
def test_an_api_error_carries_them_too(api, method, url, status):
    response = getattr(api.client, method)(url, headers=api.headers)
    assert response.status_code == status
    assert orjson.loads(response.content)["errors"][0]["code"]
    assert_api_headers(response)


def test_without_credentials_it_is_a_401_envelope_with_the_headers(db):
    response = Client().get(f"{BADGES}/badgeMeta")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="badges"'
    assert_api_headers(response)


def test_a_header_authenticated_post_needs_no_csrf_token(api):
    client = Client(enforce_csrf_checks=True)
    body = orjson.dumps(badge_body())
    response = client.post(
        f"{BADGES}/badgeMeta", body, content_type="application/json", headers=api.headers
    )
    assert response.status_code == 200, response.content


def test_hsts_reaches_api_answers_when_configured(api, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    response = Client().get(f"{BADGES}/badgeMeta", headers=api.headers, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=3600"


def test_the_console_keeps_its_own_middleware(db):
    response = Client().get("/login/")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "text/html, application/json;q=0.9"]
)
def test_clients_that_take_json_get_json(api, accept):
    headers = api.headers | ({"Accept": accept} if accept else {})
    response = api.client.get(f"{BADGES}/badgeMeta", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_a_client_that_takes_no_json_is_told_so_in_the_envelope(api):
    response = api.client.get(f"{BADGES}/badgeMeta", headers=api.headers | {"Accept": "text/html"})
    assert response.status_code == 406
    assert orjson.loads(response.content)["data"] is None
