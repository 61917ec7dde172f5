"""HTTP endpoints for granting and revoking badges (Capillary's customer lifecycle).

Bulk answers are built once as bytes by the service (and replayed as the same bytes), so these
views return them untouched instead of re-rendering through DRF.
"""

from django.http import HttpResponse
from rest_framework.decorators import api_view

from badges_api.api import schemas
from badges_api.api.envelope import ok
from badges_api.services import earn_import, earning, enrolment, revocation

CUSTOMER_IDENTIFIER_HEADER = "HTTP_X_CAP_CUSTOMER_IDENTIFIER"


def _bytes_response(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json")


@schemas.EARN_BULK
@api_view(["POST"])
def earn_bulk(request):
    return _bytes_response(
        *earning.earn_bulk(org=request.auth, client=request.user, body=request.data)
    )


@schemas.EARN
@api_view(["POST"])
def earn(request):
    return _bytes_response(
        *earning.earn_one(org=request.auth, client=request.user, body=request.data)
    )


@schemas.ISSUE_BULK
@api_view(["POST"])
def issue_bulk(request):
    return _bytes_response(
        *enrolment.issue_bulk(org=request.auth, client=request.user, body=request.data)
    )


@schemas.REVOKE_ISSUE
@api_view(["POST"])
def revoke_issue(request):
    return ok(revocation.revoke_issue(org=request.auth, body=request.data))


@schemas.REVOKE_EARN
@api_view(["POST"])
def revoke_earn(request):
    identifier_type = request.META.get(CUSTOMER_IDENTIFIER_HEADER)
    return ok(
        revocation.revoke_earn(org=request.auth, body=request.data, identifier_type=identifier_type)
    )


@schemas.IMPORT_CUSTOMER_BADGES
@schemas.IMPORT_CUSTOMER_BADGES_POST
@api_view(["PUT", "POST"])
def import_customer_badges(request):
    """Capillary's page says PUT and its site map POST: both are accepted."""
    batch_id = request.META.get("HTTP_X_CAP_REQUEST_ID")
    return ok(
        earn_import.import_customer_badges(
            org=request.auth, client=request.user, body=request.data, batch_id=batch_id
        )
    )
