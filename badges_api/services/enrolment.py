"""Enrolling customers into ISSUE_EARN badges (Capillary's API calls it issueBulk)."""

from datetime import datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from badge_rules.status import item_status
from badge_rules.timestamps import stamp
from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorCollector, ErrorItem
from badges_api.ids import new_object_ids
from badges_api.models import ApiClient, Badge, Org
from badges_api.services import grants, idempotency
from badges_api.services.grants import GrantRequest, Outcome
from badges_api.sql import insert_rows, int_list, timestamp


def parse_issue(body: object, *, now: datetime) -> GrantRequest:
    if not isinstance(body, dict):
        raise BadgeApiError(errors.INVALID_INPUT, "The request body must be a JSON object")
    errs = ErrorCollector()
    badge_id = grants.badge_id_from(body, errs)
    key = "customers" if "customers" in body else "customerIds"
    customer_ids = grants.customer_ids_from(body.get(key), key, errs)
    owner, reference = grants.triggered_by_from(body, errs)
    event_date = grants.event_date_from(body, "issueEventDate", errs, now=now)
    try:
        request_id, _ = idempotency.request_id_from(body)
    except BadgeApiError as error:
        errs.items.extend(error.items)
        request_id = ""
    errs.raise_if_any()
    return GrantRequest(badge_id, customer_ids, request_id, event_date, owner, reference)


def _active_enrolment_ids(badge: Badge, pks: list[int], *, now: datetime) -> dict[int, str]:
    if not pks:
        return {}
    ids_sql, param = int_list(pks)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_id, MAX(public_id) FROM badges_api_enrolment WHERE badge_id = %s AND is_active"
            f" AND expires_on > %s AND customer_id IN ({ids_sql}) GROUP BY customer_id",
            [badge.pk, timestamp(now), param],
        )
        return dict(cursor.fetchall())


def _insert_enrolments(
    badge: Badge,
    request: GrantRequest,
    client: ApiClient,
    rows: list,
    *,
    now: datetime,
    expires_on: datetime,
) -> None:
    if not rows:
        return
    insert_rows(
        "badges_api_enrolment",
        varying=[("public_id", "text"), ("customer_id", "bigint")],
        rows=rows,
        constant=grants.grant_columns(badge, request, client, now=now, expires_on=expires_on)
        | {"issued_on": timestamp(now)},
    )
    Badge.objects.filter(pk=badge.pk).update(issued_count=F("issued_count") + len(rows))


def issue_bulk(*, org: Org, client: ApiClient, body: object) -> tuple[int, bytes]:
    """POST badgeMeta/customer/issueBulk: enrol each customer unless an enrolment is still live (1040).

    The enrolment window runs from the enrol event date (Capillary's retro example: enrolled on
    Oct 10 with a 2-day window expires Oct 12 even when processed Oct 20).
    """
    request = parse_issue(body, now=timezone.now())

    def work(badge: Badge, now: datetime) -> bytes:
        if badge.earn_type != "ISSUE_EARN":
            raise BadgeApiError(
                errors.NOT_AN_ENROL_AND_ISSUE_BADGE,
                "Only ISSUE_EARN badges take enrolments; this one is EARN (direct issue)",
                "badgeMetaId",
            )
        _check_enrollable(badge, request, now=now)
        expires_on = grants.grant_expiry(
            badge.issued_badge_expiry or {"expiryType": "NEVER"},
            granted_at=request.event_date,
            badge=badge,
        )
        status = item_status(starts_at=request.event_date, expires_at=expires_on, now=now)
        pk_of = grants.customer_pks(org, request.customer_ids)
        live = _active_enrolment_ids(badge, list(pk_of.values()), now=now)
        outcomes, rows, seen = [], [], {}
        fresh_ids = iter(new_object_ids(len(request.customer_ids)))
        for customer_id in request.customer_ids:
            pk = pk_of.get(customer_id)
            outcome = Outcome(customer_id)
            if pk is None:
                outcome.error = ErrorItem(
                    errors.CUSTOMER_NOT_FOUND, errors.MESSAGES[errors.CUSTOMER_NOT_FOUND]
                )
            elif pk in live or customer_id in seen:
                outcome.item_id = live.get(pk) or seen[customer_id].item_id
                outcome.status = "LIVE"
                outcome.error = ErrorItem(
                    errors.ACTIVE_ISSUE_EXISTS, errors.MESSAGES[errors.ACTIVE_ISSUE_EXISTS]
                )
            else:
                outcome.item_id, outcome.status = next(fresh_ids), status
                rows.append((outcome.item_id, pk))
            seen.setdefault(customer_id, outcome)
            outcomes.append(outcome)
        _insert_enrolments(badge, request, client, rows, now=now, expires_on=expires_on)
        data = {
            "badgeMetaId": badge.public_id,
            "triggeredBy": {"ownerType": request.owner_type, "referenceId": request.reference_id},
        }
        stamp(data, "expiresOn", expires_on)
        stamp(data, "issueEventDate", request.event_date)
        data["issuedBadges"] = [outcome.as_wire() for outcome in outcomes]
        data["summary"] = {
            "requested": len(outcomes),
            "enrolled": len(rows),
            "refused": len(outcomes) - len(rows),
        }
        data["requestId"] = request.request_id
        return grants.envelope_bytes(data)

    return grants.run_idempotent(
        org=org,
        badge_id=request.badge_id,
        request_id=request.request_id,
        operation="issueBulk",
        body=body,
        work=work,
    )


def _check_enrollable(badge: Badge, request: GrantRequest, *, now: datetime) -> None:
    """Upcoming and live badges take enrolments (campaigns enrol into both); ended ones do not."""
    errs = ErrorCollector()
    if now > badge.expires_on:
        errs.add(errors.BADGE_NOT_LIVE, "Badge is not live (it has ended)")
    elif not badge.active:
        errs.add(errors.BADGE_NOT_LIVE, "Badge is not live: it is deactivated")
    if not badge.start_on <= request.event_date <= badge.expires_on:
        errs.add(errors.EVENT_DATE_OUTSIDE_BADGE, None, "issueEventDate")
    if (
        request.owner_type != "Membercare"
        and not badge.claims.filter(
            owner_type=request.owner_type, reference_id=request.reference_id, is_active=True
        ).exists()
    ):
        errs.add(
            errors.BADGE_NOT_CLAIMED,
            f"Badge needs to be claimed first by {request.owner_type} {request.reference_id!r}",
            "triggeredBy",
        )
    errs.raise_if_any()
