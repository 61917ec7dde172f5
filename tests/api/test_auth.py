"""Credentials as Capillary takes them: Basic (password or its md5) and the OAuth token header."""

import base64
import hashlib
import time
from types import SimpleNamespace

import jwt
import orjson
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from badges_api import auth
from badges_api.models import ApiClient, Org
from tests.factories import badge_body

BADGES = "/api_gateway/v1/badges/badgeMeta"
TOKEN_URL = "/v3/oauth/token/generate"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def get(path: str = BADGES, **headers) -> tuple[int, dict | None, object]:
    response = Client().get(path, headers=headers)
    return (
        response.status_code,
        orjson.loads(response.content) if response.content else None,
        response,
    )


def token_for(key: str, secret: str) -> tuple[int, dict]:
    body = orjson.dumps({"key": key, "secret": secret})
    response = Client().post(TOKEN_URL, body, content_type="application/json")
    return response.status_code, orjson.loads(response.content)


def assert_unauthorized(status: int, envelope: dict, response) -> None:
    assert status == 401
    assert envelope["data"] is None
    assert envelope["errors"][0]["code"] == 401
    assert envelope["errors"][0]["message"]
    assert response["WWW-Authenticate"] == 'Basic realm="badges"'


@pytest.fixture(autouse=True)
def fresh_credential_cache():
    auth.credential_cache_clear()
    yield
    auth.credential_cache_clear()


@pytest.fixture
def till(api_credentials):
    client, password = api_credentials
    return SimpleNamespace(client=client, username=client.username, password=password)


# --- Basic ------------------------------------------------------------------------------------


def test_basic_with_the_plain_password_is_accepted(till):
    status, envelope, _ = get(Authorization=basic(till.username, till.password))
    assert status == 200, envelope
    assert envelope["errors"] == []


def test_basic_with_the_md5_of_the_password_is_accepted(till):
    md5 = hashlib.md5(till.password.encode()).hexdigest()  # noqa: S324
    status, envelope, _ = get(Authorization=basic(till.username, md5))
    assert status == 200, envelope


def test_basic_with_an_upper_case_md5_is_accepted(till):
    md5 = hashlib.md5(till.password.encode()).hexdigest().upper()  # noqa: S324
    status, envelope, _ = get(Authorization=basic(till.username, md5))
    assert status == 200, envelope


def test_basic_scheme_name_is_case_insensitive(till):
    header = basic(till.username, till.password).replace("Basic", "basic")
    status, _, _ = get(Authorization=header)
    assert status == 200


def test_a_wrong_password_is_a_401_envelope(till):
    assert_unauthorized(*get(Authorization=basic(till.username, "not-the-password")))


def test_the_md5_of_a_wrong_password_is_a_401_envelope(till):
    wrong_md5 = hashlib.md5(b"not-the-password").hexdigest()  # noqa: S324
    assert_unauthorized(*get(Authorization=basic(till.username, wrong_md5)))


def test_the_stored_digest_itself_is_not_a_password(till):
    assert_unauthorized(*get(Authorization=basic(till.username, till.client.secret_digest)))


def test_an_unknown_username_is_a_401_envelope(till):
    assert_unauthorized(*get(Authorization=basic("nobody", till.password)))


def test_no_credentials_at_all_is_a_401_envelope(till):
    status, envelope, response = get()
    assert_unauthorized(status, envelope, response)
    assert "not provided" in envelope["errors"][0]["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Basic not*base64!",
        "Basic " + base64.b64encode(b"store.server-server123").decode(),  # no colon
        "Basic " + base64.b64encode(b":server123").decode(),  # no username
        "Basic " + base64.b64encode(b"\xff\xfe:server123").decode(),  # not UTF-8
        "Basic "
        + base64.b64encode(b"store\x00server:server123").decode(),  # NUL, refused by PostgreSQL
        "Basic",
        "Bearer abc.def.ghi",
    ],
    ids=[
        "not-base64",
        "no-colon",
        "no-username",
        "not-utf8",
        "nul-byte",
        "no-value",
        "other-scheme",
    ],
)
def test_a_malformed_authorization_header_is_a_401_envelope(till, header):
    assert_unauthorized(*get(Authorization=header))


def test_a_password_may_contain_colons(org):
    client, password = auth.api_client_create(org=org, username="colon.till", password="a:b:c")
    status, _, _ = get(Authorization=basic(client.username, password))
    assert status == 200


def test_an_inactive_client_is_refused(till, settings):
    settings.BADGES_AUTH_CACHE_SECONDS = (
        5  # nothing remembered yet: refused with or without the cache
    )
    ApiClient.objects.filter(pk=till.client.pk).update(is_active=False)
    assert_unauthorized(*get(Authorization=basic(till.username, till.password)))


