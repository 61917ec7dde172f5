"""GET customer/{customerId} under gunicorn: requests per second at full load, latency at half.

Run `.venv/bin/python bench/bench_customer_badges.py` (SQLite file under /tmp), or with
DATABASE_URL=postgres://... (the bench org's rows are replaced there, and removed after unless
--keep). It builds one org with 200 badge definitions (8 groups, one disabled; enrol-and-issue
and direct badges; limits, fixed windows, images, claims), 50,000 customers and 1,000,000 earned
rows (20 badges per customer, a fifth of them live, 2% revoked) with set-based INSERT ... SELECT
(about 40 s on SQLite, 40 s on PostgreSQL), starts gunicorn as `make run` serves (3 gthread
workers x 2 threads, a listening socket per worker; --workers, --threads, --worker-class to compare others) on a free loopback
port and loads it:
- full load: closed loop, --connections requests always in flight for --seconds, driven by wrk
  when it is installed (Debian's `wrk`: a few microseconds per request) or else by the asyncio
  client below; requests/second, and the server's CPU per request read from /proc, which says
  what the server would do with both cores to itself when other work shares the machine;
- half load: open loop at half the full-load rate from the asyncio client (HTTP/1.1 over
  keep-alive sockets); latency measured from each request's scheduled start, so a stall counts
  for every request it delays (no coordinated omission).
Floors beside them: the request's one query as the view sends it (raw SQL), and the same
endpoint answering 1026 for an unknown customer id (credentials and the envelope, no badges).
Before the server starts, the same requests go to the WSGI application in this process (no HTTP,
one thread): its CPU per request is the framework and the view alone, and the signal least moved
by other work on the machine; the server's CPU per request beside it adds gunicorn and threads.

Requests cycle through the four common calls (default AVAILABLE_TO_ISSUE, AVAILABLE, EARNED,
EARNED sorted by LAST_EARNED_ON_DATE) for random customers. Target (issue 3): at least 700
requests/second at full load and p99 at most 30 ms at half that load, on 2 cores. The machine's
load average is printed: other work on it moves every figure.
Options: --workers, --threads, --worker-class (gunicorn), --connections, --seconds, --loadgen, --reuse (use the
data a previous run left instead of rebuilding it, and leave it in place for the next run), --keep
(leave the data in place at the end).
"""

import argparse
import asyncio
import base64
import io
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
SQLITE_FILE = Path("/tmp/bench_customer_badges/bench.sqlite3")
if not os.environ.get("DATABASE_URL"):
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from badges_api import auth  # noqa: E402
from badges_api.models import Badge, Org  # noqa: E402
from badges_api.selectors import customer_badges  # noqa: E402
from badges_api.services import badges as badge_services  # noqa: E402
from badges_api.services import groups as group_services  # noqa: E402
from badges_api.sql import is_postgres, timestamp  # noqa: E402

BENCH_ORG_ID = 990_000_002
USERNAME = "bench.customer.badges"
PASSWORD = "bench-password-123"
BADGES = 200
CUSTOMERS = 50_000
EARNS = 1_000_000
EARNS_PER_CUSTOMER = EARNS // CUSTOMERS
API = "/api_gateway/v1/badges"
CALLS = (
    "",
    "?badgeType=AVAILABLE",
    "?badgeType=EARNED",
    "?badgeType=EARNED&sortOn=LAST_EARNED_ON_DATE",
)
# Tables holding the bench org's rows, children first.
ORG_TABLES = (
    "badges_api_earn",
    "badges_api_enrolment",
    "badges_api_badgerequest",
    "badges_api_customer",
)


# --- the data set ----------------------------------------------------------------------------


