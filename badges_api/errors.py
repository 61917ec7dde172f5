"""Capillary's error codes and the one exception the service raises.

Codes below 9000 are Capillary's own (shared/spec/capillary-badges.md, section 5). Codes from
9000 up are this service's extensions for rules Capillary enforces without a documented code;
they are listed in docs/API.md and never collide with Capillary's.
"""

from dataclasses import dataclass, field

# Generic HTTP-shaped codes Capillary itself uses (400 "Invalid enum value", 404 "not found").
INVALID_INPUT = 400
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
LENGTH_REQUIRED = 411
PAYLOAD_TOO_LARGE = 413
URI_TOO_LONG = 414
UNSUPPORTED_MEDIA_TYPE = 415

OWNER_TYPE_NOT_ALLOWED = 714
OWNER_TYPE_MISSING = 716
OWNER_ID_MANDATORY = 717
START_AFTER_END = 720
START_DATE_IN_PAST = 722
START_DATE_LOCKED_WHEN_LIVE = 723
EXPIRY_DATE_IN_PAST = 724
DUPLICATE_BADGE_NAME = 725
OWNER_REQUIRED = 728
GROUP_RANK_MANDATORY = 732
GROUP_NAME_NOT_UNIQUE = 733
CLAIM_NOT_FOUND = 737
EARN_EVENT_DATE_IN_FUTURE = 750
REQUEST_ID_MISSING = 804
DUPLICATE_REQUEST_ID = 809
BADGE_NOT_CLAIMED = 810
ENROLMENT_REQUIRED = 811
CUSTOMER_ID_MISSING = 812
ACTIVE_EARN_NOT_FOUND = 814
BADGE_NOT_LIVE = 815
EVENT_DATE_OUTSIDE_BADGE = 816
CUSTOMER_NOT_FOUND = 1026
INVALID_CUSTOMER_IDENTIFIER_TYPE = 1028
ACTIVE_ISSUE_EXISTS = 1040
REVOKE_TARGET_MISSING = 1051
GLOBAL_BADGE_NOT_FOUND = 1054
WINDOW_KIND_CHANGE_NOT_ALLOWED = 826
UNEXPECTED = 999999

# Extensions (documented in docs/API.md).
OWNER_HAS_ACTIVE_CLAIM = 9001
EXPIRED_BADGE_CANNOT_BE_DEACTIVATED = 9002
INACTIVE_BADGE_CANNOT_BE_CLAIMED = 9003
START_DATE_TOO_OLD = 9004
GROUP_NOT_FOUND = 9005
CUSTOM_FIELD_INVALID = 9006
CUSTOM_FIELD_NAME_NOT_UNIQUE = 9007
CUSTOM_FIELD_TYPE_IMMUTABLE = 9008
CUSTOM_FIELD_CANNOT_BE_REACTIVATED = 9009
CONSTRAINT_INVALID = 9010
DUPLICATE_CONSTRAINT = 9011
NOT_AN_ENROL_AND_ISSUE_BADGE = 9012
TOO_MANY_CUSTOMERS = 9013
# A customer refused by a limit: one code per limit kind, so the console can say which.
CUSTOMER_LIFETIME_LIMIT = 9101
CUSTOMER_ROLLING_LIMIT = 9102
CUSTOMER_WINDOW_LIMIT = 9103
BADGE_TOTAL_LIMIT = 9111
BADGE_ROLLING_LIMIT = 9112
BADGE_WINDOW_LIMIT = 9113

