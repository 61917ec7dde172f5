"""What earning and enrolling share: reading the request, the badge lock, the idempotent run.

Capillary's API calls enrolling "issue" and giving the badge "earn"; both are grants of a badge
to a list of customers, checked against the same badge rules and answered per customer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from django.db import connection, transaction
from django.utils import timezone

from badge_rules.expiry import expiry_instant
from badge_rules.status import badge_status
from badge_rules.timestamps import TimestampError, parse_timestamp
from badges_api import enums, errors
from badges_api.errors import BadgeApiError, ErrorCollector, ErrorItem
from badges_api.inputs import MAX_BIGINT, range_message, read_name, read_whole_number, whole_number
from badges_api.models import ApiClient, Badge, BadgeClaim, Org
from badges_api.services import idempotency
from badges_api.sql import int_list, timestamp

MAX_BULK_CUSTOMERS = 100_000
# A list of bad ids is answered with its first few, not with one error per item.
MAX_REPORTED_ITEMS = 20
# Ids sent as text (badgeMetaId, earnedBadgeId, issueId, triggeredBy.referenceId): the columns
# that keep a referenceId hold 200 characters, and public ids are 24.
MAX_TEXT_ID_LENGTH = 200
# Capillary's 2026 earn page allows event dates up to a day ahead (clock skew between systems).
FUTURE_EVENT_TOLERANCE = timedelta(hours=24)


@dataclass(slots=True)
class GrantRequest:
    badge_id: str
    customer_ids: list[int]
    request_id: str
    event_date: datetime
    owner_type: str
    reference_id: str


@dataclass(slots=True)
class Outcome:
    """One customer's answer: the granted item, or the error that refused it."""

    customer_id: int
    item_id: str | None = None
    status: str | None = None
    error: ErrorItem | None = None

    def as_wire(self) -> dict:
        wire = {"customerId": self.customer_id, "issuedId": self.item_id, "status": self.status}
        if self.error is not None:
            wire["error"] = self.error.as_dict()
        return wire


def customer_ids_from(raw: object, reference: str, errs: ErrorCollector) -> list[int]:
    if raw is None or (isinstance(raw, list) and not raw):
        errs.add(errors.CUSTOMER_ID_MISSING, None, reference)
        return []
    if not isinstance(raw, list):
        errs.add(errors.INVALID_INPUT, f"{reference} must be a list of customer ids", reference)
        return []
    if len(raw) > MAX_BULK_CUSTOMERS:
        errs.add(
            errors.TOO_MANY_CUSTOMERS,
            f"At most {MAX_BULK_CUSTOMERS:,} customers per request; split the list ({len(raw):,} sent)",
            reference,
        )
        return []
    if all(type(value) is int for value in raw) and min(raw) > 0 and max(raw) <= MAX_BIGINT:
        return raw  # the common case, checked without a per-item Python loop body
    ids: list[int] = []
    for index, value in enumerate(raw):
        customer_id = whole_number(value, maximum=MAX_BIGINT)
        if customer_id is None:
            item = f"{reference}[{index}]"
            errs.add(errors.INVALID_INPUT, range_message(item, 1, MAX_BIGINT), item)
            if len(errs.items) > MAX_REPORTED_ITEMS:
                break
            continue
        ids.append(customer_id)
    return ids


def customer_id_from(raw: object, reference: str, errs: ErrorCollector) -> int | None:
    """One customer id (earn, revokeEarn, revokeIssuals[].customerId): 812 when absent."""
    if raw is None or raw == "":
        errs.add(errors.CUSTOMER_ID_MISSING, None, reference)
        return None
    return read_whole_number(raw, reference, errs, maximum=MAX_BIGINT, name="customerId")


def text_id_from(
    body: dict,
    key: str,
    errs: ErrorCollector,
    *,
    reference: str | None = None,
    max_length: int = MAX_TEXT_ID_LENGTH,
) -> str | None:
    """An id sent as text (badgeMetaId, earnedBadgeId, issueId, referenceId): trimmed, printable.

    PostgreSQL cannot hold NUL even in a comparison and SQLite would store it; refusing control
    characters up front makes both databases answer the same 400.
    """
    return read_name(body.get(key), reference or key, errs, max_length=max_length)


def event_date_from(body: dict, key: str, errs: ErrorCollector, *, now: datetime) -> datetime:
    """`<key>ISO` wins over `<key>`; absent means now."""
    for candidate in (f"{key}ISO", key):
        if body.get(candidate) in (None, ""):
            continue
        try:
            return parse_timestamp(body[candidate])
        except TimestampError as error:
            errs.add(errors.INVALID_INPUT, f"{candidate}: {error}", candidate)
            return now
    return now


def triggered_by_from(body: dict, errs: ErrorCollector) -> tuple[str | None, str | None]:
    trigger = body.get("triggeredBy")
    if not isinstance(trigger, dict):
        errs.add(errors.OWNER_TYPE_MISSING, None, "triggeredBy.ownerType")
        return None, None
    raw_owner = trigger.get("ownerType")
    owner = enums.owner_type(raw_owner)
    if raw_owner in (None, ""):
        errs.add(errors.OWNER_TYPE_MISSING, None, "triggeredBy.ownerType")
    elif owner is None:
        errs.add(
            errors.INVALID_INPUT,
            enums.invalid_enum_message("ownerType", enums.OWNER_TYPES),
            "triggeredBy.ownerType",
        )
    reference = trigger.get("referenceId")
    if isinstance(reference, (int, float)) and not isinstance(reference, bool):
        reference = str(reference)
    if not isinstance(reference, str) or not reference.strip():
        if owner != "Membercare":
            errs.add(errors.OWNER_ID_MANDATORY, None, "triggeredBy.referenceId")
        return owner, None
    return owner, read_name(
        reference, "triggeredBy.referenceId", errs, max_length=MAX_TEXT_ID_LENGTH
    )


