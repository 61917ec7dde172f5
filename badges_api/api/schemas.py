"""The OpenAPI 3 description of the badge API (drf-spectacular), kept apart from the views.

The serializers here describe shapes only: nothing validates with them (the services do, and
collect every failing rule at once, which DRF serializers cannot do in Capillary's codes). Each
operation's schema is a ready-made `extend_schema(...)` decorator that the view wears, e.g.
`@schemas.BADGE_CREATE` above `@api_view`.

Importing this module registers the authentication extension (Basic or OAuth token header); the
views import it, so the schema generator always sees it.
"""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent, build_array_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from badge_rules import timestamps
from badge_rules.windows import DAY_NAMES
from badges_api import enums, errors
from badges_api.inputs import MAX_BIGINT, MAX_COUNT
from badges_api.models import CustomField
from badges_api.selectors.custom_fields import SORTS as CUSTOM_FIELD_SORTS
from badges_api.selectors.pagination import MAX_PAGE, MAX_PAGE_SIZE
from badges_api.services.badge_input import MAX_PERIOD
from badges_api.services.customers import MAX_IMPORT_ROWS, MAX_REPORTED_LINES

PERIOD_ALIASES = enums.PERIOD_UNITS + ("DAILY", "WEEKLY", "MONTHLY")
CYCLE_STATUSES = ("UPCOMING", "ACTIVE", "EXPIRED")


# --- Security -------------------------------------------------------------------------------


class CapillaryAuthenticationScheme(OpenApiAuthenticationExtension):
    """Either scheme authenticates a request (OR), as CapillaryAuthentication accepts either."""

    target_class = "badges_api.auth.CapillaryAuthentication"
    name = ["basicAuth", "oauthToken"]

    def get_security_requirement(self, auto_schema):
        return [{"basicAuth": []}, {"oauthToken": []}]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "basic",
                "description": (
                    "`Authorization: Basic base64(username:password)`. The password may also be sent "
                    "as its md5 hex digest (Capillary's till convention)."
                ),
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-CAP-API-OAUTH-TOKEN",
                "description": "An access token from `POST /v3/oauth/token/generate`.",
            },
        ]


# --- Fields whose wire shape differs between request and response ---------------------------


class Component:
    """A named schema: fields that use it answer a `$ref`, so the reference shows one enum once."""

    def __init__(self, name: str, schema: dict):
        self.name = name
        self.schema = schema


# A raw schema, a named one, a serializer (nested component), or None: absent in that direction.
Shape = dict | Component | serializers.BaseSerializer | None


class WireField(serializers.Field):
    """A field described by two raw schemas: what a request may send, what a response carries.

    Capillary accepts many spellings (epoch seconds or milliseconds or ISO-8601; DAILY or DAYS;
    MONDAY or 1) and answers one canonical form.
    """

    def __init__(self, *, request: Shape, response: Shape, **kwargs):
        self.request_schema = request
        self.response_schema = response
        super().__init__(**kwargs)


class WireFieldExtension(OpenApiSerializerFieldExtension):
    target_class = WireField

    def map_serializer_field(self, auto_schema, direction):
        schema = (
            self.target.request_schema if direction == "request" else self.target.response_schema
        )
        if schema is None:
            return None
        if isinstance(schema, serializers.ListSerializer):
            return build_array_type(auto_schema.resolve_serializer(schema.child, direction).ref)
        if isinstance(schema, serializers.BaseSerializer):
            return auto_schema.resolve_serializer(schema, direction).ref
        if isinstance(schema, Component):
            component = ResolvedComponent(
                name=schema.name,
                type=ResolvedComponent.SCHEMA,
                object=schema.name,
                schema=schema.schema,
            )
            auto_schema.registry.register_on_missing(component)
            return component.ref
        return dict(schema)


PERIOD_UNIT = Component("PeriodUnit", {"type": "string", "enum": list(enums.PERIOD_UNITS)})
PERIOD_UNIT_INPUT = Component(
    "PeriodUnitInput",
    {
        "type": "string",
        "enum": list(PERIOD_ALIASES),
        "description": "DAILY, WEEKLY and MONTHLY are read as DAYS, WEEKS and MONTHS.",
    },
)
DAY_OF_WEEK = Component("DayOfWeek", {"type": "string", "enum": list(DAY_NAMES)})
DAY_OF_WEEK_INPUT = Component(
    "DayOfWeekInput",
    {
        "oneOf": [
            {"$ref": "#/components/schemas/DayOfWeek"},
            {"type": "integer", "minimum": 1, "maximum": 7, "description": "1 = Monday"},
        ]
    },
)
OWNER_TYPE = Component(
    "OwnerType",
    {
        "type": "string",
        "enum": list(enums.OWNER_TYPES),
        "description": "A module that may use a badge; matched case-insensitively.",
    },
)


IMAGE_TAG = Component(
    "ImageTag",
    {
        "type": "string",
        "enum": list(enums.IMAGE_TAGS),
        "description": "When the image shows: UN_EARNED, IN_PROGRESS or EARNED.",
    },
)
ABSOLUTE_EXPIRY_KIND = Component(
    "AbsoluteExpiryKind", {"type": "string", "enum": list(enums.ABSOLUTE_EXPIRY_KINDS)}
)
BADGE_STATUS = Component(
    "BadgeStatus",
    {
        "type": "string",
        "enum": list(enums.BADGE_STATUSES),
        "description": "Computed when read: UPCOMING before startOn, LIVE through expiresOn, EXPIRED after.",
    },
)


def named_enum(component: Component, help_text: str, **kwargs) -> WireField:
    return WireField(request=component, response=component, help_text=help_text, **kwargs)


def owner_type(help_text: str, **kwargs) -> WireField:
    return named_enum(OWNER_TYPE, help_text, **kwargs)


def response_only(serializer: serializers.BaseSerializer, help_text: str, **kwargs) -> WireField:
    """A nested part the service answers but never reads from a request."""
    return WireField(
        request=None, response=serializer, help_text=help_text, read_only=True, **kwargs
    )


_EPOCH_SECONDS = {"type": "number", "example": 1716803487}
# The instants the API accepts: 1900-01-01 to 2999-12-31 (badge_rules/timestamps), as epoch
# seconds or, from 10^11 up (the year 5138 in seconds), epoch milliseconds.
_EARLIEST, _LATEST = int(timestamps.EARLIEST.timestamp()), int(timestamps.LATEST.timestamp())
_TIMESTAMP_IN = {
    "oneOf": [
        {
            "type": "number",
            "minimum": _EARLIEST,
            "maximum": _LATEST,
            "description": "Epoch seconds (integer or fraction), 1900-01-01 to 2999-12-31.",
        },
        {
            "type": "number",
            "minimum": 10**11,
            "maximum": _LATEST * 1000,
            "description": "Epoch milliseconds (any value from 10^11 is read as milliseconds).",
        },
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO-8601 with offset; none means UTC. 1900-01-01 to 2999-12-31.",
        },
    ]
}


_ISO = {"type": "string", "format": "date-time"}


def answered_sometimes(response: Shape, help_text: str) -> WireField:
    """A key the service answers for some objects of a shape only (never read from a request)."""
    return WireField(request=None, response=response, help_text=help_text, required=False)


def timestamp(help_text: str, **kwargs) -> WireField:
    return WireField(request=_TIMESTAMP_IN, response=_EPOCH_SECONDS, help_text=help_text, **kwargs)


def iso(help_text: str, **kwargs) -> serializers.DateTimeField:
    return serializers.DateTimeField(help_text=help_text, **kwargs)


def period_unit(help_text: str, **kwargs) -> WireField:
    return WireField(request=PERIOD_UNIT_INPUT, response=PERIOD_UNIT, help_text=help_text, **kwargs)


def day_of_week(help_text: str, **kwargs) -> WireField:
    return WireField(request=DAY_OF_WEEK_INPUT, response=DAY_OF_WEEK, help_text=help_text, **kwargs)


def count(help_text: str, *, maximum: int = MAX_COUNT, **kwargs) -> serializers.IntegerField:
    """A whole number the client sets: 1 up to what its column holds (docs/API.md, "Value ranges")."""
    return serializers.IntegerField(min_value=1, max_value=maximum, help_text=help_text, **kwargs)


def period(help_text: str, unit: str | None = None, **kwargs) -> serializers.IntegerField:
    """A number of days, weeks or months: at most a century in its unit. When the unit is another
    field's value, the schema states the widest range (days) and the text the others."""
    if unit is None:
        help_text += (
            f" At most {MAX_PERIOD['DAYS']:,} DAYS, {MAX_PERIOD['WEEKS']:,} WEEKS or"
            f" {MAX_PERIOD['MONTHS']:,} MONTHS (a century)."
        )
    return count(help_text, maximum=MAX_PERIOD[unit or "DAYS"], **kwargs)


# What the service reads as a name or an id (badges_api/inputs.read_name): a visible character
# and no control character (C0, DEL, C1), which PostgreSQL and SQLite would store differently.
TEXT_PATTERN = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"


