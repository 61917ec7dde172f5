"""API paths skip the console's middleware.

Every request on an API path (`envelope.is_api_path`) is a stateless JSON call that carries its
own credentials: it has no use for sessions, CSRF cookies, Django users, flash messages, htmx,
static files or HTML security policies. Running that stack anyway was an eighth of the work of
a GET customer/{id} (bench/bench_customer_badges.py). So ApiEnvelopeMiddleware, first in
MIDDLEWARE, hands API paths to `api_handler()` instead of the rest of the chain: the middleware
named in settings.BADGES_API_MIDDLEWARE (SecurityMiddleware: HSTS, SSL redirect, nosniff,
referrer and opener policies, exactly as the console gets them), then what the skipped
middleware did that an API call still needs:
- every response, errors included, gets a Content-Length, `X-Frame-Options: DENY` and a
  Content-Security-Policy that forbids everything, since a JSON answer loads nothing and is
  never framed (`_with_api_headers`);
- the Host header is validated (ALLOWED_HOSTS), as CommonMiddleware does for the console, and
  the view is resolved from ROOT_URLCONF and called as Django's handler would; no view,
  template-response or exception middleware applies to API views (`_view_response`).
CSRF does not arise: API views are DRF views (csrf_exempt) that authenticate by a Basic or OAuth
header, never by a cookie, and no session exists on these paths to ride on.

Before the view, `_http_edges` refuses with the envelope what HTTP allows but the API will not
serve: a URL longer than settings.BADGES_API_MAX_URL_BYTES (414), and a chunked body that reached
Django without a length (411). Under gunicorn, `request_body.read_chunked_bodies` has already given
chunked bodies a Content-Length, so the 411 only comes from servers that cannot end such a body.

Errors keep their one shape: each layer is wrapped by `convert_exception_to_response` as Django
wraps middleware, so an unknown path reaches handler404, a crash handler500, a bad Host
handler400, and ApiEnvelopeMiddleware turns any non-JSON error into the envelope.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.urls import get_resolver
from django.utils.module_loading import import_string

from badges_api import errors
from badges_api.api.envelope import json_error
from badges_api.inputs import control_character, control_message

# What a JSON answer needs of a policy: nothing may load from it, nobody may frame it.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"

Handler = Callable[[HttpRequest], HttpResponseBase]


def api_handler() -> Handler:
    """The request handler for API paths: BADGES_API_MIDDLEWARE around `_with_api_headers`."""
    handler = convert_exception_to_response(_view_response)
    handler = convert_exception_to_response(_with_api_headers(_http_edges(handler)))
    for path in reversed(settings.BADGES_API_MIDDLEWARE):
        handler = convert_exception_to_response(import_string(path)(handler))
    return handler


def _http_edges(get_response: Handler) -> Handler:
    max_url_bytes = settings.BADGES_API_MAX_URL_BYTES

    def http_edges(request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        # gunicorn passes the request target as sent; other servers only its decoded parts.
        url = meta.get("RAW_URI") or request.get_full_path()
        if len(url) > max_url_bytes:
            message = f"URL is longer than {max_url_bytes} bytes"
            return json_error(414, errors.URI_TOO_LONG, message)
        chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not meta.get("CONTENT_LENGTH"):
            message = "This server needs the body sent with a Content-Length"
            return json_error(411, errors.LENGTH_REQUIRED, message)
        return get_response(request)

    return http_edges


def _with_api_headers(get_response: Handler) -> Handler:
    def with_api_headers(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        headers = response.headers
        if not response.streaming and "Content-Length" not in headers:
            headers["Content-Length"] = str(len(response.content))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        return response

    return with_api_headers


def _view_response(request: HttpRequest) -> HttpResponseBase:
    request.get_host()  # DisallowedHost (a 400) for a Host outside ALLOWED_HOSTS
    match = get_resolver().resolve(request.path_info)  # Http404 -> handler404
    request.resolver_match = match
    refused = _control_character_refusal(request, match.kwargs)
    if refused is not None:
        return refused
    response = match.func(request, *match.args, **match.kwargs)
    if response is None:
        raise ValueError(f"The view {match.view_name} returned None instead of a response")
    if callable(getattr(response, "render", None)):  # DRF's Response renders late
        response = response.render()
    return response


def _control_character_refusal(request: HttpRequest, path_values: dict) -> HttpResponseBase | None:
    """A 400 naming the path parameter or query parameter that holds a control character.

    One check for every API path and query string, before any view: PostgreSQL cannot hold a
    NUL even in a comparison (it answered 500) while SQLite matched or stored it, so every
    database now answers the same. A request without a query string pays one regex search over
    its path; JSON bodies are checked by the services, field by field, where ids are read.
    """
    if control_character(request.path_info) is not None:
        for name, value in path_values.items():
            char = control_character(value)
            if char is not None:
                return _refusal(name, char)
    if request.META.get("QUERY_STRING"):
        for name, values in request.GET.lists():
            char = control_character(name)
            if char is not None:
                return _refusal("query", char)  # a name holding one is no name to quote back
            for value in values:
                char = control_character(value)
                if char is not None:
                    return _refusal(name, char)
    return None


def _refusal(reference: str, char: str) -> HttpResponseBase:
    return json_error(400, errors.INVALID_INPUT, control_message(reference, char), reference)
