"""Chunked request bodies on API paths, read as if they had come with a Content-Length.

A client may send a body as `Transfer-Encoding: chunked`, without a Content-Length (streaming
HTTP clients do). Django reads the body through the declared length, so it saw nothing and the
API answered "customerIds is mandatory" to a request that carried them. gunicorn decodes the chunks
and says where the body ends (`wsgi.input_terminated`); this WSGI wrapper copies such a body, up to
one byte past the path's body limit, into a spooled file (memory up to SPOOL_MEMORY_BYTES, then
disk) and declares its length. A body past the limit keeps that one-byte-too-long length, and
ApiEnvelopeMiddleware refuses it with the usual 413 before any view reads it.

A server that does not end the input (`wsgi.input_terminated` absent) is left alone: the request
reaches dispatch._http_edges without a length and is answered 411, never read as empty.
"""

import tempfile
from collections.abc import Callable, Iterable

from badges_api.api.envelope import is_api_path
from badges_api.api.handlers import (
    _body_limit as body_limit,
)  # the limits ApiEnvelopeMiddleware applies

SPOOL_MEMORY_BYTES = 2 * 1024 * 1024
_COPY_BYTES = 64 * 1024

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def read_chunked_bodies(application: WsgiApp) -> WsgiApp:
    def with_chunked_bodies(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (
            environ.get("wsgi.input_terminated")
            and not environ.get("CONTENT_LENGTH")
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
            and is_api_path(environ.get("PATH_INFO", ""))
        ):
            _declare_length(environ)
        return application(environ, start_response)

    return with_chunked_bodies


def _declare_length(environ: dict) -> None:
    limit = body_limit(environ.get("PATH_INFO", ""))
    source = environ["wsgi.input"]
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115 - lives with the request
    remaining = limit + 1 if limit is not None else None
    while remaining is None or remaining > 0:
        chunk = source.read(_COPY_BYTES if remaining is None else min(_COPY_BYTES, remaining))
        if not chunk:
            break
        body.write(chunk)
        if remaining is not None:
            remaining -= len(chunk)
    length = body.tell()
    body.seek(0)
    environ["wsgi.input"] = body
    environ["CONTENT_LENGTH"] = str(length)