def text(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(TEXT_PATTERN, **kwargs)


def _optional(**kwargs) -> dict:
    return {"required": False, **kwargs}


# --- The envelope ---------------------------------------------------------------------------


class ErrorItemSerializer(serializers.Serializer):
    """One failing rule. Every failing rule of a request comes back, not just the first."""

    code = serializers.IntegerField(
        help_text="Capillary's code (e.g. 722), an HTTP-shaped code (400, 401, 404) or an extension code (9001-9011)."
    )
    message = serializers.CharField()
    reference = serializers.CharField(
        allow_null=True,
        help_text="The offending field as a path (`customerConstraints[0].refreshRate`), or null.",
    )


class EnvelopeSerializer(serializers.Serializer):
    """Capillary's envelope around every response. On failure `data` is null, `errors` lists every
    failing rule and `warnings` is null; on success `errors` is empty."""

    data = serializers.JSONField(allow_null=True, help_text="The answer; null on failure.")
    errors = ErrorItemSerializer(many=True)
    warnings = ErrorItemSerializer(
        many=True,
        allow_null=True,
        help_text="Advice that did not stop the request (e.g. ignored claims); null on failure.",
    )


def envelope(name: str, data: serializers.Field) -> type[serializers.Serializer]:
    """`<name>Envelope`: the envelope with `data` typed (OpenAPI 3.0 has no generics)."""
    return type(
        f"{name}EnvelopeSerializer",
        (serializers.Serializer,),
        {
            "__module__": __name__,
            "__doc__": f"The envelope whose `data` is {name}.",
            "data": data,
            "errors": ErrorItemSerializer(many=True, help_text="Empty on success."),
            "warnings": ErrorItemSerializer(many=True),
        },
    )


class PaginationSerializer(serializers.Serializer):
    page = serializers.IntegerField(help_text="0-based page number.")
    size = serializers.IntegerField(help_text=f"Page size (default 10, at most {MAX_PAGE_SIZE}).")
    total = serializers.IntegerField(help_text="Items matching the query, all pages together.")
    totalPages = serializers.IntegerField()


# --- Parts of a badge -----------------------------------------------------------------------


class ExpirySerializer(serializers.Serializer):
    """How long an earned badge (earnedBadgeExpiry) or an enrolment (issuedBadgeExpiry) lasts.

    - `{"expiryType": "RELATIVE", "relativeExpirytype": "DAYS|WEEKS|MONTHS", "value": N}`: N units from the earn/enrolment.
    - `{"expiryType": "ABSOLUTE", "type": "FIXED_DATE", "expiresOn": ts}`: at a fixed moment.
    - `{"expiryType": "ABSOLUTE", "type": "WITH_BADGE_META"}` (or `"expireWithBadgeMeta": true`): with the badge's end.
    - `{"expiryType": "NEVER"}`: 100 years.
    """

    expiryType = serializers.ChoiceField(choices=enums.EXPIRY_TYPES)
    relativeExpirytype = period_unit(
        "RELATIVE only: the unit. Requests may also spell the key `relativeExpiryType` or `type`.",
        **_optional(),
    )
    value = period("RELATIVE only: how many units.", **_optional())
    type = named_enum(ABSOLUTE_EXPIRY_KIND, "ABSOLUTE only.", **_optional())
    expiresOn = timestamp(
        "ABSOLUTE + FIXED_DATE only (mandatory there); null for WITH_BADGE_META.",
        allow_null=True,
        **_optional(),
    )
    expiresOnISO = iso(
        "ISO-8601 companion of expiresOn; in a request it wins over expiresOn.",
        allow_null=True,
        **_optional(),
    )
    expireWithBadgeMeta = serializers.BooleanField(
        help_text="ABSOLUTE only: true for WITH_BADGE_META.", **_optional()
    )


class ImageSerializer(serializers.Serializer):
    name = serializers.CharField(**_optional(allow_blank=True))
    fileSvcHandle = serializers.CharField(
        allow_null=True, help_text="A url or a fileSvcHandle is required.", **_optional()
    )
    url = serializers.CharField(
        allow_null=True, help_text="A url or a fileSvcHandle is required.", **_optional()
    )
    tag = named_enum(IMAGE_TAG, "When the image shows.")


class BenefitSerializer(serializers.Serializer):
    """COUPON and GIFT_VOUCHER need seriesId; CART_PROMOTION needs promotionId; LOYALTY_POINTS needs
    programId, promotionId, allocationStrategyId and expirationStrategyId (points and defaultTillId optional)."""

    benefitType = serializers.ChoiceField(choices=enums.BENEFIT_TYPES)
    seriesId = count("COUPON, GIFT_VOUCHER.", maximum=MAX_BIGINT, **_optional())
    promotionId = count("CART_PROMOTION, LOYALTY_POINTS.", maximum=MAX_BIGINT, **_optional())
    programId = count("LOYALTY_POINTS.", maximum=MAX_BIGINT, **_optional())
    allocationStrategyId = count("LOYALTY_POINTS.", maximum=MAX_BIGINT, **_optional())
    expirationStrategyId = count("LOYALTY_POINTS.", maximum=MAX_BIGINT, **_optional())
    points = count("LOYALTY_POINTS (optional).", allow_null=True, **_optional())
    defaultTillId = count(
        "LOYALTY_POINTS (optional): the till that issues the points.",
        maximum=MAX_BIGINT,
        allow_null=True,
        **_optional(),
    )


class TagSerializer(serializers.Serializer):
    name = text()
    value = serializers.CharField(
        allow_null=True, help_text="Free text; numbers are stored as text.", **_optional()
    )


class OwnershipClaimSerializer(serializers.Serializer):
    ownerType = owner_type("The module that claimed the badge.")
    referenceId = serializers.CharField(help_text="The owning program, campaign or journey.")
    isActive = serializers.BooleanField(help_text="false once unclaimed.")


class OwnershipSerializer(serializers.Serializer):
    restrictedToOwners = serializers.ListField(
        child=owner_type("An owner module."),
        min_length=1,
        help_text="Modules that may claim and issue the badge (at least one: 728; unknown: 714). Matched case-insensitively.",
    )
    claims = response_only(
        OwnershipClaimSerializer(many=True),
        "Set only through the claim API; claims sent in a create or update are ignored with a warning.",
    )


class CycleSerializer(serializers.Serializer):
    """The fixed-window cycle containing now (while the window's cycles run)."""

    startDate = serializers.FloatField(
        help_text="00:00 of the first day, org timezone, as epoch seconds."
    )
    startDateISO = serializers.DateTimeField()
    endDate = serializers.FloatField(
        help_text="00:00 of the last day (Capillary's convention, as getFixedWindowDetails: whole inclusive days)."
    )
    endDateISO = serializers.DateTimeField()
    firstDay = serializers.DateField()
    lastDay = serializers.DateField()


class _FixedWindowFields(serializers.Serializer):
    durationType = period_unit(
        "FIXED_WINDOW: DAYS windows of refreshRate days, WEEKS from startDayOfTheWeek, or calendar MONTHS.",
        **_optional(),
    )
    refreshRate = period(
        "FIXED_WINDOW with DAYS: days per window (mandatory there).",
        "DAYS",
        allow_null=True,
        **_optional(),
    )
    startDayOfTheWeek = day_of_week(
        "FIXED_WINDOW with WEEKS: the day windows start (default MONDAY).", **_optional()
    )
    maxEarnLimit = count(
        "FIXED_VALUE: the cap over the whole badge; FIXED_WINDOW: the cap per window.",
        **_optional(),
    )
    referenceId = text(
        help_text="FIXED_WINDOW: the window configuration's id (fixedWindowCycleReferenceId); generated when not sent, kept across updates that change only maxEarnLimit.",
        **_optional(),
    )
    # Answered for FIXED_WINDOW constraints only: FIXED_VALUE and ROLLING_WINDOW ones carry just
    # their own settings, so none of these is required (a read-only field would be).
    cycleStatus = answered_sometimes(
        {"type": "string", "enum": list(CYCLE_STATUSES)},
        "FIXED_WINDOW only (always there): UPCOMING, ACTIVE or EXPIRED by the span of its cycles"
        " (startDate to endDate).",
    )
    startDate = answered_sometimes(
        _EPOCH_SECONDS, "FIXED_WINDOW only (always there): the badge's start."
    )
    startDateISO = answered_sometimes(_ISO, "FIXED_WINDOW only (always there).")
    endDate = answered_sometimes(
        _EPOCH_SECONDS,
        "FIXED_WINDOW only (always there): where its cycles stop: the badge's end; for an ISSUE_EARN"
        " badge the (latest) enrolment expiry.",
    )
    endDateISO = answered_sometimes(_ISO, "FIXED_WINDOW only (always there).")
    currentCycle = answered_sometimes(
        CycleSerializer(),
        "FIXED_WINDOW only, while one of its cycles runs (startDate to endDate): the cycle"
        " containing now.",
    )


class CustomerConstraintSerializer(_FixedWindowFields):
    """A limit per customer (customerConstraints[]). One of each kind per badge (9011).

    - CUSTOMER_BADGE_FIXED_VALUE: maxEarnLimit over the whole badge.
    - CUSTOMER_BADGE_ROLLING_WINDOW: any of the pairs maxEarnForDays/rollForDays, maxEarnForWeeks/rollForWeeks, maxEarnForMonths/rollForMonths.
    - CUSTOMER_BADGE_FIXED_WINDOW: durationType, refreshRate (DAYS), startDayOfTheWeek (WEEKS), maxEarnLimit.
    - CUSTOMER_BADGE_NO_LIMIT: nothing (not stored).
    """

    constraintType = serializers.ChoiceField(choices=enums.CUSTOMER_CONSTRAINT_TYPES)
    maxEarnForDays = count(
        "ROLLING_WINDOW: earns allowed in the last rollForDays days.", **_optional()
    )
    rollForDays = period("ROLLING_WINDOW.", "DAYS", **_optional())
    maxEarnForWeeks = count(
        "ROLLING_WINDOW: earns allowed in the last rollForWeeks weeks.", **_optional()
    )
    rollForWeeks = period("ROLLING_WINDOW.", "WEEKS", **_optional())
    maxEarnForMonths = count(
        "ROLLING_WINDOW: earns allowed in the last rollForMonths months.", **_optional()
    )
    rollForMonths = period("ROLLING_WINDOW.", "MONTHS", **_optional())


class BadgeConstraintSerializer(_FixedWindowFields):
    """A limit across all customers (badgeConstraints[]).

    - BADGE_FIXED_VALUE: maxEarnLimit over the whole badge.
    - BADGE_ROLLING_WINDOW: rollType, rollValue, maxEarnLimit; several allowed, one per rollType and rollValue.
    - BADGE_FIXED_WINDOW: durationType, refreshRate (DAYS), startDayOfTheWeek (WEEKS), maxEarnLimit.
    - BADGE_NO_LIMIT: nothing (not stored).
    """

    constraintType = serializers.ChoiceField(choices=enums.BADGE_CONSTRAINT_TYPES)
    rollType = period_unit("ROLLING_WINDOW: the unit of the window.", **_optional())
    rollValue = period("ROLLING_WINDOW: how many units the window spans.", **_optional())


_CUSTOM_FIELD_VALUE = {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]}


