"""HTTP endpoints for one customer's badges: the customer view and the support (management) views.

Answers are rendered straight to orjson bytes by the view (a DRF Response would only walk the
same dicts again); DRF still runs each view, so authentication, the error envelope and the
OpenAPI schema are the same as everywhere else. Doing without DRF's per-request machinery on the
hot customer view was measured too (bench/bench_customer_badges.py, instructions per request
under callgrind): about a tenth of the request once content negotiation is decided without
parsing Accept (rendering.JsonFirstNegotiation), against a second way of authenticating and an
endpoint drf-spectacular could no longer describe.
"""

import orjson
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view

from badges_api import enums, errors
from badges_api.api import schemas
from badges_api.selectors import customer_badges as selectors
from badges_api.selectors.customers import IDENTIFIER_HEADER


def _answer(data: dict) -> HttpResponse:
    body = orjson.dumps(
        {"data": data, "errors": [], "warnings": []}, option=orjson.OPT_NON_STR_KEYS
    )
    return HttpResponse(body, content_type="application/json")


# --- OpenAPI shapes (descriptions only; nothing validates with them) ------------------------

_IDENTIFIER = OpenApiParameter(
    "X-CAP-CUSTOMER-IDENTIFIER",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    enum=["email", "mobile", "externalId", "cardNumber"],
    description="Which identifier {customer_id} is (absent: Capillary's integer customer id). Unknown values: 1028.",
)
_CUSTOMER_ID = schemas.path(
    "customer_id",
    "The customer: the integer id, or the identifier X-CAP-CUSTOMER-IDENTIFIER names.",
)
_CODES = (
    errors.INVALID_INPUT,
    errors.UNAUTHORIZED,
    errors.CUSTOMER_NOT_FOUND,
    errors.INVALID_CUSTOMER_IDENTIFIER_TYPE,
)
_TAGS = ["customer badges"]
_BADGE_TYPE = schemas.query(
    "badgeType",
    "AVAILABLE_TO_ISSUE (default): enrol-and-issue badges not held; AVAILABLE: direct badges not held;"
    " EARNED: badges held (a live earned instance); EXPIRED: badges whose earned instances all expired.",
    enum=selectors.BADGE_TYPES,
)


_ENUM_NAMES = {
    enums.EARN_TYPES: "EarnTypeName",
    enums.BADGE_STATUSES: "BadgeStatusName",
    enums.PERIOD_UNITS: "PeriodUnit",
    ("LIVE", "EXPIRED", "REVOKED"): "ItemStatus",
    ("UPCOMING", "LIVE", "EXPIRED", "REVOKED"): "ItemStatusWithUpcoming",
    ("CUSTOMER", "BADGE"): "ConstraintLevel",
    ("OVERALL", "ROLLING_WINDOW", "FIXED_WINDOW", "NONE"): "NormalisedConstraintType",
    ("UPCOMING", "ACTIVE", "EXPIRED"): "CycleStatusName",
}


def _enum(
    values, *, help_text: str = "", allow_null: bool = False, required: bool = True
) -> schemas.WireField:
    """An enum as a named component: one set of values under one name, whichever field carries it
    (drf-spectacular warns when the same values get two names)."""
    component = schemas.Component(
        _ENUM_NAMES[tuple(values)], {"type": "string", "enum": list(values)}
    )
    return schemas.WireField(
        request=None,
        response=component,
        help_text=help_text,
        required=required,
        allow_null=allow_null,
    )


def _nullable_time(help_text: str) -> dict:
    return {
        "": serializers.FloatField(
            allow_null=True, help_text=help_text + " Epoch seconds; null when none."
        ),
        "ISO": serializers.DateTimeField(allow_null=True),
    }


def _times(**names: str) -> dict:
    fields = {}
    for name, help_text in names.items():
        for suffix, field in _nullable_time(help_text).items():
            fields[name + suffix] = field
    return fields


