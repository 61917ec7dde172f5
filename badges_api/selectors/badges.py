"""Reads of badge definitions: one badge, the filtered list, the fixed-window cycles."""

from collections import defaultdict
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from badge_rules.status import normalise_status_filter
from badge_rules.timestamps import TimestampError, parse_timestamp, stamp, to_epoch, to_iso
from badge_rules.windows import Window, window_at, windows_overlapping
from badges_api import enums, errors
from badges_api.api.representations import badge_to_wire
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.fixed_windows import (
    fixed_window_constraints,
    live_enrolment_expiry,
    org_tz,
    window_days,
    window_spec,
)
from badges_api.inputs import checked_id
from badges_api.models import Badge, BadgeClaim, BadgeOwner, Org
from badges_api.selectors.customers import customer_by_identifier
from badges_api.selectors.pagination import page_from_query
from badges_api.sql import rows_table, timestamp

_TRUE = {"true", "1", "yes"}


def badge_by_public_id(org: Org, badge_id: str, *, reference: str = "id") -> Badge:
    badge = (
        Badge.objects.select_related("group")
        .filter(org=org, public_id=checked_id(badge_id, reference))
        .first()
    )
    if badge is None:
        raise BadgeApiError.not_found()
    return badge


def badges_to_wire(org: Org, badges: list[Badge], *, now: datetime | None = None) -> list[dict]:
    """Claims of every badge in one query, then each badge rendered."""
    now = now or timezone.now()
    tz = org_tz(org)
    claims: dict[int, list[dict]] = defaultdict(list)
    rows = BadgeClaim.objects.filter(badge__in=[b.pk for b in badges]).order_by("pk")
    for badge_pk, owner, reference, active in rows.values_list(
        "badge_id", "owner_type", "reference_id", "is_active"
    ):
        claims[badge_pk].append({"ownerType": owner, "referenceId": reference, "isActive": active})
    return [
        badge_to_wire(
            badge,
            claims=claims[badge.pk],
            now=now,
            tz=tz,
            group_public_id=badge.group.public_id if badge.group_id else None,
        )
        for badge in badges
    ]


def badge_wire(org: Org, badge_id: str, *, include_statistics: bool = False) -> dict:
    """One badge; with `include_statistics`, `statistics` adds what the counters on the badge do
    not say (two aggregate queries over the badge's rows)."""
    badge = badge_by_public_id(org, badge_id)
    wire = badges_to_wire(org, [badge])[0]
    if include_statistics:
        wire["statistics"] = badge_statistics(badge)
    return wire


def badge_statistics(badge: Badge, *, now: datetime | None = None) -> dict:
    """activeEarnedCount: earned instances live now (not revoked, not expired), which is also the
    number of customers holding the badge, as nobody holds two at once; activeIssuedCount: live
    enrolments; lastEarnedOn: the latest earn (revoked ones excluded)."""
    now = now or timezone.now()
    at = timestamp(now)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(CASE WHEN expires_on > %s THEN 1 ELSE 0 END), MAX(earned_on)"
            " FROM badges_api_earn WHERE badge_id = %s AND is_active",
            [at, badge.pk],
        )
        live, last_earned_on = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*) FROM badges_api_enrolment WHERE badge_id = %s AND is_active AND expires_on > %s",
            [badge.pk, at],
        )
        live_enrolments = cursor.fetchone()[0]
    if isinstance(last_earned_on, str):  # SQLite answers MAX() of a datetime column as text
        last_earned_on = datetime.fromisoformat(last_earned_on).replace(tzinfo=UTC)
    statistics = {"activeEarnedCount": live or 0, "activeIssuedCount": live_enrolments}
    stamp(statistics, "lastEarnedOn", last_earned_on)
    return statistics


def _status_q(statuses: set[str], now: datetime) -> Q:
    q = Q(pk__in=[])
    if "UPCOMING" in statuses:
        q |= Q(start_on__gt=now)
    if "LIVE" in statuses:
        q |= Q(start_on__lte=now, expires_on__gte=now)
    if "EXPIRED" in statuses:
        q |= Q(expires_on__lt=now)
    return q


def _timestamp_param(query, name: str, errs: ErrorCollector) -> datetime | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return parse_timestamp(raw)
    except TimestampError as error:
        errs.add(errors.INVALID_INPUT, f"{name}: {error}", name)
        return None


def _enum_param(query, name: str, allowed: tuple[str, ...], errs: ErrorCollector) -> str | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    value = enums.choice(raw, allowed)
    if value is None:
        errs.add(errors.INVALID_INPUT, enums.invalid_enum_message(name, allowed), name)
    return value


