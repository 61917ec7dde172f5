"""The OpenAPI 3 schema at /api/schema/ states every path, request and response shape, envelope included."""

import json
import re
from pathlib import Path

import orjson
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver
from drf_spectacular.drainage import GENERATOR_STATS

from badges_api import urls as badge_urls
from tests.factories import badge_body


@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return orjson.loads(response.content)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def test_schema_is_openapi_3_json_served_without_credentials(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]


def api_paths(patterns, prefix: str = "") -> set[str]:
    """Every route of a URLconf, includes followed, written as OpenAPI paths."""
    paths = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths |= api_paths(pattern.url_patterns, route)
        else:
            paths.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return paths


def test_schema_has_every_path_of_the_badge_api_urlconf(schema):
    assert set(schema["paths"]) == api_paths(badge_urls.urlpatterns)


def test_every_operation_has_an_id_summary_description_and_a_tag(schema):
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("operationId"), where
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation.get("tags"), where


def test_operation_ids_are_unique(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]

    assert len(ids) == len(set(ids))


def test_every_badge_operation_lists_its_error_codes(schema):
    for path, method, operation in operations(schema):
        assert "**Error codes**" in operation["description"], f"{method.upper()} {path}"
    create = schema["paths"]["/api_gateway/v1/badges/badgeMeta"]["post"]["description"]
    for code in ("714", "722", "725", "728"):
        assert f"`{code}`" in create