CustomerBadgeSerializer = type(
    "CustomerBadgeSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "A badge as one customer sees it (seed 003), with that customer's earn figures.",
        "badgeMetaId": serializers.CharField(),
        "orgId": serializers.IntegerField(),
        "name": serializers.CharField(),
        "description": serializers.CharField(
            allow_null=True, help_text="null when the badge has none (seed 003)."
        ),
        **_times(startOn="When the badge starts.", expiresOn="When the badge ends."),
        "images": schemas.ImageSerializer(many=True),
        "badgeGroupId": serializers.CharField(
            allow_null=True, help_text="null when ungrouped or the group is disabled."
        ),
        "badgeGroupName": serializers.CharField(allow_null=True),
        "badgeRank": serializers.IntegerField(allow_null=True),
        "ownership": schemas.OwnershipSerializer(),
        "earnType": _enum(enums.EARN_TYPES),
        "customerConstraints": schemas.CustomerConstraintSerializer(many=True),
        "badgeConstraints": schemas.BadgeConstraintSerializer(many=True),
        "earnedCount": serializers.IntegerField(
            allow_null=True,
            help_text="This customer's earns of the badge (live and expired, not revoked); null when none.",
        ),
        **_times(
            lastEarnedOnDate="This customer's latest earn.",
            lastEarnEventDate="The latest event date of this customer's earns.",
        ),
        "customFields": serializers.DictField(child=serializers.CharField()),
        "tags": schemas.TagSerializer(many=True),
        "active": serializers.BooleanField(),
    },
)


class CustomerBadgeListSerializer(serializers.Serializer):
    badges = CustomerBadgeSerializer(many=True)
    pagination = schemas.PaginationSerializer()


class ManagementBadgeSerializer(serializers.Serializer):
    """One badge in a customer's support view, with the customer's enrolment and earn state."""

    badgeMetaId = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    badgeType = _enum(enums.EARN_TYPES, help_text="The badge's earnType.")
    badgeGroupId = serializers.CharField(allow_null=True)
    badgeGroupName = serializers.CharField(allow_null=True)
    badgeRank = serializers.IntegerField(allow_null=True)
    createdOn = serializers.FloatField()
    createdOnISO = serializers.DateTimeField()
    lastUpdatedOn = serializers.FloatField()
    lastUpdatedOnISO = serializers.DateTimeField()
    images = schemas.ImageSerializer(many=True)
    badgeStatus = _enum(enums.BADGE_STATUSES)
    startsOn = serializers.FloatField()
    startsOnISO = serializers.DateTimeField()
    expiresOn = serializers.FloatField()
    expiresOnISO = serializers.DateTimeField()
    earnCount = serializers.IntegerField(
        help_text="The customer's earns of the badge, revoked ones excluded."
    )
    activeEarnedCount = serializers.IntegerField(help_text="Of those, live now (0 or 1).")
    ownership = schemas.OwnershipSerializer()
    issueStatus = _enum(
        ("LIVE", "EXPIRED", "REVOKED"),
        allow_null=True,
        help_text="The customer's enrolment: LIVE if one is live, else EXPIRED if one expired, else REVOKED; null if never enrolled.",
    )
    active = serializers.BooleanField()
    lastEarnedOn = serializers.FloatField(allow_null=True)
    lastEarnedOnISO = serializers.DateTimeField(allow_null=True)
    lastEarnedOnDate = serializers.FloatField(
        allow_null=True, help_text="Same as lastEarnedOn (both names appear in Capillary's docs)."
    )
    lastEarnedOnDateISO = serializers.DateTimeField(allow_null=True)
    lastEarnEventDate = serializers.FloatField(allow_null=True)
    lastEarnEventDateISO = serializers.DateTimeField(allow_null=True)


class ManagementBadgeListSerializer(serializers.Serializer):
    customerBadges = ManagementBadgeSerializer(many=True)
    pagination = schemas.PaginationSerializer()