def badge_list(org: Org, query) -> tuple[list[dict], dict]:
    """GET badgeMeta: filters, sort and page from the query string; answers (badges, pagination)."""
    now = timezone.now()
    errs = ErrorCollector()
    badges: QuerySet = Badge.objects.filter(org=org)

    if query.get("status"):
        try:
            badges = badges.filter(_status_q(normalise_status_filter(query["status"]), now))
        except ValueError as error:
            errs.add(errors.INVALID_INPUT, str(error), "status")
    earn_type = _enum_param(query, "earnType", enums.EARN_TYPES, errs) or _enum_param(
        query, "badgeType", enums.EARN_TYPES, errs
    )
    if earn_type:
        badges = badges.filter(earn_type=earn_type)
    action = query.get("action")
    if action:
        if action.strip().upper() not in enums.ACTIONS:
            errs.add(
                errors.INVALID_INPUT,
                enums.invalid_enum_message("action", ("ACTIVATED", "DE_ACTIVATED")),
                "action",
            )
        else:
            badges = badges.filter(active=enums.ACTIONS[action.strip().upper()])
    for param, claimed in (("owner", False), ("claimedBy", True)):
        raw = query.get(param)
        if not raw:
            continue
        owner = enums.owner_type(raw)
        if owner is None:
            errs.add(
                errors.INVALID_INPUT, enums.invalid_enum_message(param, enums.OWNER_TYPES), param
            )
        elif claimed:
            badges = badges.filter(
                Exists(
                    BadgeClaim.objects.filter(
                        badge=OuterRef("pk"), owner_type=owner, is_active=True
                    )
                )
            )
        else:
            badges = badges.filter(
                Exists(BadgeOwner.objects.filter(badge=OuterRef("pk"), owner_type=owner))
            )
    if str(query.get("unclaimed", "")).lower() in _TRUE:
        badges = badges.exclude(
            Exists(BadgeClaim.objects.filter(badge=OuterRef("pk"), is_active=True))
        )
    # No query value holds a control character: the API dispatch refused those already.
    if query.get("name"):
        badges = badges.filter(name__icontains=query["name"].strip())
    if query.get("groupId"):
        badges = badges.filter(group__public_id=query["groupId"])
    start_from = _timestamp_param(query, "startOn", errs)
    if start_from:
        badges = badges.filter(start_on__gte=start_from)
    expires_by = _timestamp_param(query, "expiresOn", errs)
    if expires_by:
        badges = badges.filter(expires_on__lte=expires_by)

    sort = _enum_param(query, "sortOn", enums.BADGE_SORTS, errs) or "ID"
    order = _enum_param(query, "order", enums.ORDERS, errs) or "ASC"
    page = page_from_query(query, errs)
    errs.raise_if_any()

    column = {"ID": "pk", "NAME": "name", "START_DATE": "start_on"}[sort]
    prefix = "-" if order == "DESC" else ""
    ordering = [prefix + column] + ([prefix + "pk"] if column != "pk" else [])
    total = badges.count()
    rows = list(
        badges.select_related("group").order_by(*ordering)[page.offset : page.offset + page.size]
    )
    return badges_to_wire(org, rows, now=now), page.block(total)