def test_every_response_is_an_envelope(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            ref = response["content"]["application/json"]["schema"]["$ref"]
            name = ref.rsplit("/", 1)[-1]
            assert name.endswith("Envelope"), f"{method.upper()} {path} {status}: {name}"
            assert set(component(schema, name)["properties"]) == {"data", "errors", "warnings"}


def test_authenticated_operations_document_401_and_lookups_document_404(schema):
    for path, method, operation in operations(schema):
        if path == "/v3/oauth/token/generate":
            continue
        assert "401" in operation["responses"], f"{method.upper()} {path}"
        if "{" in path:
            assert "404" in operation["responses"], f"{method.upper()} {path}"


def test_envelope_and_error_item_components_state_the_error_shape(schema):
    error_item = component(schema, "ErrorItem")
    assert set(error_item["properties"]) == {"code", "message", "reference"}
    assert error_item["properties"]["reference"]["nullable"] is True
    envelope = component(schema, "Envelope")
    assert envelope["properties"]["errors"]["items"]["$ref"].endswith("/ErrorItem")
    assert envelope["properties"]["warnings"]["nullable"] is True


@pytest.mark.parametrize(
    "name",
    [
        "Badge",
        "BadgeCreateRequest",
        "BadgeUpdateRequest",
        "Expiry",
        "CustomerConstraint",
        "BadgeConstraint",
        "Image",
        "Benefit",
        "Tag",
        "Ownership",
        "OwnershipClaim",
        "Pagination",
        "BadgeList",
        "FixedWindowCycle",
        "FixedWindowCycleList",
        "Activation",
        "Claim",
        "BadgeClaimRequest",
        "Token",
        "TokenGenerateRequest",
    ],
)
def test_schema_has_a_component_for_every_shape(schema, name):
    assert component(schema, name)["type"] == "object"


def test_security_schemes_are_basic_auth_and_the_oauth_token_header(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {
        "type": "http",
        "scheme": "basic",
        "description": schemes["basicAuth"]["description"],
    }
    assert (
        schemes["oauthToken"]["type"],
        schemes["oauthToken"]["in"],
        schemes["oauthToken"]["name"],
    ) == (
        "apiKey",
        "header",
        "X-CAP-API-OAUTH-TOKEN",
    )
    badge_list = schema["paths"]["/api_gateway/v1/badges/badgeMeta"]["get"]
    assert badge_list["security"] == [{"basicAuth": []}, {"oauthToken": []}]
    assert not schema["paths"]["/v3/oauth/token/generate"]["post"].get("security")


def test_create_and_update_document_the_migration_header(schema):
    for method in ("post", "put"):
        operation = schema["paths"]["/api_gateway/v1/badges/badgeMeta"][method]
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert headers["X-CAP-BADGES-MIGRATION"]["schema"]["enum"] == ["migration"]


def test_create_request_names_the_mandatory_fields(schema):
    create = component(schema, "BadgeCreateRequest")

    assert set(create["required"]) >= {"name", "earnType", "earnedBadgeExpiry", "ownership"}
    assert {
        "startOn",
        "startOnISO",
        "expiresOn",
        "expiresOnISO",
        "issuedBadgeExpiry",
        "customFields",
    } <= set(create["properties"])
    assert component(schema, "BadgeUpdateRequest")["required"] == ["id"]


def test_timestamps_are_accepted_as_numbers_or_iso_and_answered_as_epoch_seconds(schema):
    accepted = component(schema, "BadgeCreateRequest")["properties"]["startOn"]["oneOf"]
    assert [variant["type"] for variant in accepted] == ["number", "number", "string"]
    seconds, milliseconds, _ = accepted
    assert (seconds["minimum"], seconds["maximum"]) == (-2208988800, 32503679999)
    assert (milliseconds["minimum"], milliseconds["maximum"]) == (10**11, 32503679999000)
    assert component(schema, "Badge")["properties"]["startOn"]["type"] == "number"
    assert component(schema, "Badge")["properties"]["startOnISO"]["format"] == "date-time"


def test_badge_list_documents_every_filter_with_its_allowed_values(schema):
    parameters = {
        p["name"]: p
        for p in schema["paths"]["/api_gateway/v1/badges/badgeMeta"]["get"]["parameters"]
    }

    assert set(parameters) == {
        "status",
        "earnType",
        "action",
        "owner",
        "claimedBy",
        "unclaimed",
        "name",
        "groupId",
        "startOn",
        "expiresOn",
        "sortOn",
        "order",
        "limit",
        "page",
    }
    assert set(parameters["status"]["schema"]["items"]["enum"]) == {
        "LIVE",
        "UPCOMING",
        "EXPIRED",
        "ENDED",
    }
    assert parameters["status"]["explode"] is False
    assert set(parameters["sortOn"]["schema"]["enum"]) == {"ID", "NAME", "START_DATE"}
    assert set(parameters["action"]["schema"]["enum"]) == {"ACTIVATED", "DE_ACTIVATED"}
    assert "Loyalty" in parameters["owner"]["schema"]["enum"]


def test_fixed_window_details_and_get_by_id_document_their_parameters(schema):
    details = schema["paths"]["/api_gateway/v1/badges/badgeMeta/getFixedWindowDetails"]["get"]
    names = {p["name"]: p for p in details["parameters"]}
    assert set(names) == {
        "badgeMetaId",
        "constraintType",
        "customerId",
        "fixedWindowCycleReferenceId",
        "includeEarnCount",
        "startDate",
        "endDate",
        "page",
        "size",
    }
    assert names["badgeMetaId"]["required"] is True
    assert set(names["constraintType"]["schema"]["enum"]) == {"BADGE", "CUSTOMER", "ALL"}
    get = schema["paths"]["/api_gateway/v1/badges/badgeMeta/{badge_id}"]["get"]
    assert "includeStatistics" in {p["name"] for p in get["parameters"]}


def _undocumented_keys(answer: dict, shape: dict, schema: dict, where: str = "") -> list[str]:
    """Keys the API answered that the response component does not state, recursively."""
    if "$ref" in shape:
        shape = component(schema, shape["$ref"].rsplit("/", 1)[-1])
    if "allOf" in shape:
        return _undocumented_keys(answer, shape["allOf"][0], schema, where)
    missing = []
    properties = shape.get("properties", {})
    for key, value in answer.items():
        if key not in properties:
            if not isinstance(shape.get("additionalProperties"), dict | bool):
                missing.append(f"{where}{key}")
            continue
        sub = properties[key]
        if isinstance(value, dict):
            missing += _undocumented_keys(value, sub, schema, f"{where}{key}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            items = sub.get("items", {})
            for item in value:
                missing += _undocumented_keys(item, items, schema, f"{where}{key}[].")
    return missing


def test_badge_component_states_every_key_a_created_badge_answers(schema, api):
    """Replays a badge with every part filled: nothing in the answer is missing from the schema."""
    body = badge_body(
        startOnISO="2020-01-06T00:00:00Z",
        issuedBadgeExpiry={"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": 4102444800},
        earnType="ISSUE_EARN",
        customerConstraints=[
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "startDayOfTheWeek": 1,
                "maxEarnLimit": 2,
            },
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 1,
                "rollForDays": 1,
            },
        ],
        badgeConstraints=[
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 100},
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 10,
            },
        ],
        images=[{"name": "Earned", "url": "/static/img/badges/coffee-earned.svg", "tag": "EARNED"}],
        benefits=[
            {"benefitType": "COUPON", "seriesId": 1},
            {
                "benefitType": "LOYALTY_POINTS",
                "programId": 1,
                "promotionId": 2,
                "allocationStrategyId": 3,
                "expirationStrategyId": 4,
            },
        ],
        tags=[{"name": "category", "value": "coffee"}],
    )
    status, created = api.post("badgeMeta", body, headers={"X-CAP-BADGES-MIGRATION": "migration"})
    assert status == 200, created
    status, _ = api.post(
        f"badgeMeta/{created['data']['id']}/claim", {"ownerType": "Loyalty", "referenceId": "626"}
    )
    assert status == 200
    status, badge = api.get(f"badgeMeta/{created['data']['id']}", includeStatistics="true")

    assert _undocumented_keys(badge, {"$ref": "#/components/schemas/BadgeEnvelope"}, schema) == []
    assert set(component(schema, "Badge")["properties"]) == set(badge["data"])