def test_a_generated_password_works(org):
    client, password = auth.api_client_create(org=org, username="generated.till")
    assert len(password) >= 20
    assert get(Authorization=basic(client.username, password))[0] == 200


def test_request_user_is_the_client_and_request_auth_its_org(till, rf):
    request = rf.get(BADGES, HTTP_AUTHORIZATION=basic(till.username, till.password))
    user, org = auth.CapillaryAuthentication().authenticate(request)
    assert isinstance(user, ApiClient) and user.pk == till.client.pk
    assert isinstance(org, Org) and org.pk == till.client.org_id
    assert (org.name, org.timezone) == ("Demo Retail", "UTC")
    assert user.created_on == till.client.created_on  # fields not selected still load on access


# --- OAuth ------------------------------------------------------------------------------------


def test_an_oauth_token_round_trip(till, settings):
    status, envelope = token_for(till.username, till.password)
    assert status == 200, envelope
    token = envelope["data"]["accessToken"]
    assert envelope["data"]["ttlSeconds"] == settings.BADGES_OAUTH_TTL_SECONDS
    status, listed, _ = get(X_CAP_API_OAUTH_TOKEN=token)
    assert status == 200, listed


def test_the_token_secret_may_be_the_md5_of_the_password(till):
    status, envelope = token_for(till.username, auth.md5_hex(till.password).upper())
    assert status == 200, envelope


def test_a_token_is_refused_for_a_wrong_secret(till):
    status, envelope = token_for(till.username, "wrong")
    assert status == 401
    assert envelope["errors"][0]["code"] == 401


def test_a_token_request_without_key_or_secret_is_a_400(till):
    status, envelope = token_for("", "")
    assert status == 400
    assert envelope["errors"][0]["reference"] == "key"


@pytest.mark.parametrize("key", ["store\x00server", "store\tserver", "\x9f"])
def test_a_token_key_with_a_control_character_is_a_400_naming_it(till, key):
    """A NUL in the key was a 500 on PostgreSQL (found by bench/fuzz_api.py), a 401 on SQLite."""
    status, envelope = token_for(key, till.password)
    assert status == 400, envelope
    assert envelope["errors"][0]["reference"] == "key"


def test_the_token_header_takes_precedence_over_basic(till):
    status, envelope, response = get(
        Authorization=basic(till.username, till.password), X_CAP_API_OAUTH_TOKEN="garbage"
    )
    assert_unauthorized(status, envelope, response)


@pytest.mark.parametrize("ttl", [0, -60])
def test_an_expired_token_is_a_401_envelope(till, settings, ttl):
    settings.BADGES_OAUTH_TTL_SECONDS = ttl
    token, _ = auth.token_issue(till.client)
    status, envelope, response = get(X_CAP_API_OAUTH_TOKEN=token)
    assert_unauthorized(status, envelope, response)
    assert "expired" in envelope["errors"][0]["message"]


def test_a_token_whose_signature_was_checked_before_still_expires(till, monkeypatch):
    token, ttl = auth.token_issue(till.client)
    assert get(X_CAP_API_OAUTH_TOKEN=token)[0] == 200  # verified and remembered
    later = time.time() + ttl + 1
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: later, monotonic=time.monotonic))
    assert_unauthorized(*get(X_CAP_API_OAUTH_TOKEN=token))


def test_a_tampered_token_is_a_401_envelope(till):
    token, _ = auth.token_issue(till.client)
    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["org"] = 200001
    forged = base64.urlsafe_b64encode(orjson.dumps(claims)).decode().rstrip("=")
    assert_unauthorized(*get(X_CAP_API_OAUTH_TOKEN=f"{header}.{forged}.{signature}"))
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert_unauthorized(*get(X_CAP_API_OAUTH_TOKEN=f"{header}.{payload}.{flipped}"))


def test_a_token_signed_with_another_key_is_a_401_envelope(till):
    now = int(time.time())
    claims = {"sub": str(till.client.pk), "org": till.client.org_id, "iat": now, "exp": now + 600}
    token = jwt.encode(claims, "another-key-" * 4, algorithm="HS256")
    assert_unauthorized(*get(X_CAP_API_OAUTH_TOKEN=token))


def test_an_unsigned_token_is_a_401_envelope(till):
    now = int(time.time())
    claims = {"sub": str(till.client.pk), "org": till.client.org_id, "iat": now, "exp": now + 600}
    assert_unauthorized(*get(X_CAP_API_OAUTH_TOKEN=jwt.encode(claims, None, algorithm="none")))


