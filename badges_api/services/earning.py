"""Earning badges (Capillary's "earn"): one customer or a whole list in one set-based pass.

Every customer of a request is decided from three queries (who exists, what each already
holds, what the badge as a whole has given) and granted with one INSERT, all under the badge's
lock, so no limit is ever exceeded and nobody holds two live instances of a badge.
"""

from dataclasses import dataclass, field
from datetime import datetime

import orjson
from django.db import connection
from django.db.models import F
from django.utils import timezone

from badge_rules.status import item_status
from badge_rules.timestamps import stamp
from badge_rules.windows import (
    RollingLimit,
    describe_fixed_window,
    describe_rolling_limit,
    rolling_window_start,
    window_containing,
)
from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorCollector, ErrorItem
from badges_api.fixed_windows import org_tz, window_days, window_spec
from badges_api.ids import new_object_ids
from badges_api.models import ApiClient, Badge, Enrolment, Org
from badges_api.services import grants, idempotency
from badges_api.services.grants import GrantRequest
from badges_api.sql import insert_rows, int_list, is_postgres, timestamp

# 816 for an enrol-first earn: the event date is outside the customer's enrolment (seed 000).
OUTSIDE_ENROLMENT = (
    "Earn event date is not in duration of the customer's enrolment (issue) of the badge"
)
ROLLING_PAIRS = (
    ("DAYS", "maxEarnForDays", "rollForDays"),
    ("WEEKS", "maxEarnForWeeks", "rollForWeeks"),
    ("MONTHS", "maxEarnForMonths", "rollForMonths"),
)


@dataclass(slots=True)
class Limit:
    """One counted limit: how the count is taken (SQL condition) and what refusing says."""

    code: int
    max_earn: int
    words: str
    condition: str = "1=1"
    params: list = field(default_factory=list)

    def count_sql(self) -> str:
        """The SQL count of earns `e` this limit weighs: only real rows, so the empty row a LEFT
        JOIN gives a customer without earns counts 0 whatever the condition (issue 9: with the
        lifetime limit's "1=1" it counted 1, and an earn-once badge refused everyone new)."""
        return f"COUNT(CASE WHEN {self.condition} THEN e.id END)"


def badge_limits(
    badge: Badge,
    constraints: list[dict],
    *,
    level: str,
    event_date: datetime,
    now: datetime,
    enrolment_expires_on: datetime | None = None,
) -> list[Limit]:
    """The badge's limits of one level as SQL-countable conditions over earns.

    Fixed windows count by the earn event date, rolling windows backwards from processing time.
    An enrol-first badge's fixed windows run past the badge's own end, to the latest an enrolment
    can expire, a customer window to `enrolment_expires_on` (one customer's enrolment) when given
    (fixed_windows.windows_end): so an earn after the badge's end still falls in a badge-wide cycle.
    """
    tz = org_tz(badge.org)
    local_now = now.astimezone(tz)
    codes = {
        "CUSTOMER": (
            errors.CUSTOMER_LIFETIME_LIMIT,
            errors.CUSTOMER_ROLLING_LIMIT,
            errors.CUSTOMER_WINDOW_LIMIT,
        ),
        "BADGE": (errors.BADGE_TOTAL_LIMIT, errors.BADGE_ROLLING_LIMIT, errors.BADGE_WINDOW_LIMIT),
    }[level]
    who = "this customer" if level == "CUSTOMER" else "this badge across customers"
    limits: list[Limit] = []
    for constraint in constraints:
        kind = constraint["constraintType"]
        if kind.endswith("FIXED_VALUE"):
            limits.append(
                Limit(
                    codes[0],
                    constraint["maxEarnLimit"],
                    f"at most {constraint['maxEarnLimit']} in total for {who}",
                )
            )
        elif kind.endswith("ROLLING_WINDOW"):
            rolls = (
                [
                    (unit, constraint[max_key], constraint[roll_key])
                    for unit, max_key, roll_key in ROLLING_PAIRS
                    if constraint.get(max_key)
                ]
                if level == "CUSTOMER"
                else [(constraint["rollType"], constraint["maxEarnLimit"], constraint["rollValue"])]
            )
            for unit, max_earn, length in rolls:
                since = rolling_window_start(local_now, unit=unit, value=length)
                words = describe_rolling_limit(
                    RollingLimit(unit=unit, value=length, max_earn=max_earn)
                )
                limits.append(
                    Limit(
                        codes[1],
                        max_earn,
                        f"{words} for {who}",
                        "e.earned_on >= %s",
                        [timestamp(since)],
                    )
                )
        elif kind.endswith("FIXED_WINDOW"):
            spec = window_spec(constraint)
            first_day, last_day = window_days(
                badge, constraint, tz, enrolment_expires_on=enrolment_expires_on
            )
            window = window_containing(
                spec, event_date.astimezone(tz).date(), first_day=first_day, last_day=last_day
            )
            if window is None:
                continue
            words = f"{describe_fixed_window(spec, constraint['maxEarnLimit'])} for {who} (cycle {window.first_day} to {window.last_day})"
            limits.append(
                Limit(
                    codes[2],
                    constraint["maxEarnLimit"],
                    words,
                    "e.event_date >= %s AND e.event_date < %s",
                    [timestamp(window.start_instant(tz)), timestamp(window.end_instant(tz))],
                )
            )
    return limits


