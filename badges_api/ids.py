"""Public ids in Capillary's shape: 24 hex digits, like a Mongo ObjectId.

The leading four bytes are the creation second, so ids sort roughly by creation time, as
Capillary's do; the rest is random so ids cannot be guessed across orgs.
"""

import os
import time


def new_object_id() -> str:
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"