def remove_bench_rows() -> None:
    with connection.cursor() as cursor:
        for table in ORG_TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE org_id = %s", [BENCH_ORG_ID])  # noqa: S608
        badge_ids = "SELECT id FROM badges_api_badge WHERE org_id = %s"
        for table in ("badges_api_badgeclaim", "badges_api_badgeowner"):
            cursor.execute(f"DELETE FROM {table} WHERE badge_id IN ({badge_ids})", [BENCH_ORG_ID])  # noqa: S608
        for table in (
            "badges_api_badge",
            "badges_api_badgegroup",
            "badges_api_customfield",
            "badges_api_apiclient",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE org_id = %s", [BENCH_ORG_ID])  # noqa: S608
        cursor.execute("DELETE FROM badges_api_org WHERE id = %s", [BENCH_ORG_ID])


def dataset_ready() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM badges_api_badge WHERE org_id = %s", [BENCH_ORG_ID])
        badges = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM badges_api_earn WHERE org_id = %s", [BENCH_ORG_ID])
        earns = cursor.fetchone()[0]
    return badges == BADGES and earns == EARNS and auth.client_for_basic(_basic_token()) is not None


def _badge_body(index: int, groups: list[str], now) -> dict:
    """Badge `index`: a realistic mix of kinds, limits, groups and dates."""
    start, end = now - timedelta(days=400), now + timedelta(days=30 + index)
    if index % 25 == 23:
        start = now + timedelta(days=5)  # upcoming
    if index % 25 == 24:
        end = now - timedelta(days=3)  # ended
    body = {
        "name": f"Bench badge {index:03d}",
        "description": f"Do thing {index} to earn this",
        "startOnISO": start.isoformat(),
        "expiresOnISO": end.isoformat(),
        "earnType": "ISSUE_EARN" if index % 10 < 3 else "EARN",
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 90},
        "ownership": {"restrictedToOwners": ["Loyalty", "Journeys"]},
        "images": [
            {
                "name": "",
                "fileSvcHandle": f"handle-{index}-e",
                "url": f"https://cdn.example.com/{index}_EARNED.png",
                "tag": "EARNED",
            },
            {
                "name": "",
                "fileSvcHandle": f"handle-{index}-u",
                "url": f"https://cdn.example.com/{index}_UN_EARNED.png",
                "tag": "UN_EARNED",
            },
        ],
        "customerConstraints": [
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 100}
        ],
        "badgeConstraints": [{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 1_000_000}],
    }
    if body["earnType"] == "ISSUE_EARN":
        body["issuedBadgeExpiry"] = {"expiryType": "NEVER"}
    if index % 5 == 0:
        body["customerConstraints"].append(
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": 7,
                "maxEarnLimit": 3,
            }
        )
    if index % 5 == 1:
        body["customerConstraints"].append(
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 2,
                "rollForDays": 7,
                "maxEarnForMonths": 5,
                "rollForMonths": 1,
            }
        )
    if index % 4:
        body["badgeGroupId"] = groups[index % len(groups)]
    if index % 3:
        body["badgeRank"] = index % 7 + 1
    return body


