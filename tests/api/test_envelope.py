"""Every API error leaves as the envelope, whoever raised it: the service, DRF, Django, or a bug.

Some of these tests route through a urlconf of their own (this module) that adds views Django,
not DRF, runs, so that handler404/handler500 and the middleware are reached the way a real
failure outside a DRF view reaches them.
"""

import orjson
import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.http import require_POST

from badges_api.api import envelope
from badges_api.selectors import badges as badge_selectors
from console import urls as console_urls
from tests.factories import badge_body

BADGES = "/api_gateway/v1/badges"
MIDDLEWARE = "badges_api.api.handlers.ApiEnvelopeMiddleware"


class Boom(Exception):
    pass


def django_view_that_crashes(request):
    raise Boom("secret detail that must not leak")


def django_view_that_answers_html_403(request):
    return HttpResponse("<h1>Forbidden</h1>", status=403)


@require_POST
def django_view_for_post_only(request):
    return HttpResponse("ok")


urlpatterns = [
    path("api_gateway/v1/badges/test-crash", django_view_that_crashes),
    path("api_gateway/v1/badges/test-html-403", django_view_that_answers_html_403),
    path("api_gateway/v1/badges/test-post-only", django_view_for_post_only),
    path("test-crash", django_view_that_crashes),
    *console_urls.urlpatterns,
]
handler404 = console_urls.handler404
handler500 = console_urls.handler500


@pytest.fixture
def envelope_middleware(settings):
    """The middleware first in MIDDLEWARE, as console/settings.py must have it."""
    if settings.MIDDLEWARE[0] != MIDDLEWARE:
        settings.MIDDLEWARE = [MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE)]


def assert_envelope(response, status: int, code: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = orjson.loads(response.content)
    assert body["data"] is None
    assert body["errors"][0]["code"] == code
    assert body["errors"][0]["message"]
    assert b"Traceback" not in response.content and b"<html" not in response.content.lower()
    return body


def send(api, method: str, url: str, data=b"", content_type="application/json", **extra):
    return getattr(api.client, method)(
        url, data, content_type=content_type, headers=api.headers, **extra
    )


# --- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"{bad", b'{"name": "x",}', b"\xff\xfe", b'{"name": "unterminated']
)
def test_malformed_json_is_a_400_envelope(api, raw):
    assert_envelope(send(api, "post", f"{BADGES}/badgeMeta", raw), 400, 400)


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", f"{BADGES}/badgeMeta"),
        ("put", f"{BADGES}/badgeMeta"),
        ("post", f"{BADGES}/group"),
        ("post", f"{BADGES}/customField"),
        ("post", "/v3/oauth/token/generate"),
    ],
)
@pytest.mark.parametrize(
    "raw", [b"[1, 2]", b'"text"', b"42", b"null"], ids=["array", "string", "number", "null"]
)
def test_a_body_that_is_not_a_json_object_is_a_400_envelope(api, method, url, raw):
    assert_envelope(send(api, method, url, raw), 400, 400)


def test_a_json_array_on_create_says_an_object_is_expected(api):
    body = assert_envelope(send(api, "post", f"{BADGES}/badgeMeta", b"[]"), 400, 400)
    assert "JSON object" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
    ],
)
def test_an_unsupported_content_type_is_a_415_envelope(api, content_type):
    response = send(api, "post", f"{BADGES}/badgeMeta", b"name=x", content_type=content_type)
    assert_envelope(response, 415, 415)


