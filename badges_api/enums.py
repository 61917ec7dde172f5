"""Capillary's enum values, with the aliases its documents use interchangeably."""

OWNER_TYPES = (
    "Loyalty",
    "Loyalty_Promotion",
    "Referral_Campaigns",
    "Journeys",
    "Audience_Campaigns",
    "Rewards_Catalog",
    "Goodwill_Module",
    "Milestones",
    "Historical_Import",
    "Membercare",
)
_OWNER_BY_UPPER = {owner.upper(): owner for owner in OWNER_TYPES} | {
    "LOYALTY_PROMOTIONS": "Loyalty_Promotion"
}

EARN_TYPES = ("EARN", "ISSUE_EARN")
IMAGE_TAGS = ("UN_EARNED", "IN_PROGRESS", "EARNED")
BENEFIT_TYPES = ("COUPON", "LOYALTY_POINTS", "CART_PROMOTION", "GIFT_VOUCHER")
EXPIRY_TYPES = ("RELATIVE", "ABSOLUTE", "NEVER")
ABSOLUTE_EXPIRY_KINDS = ("FIXED_DATE", "WITH_BADGE_META")
PERIOD_UNITS = ("DAYS", "WEEKS", "MONTHS")
_UNIT_ALIASES = {
    "DAY": "DAYS",
    "DAILY": "DAYS",
    "WEEK": "WEEKS",
    "WEEKLY": "WEEKS",
    "MONTH": "MONTHS",
    "MONTHLY": "MONTHS",
}

CUSTOMER_CONSTRAINT_TYPES = (
    "CUSTOMER_BADGE_FIXED_VALUE",
    "CUSTOMER_BADGE_ROLLING_WINDOW",
    "CUSTOMER_BADGE_FIXED_WINDOW",
    "CUSTOMER_BADGE_NO_LIMIT",
)
BADGE_CONSTRAINT_TYPES = (
    "BADGE_FIXED_VALUE",
    "BADGE_ROLLING_WINDOW",
    "BADGE_FIXED_WINDOW",
    "BADGE_NO_LIMIT",
)

BADGE_STATUSES = ("LIVE", "UPCOMING", "EXPIRED")
ACTIONS = {"ACTIVATED": True, "DE_ACTIVATED": False, "DEACTIVATED": False}
BADGE_SORTS = ("ID", "NAME", "START_DATE")
ORDERS = ("ASC", "DESC")


def owner_type(value: object) -> str | None:
    """Canonical owner name for any casing Capillary's pages use (Loyalty, LOYALTY)."""
    if not isinstance(value, str):
        return None
    return _OWNER_BY_UPPER.get(value.strip().upper())


def period_unit(value: object) -> str | None:
    """DAYS/WEEKS/MONTHS, accepting DAILY/WEEKLY/MONTHLY as the docs' tables spell them."""
    if not isinstance(value, str):
        return None
    upper = value.strip().upper()
    return upper if upper in PERIOD_UNITS else _UNIT_ALIASES.get(upper)


def choice(value: object, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(value, str):
        return None
    upper = value.strip().upper()
    return upper if upper in allowed else None


def invalid_enum_message(field: str, allowed) -> str:
    return f"Invalid enum value for {field}; allowed values: {', '.join(allowed)}"
