"""HTTP endpoints for custom fields: POST/GET .../customField, PUT/GET .../customField/{id}."""

from rest_framework.decorators import api_view

from badge_rules.timestamps import stamp
from badges_api.api import schemas
from badges_api.api.envelope import ok
from badges_api.models import CustomField
from badges_api.selectors import custom_fields as custom_field_selectors
from badges_api.services import custom_fields as custom_field_services


def custom_field_to_wire(custom_field: CustomField) -> dict:
    wire = {
        "id": custom_field.public_id,
        "orgId": custom_field.org_id,
        "name": custom_field.name,
        "dataType": custom_field.data_type,
        "isMandatory": custom_field.is_mandatory,
        "defaultValue": custom_field.default_value,
        "isActive": custom_field.is_active,
        "createdBy": custom_field.created_by,
    }
    stamp(wire, "createdOn", custom_field.created_on)
    wire["lastUpdatedBy"] = custom_field.last_updated_by
    stamp(wire, "lastUpdatedOn", custom_field.last_updated_on)
    return wire


@schemas.CUSTOM_FIELD_LIST
@schemas.CUSTOM_FIELD_CREATE
@api_view(["GET", "POST"])
def custom_field_collection(request):
    if request.method == "GET":
        fields, pagination = custom_field_selectors.custom_field_list(
            org=request.auth, query=request.query_params
        )
        return ok(
            {"customFields": [custom_field_to_wire(f) for f in fields], "pagination": pagination}
        )
    custom_field = custom_field_services.custom_field_create(
        org=request.auth, client=request.user, body=request.data
    )
    return ok(custom_field_to_wire(custom_field))


@schemas.CUSTOM_FIELD_GET
@schemas.CUSTOM_FIELD_UPDATE
@api_view(["GET", "PUT"])
def custom_field_detail(request, field_id: str):
    if request.method == "GET":
        custom_field = custom_field_selectors.custom_field_by_public_id(
            org=request.auth, field_id=field_id
        )
        return ok(custom_field_to_wire(custom_field))
    custom_field = custom_field_services.custom_field_update(
        org=request.auth, client=request.user, field_id=field_id, body=request.data
    )
    return ok(custom_field_to_wire(custom_field))