@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""], ids=["garbage", "three-parts", "empty"])
def test_a_token_that_is_not_a_jwt_is_refused(till, token):
    status, envelope, response = get(X_CAP_API_OAUTH_TOKEN=token)
    assert_unauthorized(status, envelope, response)


def test_a_token_of_a_client_deactivated_since_is_refused(till, settings):
    settings.BADGES_AUTH_CACHE_SECONDS = 0
    token, _ = auth.token_issue(till.client)
    assert get(X_CAP_API_OAUTH_TOKEN=token)[0] == 200
    ApiClient.objects.filter(pk=till.client.pk).update(is_active=False)
    assert_unauthorized(*get(X_CAP_API_OAUTH_TOKEN=token))


def test_a_token_of_a_client_moved_to_another_org_is_refused(till):
    token, _ = auth.token_issue(till.client)
    other = Org.objects.create(id=300003, name="Elsewhere")
    ApiClient.objects.filter(pk=till.client.pk).update(org=other)
    assert_unauthorized(*get(X_CAP_API_OAUTH_TOKEN=token))


# --- the credential cache (BADGES_AUTH_CACHE_SECONDS) -----------------------------------------


def test_with_the_cache_off_deactivation_takes_effect_at_once(till, settings):
    settings.BADGES_AUTH_CACHE_SECONDS = 0
    header = basic(till.username, till.password)
    assert get(Authorization=header)[0] == 200
    ApiClient.objects.filter(pk=till.client.pk).update(is_active=False)
    assert get(Authorization=header)[0] == 401


def test_a_remembered_credential_is_honoured_until_its_seconds_pass(till, settings, monkeypatch):
    settings.BADGES_AUTH_CACHE_SECONDS = 5
    header = basic(till.username, till.password)
    assert get(Authorization=header)[0] == 200
    ApiClient.objects.filter(pk=till.client.pk).update(is_active=False)
    assert get(Authorization=header)[0] == 200  # remembered: the documented few seconds of grace
    later = time.monotonic() + 6
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=time.time, monotonic=lambda: later))
    assert get(Authorization=header)[0] == 401


def test_clearing_the_cache_makes_a_deactivation_immediate(till, settings):
    settings.BADGES_AUTH_CACHE_SECONDS = 5
    header = basic(till.username, till.password)
    assert get(Authorization=header)[0] == 200
    ApiClient.objects.filter(pk=till.client.pk).update(is_active=False)
    auth.credential_cache_clear()
    assert get(Authorization=header)[0] == 401


def test_a_failed_credential_is_never_remembered(till, settings):
    settings.BADGES_AUTH_CACHE_SECONDS = 5
    ApiClient.objects.filter(pk=till.client.pk).update(is_active=False)
    header = basic(till.username, till.password)
    assert get(Authorization=header)[0] == 401
    ApiClient.objects.filter(pk=till.client.pk).update(is_active=True)
    assert get(Authorization=header)[0] == 200


def test_a_remembered_token_never_outlives_its_expiry(till, settings, monkeypatch):
    settings.BADGES_AUTH_CACHE_SECONDS = 3600
    settings.BADGES_OAUTH_TTL_SECONDS = 60
    token, _ = auth.token_issue(till.client)
    assert get(X_CAP_API_OAUTH_TOKEN=token)[0] == 200
    later = time.time() + 61
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=lambda: later, monotonic=time.monotonic))
    assert get(X_CAP_API_OAUTH_TOKEN=token)[0] == 401


def test_each_request_gets_its_own_client_and_org_objects(till, settings, rf):
    settings.BADGES_AUTH_CACHE_SECONDS = 5
    request = rf.get(BADGES, HTTP_AUTHORIZATION=basic(till.username, till.password))
    first_user, first_org = auth.CapillaryAuthentication().authenticate(request)
    second_user, second_org = auth.CapillaryAuthentication().authenticate(request)
    assert first_user.pk == second_user.pk and first_user is not second_user
    assert first_org is not second_org


# --- orgs never see each other --------------------------------------------------------------


def test_another_orgs_badge_is_not_found_exactly_like_an_absent_one(api, other_org_api):
    status, created = api.post("badgeMeta", badge_body())
    assert status == 200, created
    badge_id = created["data"]["id"]

    status, foreign = other_org_api.get(f"badgeMeta/{badge_id}")
    absent_status, absent = other_org_api.get("badgeMeta/" + "0" * 24)
    assert status == absent_status == 404
    assert foreign == absent
    assert foreign["errors"][0] == {
        "code": 404,
        "message": "Passed badge is not found",
        "reference": None,
    }