def test_list_and_cycle_components_state_every_key_answered(schema, api):
    status, created = api.post(
        "badgeMeta",
        badge_body(
            customerConstraints=[
                {
                    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                    "durationType": "DAYS",
                    "refreshRate": 3,
                    "maxEarnLimit": 1,
                }
            ]
        ),
    )
    assert status == 200, created
    _, listed = api.get("badgeMeta")
    _, cycles = api.get("badgeMeta/getFixedWindowDetails", badgeMetaId=created["data"]["id"])
    _, activation = api.put(f"badgeMeta/{created['data']['id']}/deactivate")

    assert (
        _undocumented_keys(listed, {"$ref": "#/components/schemas/BadgeListEnvelope"}, schema) == []
    )
    assert (
        _undocumented_keys(
            cycles, {"$ref": "#/components/schemas/FixedWindowCycleListEnvelope"}, schema
        )
        == []
    )
    cycle_schema = component(schema, "FixedWindowCycle")
    answered = set(cycles["data"]["fixedWindowCycles"][0])
    assert set(cycle_schema["required"]) <= answered <= set(cycle_schema["properties"])
    assert set(cycle_schema["properties"]) - answered == {"earnCount"}  # only with includeEarnCount
    assert (
        _undocumented_keys(activation, {"$ref": "#/components/schemas/ActivationEnvelope"}, schema)
        == []
    )


