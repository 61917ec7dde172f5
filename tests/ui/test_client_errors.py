"""The client's error mapping and transport rules, for failures the real service cannot produce.

`responses` stands in for the network here only; everything the embedded API can answer is
tested against it in test_client_live.py.
"""

import base64
import hashlib

import orjson
import pytest
import requests
import responses
from responses import matchers

from badges_ui.client import (
    BadgesApiAuthError,
    BadgesApiError,
    BadgesApiNotFound,
    BadgesApiUnavailable,
    BadgesApiValidationError,
    BadgesClient,
    TokenCache,
)

BASE = "http://badges.test"
BADGE_META = f"{BASE}/api_gateway/v1/badges/badgeMeta"
TOKEN_URL = f"{BASE}/v3/oauth/token/generate"


def envelope(data=None, errors=(), warnings=()):
    return {"data": data, "errors": list(errors), "warnings": list(warnings)}


def badge_wire(**overrides):
    wire = {
        "id": "0123456789abcdef01234567",
        "name": "Coffee Club",
        "status": "LIVE",
        "active": True,
        "earnType": "EARN",
        "startOn": 1700000000,
        "startOnISO": "2023-11-14T22:13:20Z",
        "expiresOn": 1800000000,
        "expiresOnISO": "2027-01-15T08:00:00Z",
        "ownership": {"restrictedToOwners": ["Loyalty"], "claims": []},
    }
    return wire | overrides


@pytest.fixture
def client():
    c = BadgesClient(
        BASE, username="till", password="secret", timeout=2, backoff_factor=0, tokens=TokenCache()
    )
    yield c
    c.close()