def _refusal(limit: Limit) -> ErrorItem:
    return ErrorItem(limit.code, f"Earn limit reached: {limit.words}", None)


def _customers_and_holdings(
    badge: Badge, customer_ids: list[int], limits: list[Limit], *, now: datetime
) -> dict[int, tuple]:
    """customer id -> (row id, an active earn's id or None, the customer limit that refuses or None).

    One statement resolves the ids and weighs what each already holds against every customer
    limit (the first one full is the refusal); customers the org does not know are simply
    absent. A badge nobody holds yet skips the join to earns.
    """
    if not customer_ids:
        return {}
    distinct = sorted(set(customer_ids))
    # CROSS JOIN keeps the id list as SQLite's outer loop (one index probe per id); left to
    # itself the planner may scan customers and rescan the list for each.
    if is_postgres():
        source, join, id_param = "unnest(%s::bigint[]) AS j(value)", "JOIN", distinct
    else:
        source, join, id_param = "json_each(%s) AS j", "CROSS JOIN", orjson.dumps(distinct).decode()
    if badge.earned_count <= 0:
        sql = f"SELECT c.customer_id, c.id FROM {source} {join} badges_api_customer c ON c.org_id = %s AND c.customer_id = j.value"
        refusing = next((limit for limit in limits if limit.max_earn <= 0), None)
        with connection.cursor() as cursor:
            cursor.execute(sql, [id_param, badge.org_id])
            return {customer_id: (pk, None, refusing) for customer_id, pk in cursor.fetchall()}
    refusal = "NULL"
    if limits:
        tests = " ".join(
            f"WHEN {limit.count_sql()} >= %s THEN {index}" for index, limit in enumerate(limits)
        )
        refusal = f"CASE {tests} END"
    sql = (
        f"SELECT c.customer_id, c.id, MAX(CASE WHEN e.expires_on > %s THEN e.public_id END), {refusal}"
        f" FROM {source} {join} badges_api_customer c ON c.org_id = %s AND c.customer_id = j.value"
        " LEFT JOIN badges_api_earn e ON e.badge_id = %s AND e.customer_id = c.id AND e.is_active"
        " GROUP BY c.customer_id, c.id"
    )
    params = [
        timestamp(now),
        *[p for limit in limits for p in (*limit.params, limit.max_earn)],
        id_param,
        badge.org_id,
        badge.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            customer_id: (pk, active, None if refusing is None else limits[refusing])
            for customer_id, pk, active, refusing in cursor.fetchall()
        }


