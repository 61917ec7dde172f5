"""Errors that never reach a DRF view still leave an API path as the envelope.

DRF's exception handler (envelope.exception_handler) covers everything raised inside an API view.
What happens before or around a view is Django's: an unknown path (handler404), a crash outside
DRF (handler500), a request Django refuses in middleware (DisallowedHost, CSRF...). Here those
answer the envelope on API paths and Django's own plain pages everywhere else.
"""

from http import HTTPStatus

from django.conf import settings
from django.views import defaults

from badges_api import errors
from badges_api.api import dispatch
from badges_api.api.envelope import is_api_path, json_error

UNEXPECTED_MESSAGE = "Unexpected error; nothing was changed"


def not_found(request, exception):
    """handler404."""
    if is_api_path(request.path_info):
        return json_error(404, errors.NOT_FOUND, "Not found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500. Django has already logged the traceback; the client never sees it."""
    if is_api_path(request.path_info):
        return json_error(500, errors.UNEXPECTED, UNEXPECTED_MESSAGE)
    return defaults.server_error(request)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# Upload paths whose views read the body as a stream (never into request.POST or request.body),
# each with the setting that bounds it instead of DATA_UPLOAD_MAX_MEMORY_SIZE.
_STREAMED_UPLOAD_LIMITS = {
    "/api_gateway/v1/badges/customers/import": "BADGES_CUSTOMER_IMPORT_MAX_BYTES"
}


def _body_limit(path: str) -> int | None:
    setting = _STREAMED_UPLOAD_LIMITS.get(path)
    return getattr(settings, setting) if setting else settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ApiEnvelopeMiddleware:
    """Oversized bodies and Django's own error pages, as the envelope, on API paths only.

    DRF parses a body by reading the request stream, which bypasses Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE check (that check lives in `request.body`): without this a
    body of any size would be read and parsed. A body is refused by its declared length before
    anything reads it; WSGI servers never hand Django more than Content-Length bytes.

    Placed first in MIDDLEWARE, it also sees the error pages Django renders when a request is
    refused before any view runs (handler400 for DisallowedHost, handler403, the technical
    pages under DEBUG) and replaces them with the envelope carrying the same status.

    API paths then go to their own lean handler, not the console's middleware (dispatch.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.api_response = dispatch.api_handler()

    def __call__(self, request):
        if not is_api_path(request.path_info):
            return self.get_response(request)
        limit = _body_limit(request.path_info)
        if limit is not None and _declared_length(request) > limit:
            message = f"Request body is larger than {limit} bytes"
            return json_error(413, errors.PAYLOAD_TOO_LARGE, message)
        response = self.api_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code >= 400 and not is_json:
            replacement = _as_envelope(response.status_code)
            for header in _KEPT_HEADERS:
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


# What a client needs from the page being replaced: how to authenticate, which methods exist.
_KEPT_HEADERS = ("WWW-Authenticate", "Allow")


def _as_envelope(status: int):
    if status >= 500:
        return json_error(status, errors.UNEXPECTED, UNEXPECTED_MESSAGE)
    code = {
        401: errors.UNAUTHORIZED,
        403: errors.FORBIDDEN,
        404: errors.NOT_FOUND,
        405: errors.METHOD_NOT_ALLOWED,
        413: errors.PAYLOAD_TOO_LARGE,
        415: errors.UNSUPPORTED_MEDIA_TYPE,
    }.get(status, errors.INVALID_INPUT)
    try:
        message = HTTPStatus(status).phrase
    except ValueError:
        message = "Request refused"
    return json_error(status, code, message)