def test_schema_generation_validates_against_openapi_3_without_warnings(tmp_path: Path):
    GENERATOR_STATS.reset()

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_docs_page_loads_redoc_from_our_own_static_files():
    """The reference page works offline: no script or stylesheet from a CDN."""
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/schema/" in html
    assert re.search(r'<script src="/static/[^"]*redoc\.standalone\.js"', html)
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_lifecycle_components_state_every_key_answered(schema, api, org):
    """Enrol, earn, bulk earn, revoke and import once each; every answered key is in the schema."""
    from badges_api.models import Customer

    Customer.objects.bulk_create([Customer(org=org, customer_id=n) for n in (501, 502)])
    trigger = {"ownerType": "Loyalty", "referenceId": "626"}
    migration = {"X-CAP-BADGES-MIGRATION": "migration"}
    past_start = {"startOnISO": "2020-01-06T00:00:00Z"}
    _, direct = api.post("badgeMeta", badge_body(**past_start), headers=migration)
    _, enrol = api.post(
        "badgeMeta",
        badge_body(
            earnType="ISSUE_EARN",
            issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 10},
            **past_start,
        ),
        headers=migration,
    )
    direct_id, enrol_id = direct["data"]["id"], enrol["data"]["id"]
    for badge_id in (direct_id, enrol_id):
        assert api.post(f"badgeMeta/{badge_id}/claim", trigger)[0] == 200

    answers = {
        "IssueBulkResultEnvelope": api.post(
            "badgeMeta/customer/issueBulk",
            {"badgeMetaId": enrol_id, "customers": [501, 999], "triggeredBy": trigger},
        ),
        "EarnResultEnvelope": api.post(
            "customer/earn",
            {
                "badgeMetaId": direct_id,
                "customerId": 501,
                "requestId": "r-1",
                "triggeredBy": trigger,
            },
        ),
        "EarnBulkResultEnvelope": api.post(
            "customer/earnBulk",
            {"badgeMetaId": direct_id, "customerIds": [502, 999], "triggeredBy": trigger},
        ),
        "RevokeIssueResultEnvelope": api.post(
            "badgeMeta/customer/revokeIssue", {"badgeMetaId": enrol_id, "customers": [501, 502]}
        ),
        "ImportResultListEnvelope": api.put(
            "import/customerBadges",
            [
                {
                    "badgeMetaId": direct_id,
                    "customerId": 502,
                    "earnEventDateISO": "2021-01-01T00:00:00Z",
                    "earnExpiresOnISO": "2021-02-01T00:00:00Z",
                },
                {
                    "badgeMetaId": "000000000000000000000000",
                    "customerId": 502,
                    "earnEventDate": 1609459200,
                    "earnExpiresOn": 1612137600,
                },
            ],
        ),
    }
    earned_id = answers["EarnResultEnvelope"][1]["data"]["earnedBadgeId"]
    answers["RevokeEarnResultEnvelope"] = api.post(
        "customer/revokeEarn",
        {"badgeMetaId": direct_id, "customerId": 501, "earnedBadgeId": earned_id},
    )

    for name, (status, answer) in answers.items():
        assert status == 200, (name, answer)
        assert _undocumented_keys(answer, {"$ref": f"#/components/schemas/{name}"}, schema) == [], (
            name
        )


# --- The schema agrees with the answers (issue 9, defect 10) --------------------------------


@pytest.fixture(scope="module")
def api_schema(schema):
    import schemathesis

    return schemathesis.openapi.from_dict(schema)


def _conforms(api_schema, method: str, path: str, answer) -> None:
    """The answer's status is documented and its body validates (schemathesis' validator)."""
    from tests.fuzzing import as_response

    api_schema[path][method].validate_response(as_response(answer))


def test_constraints_of_every_kind_validate_as_answered(schema, api_schema, api):
    """FIXED_VALUE and ROLLING_WINDOW constraints carry no cycle keys; once every badge read failed
    validation because the schema required currentCycle, cycleStatus and startDate of them all."""
    body = badge_body(
        startOnISO="2020-01-06T00:00:00Z",
        customerConstraints=[
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1},
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 1,
                "rollForDays": 7,
            },
        ],
        badgeConstraints=[
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 100},
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 9,
            },
            {"constraintType": "BADGE_FIXED_WINDOW", "durationType": "WEEKS", "maxEarnLimit": 5},
        ],
    )
    status, created = api.post("badgeMeta", body, headers={"X-CAP-BADGES-MIGRATION": "migration"})
    assert status == 200, created
    badge_id = created["data"]["id"]
    badges = "/api_gateway/v1/badges/badgeMeta"

    read = api.client.get(f"{badges}/{badge_id}", headers=api.headers)
    listed = api.client.get(badges, headers=api.headers)

    _conforms(api_schema, "GET", badges + "/{badge_id}", read)
    _conforms(api_schema, "GET", badges, listed)
    constraints = (
        read.json()["data"]["customerConstraints"] + read.json()["data"]["badgeConstraints"]
    )
    assert {"currentCycle", "cycleStatus", "startDate"} <= set(constraints[-1])
    assert not {"currentCycle", "cycleStatus", "startDate"} & set(constraints[0])
    for name in ("CustomerConstraint", "BadgeConstraint"):
        assert component(schema, name)["required"] == ["constraintType"]