IssualSerializer = type(
    "IssualSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "One enrolment (Capillary's API calls it an issue).",
        "issueId": serializers.CharField(),
        **_times(
            issuedOn="When it was recorded.",
            issueEventDate="The enrol event date.",
            issueExpiresOn="When it stops.",
        ),
        "issuedStatus": _enum(("UPCOMING", "LIVE", "EXPIRED", "REVOKED")),
        **_times(revokedOn="When it was revoked."),
        "ownerType": serializers.CharField(allow_null=True),
        "ownerReferenceId": serializers.CharField(allow_null=True),
        "requestId": serializers.CharField(),
    },
)
EarnSerializer = type(
    "EarnSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "One earned instance.",
        "earnedBadgeId": serializers.CharField(),
        **_times(
            earnedOn="When it was earned (processed).",
            earnEventDate="The earn event date.",
            expiresOn="When it expires.",
        ),
        "status": _enum(("LIVE", "EXPIRED", "REVOKED")),
        **_times(revokedOn="When it was revoked."),
        "ownerType": serializers.CharField(allow_null=True),
        "ownerReferenceId": serializers.CharField(allow_null=True),
        "requestId": serializers.CharField(),
        "issuedId": serializers.CharField(
            allow_null=True, help_text="The enrolment it used (ISSUE_EARN)."
        ),
    },
)


class IssualDetailsSerializer(serializers.Serializer):
    issuedCount = serializers.IntegerField(
        help_text="Every enrolment, revoked and expired ones included."
    )
    issuals = IssualSerializer(
        many=True, help_text=f"Newest first, at most {selectors.MAX_HISTORY_ITEMS}."
    )
    truncated = serializers.BooleanField(help_text="true when issuals was cut.")


class EarnDetailsSerializer(serializers.Serializer):
    earnCount = serializers.IntegerField(help_text="Every earn, revoked and expired ones included.")
    earns = EarnSerializer(
        many=True, help_text=f"Newest first, at most {selectors.MAX_HISTORY_ITEMS}."
    )
    truncated = serializers.BooleanField(help_text="true when earns was cut.")


class RollingWindowLimitSerializer(serializers.Serializer):
    rollType = _enum(enums.PERIOD_UNITS)
    rollValue = serializers.IntegerField()
    maxEarnLimit = serializers.IntegerField()
    currentEarnCount = serializers.IntegerField()


class EarnConstraintBlockStatisticsSerializer(serializers.Serializer):
    currentEarnCount = serializers.IntegerField(allow_null=True, required=False)
    currentEarnCountDays = serializers.IntegerField(allow_null=True, required=False)
    currentEarnCountWeeks = serializers.IntegerField(allow_null=True, required=False)
    currentEarnCountMonths = serializers.IntegerField(allow_null=True, required=False)


class FixedWindowCycleNowSerializer(serializers.Serializer):
    startDate = serializers.FloatField()
    startDateISO = serializers.DateTimeField()
    endDate = serializers.FloatField(
        help_text="00:00 of the last day (Capillary's convention, as getFixedWindowDetails)."
    )
    endDateISO = serializers.DateTimeField()
    firstDay = serializers.DateField()
    lastDay = serializers.DateField()


class EarnConstraintSerializer(serializers.Serializer):
    """A limit with its live counter (Capillary's normalised read shape, spec 4.1)."""

    constraintLevel = _enum(("CUSTOMER", "BADGE"))
    constraintType = _enum(("OVERALL", "ROLLING_WINDOW", "FIXED_WINDOW", "NONE"))
    sourceConstraintType = serializers.CharField(
        required=False, help_text="The constraintType as stored on the badge."
    )
    rollType = _enum(enums.PERIOD_UNITS, required=False)
    rollValue = serializers.IntegerField(required=False)
    durationType = _enum(enums.PERIOD_UNITS, required=False)
    refreshRate = serializers.IntegerField(required=False, allow_null=True)
    startDayOfTheWeek = serializers.CharField(required=False, allow_null=True)
    maxEarnLimit = serializers.IntegerField(required=False)
    rollingWindowLimits = RollingWindowLimitSerializer(
        many=True, required=False, help_text="Customer rolling windows: one per unit."
    )
    earnConstraintBlockStatistics = EarnConstraintBlockStatisticsSerializer(required=False)
    fixedWindowReferenceId = serializers.CharField(required=False)
    cycleStatus = _enum(("UPCOMING", "ACTIVE", "EXPIRED"), required=False)
    fixedWindowCycle = FixedWindowCycleNowSerializer(
        required=False, allow_null=True, help_text="The window containing now."
    )
    limitReached = serializers.BooleanField(
        required=False, help_text="true when this limit would refuse an earn now."
    )