def _badge_room(badge: Badge, limits: list[Limit]) -> tuple[int | None, Limit | None]:
    """How many more earns the badge-wide limits allow now, and the limit that will refuse next."""
    if not limits:
        return None, None
    counted = [limit for limit in limits if limit.code != errors.BADGE_TOTAL_LIMIT]
    counts: list[int] = []
    if counted:
        columns = ", ".join(limit.count_sql() for limit in counted)
        params = [p for limit in counted for p in limit.params] + [badge.pk]
        # Only earns inside the widest look-back matter; the (badge, earned_on) index bounds it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM badges_api_earn e WHERE e.badge_id = %s AND e.is_active",
                params,
            )
            counts = [value or 0 for value in cursor.fetchone()]
    room, tightest = None, None
    by_limit = iter(counts)
    for limit in limits:
        used = badge.earned_count if limit.code == errors.BADGE_TOTAL_LIMIT else next(by_limit)
        left = max(limit.max_earn - used, 0)
        if room is None or left < room:
            room, tightest = left, limit
    return room, tightest


def _active_enrolments(
    badge: Badge, pks: list[int], *, event_date: datetime, now: datetime
) -> tuple[dict[int, int], set[int]]:
    """The customers' live enrolments (not revoked, not expired): customer pk -> the enrolment
    whose window holds the earn's event date, from its event date to its expiry inclusive (seed
    000: "between the badge issual start date and end date"); and the customers whose live
    enrolment does not hold it (816)."""
    if not pks:
        return {}, set()
    ids_sql, id_param = int_list(pks)
    at, event = timestamp(now), timestamp(event_date)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_id, MAX(CASE WHEN event_date <= %s AND expires_on >= %s THEN id END)"
            " FROM badges_api_enrolment WHERE badge_id = %s AND is_active"
            f" AND issued_on <= %s AND expires_on > %s AND customer_id IN ({ids_sql}) GROUP BY customer_id",
            [event, event, badge.pk, at, at, id_param],
        )
        rows = cursor.fetchall()
    inside = {pk: enrolment for pk, enrolment in rows if enrolment is not None}
    outside = (
        {pk for pk, enrolment in rows if enrolment is None} if len(inside) < len(rows) else set()
    )
    return inside, outside


