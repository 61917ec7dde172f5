"""Brings badges stored before the value ranges (issue 9) back inside them.

A create with a number past 64 bits (maxEarnLimit 1e30, seriesId 2**70) used to commit the badge
and fail while answering; every list that included it then failed too, and limits past 2^63 made
every later earn fail. Such a badge is clamped to the documented ranges (docs/API.md, "Value
ranges"): a limit of 10^30 and one of 2^31-1 mean the same, as do expiries of 10^18 and 36,500
days. The ranges are written out here, not imported, so the migration never changes meaning.
Definitions are few (hundreds per org), so a pass in Python is cheap; only changed rows are saved.
"""

from django.db import migrations

MAX_COUNT = 2**31 - 1
MAX_BIGINT = 2**63 - 1
MAX_PERIOD = {"DAYS": 36_500, "WEEKS": 5_200, "MONTHS": 1_200}
LIMIT_KEYS = ("maxEarnLimit", "maxEarnForDays", "maxEarnForWeeks", "maxEarnForMonths")
PERIOD_KEYS = {"rollForDays": "DAYS", "rollForWeeks": "WEEKS", "rollForMonths": "MONTHS", "refreshRate": "DAYS"}
BENEFIT_KEYS = {
    "seriesId": MAX_BIGINT, "promotionId": MAX_BIGINT, "programId": MAX_BIGINT, "allocationStrategyId": MAX_BIGINT,
    "expirationStrategyId": MAX_BIGINT, "defaultTillId": MAX_BIGINT, "points": MAX_COUNT,
}


def _clamp(value, maximum):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return max(1, min(int(value), maximum))


def _constraint(item):
    if not isinstance(item, dict):
        return item
    fixed = dict(item)
    for key in LIMIT_KEYS:
        if key in fixed:
            fixed[key] = _clamp(fixed[key], MAX_COUNT)
    for key, unit in PERIOD_KEYS.items():
        if key in fixed:
            fixed[key] = _clamp(fixed[key], MAX_PERIOD[unit])
    if "rollValue" in fixed:
        fixed["rollValue"] = _clamp(fixed["rollValue"], MAX_PERIOD.get(fixed.get("rollType"), MAX_PERIOD["DAYS"]))
    return fixed


def _expiry(expiry):
    if not isinstance(expiry, dict) or expiry.get("expiryType") != "RELATIVE":
        return expiry
    unit = expiry.get("relativeExpirytype")
    return expiry | {"value": _clamp(expiry.get("value"), MAX_PERIOD.get(unit, MAX_PERIOD["DAYS"]))}


def _benefit(item):
    if not isinstance(item, dict):
        return item
    return {key: _clamp(value, BENEFIT_KEYS[key]) if key in BENEFIT_KEYS and value is not None else value
            for key, value in item.items()}


def clamp_definitions(apps, schema_editor):
    Badge = apps.get_model("badges_api", "Badge")
    fields = ("customer_constraints", "badge_constraints", "earned_badge_expiry", "issued_badge_expiry", "benefits")
    for badge in Badge.objects.only("pk", *fields).iterator(chunk_size=500):
        fixed = {
            "customer_constraints": [_constraint(c) for c in badge.customer_constraints or []],
            "badge_constraints": [_constraint(c) for c in badge.badge_constraints or []],
            "earned_badge_expiry": _expiry(badge.earned_badge_expiry),
            "issued_badge_expiry": _expiry(badge.issued_badge_expiry),
            "benefits": [_benefit(b) for b in badge.benefits or []],
        }
        changed = {field: value for field, value in fixed.items() if value != getattr(badge, field)}
        if changed:
            Badge.objects.filter(pk=badge.pk).update(**changed)


class Migration(migrations.Migration):

    dependencies = [
        ("badges_api", "0006_customer_org_without_fk_check"),
    ]

    operations = [
        migrations.RunPython(clamp_definitions, migrations.RunPython.noop),
    ]