def test_another_orgs_badges_are_not_listed(api, other_org_api):
    api.post("badgeMeta", badge_body())
    status, listed = other_org_api.get("badgeMeta")
    assert status == 200
    assert listed["data"]["badges"] == []


def test_another_orgs_badge_cannot_be_activated_or_claimed(api, other_org_api):
    status, created = api.post("badgeMeta", badge_body())
    badge_id = created["data"]["id"]
    assert other_org_api.put(f"badgeMeta/{badge_id}/deactivate")[0] == 404
    claim = {"ownerType": "Loyalty", "referenceId": "1"}
    assert other_org_api.post(f"badgeMeta/{badge_id}/claim", claim)[0] == 404
    status, fetched = api.get(f"badgeMeta/{badge_id}")
    assert fetched["data"]["active"] is True


def test_a_token_carries_its_org(api, other_org_api):
    status, created = api.post("badgeMeta", badge_body())
    badge_id = created["data"]["id"]
    status, envelope = token_for("other.till", "other-secret")
    token = envelope["data"]["accessToken"]
    status, body, _ = get(f"{BADGES}/{badge_id}", X_CAP_API_OAUTH_TOKEN=token)
    assert status == 404
    assert body["errors"][0]["message"] == "Passed badge is not found"


# --- manage.py create_api_client ----------------------------------------------------------------


def run_command(*args) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("create_api_client", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_creates_the_org_and_a_client_that_can_call_the_api(db):
    out, _ = run_command("100458", "store.server", "--password", "server123")
    org = Org.objects.get(id=100458)
    assert (org.name, org.timezone) == ("Org 100458", "UTC")
    assert ApiClient.objects.get(username="store.server").org_id == 100458
    md5 = hashlib.md5(b"server123").hexdigest()  # noqa: S324
    header = basic("store.server", "server123")
    assert "server123" in out and md5 in out
    assert f"Authorization: {header}" in out
    assert f"Authorization: {basic('store.server', md5)}" in out
    assert "/v3/oauth/token/generate" in out and "curl" in out
    assert get(Authorization=header)[0] == 200
    assert token_for("store.server", "server123")[0] == 200


def test_the_command_uses_the_given_org_name_and_timezone(db):
    run_command(
        "100459", "kolkata.till", "--org-name", "Mumbai Stores", "--timezone", "Asia/Kolkata"
    )
    org = Org.objects.get(id=100459)
    assert (org.name, org.timezone) == ("Mumbai Stores", "Asia/Kolkata")


def test_the_command_reuses_an_existing_org_unchanged(org):
    out, err = run_command(str(org.id), "second.till", "--timezone", "Europe/Paris")
    org.refresh_from_db()
    assert org.timezone == "UTC"
    assert "existing org" in out
    assert "unchanged" in err
    assert ApiClient.objects.filter(org=org, username="second.till").exists()


def test_the_command_generates_a_password_that_works(db):
    out, _ = run_command("100460", "random.till")
    password = next(
        line.split()[-1] for line in out.splitlines() if line.strip().startswith("password:")
    )
    assert len(password) >= 20
    assert get(Authorization=basic("random.till", password))[0] == 200


def test_the_command_refuses_a_duplicate_username_clearly(db):
    run_command("100458", "store.server", "--password", "server123")
    with pytest.raises(CommandError, match="already exists"):
        run_command("100461", "store.server")
    assert not Org.objects.filter(id=100461).exists()
    assert ApiClient.objects.filter(username="store.server").count() == 1


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../etc/passwd", "not a zone"])
def test_the_command_refuses_an_unknown_timezone(db, zone):
    with pytest.raises(CommandError, match="Unknown timezone"):
        run_command("100462", "tz.till", "--timezone", zone)
    assert not Org.objects.filter(id=100462).exists()


@pytest.mark.parametrize(
    "args",
    [
        ("0", "zero.till"),
        ("100463", "a:b"),
        ("100463", "   "),
        ("100463", "empty.pw", "--password", ""),
    ],
    ids=["org-zero", "colon-in-username", "blank-username", "empty-password"],
)
def test_the_command_refuses_bad_arguments(db, args):
    with pytest.raises(CommandError):
        run_command(*args)
    assert not ApiClient.objects.exists()


def test_a_command_error_has_no_traceback(db, capsys):
    """From the shell, Django prints a CommandError as one line on stderr and exits 1."""
    from django.core.management import ManagementUtility

    run_command("100458", "store.server")
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "create_api_client", "100458", "store.server"]).execute()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "CommandError: An API client named 'store.server' already exists" in err
