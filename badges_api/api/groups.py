"""HTTP endpoints for badge groups: POST/GET .../group, PUT/GET .../group/{id}."""

from rest_framework.decorators import api_view

from badge_rules.timestamps import stamp
from badges_api.api import schemas
from badges_api.api.envelope import ok
from badges_api.models import BadgeGroup
from badges_api.selectors import groups as group_selectors
from badges_api.services import groups as group_services


def group_to_wire(group: BadgeGroup) -> dict:
    wire = {
        "id": group.public_id,
        "orgId": group.org_id,
        "name": group.name,
        "rank": group.rank,
        "isActive": group.is_active,
        "createdBy": group.created_by,
    }
    stamp(wire, "createdOn", group.created_on)
    wire["lastUpdatedBy"] = group.last_updated_by
    stamp(wire, "lastUpdatedOn", group.last_updated_on)
    return wire


@schemas.GROUP_LIST
@schemas.GROUP_CREATE
@api_view(["GET", "POST"])
def group_collection(request):
    if request.method == "GET":
        groups, pagination = group_selectors.group_list(
            org=request.auth, query=request.query_params
        )
        return ok(
            {"badgeGroups": [group_to_wire(group) for group in groups], "pagination": pagination}
        )
    group = group_services.group_create(org=request.auth, client=request.user, body=request.data)
    return ok(group_to_wire(group))


@schemas.GROUP_GET
@schemas.GROUP_UPDATE
@api_view(["GET", "PUT"])
def group_detail(request, group_id: str):
    if request.method == "GET":
        return ok(
            group_to_wire(group_selectors.group_by_public_id(org=request.auth, group_id=group_id))
        )
    group = group_services.group_update(
        org=request.auth, client=request.user, group_id=group_id, body=request.data
    )
    return ok(group_to_wire(group))
