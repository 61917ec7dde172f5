"""Safe by default: no committed SECRET_KEY signs anything, and BADGES_HTTPS makes `check --deploy` clean."""

import json
import os
import secrets
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import jwt
import pytest
from django.conf import settings

from badges_api import auth
from console import secret_key

ROOT = Path(__file__).resolve().parents[1]
# The development key console/settings.py carried until issue 9: public in the git history.
COMMITTED_KEY = "dev-only-insecure-secret-key-change-me-in-production-0123456789"


# What a fresh start must not inherit from the environment the tests run in.
SECURITY_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "BADGES_HTTPS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "BADGES_TRUST_X_FORWARDED_PROTO",
}


def django_env(tmp_path: Path, **extra: str) -> dict:
    """The environment of a fresh start: nothing security-related set, its own key file."""
    env = {key: value for key, value in os.environ.items() if key not in SECURITY_VARIABLES}
    settings_module = {"DJANGO_SETTINGS_MODULE": "console.settings"}
    return env | settings_module | {"SECRET_KEY_FILE": str(tmp_path / "key")} | extra


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        check=False,
        cwd=ROOT,
        env=django_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_committed_key_is_listed_as_committed():
    assert secret_key.is_committed(COMMITTED_KEY)
    assert not secret_key.is_committed(settings.SECRET_KEY)


def test_a_token_signed_with_the_committed_key_is_refused(api, api_credentials):
    client, _ = api_credentials
    now = int(time.time())
    claims = {"sub": str(client.pk), "org": client.org_id, "iat": now, "exp": now + 600}
    forged = jwt.encode(claims, COMMITTED_KEY, algorithm="HS256")
    status, envelope = api.call(
        "GET", "badgeMeta", headers={"Authorization": "", "X-CAP-API-OAUTH-TOKEN": forged}
    )
    assert status == 401
    assert envelope["errors"][0]["code"] == 401
    # A token the service issued is still accepted, so the refusal is about the key.
    genuine, _ = auth.token_issue(client)
    status, _ = api.call(
        "GET", "badgeMeta", headers={"Authorization": "", "X-CAP-API-OAUTH-TOKEN": genuine}
    )
    assert status == 200


def test_the_server_refuses_to_start_with_a_committed_key(tmp_path):
    result = manage(tmp_path, "check", SECRET_KEY=COMMITTED_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is a key published in this repository" in result.stderr


def test_without_secret_key_a_private_random_key_is_made_once_and_kept(tmp_path):
    key_file = tmp_path / "data" / ".secret-key"
    first = secret_key.secret_key({}, key_file)
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key.secret_key({}, key_file) == first  # sessions and tokens survive a restart
    assert secret_key.secret_key({}, tmp_path / "elsewhere") != first
    chosen = secrets.token_urlsafe(50)  # made here, so no committed key is ever in use
    assert secret_key.secret_key({"SECRET_KEY": chosen}, key_file) == chosen


def test_workers_starting_together_share_one_key(tmp_path):
    key_file = tmp_path / ".secret-key"
    keys = []
    threads = [
        threading.Thread(target=lambda: keys.append(secret_key.secret_key({}, key_file)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert [path.name for path in tmp_path.iterdir()] == [".secret-key"]  # no temporary file left


def test_a_committed_key_in_the_key_file_is_refused_too(tmp_path):
    key_file = tmp_path / ".secret-key"
    key_file.write_text(COMMITTED_KEY + "\n")
    with pytest.raises(secret_key.CommittedSecretKey):
        secret_key.secret_key({}, key_file)


def test_each_database_has_its_own_key_file_beside_sqlite_or_in_the_project(tmp_path):
    sqlite = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "data" / "badges.sqlite3"),
    }
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "badge_console"}
    assert (
        secret_key.default_key_file(ROOT, sqlite) == tmp_path / "data" / "badges.sqlite3.secret-key"
    )
    assert secret_key.default_key_file(ROOT, postgres) == ROOT / ".secret-key-badge_console"


@pytest.mark.parametrize("name", ["db.sqlite3.secret-key", ".secret-key-badge_console"])
def test_the_key_files_are_not_tracked_by_git(name):
    result = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False)
    assert result.returncode == 0


def test_check_deploy_is_clean_with_badges_https(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "DEBUG", BADGES_HTTPS="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_it(tmp_path):
    # The switch is what makes the difference: without it the same checks name what is missing.
    result = manage(tmp_path, "check", "--deploy")
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout


HTTPS_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
api = "/api_gateway/v1/badges/badgeMeta"
plain = Client().get(api)
secure = Client().get(api, secure=True)
console = Client().get("/login/")
print(json.dumps({
    "debug": settings.DEBUG,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "api_plain": [plain.status_code, plain.get("Location")],
    "api_secure": [secure.status_code, secure.get("Strict-Transport-Security"), secure["Content-Type"]],
    "console_plain": [console.status_code, console.get("Location")],
}))
"""


def test_badges_https_redirects_and_sets_hsts_on_api_paths_as_on_the_console(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", HTTPS_PROBE],
        check=False,
        cwd=ROOT,
        env=django_env(tmp_path, BADGES_HTTPS="true"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["debug"] is False
    assert seen["session_cookie_secure"] and seen["csrf_cookie_secure"]
    assert seen["api_plain"] == [301, "https://testserver/api_gateway/v1/badges/badgeMeta"]
    assert seen["console_plain"] == [301, "https://testserver/login/"]
    status, hsts, content_type = seen["api_secure"]
    assert status == 401 and content_type.startswith(
        "application/json"
    )  # no credentials: the envelope
    assert hsts == "max-age=31536000; includeSubDomains; preload"
