"""Public ids in Capillary's shape: 24 hex digits, like a Mongo ObjectId.

Like an ObjectId they are a 4-byte creation second, 5 random bytes and a 3-byte counter, so
they sort by creation time, ids made together are consecutive (a bulk request's rows append to
the end of the unique index instead of landing on random pages), and the random part keeps them
unguessable across processes.
"""

import os
import threading
import time

_lock = threading.Lock()
_counter = int.from_bytes(os.urandom(3))


def _reserve(count: int) -> int:
    global _counter
    with _lock:
        first = _counter
        _counter = (_counter + count) & 0xFFFFFF
    return first


def new_object_id() -> str:
    return new_object_ids(1)[0]


def new_object_ids(count: int) -> list[str]:
    """Many ids at once: one clock read and one random draw for a whole bulk request."""
    if count <= 0:
        return []
    shape = f"{int(time.time()):08x}{os.urandom(5).hex()}{{:06x}}"
    first = _reserve(count)
    # One bound format over a range: a third faster than an expression per id at 100,000 ids.
    counters = range(first, first + count)
    if first + count > 0x1000000:  # the 3-byte counter wraps inside this batch
        counters = [*range(first, 0x1000000), *range(0, (first + count) & 0xFFFFFF)]
    return list(map(shape.format, counters))
