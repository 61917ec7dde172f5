"""What the badge builder will send, and what that badge will do: pure functions, no Django.

The builder's forms hand over a `Draft` (their cleaned values, row by row). From it:

- `badge_payload(draft)` is the JSON body the console sends to the badge API. Publishing and the
  live preview both call it, so the JSON the preview shows is byte for byte what is sent.
- `badge_preview(draft, tz=, now=)` is the preview: the badge's status, the fixed-window cycles of
  every window limit, each rolling limit in words, when badges earned today and on the last day
  expire. It calls `badge_rules` (the code the service enforces with), never a copy of it.

A draft may be incomplete (the marketer is still typing): the payload then holds what is valid so
far and the preview says, gently, what is missing.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from badge_rules.expiry import describe_expiry, expiry_instant
from badge_rules.status import badge_status
from badge_rules.timestamps import to_epoch
from badge_rules.windows import (
    DAY_NAMES,
    FixedWindowSpec,
    RollingLimit,
    Window,
    badge_days,
    describe_fixed_window,
    describe_rolling_limit,
    window_at,
    window_containing,
    window_count,
)

CUSTOMER = "CUSTOMER"
BADGE = "BADGE"
LEVEL_LABELS = {CUSTOMER: "Each customer", BADGE: "All customers together"}
KIND_LABELS = {
    "FIXED_WINDOW": "Fixed window",
    "ROLLING_WINDOW": "Rolling window",
    "FIXED_VALUE": "Lifetime cap",
    "NO_LIMIT": "No limit",
}
STATUS_LABELS = {"LIVE": "Live", "UPCOMING": "Upcoming", "EXPIRED": "Ended"}
IMAGE_TAG_NAMES = {"UN_EARNED": "Not earned yet", "IN_PROGRESS": "In progress", "EARNED": "Earned"}
# The customer rolling window's (maxEarnFor..., rollFor...) pairs, by unit, as form field names.
ROLLING_PAIRS = (
    ("DAYS", "max_for_days", "roll_for_days", "maxEarnForDays", "rollForDays"),
    ("WEEKS", "max_for_weeks", "roll_for_weeks", "maxEarnForWeeks", "rollForWeeks"),
    ("MONTHS", "max_for_months", "roll_for_months", "maxEarnForMonths", "rollForMonths"),
)
# Which ids each benefit type sends (form field, wire key), in the order Capillary lists them.
BENEFIT_IDS = {
    "COUPON": (("series_id", "seriesId"),),
    "GIFT_VOUCHER": (("series_id", "seriesId"),),
    "CART_PROMOTION": (("promotion_id", "promotionId"),),
    "LOYALTY_POINTS": (
        ("points", "points"),
        ("program_id", "programId"),
        ("promotion_id", "promotionId"),
        ("allocation_strategy_id", "allocationStrategyId"),
        ("expiration_strategy_id", "expirationStrategyId"),
        ("default_till_id", "defaultTillId"),
    ),
}
# Capillary's start-date grace: a start this close to now is not "in the past" (722).
START_GRACE = timedelta(seconds=60)
# Fixed-window timelines list every cycle up to this many, else the first, today's and the last;
# the strip above the list draws every cycle up to STRIP_UP_TO.
TIMELINE_ALL_UP_TO = 8
STRIP_UP_TO = 60

Row = tuple[int, dict[str, Any]]  # (the form's index in its formset, its cleaned values)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something to fix before publishing: where, what, and the id of the input to jump to."""

    where: str
    message: str
    anchor: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Draft:
    """The builder's cleaned values. `fields` holds only the main form's valid fields."""

    fields: dict[str, Any]
    customer_limits: list[Row] = field(default_factory=list)
    badge_limits: list[Row] = field(default_factory=list)
    benefits: list[Row] = field(default_factory=list)
    images: list[Row] = field(default_factory=list)
    tags: list[Row] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    badge_id: str | None = None  # set when editing: the payload carries it (PUT)
    start_locked: bool = False  # a live badge's start cannot change: it is not sent
    problems: list[Problem] = field(default_factory=list)

    @property
    def editing(self) -> bool:
        return self.badge_id is not None

    @property
    def complete(self) -> bool:
        return not self.problems

    def limit_rows(self) -> Iterable[tuple[str, Row]]:
        for row in self.customer_limits:
            yield CUSTOMER, row
        for row in self.badge_limits:
            yield BADGE, row


