"""What one credential check costs: Basic (password and md5) and OAuth token, against the floor.

Run `.venv/bin/python bench/bench_auth.py` (a throwaway SQLite file under /tmp, migrated here), or
with DATABASE_URL=postgres://... to measure PostgreSQL (the rows it creates are removed after).
Options: --calls N (default 20000), --pbkdf2-calls N (default 5).

Every figure is one CapillaryAuthentication.authenticate() call, in microseconds. The floor is
what no credential check can avoid: one SHA-256 and one indexed SELECT of the client row through
an open cursor. "remembered" rows run with BADGES_AUTH_CACHE_SECONDS=5 (no database at all);
the others read the row every time. Two contrasts: the same lookup through the ORM (what the
hand-written SELECT replaces), and Django's default PBKDF2 check_password, which is why API
clients keep a salted SHA-256 of md5(password) instead of a password hash.
"""

import argparse
import base64
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
_TEMP_DIR = None
if not os.environ.get("DATABASE_URL"):
    _TEMP_DIR = tempfile.TemporaryDirectory(prefix="bench-auth-", dir="/tmp")
    os.environ["DATABASE_URL"] = f"sqlite:///{_TEMP_DIR.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.auth import hashers  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402

from badges_api import auth  # noqa: E402
from badges_api.models import ApiClient, Org  # noqa: E402

BENCH_ORG_ID = 990_000_001
USERNAME = "bench.auth.till"
PASSWORD = "bench-password-123"


def measure(call, calls: int) -> tuple[float, float]:
    """Median and p99 of one call, in microseconds."""
    for _ in range(min(calls, 200)):  # warm connections, caches, imports
        call()
    clock = time.perf_counter_ns
    samples = []
    for _ in range(calls):
        start = clock()
        call()
        samples.append(clock() - start)
    samples.sort()
    return statistics.median(samples) / 1000, samples[max(0, int(len(samples) * 0.99) - 1)] / 1000


def remove_bench_rows() -> None:
    # Plain DELETEs: the bench org owns nothing but its client.
    clients, orgs = (connection.ops.quote_name(model._meta.db_table) for model in (ApiClient, Org))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {clients} WHERE org_id = %s", [BENCH_ORG_ID])  # noqa: S608
        cursor.execute(f"DELETE FROM {orgs} WHERE id = %s", [BENCH_ORG_ID])  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--pbkdf2-calls", type=int, default=5)
    options = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    remove_bench_rows()
    org = Org.objects.create(id=BENCH_ORG_ID, name="Bench org")
    client, password = auth.api_client_create(org=org, username=USERNAME, password=PASSWORD)
    try:
        rows = run(client, password, options)
    finally:
        remove_bench_rows()

    floor = rows[0][1]
    print(
        f"Credential checks on {connection.vendor}: microseconds per call ({options.calls} calls each)"
    )
    print(f"{'check':<48} {'median':>10} {'p99':>10} {'x floor':>8}")
    for name, median, p99 in rows:
        print(f"{name:<48} {median:>10.1f} {p99:>10.1f} {median / floor:>8.1f}")


def run(client: ApiClient, password: str, options) -> list[tuple[str, float, float]]:
    factory = RequestFactory()
    authentication = auth.CapillaryAuthentication()
    plain = base64.b64encode(f"{USERNAME}:{password}".encode()).decode()
    md5 = base64.b64encode(f"{USERNAME}:{auth.md5_hex(password)}".encode()).decode()
    token, _ = auth.token_issue(client)
    basic_request = factory.get("/", HTTP_AUTHORIZATION=f"Basic {plain}")
    md5_request = factory.get("/", HTTP_AUTHORIZATION=f"Basic {md5}")
    token_request = factory.get("/", HTTP_X_CAP_API_OAUTH_TOKEN=token)
    for request in (basic_request, md5_request, token_request):
        assert authentication.authenticate(request)[0].pk == client.pk

    table = connection.ops.quote_name(ApiClient._meta.db_table)
    columns = "id, org_id, salt, secret_digest, is_active"
    sql = f"SELECT {columns} FROM {table} WHERE username = %s"  # noqa: S608
    cursor = connection.cursor()

    def floor():
        hashlib.sha256(f"{client.salt}:{PASSWORD}".encode()).hexdigest()
        cursor.execute(sql, [USERNAME])
        cursor.fetchone()

    def token_first_use():
        auth.token_claims.cache_clear()
        authentication.authenticate(token_request)

    def orm_lookup():
        found = (
            ApiClient.objects.select_related("org")
            .filter(username=USERNAME, is_active=True)
            .first()
        )
        auth.check_password(found, password)

    calls = options.calls
    cases = [
        ("floor: sha256 + indexed SELECT (open cursor)", floor, calls),
        ("Basic, plain password", lambda: authentication.authenticate(basic_request), calls),
        ("Basic, md5 of the password", lambda: authentication.authenticate(md5_request), calls),
        ("OAuth token", lambda: authentication.authenticate(token_request), calls),
        ("OAuth token, first use (PyJWT verifies it)", token_first_use, calls),
    ]
    with override_settings(BADGES_AUTH_CACHE_SECONDS=0):  # every check reads the client row
        rows = [(name, *measure(call, count)) for name, call, count in cases]
    with override_settings(BADGES_AUTH_CACHE_SECONDS=5):
        auth.credential_cache_clear()
        remembered = [
            (
                "Basic, plain password, remembered 5 s",
                lambda: authentication.authenticate(basic_request),
            ),
            ("Basic, md5, remembered 5 s", lambda: authentication.authenticate(md5_request)),
            ("OAuth token, remembered 5 s", lambda: authentication.authenticate(token_request)),
        ]
        rows += [(name, *measure(call, calls)) for name, call in remembered]
        auth.credential_cache_clear()

    rows.append(
        ("contrast: ORM select_related lookup + hash", *measure(orm_lookup, max(calls // 10, 100)))
    )
    encoded = hashers.make_password(PASSWORD)
    algorithm = hashers.identify_hasher(encoded).algorithm
    rows.append(
        (
            f"contrast: Django {algorithm} check_password",
            *measure(lambda: hashers.check_password(PASSWORD, encoded), options.pbkdf2_calls),
        )
    )
    return rows


if __name__ == "__main__":
    main()