@responses.activate
def test_a_timeout_is_reported_as_unavailable_and_not_retried(client):
    responses.get(BADGE_META, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(BadgesApiUnavailable, match="did not answer within 2 seconds"):
        client.list_badges()
    assert len(responses.calls) == 1


def test_a_refused_connection_is_reported_as_unavailable(closed_port_url):
    client = BadgesClient(
        closed_port_url, username="till", password="secret", timeout=2, backoff_factor=0
    )
    with pytest.raises(BadgesApiUnavailable, match="could not be reached") as caught:
        client.get_badge("0123456789abcdef01234567")
    assert caught.value.errors == ()


@responses.activate
def test_401_is_an_auth_error_carrying_the_apis_message(client):
    responses.get(
        BADGE_META,
        status=401,
        json=envelope(
            errors=[{"code": 401, "message": "Invalid username or password", "reference": None}]
        ),
    )
    with pytest.raises(BadgesApiAuthError, match="Invalid username or password") as caught:
        client.list_badges()
    assert caught.value.status == 401
    assert caught.value.codes == (401,)


@responses.activate
def test_a_403_without_an_envelope_is_still_an_auth_error(client):
    responses.get(BADGE_META, status=403, body="<html>Forbidden</html>", content_type="text/html")
    with pytest.raises(BadgesApiAuthError):
        client.list_badges()


@responses.activate
def test_404_with_the_envelope_is_not_found(client):
    responses.get(
        f"{BADGE_META}/0123456789abcdef01234567",
        status=404,
        json=envelope(errors=[{"code": 404, "message": "Not found", "reference": None}]),
    )
    with pytest.raises(BadgesApiNotFound, match="Not found"):
        client.get_badge("0123456789abcdef01234567")


@responses.activate
def test_404_without_the_envelope_means_the_url_is_not_a_badge_api(client):
    responses.get(
        f"{BADGE_META}/0123456789abcdef01234567",
        status=404,
        body="<h1>Not Found</h1>",
        content_type="text/html",
    )
    with pytest.raises(BadgesApiUnavailable, match="something other than its JSON envelope"):
        client.get_badge("0123456789abcdef01234567")


@responses.activate
def test_400_carries_every_error_with_its_code_message_and_reference(client):
    errors = [
        {"code": 725, "message": "Badge name cannot be duplicate", "reference": None},
        {"code": 720, "message": "Start Date should be before End Date", "reference": "expiresOn"},
        {
            "code": 9010,
            "message": "refreshRate is mandatory for DAYS",
            "reference": "customerConstraints[0].refreshRate",
        },
    ]
    responses.post(BADGE_META, status=400, json=envelope(errors=errors))
    with pytest.raises(BadgesApiValidationError) as caught:
        client.create_badge({"name": "Coffee Club"})
    error = caught.value
    assert error.status == 400
    assert [(e.code, e.message, e.reference) for e in error.errors] == [
        (725, "Badge name cannot be duplicate", None),
        (720, "Start Date should be before End Date", "expiresOn"),
        (9010, "refreshRate is mandatory for DAYS", "customerConstraints[0].refreshRate"),
    ]
    assert str(error.errors[0]) == "Badge name cannot be duplicate (code 725)"
    assert len(responses.calls) == 1


@responses.activate
def test_a_409_is_a_validation_error_too(client):
    responses.post(
        BADGE_META,
        status=409,
        json=envelope(
            errors=[{"code": 809, "message": "Duplicate requestId", "reference": "requestId"}]
        ),
    )
    with pytest.raises(BadgesApiValidationError):
        client.create_badge({"name": "x"})


@responses.activate
def test_503_is_unavailable_after_the_get_was_retried(client):
    responses.get(
        BADGE_META,
        status=503,
        json=envelope(errors=[{"code": 503, "message": "Service unavailable", "reference": None}]),
    )
    with pytest.raises(BadgesApiUnavailable, match="HTTP 503") as caught:
        client.list_badges()
    assert caught.value.status == 503
    assert len(responses.calls) == 3  # the call and two retries


@responses.activate
def test_a_get_that_recovers_after_a_503_succeeds(client):
    responses.get(BADGE_META, status=503, json=envelope(errors=[{"code": 503, "message": "busy"}]))
    responses.get(
        BADGE_META,
        json=envelope(
            {
                "badges": [badge_wire()],
                "pagination": {"page": 0, "size": 20, "total": 1, "totalPages": 1},
            }
        ),
    )
    page = client.list_badges()
    assert [badge.name for badge in page] == ["Coffee Club"]


@responses.activate
def test_an_idempotent_put_is_retried_after_a_503(client):
    url = f"{BADGE_META}/0123456789abcdef01234567/deactivate"
    responses.put(url, status=503, body="")
    responses.put(url, json=envelope({"id": "0123456789abcdef01234567", "isActive": False}))
    assert client.set_badge_active("0123456789abcdef01234567", False).is_active is False
    assert len(responses.calls) == 2


@responses.activate
def test_a_post_without_a_request_id_is_never_retried(client):
    responses.post(BADGE_META, status=503, json=envelope(errors=[{"code": 503, "message": "busy"}]))
    with pytest.raises(BadgesApiUnavailable):
        client.create_badge({"name": "Coffee Club"})
    assert len(responses.calls) == 1


@responses.activate
def test_a_post_carrying_a_request_id_is_retried(client):
    responses.post(BADGE_META, status=503, body="")
    responses.post(BADGE_META, json=envelope(badge_wire()))
    badge = client.create_badge({"name": "Coffee Club", "requestId": "req-1"})
    assert badge.name == "Coffee Club"
    assert len(responses.calls) == 2


@responses.activate
def test_a_non_json_502_is_unavailable(client):
    responses.get(
        BADGE_META,
        status=502,
        body="<html><body>Bad Gateway</body></html>",
        content_type="text/html",
    )
    with pytest.raises(
        BadgesApiUnavailable, match="HTTP 502 with something other than its JSON envelope"
    ):
        client.list_badges()


@responses.activate
def test_a_200_that_is_not_the_envelope_is_unavailable(client):
    responses.get(BADGE_META, body="<html>a login page</html>", content_type="text/html")
    with pytest.raises(BadgesApiUnavailable, match="without its JSON envelope"):
        client.list_badges()


@responses.activate
def test_an_answer_of_the_wrong_shape_is_unavailable_not_a_crash(client):
    responses.get(f"{BADGE_META}/0123456789abcdef01234567", json=envelope({"name": "no id"}))
    with pytest.raises(BadgesApiUnavailable, match="shape"):
        client.get_badge("0123456789abcdef01234567")


def test_every_error_is_a_badges_api_error():
    for kind in (
        BadgesApiUnavailable,
        BadgesApiAuthError,
        BadgesApiNotFound,
        BadgesApiValidationError,
    ):
        assert issubclass(kind, BadgesApiError)


@responses.activate
def test_basic_credentials_a_user_agent_and_a_timeout_go_with_every_request(client):
    responses.get(
        BADGE_META,
        json=envelope(
            {"badges": [], "pagination": {"page": 0, "size": 20, "total": 0, "totalPages": 0}}
        ),
    )
    client.list_badges()
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"till:secret").decode()
    assert request.headers["User-Agent"].startswith("BadgeConsole/")
    assert request.req_kwargs["timeout"] == (2, 2)


