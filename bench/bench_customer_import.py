"""How fast customers load: `manage.py import_customers` and `POST .../customers/import`,
against raw floors.

Run: `.venv/bin/python bench/bench_customer_import.py` (a throwaway SQLite file under /tmp,
migrated here) or with DATABASE_URL=postgres://... to measure PostgreSQL (the rows it creates are
removed). Options: --rows N (default 200000), --repeat N (default 3; the median is printed),
--no-http (skip the gunicorn server). "seconds" is the median wall-clock time (rows/s and
"x floor" follow from it), "best" the fastest run, "cpu s" the median CPU time of this process
(for the command on SQLite the whole cost; PostgreSQL's server work, and the HTTP server's, are
not in it). Other work on the machine slows every figure, so the load average is printed.

Each command figure is the whole command: reading the file, parsing it with the csv module,
validating every cell, the set-based checks against the registry and the writes, in one
transaction.
- new: the file into an org without customers (every row inserted);
- unchanged: the same file again (every row compared, nothing written);
- renamed: a file that changes every first name (every row updated, identifiers untouched);
- upsert, new identifiers: a file that gives every customer a new email, externalId and
  cardNumber (every value probed for another holder, every row upserted);
- new, org not empty: the file into an org that already holds as many other customers (every
  identifier probed for a holder before the insert).
The HTTP figures POST the same files as `text/csv` to a real gunicorn server (1 worker) over
loopback with Basic auth: "new" into an empty org, then "upsert, new identifiers".

The floors write the same, already validated rows into a scratch table with the customer
table's columns, no parsing and no checks:
- one `INSERT ... SELECT` of the rows sent as one JSON parameter (json_each on SQLite,
  jsonb_array_elements on PostgreSQL, as the import writes them), no indexes;
- the raw driver path: one `executemany` (SQLite) or one `COPY ... FROM STDIN` (PostgreSQL);
- the `INSERT ... SELECT` again into a table with the customer table's unique indexes, which
  every insert into the real table pays for (like `badges_api_customer` since migration 0006, it
  has no foreign-key check to the org and no index on the org alone).
"""

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
_TEMP_DIR = tempfile.TemporaryDirectory(prefix="bench-customers-", dir="/tmp")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{_TEMP_DIR.name}/bench.sqlite3"

import django  # noqa: E402

django.setup()

import orjson  # noqa: E402
import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from badges_api import auth  # noqa: E402
from badges_api.models import Org  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import gunicorn  # noqa: E402

BENCH_ORG_ID = 990_000_002
BENCH_USERNAME, BENCH_PASSWORD = "bench.customer.import", "bench-customer-import"
NEIGHBOUR_OFFSET = 10**12  # ids of the customers already in the org for "new, org not empty"
SCRATCH = "bench_customer_floor"
HEADER = "id,email,mobile,externalId,cardNumber,firstName,lastName\n"
FIRST_NAMES = [
    "Ann",
    "Bo",
    "Chen",
    "Dara",
    "Eve",
    "Femi",
    "Gita",
    "Hugo",
    "Ines",
    "José",
    "Kai",
    "Lea",
]
LAST_NAMES = [
    "Lee",
    "Okafor",
    "Silva",
    "Novak",
    "Haddad",
    "Kumar",
    "Müller",
    "Dubois",
    "Rossi",
    "Sato",
]


def customers_csv(
    rows: int, *, first_id: int = 1, rename: bool = False, rekey: bool = False
) -> str:
    """A realistic export: shuffled ids, mixed-case emails, formatted mobiles, some empty cells.
    `rename` changes every first name; `rekey` every email, externalId and cardNumber."""
    rng = random.Random(first_id)
    ids = list(range(first_id, first_id + rows))
    rng.shuffle(ids)
    lines = [HEADER]
    for n in ids:
        first = ("Re" if rename else "") + rng.choice(FIRST_NAMES)
        digits = f"{n:013d}"
        mobile = (
            f"+{digits[:2]} {digits[2:7]} {digits[7:]}" if n % 10 else ""
        )  # one in ten has none
        card = f"CARD-{n:012d}" if n % 4 else ""  # one in four has no card
        domain, tag = ("Example.org", "NEW-") if rekey else ("Example.com", "")
        card = f"{tag}{card}" if card else ""
        lines.append(
            f"{n},User.{n}@{domain},{mobile},{tag}EXT-{n:010d},{card},{first},"
            f"{rng.choice(LAST_NAMES)}\n"
        )
    return "".join(lines)


def floor_rows(text: str) -> list[tuple]:
    """The rows as the import writes them, so the floor does the same write without the work."""
    rows = []
    for line in text.splitlines()[1:]:
        cid, email, mobile, external, card, first, last = line.split(",")
        digits = mobile.replace(" ", "").removeprefix("+")
        rows.append((int(cid), email.lower(), digits, external, card, first, last))
    return sorted(rows)  # in id order, as the import writes them


def drop_scratch() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")


