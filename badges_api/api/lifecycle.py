"""HTTP endpoints for granting and revoking badges (Capillary's customer lifecycle).

Bulk answers are built once as bytes by the service (and replayed as the same bytes), so these
views return them untouched instead of re-rendering through DRF.
"""

from django.http import HttpResponse
from rest_framework.decorators import api_view

from badges_api.services import earning


def _bytes_response(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json")


@api_view(["POST"])
def earn_bulk(request):
    return _bytes_response(*earning.earn_bulk(org=request.auth, client=request.user, body=request.data))


@api_view(["POST"])
def earn(request):
    return _bytes_response(*earning.earn_one(org=request.auth, client=request.user, body=request.data))