@responses.activate
def test_an_md5_password_is_sent_as_configured():
    digest = hashlib.md5(b"secret").hexdigest()
    client = BadgesClient(BASE, username="till", password=digest)
    responses.get(BADGE_META, json=envelope({"badges": [], "pagination": {}}))
    client.list_badges()
    assert (
        responses.calls[0].request.headers["Authorization"]
        == "Basic " + base64.b64encode(f"till:{digest}".encode()).decode()
    )


@responses.activate
def test_a_historical_badge_is_created_with_the_migration_header(client):
    responses.post(
        BADGE_META,
        json=envelope(
            badge_wire(),
            warnings=[{"code": 0, "message": "claims ignored", "reference": "ownership.claims"}],
        ),
    )
    badge = client.create_badge({"name": "Coffee Club"}, historical=True)
    assert responses.calls[0].request.headers["X-CAP-BADGES-MIGRATION"] == "migration"
    assert [w.reference for w in badge.warnings] == ["ownership.claims"]
    responses.post(BADGE_META, json=envelope(badge_wire()))
    client.create_badge({"name": "Coffee Club"})
    assert "X-CAP-BADGES-MIGRATION" not in responses.calls[1].request.headers


class FakeClock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def oauth_client(clock, tokens=None):
    return BadgesClient(
        BASE,
        oauth_key="key",
        oauth_secret="s3cret",
        clock=clock,
        tokens=tokens or TokenCache(),
        backoff_factor=0,
    )


@responses.activate
def test_an_oauth_token_is_fetched_once_then_renewed_before_it_expires():
    clock = FakeClock()
    client = oauth_client(clock)
    token_call = responses.post(
        TOKEN_URL,
        json=envelope({"accessToken": "token-1", "ttlSeconds": 3600}),
        match=[matchers.json_params_matcher({"key": "key", "secret": "s3cret"})],
    )
    listing = responses.get(BADGE_META, json=envelope({"badges": [], "pagination": {}}))

    client.list_badges()
    client.list_badges()
    assert token_call.call_count == 1
    assert [
        call.request.headers[client_header()]
        for call in responses.calls
        if call.request.method == "GET"
    ] == ["token-1", "token-1"]
    assert "Authorization" not in responses.calls[1].request.headers

    # 10% of the hour before it expires, the token is renewed rather than risked.
    clock.now += 3600 - 300
    responses.replace(
        responses.POST, TOKEN_URL, json=envelope({"accessToken": "token-2", "ttlSeconds": 3600})
    )
    client.list_badges()
    assert responses.calls[-1].request.headers[client_header()] == "token-2"
    assert listing.call_count == 3


def client_header():
    return "X-CAP-API-OAUTH-TOKEN"


