"""PUT import/customerBadges: historical earned badges, migrated as they were.

Imports carry their own event and expiry dates and skip claims, limits and benefits (Capillary:
historical imports get no benefits and no notifications). Every row is answered; good rows are
written with one INSERT per badge.
"""

import uuid
from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from badge_rules.timestamps import TimestampError, parse_timestamp, stamp
from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorCollector, ErrorItem
from badges_api.ids import new_object_id
from badges_api.inputs import MAX_BIGINT, range_message, read_name, whole_number
from badges_api.models import ApiClient, Badge, Org
from badges_api.services import grants, idempotency
from badges_api.sql import insert_rows, timestamp

IMPORT_OWNER = "Historical_Import"


# `<batch>_<n>` must fit the request_id column (200) for n up to MAX_BULK_CUSTOMERS.
MAX_BATCH_ID_LENGTH = idempotency.MAX_REQUEST_ID_LENGTH - len(f"_{grants.MAX_BULK_CUSTOMERS}")


class _RowRefused(Exception):
    def __init__(self, code: int, message: str, reference: str | None):
        super().__init__(message)
        self.error = ErrorItem(code, message, reference)


def _date(item: dict, key: str) -> datetime:
    for candidate in (f"{key}ISO", key):
        if item.get(candidate) not in (None, ""):
            try:
                return parse_timestamp(item[candidate])
            except TimestampError as error:
                raise _RowRefused(
                    errors.INVALID_INPUT, f"{candidate}: {error}", candidate
                ) from error
    raise _RowRefused(errors.INVALID_INPUT, f"{key} is mandatory", key)


def _batch_id(header: str | None) -> str:
    if header is None or not header.strip():
        return uuid.uuid4().hex
    errs = ErrorCollector()
    batch = read_name(header, "X-CAP-REQUEST-ID", errs, max_length=MAX_BATCH_ID_LENGTH)
    errs.raise_if_any()
    return batch


def _badge_ids(body: list) -> dict[str, str | ErrorItem]:
    """Each distinct badgeMetaId string sent -> the id (trimmed), or why it names no badge.

    Checked once per distinct value, not once per row: an import names few badges.
    """
    checked: dict[str, str | ErrorItem] = {}
    # Only strings go into the set: a {} or [] sent as an id is unhashable (once a 500).
    sent = (item.get("badgeMetaId") for item in body if isinstance(item, dict))
    for raw in {value for value in sent if isinstance(value, str)}:
        errs = ErrorCollector()
        badge_id = read_name(raw, "badgeMetaId", errs, max_length=grants.MAX_TEXT_ID_LENGTH)
        checked[raw] = badge_id if badge_id is not None else errs.items[0]
    return checked


def _refuse_customer_id(raw: object) -> None:
    """Raises why raw is no customer id (whole_number() has refused it)."""
    if raw is None or raw == "":
        raise _RowRefused(
            errors.CUSTOMER_ID_MISSING, errors.MESSAGES[errors.CUSTOMER_ID_MISSING], "customerId"
        )
    raise _RowRefused(
        errors.INVALID_INPUT, range_message("customerId", 1, MAX_BIGINT), "customerId"
    )


