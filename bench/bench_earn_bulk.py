"""earnBulk through HTTP on a real server: 10,000 and 100,000 customers, and the idempotent replay.

The badge has a customer rolling window and a badge fixed-value limit (issue 3's case). Beside
each figure: the raw floor, one `INSERT ... SELECT` of the same number of earn rows with no
checks at all, so the ratio shows what the limit checks and HTTP cost.

    .venv/bin/python bench/bench_earn_bulk.py                     # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_earn_bulk.py
"""

import base64
import time
import uuid

import orjson
import requests
from _harness import gunicorn, median_ms, row, scratch_database_url, setup_django

CUSTOMERS = 110_000


def seed(database_url: str):
    setup_django(database_url)
    from django.db import connection

    from badges_api import auth
    from badges_api.models import Org
    from badges_api.sql import is_postgres

    Org.objects.all().delete()
    org = Org.objects.create(id=100458, name="Bench")
    client, _ = auth.api_client_create(org=org, username="bench", password="bench-pass")
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "INSERT INTO badges_api_customer (org_id, customer_id, first_name, last_name, created_on, last_updated_on)"
                " SELECT %s, g, '', '', now(), now() FROM generate_series(1, %s) g",
                [org.pk, CUSTOMERS],
            )
        else:
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
                " INSERT INTO badges_api_customer (org_id, customer_id, first_name, last_name, created_on, last_updated_on)"
                " SELECT %s, i, '', '', datetime('now'), datetime('now') FROM n",
                [CUSTOMERS, org.pk],
            )
    return org, client


def new_badge(org, client) -> str:
    from badges_api.services import badges as badge_services
    from tests.factories import badge_body, future

    body = badge_body(
        startOnISO=future(-1),
        expiresOnISO=future(60),
        customerConstraints=[
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 1,
                "rollForDays": 7,
            }
        ],
        badgeConstraints=[{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 1_000_000}],
    )
    badge, _ = badge_services.badge_create(org=org, client=client, body=body, migration=True)
    badge_services.badge_claim(
        org=org,
        client=client,
        badge_id=badge.public_id,
        body={"ownerType": "Loyalty", "referenceId": "bench"},
    )
    return badge.public_id


def floor_ms(org, count: int) -> float:
    """One INSERT ... SELECT of `count` earn-shaped rows into a scratch table, no checks."""
    from django.db import connection, transaction

    from badges_api.sql import is_postgres

    rows = [[uuid.uuid4().hex[:24], i] for i in range(1, count + 1)]
    samples = []
    for _ in range(3):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS floor_earn (public_id text, customer_id bigint, badge_id bigint, earned_on text)"
            )
            started = time.perf_counter()
            if is_postgres():
                cursor.execute(
                    "INSERT INTO floor_earn SELECT r.p, r.c, 1, now()::text FROM unnest(%s::text[], %s::bigint[]) r(p, c)",
                    [[r[0] for r in rows], [r[1] for r in rows]],
                )
            else:
                cursor.execute(
                    "INSERT INTO floor_earn SELECT json_extract(value,'$[0]'), json_extract(value,'$[1]'), 1, datetime('now') FROM json_each(%s)",
                    [orjson.dumps(rows).decode()],
                )
            samples.append(time.perf_counter() - started)
            cursor.execute("DELETE FROM floor_earn")
    return median_ms(samples)


def main() -> None:
    database_url = scratch_database_url("earn-bulk")
    org, client = seed(database_url)
    header = {
        "Authorization": "Basic " + base64.b64encode(b"bench:bench-pass").decode(),
        "Content-Type": "application/json",
    }
    results = []
    with gunicorn(database_url, workers=1, threads=4) as url:
        session = requests.Session()
        session.headers.update(header)
        endpoint = f"{url}/api_gateway/v1/badges/customer/earnBulk"

        def timed(body: bytes) -> float:
            started = time.perf_counter()
            response = session.post(endpoint, data=body, timeout=120)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text[:500]
            return elapsed

        def body_for(badge_id: str, count: int, request_id: str) -> bytes:
            return orjson.dumps(
                {
                    "badgeMetaId": badge_id,
                    "customerIds": list(range(1, count + 1)),
                    "triggeredBy": {"ownerType": "Loyalty", "referenceId": "bench"},
                    "requestId": request_id,
                }
            )

        timed(body_for(new_badge(org, client), 100, "warm-up"))
        ten_k = [timed(body_for(new_badge(org, client), 10_000, f"ten-{i}")) for i in range(7)]
        replay_body = body_for(new_badge(org, client), 10_000, "replay")
        timed(replay_body)
        replays = [timed(replay_body) for _ in range(15)]
        hundred_k = [
            timed(body_for(new_badge(org, client), 100_000, f"hundred-{i}")) for i in range(3)
        ]
        results = [
            (
                "earnBulk 10,000 customers (median of 7)",
                median_ms(ten_k),
                floor_ms(org, 10_000),
                250 if "sqlite" in database_url else 800,
            ),
            (
                "earnBulk 100,000 customers (median of 3)",
                median_ms(hundred_k),
                floor_ms(org, 100_000),
                1500 if "sqlite" in database_url else None,
            ),
            ("idempotent replay of a 10,000-customer request", median_ms(replays), None, 50),
        ]
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"earnBulk over HTTP, gunicorn 1 worker x 4 threads, {engine}")
    for label, value, floor, target in results:
        print(row(label, value, floor, target))
    print("floor = one INSERT ... SELECT of the same number of rows, in process, no checks")


if __name__ == "__main__":
    main()
