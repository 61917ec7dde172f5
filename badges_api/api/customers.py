"""HTTP endpoints of the customer registry (this service's extensions, not Capillary's):

- `POST .../customers/import`: the CSV import, as the body (`Content-Type: text/csv` or
  `text/plain`) or as the multipart field `file`.
- `GET .../customers/{customerId}`: one customer's profile; `X-CAP-CUSTOMER-IDENTIFIER` says
  which identifier the path holds, as on Capillary's customer endpoints (1026, 1028).
- `GET .../customers?search=&page=&size=`: the support agent's lookup box (prefix search).

The import body is bounded by settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES, not by
DATA_UPLOAD_MAX_MEMORY_SIZE: ApiEnvelopeMiddleware refuses a longer declared body before anything
reads it, and the parsers below read the stream themselves (a multipart file over
FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to a temporary file by Django's upload handlers), so the
body never passes through `request.body` or `request.POST`.
"""

from django.conf import settings
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import BaseParser, MultiPartParser

from badge_rules.timestamps import stamp
from badges_api import errors
from badges_api.api import schemas
from badges_api.api.envelope import ok
from badges_api.errors import BadgeApiError
from badges_api.selectors import customers as customer_selectors
from badges_api.services import customers as customer_services


def _too_large() -> BadgeApiError:
    limit = settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES
    return BadgeApiError(
        errors.PAYLOAD_TOO_LARGE, f"The file is larger than {limit} bytes", "file", status=413
    )


class CsvParser(BaseParser):
    """The request body is the file itself; request.data is its bytes (read up to the limit)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        if stream is None:
            return b""
        limit = settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES
        data = stream.read(limit + 1)
        if len(data) > limit:  # only without the middleware, which checks the declared length
            raise _too_large()
        return data


class PlainTextCsvParser(CsvParser):
    media_type = "text/plain"


def customer_to_wire(row: dict) -> dict:
    wire = {
        "customerId": row["customer_id"],
        "email": row["email"],
        "mobile": row["mobile"],
        "externalId": row["external_id"],
        "cardNumber": row["card_number"],
        "firstName": row["first_name"],
        "lastName": row["last_name"],
    }
    stamp(wire, "createdOn", row["created_on"])
    stamp(wire, "lastUpdatedOn", row["last_updated_on"])
    return wire


def _uploaded_bytes(request) -> bytes:
    data = request.data
    if isinstance(data, bytes):
        return data
    upload = request.FILES.get("file")
    if upload is None:
        raise BadgeApiError(
            errors.INVALID_INPUT,
            "Send the CSV as the request body (Content-Type: text/csv)"
            " or as the multipart field `file`",
            "file",
        )
    if upload.size > settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES:
        raise _too_large()
    return upload.read()


@schemas.CUSTOMER_IMPORT
@api_view(["POST"])
@parser_classes([CsvParser, PlainTextCsvParser, MultiPartParser])
def customer_import(request):
    result = customer_services.customer_import(
        org=request.auth, data=_uploaded_bytes(request), max_rows=customer_services.MAX_IMPORT_ROWS
    )
    warnings = [
        {"code": errors.INVALID_INPUT, "message": text, "reference": "file"}
        for text in result.warnings
    ]
    reported = result.errors[: customer_services.MAX_REPORTED_LINES]
    return ok(
        {
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "errors": [{"line": error.line, "message": error.message} for error in reported],
        },
        warnings=warnings,
    )


@schemas.CUSTOMER_GET
@api_view(["GET"])
def customer_detail(request, customer_id: str):
    identifier = request.META.get(customer_selectors.IDENTIFIER_HEADER)
    return ok(
        customer_to_wire(customer_selectors.customer_profile(request.auth, customer_id, identifier))
    )


@schemas.CUSTOMER_LIST
@api_view(["GET"])
def customer_list(request):
    rows, pagination = customer_selectors.customer_search(request.auth, request.query_params)
    return ok({"customers": [customer_to_wire(row) for row in rows], "pagination": pagination})