def import_customer_badges(
    *, org: Org, client: ApiClient, body: object, batch_id: str | None
) -> list[dict]:
    """Every row answered in order; a bad row is its own error and the others still load.

    Each answer echoes `badgeMetaId` (a string) and `customerId` (an integer) when the row sent a
    valid one, else null, so an answer never carries back a value of another JSON type.
    """
    if not isinstance(body, list):
        raise BadgeApiError(errors.INVALID_INPUT, "The body must be a JSON array of earned badges")
    if len(body) > grants.MAX_BULK_CUSTOMERS:
        raise BadgeApiError(
            errors.TOO_MANY_CUSTOMERS, f"At most {grants.MAX_BULK_CUSTOMERS:,} rows per request"
        )
    batch = _batch_id(batch_id)
    now = timezone.now()
    badge_ids = _badge_ids(body)
    valid_ids = [badge_id for badge_id in badge_ids.values() if isinstance(badge_id, str)]
    badges = {b.public_id: b for b in Badge.objects.filter(org=org, public_id__in=valid_ids)}
    customer_ids = [
        whole_number(item.get("customerId"), maximum=MAX_BIGINT) if isinstance(item, dict) else None
        for item in body
    ]
    pk_of = grants.customer_pks(org, [c for c in customer_ids if c is not None])

    answers: list[dict] = []
    rows_by_badge: dict[int, list] = defaultdict(list)
    for index, item in enumerate(body):
        answer = {
            "badgeMetaId": None,
            "customerId": None,
            "earnedBadgeId": None,
            "requestId": f"{batch}_{index + 1}",
        }
        answers.append(answer)
        if not isinstance(item, dict):
            answer["error"] = ErrorItem(
                errors.INVALID_INPUT, "each row must be an object"
            ).as_dict()
            continue
        raw_badge_id = item.get("badgeMetaId")
        badge_id = badge_ids.get(raw_badge_id) if isinstance(raw_badge_id, str) else None
        customer_id = customer_ids[index]
        answer["badgeMetaId"] = badge_id if isinstance(badge_id, str) else None
        answer["customerId"] = customer_id
        try:
            if isinstance(badge_id, ErrorItem):
                raise _RowRefused(badge_id.code, badge_id.message, badge_id.reference)
            if badge_id is None:
                message = (
                    "badgeMetaId is mandatory"
                    if raw_badge_id in (None, "")
                    else "badgeMetaId must be a string"
                )
                raise _RowRefused(errors.INVALID_INPUT, message, "badgeMetaId")
            if customer_id is None:
                _refuse_customer_id(item.get("customerId"))
            event_date, expires_on = _date(item, "earnEventDate"), _date(item, "earnExpiresOn")
            badge = badges.get(badge_id)
            pk = pk_of.get(customer_id)
            if badge is None:
                code = errors.GLOBAL_BADGE_NOT_FOUND
                raise _RowRefused(code, errors.MESSAGES[code], "badgeMetaId")
            if pk is None:
                raise _RowRefused(
                    errors.CUSTOMER_NOT_FOUND,
                    errors.MESSAGES[errors.CUSTOMER_NOT_FOUND],
                    "customerId",
                )
            if expires_on <= event_date:
                raise _RowRefused(
                    errors.INVALID_INPUT,
                    "earnExpiresOn must be after earnEventDate",
                    "earnExpiresOn",
                )
        except _RowRefused as refused:
            answer["error"] = refused.error.as_dict()
            continue
        earned_id = new_object_id()
        answer["earnedBadgeId"] = earned_id
        stamp(answer, "expiresOn", expires_on)
        rows_by_badge[badge.pk].append(
            [earned_id, pk, timestamp(event_date), timestamp(expires_on), answer["requestId"]]
        )
    with transaction.atomic():
        for badge_pk, rows in rows_by_badge.items():
            _insert(org, client, badge_pk, rows, now=now)
    return answers


def _insert(org: Org, client: ApiClient, badge_pk: int, rows: list, *, now: datetime) -> None:
    insert_rows(
        "badges_api_earn",
        varying=[
            ("public_id", "text"),
            ("customer_id", "bigint"),
            ("event_date", "timestamptz"),
            ("expires_on", "timestamptz"),
            ("request_id", "text"),
        ],
        rows=rows,
        constant={
            "org_id": org.pk,
            "badge_id": badge_pk,
            "earned_on": timestamp(now),
            "is_active": True,
            "owner_type": IMPORT_OWNER,
            "created_by": client.pk,
        },
    )
    Badge.objects.filter(pk=badge_pk).update(earned_count=F("earned_count") + len(rows))
