"""What the badge API answers, as frozen dataclasses with snake_case names.

Capillary's camelCase stays on the wire: `from_wire` builders read it, nothing else in the console
sees it. Parsing is lenient about what a real Capillary cluster may omit (a missing list is
empty, a missing count is 0) and strict about shape: a value of the wrong type raises
`ValueError`, which the client reports as an unexpected answer. Each parsed object keeps the wire
dict it came from in `raw`, so the badge builder can copy or duplicate a badge without losing a
field the console does not model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from badge_rules.expiry import describe_expiry
from badge_rules.timestamps import TimestampError, parse_timestamp
from badge_rules.windows import (
    DAY_NAMES,
    FixedWindowSpec,
    RollingLimit,
    describe_fixed_window,
    describe_rolling_limit,
)

# Capillary's owner modules, in the order its create page lists them.
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
EARN_TYPES = ("EARN", "ISSUE_EARN")
BADGE_STATUSES = ("LIVE", "UPCOMING", "EXPIRED")
IMAGE_TAGS = ("UN_EARNED", "IN_PROGRESS", "EARNED")
BENEFIT_TYPES = ("COUPON", "LOYALTY_POINTS", "CART_PROMOTION", "GIFT_VOUCHER")
CUSTOM_FIELD_TYPES = ("STRING", "INTEGER", "BOOLEAN", "DATE")
PERIOD_UNITS = ("DAYS", "WEEKS", "MONTHS")

EARN_TYPE_LABELS = {"EARN": "Earned directly", "ISSUE_EARN": "Enrol first, then earn"}
STATUS_LABELS = {"LIVE": "Live", "UPCOMING": "Upcoming", "EXPIRED": "Ended"}
IMAGE_TAG_LABELS = {"UN_EARNED": "Not earned yet", "IN_PROGRESS": "In progress", "EARNED": "Earned"}
BENEFIT_LABELS = {
    "COUPON": "Coupon",
    "LOYALTY_POINTS": "Loyalty points",
    "CART_PROMOTION": "Cart promotion",
    "GIFT_VOUCHER": "Gift voucher",
}


def owner_label(owner: str) -> str:
    """Loyalty_Promotion -> "Loyalty promotion"."""
    return owner.replace("_", " ").capitalize()


# --- small helpers ---------------------------------------------------------------------------


def _moment(wire: Mapping[str, Any], key: str) -> datetime | None:
    """`<key>ISO` when present (it carries the offset), else the epoch value; None when absent."""
    for candidate in (wire.get(f"{key}ISO"), wire.get(key)):
        if candidate not in (None, ""):
            try:
                return parse_timestamp(candidate)
            except TimestampError as error:
                raise ValueError(f"{key}: {error}") from error
    return None


def _int(value: Any, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, int):
        return value
    raise ValueError(f"expected a whole number, got {value!r}")


def _str(value: Any, default: str | None = None) -> str | None:
    if value is None:
        return default
    return str(value)


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return value


def _dict(value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    return value


# --- envelope parts --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiErrorItem:
    """One failing rule of a request, as Capillary reports it."""

    code: int | None
    message: str
    reference: str | None = None

    @classmethod
    def from_wire(cls, wire: Any) -> ApiErrorItem:
        if not isinstance(wire, Mapping):
            return cls(code=None, message=str(wire))
        try:
            code = _int(wire.get("code"))
        except ValueError:
            code = None
        reference = wire.get("reference")
        return cls(
            code=code,
            message=str(wire.get("message") or ""),
            reference=None if reference in (None, "") else str(reference),
        )

    def __str__(self) -> str:
        text = self.message or "Error"
        return f"{text} (code {self.code})" if self.code is not None else text


@dataclass(frozen=True, slots=True)
class Pagination:
    page: int
    size: int
    total: int
    total_pages: int

    @classmethod
    def from_wire(cls, wire: Any, *, count: int = 0) -> Pagination:
        wire = _dict(wire)
        size = _int(wire.get("size"), count) or 0
        total = _int(wire.get("total"), count) or 0
        pages = _int(wire.get("totalPages"), -(-total // size) if size else 0) or 0
        return cls(page=_int(wire.get("page"), 0) or 0, size=size, total=total, total_pages=pages)

    @property
    def number(self) -> int:
        """1-based page number, for people."""
        return self.page + 1

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.total_pages

    @property
    def first_item(self) -> int:
        return self.page * self.size + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.total, (self.page + 1) * self.size)


@dataclass(frozen=True, slots=True)
class Page[T]:
    items: tuple[T, ...]
    pagination: Pagination

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


# --- parts of a badge -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expiry:
    """earnedBadgeExpiry / issuedBadgeExpiry."""

    expiry_type: str
    unit: str | None = None  # RELATIVE: DAYS, WEEKS, MONTHS
    value: int | None = None  # RELATIVE: how many units
    absolute_type: str | None = None  # ABSOLUTE: FIXED_DATE or WITH_BADGE_META
    expires_on: datetime | None = None  # ABSOLUTE FIXED_DATE
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_wire(cls, wire: Any) -> Expiry | None:
        if wire is None:
            return None
        wire = _dict(wire)
        expiry_type = str(wire.get("expiryType") or "").upper()
        absolute_type = wire.get("type")
        if expiry_type == "ABSOLUTE" and not absolute_type:
            absolute_type = "WITH_BADGE_META" if wire.get("expireWithBadgeMeta") else "FIXED_DATE"
        unit = wire.get("relativeExpirytype", wire.get("relativeExpiryType"))
        return cls(
            expiry_type=expiry_type,
            unit=str(unit).upper() if unit else None,
            value=_int(wire.get("value")),
            absolute_type=str(absolute_type).upper()
            if absolute_type and expiry_type == "ABSOLUTE"
            else None,
            expires_on=_moment(wire, "expiresOn"),
            raw=dict(wire),
        )

    def describe(self, *, action: str = "earned", tz: tzinfo | None = None) -> str:
        """Plain words through badge_rules, the same rule the service applies."""
        rule: dict[str, Any] = {"expiryType": self.expiry_type}
        if self.expiry_type == "RELATIVE":
            rule |= {"relativeExpirytype": self.unit, "value": self.value}
        elif self.expiry_type == "ABSOLUTE":
            rule |= {"type": self.absolute_type, "expiresOn": self.expires_on}
        try:
            return describe_expiry(rule, action=action, tz=tz)
        except ValueError:
            return "not readable (" + ", ".join(f"{k}={v}" for k, v in self.raw.items()) + ")"


@dataclass(frozen=True, slots=True)
class CurrentCycle:
    first_day: date
    last_day: date


@dataclass(frozen=True, slots=True)
class Constraint:
    """One limit of customerConstraints or badgeConstraints.

    `kind` is the type without its level prefix: FIXED_VALUE, ROLLING_WINDOW, FIXED_WINDOW or
    NO_LIMIT; `level` is CUSTOMER or BADGE.
    """

    constraint_type: str
    max_earn_limit: int | None = None
    # FIXED_WINDOW
    duration_type: str | None = None
    refresh_rate: int | None = None
    start_day_of_the_week: str | None = None
    reference_id: str | None = None
    cycle_status: str | None = None
    current_cycle: CurrentCycle | None = None
    # CUSTOMER_BADGE_ROLLING_WINDOW: (maxEarn, rollFor) per unit
    max_earn_for_days: int | None = None
    roll_for_days: int | None = None
    max_earn_for_weeks: int | None = None
    roll_for_weeks: int | None = None
    max_earn_for_months: int | None = None
    roll_for_months: int | None = None
    # BADGE_ROLLING_WINDOW
    roll_type: str | None = None
    roll_value: int | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_wire(cls, wire: Any) -> Constraint:
        wire = _dict(wire)
        current = wire.get("currentCycle")
        current_cycle = None
        if isinstance(current, Mapping) and current.get("firstDay") and current.get("lastDay"):
            current_cycle = CurrentCycle(
                first_day=date.fromisoformat(str(current["firstDay"])),
                last_day=date.fromisoformat(str(current["lastDay"])),
            )
        start_day = wire.get("startDayOfTheWeek")
        return cls(
            constraint_type=str(wire.get("constraintType") or "").upper(),
            max_earn_limit=_int(wire.get("maxEarnLimit")),
            duration_type=_str(wire.get("durationType")),
            refresh_rate=_int(wire.get("refreshRate")),
            start_day_of_the_week=_str(start_day),
            reference_id=_str(wire.get("referenceId")),
            cycle_status=_str(wire.get("cycleStatus")),
            current_cycle=current_cycle,
            max_earn_for_days=_int(wire.get("maxEarnForDays")),
            roll_for_days=_int(wire.get("rollForDays")),
            max_earn_for_weeks=_int(wire.get("maxEarnForWeeks")),
            roll_for_weeks=_int(wire.get("rollForWeeks")),
            max_earn_for_months=_int(wire.get("maxEarnForMonths")),
            roll_for_months=_int(wire.get("rollForMonths")),
            roll_type=_str(wire.get("rollType")),
            roll_value=_int(wire.get("rollValue")),
            raw=dict(wire),
        )

    @property
    def level(self) -> str:
        return "CUSTOMER" if self.constraint_type.startswith("CUSTOMER_") else "BADGE"

    @property
    def kind(self) -> str:
        return self.constraint_type.removeprefix("CUSTOMER_BADGE_").removeprefix("BADGE_")

    @property
    def is_fixed_window(self) -> bool:
        return self.kind == "FIXED_WINDOW"

    def fixed_window_spec(self) -> FixedWindowSpec:
        return FixedWindowSpec(
            duration_type=self.duration_type or "",
            refresh_rate=self.refresh_rate,
            start_day_of_week=_weekday(self.start_day_of_the_week),
        )

    def rolling_limits(self) -> list[RollingLimit]:
        if self.kind != "ROLLING_WINDOW":
            return []
        if self.level == "BADGE":
            if self.roll_type and self.roll_value and self.max_earn_limit is not None:
                return [
                    RollingLimit(
                        unit=self.roll_type, value=self.roll_value, max_earn=self.max_earn_limit
                    )
                ]
            return []
        pairs = (
            ("DAYS", self.max_earn_for_days, self.roll_for_days),
            ("WEEKS", self.max_earn_for_weeks, self.roll_for_weeks),
            ("MONTHS", self.max_earn_for_months, self.roll_for_months),
        )
        return [
            RollingLimit(unit=unit, value=roll, max_earn=limit)
            for unit, limit, roll in pairs
            if limit is not None and roll
        ]

    def describe(self) -> list[str]:
        """Plain words, one line per rule: "at most 2 per week starting Monday"."""
        try:
            if self.kind == "FIXED_VALUE":
                return [f"at most {self.max_earn_limit} while the badge runs"]
            if self.kind == "FIXED_WINDOW":
                return [describe_fixed_window(self.fixed_window_spec(), self.max_earn_limit or 0)]
            if self.kind == "ROLLING_WINDOW":
                return [describe_rolling_limit(limit) for limit in self.rolling_limits()]
            if self.kind == "NO_LIMIT":
                return ["no limit"]
        except ValueError:
            pass
        return [f"{self.constraint_type} (not readable)"]


def _weekday(value: str | None) -> int:
    names = DAY_NAMES
    if value is None:
        return 1
    text = str(value).strip().upper()
    if text in names:
        return names.index(text) + 1
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text)
    return 1


@dataclass(frozen=True, slots=True)
class Claim:
    owner_type: str
    reference_id: str
    is_active: bool = True

    @classmethod
    def from_wire(cls, wire: Any) -> Claim:
        wire = _dict(wire)
        return cls(
            owner_type=str(wire.get("ownerType") or ""),
            reference_id=str(
                wire.get("referenceId") if wire.get("referenceId") is not None else ""
            ),
            is_active=bool(wire.get("isActive", True)),
        )


@dataclass(frozen=True, slots=True)
class Image:
    tag: str
    url: str | None = None
    file_svc_handle: str | None = None
    name: str | None = None

    @classmethod
    def from_wire(cls, wire: Any) -> Image:
        wire = _dict(wire)
        return cls(
            tag=str(wire.get("tag") or "").upper(),
            url=_str(wire.get("url")) or None,
            file_svc_handle=_str(wire.get("fileSvcHandle")) or None,
            name=_str(wire.get("name")) or None,
        )

    @property
    def tag_label(self) -> str:
        return IMAGE_TAG_LABELS.get(self.tag, self.tag)


@dataclass(frozen=True, slots=True)
class Benefit:
    benefit_type: str
    ids: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, wire: Any) -> Benefit:
        wire = _dict(wire)
        ids = {
            key: value for key, value in wire.items() if key != "benefitType" and value is not None
        }
        return cls(benefit_type=str(wire.get("benefitType") or "").upper(), ids=ids)

    @property
    def label(self) -> str:
        return BENEFIT_LABELS.get(self.benefit_type, self.benefit_type)

    def describe(self) -> str:
        """ "Loyalty points: 50 points, program 12, promotion 34, ..."."""
        parts = []
        if "points" in self.ids:
            parts.append(f"{self.ids['points']} points")
        names = {
            "seriesId": "series",
            "promotionId": "promotion",
            "programId": "program",
            "allocationStrategyId": "allocation strategy",
            "expirationStrategyId": "expiration strategy",
            "defaultTillId": "till",
        }
        parts += [f"{names[key]} {self.ids[key]}" for key in names if key in self.ids]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    value: str | None = None

    @classmethod
    def from_wire(cls, wire: Any) -> Tag:
        wire = _dict(wire)
        return cls(name=str(wire.get("name") or ""), value=_str(wire.get("value")))


# --- the badge ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Badge:
    """A badge definition (Capillary's badgeMeta)."""

    id: str
    name: str
    status: str
    active: bool
    earn_type: str
    start_on: datetime | None
    expires_on: datetime | None
    description: str = ""
    numeric_id: int | None = None
    org_id: int | None = None
    earned_badge_expiry: Expiry | None = None
    issued_badge_expiry: Expiry | None = None
    restricted_to_owners: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    customer_constraints: tuple[Constraint, ...] = ()
    badge_constraints: tuple[Constraint, ...] = ()
    images: tuple[Image, ...] = ()
    benefits: tuple[Benefit, ...] = ()
    tags: tuple[Tag, ...] = ()
    custom_fields: dict[str, Any] = field(default_factory=dict)
    badge_group_id: str | None = None
    badge_rank: int | None = None
    issued_count: int = 0
    earned_count: int = 0
    created_on: datetime | None = None
    created_by: str | None = None
    last_updated_on: datetime | None = None
    last_updated_by: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    # Advice the API attached to the answer that produced this badge (create/update only).
    warnings: tuple[ApiErrorItem, ...] = field(default=(), compare=False)

    @classmethod
    def from_wire(cls, wire: Any, *, warnings: Iterable[ApiErrorItem] = ()) -> Badge:
        wire = _dict(wire)
        if not wire.get("id"):
            raise ValueError("a badge without an id")
        ownership = _dict(wire.get("ownership"))
        active = wire.get("active", wire.get("isActive", True))
        return cls(
            id=str(wire["id"]),
            name=str(wire.get("name") or ""),
            status=str(wire.get("status") or "").upper(),
            active=bool(active),
            earn_type=str(wire.get("earnType") or "").upper(),
            start_on=_moment(wire, "startOn"),
            expires_on=_moment(wire, "expiresOn"),
            description=str(wire.get("description") or ""),
            numeric_id=_int(wire.get("badgeNumericId")),
            org_id=_int(wire.get("orgId")),
            earned_badge_expiry=Expiry.from_wire(wire.get("earnedBadgeExpiry")),
            issued_badge_expiry=Expiry.from_wire(wire.get("issuedBadgeExpiry")),
            restricted_to_owners=tuple(
                str(owner) for owner in _list(ownership.get("restrictedToOwners"))
            ),
            claims=tuple(Claim.from_wire(claim) for claim in _list(ownership.get("claims"))),
            customer_constraints=tuple(
                Constraint.from_wire(c) for c in _list(wire.get("customerConstraints"))
            ),
            badge_constraints=tuple(
                Constraint.from_wire(c) for c in _list(wire.get("badgeConstraints"))
            ),
            images=tuple(Image.from_wire(image) for image in _list(wire.get("images"))),
            benefits=tuple(Benefit.from_wire(benefit) for benefit in _list(wire.get("benefits"))),
            tags=tuple(Tag.from_wire(tag) for tag in _list(wire.get("tags"))),
            custom_fields=dict(_dict(wire.get("customFields"))),
            badge_group_id=_str(wire.get("badgeGroupId")) or None,
            badge_rank=_int(wire.get("badgeRank")),
            issued_count=_int(wire.get("issuedCount"), 0) or 0,
            earned_count=_int(wire.get("earnedCount"), 0) or 0,
            created_on=_moment(wire, "createdOn"),
            created_by=_str(wire.get("createdBy")),
            last_updated_on=_moment(wire, "lastUpdatedOn"),
            last_updated_by=_str(wire.get("lastUpdatedBy")),
            raw=dict(wire),
            warnings=tuple(warnings),
        )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status.title())

    @property
    def earn_type_label(self) -> str:
        return EARN_TYPE_LABELS.get(self.earn_type, self.earn_type)

    @property
    def thumbnail_url(self) -> str | None:
        """The not-yet-earned image (what a customer first sees), else the first with a url."""
        with_url = [image for image in self.images if image.url]
        for image in with_url:
            if image.tag == "UN_EARNED":
                return image.url
        return with_url[0].url if with_url else None

    @property
    def active_claims(self) -> tuple[Claim, ...]:
        return tuple(claim for claim in self.claims if claim.is_active)

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        return self.customer_constraints + self.badge_constraints

    @property
    def has_fixed_windows(self) -> bool:
        return any(constraint.is_fixed_window for constraint in self.constraints)

    @property
    def can_be_deactivated(self) -> bool:
        """The service refuses to deactivate an ended badge (9002)."""
        return self.active and self.status != "EXPIRED"