def decide(
    badge: Badge, request: GrantRequest, *, now: datetime
) -> tuple[list[dict], list[tuple[str, int, int | None]], datetime]:
    """Each customer's answer (wire items, in request order), the rows to insert, the expiry.

    Rows are (earn id, customer row id, enrolment row id). Answers are built as wire dicts
    straight away: for 100,000 customers this loop is the Python share of the request, so the
    limits are weighed in SQL and the loop only reads what each customer got.
    """
    enrol_first = badge.earn_type == "ISSUE_EARN"
    # An enrol-first badge is earned under the customer's live enrolment, whose window holds the
    # event date (else 816 for that customer). Its cycles run past the badge's end: badge-wide ones
    # to the latest an enrolment could end, customer ones to the customer's enrolment expiry; these
    # are cut here where the latest enrolment could end too, which counts the same earns as
    # cutting each customer's at its own (no earn of a customer has an event date after its live
    # enrolment's expiry) without reading every customer's expiry first.
    customer_limits = badge_limits(
        badge, badge.customer_constraints, level="CUSTOMER", event_date=request.event_date, now=now
    )
    known = _customers_and_holdings(badge, request.customer_ids, customer_limits, now=now)
    room, tightest = _badge_room(
        badge,
        badge_limits(
            badge, badge.badge_constraints, level="BADGE", event_date=request.event_date, now=now
        ),
    )
    enrolled, outside = (
        _active_enrolments(
            badge, [held[0] for held in known.values()], event_date=request.event_date, now=now
        )
        if enrol_first
        else ({}, set())
    )
    expires_on = grants.grant_expiry(badge.earned_badge_expiry, granted_at=now, badge=badge)
    granted_status = item_status(starts_at=now, expires_at=expires_on, now=now)

    not_found = ErrorItem(
        errors.CUSTOMER_NOT_FOUND, errors.MESSAGES[errors.CUSTOMER_NOT_FOUND]
    ).as_dict()
    already = ErrorItem(
        errors.ACTIVE_ISSUE_EXISTS, errors.MESSAGES[errors.ACTIVE_ISSUE_EXISTS]
    ).as_dict()
    no_enrolment = ErrorItem(
        errors.ENROLMENT_REQUIRED, errors.MESSAGES[errors.ENROLMENT_REQUIRED]
    ).as_dict()
    outside_enrolment = ErrorItem(
        errors.EVENT_DATE_OUTSIDE_BADGE, OUTSIDE_ENROLMENT, "earnEventDate"
    ).as_dict()
    refusals = {
        id(limit): _refusal(limit).as_dict()
        for limit in customer_limits + ([tightest] if tightest else [])
    }
    customer_ids = request.customer_ids
    # Listed twice: one earn; the repeat is answered like a second request would be. Checked
    # once here so a list without repeats pays nothing for it in the loop.
    answered: dict[int, dict] | None = {} if len(set(customer_ids)) != len(customer_ids) else None
    items: list[dict] = []
    rows: list[tuple[str, int, int | None]] = []
    fresh_ids = iter(new_object_ids(len(customer_ids)))
    for customer_id in customer_ids:
        if answered is not None and customer_id in answered:
            earlier = answered[customer_id]
            items.append(earlier | {"error": earlier.get("error", already)})
            continue
        held = known.get(customer_id)
        if held is None:
            item = {"customerId": customer_id, "issuedId": None, "status": None, "error": not_found}
        elif held[1] is not None:
            item = {
                "customerId": customer_id,
                "issuedId": held[1],
                "status": "LIVE",
                "error": already,
            }
        elif enrol_first and held[0] not in enrolled:
            error = outside_enrolment if held[0] in outside else no_enrolment
            item = {"customerId": customer_id, "issuedId": None, "status": None, "error": error}
        elif held[2] is not None:
            item = {
                "customerId": customer_id,
                "issuedId": None,
                "status": None,
                "error": refusals[id(held[2])],
            }
        elif room is not None and room <= 0:
            item = {
                "customerId": customer_id,
                "issuedId": None,
                "status": None,
                "error": refusals[id(tightest)],
            }
        else:
            earn_id = next(fresh_ids)
            item = {"customerId": customer_id, "issuedId": earn_id, "status": granted_status}
            rows.append((earn_id, held[0], enrolled.get(held[0])))
            if room is not None:
                room -= 1
        if answered is not None:
            answered[customer_id] = item
        items.append(item)
    return items, rows, expires_on


def insert_earns(
    badge: Badge,
    request: GrantRequest,
    client: ApiClient,
    rows: list,
    *,
    now: datetime,
    expires_on: datetime,
) -> None:
    """One INSERT for every granted customer; the badge's earnedCount moves by the same number."""
    if not rows:
        return
    insert_rows(
        "badges_api_earn",
        varying=[("public_id", "text"), ("customer_id", "bigint"), ("enrolment_id", "bigint")],
        rows=rows,
        constant=grants.grant_columns(badge, request, client, now=now, expires_on=expires_on)
        | {"earned_on": timestamp(now)},
    )
    Badge.objects.filter(pk=badge.pk).update(earned_count=F("earned_count") + len(rows))


def parse_earn(body: object, *, bulk: bool) -> tuple[GrantRequest, dict]:
    if not isinstance(body, dict):
        raise BadgeApiError(errors.INVALID_INPUT, "The request body must be a JSON object")
    errs = ErrorCollector()
    badge_id = grants.badge_id_from(body, errs)
    if bulk:
        customer_ids = grants.customer_ids_from(body.get("customerIds"), "customerIds", errs)
    else:
        customer_id = grants.customer_id_from(body.get("customerId"), "customerId", errs)
        customer_ids = [] if customer_id is None else [customer_id]
    owner, reference = grants.triggered_by_from(body, errs)
    event_date = grants.event_date_from(body, "earnEventDate", errs, now=timezone.now())
    try:
        request_id, _ = idempotency.request_id_from(body, required=not bulk)
    except BadgeApiError as error:
        errs.items.extend(error.items)
        request_id = ""
    errs.raise_if_any()
    return GrantRequest(badge_id, customer_ids, request_id, event_date, owner, reference), body