class _BadgeWritable(serializers.Serializer):
    """Fields a create or update body may carry."""

    name = text(max_length=255, help_text="Unique per org, case-sensitive (725).")
    description = serializers.CharField(max_length=4000, allow_blank=True, **_optional())
    startOn = timestamp(
        "When the badge starts. At create it may not be in the past (722) unless X-CAP-BADGES-MIGRATION: migration; fixed once live (723). startOn or startOnISO is mandatory at create.",
        **_optional(),
    )
    startOnISO = iso("ISO-8601 companion of startOn; wins over startOn.", **_optional())
    expiresOn = timestamp(
        "The last moment the badge can be earned; after startOn (720). expiresOn or expiresOnISO is mandatory at create.",
        **_optional(),
    )
    expiresOnISO = iso("ISO-8601 companion of expiresOn; wins over expiresOn.", **_optional())
    earnType = serializers.ChoiceField(
        choices=enums.EARN_TYPES,
        help_text="EARN: earned directly. ISSUE_EARN: customers are enrolled (issueBulk) first.",
    )
    active = serializers.BooleanField(
        help_text="The activation flag (default true); `isActive` is read as an alias.",
        **_optional(),
    )
    earnedBadgeExpiry = ExpirySerializer(help_text="How long a customer keeps an earned badge.")
    issuedBadgeExpiry = ExpirySerializer(
        allow_null=True, help_text="The enrolment expiry; mandatory for ISSUE_EARN.", **_optional()
    )
    ownership = OwnershipSerializer()
    customerConstraints = CustomerConstraintSerializer(many=True, **_optional())
    badgeConstraints = BadgeConstraintSerializer(many=True, **_optional())
    images = ImageSerializer(many=True, max_length=100, **_optional())
    benefits = BenefitSerializer(many=True, max_length=100, **_optional())
    tags = TagSerializer(many=True, max_length=100, **_optional())
    customFields = serializers.DictField(
        child=WireField(request=_CUSTOM_FIELD_VALUE, response={"type": "string"}),
        help_text="{field name: value} for the org's active custom fields (9006 for unknown names or values of the wrong type). Mandatory fields the badge omits get their default.",
        **_optional(),
    )
    badgeGroupId = text(
        allow_null=True, help_text="An active group of the org (9005).", **_optional()
    )
    badgeRank = count(
        "Rank within the group; usable without a group.", allow_null=True, **_optional()
    )


class BadgeCreateSerializer(_BadgeWritable):
    """A new badge. Mandatory: name, startOn(ISO), expiresOn(ISO), earnType, earnedBadgeExpiry,
    ownership.restrictedToOwners (and issuedBadgeExpiry for ISSUE_EARN)."""

    isActive = serializers.BooleanField(
        write_only=True, help_text="Alias of active.", **_optional()
    )


class BadgeUpdateSerializer(_BadgeWritable):
    """Changes to the badge named by `id`: fields the body carries replace the stored ones, omitted
    fields keep their values."""

    id = text(help_text="The badge's 24-hex id.")
    isActive = serializers.BooleanField(
        write_only=True, help_text="Alias of active.", **_optional()
    )

    def get_fields(self):
        fields = super().get_fields()
        for key, field in fields.items():
            if key != "id":
                field.required = False
        return fields


class BadgeStatisticsSerializer(serializers.Serializer):
    activeEarnedCount = serializers.IntegerField(
        help_text="Earned instances neither revoked nor expired."
    )
    activeIssuedCount = serializers.IntegerField(
        help_text="Enrolments neither revoked nor expired."
    )
    lastEarnedOn = serializers.FloatField(allow_null=True, help_text="Epoch seconds.")
    lastEarnedOnISO = serializers.DateTimeField(allow_null=True)


class BadgeSerializer(serializers.Serializer):
    """A badge definition (Capillary's badgeMeta) as every badge endpoint answers it."""

    id = serializers.CharField(help_text="24-hex id.")
    badgeNumericId = serializers.IntegerField()
    orgId = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    startOn = serializers.FloatField(help_text="Epoch seconds.")
    startOnISO = serializers.DateTimeField()
    expiresOn = serializers.FloatField(help_text="Epoch seconds.")
    expiresOnISO = serializers.DateTimeField()
    earnedBadgeExpiry = ExpirySerializer()
    issuedBadgeExpiry = ExpirySerializer(allow_null=True)
    images = ImageSerializer(many=True)
    ownership = OwnershipSerializer()
    customerConstraints = CustomerConstraintSerializer(many=True)
    badgeConstraints = BadgeConstraintSerializer(many=True)
    benefits = BenefitSerializer(many=True)
    tags = TagSerializer(many=True)
    badgeGroupId = serializers.CharField(allow_null=True)
    badgeRank = serializers.IntegerField(allow_null=True)
    earnType = serializers.ChoiceField(choices=enums.EARN_TYPES)
    issuedCount = serializers.IntegerField(help_text="Enrolments so far.")
    earnedCount = serializers.IntegerField(help_text="Earns so far.")
    status = named_enum(
        BADGE_STATUS, "The badge's status by its dates, independent of the activation flag."
    )
    createdOn = serializers.FloatField()
    createdOnISO = serializers.DateTimeField()
    createdBy = serializers.IntegerField(
        allow_null=True, help_text="The API client that created it."
    )
    lastUpdatedOn = serializers.FloatField()
    lastUpdatedOnISO = serializers.DateTimeField()
    lastUpdatedBy = serializers.IntegerField(allow_null=True)
    customFields = serializers.DictField(
        child=serializers.CharField(), help_text="{field name: value as text}."
    )
    active = serializers.BooleanField(help_text="The activation flag, independent of status.")
    statistics = BadgeStatisticsSerializer(
        required=False, help_text="Only with includeStatistics=true."
    )


class BadgeListSerializer(serializers.Serializer):
    badges = BadgeSerializer(many=True)
    pagination = PaginationSerializer()


class FixedWindowCycleSerializer(serializers.Serializer):
    """One generated window of a fixed-window constraint: whole days in the org's timezone."""

    constraintType = serializers.ChoiceField(
        choices=("CUSTOMER_BADGE_FIXED_WINDOW", "BADGE_FIXED_WINDOW")
    )
    fixedWindowCycleReferenceId = serializers.CharField(help_text="The constraint's referenceId.")
    durationType = period_unit("DAYS, WEEKS or MONTHS.")
    refreshRate = serializers.IntegerField(allow_null=True)
    startDayOfTheWeek = day_of_week("WEEKS windows only.", allow_null=True)
    maxEarnLimit = serializers.IntegerField()
    cycleIndex = serializers.IntegerField(help_text="0 for the badge's first window.")
    startDate = serializers.FloatField(help_text="00:00 of the first day.")
    startDateISO = serializers.DateTimeField()
    endDate = serializers.FloatField(
        help_text="00:00 of the last day (Capillary's convention: whole inclusive days)."
    )
    endDateISO = serializers.DateTimeField()
    firstDay = serializers.DateField()
    lastDay = serializers.DateField()
    days = serializers.IntegerField()
    partial = serializers.BooleanField(
        help_text="Shorter than its period (cut at the badge's start or end)."
    )
    cycleStatus = serializers.ChoiceField(choices=CYCLE_STATUSES)
    earnCount = serializers.IntegerField(
        required=False,
        help_text="With includeEarnCount: non-revoked earns whose event date falls in the cycle "
        "(the customer's for customer cycles, everyone's for badge cycles).",
    )


class FixedWindowCycleListSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField()
    fixedWindowCycles = FixedWindowCycleSerializer(
        many=True, help_text="Customer windows first, then badge windows."
    )
    pagination = PaginationSerializer()


class ActivationSerializer(serializers.Serializer):
    id = serializers.CharField()
    isActive = serializers.BooleanField()


class BadgeClaimSerializer(serializers.Serializer):
    ownerType = owner_type(
        "One of the badge's restrictedToOwners (716 when missing, 714 when not an owner)."
    )
    referenceId = text(
        help_text="The owning program/campaign id; numbers are read as text (717 when missing)."
    )


class ClaimSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField()
    ownerType = owner_type("The claiming module.")
    referenceId = serializers.CharField()
    isActive = serializers.BooleanField(help_text="true after claim, false after unclaim.")


class TokenGenerateSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The API client's username.")
    secret = serializers.CharField(help_text="Its password, or the password's md5 hex digest.")


class TokenSerializer(serializers.Serializer):
    accessToken = serializers.CharField(help_text="Send as the X-CAP-API-OAUTH-TOKEN header.")
    ttlSeconds = serializers.IntegerField()


# --- Groups and custom fields ---------------------------------------------------------------