def create_scratch(*, like_customers: bool) -> None:
    """The customer table's columns; with `like_customers`, also its unique indexes."""
    drop_scratch()
    with connection.cursor() as cursor:
        key = (
            "id bigserial PRIMARY KEY"
            if connection.vendor == "postgresql"
            else "id integer PRIMARY KEY AUTOINCREMENT"
        )
        cursor.execute(
            f"CREATE TABLE {SCRATCH} ({key}, org_id bigint NOT NULL, customer_id bigint NOT NULL,"
            " email varchar(254), mobile varchar(32), external_id varchar(128),"
            " card_number varchar(64),"
            " first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL,"
            " created_on timestamp NOT NULL, last_updated_on timestamp NOT NULL)"
        )
        if like_customers:
            cursor.execute(f"CREATE UNIQUE INDEX {SCRATCH}_id ON {SCRATCH} (org_id, customer_id)")
            for column in ("email", "mobile", "external_id", "card_number"):
                cursor.execute(
                    f"CREATE UNIQUE INDEX {SCRATCH}_{column} ON {SCRATCH} (org_id, {column})"
                    f" WHERE {column} IS NOT NULL"
                )


class Stopwatch:
    """Wall-clock seconds, and this process's CPU seconds (PostgreSQL's own work is not in them)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def floor_insert(rows: list[tuple], *, upsert: bool = False) -> Stopwatch:
    """One INSERT ... SELECT of `rows` into the scratch table, committed; with `upsert`, rows
    whose id is there already overwrite it (ON CONFLICT DO UPDATE, every column)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = (
        "org_id, customer_id, email, mobile, external_id, card_number, first_name, last_name,"
        " created_on, last_updated_on"
    )
    with Stopwatch() as watch, transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            source, field, integer = (
                "jsonb_array_elements(%s::jsonb) AS j(value)",
                "(j.value ->> {})",
                "({})::bigint",
            )
        else:
            source, field, integer = "json_each(%s) AS j", "json_extract(j.value, '$[{}]')", "{}"
        f = field.format
        cursor.execute(
            f"INSERT INTO {SCRATCH} ({columns}) SELECT %s, {integer.format(f(0))},"
            f" nullif({f(1)}, ''), nullif({f(2)}, ''), nullif({f(3)}, ''), nullif({f(4)}, ''),"
            f" {f(5)}, {f(6)}, %s, %s FROM {source} WHERE true" + (_FLOOR_UPSERT if upsert else ""),
            [BENCH_ORG_ID, now, now, orjson.dumps(rows).decode()],
        )
    return watch


_FLOOR_UPSERT = (
    " ON CONFLICT (org_id, customer_id) DO UPDATE SET email = excluded.email,"
    " mobile = excluded.mobile, external_id = excluded.external_id,"
    " card_number = excluded.card_number, first_name = excluded.first_name,"
    " last_name = excluded.last_name, last_updated_on = excluded.last_updated_on"
)


def floor_driver(rows: list[tuple]) -> Stopwatch:
    """The same rows through the driver's own bulk path into the scratch table, committed:
    COPY ... FROM STDIN on PostgreSQL, executemany of one prepared INSERT on SQLite."""
    now = timezone.now()
    columns = (
        "org_id, customer_id, email, mobile, external_id, card_number, first_name, last_name,"
        " created_on, last_updated_on"
    )
    records = [
        (
            BENCH_ORG_ID,
            cid,
            email or None,
            mobile or None,
            external or None,
            card or None,
            first,
            last,
            now,
            now,
        )
        for cid, email, mobile, external, card, first, last in rows
    ]
    with Stopwatch() as watch, transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {SCRATCH} ({columns}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"INSERT INTO {SCRATCH} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [record[:8] + (stamp, stamp) for record in records],
            )
    return watch


def command(org: Org, path: Path) -> tuple[Stopwatch, str]:
    out = StringIO()
    with Stopwatch() as watch:
        call_command("import_customers", str(org.pk), str(path), stdout=out, stderr=StringIO())
    return watch, out.getvalue().splitlines()[0]


def http_import(session, url: str, path: Path) -> tuple[Stopwatch, str]:
    body = path.read_bytes()
    with Stopwatch() as watch:
        response = session.post(
            f"{url}/api_gateway/v1/badges/customers/import",
            data=body,
            headers={"Content-Type": "text/csv"},
            timeout=600,
        )
    data = response.json()["data"]
    return watch, (
        f"HTTP {response.status_code}: inserted {data['inserted']}, updated {data['updated']},"
        f" unchanged {data['unchanged']}, rejected {data['rejected']}"
    )