class ManagementBadgeDetailSerializer(serializers.Serializer):
    """One badge for one customer: the badge, every enrolment and earn, and the limits."""

    badgeMetaId = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    badgeType = _enum(enums.EARN_TYPES)
    badgeGroupId = serializers.CharField(allow_null=True)
    badgeGroupName = serializers.CharField(allow_null=True)
    badgeRank = serializers.IntegerField(allow_null=True)
    images = schemas.ImageSerializer(many=True)
    badgeStatus = _enum(enums.BADGE_STATUSES)
    active = serializers.BooleanField()
    startsOn = serializers.FloatField()
    startsOnISO = serializers.DateTimeField()
    expiresOn = serializers.FloatField()
    expiresOnISO = serializers.DateTimeField()
    ownership = schemas.OwnershipSerializer()
    customerId = serializers.IntegerField(help_text="Capillary's integer customer id.")
    issualDetails = IssualDetailsSerializer()
    earnDetails = EarnDetailsSerializer()
    activeEarnedCount = serializers.IntegerField()
    lastEarnedOn = serializers.FloatField(allow_null=True)
    lastEarnedOnISO = serializers.DateTimeField(allow_null=True)
    lastEarnEventDate = serializers.FloatField(allow_null=True)
    lastEarnEventDateISO = serializers.DateTimeField(allow_null=True)
    customerConstraints = schemas.CustomerConstraintSerializer(many=True)
    badgeConstraints = schemas.BadgeConstraintSerializer(many=True)
    earnConstraints = EarnConstraintSerializer(
        many=True, required=False, help_text="With includeStatistics=true only."
    )


CustomerBadgeListEnvelope = schemas.envelope("CustomerBadgeList", CustomerBadgeListSerializer())
ManagementBadgeListEnvelope = schemas.envelope(
    "ManagementBadgeList", ManagementBadgeListSerializer()
)
ManagementBadgeDetailEnvelope = schemas.envelope(
    "ManagementBadgeDetail", ManagementBadgeDetailSerializer()
)


# --- views -----------------------------------------------------------------------------------


@extend_schema(
    operation_id="getCustomerBadges",
    summary="Get badges for a customer",
    description=(
        "The badges one customer can enrol into, can earn, holds, or held (seed 003). Badges offered"
        " (AVAILABLE_TO_ISSUE, AVAILABLE) are live and active; held ones (EARNED, EXPIRED) show"
        " whatever the badge's state. `sortOn=RANK` (default): active groups by rank, ranked badges"
        " first inside a group, then latest expiry; ungrouped badges last, ordered the same way."
        + schemas.codes(*_CODES)
    ),
    parameters=[
        _CUSTOMER_ID,
        _IDENTIFIER,
        _BADGE_TYPE,
        schemas.query(
            "includeExpired",
            "With EARNED: add badges whose earned instances all expired.",
            type=OpenApiTypes.BOOL,
        ),
        schemas.query("groupId", "Only badges of this (active) group."),
        schemas.query(
            "sortOn",
            "RANK (default), LAST_EARNED_ON_DATE or LAST_EARNED_EVENT_DATE (latest first, then RANK).",
            enum=selectors.CUSTOMER_SORTS,
        ),
        schemas.page_size("limit", schemas.SIZE + " `size` is read as an alias."),
        schemas.PAGE,
    ],
    responses=schemas.responses(
        CustomerBadgeListEnvelope, "One page of the customer's badges.", not_found=True
    ),
    tags=_TAGS,
)
@api_view(["GET"])
def customer_badges(request, customer_id: str):
    identifier = request.META.get(IDENTIFIER_HEADER)
    return _answer(
        selectors.customer_badges(request.auth, customer_id, identifier, request.query_params)
    )