def badge_id_from(body: dict, errs: ErrorCollector) -> str:
    return text_id_from(body, "badgeMetaId", errs, max_length=MAX_TEXT_ID_LENGTH) or ""


def lock_badge(org: Org, badge_id: str) -> Badge:
    """Every grant of one badge runs under this row lock (PostgreSQL) or SQLite's write lock.

    Holding it, counting and inserting cannot interleave with another grant of the badge, which
    is what makes every limit exact under concurrency.
    """
    badge = (
        Badge.objects.select_for_update()
        .select_related("org")
        .filter(org=org, public_id=badge_id)
        .first()
    )
    if badge is None:
        raise BadgeApiError.not_found()
    return badge


def check_grantable(badge: Badge, request: GrantRequest, *, now: datetime) -> None:
    """Whole-request rules: the badge is live and active, the trigger holds a claim (810).

    An enrol-first (ISSUE_EARN) badge stays earnable after its end while a customer's enrolment
    lives (seed 002's enrolment outlives its badge; Capillary's retro matrix: "expired E&I, valid
    enrolment: issue"); whether it does is answered per customer (811, 816). Before its start it
    is refused like any badge (its enrolments start within it), and so is a deactivated one
    ("cannot be issued to new customers").
    """
    errs = ErrorCollector()
    status = badge_status(start=badge.start_on, end=badge.expires_on, now=now)
    if status == "UPCOMING" or (status == "EXPIRED" and badge.earn_type != "ISSUE_EARN"):
        errs.add(errors.BADGE_NOT_LIVE, f"Badge is not live (it is {status.lower()})")
    elif not badge.active:
        errs.add(errors.BADGE_NOT_LIVE, "Badge is not live: it is deactivated")
    # "A badge can be issued via MemberCare without any owners or claim" (S-earn).
    if (
        request.owner_type != "Membercare"
        and not BadgeClaim.objects.filter(
            badge=badge,
            owner_type=request.owner_type,
            reference_id=request.reference_id,
            is_active=True,
        ).exists()
    ):
        errs.add(
            errors.BADGE_NOT_CLAIMED,
            f"Badge needs to be claimed first by {request.owner_type} {request.reference_id!r}",
            "triggeredBy",
        )
    if request.event_date > now + FUTURE_EVENT_TOLERANCE:
        errs.add(errors.EARN_EVENT_DATE_IN_FUTURE, None, "earnEventDate")
    errs.raise_if_any()


def expiry_rule(stored: dict) -> dict:
    rule = dict(stored)
    if rule.get("expiresOn") is not None:
        rule["expiresOn"] = parse_timestamp(rule["expiresOn"])
    return rule


def grant_expiry(stored_rule: dict, *, granted_at: datetime, badge: Badge) -> datetime:
    return expiry_instant(
        expiry_rule(stored_rule), granted_at=granted_at, badge_end=badge.expires_on
    )


def customer_pks(org: Org, customer_ids: list[int]) -> dict[int, int]:
    """Capillary customer id -> our row id, for the ids of this org that exist (one query)."""
    if not customer_ids:
        return {}
    ids_sql, param = int_list(sorted(set(customer_ids)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_id, id FROM badges_api_customer WHERE org_id = %s AND customer_id IN ({ids_sql})",
            [org.pk, param],
        )
        return dict(cursor.fetchall())


def grant_columns(
    badge: Badge, request: GrantRequest, client: ApiClient, *, now: datetime, expires_on: datetime
) -> dict:
    """The columns every earn or enrolment of one request shares."""
    return {
        "org_id": badge.org_id,
        "badge_id": badge.pk,
        "event_date": timestamp(request.event_date),
        "expires_on": timestamp(expires_on),
        "is_active": True,
        "request_id": request.request_id,
        "owner_type": request.owner_type,
        "owner_reference_id": request.reference_id,
        "created_by": client.pk,
    }


def envelope_bytes(data: dict, warnings: list | None = None) -> bytes:
    return orjson.dumps(
        {"data": data, "errors": [], "warnings": warnings or []}, option=orjson.OPT_NON_STR_KEYS
    )


def run_idempotent(
    *,
    org: Org,
    badge_id: str,
    request_id: str,
    operation: str,
    body: dict,
    work: Callable[[Badge, datetime], bytes],
) -> tuple[int, bytes]:
    """Lock the badge, replay a repeated request, or do the work and record its answer."""
    fingerprint = idempotency.body_fingerprint(
        operation, {k: v for k, v in body.items() if k != "requestId"}
    )
    for _attempt in range(3):
        try:
            with transaction.atomic():
                badge = lock_badge(org, badge_id)
                stored = idempotency.replay(
                    org=org, request_id=request_id, operation=operation, fingerprint=fingerprint
                )
                if stored is not None:
                    return stored.status, stored.body
                answer = work(badge, timezone.now())
                idempotency.record(
                    org=org,
                    request_id=request_id,
                    operation=operation,
                    fingerprint=fingerprint,
                    status=200,
                    body=answer,
                )
                return 200, answer
        except idempotency.DuplicateRequestRace:
            continue  # the twin committed; the next attempt replays its answer
    raise BadgeApiError(errors.DUPLICATE_REQUEST_ID, None, "requestId")