def test_json_with_a_charset_is_accepted(api):
    raw = orjson.dumps(badge_body())
    response = send(
        api, "post", f"{BADGES}/badgeMeta", raw, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200, response.content


# --- oversized bodies ---------------------------------------------------------------------------


def test_a_body_over_the_upload_limit_is_a_413_envelope(api, settings, envelope_middleware):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    oversized = orjson.dumps(badge_body(description="x" * 2000))
    body = assert_envelope(send(api, "post", f"{BADGES}/badgeMeta", oversized), 413, 413)
    assert "1024" in body["errors"][0]["message"]


def test_a_body_at_the_upload_limit_is_read(api, settings, envelope_middleware):
    raw = orjson.dumps(badge_body())
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(raw)
    response = send(api, "post", f"{BADGES}/badgeMeta", raw)
    assert response.status_code == 200, response.content


def test_an_oversized_body_is_refused_before_credentials_are_checked(
    api, settings, envelope_middleware
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    raw = b"{" + b" " * 100 + b"}"
    response = Client().post(f"{BADGES}/badgeMeta", raw, content_type="application/json")
    assert_envelope(response, 413, 413)


def test_an_oversized_token_request_is_a_413_envelope(settings, envelope_middleware, db):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    raw = b'{"key": "k", "secret": "s"}'
    response = Client().post("/v3/oauth/token/generate", raw, content_type="application/json")
    assert_envelope(response, 413, 413)


def test_drf_alone_would_parse_an_oversized_body(api, settings):
    """Why the middleware exists: DRF reads the stream, skipping Django's size check."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = send(api, "post", f"{BADGES}/badgeMeta", orjson.dumps(badge_body()))
    assert response.status_code == 200


def test_settings_install_the_envelope_middleware_first():
    from django.conf import settings

    assert settings.MIDDLEWARE[0] == MIDDLEWARE, f"put {MIDDLEWARE!r} first in MIDDLEWARE"


# --- methods and paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, url",
    [
        ("delete", f"{BADGES}/badgeMeta"),
        ("patch", f"{BADGES}/badgeMeta"),
        ("post", f"{BADGES}/badgeMeta/{'a' * 24}"),
        ("get", f"{BADGES}/badgeMeta/{'a' * 24}/activate"),
        ("get", "/v3/oauth/token/generate"),
    ],
)
def test_a_wrong_method_is_a_405_envelope(api, method, url):
    assert_envelope(send(api, method, url), 405, 405)


@pytest.mark.parametrize(
    "url",
    [
        f"{BADGES}/nothingHere",
        f"{BADGES}/badgeMeta/{'a' * 24}/claim/extra",
        "/api_gateway/v2/anything",
        "/v3/oauth/nope",
    ],
)
def test_an_unknown_api_path_is_a_404_envelope(api, url):
    body = assert_envelope(api.client.get(url, headers=api.headers), 404, 404)
    assert body["errors"][0]["message"] == "Not found"


def test_an_unknown_api_path_is_a_404_envelope_without_credentials(db):
    assert_envelope(Client().get(f"{BADGES}/nothingHere"), 404, 404)


def test_an_unknown_page_outside_the_api_is_django_s_plain_404(db):
    response = Client().get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.urls(__name__)
def test_an_unknown_api_path_stays_the_envelope_under_debug(api, settings, envelope_middleware):
    settings.DEBUG = True
    assert_envelope(api.client.get(f"{BADGES}/nothingHere", headers=api.headers), 404, 404)


# --- crashes ----------------------------------------------------------------------------------


def test_a_crash_inside_an_api_view_is_a_500_envelope_without_a_traceback(api, monkeypatch, caplog):
    def crash(*args, **kwargs):
        raise Boom("secret detail that must not leak")

    monkeypatch.setattr(badge_selectors, "badge_wire", crash)
    client = Client(raise_request_exception=False)
    response = client.get(f"{BADGES}/badgeMeta/{'a' * 24}", headers=api.headers)
    body = assert_envelope(response, 500, 999999)
    assert b"secret detail" not in response.content
    assert body["errors"][0]["message"] == "Unexpected error; nothing was changed"
    assert any(record.exc_info for record in caplog.records)  # the traceback goes to the log


@pytest.mark.urls(__name__)
def test_a_crash_outside_drf_on_an_api_path_is_a_500_envelope(db, caplog):
    response = Client(raise_request_exception=False).get(f"{BADGES}/test-crash")
    assert_envelope(response, 500, 999999)
    assert b"secret detail" not in response.content
    assert any(record.exc_info for record in caplog.records)


@pytest.mark.urls(__name__)
def test_a_crash_outside_the_api_is_django_s_plain_500(db):
    response = Client(raise_request_exception=False).get("/test-crash")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"Traceback" not in response.content and b"secret detail" not in response.content


@pytest.mark.urls(__name__)
def test_a_crash_on_an_api_path_under_debug_is_still_the_envelope(
    db, settings, envelope_middleware
):
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get(f"{BADGES}/test-crash")
    assert_envelope(response, 500, 999999)


@pytest.mark.urls(__name__)
def test_an_html_error_page_on_an_api_path_becomes_the_envelope(db, envelope_middleware):
    assert_envelope(Client().get(f"{BADGES}/test-html-403"), 403, 403)


@pytest.mark.urls(__name__)
def test_django_s_own_405_keeps_its_allow_header_in_the_envelope(db, envelope_middleware):
    response = Client().get(f"{BADGES}/test-post-only")
    assert_envelope(response, 405, 405)
    assert response["Allow"] == "POST"


def test_a_disallowed_host_on_an_api_path_is_a_400_envelope(db, envelope_middleware):
    response = Client(raise_request_exception=False).get(
        f"{BADGES}/badgeMeta", HTTP_HOST="evil.example"
    )
    assert_envelope(response, 400, 400)


def test_the_handlers_answer_the_envelope_helpers_shape(rf):
    from badges_api.api import handlers

    response = handlers.not_found(rf.get(f"{BADGES}/x"), Exception())
    assert orjson.loads(response.content) == envelope.error_body(
        [envelope.ErrorItem(404, "Not found")]
    )
    assert handlers.server_error(rf.get("/v3/oauth/x")).status_code == 500