def build_dataset() -> dict[str, float]:
    """Org, client, 8 groups, 200 badges, 50,000 customers, 1,000,000 earns; seconds per step."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    remove_bench_rows()
    timings["remove old bench rows"] = time.perf_counter() - started

    started = time.perf_counter()
    now = timezone.now()
    org = Org.objects.create(id=BENCH_ORG_ID, name="Bench org (customer badges)")
    client, _ = auth.api_client_create(org=org, username=USERNAME, password=PASSWORD)
    groups = [
        group_services.group_create(
            org=org, client=client, body={"name": f"Group {rank}", "rank": rank}
        ).public_id
        for rank in range(1, 9)
    ]
    badge_ids = []
    for index in range(BADGES):
        badge, _ = badge_services.badge_create(
            org=org, client=client, body=_badge_body(index, groups, now), migration=True
        )
        badge_services.badge_claim(
            org=org,
            client=client,
            badge_id=badge.public_id,
            body={"ownerType": "Loyalty", "referenceId": "bench"},
        )
        badge_ids.append(badge.public_id)
        if index % 20 == 18:  # never an ended one (index % 25 == 24): those cannot be deactivated
            badge_services.badge_set_active(
                org=org, client=client, badge_id=badge.public_id, activation="deactivate"
            )
    group_services.group_update(
        org=org,
        client=client,
        group_id=groups[5],
        body={"name": "Group 6", "rank": 6, "isActive": False},
    )
    timings["200 badges, claims, 8 groups (services)"] = time.perf_counter() - started

    epoch = int(now.timestamp())
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "CREATE TEMP TABLE bench_badge_map (idx INTEGER PRIMARY KEY, pk BIGINT NOT NULL)"
        )
        pks = dict(Badge.objects.filter(org=org).values_list("public_id", "pk"))
        cursor.executemany(
            "INSERT INTO bench_badge_map (idx, pk) VALUES (%s, %s)",
            [(i, pks[b]) for i, b in enumerate(badge_ids)],
        )
        cursor.execute(*_customers_sql(epoch))
        timings[f"{CUSTOMERS:,} customers (one INSERT ... SELECT)"] = time.perf_counter() - started

        started = time.perf_counter()
        cursor.execute(*_earns_sql(epoch, client.pk))
        timings[f"{EARNS:,} earns (one INSERT ... SELECT)"] = time.perf_counter() - started

        started = time.perf_counter()
        cursor.execute(
            "UPDATE badges_api_badge SET earned_count = (SELECT COUNT(*) FROM badges_api_earn e"
            " WHERE e.badge_id = badges_api_badge.id AND e.is_active) WHERE org_id = %s",
            [BENCH_ORG_ID],
        )
        cursor.execute("DROP TABLE bench_badge_map")
        timings["earnedCount per badge"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["ANALYZE"] = time.perf_counter() - started
    return timings


def _customers_sql(epoch: int) -> tuple[str, list]:
    columns = "org_id, customer_id, email, mobile, external_id, card_number, first_name, last_name, created_on, last_updated_on"
    if is_postgres():
        return (
            f"INSERT INTO badges_api_customer ({columns})"
            " SELECT %s, i, 'c' || i || '@bench.example.com', (919000000000 + i)::text, 'EXT' || i, 'CARD' || i,"
            " 'First', 'Last', to_timestamp(%s), to_timestamp(%s) FROM generate_series(1, %s) AS i",
            [BENCH_ORG_ID, epoch, epoch, CUSTOMERS],
        )
    return (
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
        f" INSERT INTO badges_api_customer ({columns})"
        " SELECT %s, i, 'c' || i || '@bench.example.com', CAST(919000000000 + i AS TEXT), 'EXT' || i, 'CARD' || i,"
        " 'First', 'Last', datetime(%s, 'unixepoch'), datetime(%s, 'unixepoch') FROM n",
        [CUSTOMERS, BENCH_ORG_ID, epoch, epoch],
    )


def _earns_sql(epoch: int, client_pk: int) -> tuple[str, list]:
    """Row i: customer i % 50,000, its (i // 50,000)-th badge (20 distinct per customer), earned
    0-400 days ago, expiring 90 days later (a fifth live), every 50th revoked."""
    columns = (
        "public_id, org_id, badge_id, customer_id, earned_on, event_date, expires_on, is_active, revoked_on,"
        " request_id, owner_type, owner_reference_id, created_by"
    )
    # seconds before now of earned_on, as SQL over i (c = customer index, k = its k-th badge)
    ago = f"(((i / {CUSTOMERS}) * 11 + (i %% {CUSTOMERS}) %% 23) %% 400) * 86400 + ((i %% {CUSTOMERS}) * 37) %% 86400"
    badge_idx = f"(((i %% {CUSTOMERS}) * 7 + (i / {CUSTOMERS}) * 13) %% {BADGES})"
    if is_postgres():
        return (
            f"INSERT INTO badges_api_earn ({columns})"
            f" SELECT 'be' || lpad(to_hex(i), 22, '0'), %s, m.pk, c.id,"
            f" to_timestamp(%s - ({ago})), to_timestamp(%s - ({ago}) - (i %% 3600)), to_timestamp(%s - ({ago}) + 90 * 86400),"
            f" (i %% 50) <> 0, CASE WHEN i %% 50 = 0 THEN to_timestamp(%s - ({ago}) + 86400) END,"
            f" 'bench-' || i, 'Loyalty', 'bench', %s"
            f" FROM generate_series(0, %s) AS i"
            f" JOIN bench_badge_map m ON m.idx = {badge_idx}"
            f" JOIN badges_api_customer c ON c.org_id = %s AND c.customer_id = (i %% {CUSTOMERS}) + 1"
            " ORDER BY c.id",
            [BENCH_ORG_ID, epoch, epoch, epoch, epoch, client_pk, EARNS - 1, BENCH_ORG_ID],
        )
    return (
        f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"
        f" INSERT INTO badges_api_earn ({columns})"
        f" SELECT printf('be%%022x', i), %s, m.pk, c.id,"
        f" datetime(%s - ({ago}), 'unixepoch'), datetime(%s - ({ago}) - (i %% 3600), 'unixepoch'),"
        f" datetime(%s - ({ago}) + 90 * 86400, 'unixepoch'),"
        f" (i %% 50) <> 0, CASE WHEN i %% 50 = 0 THEN datetime(%s - ({ago}) + 86400, 'unixepoch') END,"
        f" 'bench-' || i, 'Loyalty', 'bench', %s"
        f" FROM n JOIN bench_badge_map m ON m.idx = {badge_idx}"
        f" JOIN badges_api_customer c ON c.org_id = %s AND c.customer_id = (i %% {CUSTOMERS}) + 1",
        [EARNS - 1, BENCH_ORG_ID, epoch, epoch, epoch, epoch, client_pk, BENCH_ORG_ID],
    )


# --- the raw SQL floor -----------------------------------------------------------------------


def raw_sql_floor(samples: int = 2000) -> tuple[float, float]:
    """Median microseconds of one request's query (the customer and its earns per badge), sent and
    fetched as the view does: what no implementation of this endpoint can avoid. And the
    milliseconds one process spends (re)building the org's badge catalogue, which requests share."""
    now = timezone.now()
    rng = random.Random(7)
    timings = []
    for _ in range(samples):
        params = {"now": timestamp(now), "org": BENCH_ORG_ID, "customer": rng.randint(1, CUSTOMERS)}
        started = time.perf_counter_ns()
        customer_badges.fetch_customer_earns("id", params)
        timings.append(time.perf_counter_ns() - started)
    org = Org.objects.get(pk=BENCH_ORG_ID)
    builds = []
    for _ in range(20):
        started = time.perf_counter_ns()
        customer_badges._catalogue(org, now, force=True)
        builds.append(time.perf_counter_ns() - started)
    return statistics.median(timings) / 1000, statistics.median(builds) / 1e6


def in_process_cpu_us(paths: list[str], *, rounds: int = 3, calls: int = 1000) -> float:
    """CPU microseconds per request of the WSGI application called directly in this process (no
    HTTP, no server, one thread), the lowest of `rounds` runs over different customers."""
    warnings.filterwarnings(
        "ignore", "No directory at", UserWarning
    )  # WhiteNoise without collectstatic
    application = WSGIHandler()
    authorization = f"Basic {_basic_token()}"

    def call(path: str) -> None:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": authorization,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
        }
        response = application(environ, lambda status, headers, exc_info=None: None)
        if not response.status_code == 200:
            raise SystemExit(f"in-process call answered {response.status_code} for {path}?{query}")
        response.close()

    for path in paths[-200:]:  # warm up: imports, the catalogue, the credential
        call(path)
    best = float("inf")
    for index in range(rounds):
        started = time.process_time()
        for path in paths[index * calls : (index + 1) * calls]:
            call(path)
        best = min(best, (time.process_time() - started) / calls * 1e6)
    return best


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int, worker_class: str) -> subprocess.Popen:
    env = dict(
        os.environ,
        DEBUG="false",
        LOG_LEVEL="ERROR",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "console.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        worker_class,
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
        "--backlog",
        "2048",
        "--reuse-port",
    ]
    log = open(SQLITE_FILE.parent / "gunicorn.log", "w")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with {process.returncode}; see {SQLITE_FILE.parent / 'gunicorn.log'}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    stop_gunicorn(process)
    raise SystemExit("gunicorn did not start within 30 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the load generator ----------------------------------------------------------------------


def _basic_token() -> str:
    return base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


def requests_for(paths: list[str]) -> list[bytes]:
    token = _basic_token()
    return [
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {token}\r\nAccept: application/json\r\n\r\n"
        ).encode()
        for path in paths
    ]