class GroupWriteSerializer(serializers.Serializer):
    name = text(
        max_length=200, help_text="Unique among the org's active groups, case-sensitive (733)."
    )
    rank = serializers.IntegerField(
        min_value=1,
        max_value=MAX_COUNT,
        help_text="Mandatory (732); not unique. Rank 1 shows first.",
    )
    isActive = serializers.BooleanField(
        help_text="false disables the group and frees its name.", **_optional()
    )


class GroupSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="24-hex id.")
    orgId = serializers.IntegerField()
    name = serializers.CharField()
    rank = serializers.IntegerField()
    isActive = serializers.BooleanField()
    createdOn = serializers.FloatField()
    createdOnISO = serializers.DateTimeField()
    createdBy = serializers.IntegerField(allow_null=True)
    lastUpdatedOn = serializers.FloatField()
    lastUpdatedOnISO = serializers.DateTimeField()
    lastUpdatedBy = serializers.IntegerField(allow_null=True)


class GroupListSerializer(serializers.Serializer):
    badgeGroups = GroupSerializer(many=True)
    pagination = PaginationSerializer()


class CustomFieldWriteSerializer(serializers.Serializer):
    name = text(
        max_length=200, help_text="Unique among the org's active fields, case-sensitive (9007)."
    )
    dataType = serializers.ChoiceField(
        choices=CustomField.DATA_TYPES, help_text="Fixed once created (9008)."
    )
    isMandatory = serializers.BooleanField(
        help_text="A mandatory field needs a defaultValue, applied to badges that omit it.",
        **_optional(),
    )
    defaultValue = WireField(
        request=_CUSTOM_FIELD_VALUE,
        response={"type": "string"},
        allow_null=True,
        help_text="Must fit dataType (400); mandatory fields need one.",
        **_optional(),
    )
    isActive = serializers.BooleanField(
        help_text="Update only: true -> false disables the field for good (9009 to re-enable).",
        **_optional(),
    )


class CustomFieldSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="24-hex id.")
    orgId = serializers.IntegerField()
    name = serializers.CharField()
    dataType = serializers.ChoiceField(choices=CustomField.DATA_TYPES)
    isMandatory = serializers.BooleanField()
    defaultValue = serializers.CharField(allow_null=True, help_text="As text.")
    isActive = serializers.BooleanField()
    createdOn = serializers.FloatField()
    createdOnISO = serializers.DateTimeField()
    createdBy = serializers.IntegerField(allow_null=True)
    lastUpdatedOn = serializers.FloatField()
    lastUpdatedOnISO = serializers.DateTimeField()
    lastUpdatedBy = serializers.IntegerField(allow_null=True)


class CustomFieldListSerializer(serializers.Serializer):
    customFields = CustomFieldSerializer(many=True)
    pagination = PaginationSerializer()


BadgeEnvelope = envelope("Badge", BadgeSerializer())
BadgeListEnvelope = envelope("BadgeList", BadgeListSerializer())
FixedWindowCycleListEnvelope = envelope("FixedWindowCycleList", FixedWindowCycleListSerializer())
ActivationEnvelope = envelope("Activation", ActivationSerializer())
ClaimEnvelope = envelope("Claim", ClaimSerializer())
TokenEnvelope = envelope("Token", TokenSerializer())
GroupEnvelope = envelope("Group", GroupSerializer())
GroupListEnvelope = envelope("GroupList", GroupListSerializer())
CustomFieldEnvelope = envelope("CustomField", CustomFieldSerializer())
CustomFieldListEnvelope = envelope("CustomFieldList", CustomFieldListSerializer())


# --- Error codes, parameters, responses -----------------------------------------------------

_CODE_TEXT = errors.MESSAGES | {
    errors.INVALID_INPUT: "Invalid input: malformed JSON, a wrong type, a missing mandatory field or an unknown enum value (the message lists the allowed values)",
    errors.UNAUTHORIZED: "Missing or wrong credentials",
    errors.NOT_FOUND: "Not found (another org's objects answer the same)",
    errors.CUSTOM_FIELD_INVALID: "Unknown custom field, or a value that does not fit its data type",
    errors.CUSTOM_FIELD_NAME_NOT_UNIQUE: "Custom field name should be unique among active fields",
    errors.CUSTOM_FIELD_TYPE_IMMUTABLE: "A custom field's dataType cannot change",
    errors.CUSTOM_FIELD_CANNOT_BE_REACTIVATED: "A disabled custom field cannot be enabled again",
    errors.DUPLICATE_CONSTRAINT: "Only one constraint of each kind (per rollType and rollValue for badge rolling windows)",
}


def codes(*numbers: int) -> str:
    """A Markdown list of the codes an operation can answer, for its description."""
    lines = [f"- `{number}` {_CODE_TEXT[number]}" for number in numbers]
    return "\n\n**Error codes**\n\n" + "\n".join(lines)


ERROR_400 = OpenApiResponse(
    EnvelopeSerializer,
    description="Rejected: `errors` lists every failing rule (code, message, reference); `data` is null.",
    examples=[
        OpenApiExample(
            "Several rules at once (the create page's example)",
            value={
                "data": None,
                "errors": [
                    {
                        "code": 728,
                        "message": "Atleast one owner is required",
                        "reference": "ownership.restrictedToOwners",
                    },
                    {"code": 725, "message": "Badge name cannot be duplicate", "reference": None},
                    {"code": 722, "message": "Start Date cannot be past date", "reference": None},
                ],
                "warnings": None,
            },
        )
    ],
)
ERROR_401 = OpenApiResponse(
    EnvelopeSerializer,
    description="Missing or wrong credentials (code 401).",
    examples=[
        OpenApiExample(
            "Wrong password",
            value={
                "data": None,
                "errors": [
                    {"code": 401, "message": "Invalid username or password", "reference": None}
                ],
                "warnings": None,
            },
        )
    ],
)
ERROR_404 = OpenApiResponse(
    EnvelopeSerializer,
    description="No such object in the caller's org (code 404).",
    examples=[
        OpenApiExample(
            "Unknown badge",
            value={
                "data": None,
                "errors": [
                    {"code": 404, "message": "Passed badge is not found", "reference": None}
                ],
                "warnings": None,
            },
        )
    ],
)


def responses(
    ok: type[serializers.Serializer],
    description: str,
    *,
    not_found: bool = False,
    status: int = 200,
) -> dict:
    answer = {status: OpenApiResponse(ok, description=description), 400: ERROR_400, 401: ERROR_401}
    if not_found:
        answer[404] = ERROR_404
    return answer


def query(
    name: str,
    description: str,
    *,
    type=OpenApiTypes.STR,
    enum=None,
    required: bool = False,
    **kwargs,
) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        type=type,
        location=OpenApiParameter.QUERY,
        description=description,
        enum=enum,
        required=required,
        **kwargs,
    )


def path(name: str, description: str, *, enum=None) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        type=OpenApiTypes.STR,
        location=OpenApiParameter.PATH,
        description=description,
        enum=enum,
    )


MIGRATION_HEADER = OpenApiParameter(
    "X-CAP-BADGES-MIGRATION",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    enum=["migration"],
    description="`migration` allows a startOn (and expiry dates) in the past: historical badges.",
)
BADGE_ID = path("badge_id", "The badge's 24-hex id.")
_TIMESTAMP_QUERY = "Epoch seconds or milliseconds, or ISO-8601 (e.g. `2023-02-16T00:00:00Z`)."
PAGE = query(
    "page",
    f"0-based page (at most {MAX_PAGE:,}; past the last page: an empty page).",
    type={"type": "integer", "minimum": 0, "maximum": MAX_PAGE},
)
SIZE = f"Page size, default 10, from 1 to {MAX_PAGE_SIZE}."


def page_size(name: str, description: str = SIZE) -> OpenApiParameter:
    """`size` or `limit`: outside 1..MAX_PAGE_SIZE is a 400 naming the parameter."""
    return query(
        name, description, type={"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
    )


_BADGES = ["badges"]
_AUTH_CODES = (errors.INVALID_INPUT, errors.UNAUTHORIZED)

CREATE_EXAMPLE = OpenApiExample(
    "Weekly limit per customer, rolling limit across customers",
    request_only=True,
    value={
        "name": "Coffee Week",
        "description": "Buy three coffees in a week",
        "startOnISO": "2030-01-06T00:00:00Z",
        "expiresOnISO": "2030-03-31T23:59:59Z",
        "earnType": "EARN",
        "earnedBadgeExpiry": {"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 30},
        "ownership": {"restrictedToOwners": ["Loyalty"]},
        "customerConstraints": [
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "WEEKS",
                "startDayOfTheWeek": "MONDAY",
                "maxEarnLimit": 1,
            }
        ],
        "badgeConstraints": [
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 300,
            }
        ],
        "benefits": [{"benefitType": "COUPON", "seriesId": 13686}],
        "tags": [{"name": "category", "value": "coffee"}],
    },
)

BADGE_CREATE = extend_schema(
    methods=["POST"],
    operation_id="createBadge",
    summary="Create a badge",
    description=(
        "Creates a badge definition. Every failing rule of the body comes back together. "
        "Claims cannot be set here (use the claim API); any sent are ignored with a warning."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.OWNER_TYPE_NOT_ALLOWED,
            errors.START_AFTER_END,
            errors.START_DATE_IN_PAST,
            errors.EXPIRY_DATE_IN_PAST,
            errors.DUPLICATE_BADGE_NAME,
            errors.OWNER_REQUIRED,
            errors.START_DATE_TOO_OLD,
            errors.GROUP_NOT_FOUND,
            errors.CUSTOM_FIELD_INVALID,
            errors.DUPLICATE_CONSTRAINT,
        )
    ),
    parameters=[MIGRATION_HEADER],
    request=BadgeCreateSerializer,
    responses=responses(BadgeEnvelope, "The created badge."),
    examples=[CREATE_EXAMPLE],
    tags=_BADGES,
)