def fixed_window_details(org: Org, query) -> dict:
    """GET getFixedWindowDetails: the generated cycles of a badge's fixed windows, paged.

    Cycles are computed, never stored, so a ten-year daily badge pages as cheaply as a weekly one.
    With `includeEarnCount=true` each cycle carries `earnCount`: the earns (revoked ones excluded)
    whose event date falls in it, as the limit counts them; all customers' for a badge constraint,
    the `customerId` customer's for a customer constraint (so customerId is mandatory when the
    answer holds customer cycles). One query for the whole page.
    """
    errs = ErrorCollector()
    badge_id = query.get("badgeMetaId")
    if not badge_id:
        errs.add(errors.INVALID_INPUT, "badgeMetaId is mandatory", "badgeMetaId")
    constraint_type = (
        _enum_param(query, "constraintType", ("BADGE", "CUSTOMER", "ALL"), errs) or "ALL"
    )
    page = page_from_query(query, errs, size_names=("size", "limit"))
    start_filter = _timestamp_param(query, "startDate", errs)
    end_filter = _timestamp_param(query, "endDate", errs)
    include_counts = str(query.get("includeEarnCount", "")).strip().lower() in _TRUE
    customer_ref = (query.get("customerId") or "").strip()
    if include_counts and constraint_type != "BADGE" and not customer_ref:
        errs.add(
            errors.INVALID_INPUT,
            "customerId is mandatory when includeEarnCount is true and constraintType is CUSTOMER or ALL",
            "customerId",
        )
    errs.raise_if_any()

    badge = badge_by_public_id(org, badge_id, reference="badgeMetaId")
    tz = org_tz(org)
    now = timezone.now()
    customer_pk = None
    if constraint_type != "BADGE" and (
        include_counts or (customer_ref and badge.earn_type == "ISSUE_EARN")
    ):
        customer_pk = customer_by_identifier(org, customer_ref, None).pk
    # An enrol-first badge's cycles run to the enrolment expiry (fixed_windows.windows_end): its
    # customer cycles to the named customer's live enrolment's, else (and its badge-wide cycles
    # always) the latest any enrolment can reach.
    enrolment_expires_on = None
    if customer_pk is not None and badge.earn_type == "ISSUE_EARN":
        enrolment_expires_on = live_enrolment_expiry(badge, customer_pk, now=now)
    reference_filter = query.get("fixedWindowCycleReferenceId")

    sections = []
    for constraint in fixed_window_constraints(badge, constraint_type):
        if reference_filter and constraint["referenceId"] != reference_filter:
            continue
        spec = window_spec(constraint)
        first_day, last_day = window_days(
            badge, constraint, tz, enrolment_expires_on=enrolment_expires_on
        )
        from_day = start_filter.astimezone(tz).date() if start_filter else first_day
        to_day = end_filter.astimezone(tz).date() if end_filter else last_day
        indexes = windows_overlapping(
            spec, first_day=first_day, last_day=last_day, from_day=from_day, to_day=to_day
        )
        sections.append((constraint, spec, indexes, first_day, last_day))

    total = sum(len(indexes) for _, _, indexes, _, _ in sections)
    windows: list[tuple[dict, Window]] = []
    skip = page.offset
    for constraint, spec, indexes, first_day, last_day in sections:
        if len(windows) == page.size:
            break
        if skip >= len(indexes):
            skip -= len(indexes)
            continue
        for index in indexes[skip : skip + page.size - len(windows)]:
            windows.append(
                (constraint, window_at(spec, index, first_day=first_day, last_day=last_day))
            )
        skip = 0
    cycles = [_cycle_to_wire(constraint, window, tz=tz, now=now) for constraint, window in windows]
    if include_counts:
        counts = _cycle_earn_counts(badge, windows, customer_pk=customer_pk, tz=tz)
        for cycle, count in zip(cycles, counts, strict=True):
            cycle["earnCount"] = count
    return {
        "badgeMetaId": badge.public_id,
        "fixedWindowCycles": cycles,
        "pagination": page.block(total),
    }


def _cycle_earn_counts(
    badge: Badge, windows: list[tuple[dict, Window]], *, customer_pk: int | None, tz
) -> list[int]:
    """Earns per cycle of the page in one query: each cycle is a range of the (badge, event_date)
    index, or of (badge, customer, ...) for a customer cycle, counted by a scalar subquery."""
    if not windows:
        return []
    cycles = [
        (
            index,
            timestamp(window.start_instant(tz)),
            timestamp(window.end_instant(tz)),
            customer_pk if constraint["constraintType"].startswith("CUSTOMER") else None,
        )
        for index, (constraint, window) in enumerate(windows)
    ]
    counted = (
        "SELECT COUNT(*) FROM badges_api_earn e WHERE e.badge_id = %s AND e.is_active"
        " AND e.event_date >= c.s AND e.event_date < c.e"
    )
    source, params = rows_table(
        "c", [("i", "int"), ("s", "timestamptz"), ("e", "timestamptz"), ("cust", "bigint")], cycles
    )
    sql = (
        f"SELECT c.i, CASE WHEN c.cust IS NULL THEN ({counted})"
        f" ELSE ({counted} AND e.customer_id = c.cust) END FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [badge.pk, badge.pk, *params])
        found = dict(cursor.fetchall())
    return [found.get(index, 0) for index in range(len(cycles))]


def _cycle_to_wire(constraint: dict, window: Window, *, tz, now: datetime) -> dict:
    """Capillary's convention: endDate is 00:00 of the cycle's last day (whole inclusive days)."""
    start, end_exclusive = window.start_instant(tz), window.end_instant(tz)
    last_day_start = window.last_day_instant(tz)
    return {
        "constraintType": constraint["constraintType"],
        "fixedWindowCycleReferenceId": constraint["referenceId"],
        "durationType": constraint["durationType"],
        "refreshRate": constraint.get("refreshRate"),
        "startDayOfTheWeek": constraint.get("startDayOfTheWeek"),
        "maxEarnLimit": constraint["maxEarnLimit"],
        "cycleIndex": window.index,
        "startDate": to_epoch(start),
        "startDateISO": to_iso(start),
        "endDate": to_epoch(last_day_start),
        "endDateISO": to_iso(last_day_start),
        "firstDay": window.first_day.isoformat(),
        "lastDay": window.last_day.isoformat(),
        "days": window.days,
        "partial": window.partial,
        "cycleStatus": "UPCOMING"
        if now < start
        else "ACTIVE"
        if now < end_exclusive
        else "EXPIRED",
    }