def clear(org: Org) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM badges_api_customer WHERE org_id = %s", [org.pk])
        if connection.vendor == "postgresql":
            # Otherwise every unique check of the next run visits the dead rows of this one.
            cursor.execute("VACUUM ANALYZE badges_api_customer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP endpoint")
    options = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    drop_scratch()
    Org.objects.filter(id=BENCH_ORG_ID).delete()
    org = Org.objects.create(id=BENCH_ORG_ID, name="Bench org")
    auth.api_client_create(org=org, username=BENCH_USERNAME, password=BENCH_PASSWORD)
    folder = Path(_TEMP_DIR.name)
    original = folder / "customers.csv"
    original.write_text(customers_csv(options.rows))
    renamed = folder / "renamed.csv"
    renamed.write_text(customers_csv(options.rows, rename=True))
    rekeyed = folder / "rekeyed.csv"
    rekeyed.write_text(customers_csv(options.rows, rekey=True))
    neighbours = folder / "neighbours.csv"
    neighbours.write_text(customers_csv(options.rows, first_id=NEIGHBOUR_OFFSET))
    rows = floor_rows(original.read_text())
    rekeyed_rows = floor_rows(rekeyed.read_text())

    times: dict[str, list[Stopwatch]] = {}
    summaries: dict[str, str] = {}

    def record(name: str, watch: Stopwatch, summary: str = "") -> None:
        times.setdefault(name, []).append(watch)
        summaries[name] = summary

    load_before = os.getloadavg()
    server = (
        contextlib.nullcontext()
        if options.no_http
        else gunicorn(os.environ["DATABASE_URL"], workers=1, threads=1)
    )
    try:
        with server as url, requests.Session() as session:
            session.auth = (BENCH_USERNAME, BENCH_PASSWORD)
            if url:  # the worker's first request imports and warms everything; not timed
                session.get(f"{url}/api_gateway/v1/badges/customers", params={"size": 1})
            for _ in range(options.repeat):
                clear(org)
                record(RAW_FLOOR, *_floor(rows, like_customers=False))
                record(
                    f"floor: {_DRIVER_FLOOR[connection.vendor]}, no indexes", *_driver_floor(rows)
                )
                record(INSERT_FLOOR, *_floor(rows, like_customers=True))
                record(UPSERT_FLOOR, floor_insert(rekeyed_rows, upsert=True))
                drop_scratch()
                record("import_customers: new", *command(org, original))
                record("import_customers: unchanged", *command(org, original))
                record("import_customers: renamed", *command(org, renamed))
                record("import_customers: upsert, new identifiers", *command(org, rekeyed))
                clear(org)
                command(org, neighbours)
                record("import_customers: new, org not empty", *command(org, original))
                if url:
                    clear(org)
                    record("HTTP POST customers/import: new", *http_import(session, url, original))
                    record(
                        "HTTP POST customers/import: upsert",
                        *http_import(session, url, rekeyed),
                    )
    finally:
        drop_scratch()
        clear(org)
        Org.objects.filter(id=BENCH_ORG_ID).delete()

    def median(name: str) -> float:
        return statistics.median(watch.wall for watch in times[name])

    raw_floor = median(RAW_FLOOR)
    print(
        f"Customer import ({connection.vendor}, {options.rows:,} rows, median of {options.repeat};"
        f" {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in load_before)} before,"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())} after)"
    )
    print(
        "x raw: against the plain INSERT ... SELECT; x same: against the same write (insert or"
        " upsert) into a table with the customer table's indexes."
    )
    print(
        f"{'path':<44} {'seconds':>8} {'best':>6} {'cpu s':>6} {'rows/s':>10} {'x raw':>6}"
        f" {'x same':>6}  output"
    )
    for name, samples in times.items():
        seconds = median(name)
        best = min(watch.wall for watch in samples)
        cpu = statistics.median(watch.cpu for watch in samples)
        same = _SAME_WRITE.get(name.rsplit(": ", 1)[-1])
        ratio = f"{seconds / median(same):>6.1f}" if same else " " * 6
        print(
            f"{name:<44} {seconds:>8.2f} {best:>6.2f} {cpu:>6.2f} {options.rows / seconds:>10,.0f}"
            f" {seconds / raw_floor:>6.1f} {ratio}  {summaries[name]}"
        )


RAW_FLOOR = "floor: INSERT ... SELECT, no indexes"
INSERT_FLOOR = "floor: INSERT ... SELECT + indexes"
UPSERT_FLOOR = "floor: upsert new identifiers + indexes"
# The floor doing the same kind of write as each measured pass, by the pass's last words.
_SAME_WRITE = {
    "new": INSERT_FLOOR,
    "new, org not empty": INSERT_FLOOR,
    "upsert, new identifiers": UPSERT_FLOOR,
    "upsert": UPSERT_FLOOR,
}


_DRIVER_FLOOR = {"postgresql": "COPY FROM STDIN", "sqlite": "executemany"}


def _driver_floor(rows: list[tuple]) -> tuple[Stopwatch, str]:
    create_scratch(like_customers=False)
    return floor_driver(rows), ""


def _floor(rows: list[tuple], *, like_customers: bool) -> tuple[Stopwatch, str]:
    create_scratch(like_customers=like_customers)
    return floor_insert(rows), ""


if __name__ == "__main__":
    main()