@responses.activate
def test_a_rejected_oauth_token_is_replaced_once():
    clock = FakeClock()
    client = oauth_client(clock)
    responses.post(TOKEN_URL, json=envelope({"accessToken": "stale", "ttlSeconds": 3600}))
    responses.post(TOKEN_URL, json=envelope({"accessToken": "fresh", "ttlSeconds": 3600}))
    responses.get(
        BADGE_META,
        status=401,
        json=envelope(errors=[{"code": 401, "message": "Invalid or expired OAuth token"}]),
    )
    responses.get(BADGE_META, json=envelope({"badges": [], "pagination": {}}))
    client.list_badges()
    sent = [
        call.request.headers.get(client_header())
        for call in responses.calls
        if call.request.method == "GET"
    ]
    assert sent == ["stale", "fresh"]


@responses.activate
def test_wrong_oauth_credentials_are_an_auth_error():
    responses.post(
        TOKEN_URL,
        status=401,
        json=envelope(errors=[{"code": 401, "message": "Invalid key or secret"}]),
    )
    with pytest.raises(BadgesApiAuthError, match="Invalid key or secret"):
        oauth_client(FakeClock()).list_badges()


@responses.activate
def test_tokens_are_shared_between_clients_of_the_same_api():
    clock, tokens = FakeClock(), TokenCache()
    token_call = responses.post(
        TOKEN_URL, json=envelope({"accessToken": "shared", "ttlSeconds": 3600})
    )
    responses.get(BADGE_META, json=envelope({"badges": [], "pagination": {}}))
    oauth_client(clock, tokens).list_badges()
    oauth_client(clock, tokens).list_badges()
    assert token_call.call_count == 1


@responses.activate
def test_query_strings_speak_the_apis_names(client):
    from badges_ui.types import BadgeFilters

    responses.get(BADGE_META, json=envelope({"badges": [], "pagination": {}}))
    filters = BadgeFilters(
        status="LIVE",
        active=False,
        owner="Loyalty",
        unclaimed=True,
        name="coffee",
        sort_on="NAME",
        order="ASC",
    )
    client.list_badges(filters, page=2, limit=50)
    params = responses.calls[0].request.params
    assert params == {
        "sortOn": "NAME",
        "order": "ASC",
        "status": "LIVE",
        "action": "DE_ACTIVATED",
        "owner": "Loyalty",
        "unclaimed": "true",
        "name": "coffee",
        "page": "2",
        "limit": "50",
    }


@responses.activate
def test_a_badge_parses_into_dataclasses_with_snake_case_names(client):
    wire = badge_wire(
        customerConstraints=[
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "startDayOfTheWeek": "TUESDAY",
                "maxEarnLimit": 2,
                "referenceId": "r1",
            },
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 2,
                "rollForDays": 7,
            },
        ],
        badgeConstraints=[
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "WEEKS",
                "rollValue": 1,
                "maxEarnLimit": 100,
            }
        ],
        images=[
            {"tag": "EARNED", "url": "https://img.test/e.png"},
            {"tag": "UN_EARNED", "url": "https://img.test/u.png"},
        ],
        earnedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "WEEKS", "value": 2},
    )
    responses.get(
        f"{BADGE_META}/{wire['id']}",
        body=orjson.dumps(envelope(wire)),
        content_type="application/json",
    )
    badge = client.get_badge(wire["id"])
    assert badge.thumbnail_url == "https://img.test/u.png"
    assert badge.customer_constraints[0].describe() == ["at most 2 per week starting Tuesday"]
    assert badge.customer_constraints[1].describe() == ["at most 2 in any 7 days"]
    assert badge.badge_constraints[0].describe() == ["at most 100 in any week"]
    assert badge.earned_badge_expiry.describe() == "2 weeks after it is earned"
    assert badge.start_on.isoformat() == "2023-11-14T22:13:20+00:00"
    assert badge.raw == wire


def test_a_slow_api_times_out_once_without_being_asked_again(silent_server):
    url, accepted = silent_server
    client = BadgesClient(url, username="till", password="secret", timeout=0.3, backoff_factor=0)
    with pytest.raises(BadgesApiUnavailable, match="did not answer within 0.3 seconds"):
        client.list_badges()
    assert len(accepted) == 1