MESSAGES = {
    OWNER_TYPE_NOT_ALLOWED: "Owner type is not allowed",
    OWNER_TYPE_MISSING: "Owner type information is missing",
    OWNER_ID_MANDATORY: "OwnerId is mandatory",
    START_AFTER_END: "Start Date should be before End Date",
    START_DATE_IN_PAST: "Start Date cannot be past date",
    START_DATE_LOCKED_WHEN_LIVE: "Start Date cannot change once the badge is live",
    EXPIRY_DATE_IN_PAST: "Expiry Date cannot be past date",
    DUPLICATE_BADGE_NAME: "Badge name cannot be duplicate",
    OWNER_REQUIRED: "Atleast one owner is required",
    GROUP_RANK_MANDATORY: "Group Rank is Mandatory",
    GROUP_NAME_NOT_UNIQUE: "Group Name should be Unique",
    CLAIM_NOT_FOUND: "Claim not found in existing claims",
    WINDOW_KIND_CHANGE_NOT_ALLOWED: (
        "Change from rolling window or fixed constraint to fixed window or vice versa is not allowed."
    ),
    EARN_EVENT_DATE_IN_FUTURE: "Earn event date should not be in future",
    REQUEST_ID_MISSING: "RequestId information is missing",
    DUPLICATE_REQUEST_ID: "Request with same requestId is not allowed",
    BADGE_NOT_CLAIMED: "Badge needs to be claimed first",
    ENROLMENT_REQUIRED: "Badge issue is mandatory before earn",
    CUSTOMER_ID_MISSING: "CustomerId information is missing",
    ACTIVE_EARN_NOT_FOUND: "Active earn instance is not present",
    BADGE_NOT_LIVE: "Badge is not live",
    EVENT_DATE_OUTSIDE_BADGE: "Event date is not in duration of badge meta. Pass the issue event date.",
    CUSTOMER_NOT_FOUND: "Customer with the specified ID is not found",
    INVALID_CUSTOMER_IDENTIFIER_TYPE: "Invalid Customer Identifier type",
    ACTIVE_ISSUE_EXISTS: "An active issue for the badge already exists.",
    REVOKE_TARGET_MISSING: "RevokeIssuals or CustomerId is mandatory",
    GLOBAL_BADGE_NOT_FOUND: "GLOBAL.BADGE_NOT_FOUND",
    NOT_AN_ENROL_AND_ISSUE_BADGE: "Only ISSUE_EARN badges take enrolments",
    TOO_MANY_CUSTOMERS: "Too many customers in one request",
    OWNER_HAS_ACTIVE_CLAIM: "Owner cannot be removed while it has an active claim",
    EXPIRED_BADGE_CANNOT_BE_DEACTIVATED: "Only live and upcoming badges can be deactivated",
    INACTIVE_BADGE_CANNOT_BE_CLAIMED: "A deactivated badge cannot be claimed",
    START_DATE_TOO_OLD: "Start Date cannot be more than 100 years in the past",
    GROUP_NOT_FOUND: "Badge group not found",
}


@dataclass(frozen=True, slots=True)
class ErrorItem:
    code: int
    message: str
    reference: str | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "reference": self.reference}


class BadgeApiError(Exception):
    """Everything the service refuses. Carries one or more Capillary-style error items.

    The envelope handler renders it; `status` is the HTTP status of the whole response.
    """

    def __init__(
        self,
        code: int,
        message: str | None = None,
        reference: str | None = None,
        *,
        status: int = 400,
    ):
        self.items = [ErrorItem(code, message or MESSAGES.get(code, "Invalid request"), reference)]
        self.status = status
        super().__init__(self.items[0].message)

    @classmethod
    def from_items(cls, items: list[ErrorItem], *, status: int = 400) -> "BadgeApiError":
        error = cls(items[0].code, items[0].message, items[0].reference, status=status)
        error.items = list(items)
        return error

    @classmethod
    def not_found(
        cls, message: str = "Passed badge is not found", reference: str | None = None
    ) -> "BadgeApiError":
        return cls(NOT_FOUND, message, reference, status=404)


@dataclass
class ErrorCollector:
    """Collects every failing rule of one request so they come back together (seed: 728, 725, 722)."""

    items: list[ErrorItem] = field(default_factory=list)

    def add(self, code: int, message: str | None = None, reference: str | None = None) -> None:
        self.items.append(
            ErrorItem(code, message or MESSAGES.get(code, "Invalid request"), reference)
        )

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, *, status: int = 400) -> None:
        if self.items:
            raise BadgeApiError.from_items(self.items, status=status)
