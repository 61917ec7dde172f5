"""How fast `manage.py import_customers` loads customers, against the raw floor.

Run: `.venv/bin/python bench/bench_customer_import.py` (a throwaway SQLite file under /tmp,
migrated here) or with DATABASE_URL=postgres://... to measure PostgreSQL (the rows it creates are
removed). Options: --rows N (default 200000), --repeat N (default 3; the median is printed).
"seconds" is the median wall-clock time (rows/s and "x floor" follow from it), "best" the
fastest run, "cpu s" the median CPU time of this process (on SQLite the whole cost; PostgreSQL's
server work is not in it). Other work on the machine slows every figure, so the load average is
printed beside them.

Each figure is the whole command: reading the file, parsing it with the csv module, validating
every cell, the set-based checks against the registry and the writes, in one transaction.
- new: the file into an org without customers (every row inserted);
- unchanged: the same file again (every row compared, nothing written);
- renamed: a file that changes every first name (every row updated, identifiers untouched);
- new, org not empty: the file into an org that already holds as many other customers (every
  identifier probed for a holder before the insert).
The floor is one plain `INSERT ... SELECT` of the same, already validated rows into a scratch
table with the customer table's columns (json_each on SQLite, jsonb_array_elements on
PostgreSQL, as the import uses): no parsing, no checks, no indexes. The second floor gives the
scratch table the customer table's indexes and its foreign key to the org, which every insert
into the real table pays for.
"""

import argparse
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
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from badges_api.models import Org  # noqa: E402

BENCH_ORG_ID = 990_000_002
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


def customers_csv(rows: int, *, first_id: int = 1, rename: bool = False) -> str:
    """A realistic export: shuffled ids, mixed-case emails, formatted mobiles, some empty cells."""
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
        lines.append(
            f"{n},User.{n}@Example.com,{mobile},EXT-{n:010d},{card},{first},{rng.choice(LAST_NAMES)}\n"
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
    """The customer table's columns; with `like_customers`, also its indexes and foreign key."""
    drop_scratch()
    with connection.cursor() as cursor:
        key = (
            "id bigserial PRIMARY KEY"
            if connection.vendor == "postgresql"
            else "id integer PRIMARY KEY AUTOINCREMENT"
        )
        org = "bigint NOT NULL"
        if like_customers:
            org += " REFERENCES badges_api_org (id) DEFERRABLE INITIALLY DEFERRED"
        cursor.execute(
            f"CREATE TABLE {SCRATCH} ({key}, org_id {org}, customer_id bigint NOT NULL,"
            " email varchar(254), mobile varchar(32), external_id varchar(128),"
            " card_number varchar(64),"
            " first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL,"
            " created_on timestamp NOT NULL, last_updated_on timestamp NOT NULL)"
        )
        if like_customers:
            cursor.execute(f"CREATE UNIQUE INDEX {SCRATCH}_id ON {SCRATCH} (org_id, customer_id)")
            cursor.execute(f"CREATE INDEX {SCRATCH}_org ON {SCRATCH} (org_id)")
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


def floor_insert(rows: list[tuple]) -> Stopwatch:
    """One INSERT ... SELECT of `rows` into the scratch table, committed."""
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
            f" {f(5)}, {f(6)}, %s, %s FROM {source}",
            [BENCH_ORG_ID, now, now, orjson.dumps(rows).decode()],
        )
    return watch


def command(org: Org, path: Path) -> tuple[Stopwatch, str]:
    out = StringIO()
    with Stopwatch() as watch:
        call_command("import_customers", str(org.pk), str(path), stdout=out, stderr=StringIO())
    return watch, out.getvalue().splitlines()[0]


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
    options = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    drop_scratch()
    Org.objects.filter(id=BENCH_ORG_ID).delete()
    org = Org.objects.create(id=BENCH_ORG_ID, name="Bench org")
    folder = Path(_TEMP_DIR.name)
    original = folder / "customers.csv"
    original.write_text(customers_csv(options.rows))
    renamed = folder / "renamed.csv"
    renamed.write_text(customers_csv(options.rows, rename=True))
    neighbours = folder / "neighbours.csv"
    neighbours.write_text(customers_csv(options.rows, first_id=NEIGHBOUR_OFFSET))
    rows = floor_rows(original.read_text())

    times: dict[str, list[Stopwatch]] = {}
    summaries: dict[str, str] = {}

    def record(name: str, watch: Stopwatch, summary: str = "") -> None:
        times.setdefault(name, []).append(watch)
        summaries[name] = summary

    load_before = os.getloadavg()[0]
    try:
        for _ in range(options.repeat):
            clear(org)
            record("floor: INSERT ... SELECT, no indexes", *_floor(rows, like_customers=False))
            record("floor + the table's indexes and FK", *_floor(rows, like_customers=True))
            record("import_customers: new", *command(org, original))
            record("import_customers: unchanged", *command(org, original))
            record("import_customers: renamed", *command(org, renamed))
            clear(org)
            command(org, neighbours)
            record("import_customers: new, org not empty", *command(org, original))
    finally:
        drop_scratch()
        clear(org)
        Org.objects.filter(id=BENCH_ORG_ID).delete()

    floor = statistics.median(watch.wall for watch in times["floor: INSERT ... SELECT, no indexes"])
    print(
        f"Customer import ({connection.vendor}, {options.rows:,} rows, median of {options.repeat};"
        f" {os.cpu_count()} CPUs, load average {load_before:.1f} before,"
        f" {os.getloadavg()[0]:.1f} after)"
    )
    print(
        f"{'path':<40} {'seconds':>8} {'best':>6} {'cpu s':>6} {'rows/s':>10} {'x floor':>8}  output"
    )
    for name, samples in times.items():
        seconds = statistics.median(watch.wall for watch in samples)
        best = min(watch.wall for watch in samples)
        cpu = statistics.median(watch.cpu for watch in samples)
        print(
            f"{name:<40} {seconds:>8.2f} {best:>6.2f} {cpu:>6.2f} {options.rows / seconds:>10,.0f}"
            f" {seconds / floor:>8.1f}  {summaries[name]}"
        )


def _floor(rows: list[tuple], *, like_customers: bool) -> tuple[Stopwatch, str]:
    create_scratch(like_customers=like_customers)
    return floor_insert(rows), ""


if __name__ == "__main__":
    main()
