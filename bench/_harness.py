"""Shared pieces of the bench scripts: a scratch database, a gunicorn server, timing helpers.

Benches never run in `make test`; they print figures (with the raw floor beside them) for the
notes and BENCHMARKS.md.
"""

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_database_url(name: str) -> str:
    """DATABASE_URL if set (e.g. PostgreSQL), else a fresh SQLite file under /tmp."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    path = Path(tempfile.gettempdir()) / f"badge-bench-{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()
    return f"sqlite:///{path}"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int = 2, threads: int = 4):
    """A real server on loopback, stopped on exit. Yields its base URL."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="console.settings")
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "console.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.2),
            ):
                break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def row(
    label: str, value_ms: float, floor_ms: float | None = None, target_ms: float | None = None
) -> str:
    ratio = f"{value_ms / floor_ms:6.1f}x floor" if floor_ms else ""
    target = (
        f"target <= {target_ms:.0f} ms: {'OK' if value_ms <= target_ms else 'MISSED'}"
        if target_ms
        else ""
    )
    return f"{label:<52} {value_ms:9.1f} ms  {ratio:<14} {target}"