# --- the payload -----------------------------------------------------------------------------


def badge_payload(draft: Draft) -> dict[str, Any]:
    """The create (POST) or update (PUT) body, keys in the order of Capillary's create page.

    An update sends every field (PUT replaces the fields the body carries), with null where the
    marketer cleared an optional value, but never a locked start.
    """
    fields = draft.fields
    payload: dict[str, Any] = {}
    if draft.editing:
        payload["id"] = draft.badge_id
    if fields.get("name"):
        payload["name"] = fields["name"].strip()
    if "description" in fields:
        payload["description"] = fields["description"] or ""
    if fields.get("start_on") and not draft.start_locked:
        payload["startOn"] = to_epoch(fields["start_on"])
    if fields.get("expires_on"):
        payload["expiresOn"] = to_epoch(fields["expires_on"])
    if fields.get("earn_type"):
        payload["earnType"] = fields["earn_type"]
    if "active" in fields:
        payload["active"] = bool(fields["active"])
    earned = expiry_payload(fields, "earned")
    if earned is not None:
        payload["earnedBadgeExpiry"] = earned
    if fields.get("earn_type") == "ISSUE_EARN":
        issued = expiry_payload(fields, "issued")
        if issued is not None:
            payload["issuedBadgeExpiry"] = issued
    elif draft.editing and fields.get("earn_type") == "EARN":
        payload["issuedBadgeExpiry"] = None  # an EARN badge has no enrolments to expire
    if fields.get("owners"):
        payload["ownership"] = {"restrictedToOwners": list(fields["owners"])}
    payload["customerConstraints"] = [
        constraint_payload(CUSTOMER, row) for _, row in draft.customer_limits
    ]
    payload["badgeConstraints"] = [constraint_payload(BADGE, row) for _, row in draft.badge_limits]
    payload["benefits"] = [benefit_payload(row) for _, row in draft.benefits]
    payload["images"] = [image_payload(row) for _, row in draft.images]
    payload["tags"] = [
        {"name": row["name"].strip(), "value": row.get("value") or ""} for _, row in draft.tags
    ]
    payload["customFields"] = dict(draft.custom_fields)
    if fields.get("group"):
        payload["badgeGroupId"] = fields["group"]
    elif draft.editing and "group" in fields:
        payload["badgeGroupId"] = None
    if fields.get("rank") is not None:
        payload["badgeRank"] = fields["rank"]
    elif draft.editing and "rank" in fields:
        payload["badgeRank"] = None
    return payload


def payload_json(payload: dict[str, Any]) -> str:
    """The payload as the preview shows it: the very JSON sent, indented for people."""
    return json.dumps(payload, indent=2, ensure_ascii=False)


def expiry_payload(fields: dict[str, Any], which: str) -> dict[str, Any] | None:
    """earnedBadgeExpiry / issuedBadgeExpiry from the `<which>_expiry_*` fields; None if unset."""
    kind = fields.get(f"{which}_expiry_type")
    if kind == "RELATIVE":
        value, unit = fields.get(f"{which}_expiry_value"), fields.get(f"{which}_expiry_unit")
        if not value or not unit:
            return None
        return {"expiryType": "RELATIVE", "relativeExpirytype": unit, "value": value}
    if kind == "FIXED_DATE":
        moment = fields.get(f"{which}_expiry_date")
        if moment is None:
            return None
        return {
            "expiryType": "ABSOLUTE",
            "type": "FIXED_DATE",
            "expiresOn": to_epoch(moment),
            "expireWithBadgeMeta": False,
        }
    if kind == "WITH_BADGE_META":
        return {"expiryType": "ABSOLUTE", "type": "WITH_BADGE_META", "expireWithBadgeMeta": True}
    if kind == "NEVER":
        return {"expiryType": "NEVER"}
    return None


