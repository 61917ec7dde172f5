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
from badge_rules.timestamps import TimestampError, parse_timestamp, to_epoch, to_iso
from badges_api import enums, errors
from badges_api.errors import BadgeApiError, ErrorCollector, ErrorItem
from badges_api.models import ApiClient, Badge, BadgeClaim, Org
from badges_api.services import idempotency
from badges_api.sql import int_list, timestamp

MAX_BULK_CUSTOMERS = 100_000
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
    if all(type(value) is int for value in raw) and min(raw) > 0 and max(raw) <= 2**63 - 1:
        return raw  # the common case, checked without a per-item Python loop body
    ids: list[int] = []
    for index, value in enumerate(raw):
        if isinstance(value, bool):
            value = None
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or value <= 0 or value > 2**63 - 1:
            errs.add(errors.INVALID_INPUT, "customer ids are positive whole numbers", f"{reference}[{index}]")
            if len(errs.items) > 20:
                break
            continue
        ids.append(value)
    return ids


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
        errs.add(errors.INVALID_INPUT, enums.invalid_enum_message("ownerType", enums.OWNER_TYPES), "triggeredBy.ownerType")
    reference = trigger.get("referenceId")
    if isinstance(reference, (int, float)) and not isinstance(reference, bool):
        reference = str(reference)
    if owner != "Membercare" and (not isinstance(reference, str) or not reference.strip()):
        errs.add(errors.OWNER_ID_MANDATORY, None, "triggeredBy.referenceId")
        reference = None
    return owner, reference.strip() if isinstance(reference, str) else None


def badge_id_from(body: dict, errs: ErrorCollector) -> str:
    badge_id = body.get("badgeMetaId")
    if not isinstance(badge_id, str) or not badge_id.strip():
        errs.add(errors.INVALID_INPUT, "badgeMetaId is mandatory", "badgeMetaId")
        return ""
    return badge_id.strip()


def lock_badge(org: Org, badge_id: str) -> Badge:
    """Every grant of one badge runs under this row lock (PostgreSQL) or SQLite's write lock.

    Holding it, counting and inserting cannot interleave with another grant of the badge, which
    is what makes every limit exact under concurrency.
    """
    badge = Badge.objects.select_for_update().select_related("org").filter(org=org, public_id=badge_id).first()
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
    if request.owner_type != "Membercare" and not BadgeClaim.objects.filter(
        badge=badge, owner_type=request.owner_type, reference_id=request.reference_id, is_active=True
    ).exists():
        errs.add(errors.BADGE_NOT_CLAIMED, f"Badge needs to be claimed first by {request.owner_type} {request.reference_id!r}", "triggeredBy")
    if request.event_date > now + FUTURE_EVENT_TOLERANCE:
        errs.add(errors.EARN_EVENT_DATE_IN_FUTURE, None, "earnEventDate")
    errs.raise_if_any()


def expiry_rule(stored: dict) -> dict:
    rule = dict(stored)
    if rule.get("expiresOn") is not None:
        rule["expiresOn"] = parse_timestamp(rule["expiresOn"])
    return rule


def grant_expiry(stored_rule: dict, *, granted_at: datetime, badge: Badge) -> datetime:
    return expiry_instant(expiry_rule(stored_rule), granted_at=granted_at, badge_end=badge.expires_on)


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


def grant_columns(badge: Badge, request: GrantRequest, client: ApiClient, *, now: datetime, expires_on: datetime) -> dict:
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
    return orjson.dumps({"data": data, "errors": [], "warnings": warnings or []}, option=orjson.OPT_NON_STR_KEYS)


def run_idempotent(
    *, org: Org, badge_id: str, request_id: str, operation: str, body: dict, work: Callable[[Badge, datetime], bytes]
) -> tuple[int, bytes]:
    """Lock the badge, replay a repeated request, or do the work and record its answer."""
    fingerprint = idempotency.body_fingerprint(operation, {k: v for k, v in body.items() if k != "requestId"})
    for _attempt in range(3):
        try:
            with transaction.atomic():
                badge = lock_badge(org, badge_id)
                stored = idempotency.replay(org=org, request_id=request_id, operation=operation, fingerprint=fingerprint)
                if stored is not None:
                    return stored.status, stored.body
                answer = work(badge, timezone.now())
                idempotency.record(
                    org=org, request_id=request_id, operation=operation, fingerprint=fingerprint, status=200, body=answer
                )
                return 200, answer
        except idempotency.DuplicateRequestRace:
            continue  # the twin committed; the next attempt replays its answer
    raise BadgeApiError(errors.DUPLICATE_REQUEST_ID, None, "requestId")


def stamp(fields: dict, key: str, moment: datetime | None) -> None:
    fields[key] = to_epoch(moment)
    fields[f"{key}ISO"] = to_iso(moment)
