"""The Capillary envelope for every response, errors included.

`{"data": ..., "errors": [{code, message, reference}], "warnings": [...]}`. Every failure,
whether raised by the service, by DRF, by Django or by a bug, leaves as this envelope: never a
stack trace, never an HTML page on an API path.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorItem

logger = logging.getLogger(__name__)


def ok(data, *, warnings: list[dict] | None = None, status: int = 200) -> Response:
    return Response({"data": data, "errors": [], "warnings": warnings or []}, status=status)


def error_body(items: list[ErrorItem]) -> dict:
    return {"data": None, "errors": [item.as_dict() for item in items], "warnings": None}


def _drf_items(exc: drf.APIException) -> tuple[int, list[ErrorItem]]:
    status = exc.status_code
    code = {
        401: errors.UNAUTHORIZED,
        403: errors.FORBIDDEN,
        404: errors.NOT_FOUND,
        405: errors.METHOD_NOT_ALLOWED,
        415: errors.UNSUPPORTED_MEDIA_TYPE,
    }.get(status, errors.INVALID_INPUT)
    detail = exc.detail
    if isinstance(detail, dict):
        items = [
            ErrorItem(code, _flatten(messages), str(field)) for field, messages in detail.items()
        ]
    else:
        items = [ErrorItem(code, _flatten(detail))]
    return status, items


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return "; ".join(_flatten(part) for part in detail)
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    return str(detail)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: turn anything raised in an API view into the envelope."""
    if isinstance(exc, BadgeApiError):
        return Response(error_body(exc.items), status=exc.status)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        items = [ErrorItem(errors.UNAUTHORIZED, _flatten(exc.detail))]
        response = Response(error_body(items), status=401)
        response["WWW-Authenticate"] = 'Basic realm="badges"'
        return response
    if isinstance(exc, drf.APIException):
        status, items = _drf_items(exc)
        return Response(error_body(items), status=status)
    if isinstance(exc, Http404):
        return Response(error_body([ErrorItem(errors.NOT_FOUND, "Not found")]), status=404)
    if isinstance(exc, PermissionDenied):
        return Response(error_body([ErrorItem(errors.FORBIDDEN, "Permission denied")]), status=403)
    if isinstance(exc, RequestDataTooBig):
        message = "Request body is too large"
        return Response(error_body([ErrorItem(errors.PAYLOAD_TOO_LARGE, message)]), status=413)
    logger.exception("Unexpected error in the badge API", exc_info=exc)
    items = [ErrorItem(errors.UNEXPECTED, "Unexpected error; nothing was changed")]
    return Response(error_body(items), status=500)


def is_api_path(path: str) -> bool:
    return path.startswith(("/api_gateway/", "/v3/oauth/"))


def json_error(status: int, code: int, message: str, reference: str | None = None) -> JsonResponse:
    return JsonResponse(error_body([ErrorItem(code, message, reference)]), status=status)