BADGE_UPDATE = extend_schema(
    methods=["PUT"],
    operation_id="updateBadge",
    summary="Update a badge",
    description=(
        "Updates the badge named by the body's `id`. Fields the body carries replace the stored ones; "
        "omitted fields keep their values. Once the badge is live its start is fixed (723) and its limits "
        "cannot switch between fixed windows and other kinds (826); an owner with an active claim cannot be removed (9001)."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.NOT_FOUND,
            errors.OWNER_TYPE_NOT_ALLOWED,
            errors.START_AFTER_END,
            errors.START_DATE_LOCKED_WHEN_LIVE,
            errors.EXPIRY_DATE_IN_PAST,
            errors.DUPLICATE_BADGE_NAME,
            errors.OWNER_REQUIRED,
            errors.WINDOW_KIND_CHANGE_NOT_ALLOWED,
            errors.OWNER_HAS_ACTIVE_CLAIM,
            errors.START_DATE_TOO_OLD,
            errors.GROUP_NOT_FOUND,
            errors.CUSTOM_FIELD_INVALID,
            errors.DUPLICATE_CONSTRAINT,
        )
    ),
    parameters=[MIGRATION_HEADER],
    request=BadgeUpdateSerializer,
    responses=responses(BadgeEnvelope, "The updated badge.", not_found=True),
    tags=_BADGES,
)

BADGE_LIST = extend_schema(
    methods=["GET"],
    operation_id="listBadges",
    summary="List the org's badges",
    description="Filters combine with AND. Sorted by `sortOn` then id." + codes(*_AUTH_CODES),
    parameters=[
        query(
            "status",
            "Badge status by dates; a comma list such as `LIVE,UPCOMING`. `ENDED` is read as `EXPIRED`.",
            type={
                "type": "array",
                "items": {"type": "string", "enum": list(enums.BADGE_STATUSES) + ["ENDED"]},
            },
            style="form",
            explode=False,
        ),
        query(
            "earnType",
            "EARN or ISSUE_EARN (`badgeType` is read as an alias).",
            enum=enums.EARN_TYPES,
        ),
        query(
            "action",
            "The activation flag: ACTIVATED or DE_ACTIVATED.",
            enum=("ACTIVATED", "DE_ACTIVATED"),
        ),
        query(
            "owner", "Badges whose restrictedToOwners include this module.", enum=enums.OWNER_TYPES
        ),
        query("claimedBy", "Badges with an active claim by this module.", enum=enums.OWNER_TYPES),
        query("unclaimed", "true: only badges without an active claim.", type=OpenApiTypes.BOOL),
        query("name", "Name contains (case-insensitive)."),
        query("groupId", "Badges of this group."),
        query("startOn", "Badges starting at or after. " + _TIMESTAMP_QUERY),
        query("expiresOn", "Badges ending at or before. " + _TIMESTAMP_QUERY),
        query("sortOn", "Default ID.", enum=enums.BADGE_SORTS),
        query("order", "Default ASC.", enum=enums.ORDERS),
        page_size("limit", SIZE),
        PAGE,
    ],
    responses=responses(BadgeListEnvelope, "One page of badges and the pagination block."),
    tags=_BADGES,
)

BADGE_GET = extend_schema(
    operation_id="getBadge",
    summary="Get a badge",
    description="One badge by id." + codes(errors.UNAUTHORIZED, errors.NOT_FOUND),
    parameters=[
        BADGE_ID,
        query(
            "includeStatistics",
            "Accepted for compatibility; the badge carries issuedCount and earnedCount either way.",
            type=OpenApiTypes.BOOL,
        ),
    ],
    responses={
        200: OpenApiResponse(BadgeEnvelope, description="The badge."),
        400: ERROR_400,
        401: ERROR_401,
        404: ERROR_404,
    },
    tags=_BADGES,
)

BADGE_ACTIVATION = extend_schema(
    operation_id="setBadgeActivation",
    summary="Activate or deactivate a badge",
    description=(
        "Sets the activation flag. A deactivated badge cannot be earned, enrolled or claimed. "
        'Expired badges cannot be deactivated (9002). A body such as `{"active": true}` is accepted and ignored: the path decides.'
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.NOT_FOUND,
            errors.EXPIRED_BADGE_CANNOT_BE_DEACTIVATED,
        )
    ),
    parameters=[
        BADGE_ID,
        path("activation", "What to do (any case).", enum=("activate", "deactivate")),
    ],
    request=None,
    responses=responses(ActivationEnvelope, "The badge id and its flag.", not_found=True),
    tags=_BADGES,
)

BADGE_CLAIM = extend_schema(
    operation_id="claimBadge",
    summary="Claim a badge for a module",
    description=(
        "Records that a module (an owner of the badge) uses it, e.g. a loyalty program. Claiming again with "
        "the same ownerType and referenceId answers the existing claim."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.NOT_FOUND,
            errors.OWNER_TYPE_NOT_ALLOWED,
            errors.OWNER_TYPE_MISSING,
            errors.OWNER_ID_MANDATORY,
            errors.INACTIVE_BADGE_CANNOT_BE_CLAIMED,
        )
    ),
    parameters=[BADGE_ID],
    request=BadgeClaimSerializer,
    responses=responses(ClaimEnvelope, "The active claim.", not_found=True),
    examples=[
        OpenApiExample(
            "Loyalty program",
            request_only=True,
            value={"ownerType": "Loyalty", "referenceId": "626"},
        )
    ],
    tags=_BADGES,
)

BADGE_UNCLAIM = extend_schema(
    operation_id="unclaimBadge",
    summary="Unclaim a badge",
    description=(
        "Soft-deletes the active claim with this ownerType and referenceId (isActive becomes false). "
        "No such active claim: 737 with HTTP 404."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.NOT_FOUND,
            errors.OWNER_TYPE_MISSING,
            errors.OWNER_ID_MANDATORY,
            errors.CLAIM_NOT_FOUND,
        )
    ),
    parameters=[BADGE_ID],
    request=BadgeClaimSerializer,
    responses=responses(ClaimEnvelope, "The claim, now inactive.", not_found=True),
    tags=_BADGES,
)

FIXED_WINDOW_DETAILS = extend_schema(
    operation_id="getFixedWindowDetails",
    summary="List a badge's fixed-window cycles",
    description=(
        "The windows generated by the badge's fixed-window constraints, customer windows first, paged. "
        "Windows are whole days in the org's timezone from the badge's start day to its end; cycles are "
        "computed, not stored." + codes(*_AUTH_CODES, errors.NOT_FOUND)
    ),
    parameters=[
        query("badgeMetaId", "The badge's id.", required=True),
        query(
            "constraintType",
            "Which constraints' windows (default ALL).",
            enum=("BADGE", "CUSTOMER", "ALL"),
        ),
        query(
            "customerId",
            "The customer whose earn counts to include; mandatory with includeEarnCount=true unless constraintType is BADGE.",
        ),
        query("fixedWindowCycleReferenceId", "Only this constraint's windows (its referenceId)."),
        query(
            "includeEarnCount",
            "Include earnCount per cycle, counted by earn event date.",
            type=OpenApiTypes.BOOL,
        ),
        query(
            "startDate",
            "Windows ending on or after this day (default the badge's start). " + _TIMESTAMP_QUERY,
        ),
        query(
            "endDate",
            "Windows starting on or before this day (default the badge's end). " + _TIMESTAMP_QUERY,
        ),
        PAGE,
        page_size("size", SIZE + " `limit` is read as an alias."),
    ],
    responses=responses(FixedWindowCycleListEnvelope, "One page of cycles.", not_found=True),
    tags=_BADGES,
)

# --- Earns per day (extension) ------------------------------------------------------------


class DayEarnCountSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A day in the org's timezone.")
    earnCount = serializers.IntegerField(
        help_text="Non-revoked earns whose event date falls on this day."
    )


# `from` is a Python keyword, so this serializer is built with type() rather than a class body.
EarnsPerDaySerializer = type(
    "EarnsPerDaySerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "Earns per day of one badge over an inclusive range of days.",
        "badgeMetaId": serializers.CharField(),
        "timezone": serializers.CharField(help_text="The org's timezone the days are cut in."),
        "from": serializers.DateField(help_text="The first day answered."),
        "to": serializers.DateField(help_text="The last day answered."),
        "totalEarnCount": serializers.IntegerField(help_text="The sum over the range."),
        "earnsPerDay": DayEarnCountSerializer(
            many=True, help_text="Every day of the range in order, days without earns as 0."
        ),
    },
)
EarnsPerDayEnvelope = envelope("EarnsPerDay", EarnsPerDaySerializer())

EARNS_PER_DAY = extend_schema(
    operation_id="getBadgeEarnsPerDay",
    summary="Earns per day of a badge (extension)",
    description=(
        "This service's extension (Capillary has no such call), for charts: how many times the badge "
        "was earned on each day of a range. Days are whole days in the org's timezone, cut where "
        "fixed-window cycles are cut; earns count on their event date; revoked earns are left out; "
        "days without earns answer 0. `to` defaults to today, `from` to 29 days before `to`; "
        "a range spans at most 366 days." + codes(*_AUTH_CODES, errors.NOT_FOUND)
    ),
    parameters=[
        BADGE_ID,
        query(
            "from",
            "The first day, `YYYY-MM-DD`, 1900-01-01 to 2999-12-31 (default: 29 days before `to`).",
            type=OpenApiTypes.DATE,
        ),
        query(
            "to",
            "The last day, inclusive, `YYYY-MM-DD`, 1900-01-01 to 2999-12-31 (default: today).",
            type=OpenApiTypes.DATE,
        ),
    ],
    responses=responses(EarnsPerDayEnvelope, "One count per day of the range.", not_found=True),
    tags=_BADGES,
)

