"""Custom fields (written by the custom-field work; placeholder keeps the URLconf importable)."""

from rest_framework.decorators import api_view

from badges_api.api.envelope import ok


@api_view(["GET", "POST"])
def custom_field_collection(request):
    return ok({"customFields": []})


@api_view(["GET", "PUT"])
def custom_field_detail(request, field_id: str):
    return ok(None)
