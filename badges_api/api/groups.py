"""Badge groups (written by the groups work; placeholder keeps the URLconf importable)."""

from rest_framework.decorators import api_view

from badges_api.api.envelope import ok


@api_view(["GET", "POST"])
def group_collection(request):
    return ok({"badgeGroups": []})


@api_view(["GET", "PUT"])
def group_detail(request, group_id: str):
    return ok(None)