TOKEN_GENERATE = extend_schema(
    operation_id="generateToken",
    summary="Generate an OAuth access token",
    description=(
        "Exchanges an API client's username (`key`) and password (`secret`, or its md5) for a signed token, "
        "sent afterwards as the `X-CAP-API-OAUTH-TOKEN` header." + codes(*_AUTH_CODES)
    ),
    request=TokenGenerateSerializer,
    responses=responses(TokenEnvelope, "The token and how long it lives."),
    auth=[],
    tags=["auth"],
)

_GROUPS = ["groups"]
GROUP_ID = path("group_id", "The group's 24-hex id.")

GROUP_CREATE = extend_schema(
    methods=["POST"],
    operation_id="createGroup",
    summary="Create a badge group",
    description="Groups order badges for customers (RANK sort)."
    + codes(*_AUTH_CODES, errors.GROUP_RANK_MANDATORY, errors.GROUP_NAME_NOT_UNIQUE),
    request=GroupWriteSerializer,
    responses=responses(GroupEnvelope, "The created group."),
    tags=_GROUPS,
)

GROUP_LIST = extend_schema(
    methods=["GET"],
    operation_id="listGroups",
    summary="List badge groups",
    description="Active groups (unless isActive=false), by rank then age." + codes(*_AUTH_CODES),
    parameters=[
        query(
            "isActive",
            "false lists disabled groups (`status` is read as an alias). Default true.",
            type=OpenApiTypes.BOOL,
        ),
        query("order", "By rank: ASC (default, rank 1 first) or DESC.", enum=enums.ORDERS),
        page_size("size", SIZE + " `limit` is read as an alias."),
        PAGE,
    ],
    responses=responses(GroupListEnvelope, "One page of groups."),
    tags=_GROUPS,
)

GROUP_GET = extend_schema(
    methods=["GET"],
    operation_id="getGroup",
    summary="Get a badge group",
    description="One group by id, active or not." + codes(errors.UNAUTHORIZED, errors.NOT_FOUND),
    parameters=[GROUP_ID],
    responses={
        200: OpenApiResponse(GroupEnvelope, description="The group."),
        400: ERROR_400,
        401: ERROR_401,
        404: ERROR_404,
    },
    tags=_GROUPS,
)

GROUP_UPDATE = extend_schema(
    methods=["PUT"],
    operation_id="updateGroup",
    summary="Update a badge group",
    description=(
        "Replaces name and rank; `isActive: false` disables the group (its badges count as ungrouped)."
        + codes(
            *_AUTH_CODES,
            errors.NOT_FOUND,
            errors.GROUP_RANK_MANDATORY,
            errors.GROUP_NAME_NOT_UNIQUE,
        )
    ),
    parameters=[GROUP_ID],
    request=GroupWriteSerializer,
    responses=responses(GroupEnvelope, "The updated group.", not_found=True),
    tags=_GROUPS,
)

_CUSTOM_FIELDS = ["custom fields"]
FIELD_ID = path("field_id", "The custom field's 24-hex id.")

CUSTOM_FIELD_CREATE = extend_schema(
    methods=["POST"],
    operation_id="createCustomField",
    summary="Create a badge custom field",
    description=(
        "An org-wide field every badge may carry in `customFields`; a mandatory field's default is applied "
        "to badges that omit it." + codes(*_AUTH_CODES, errors.CUSTOM_FIELD_NAME_NOT_UNIQUE)
    ),
    request=CustomFieldWriteSerializer,
    responses=responses(CustomFieldEnvelope, "The created field."),
    tags=_CUSTOM_FIELDS,
)

CUSTOM_FIELD_LIST = extend_schema(
    methods=["GET"],
    operation_id="listCustomFields",
    summary="List badge custom fields",
    description="The org's active custom fields (or, with isActive=false, the disabled ones)."
    + codes(*_AUTH_CODES),
    parameters=[
        query("isActive", "false lists disabled fields. Default true.", type=OpenApiTypes.BOOL),
        query("sortOn", "Default LAST_UPDATED_DATE.", enum=tuple(CUSTOM_FIELD_SORTS)),
        query("order", "Default DESC (newest first).", enum=enums.ORDERS),
        page_size("size", SIZE + " `limit` is read as an alias."),
        PAGE,
    ],
    responses=responses(CustomFieldListEnvelope, "One page of fields."),
    tags=_CUSTOM_FIELDS,
)

CUSTOM_FIELD_GET = extend_schema(
    methods=["GET"],
    operation_id="getCustomField",
    summary="Get a badge custom field",
    description="One custom field by id." + codes(errors.UNAUTHORIZED, errors.NOT_FOUND),
    parameters=[FIELD_ID],
    responses={
        200: OpenApiResponse(CustomFieldEnvelope, description="The field."),
        400: ERROR_400,
        401: ERROR_401,
        404: ERROR_404,
    },
    tags=_CUSTOM_FIELDS,
)

CUSTOM_FIELD_UPDATE = extend_schema(
    methods=["PUT"],
    operation_id="updateCustomField",
    summary="Update a badge custom field",
    description=(
        "Changes name, isMandatory, defaultValue, or disables the field (isActive false, for good). "
        "dataType cannot change."
        + codes(
            *_AUTH_CODES,
            errors.NOT_FOUND,
            errors.CUSTOM_FIELD_NAME_NOT_UNIQUE,
            errors.CUSTOM_FIELD_TYPE_IMMUTABLE,
            errors.CUSTOM_FIELD_CANNOT_BE_REACTIVATED,
        )
    ),
    parameters=[FIELD_ID],
    request=CustomFieldWriteSerializer,
    responses=responses(CustomFieldEnvelope, "The updated field.", not_found=True),
    tags=_CUSTOM_FIELDS,
)


# --- Customer lifecycle: enrol (issueBulk), earn, revoke, import ------------------------------
# Shapes as badges_api/services/{earning,enrolment,revocation,earn_import}.py answer them.

_LIFECYCLE = ["customer lifecycle"]
_LIMIT_CODES = (
    errors.CUSTOMER_LIFETIME_LIMIT,
    errors.CUSTOMER_ROLLING_LIMIT,
    errors.CUSTOMER_WINDOW_LIMIT,
    errors.BADGE_TOTAL_LIMIT,
    errors.BADGE_ROLLING_LIMIT,
    errors.BADGE_WINDOW_LIMIT,
)
_CODE_TEXT.update(
    {
        errors.CUSTOMER_LIFETIME_LIMIT: "The customer has reached the badge's CUSTOMER_BADGE_FIXED_VALUE limit",
        errors.CUSTOMER_ROLLING_LIMIT: "The customer has reached a CUSTOMER_BADGE_ROLLING_WINDOW limit",
        errors.CUSTOMER_WINDOW_LIMIT: "The customer has reached the limit of the current fixed window",
        errors.BADGE_TOTAL_LIMIT: "The badge has reached its BADGE_FIXED_VALUE limit",
        errors.BADGE_ROLLING_LIMIT: "The badge has reached a BADGE_ROLLING_WINDOW limit",
        errors.BADGE_WINDOW_LIMIT: "The badge has reached the limit of the current fixed window",
        errors.TOO_MANY_CUSTOMERS: "Too many customers (or rows) in one request: at most 100,000",
    }
)
_CUSTOMER_ID_IN = {
    "oneOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_BIGINT},
        {"type": "string", "pattern": "^[0-9]{1,19}$"},
    ],
    "description": "Capillary's customer id, 1 to 2^63-1 (ASCII digits when sent as text).",
}
ITEM_STATUS = Component(
    "ItemStatus",
    {
        "type": "string",
        "enum": ["UPCOMING", "LIVE", "EXPIRED", "REVOKED"],
        "description": "The status of one enrolment or earned badge, independent of the badge's.",
    },
)
CUSTOMER_IDENTIFIER_HEADER = OpenApiParameter(
    "X-CAP-CUSTOMER-IDENTIFIER",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    enum=["id", "email", "mobile", "externalId", "cardNumber"],
    description="What `customerId` holds (default `id`); unknown: 1028.",
)


def customer_id(help_text: str = "Capillary's customer id.", **kwargs) -> WireField:
    return WireField(
        request=_CUSTOMER_ID_IN, response={"type": "integer"}, help_text=help_text, **kwargs
    )


class TriggeredBySerializer(serializers.Serializer):
    ownerType = owner_type("The claiming module (716 when missing); Membercare needs no claim.")
    referenceId = text(
        help_text="Must match an active claim of the badge (810); numbers are read as text (717 when missing).",
        required=False,
    )


class EarnSerializer(serializers.Serializer):
    """One customer earns a badge (customer/earn)."""

    badgeMetaId = text()
    customerId = customer_id()
    requestId = text(
        help_text="Idempotency key: mandatory (804); a repeat replays the first answer, a reuse with another body is 809."
    )
    earnEventDate = timestamp(
        "When the earning happened (default now); at most 24 hours ahead (750).", **_optional()
    )
    earnEventDateISO = iso("ISO-8601 companion; wins over earnEventDate.", **_optional())
    triggeredBy = TriggeredBySerializer()


class EarnResultSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField()
    customerId = serializers.IntegerField()
    earnedBadgeId = serializers.CharField(
        help_text="The earned badge's 24-hex id (for revokeEarn)."
    )
    expiresOn = serializers.FloatField(
        help_text="When the earned badge expires (earnedBadgeExpiry)."
    )
    expiresOnISO = serializers.DateTimeField()
    earnEventDate = serializers.FloatField()
    earnEventDateISO = serializers.DateTimeField()
    requestId = serializers.CharField()
    issuedId = serializers.CharField(
        allow_null=True, help_text="The enrolment used (ISSUE_EARN); null for EARN badges."
    )


