"""Background WAL checkpoints for SQLite servers.

SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, so one bulk
request would pay for copying everybody's pages back into the database file. Servers instead
run a PASSIVE checkpoint (it never blocks readers or writers) from a daemon thread every
second; the auto-checkpoint threshold stays as a safety net for processes without the thread.
"""

import logging
import sqlite3
import threading

from django.conf import settings

logger = logging.getLogger(__name__)
_started = threading.Event()


def start_wal_checkpointer() -> None:
    """Start once per process; does nothing unless the default database is SQLite."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or _started.is_set():
        return
    _started.set()
    path = str(database["NAME"])
    interval = settings.SQLITE_CHECKPOINT_INTERVAL_SECONDS
    thread = threading.Thread(
        target=_checkpoint_forever,
        args=(path, interval),
        name="sqlite-wal-checkpointer",
        daemon=True,
    )
    thread.start()


def _checkpoint_forever(path: str, interval: float) -> None:
    stop = threading.Event()
    connection = sqlite3.connect(path, timeout=0.1, check_same_thread=False)
    while not stop.wait(interval):
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as error:  # busy or closed: the next round tries again
            logger.debug("WAL checkpoint skipped: %s", error)