def test_import_result_echoes_a_valid_id_or_null_never_raw_input(schema, api_schema, api):
    rows = [
        {
            "badgeMetaId": {},
            "customerId": [],
            "earnEventDate": 1609459200,
            "earnExpiresOn": 1612137600,
        },
        {
            "badgeMetaId": "nope",
            "customerId": 2**70,
            "earnEventDate": 1609459200,
            "earnExpiresOn": 1612137600,
        },
    ]
    answer = api.client.put(
        "/api_gateway/v1/badges/import/customerBadges",
        json.dumps(rows),  # orjson cannot write 2**70
        content_type="application/json",
        headers=api.headers,
    )

    _conforms(api_schema, "PUT", "/api_gateway/v1/badges/import/customerBadges", answer)
    echoed = [(row["badgeMetaId"], row["customerId"]) for row in answer.json()["data"]]
    assert echoed == [(None, None), ("nope", None)]
    customer_id = component(schema, "ImportResult")["properties"]["customerId"]
    assert (customer_id["type"], customer_id["nullable"], customer_id["minimum"]) == (
        "integer",
        True,
        1,
    )


def _paging_parameters(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in ("page", "size", "limit"):
                yield path, method, parameter


def test_every_page_size_and_page_states_the_range_the_service_accepts(schema, api):
    """size/limit 1..1000 and page 0..2^31-1, as badges_api/selectors/pagination.py reads them:
    the service answers the bounds and refuses one past each with a 400 naming the parameter."""
    from badges_api.selectors.pagination import MAX_PAGE, MAX_PAGE_SIZE

    checked = set()
    for path, _method, parameter in _paging_parameters(schema):
        bounds = (parameter["schema"]["minimum"], parameter["schema"]["maximum"])
        name = parameter["name"]
        assert bounds == ((0, MAX_PAGE) if name == "page" else (1, MAX_PAGE_SIZE)), (path, name)
        if "{" in path:
            continue
        for value, status in (
            (bounds[0], 200),
            (bounds[1], 200),
            (bounds[0] - 1, 400),
            (bounds[1] + 1, 400),
        ):
            query = {name: value} | ({"badgeMetaId": "0" * 24} if "FixedWindow" in path else {})
            answer = api.client.get(path, query, headers=api.headers)
            expected = 404 if "FixedWindow" in path and status == 200 else status
            assert answer.status_code == expected, (path, name, value, answer.content)
            if status == 400:
                assert answer.json()["errors"][0]["reference"] == name
        checked.add(path)
    assert len(checked) >= 5


def test_is_active_is_a_boolean_in_the_schema_and_null_is_refused(schema, api):
    for name in ("BadgeCreateRequest", "BadgeUpdateRequest", "GroupWriteRequest"):
        for key in ("active", "isActive"):
            field = component(schema, name)["properties"].get(key)
            if field is not None:
                assert field["type"] == "boolean" and not field.get("nullable"), (name, key)

    status, answer = api.post("badgeMeta", badge_body(isActive=None))

    assert status == 400
    assert answer["errors"][0]["reference"] == "isActive"


def test_timestamp_bounds_in_the_schema_are_the_ones_the_service_reads(schema, api):
    seconds, milliseconds, _ = component(schema, "BadgeCreateRequest")["properties"]["startOn"][
        "oneOf"
    ]
    migration = {"X-CAP-BADGES-MIGRATION": "migration"}
    far_end = {"expiresOn": seconds["maximum"], "expiresOnISO": ...}

    # The lower bound of seconds meets 9004 (a badge starts at most 100 years back) before it.
    for inside in (milliseconds["minimum"], seconds["maximum"] - 86400):
        status, answer = api.post(
            "badgeMeta", badge_body(startOn=inside, startOnISO=..., **far_end), headers=migration
        )
        assert status == 200, (inside, answer)
    for outside in (seconds["minimum"] - 1, seconds["maximum"] + 1, milliseconds["maximum"] + 1):
        status, answer = api.post(
            "badgeMeta", badge_body(startOn=outside, startOnISO=..., **far_end), headers=migration
        )
        assert status == 400, (outside, answer)
        assert {error["reference"] for error in answer["errors"]} == {"startOn"}, outside