class Connection:
    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        start = lower.index(b"content-length:") + 15
        length = int(lower[start : lower.index(b"\r\n", start)])
        await self.reader.readexactly(length)
        if b"connection: close" in lower:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def closed_loop(
    port: int, raws: list[bytes], *, connections: int, seconds: float, expect: int
) -> tuple[float, list[float]]:
    """Requests/second with `connections` requests always in flight, and their latencies (ms)."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**12))

    async def worker() -> None:
        conn = Connection(port)
        while time.perf_counter() < deadline:
            raw = raws[next(counter) % len(raws)]
            started = time.perf_counter()
            status = await conn.request(raw)
            if status != expect:
                raise SystemExit(f"unexpected HTTP {status} for {raw.splitlines()[0]!r}")
            latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return len(latencies) / (time.perf_counter() - started), latencies


async def open_loop(
    port: int, raws: list[bytes], *, rate: float, seconds: float, expect: int
) -> list[float]:
    """Latencies (ms) of requests sent at a fixed rate, each timed from its scheduled start."""
    idle: list[Connection] = []
    latencies: list[float] = []
    pending = set()

    async def send(raw: bytes, scheduled: float) -> None:
        conn = idle.pop() if idle else Connection(port)
        status = await conn.request(raw)
        latencies.append((time.perf_counter() - scheduled) * 1000)
        if status != expect:
            raise SystemExit(f"unexpected HTTP {status}")
        idle.append(conn)

    total = int(rate * seconds)
    started = time.perf_counter()
    for index in range(total):
        scheduled = started + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(raws[index % len(raws)], scheduled))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    for conn in idle:
        conn.close()
    return latencies


_WRK_SCRIPT = """
local paths = {%s}
local i = 0
wrk.headers["Authorization"] = "Basic %s"
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def wrk_closed_loop(
    port: int,
    paths: list[str],
    *,
    connections: int,
    seconds: float,
    failures_expected: bool = False,
) -> tuple[float, int, float, float]:
    """wrk (one thread) as the closed-loop generator: requests/second, requests, p50 and p99 ms."""
    script = SQLITE_FILE.parent / "bench_paths.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(_WRK_SCRIPT % (", ".join(f'"{p}"' for p in paths), _basic_token()))
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:.0f}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}/",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Socket errors" in output or ("Non-2xx" in output and not failures_expected):
        raise SystemExit(f"wrk saw failures:\n{output}")
    lines = {line.split()[0]: line.split() for line in output.splitlines() if line.split()}
    requests = int(next(line.split()[0] for line in output.splitlines() if "requests in" in line))
    return float(lines["Requests/sec:"][1]), requests, _ms(lines["50%"][1]), _ms(lines["99%"][1])


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(text)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def cpu_seconds() -> float:
    """This process's CPU seconds and those of finished children (wrk)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def server_cpu_seconds(master: int) -> float:
    """CPU seconds used so far by gunicorn's master and its workers (from /proc)."""
    return _processes_cpu_seconds(lambda pid, parent, name: master in (pid, parent))