@dataclass(frozen=True, slots=True)
class Activation:
    id: str
    is_active: bool


# --- groups and custom fields ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    rank: int
    is_active: bool = True
    org_id: int | None = None
    created_on: datetime | None = None
    last_updated_on: datetime | None = None

    @classmethod
    def from_wire(cls, wire: Any) -> Group:
        wire = _dict(wire)
        if not wire.get("id"):
            raise ValueError("a group without an id")
        return cls(
            id=str(wire["id"]),
            name=str(wire.get("name") or ""),
            rank=_int(wire.get("rank"), 0) or 0,
            is_active=bool(wire.get("isActive", True)),
            org_id=_int(wire.get("orgId")),
            created_on=_moment(wire, "createdOn"),
            last_updated_on=_moment(wire, "lastUpdatedOn"),
        )


@dataclass(frozen=True, slots=True)
class CustomField:
    id: str
    name: str
    data_type: str
    is_mandatory: bool = False
    default_value: str | None = None
    is_active: bool = True
    org_id: int | None = None
    created_on: datetime | None = None
    last_updated_on: datetime | None = None

    @classmethod
    def from_wire(cls, wire: Any) -> CustomField:
        wire = _dict(wire)
        if not wire.get("id"):
            raise ValueError("a custom field without an id")
        default = wire.get("defaultValue")
        return cls(
            id=str(wire["id"]),
            name=str(wire.get("name") or ""),
            data_type=str(wire.get("dataType") or "").upper(),
            is_mandatory=bool(wire.get("isMandatory", False)),
            default_value=None if default is None else str(default),
            is_active=bool(wire.get("isActive", True)),
            org_id=_int(wire.get("orgId")),
            created_on=_moment(wire, "createdOn"),
            last_updated_on=_moment(wire, "lastUpdatedOn"),
        )