def _check_event_date(badge: Badge, request: GrantRequest) -> None:
    """A direct badge's event date lies within the badge's start and end (seed 000). An enrol-first
    badge's lies within each customer's enrolment instead, answered per customer (decide)."""
    if badge.earn_type == "EARN" and not badge.start_on <= request.event_date <= badge.expires_on:
        raise BadgeApiError(
            errors.EVENT_DATE_OUTSIDE_BADGE,
            "Earn event date is not in duration of badge meta",
            "earnEventDate",
        )


def earn_bulk(*, org: Org, client: ApiClient, body: object) -> tuple[int, bytes]:
    """POST customer/earnBulk. Answers the envelope as bytes: replays return the stored bytes."""
    request, body = parse_earn(body, bulk=True)

    def work(badge: Badge, now: datetime) -> bytes:
        grants.check_grantable(badge, request, now=now)
        _check_event_date(badge, request)
        items, rows, expires_on = decide(badge, request, now=now)
        insert_earns(badge, request, client, rows, now=now, expires_on=expires_on)
        data = {
            "badgeMetaId": badge.public_id,
            "triggeredBy": {"ownerType": request.owner_type, "referenceId": request.reference_id},
        }
        stamp(data, "expiresOn", expires_on)
        stamp(data, "earnEventDate", request.event_date)
        data["issuedBadges"] = items
        data["summary"] = {
            "requested": len(items),
            "earned": len(rows),
            "refused": len(items) - len(rows),
        }
        data["requestId"] = request.request_id
        return grants.envelope_bytes(data)

    return grants.run_idempotent(
        org=org,
        badge_id=request.badge_id,
        request_id=request.request_id,
        operation="earnBulk",
        body=body,
        work=work,
    )


_SINGLE_EARN_STATUS = {
    errors.ENROLMENT_REQUIRED: 409,
    errors.ACTIVE_ISSUE_EXISTS: 409,
    errors.CUSTOMER_NOT_FOUND: 404,
}


def earn_one(*, org: Org, client: ApiClient, body: object) -> tuple[int, bytes]:
    """POST customer/earn: one customer; a refusal is the whole answer (811 is HTTP 409)."""
    request, body = parse_earn(body, bulk=False)

    def work(badge: Badge, now: datetime) -> bytes:
        grants.check_grantable(badge, request, now=now)
        _check_event_date(badge, request)
        items, rows, expires_on = decide(badge, request, now=now)
        item = items[0]
        if "error" in item:
            code, message = item["error"]["code"], item["error"]["message"]
            reference = item["error"].get("reference") or "customerId"
            raise BadgeApiError(code, message, reference, status=_SINGLE_EARN_STATUS.get(code, 400))
        insert_earns(badge, request, client, rows, now=now, expires_on=expires_on)
        data = {
            "badgeMetaId": badge.public_id,
            "customerId": item["customerId"],
            "earnedBadgeId": item["issuedId"],
        }
        stamp(data, "expiresOn", expires_on)
        stamp(data, "earnEventDate", request.event_date)
        data["requestId"] = request.request_id
        enrolment_pk = rows[0][2]
        data["issuedId"] = _enrolment_public_id(enrolment_pk)
        return grants.envelope_bytes(data)

    return grants.run_idempotent(
        org=org,
        badge_id=request.badge_id,
        request_id=request.request_id,
        operation="earn",
        body=body,
        work=work,
    )


def _enrolment_public_id(pk: int | None) -> str | None:
    if pk is None:
        return None
    return Enrolment.objects.filter(pk=pk).values_list("public_id", flat=True).first()