class EarnBulkSerializer(serializers.Serializer):
    """Many customers earn a badge (customer/earnBulk); each is answered on its own."""

    badgeMetaId = text()
    customerIds = serializers.ListField(
        child=customer_id(), max_length=100_000, help_text="812 when missing or empty."
    )
    requestId = text(help_text="Idempotency key; generated when absent.", **_optional())
    earnEventDate = timestamp("When the earning happened (default now).", **_optional())
    earnEventDateISO = iso("ISO-8601 companion; wins over earnEventDate.", **_optional())
    triggeredBy = TriggeredBySerializer()


class GrantOutcomeSerializer(serializers.Serializer):
    """One customer's answer in a bulk call: the granted item, or the error that refused it."""

    customerId = serializers.IntegerField()
    issuedId = serializers.CharField(
        allow_null=True, help_text="The earned badge's or enrolment's id; null when refused."
    )
    status = named_enum(ITEM_STATUS, "The item's status; null when refused.", allow_null=True)
    error = ErrorItemSerializer(
        required=False,
        help_text="Present only when this customer was refused (e.g. 1026, 1040, 811, 9101-9113).",
    )


class EarnSummarySerializer(serializers.Serializer):
    requested = serializers.IntegerField()
    earned = serializers.IntegerField()
    refused = serializers.IntegerField()


class EarnBulkResultSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField()
    triggeredBy = TriggeredBySerializer()
    expiresOn = serializers.FloatField(help_text="When the badges earned by this call expire.")
    expiresOnISO = serializers.DateTimeField()
    earnEventDate = serializers.FloatField()
    earnEventDateISO = serializers.DateTimeField()
    issuedBadges = GrantOutcomeSerializer(
        many=True, help_text="One entry per customer, in request order."
    )
    summary = EarnSummarySerializer()
    requestId = serializers.CharField()


class IssueBulkSerializer(serializers.Serializer):
    """Enrol customers into an ISSUE_EARN badge (badgeMeta/customer/issueBulk)."""

    badgeMetaId = text()
    customers = serializers.ListField(
        child=customer_id(),
        max_length=100_000,
        help_text="`customerIds` is read as an alias; 812 when missing.",
    )
    requestId = text(help_text="Idempotency key; generated when absent.", **_optional())
    issueEventDate = timestamp(
        "The enrol event date (default now); must lie within the badge's dates (816). The enrolment window runs from it.",
        **_optional(),
    )
    issueEventDateISO = iso("ISO-8601 companion; wins over issueEventDate.", **_optional())
    triggeredBy = TriggeredBySerializer()


class IssueSummarySerializer(serializers.Serializer):
    requested = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    refused = serializers.IntegerField()


class IssueBulkResultSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField()
    triggeredBy = TriggeredBySerializer()
    expiresOn = serializers.FloatField(
        help_text="When the enrolments made by this call expire (issuedBadgeExpiry)."
    )
    expiresOnISO = serializers.DateTimeField()
    issueEventDate = serializers.FloatField()
    issueEventDateISO = serializers.DateTimeField()
    issuedBadges = GrantOutcomeSerializer(
        many=True,
        help_text="One entry per customer, in request order; 1040 when an enrolment is still live.",
    )
    summary = IssueSummarySerializer()
    requestId = serializers.CharField()


class RevokeIssualSerializer(serializers.Serializer):
    customerId = customer_id()
    issueId = text(help_text="The enrolment's id (issuedId).")


class RevokeIssueSerializer(serializers.Serializer):
    """Revoke enrolments: all of each customer's (`customers`) or named ones (`revokeIssuals`, which wins)."""

    badgeMetaId = text()
    customers = serializers.ListField(child=customer_id(), max_length=20, **_optional())
    revokeIssuals = RevokeIssualSerializer(many=True, max_length=20, **_optional())


class RevokedIssueSerializer(serializers.Serializer):
    customerId = serializers.IntegerField()
    issueId = serializers.CharField(allow_null=True)
    isActive = serializers.BooleanField(
        required=False, help_text="false: revoked. Absent when `error` is present."
    )
    error = ErrorItemSerializer(
        required=False,
        help_text='1026, or 404 with "Customer doesn\'t have issue instance", "Passed badge is not issued" or "issue doesn\'t belong to customer".',
    )


class RevokeIssueResultSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField()
    revokedIssues = RevokedIssueSerializer(many=True)


class RevokeEarnSerializer(serializers.Serializer):
    badgeMetaId = text()
    customerId = WireField(
        request={"oneOf": [{"type": "integer"}, {"type": "string"}]},
        response={"type": "integer"},
        help_text="The customer, as X-CAP-CUSTOMER-IDENTIFIER says (812 when missing).",
    )
    earnedBadgeId = text()


class RevokeEarnResultSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField()
    customerId = serializers.IntegerField()
    earnedBadgeId = serializers.CharField()
    isActive = serializers.BooleanField(help_text="false: revoked.")


class ImportRowSerializer(serializers.Serializer):
    """One historical earned badge. Imports skip claims, limits and benefits."""

    badgeMetaId = text(help_text="A badge of the caller's org (1054 otherwise).")
    customerId = serializers.IntegerField(
        min_value=1, max_value=MAX_BIGINT, help_text="An existing customer (1026 otherwise)."
    )
    earnEventDate = timestamp("When it was earned.", **_optional())
    earnEventDateISO = iso(
        "ISO-8601 companion; earnEventDate or earnEventDateISO is mandatory.", **_optional()
    )
    earnExpiresOn = timestamp("When it expires; after earnEventDate.", **_optional())
    earnExpiresOnISO = iso(
        "ISO-8601 companion; earnExpiresOn or earnExpiresOnISO is mandatory.", **_optional()
    )


class ImportResultSerializer(serializers.Serializer):
    badgeMetaId = serializers.CharField(
        allow_null=True,
        help_text="The row's badgeMetaId (trimmed) when it is a valid id; else null.",
    )
    customerId = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        max_value=MAX_BIGINT,
        help_text="The row's customerId as a number when it is a valid one; else null.",
    )
    earnedBadgeId = serializers.CharField(
        allow_null=True, help_text="null when the row was refused."
    )
    requestId = serializers.CharField(
        help_text="`<batch>_<row number>`; the batch is X-CAP-REQUEST-ID or generated."
    )
    expiresOn = serializers.FloatField(required=False)
    expiresOnISO = serializers.DateTimeField(required=False)
    error = ErrorItemSerializer(required=False, help_text="Present only when the row was refused.")


EarnEnvelope = envelope("EarnResult", EarnResultSerializer())
EarnBulkEnvelope = envelope("EarnBulkResult", EarnBulkResultSerializer())
IssueBulkEnvelope = envelope("IssueBulkResult", IssueBulkResultSerializer())
RevokeIssueEnvelope = envelope("RevokeIssueResult", RevokeIssueResultSerializer())
RevokeEarnEnvelope = envelope("RevokeEarnResult", RevokeEarnResultSerializer())
ImportEnvelope = envelope("ImportResultList", ImportResultSerializer(many=True))

ERROR_409 = OpenApiResponse(
    EnvelopeSerializer,
    description="Conflict: 811 (no active enrolment) or 1040 (an enrolment is still live).",
)
_GRANT_CODES = (
    errors.INVALID_INPUT,
    errors.UNAUTHORIZED,
    errors.NOT_FOUND,
    errors.OWNER_TYPE_MISSING,
    errors.OWNER_ID_MANDATORY,
    errors.DUPLICATE_REQUEST_ID,
    errors.BADGE_NOT_CLAIMED,
    errors.CUSTOMER_ID_MISSING,
    errors.BADGE_NOT_LIVE,
)

EARN = extend_schema(
    operation_id="earnBadge",
    summary="A customer earns a badge",
    description=(
        "Grants the badge to one customer after checking every customer and badge limit (fixed windows "
        "on the event date). ISSUE_EARN badges need a live enrolment (811, HTTP 409). A refusal is the whole answer."
        + codes(
            *_GRANT_CODES,
            errors.REQUEST_ID_MISSING,
            errors.EARN_EVENT_DATE_IN_FUTURE,
            errors.EVENT_DATE_OUTSIDE_BADGE,
            errors.ENROLMENT_REQUIRED,
            errors.CUSTOMER_NOT_FOUND,
            *_LIMIT_CODES,
        )
    ),
    request=EarnSerializer,
    responses=responses(EarnEnvelope, "The earned badge.", not_found=True) | {409: ERROR_409},
    tags=_LIFECYCLE,
)

EARN_BULK = extend_schema(
    operation_id="earnBadgeBulk",
    summary="Many customers earn a badge",
    description=(
        "Grants the badge to each customer that every limit allows, in request order; refused customers "
        "carry their error in `issuedBadges[].error` while the others are granted."
        + codes(
            *_GRANT_CODES,
            errors.EARN_EVENT_DATE_IN_FUTURE,
            errors.EVENT_DATE_OUTSIDE_BADGE,
            errors.TOO_MANY_CUSTOMERS,
        )
    ),
    request=EarnBulkSerializer,
    responses=responses(
        EarnBulkEnvelope, "One outcome per customer and a summary.", not_found=True
    ),
    tags=_LIFECYCLE,
)

ISSUE_BULK = extend_schema(
    operation_id="issueBadgeBulk",
    summary="Enrol customers into an enrol-and-issue badge",
    description=(
        "Enrols each customer into an ISSUE_EARN badge (upcoming or live); the enrolment expires per "
        "issuedBadgeExpiry from the enrol event date. A customer with a live enrolment is refused with 1040."
        + codes(
            *_GRANT_CODES,
            errors.EVENT_DATE_OUTSIDE_BADGE,
            errors.NOT_AN_ENROL_AND_ISSUE_BADGE,
            errors.TOO_MANY_CUSTOMERS,
        )
    ),
    request=IssueBulkSerializer,
    responses=responses(
        IssueBulkEnvelope, "One outcome per customer and a summary.", not_found=True
    ),
    tags=_LIFECYCLE,
)

