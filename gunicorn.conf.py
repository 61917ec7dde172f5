"""gunicorn's settings for `make run` (and tests/api/test_http_edges.py, which starts it the same way).

`gunicorn -c gunicorn.conf.py console.wsgi:application`; HOST and PORT choose the address.
"""

import json
import os

from gunicorn import util

# Only this machine by default: set HOST=0.0.0.0 to serve the network (and SECRET_KEY, BADGES_HTTPS
# for anything but a trusted network).
bind = [f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"]

# Threads: the console calls its own API over HTTP, so a request must not wait for itself.
# Two per worker: more only queue for the worker's GIL (2 x 4 cost a fifth more CPU per API
# request than 3 x 2; bench/bench_customer_badges.py).
workers = int(os.environ.get("WEB_CONCURRENCY") or 3)
threads = 2
# --reuse-port gives each worker its own listening socket, so the kernel spreads keep-alive
# connections over the workers; on one shared socket the first worker to wake often took all of a
# client pool's connections and the server ran on one core (620-705 req/s instead of 1,080-1,190).
reuse_port = True
# No access log: writing it cost a tenth of an API request's CPU (Django still logs failures).
loglevel = "warning"

# gunicorn's most (its default is 4094): every URL the API accepts (BADGES_API_MAX_URL_BYTES, 8000)
# reaches it, and the API answers longer ones 414 with the envelope.
limit_request_line = 8190


def _envelope_error(sock, status_int, reason, mesg):
    """What gunicorn answers itself (a request line over 8190 bytes, a malformed request), as the envelope.

    gunicorn writes these as HTML pages before any application code runs, with no hook to change
    them, so its writer is replaced. The request was never parsed, so which path it was for is
    unknown: every such answer is the Capillary envelope, the shape API clients are promised.
    """
    code = status_int if status_int < 500 else 999999  # errors.UNEXPECTED
    body = json.dumps(
        {
            "data": None,
            "errors": [{"code": code, "message": reason, "reference": None}],
            "warnings": None,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


util.write_error = _envelope_error