@extend_schema(
    operation_id="getAllCustomerBadges",
    summary="Get all customer badges (support view)",
    description=(
        "A customer's badges with their enrolment and earn state, filtered and paged. Unlike the"
        " customer view, available badges are not limited to live and active ones: `badgeStatus`"
        " and `action` narrow them." + schemas.codes(*_CODES)
    ),
    parameters=[
        _CUSTOMER_ID,
        _IDENTIFIER,
        _BADGE_TYPE,
        schemas.query(
            "sortOn",
            "Default EXPIRES_ON. Badges without the date sort last either way.",
            enum=selectors.MANAGEMENT_SORTS,
        ),
        schemas.query("order", "DESC (default) or ASC.", enum=enums.ORDERS),
        schemas.query("name", "Case-insensitive part of the badge's name."),
        schemas.query(
            "action",
            "ACTIVATED or DEACTIVATED (DE_ACTIVATED accepted).",
            enum=("ACTIVATED", "DEACTIVATED"),
        ),
        schemas.query(
            "badgeStatus", "UPCOMING, LIVE, EXPIRED (ENDED accepted); comma-separated for several."
        ),
        schemas.query(
            "owner", "Badges this owner may use (restrictedToOwners).", enum=enums.OWNER_TYPES
        ),
        schemas.query(
            "claimedBy", "Badges with an active claim of this owner type.", enum=enums.OWNER_TYPES
        ),
        schemas.query(
            "startOn", "With startOnOperator. Epoch seconds or milliseconds, or ISO-8601 (UTC)."
        ),
        schemas.query("startOnOperator", "LESS_THAN or GREATER_THAN.", enum=selectors.OPERATORS),
        schemas.query(
            "expiresOn", "With expiresOnOperator. Epoch seconds or milliseconds, or ISO-8601 (UTC)."
        ),
        schemas.query("expiresOnOperator", "LESS_THAN or GREATER_THAN.", enum=selectors.OPERATORS),
        schemas.query("groupId", "Only badges of this (active) group."),
        schemas.page_size("size", schemas.SIZE + " `limit` is read as an alias."),
        schemas.PAGE,
    ],
    responses=schemas.responses(
        ManagementBadgeListEnvelope, "One page of the customer's badges.", not_found=True
    ),
    tags=_TAGS,
)
@api_view(["GET"])
def management_badges(request, customer_id: str):
    identifier = request.META.get(IDENTIFIER_HEADER)
    return _answer(
        selectors.management_badges(request.auth, customer_id, identifier, request.query_params)
    )


@extend_schema(
    operation_id="getCustomerBadgeDetails",
    summary="Get one badge's details for a customer",
    description=(
        "Every enrolment and earn of the customer for the badge (newest first, at most"
        f" {selectors.MAX_HISTORY_ITEMS} of each; the counts are always complete). With"
        " `includeStatistics=true`, `earnConstraints` lists each limit with the count the earning"
        " engine holds against it now." + schemas.codes(*_CODES, errors.NOT_FOUND)
    ),
    parameters=[
        _CUSTOMER_ID,
        schemas.BADGE_ID,
        _IDENTIFIER,
        schemas.query(
            "includeStatistics", "Add earnConstraints with live counters.", type=OpenApiTypes.BOOL
        ),
    ],
    responses=schemas.responses(
        ManagementBadgeDetailEnvelope, "The badge for this customer.", not_found=True
    ),
    tags=_TAGS,
)
@api_view(["GET"])
def management_badge_detail(request, customer_id: str, badge_id: str):
    identifier = request.META.get(IDENTIFIER_HEADER)
    return _answer(
        selectors.management_badge_detail(
            request.auth, customer_id, identifier, badge_id, request.query_params
        )
    )