def constraint_payload(level: str, row: dict[str, Any]) -> dict[str, Any]:
    kind = row["kind"]
    prefix = "CUSTOMER_BADGE_" if level == CUSTOMER else "BADGE_"
    wire: dict[str, Any] = {"constraintType": prefix + kind}
    if kind == "FIXED_VALUE":
        wire["maxEarnLimit"] = row["max_earn_limit"]
    elif kind == "FIXED_WINDOW":
        wire["durationType"] = row["duration_type"]
        if row["duration_type"] == "DAYS":
            wire["refreshRate"] = row["refresh_rate"]
        elif row["duration_type"] == "WEEKS":
            wire["startDayOfTheWeek"] = row.get("start_day") or "MONDAY"
        wire["maxEarnLimit"] = row["max_earn_limit"]
    elif kind == "ROLLING_WINDOW" and level == CUSTOMER:
        for _, max_field, roll_field, max_key, roll_key in ROLLING_PAIRS:
            if row.get(max_field) is not None and row.get(roll_field) is not None:
                wire[max_key] = row[max_field]
                wire[roll_key] = row[roll_field]
    elif kind == "ROLLING_WINDOW":
        wire["rollType"] = row["roll_type"]
        wire["rollValue"] = row["roll_value"]
        wire["maxEarnLimit"] = row["max_earn_limit"]
    return wire


def benefit_payload(row: dict[str, Any]) -> dict[str, Any]:
    benefit_type = row["benefit_type"]
    wire: dict[str, Any] = {"benefitType": benefit_type}
    for name, key in BENEFIT_IDS[benefit_type]:
        if row.get(name) is not None:
            wire[key] = row[name]
    return wire


def image_payload(row: dict[str, Any]) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "name": (row.get("name") or "").strip() or IMAGE_TAG_NAMES.get(row["tag"], row["tag"]),
        "url": row["url"],
        "tag": row["tag"],
    }
    if row.get("file_handle"):
        wire["fileSvcHandle"] = row["file_handle"]
    return wire


# --- the preview -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cycle:
    number: int  # 1-based, for people
    first_day: date
    last_day: date
    days: int
    partial: bool
    state: str  # past, today or upcoming
    fill: int  # 1..10: the share of a full period this cycle covers, drawn as its width

    @property
    def is_today(self) -> bool:
        return self.state == "today"


@dataclass(frozen=True, slots=True)
class Gap:
    """Cycles left out of a long timeline."""

    count: int
    is_gap: bool = True


@dataclass(frozen=True, slots=True)
class WindowPreview:
    level: str
    words: str
    count: int
    timeline: tuple[Cycle | Gap, ...]
    first: Cycle
    last: Cycle
    today: Cycle | None
    today_note: str
    strip: tuple[Cycle, ...] = ()  # every cycle, when there are few enough to draw

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


@dataclass(frozen=True, slots=True)
class LimitLine:
    level: str
    kind: str
    words: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class ExpiryLine:
    label: str  # "Earned today", "Earned on the last day", "Enrolled today", ...
    granted_at: datetime
    expires_at: datetime
    never: bool = False


@dataclass(frozen=True, slots=True)
class ExpiryPreview:
    title: str  # "An earned badge", "An enrolment"
    words: str
    lines: tuple[ExpiryLine, ...]


@dataclass(frozen=True, slots=True)
class Preview:
    status: str | None
    active: bool
    start: datetime | None
    end: datetime | None
    first_day: date | None
    last_day: date | None
    windows: tuple[WindowPreview, ...]
    limits: tuple[LimitLine, ...]  # rolling windows, lifetime caps and "no limit", in words
    expiries: tuple[ExpiryPreview, ...]
    payload: dict[str, Any]
    json: str
    notes: tuple[Problem, ...]
    today: date
    editing: bool
    historical: bool = False  # sent with Capillary's migration header

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status or "", "")

    @property
    def verb(self) -> str:
        """What the builder's button does: publish a new badge, save an edited one."""
        return "save" if self.editing else "publish"

    @property
    def complete(self) -> bool:
        return not self.notes

    @property
    def days(self) -> int | None:
        if self.first_day is None or self.last_day is None:
            return None
        return (self.last_day - self.first_day).days + 1

    @property
    def has_limits(self) -> bool:
        return bool(self.windows or self.limits)


