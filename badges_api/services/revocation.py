"""Taking badges back: enrolments (revokeIssue) and earned instances (revokeEarn).

Revoked rows stay (with isActive false and revokedOn) so a customer's history shows them; they
stop counting against limits and the badge's issuedCount/earnedCount drop by what was revoked.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorCollector, ErrorItem
from badges_api.inputs import read_name
from badges_api.models import Badge, Earn, Enrolment, Org
from badges_api.selectors import customers as customer_selectors
from badges_api.services import grants

MAX_REVOKE_ENTRIES = 20
# revokeEarn's customerId under X-CAP-CUSTOMER-IDENTIFIER: the longest identifier (an email).
MAX_IDENTIFIER_LENGTH = max(customer_selectors.MAX_LENGTHS.values())


def _revoke_targets(body: dict, errs: ErrorCollector) -> list[tuple[int, str | None]]:
    """(customer id, enrolment id or None for "all of them"); `revokeIssuals` wins over `customers`."""
    issuals, customers = body.get("revokeIssuals"), body.get("customers")
    if issuals:
        if not isinstance(issuals, list):
            errs.add(
                errors.INVALID_INPUT,
                "revokeIssuals must be a list of {customerId, issueId}",
                "revokeIssuals",
            )
            return []
        if len(issuals) > MAX_REVOKE_ENTRIES:
            errs.add(
                errors.INVALID_INPUT,
                f"At most {MAX_REVOKE_ENTRIES} entries per request",
                "revokeIssuals",
            )
            return []
        targets = []
        for index, item in enumerate(issuals):
            where = f"revokeIssuals[{index}]"
            if not isinstance(item, dict):
                errs.add(
                    errors.INVALID_INPUT,
                    f"{where} must be an object {{customerId, issueId}}",
                    where,
                )
                continue
            customer_id = grants.customer_id_from(
                item.get("customerId"), f"{where}.customerId", errs
            )
            issue_id = grants.text_id_from(item, "issueId", errs, reference=f"{where}.issueId")
            if customer_id is not None and issue_id is not None:
                targets.append((customer_id, issue_id))
        return targets
    if customers:
        if isinstance(customers, list) and len(customers) > MAX_REVOKE_ENTRIES:
            errs.add(
                errors.INVALID_INPUT,
                f"At most {MAX_REVOKE_ENTRIES} entries per request",
                "customers",
            )
            return []
        return [
            (customer_id, None)
            for customer_id in grants.customer_ids_from(customers, "customers", errs)
        ]
    errs.add(errors.REVOKE_TARGET_MISSING, None, "revokeIssuals")
    return []


def revoke_issue(*, org: Org, body: object) -> dict:
    """POST badgeMeta/customer/revokeIssue. Answers one entry per target, with its error if any."""
    if not isinstance(body, dict):
        raise BadgeApiError(errors.INVALID_INPUT, "The request body must be a JSON object")
    errs = ErrorCollector()
    badge_id = grants.badge_id_from(body, errs)
    targets = _revoke_targets(body, errs)
    errs.raise_if_any()
    now = timezone.now()
    results = []
    with transaction.atomic():
        badge = grants.lock_badge(org, badge_id)
        pk_of = grants.customer_pks(org, [customer_id for customer_id, _ in targets])
        revoked_total = 0
        for customer_id, issue_id in targets:
            pk = pk_of.get(customer_id)
            if pk is None:
                results.append(
                    _revoke_error(
                        customer_id,
                        issue_id,
                        errors.CUSTOMER_NOT_FOUND,
                        errors.MESSAGES[errors.CUSTOMER_NOT_FOUND],
                    )
                )
                continue
            enrolments = Enrolment.objects.filter(badge=badge, is_active=True)
            if issue_id is None:
                chosen = list(enrolments.filter(customer_id=pk).values_list("public_id", flat=True))
                if not chosen:
                    results.append(
                        _revoke_error(
                            customer_id,
                            None,
                            errors.NOT_FOUND,
                            "Customer doesn't have issue instance",
                        )
                    )
                    continue
            else:
                owner = (
                    Enrolment.objects.filter(badge=badge, public_id=issue_id)
                    .values_list("customer_id", "is_active")
                    .first()
                )
                if owner is None or not owner[1]:
                    results.append(
                        _revoke_error(
                            customer_id, issue_id, errors.NOT_FOUND, "Passed badge is not issued"
                        )
                    )
                    continue
                if owner[0] != pk:
                    results.append(
                        _revoke_error(
                            customer_id,
                            issue_id,
                            errors.NOT_FOUND,
                            "issue doesn't belong to customer",
                        )
                    )
                    continue
                chosen = [issue_id]
            revoked_total += Enrolment.objects.filter(public_id__in=chosen, is_active=True).update(
                is_active=False, revoked_on=now
            )
            results += [
                {"customerId": customer_id, "issueId": public_id, "isActive": False}
                for public_id in chosen
            ]
        if revoked_total:
            Badge.objects.filter(pk=badge.pk).update(issued_count=F("issued_count") - revoked_total)
    return {"badgeMetaId": badge_id, "revokedIssues": results}


def _revoke_error(customer_id: int, issue_id: str | None, code: int, message: str) -> dict:
    return {
        "customerId": customer_id,
        "issueId": issue_id,
        "error": ErrorItem(code, message).as_dict(),
    }


def revoke_earn(*, org: Org, body: object, identifier_type: str | None) -> dict:
    """POST customer/revokeEarn {badgeMetaId, customerId, earnedBadgeId}; 814 when nothing active matches."""
    if not isinstance(body, dict):
        raise BadgeApiError(errors.INVALID_INPUT, "The request body must be a JSON object")
    errs = ErrorCollector()
    badge_id = grants.badge_id_from(body, errs)
    # The header is read first: it says whether customerId is an integer id or an identifier.
    if customer_selectors.identifier_type(identifier_type) == customer_selectors.ID:
        customer_ref = grants.customer_id_from(body.get("customerId"), "customerId", errs)
    elif body.get("customerId") in (None, ""):
        errs.add(errors.CUSTOMER_ID_MISSING, None, "customerId")
        customer_ref = None
    else:
        raw = body["customerId"]
        if type(raw) is int:  # a mobile number sent as a JSON number
            raw = str(raw)
        customer_ref = read_name(raw, "customerId", errs, max_length=MAX_IDENTIFIER_LENGTH)
    earned_id = grants.text_id_from(body, "earnedBadgeId", errs)
    errs.raise_if_any()
    customer = customer_selectors.customer_by_identifier(org, str(customer_ref), identifier_type)
    now: datetime = timezone.now()
    with transaction.atomic():
        badge = grants.lock_badge(org, badge_id)
        revoked = Earn.objects.filter(
            badge=badge, customer=customer, public_id=earned_id, is_active=True
        ).update(is_active=False, revoked_on=now)
        if not revoked:
            raise BadgeApiError(errors.ACTIVE_EARN_NOT_FOUND, None, "earnedBadgeId")
        Badge.objects.filter(pk=badge.pk).update(earned_count=F("earned_count") - 1)
    return {
        "badgeMetaId": badge.public_id,
        "customerId": customer.customer_id,
        "earnedBadgeId": earned_id,
        "isActive": False,
    }
