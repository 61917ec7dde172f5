"""HTTP endpoints of the customer registry (this service's extensions, not Capillary's):

- `POST .../customers/import`: the CSV import, as the body (`Content-Type: text/csv`) or as the
  multipart field `file`; at most 50 MB and 500,000 rows.
- `GET .../customers/{customerId}`: one customer's profile; `X-CAP-CUSTOMER-IDENTIFIER` says
  which identifier the path holds, as on Capillary's customer endpoints (1026, 1028).
- `GET .../customers?search=&page=&size=`: the support agent's lookup box (prefix search).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import BaseParser, MultiPartParser

from badges_api import errors
from badges_api.api import schemas  # noqa: F401  (registers the Basic / OAuth security schemes)
from badges_api.api.envelope import ok
from badges_api.api.representations import stamp
from badges_api.errors import BadgeApiError
from badges_api.selectors import customers as customer_selectors
from badges_api.services import customers as customer_services

MAX_REPORTED_ERRORS = 1000
_MULTIPART_OVERHEAD = 64 * 1024


def _too_large() -> BadgeApiError:
    limit = customer_services.MAX_IMPORT_BYTES
    size = f"{limit // 1048576} MB" if limit % 1048576 == 0 else f"{limit:,} bytes"
    return BadgeApiError(
        errors.PAYLOAD_TOO_LARGE, f"The file is larger than {size}", "file", status=413
    )


class CsvParser(BaseParser):
    """The request body is the file itself; request.data is its bytes (read up to the limit)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        if stream is None:
            return b""
        data = stream.read(customer_services.MAX_IMPORT_BYTES + 1)
        if len(data) > customer_services.MAX_IMPORT_BYTES:
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
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > customer_services.MAX_IMPORT_BYTES + _MULTIPART_OVERHEAD:
        raise _too_large()  # before DRF reads (and spools to disk) anything
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
    if upload.size > customer_services.MAX_IMPORT_BYTES:
        raise _too_large()
    return upload.read()


# Shapes for the OpenAPI schema only.
def _envelope(name: str, data) -> serializers.Serializer:
    return inline_serializer(
        name, {"data": data, "errors": serializers.ListField(), "warnings": serializers.ListField()}
    )


_CUSTOMER = inline_serializer(
    "Customer",
    {
        "customerId": serializers.IntegerField(),
        "email": serializers.CharField(allow_null=True, help_text="Stored lower-cased."),
        "mobile": serializers.CharField(
            allow_null=True, help_text="Digits only, country code included."
        ),
        "externalId": serializers.CharField(allow_null=True),
        "cardNumber": serializers.CharField(allow_null=True),
        "firstName": serializers.CharField(),
        "lastName": serializers.CharField(),
        "createdOn": serializers.FloatField(),
        "createdOnISO": serializers.CharField(),
        "lastUpdatedOn": serializers.FloatField(),
        "lastUpdatedOnISO": serializers.CharField(),
    },
)
_IMPORT_RESULT = _envelope(
    "CustomerImportEnvelope",
    inline_serializer(
        "CustomerImportResult",
        {
            "inserted": serializers.IntegerField(help_text="New customer ids."),
            "updated": serializers.IntegerField(
                help_text="Existing customers whose values changed."
            ),
            "unchanged": serializers.IntegerField(
                help_text="Existing customers the file did not change."
            ),
            "rejected": serializers.IntegerField(
                help_text="Lines not imported (all of them, however many)."
            ),
            "errors": serializers.ListField(
                child=inline_serializer(
                    "CustomerImportLineError",
                    {"line": serializers.IntegerField(), "message": serializers.CharField()},
                ),
                help_text=f"The first {MAX_REPORTED_ERRORS} rejected lines, by line number.",
            ),
        },
    ),
)
_IDENTIFIER_HEADER = OpenApiParameter(
    "X-CAP-CUSTOMER-IDENTIFIER",
    str,
    location=OpenApiParameter.HEADER,
    enum=["email", "mobile", "externalId", "cardNumber"],
    description="Which identifier {customerId} is (absent: the integer id). Unknown values: 1028.",
)


@extend_schema(
    operation_id="customer_import",
    summary="Import customers from CSV (extension)",
    description=(
        "The body is the CSV file (`Content-Type: text/csv`), or a multipart form whose field"
        " `file` holds it. Header: `id` (required), `email`, `mobile`, `externalId`, `cardNumber`,"
        " `firstName`, `lastName`. New ids are inserted; existing ids are updated with the"
        " non-empty cells. Bad lines are reported in `errors` and the others still load. At most 50 MB and"
        " 500,000 rows (413 beyond)."
    ),
    request={
        "text/csv": OpenApiTypes.BINARY,
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
        },
    },
    responses=_IMPORT_RESULT,
    tags=["customers"],
)
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
    return ok(
        {
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "errors": [
                {"line": e.line, "message": e.message} for e in result.errors[:MAX_REPORTED_ERRORS]
            ],
        },
        warnings=warnings,
    )


@extend_schema(
    operation_id="customer_get",
    summary="Get a customer's profile (extension)",
    parameters=[
        _IDENTIFIER_HEADER,
        OpenApiParameter(
            "customer_id",
            str,
            location=OpenApiParameter.PATH,
            description=(
                "The customer's integer id, or the identifier X-CAP-CUSTOMER-IDENTIFIER names."
                " Unknown: 1026 (404)."
            ),
        ),
    ],
    responses=_envelope("CustomerEnvelope", _CUSTOMER),
    tags=["customers"],
)
@api_view(["GET"])
def customer_detail(request, customer_id: str):
    identifier = request.META.get(customer_selectors.IDENTIFIER_HEADER)
    return ok(
        customer_to_wire(customer_selectors.customer_profile(request.auth, customer_id, identifier))
    )


@extend_schema(
    operation_id="customer_list",
    summary="Find customers by id, email, mobile, externalId or cardNumber prefix (extension)",
    parameters=[
        OpenApiParameter(
            "search", str, description="Prefix; emails match case-insensitively. Empty: all."
        ),
        OpenApiParameter("page", int, description="0-based page number."),
        OpenApiParameter(
            "size", int, description="Page size (default 10, at most 1000); alias `limit`."
        ),
    ],
    responses=_envelope(
        "CustomerListEnvelope",
        inline_serializer(
            "CustomerList",
            {
                "customers": serializers.ListField(child=_CUSTOMER),
                "pagination": inline_serializer(
                    "CustomerPagination",
                    {
                        "page": serializers.IntegerField(),
                        "size": serializers.IntegerField(),
                        "total": serializers.IntegerField(),
                        "totalPages": serializers.IntegerField(),
                    },
                ),
            },
        ),
    ),
    tags=["customers"],
)
@api_view(["GET"])
def customer_list(request):
    rows, pagination = customer_selectors.customer_search(request.auth, request.query_params)
    return ok({"customers": [customer_to_wire(row) for row in rows], "pagination": pagination})