def badge_preview(draft: Draft, *, tz: tzinfo, now: datetime) -> Preview:
    """Everything the preview panel shows, from the same rules the service enforces."""
    fields = draft.fields
    start, end = fields.get("start_on"), fields.get("expires_on")
    span = start is not None and end is not None and start < end
    notes = list(draft.problems)
    today = now.astimezone(tz).date()

    status, first_day, last_day = None, None, None
    if span:
        status = badge_status(start=start, end=end, now=now)
        first_day, last_day = badge_days(start, end, tz)
        if (
            not draft.editing
            and start < now - START_GRACE
            and not fields.get("historical")
            and "start_on" in fields
        ):
            notes.append(
                Problem(
                    "Starts",
                    "It is in the past. Pick a later start, or switch on “Historical badge” to "
                    "import a badge that already began.",
                    "id_start_on",
                )
            )

    last_days = {CUSTOMER: last_day, BADGE: last_day}
    if span and fields.get("earn_type") == "ISSUE_EARN":
        enrolments_last_day = _enrolments_last_day(fields, start, end, tz) or last_day
        last_days = {CUSTOMER: enrolments_last_day, BADGE: enrolments_last_day}
    windows, limits = [], []
    for level, (_, row) in draft.limit_rows():
        kind = row.get("kind")
        if kind == "FIXED_WINDOW":
            spec = _spec(row)
            if spec is None:
                continue
            words = describe_fixed_window(spec, row["max_earn_limit"])
            if span:
                windows.append(
                    _window_preview(level, words, spec, first_day, last_days[level], today)
                )
            else:
                limits.append(LimitLine(level, kind, words))
        elif kind == "ROLLING_WINDOW":
            for rolling in _rolling_limits(level, row):
                limits.append(LimitLine(level, kind, describe_rolling_limit(rolling)))
        elif kind == "FIXED_VALUE":
            limits.append(
                LimitLine(level, kind, f"at most {row['max_earn_limit']} while the badge runs")
            )
        elif kind == "NO_LIMIT":
            limits.append(LimitLine(level, kind, "no limit"))

    expiries = []
    if span:
        earned = _expiry_preview(fields, "earned", "An earned badge", "earned", start, end, now, tz)
        if earned is not None:
            expiries.append(earned)
        if fields.get("earn_type") == "ISSUE_EARN":
            issued = _expiry_preview(
                fields, "issued", "An enrolment", "enrolled", start, end, now, tz
            )
            if issued is not None:
                expiries.append(issued)

    payload = badge_payload(draft)
    return Preview(
        status=status,
        active=bool(fields.get("active", True)),
        start=start if span else None,
        end=end if span else None,
        first_day=first_day,
        last_day=last_day,
        windows=tuple(windows),
        limits=tuple(limits),
        expiries=tuple(expiries),
        payload=payload,
        json=payload_json(payload),
        notes=tuple(notes),
        today=today,
        editing=draft.editing,
        historical=bool(fields.get("historical")) and not draft.editing,
    )


def _spec(row: dict[str, Any]) -> FixedWindowSpec | None:
    try:
        return FixedWindowSpec(
            duration_type=row["duration_type"],
            refresh_rate=row.get("refresh_rate"),
            start_day_of_week=DAY_NAMES.index(row.get("start_day") or "MONDAY") + 1,
        )
    except (KeyError, ValueError):
        return None


def _rolling_limits(level: str, row: dict[str, Any]) -> list[RollingLimit]:
    try:
        if level == BADGE:
            return [
                RollingLimit(
                    unit=row["roll_type"], value=row["roll_value"], max_earn=row["max_earn_limit"]
                )
            ]
        return [
            RollingLimit(unit=unit, value=row[roll_field], max_earn=row[max_field])
            for unit, max_field, roll_field, _, _ in ROLLING_PAIRS
            if row.get(max_field) is not None and row.get(roll_field) is not None
        ]
    except (KeyError, ValueError):
        return []