# --- fixed-window cycles ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FixedWindowCycle:
    """One generated window of a fixed-window limit: whole days in the org's timezone.

    `earned_count` is None unless counts were asked for (`includeEarnCount`); the badge detail
    page fills it with the badge-wide count for every cycle (see views/badges.py).
    """

    constraint_type: str
    reference_id: str
    duration_type: str
    max_earn_limit: int | None
    cycle_index: int
    first_day: date
    last_day: date
    days: int
    partial: bool
    cycle_status: str
    refresh_rate: int | None = None
    start_day_of_the_week: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    earned_count: int | None = None

    @classmethod
    def from_wire(cls, wire: Any) -> FixedWindowCycle:
        wire = _dict(wire)
        first_day = date.fromisoformat(str(wire["firstDay"]))
        last_day = date.fromisoformat(str(wire["lastDay"]))
        earned = wire.get("earnedCount", wire.get("earnCount"))
        return cls(
            constraint_type=str(wire.get("constraintType") or ""),
            reference_id=str(wire.get("fixedWindowCycleReferenceId") or ""),
            duration_type=str(wire.get("durationType") or ""),
            max_earn_limit=_int(wire.get("maxEarnLimit")),
            cycle_index=_int(wire.get("cycleIndex"), 0) or 0,
            first_day=first_day,
            last_day=last_day,
            days=_int(wire.get("days"), (last_day - first_day).days + 1) or 0,
            partial=bool(wire.get("partial", False)),
            cycle_status=str(wire.get("cycleStatus") or ""),
            refresh_rate=_int(wire.get("refreshRate")),
            start_day_of_the_week=_str(wire.get("startDayOfTheWeek")),
            start_date=_moment(wire, "startDate"),
            end_date=_moment(wire, "endDate"),
            earned_count=_int(earned),
        )

    @property
    def level(self) -> str:
        return "CUSTOMER" if self.constraint_type.startswith("CUSTOMER_") else "BADGE"


