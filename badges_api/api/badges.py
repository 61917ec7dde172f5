"""HTTP endpoints for badge definitions (Capillary's badgeMeta)."""

import orjson
from django.db import transaction
from rest_framework.decorators import api_view

from badges_api.api import schemas
from badges_api.api.envelope import ok
from badges_api.selectors import badges as badge_selectors
from badges_api.selectors import earn_stats
from badges_api.services import badges as badge_services

MIGRATION_HEADER = "HTTP_X_CAP_BADGES_MIGRATION"


def _is_migration(request) -> bool:
    return request.META.get(MIGRATION_HEADER, "").strip().lower() == "migration"


@schemas.BADGE_LIST
@schemas.BADGE_CREATE
@schemas.BADGE_UPDATE
@api_view(["GET", "POST", "PUT"])
def badge_meta_collection(request):
    """GET lists badges; POST creates one; PUT updates the badge named by the body's `id`."""
    if request.method == "GET":
        badges, pagination = badge_selectors.badge_list(request.auth, request.query_params)
        return ok({"badges": badges, "pagination": pagination})
    write = badge_services.badge_create if request.method == "POST" else badge_services.badge_update
    # The answer is rendered before the write commits: a badge that cannot be rendered must not
    # be stored, or every list that includes it fails (validation should make this impossible;
    # this keeps an unforeseen render failure from leaving a half-done write behind).
    with transaction.atomic():
        badge, warnings = write(
            org=request.auth,
            client=request.user,
            body=request.data,
            migration=_is_migration(request),
        )
        wire = badge_selectors.badge_wire(request.auth, badge.public_id)
        orjson.dumps(wire, option=orjson.OPT_NON_STR_KEYS)
    return ok(wire, warnings=warnings)


@schemas.BADGE_GET
@api_view(["GET"])
def badge_meta_detail(request, badge_id: str):
    include_statistics = request.query_params.get("includeStatistics", "").lower() in {
        "true",
        "1",
        "yes",
    }
    return ok(
        badge_selectors.badge_wire(request.auth, badge_id, include_statistics=include_statistics)
    )


@schemas.BADGE_ACTIVATION
@api_view(["PUT"])
def badge_activation(request, badge_id: str, activation: str):
    badge = badge_services.badge_set_active(
        org=request.auth, client=request.user, badge_id=badge_id, activation=activation
    )
    return ok({"id": badge.public_id, "isActive": badge.active})


@schemas.BADGE_CLAIM
@api_view(["POST"])
def badge_claim(request, badge_id: str):
    claim = badge_services.badge_claim(
        org=request.auth, client=request.user, badge_id=badge_id, body=request.data
    )
    return ok(_claim_answer(badge_id, claim))


@schemas.BADGE_UNCLAIM
@api_view(["POST"])
def badge_unclaim(request, badge_id: str):
    claim = badge_services.badge_unclaim(
        org=request.auth, client=request.user, badge_id=badge_id, body=request.data
    )
    return ok(_claim_answer(badge_id, claim))


def _claim_answer(badge_id: str, claim) -> dict:
    """What claim and unclaim answer: the claim as it now stands."""
    return {
        "badgeMetaId": badge_id,
        "ownerType": claim.owner_type,
        "referenceId": claim.reference_id,
        "isActive": claim.is_active,
    }


@schemas.FIXED_WINDOW_DETAILS
@api_view(["GET"])
def fixed_window_details(request):
    return ok(badge_selectors.fixed_window_details(request.auth, request.query_params))


@schemas.EARNS_PER_DAY
@api_view(["GET"])
def earns_per_day(request, badge_id: str):
    """An extension for the console's chart; see badges_api.selectors.earn_stats."""
    return ok(earn_stats.earns_per_day(request.auth, badge_id, request.query_params))