def _window_preview(
    level: str, words: str, spec: FixedWindowSpec, first_day: date, last_day: date, today: date
) -> WindowPreview:
    count = window_count(spec, first_day=first_day, last_day=last_day)
    current = window_containing(spec, today, first_day=first_day, last_day=last_day)
    if count <= TIMELINE_ALL_UP_TO:
        indexes = list(range(count))
    else:
        chosen = {0, 1, 2, count - 2, count - 1}
        if current is not None:
            chosen.add(current.index)
        indexes = sorted(chosen)

    def cycle(index: int) -> Cycle:
        return _cycle(spec, window_at(spec, index, first_day=first_day, last_day=last_day), today)

    timeline: list[Cycle | Gap] = []
    previous = -1
    for index in indexes:
        if index - previous > 1:
            timeline.append(Gap(count=index - previous - 1))
        timeline.append(cycle(index))
        previous = index

    today_cycle = cycle(current.index) if current is not None else None
    if today_cycle is not None:
        today_note = f"Today falls in cycle {today_cycle.number} of {count}."
    elif today < first_day:
        today_note = "The badge has not started: today is before the first cycle."
    else:
        today_note = "The badge has ended: every cycle is in the past."
    return WindowPreview(
        level=level,
        words=words,
        count=count,
        timeline=tuple(timeline),
        first=cycle(0),
        last=cycle(count - 1),
        today=today_cycle,
        today_note=today_note,
        strip=tuple(cycle(index) for index in range(count)) if count <= STRIP_UP_TO else (),
    )


def _cycle(spec: FixedWindowSpec, window: Window, today: date) -> Cycle:
    if spec.duration_type == "DAYS":
        full = spec.refresh_rate
    elif spec.duration_type == "WEEKS":
        full = 7
    else:
        full = calendar.monthrange(window.first_day.year, window.first_day.month)[1]
    if window.last_day < today:
        state = "past"
    elif window.first_day <= today:
        state = "today"
    else:
        state = "upcoming"
    return Cycle(
        number=window.index + 1,
        first_day=window.first_day,
        last_day=window.last_day,
        days=window.days,
        partial=window.partial,
        state=state,
        fill=max(1, min(10, round(10 * window.days / full))),
    )


def expiry_rule(fields: dict[str, Any], which: str) -> dict[str, Any] | None:
    """The expiry in badge_rules' terms (expiresOn as a datetime), or None when incomplete."""
    wire = expiry_payload(fields, which)
    if wire is None:
        return None
    rule = dict(wire)
    if rule.get("type") == "FIXED_DATE":
        rule["expiresOn"] = fields[f"{which}_expiry_date"]
    return rule


def _enrolments_last_day(
    fields: dict[str, Any], start: datetime, end: datetime, tz: tzinfo
) -> date | None:
    """The local day the latest enrolment can expire (one enrolled on the badge's last day).

    As the service cuts them (badges_api/fixed_windows.py), an enrol-first badge's cycles, customer
    and badge-wide, run to the latest enrolment expiry, past the badge's end when enrolments outlive
    it (seed 002): it is earned while an enrolment lives, and every earn falls in a cycle.
    None while the enrolment expiry is incomplete.
    """
    rule = expiry_rule(fields, "issued")
    if rule is None:
        return None
    try:
        horizon = expiry_instant(rule, granted_at=end.astimezone(UTC), badge_end=end)
    except (ValueError, OverflowError):
        return None
    return badge_days(start, max(horizon, start), tz)[1]


def _expiry_preview(
    fields: dict[str, Any],
    which: str,
    title: str,
    action: str,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: tzinfo,
) -> ExpiryPreview | None:
    rule = expiry_rule(fields, which)
    if rule is None:
        return None
    # The service grants at the moment of processing, in UTC; so does this.
    now = now.astimezone(UTC)
    moments = []
    if now <= end:
        if now >= start:
            moments.append((f"{action.capitalize()} today", now))
        else:
            moments.append((f"{action.capitalize()} on the first day", start))
    moments.append((f"{action.capitalize()} on the last day", end))
    never = rule["expiryType"] == "NEVER"
    lines = tuple(
        ExpiryLine(
            label=label,
            granted_at=granted_at,
            expires_at=expiry_instant(rule, granted_at=granted_at, badge_end=end),
            never=never,
        )
        for label, granted_at in moments
    )
    return ExpiryPreview(
        title=title, words=describe_expiry(rule, action=action, tz=tz), lines=lines
    )