@dataclass(frozen=True, slots=True)
class FixedWindowCycles:
    badge_id: str
    cycles: tuple[FixedWindowCycle, ...]
    pagination: Pagination

    @property
    def has_earn_counts(self) -> bool:
        return any(cycle.earned_count is not None for cycle in self.cycles)


# --- earns per day (the embedded service's extension) -------------------------------------


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    count: int

    @classmethod
    def from_wire(cls, wire: Any) -> DayCount:
        wire = _dict(wire)
        return cls(
            day=date.fromisoformat(str(wire["date"])), count=_int(wire.get("earnCount"), 0) or 0
        )


@dataclass(frozen=True, slots=True)
class EarnsPerDay:
    """Non-revoked earns of one badge on each day (org timezone, by event date), zero days too."""

    badge_id: str
    timezone: str
    first_day: date
    last_day: date
    days: tuple[DayCount, ...]

    @classmethod
    def from_wire(cls, wire: Any) -> EarnsPerDay:
        wire = _dict(wire)
        return cls(
            badge_id=str(wire.get("badgeMetaId") or ""),
            timezone=str(wire.get("timezone") or "UTC"),
            first_day=date.fromisoformat(str(wire["from"])),
            last_day=date.fromisoformat(str(wire["to"])),
            days=tuple(DayCount.from_wire(day) for day in _list(wire.get("earnsPerDay"))),
        )

    @property
    def total(self) -> int:
        return sum(day.count for day in self.days)

    @property
    def peak(self) -> DayCount | None:
        """The first of the busiest days; None when nothing was earned."""
        busiest = max(self.days, key=lambda day: day.count, default=None)
        return busiest if busiest is not None and busiest.count else None

    @property
    def daily_average(self) -> float:
        return round(self.total / len(self.days), 1) if self.days else 0.0


# --- list filters ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BadgeFilters:
    """The badge list's filters and sort, in console terms; `to_query` speaks the API's."""

    status: str | None = None  # LIVE, UPCOMING, EXPIRED
    active: bool | None = None
    earn_type: str | None = None
    owner: str | None = None
    claimed_by: str | None = None
    unclaimed: bool = False
    group_id: str | None = None
    name: str | None = None
    sort_on: str = "ID"  # ID, NAME, START_DATE
    order: str = "DESC"

    def to_query(self) -> dict[str, str]:
        query = {"sortOn": self.sort_on, "order": self.order}
        if self.status:
            query["status"] = self.status
        if self.active is not None:
            query["action"] = "ACTIVATED" if self.active else "DE_ACTIVATED"
        if self.earn_type:
            query["earnType"] = self.earn_type
        if self.owner:
            query["owner"] = self.owner
        if self.claimed_by:
            query["claimedBy"] = self.claimed_by
        if self.unclaimed:
            query["unclaimed"] = "true"
        if self.group_id:
            query["groupId"] = self.group_id
        if self.name:
            query["name"] = self.name
        return query