REVOKE_ISSUE = extend_schema(
    operation_id="revokeIssue",
    summary="Revoke enrolments",
    description=(
        "Revokes all of each customer's active enrolments (`customers`) or the named ones (`revokeIssuals`); "
        "at most 20 entries. Each entry is answered, with its error if it could not be revoked."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.NOT_FOUND,
            errors.REVOKE_TARGET_MISSING,
            errors.CUSTOMER_NOT_FOUND,
        )
    ),
    request=RevokeIssueSerializer,
    responses=responses(
        RevokeIssueEnvelope, "One entry per revoked (or refused) enrolment.", not_found=True
    ),
    tags=_LIFECYCLE,
)

REVOKE_EARN = extend_schema(
    operation_id="revokeEarn",
    summary="Revoke an earned badge",
    description=(
        "Deactivates one earned badge; it stops counting against limits and earnedCount drops."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.NOT_FOUND,
            errors.CUSTOMER_ID_MISSING,
            errors.ACTIVE_EARN_NOT_FOUND,
            errors.CUSTOMER_NOT_FOUND,
            errors.INVALID_CUSTOMER_IDENTIFIER_TYPE,
        )
    ),
    parameters=[CUSTOMER_IDENTIFIER_HEADER],
    request=RevokeEarnSerializer,
    responses=responses(RevokeEarnEnvelope, "The revoked earned badge.", not_found=True),
    tags=_LIFECYCLE,
)

_IMPORT = dict(
    description=(
        "Imports historical earned badges as they were: each row carries its own event and expiry dates; "
        "claims, limits and benefits are skipped. Every row is answered; refused rows carry their error."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.GLOBAL_BADGE_NOT_FOUND,
            errors.CUSTOMER_NOT_FOUND,
            errors.TOO_MANY_CUSTOMERS,
        )
    ),
    parameters=[
        OpenApiParameter(
            "X-CAP-REQUEST-ID",
            type=OpenApiTypes.STR,
            location=OpenApiParameter.HEADER,
            description="The batch id that prefixes each row's requestId (generated when absent).",
        )
    ],
    request=ImportRowSerializer(many=True),
    responses=responses(ImportEnvelope, "One answer per row, in order."),
    tags=_LIFECYCLE,
)
IMPORT_CUSTOMER_BADGES = extend_schema(
    methods=["PUT"], operation_id="importCustomerBadges", summary="Import earned badges", **_IMPORT
)
IMPORT_CUSTOMER_BADGES_POST = extend_schema(
    methods=["POST"],
    operation_id="importCustomerBadgesPost",
    summary="Import earned badges (POST, as Capillary's site map spells it)",
    **_IMPORT,
)


# --- Customer registry (extension): CSV import, profile, support lookup ---------------------
# Shapes as badges_api/api/customers.py answers them; the rules are in docs/API.md.

_CUSTOMERS = ["customers (extension)"]
_CODE_TEXT.update(
    {
        errors.PAYLOAD_TOO_LARGE: "Too large: a body over the endpoint's byte limit, or a file over its row limit",
        errors.UNSUPPORTED_MEDIA_TYPE: "Unsupported Content-Type",
    }
)


class CustomerSerializer(serializers.Serializer):
    customerId = serializers.IntegerField(help_text="Capillary's customer id.")
    email = serializers.CharField(allow_null=True, help_text="Stored trimmed and lower-cased.")
    mobile = serializers.CharField(allow_null=True, help_text="Digits only, country code included.")
    externalId = serializers.CharField(allow_null=True)
    cardNumber = serializers.CharField(allow_null=True)
    firstName = serializers.CharField(help_text="Empty when unknown.")
    lastName = serializers.CharField(help_text="Empty when unknown.")
    createdOn = serializers.FloatField()
    createdOnISO = serializers.DateTimeField()
    lastUpdatedOn = serializers.FloatField(help_text="Moves only when an import changed a value.")
    lastUpdatedOnISO = serializers.DateTimeField()


class CustomerListSerializer(serializers.Serializer):
    customers = CustomerSerializer(many=True)
    pagination = PaginationSerializer()


class CustomerImportLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text="1-based line number in the file (the header is line 1)."
    )
    message = serializers.CharField(
        help_text="Every reason the line was refused, separated by `; `."
    )


class CustomerImportResultSerializer(serializers.Serializer):
    inserted = serializers.IntegerField(help_text="New customer ids.")
    updated = serializers.IntegerField(help_text="Existing customers whose stored values changed.")
    unchanged = serializers.IntegerField(
        help_text="Existing customers the file repeats as they are."
    )
    rejected = serializers.IntegerField(help_text="Lines not imported, however many.")
    errors = CustomerImportLineSerializer(
        many=True,
        help_text=f"The first {MAX_REPORTED_LINES:,} rejected lines, by line number.",
    )


CustomerEnvelope = envelope("Customer", CustomerSerializer())
CustomerListEnvelope = envelope("CustomerList", CustomerListSerializer())
CustomerImportEnvelope = envelope("CustomerImport", CustomerImportResultSerializer())

ERROR_404_CUSTOMER = OpenApiResponse(
    EnvelopeSerializer,
    description="No such customer in the caller's org (code 1026).",
    examples=[
        OpenApiExample(
            "Unknown customer",
            value={
                "data": None,
                "errors": [
                    {
                        "code": errors.CUSTOMER_NOT_FOUND,
                        "message": errors.MESSAGES[errors.CUSTOMER_NOT_FOUND],
                        "reference": "customerId",
                    }
                ],
                "warnings": None,
            },
        )
    ],
)
_ERROR_413_IMPORT = OpenApiResponse(
    EnvelopeSerializer,
    description=(
        "The body is over BADGES_CUSTOMER_IMPORT_MAX_BYTES, or the file over"
        f" {MAX_IMPORT_ROWS:,} rows (code 413)."
    ),
)
_ERROR_415_IMPORT = OpenApiResponse(
    EnvelopeSerializer,
    description="Neither text/csv, text/plain nor multipart/form-data (code 415).",
)

CUSTOMER_IMPORT = extend_schema(
    operation_id="importCustomers",
    summary="Import customers from a CSV file (extension)",
    description=(
        "Inserts new customer ids and updates existing ones from a CSV file, sent as the body"
        " (`Content-Type: text/csv` or `text/plain`) or as the field `file` of a"
        " `multipart/form-data` form. Header: `id` (required), `email`, `mobile`, `externalId`,"
        " `cardNumber`, `firstName`, `lastName`; `,`, `;` or tab delimited; UTF-8 with or without"
        " a byte-order mark. Empty cells leave stored values as they are. A bad line (malformed"
        " value, repeated id, an identifier another customer holds, in the file or in the registry)"
        " is reported in `errors` with its line number and the other lines still load. Unknown"
        " columns come back as `warnings`. The body is at most BADGES_CUSTOMER_IMPORT_MAX_BYTES"
        f" (50 MB) and the file at most {MAX_IMPORT_ROWS:,} rows; the caller's org is the only one"
        " written."
        + codes(
            errors.INVALID_INPUT,
            errors.UNAUTHORIZED,
            errors.PAYLOAD_TOO_LARGE,
            errors.UNSUPPORTED_MEDIA_TYPE,
        )
    ),
    request={
        "text/csv": OpenApiTypes.BINARY,
        "text/plain": OpenApiTypes.BINARY,
        "multipart/form-data": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"],
        },
    },
    responses=responses(CustomerImportEnvelope, "The counts and the rejected lines.")
    | {413: _ERROR_413_IMPORT, 415: _ERROR_415_IMPORT},
    tags=_CUSTOMERS,
)

CUSTOMER_GET = extend_schema(
    operation_id="getCustomer",
    summary="Get a customer's profile (extension)",
    description=(
        "One customer of the caller's org, named by its integer id or, with"
        " `X-CAP-CUSTOMER-IDENTIFIER`, by its email (any case), mobile (any formatting), externalId"
        " or cardNumber."
        + codes(
            errors.UNAUTHORIZED,
            errors.CUSTOMER_NOT_FOUND,
            errors.INVALID_CUSTOMER_IDENTIFIER_TYPE,
        )
    ),
    parameters=[
        path(
            "customer_id",
            "The customer's integer id, or the identifier X-CAP-CUSTOMER-IDENTIFIER names.",
        ),
        CUSTOMER_IDENTIFIER_HEADER,
    ],
    responses=responses(CustomerEnvelope, "The customer.") | {404: ERROR_404_CUSTOMER},
    tags=_CUSTOMERS,
)

CUSTOMER_LIST = extend_schema(
    operation_id="listCustomers",
    summary="Find customers (extension)",
    description=(
        "The support agent's lookup box: the caller's customers whose id, email (any case), mobile"
        " (digits, any formatting), externalId, cardNumber, first name or last name (any case)"
        " starts with `search`, or whose first name is its first word and last name starts with"
        " the rest; all customers without `search`. In customer id order."
        + codes(errors.INVALID_INPUT, errors.UNAUTHORIZED)
    ),
    parameters=[
        query(
            "search",
            "A prefix. Names are searched only for a term with a letter, no digit and no `@`.",
        ),
        PAGE,
        page_size("size", SIZE + " `limit` is read as an alias."),
    ],
    responses=responses(CustomerListEnvelope, "One page of matching customers."),
    tags=_CUSTOMERS,
)
