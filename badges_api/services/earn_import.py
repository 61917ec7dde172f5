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

from badge_rules.timestamps import TimestampError, parse_timestamp
from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorItem
from badges_api.ids import new_object_id
from badges_api.models import ApiClient, Badge, Org
from badges_api.services import grants
from badges_api.sql import insert_rows, timestamp

IMPORT_OWNER = "Historical_Import"


def _date(item: dict, key: str) -> datetime | None:
    for candidate in (f"{key}ISO", key):
        if item.get(candidate) not in (None, ""):
            return parse_timestamp(item[candidate])
    return None


def import_customer_badges(*, org: Org, client: ApiClient, body: object, batch_id: str | None) -> list[dict]:
    if not isinstance(body, list):
        raise BadgeApiError(errors.INVALID_INPUT, "The body must be a JSON array of earned badges")
    if len(body) > grants.MAX_BULK_CUSTOMERS:
        raise BadgeApiError(errors.TOO_MANY_CUSTOMERS, f"At most {grants.MAX_BULK_CUSTOMERS:,} rows per request")
    batch = batch_id or uuid.uuid4().hex
    now = timezone.now()
    badge_ids = {item.get("badgeMetaId") for item in body if isinstance(item, dict) and isinstance(item.get("badgeMetaId"), str)}
    badges = {b.public_id: b for b in Badge.objects.filter(org=org, public_id__in=badge_ids)}
    customer_ids = [item.get("customerId") for item in body if isinstance(item, dict)]
    pk_of = grants.customer_pks(org, [c for c in customer_ids if isinstance(c, int) and not isinstance(c, bool) and c > 0])

    answers: list[dict] = []
    rows_by_badge: dict[int, list] = defaultdict(list)
    for index, item in enumerate(body):
        answer = {"badgeMetaId": None, "customerId": None, "earnedBadgeId": None, "requestId": f"{batch}_{index + 1}"}
        answers.append(answer)
        if not isinstance(item, dict):
            answer["error"] = ErrorItem(errors.INVALID_INPUT, "each row must be an object").as_dict()
            continue
        answer["badgeMetaId"], answer["customerId"] = item.get("badgeMetaId"), item.get("customerId")
        try:
            event_date, expires_on = _date(item, "earnEventDate"), _date(item, "earnExpiresOn")
        except TimestampError as error:
            answer["error"] = ErrorItem(errors.INVALID_INPUT, str(error)).as_dict()
            continue
        badge = badges.get(item.get("badgeMetaId"))
        pk = pk_of.get(item.get("customerId"))
        if event_date is None or expires_on is None:
            missing = "earnEventDate" if event_date is None else "earnExpiresOn"
            answer["error"] = ErrorItem(errors.INVALID_INPUT, f"{missing} is mandatory", missing).as_dict()
        elif badge is None:
            answer["error"] = ErrorItem(errors.GLOBAL_BADGE_NOT_FOUND, errors.MESSAGES[errors.GLOBAL_BADGE_NOT_FOUND], "badgeMetaId").as_dict()
        elif pk is None:
            answer["error"] = ErrorItem(errors.CUSTOMER_NOT_FOUND, errors.MESSAGES[errors.CUSTOMER_NOT_FOUND], "customerId").as_dict()
        elif expires_on <= event_date:
            answer["error"] = ErrorItem(errors.INVALID_INPUT, "earnExpiresOn must be after earnEventDate", "earnExpiresOn").as_dict()
        else:
            earned_id = new_object_id()
            answer["earnedBadgeId"] = earned_id
            grants.stamp(answer, "expiresOn", expires_on)
            rows_by_badge[badge.pk].append([earned_id, pk, timestamp(event_date), timestamp(expires_on), answer["requestId"]])
    with transaction.atomic():
        for badge_pk, rows in rows_by_badge.items():
            _insert(org, client, badge_pk, rows, now=now)
    return answers


def _insert(org: Org, client: ApiClient, badge_pk: int, rows: list, *, now: datetime) -> None:
    insert_rows(
        "badges_api_earn",
        varying=[("public_id", "text"), ("customer_id", "bigint"), ("event_date", "timestamptz"),
                 ("expires_on", "timestamptz"), ("request_id", "text")],
        rows=rows,
        constant={"org_id": org.pk, "badge_id": badge_pk, "earned_on": timestamp(now), "is_active": True,
                  "owner_type": IMPORT_OWNER, "created_by": client.pk},
    )
    Badge.objects.filter(pk=badge_pk).update(earned_count=F("earned_count") + len(rows))