def postgres_cpu_seconds() -> float:
    """CPU seconds used so far by every PostgreSQL process, this bench's backends among them."""
    return _processes_cpu_seconds(lambda pid, parent, name: name == "postgres")


def _processes_cpu_seconds(chosen) -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, fields = (entry / "stat").read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):
            continue
        fields = fields.split()
        if chosen(int(entry.name), int(fields[1]), name):  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (every core, from /proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Meter:
    """CPU used during one phase: by the server, by this process and wrk, by PostgreSQL, and by
    everything else on the machine (other work, which slows every figure of the phase)."""

    def __init__(self, master: int | None = None):
        self.master = master
        self.started = self._now()

    def _now(self) -> tuple[float, ...]:
        server = server_cpu_seconds(self.master) if self.master else 0.0
        return (
            time.perf_counter(),
            server,
            cpu_seconds(),
            postgres_cpu_seconds(),
            machine_busy_seconds(),
        )

    def stop(self) -> dict[str, float]:
        wall, server, own, database, busy = (
            end - start for start, end in zip(self.started, self._now(), strict=True)
        )
        return {
            "server": server,
            "own": own,
            "database": database,
            "other": max(0.0, busy - server - own - database) / wall,
            "wall": wall,
        }


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn workers (default: as `make run`)"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per worker (default: as `make run`)"
    )
    parser.add_argument(
        "--worker-class",
        choices=("gthread", "sync"),
        help="gunicorn's worker class (default: gthread with threads, else sync)",
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the bench data a previous run left (build it when absent), and leave it for the next run",
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the bench data in place at the end"
    )
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="full-load generator: wrk when installed (auto), else the asyncio client",
    )
    options = parser.parse_args()
    worker_class = options.worker_class or ("gthread" if options.threads > 1 else "sync")

    call_command("migrate", verbosity=0, interactive=False)
    if options.reuse and dataset_ready():
        print("Reusing the bench data already in the database")
    else:
        print(f"Building the data set on {connection.vendor}:")
        for step, seconds in build_dataset().items():
            print(f"  {step:<48} {seconds:7.2f} s")

    floor_us, catalogue_ms = raw_sql_floor()
    rng = random.Random(42)
    customers = [rng.randint(1, CUSTOMERS) for _ in range(4000)]
    paths = [f"{API}/customer/{c}{CALLS[i % len(CALLS)]}" for i, c in enumerate(customers)]
    meter = Meter()
    in_process_us = in_process_cpu_us(paths)
    in_process_other = meter.stop()["other"]
    connection.close()
    raws = requests_for(paths)
    floor_raws = requests_for([f"{API}/customer/0"])
    use_wrk = options.loadgen == "wrk" or (options.loadgen == "auto" and shutil.which("wrk"))

    load_before = os.getloadavg()[0]
    port = free_port()
    server = start_gunicorn(port, options.workers, options.threads, worker_class)
    try:
        asyncio.run(
            closed_loop(port, raws, connections=options.connections, seconds=2, expect=200)
        )  # warm up
        meter = Meter(server.pid)
        if use_wrk:
            framework_rps = wrk_closed_loop(
                port,
                [f"{API}/customer/0"],
                connections=options.connections,
                seconds=options.seconds / 2,
                failures_expected=True,
            )[0]
        else:
            framework_rps, _ = asyncio.run(
                closed_loop(
                    port,
                    floor_raws,
                    connections=options.connections,
                    seconds=options.seconds / 2,
                    expect=404,
                )
            )
        floor_other = meter.stop()["other"]
        meter = Meter(server.pid)
        if use_wrk:
            full_rps, count, full_p50, full_p99 = wrk_closed_loop(
                port, paths, connections=options.connections, seconds=options.seconds
            )
        else:
            full_rps, full_latencies = asyncio.run(
                closed_loop(
                    port, raws, connections=options.connections, seconds=options.seconds, expect=200
                )
            )
            count, full_p50, full_p99 = (
                len(full_latencies),
                statistics.median(full_latencies),
                percentile(full_latencies, 0.99),
            )
        full = meter.stop()
        half_rate = full_rps / 2
        meter = Meter(server.pid)
        half_latencies = asyncio.run(
            open_loop(port, raws, rate=half_rate, seconds=options.seconds, expect=200)
        )
        half = meter.stop()
    finally:
        stop_gunicorn(server)
        # --reuse keeps the data too: removing it here is what made the next --reuse rebuild it.
        if not (options.keep or options.reuse):
            remove_bench_rows()
            if os.environ["DATABASE_URL"] == f"sqlite:///{SQLITE_FILE}":
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)

    worker = f"{options.workers} {worker_class} workers x {options.threads} thread{'s' if options.threads > 1 else ''}"
    server_ms = full["server"] * 1000 / count
    print(
        f"\nGET customer/{{id}} on {connection.vendor}: {BADGES} badges, {CUSTOMERS:,} customers, {EARNS:,} earns;"
        f" gunicorn {worker}, {os.cpu_count()} CPUs; {options.connections} connections"
    )
    print(
        f"  machine load average before the load phases: {load_before:.2f} (includes any bench run in the minute before)"
    )
    print(
        "  'other work': CPU that neither the server, this bench, wrk nor PostgreSQL used meanwhile, in cores"
    )
    print(
        f"  {'raw SQL of one request (its 1 query, sent and fetched)':<58} {floor_us:8.0f} us   (= {1e6 / floor_us:,.0f} req/s per core)"
    )
    print(
        f"  {'building the badge catalogue (once per process and change)':<58} {catalogue_ms:8.1f} ms"
    )
    print(
        f"  {'in-process: the WSGI app called directly, CPU per request':<58} {in_process_us:8.0f} us   (= {1e6 / in_process_us:,.0f} req/s per core; other work {in_process_other:.2f})"
    )
    print(
        f"  {'floor: same endpoint, unknown customer (auth + 1026 envelope)':<58} {framework_rps:8.0f} req/s   (other work {floor_other:.2f})"
    )
    print(
        f"  {'full load (closed loop)':<58} {full_rps:8.0f} req/s   ({full_rps / framework_rps:.0%} of the floor; target >= 700; other work {full['other']:.2f})"
    )
    print(
        f"  {'  its latency p50 / p99':<58} {full_p50:8.1f} / {full_p99:.1f} ms   (generator: {'wrk' if use_wrk else 'asyncio'})"
    )
    print(
        f"  {'  server CPU per request (all gunicorn processes)':<58} {server_ms:8.2f} ms  (= {os.cpu_count() * 1000 / server_ms:,.0f} req/s if the server had every core)"
    )
    if is_postgres():
        print(
            f"  {'  PostgreSQL CPU per request (every postgres process)':<58} {full['database'] * 1000 / count:8.2f} ms"
        )
    print(f"  {'  load generator CPU (share of one core)':<58} {full['own'] / full['wall']:8.0%}")
    print(
        f"  {f'half load, open loop at {half_rate:.0f} req/s: p50 / p90 / p99 / max':<58}"
        f" {statistics.median(half_latencies):8.1f} / {percentile(half_latencies, 0.90):.1f} / {percentile(half_latencies, 0.99):.1f}"
        f" / {max(half_latencies):.1f} ms   (target p99 <= 30; other work {half['other']:.2f})"
    )
    print(f"  {'  load generator CPU (share of one core)':<58} {half['own'] / half['wall']:8.0%}")


if __name__ == "__main__":
    main()
