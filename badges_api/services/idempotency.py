"""requestId: the same request sent again gets the original answer and changes nothing.

The request log row is written in the same transaction as the work it records, so a replay
either sees the whole result or none of it. Checking happens inside that transaction, after the
badge lock is taken, so two copies of one request sent at once cannot both do the work.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass

import orjson
from django.db import IntegrityError, transaction

from badges_api import errors
from badges_api.errors import BadgeApiError
from badges_api.inputs import control_character, control_message
from badges_api.models import BadgeRequest, Org

MAX_REQUEST_ID_LENGTH = 200


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes


def request_id_from(body: dict, *, required: bool = False) -> tuple[str, bool]:
    """The body's requestId, or a generated one; the flag says whether it was generated."""
    raw = body.get("requestId")
    if raw is None or raw == "":
        if required:
            raise BadgeApiError(errors.REQUEST_ID_MISSING, None, "requestId")
        return uuid.uuid4().hex, True
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise BadgeApiError(errors.INVALID_INPUT, "requestId must be text", "requestId")
    request_id = str(raw).strip()
    if not request_id or len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise BadgeApiError(
            errors.INVALID_INPUT,
            f"requestId must be 1 to {MAX_REQUEST_ID_LENGTH} characters",
            "requestId",
        )
    bad = control_character(request_id)
    if bad is not None:
        raise BadgeApiError(errors.INVALID_INPUT, control_message("requestId", bad), "requestId")
    return request_id, False


def body_fingerprint(operation: str, body: object) -> str:
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:
        # A number beyond 64 bits in a field the service ignores; the standard library has no
        # such limit, and its output is as canonical (sorted keys, no spaces).
        canonical = json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    return hashlib.sha256(operation.encode() + b"\0" + canonical).hexdigest()


def replay(*, org: Org, request_id: str, operation: str, fingerprint: str) -> StoredResponse | None:
    """The stored answer when this exact request was seen; 809 when the requestId was used otherwise."""
    stored = (
        BadgeRequest.objects.filter(org=org, request_id=request_id)
        .values_list("operation", "body_hash", "status", "response")
        .first()
    )
    if stored is None:
        return None
    stored_operation, stored_hash, status, response = stored
    if stored_operation != operation or stored_hash != fingerprint:
        raise BadgeApiError(errors.DUPLICATE_REQUEST_ID, None, "requestId")
    return StoredResponse(status=status, body=bytes(response))


def record(
    *, org: Org, request_id: str, operation: str, fingerprint: str, status: int, body: bytes
) -> None:
    """Store the answer; a concurrent twin that got here first makes this one fail with 809."""
    try:
        with transaction.atomic():
            BadgeRequest.objects.create(
                org=org,
                request_id=request_id,
                operation=operation,
                body_hash=fingerprint,
                status=status,
                response=body,
            )
    except IntegrityError as error:
        raise DuplicateRequestRace() from error


class DuplicateRequestRace(Exception):
    """Another transaction recorded the same requestId first; the caller rolls back and replays."""
