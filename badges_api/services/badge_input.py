"""Reading a badge definition from a request body: every rule checked, every failure collected.

The result is the badge in its stored form: Capillary's own JSON shapes (the API's documents),
normalised (canonical enum spellings, epoch seconds, aliases resolved) so the rest of the
service never sees the variants the docs allow.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from badge_rules.timestamps import TimestampError, parse_timestamp, to_epoch
from badge_rules.windows import DAY_NAMES, parse_day_of_week
from badges_api import enums, errors
from badges_api.errors import ErrorCollector
from badges_api.inputs import (
    MAX_BIGINT,
    MAX_COUNT,
    read_name,
    read_whole_number,
    text_fits,
)

MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 4000
MAX_LIST_ITEMS = 100
# A window, a rolling period or a relative expiry spans at most a century in its unit, so every
# instant computed from an accepted value (an accepted date, 1900-2999, plus the period) fits in
# the years a date can hold, on both databases and in Python.
MAX_PERIOD = {"DAYS": 36_500, "WEEKS": 5_200, "MONTHS": 1_200}
MAX_TEXT_LENGTH = 200  # image and tag names, owner ids, fixed-window referenceIds
MAX_TAG_VALUE_LENGTH = 1000
MAX_URL_LENGTH = 2000
MAX_HANDLE_LENGTH = 500
# Where the console serves the images a marketer uploads (badges_ui/urls.py, "badge_image"): it
# sends them as absolute URLs on whatever host the browser used, plain http on a laptop.
OWN_UPLOADS_PATH = "/media/badge-images/"


@dataclass
class BadgeInput:
    """What a create or update carries; `present` names the top-level fields the body had."""

    present: set[str] = field(default_factory=set)
    name: str | None = None
    description: str = ""
    start_on: datetime | None = None
    expires_on: datetime | None = None
    earn_type: str | None = None
    active: bool | None = None
    earned_badge_expiry: dict | None = None
    issued_badge_expiry: dict | None = None
    restricted_to_owners: list[str] | None = None
    customer_constraints: list[dict] = field(default_factory=list)
    badge_constraints: list[dict] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    benefits: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    custom_fields: dict[str, object] = field(default_factory=dict)
    badge_group_id: str | None = None
    badge_rank: int | None = None
    warnings: list[dict] = field(default_factory=list)


def _timestamp(
    body: dict, key: str, errs: ErrorCollector, reference: str | None = None
) -> datetime | None:
    """`<key>ISO` wins over `<key>` (Capillary: "ISO overrides epoch")."""
    reference = reference or key
    for candidate in (f"{key}ISO", key):
        value = body.get(candidate)
        if value is None:
            continue
        try:
            return parse_timestamp(ascii_text(value))
        except TimestampError as error:
            errs.add(
                errors.INVALID_INPUT,
                f"{candidate}: {error}",
                f"{reference}ISO" if candidate.endswith("ISO") else reference,
            )
            return None
    return None


def ascii_text(value: object) -> object:
    """Refuses text with non-ASCII characters before parse_timestamp: its epoch reading (float())
    would take "１９２４９９２０００" for 1924992000, and no ISO-8601 date needs them."""
    if isinstance(value, str) and not value.isascii():
        raise TimestampError(
            "expected epoch seconds, epoch milliseconds or an ISO-8601 timestamp in ASCII digits"
        )
    return value


def parse_expiry(
    value: object, reference: str, errs: ErrorCollector, *, now: datetime, allow_past: bool
) -> dict | None:
    if not isinstance(value, dict):
        errs.add(errors.INVALID_INPUT, f"{reference} must be an object with expiryType", reference)
        return None
    expiry_type = enums.choice(value.get("expiryType"), enums.EXPIRY_TYPES)
    if expiry_type is None:
        errs.add(
            errors.INVALID_INPUT,
            enums.invalid_enum_message("expiryType", enums.EXPIRY_TYPES),
            f"{reference}.expiryType",
        )
        return None
    if expiry_type == "NEVER":
        return {"expiryType": "NEVER"}
    if expiry_type == "RELATIVE":
        raw_unit = value.get(
            "relativeExpirytype", value.get("relativeExpiryType", value.get("type"))
        )
        unit = enums.period_unit(raw_unit)
        if unit is None:
            errs.add(
                errors.INVALID_INPUT,
                enums.invalid_enum_message("relativeExpirytype", enums.PERIOD_UNITS),
                f"{reference}.relativeExpirytype",
            )
        amount = _period(value.get("value"), unit, f"{reference}.value", errs)
        if unit is None or amount is None:
            return None
        return {"expiryType": "RELATIVE", "relativeExpirytype": unit, "value": amount}
    kind = enums.choice(value.get("type"), enums.ABSOLUTE_EXPIRY_KINDS)
    if kind is None and value.get("type") is None and value.get("expireWithBadgeMeta") is True:
        kind = "WITH_BADGE_META"
    if kind is None:
        errs.add(
            errors.INVALID_INPUT,
            enums.invalid_enum_message("type", enums.ABSOLUTE_EXPIRY_KINDS),
            f"{reference}.type",
        )
        return None
    if kind == "WITH_BADGE_META":
        return {
            "expiryType": "ABSOLUTE",
            "type": "WITH_BADGE_META",
            "expiresOn": None,
            "expireWithBadgeMeta": True,
        }
    expires_on = _timestamp(value, "expiresOn", errs, f"{reference}.expiresOn")
    if expires_on is None:
        if not any(
            item.reference and item.reference.startswith(f"{reference}.expiresOn")
            for item in errs.items
        ):
            errs.add(
                errors.INVALID_INPUT,
                "expiresOn is mandatory when type is FIXED_DATE",
                f"{reference}.expiresOn",
            )
        return None
    if expires_on < now and not allow_past:
        errs.add(errors.EXPIRY_DATE_IN_PAST, None, f"{reference}.expiresOn")
        return None
    return {
        "expiryType": "ABSOLUTE",
        "type": "FIXED_DATE",
        "expiresOn": to_epoch(expires_on),
        "expireWithBadgeMeta": False,
    }


def _period(value: object, unit: str | None, reference: str, errs: ErrorCollector) -> int | None:
    """A number of days, weeks or months: 1 up to a century in that unit (MAX_PERIOD)."""
    maximum = MAX_PERIOD.get(unit or "", MAX_PERIOD["DAYS"])
    name = reference.rsplit(".", 1)[-1]
    return read_whole_number(
        value, reference, errs, maximum=maximum, name=f"{name} ({(unit or 'DAYS').lower()})"
    )


def _limit(value: object, reference: str, errs: ErrorCollector) -> int | None:
    return read_whole_number(value, reference, errs, maximum=MAX_COUNT)


def _fixed_window(item: dict, constraint_type: str, ref: str, errs: ErrorCollector) -> dict | None:
    unit = enums.period_unit(item.get("durationType"))
    limit = _limit(item.get("maxEarnLimit"), f"{ref}.maxEarnLimit", errs)
    ok = limit is not None
    if unit is None:
        errs.add(
            errors.INVALID_INPUT,
            enums.invalid_enum_message(
                "durationType", ("DAYS", "WEEKS", "MONTHS", "DAILY", "WEEKLY", "MONTHLY")
            ),
            f"{ref}.durationType",
        )
        ok = False
    stored = {"constraintType": constraint_type, "durationType": unit, "maxEarnLimit": limit}
    if unit == "DAYS":
        if item.get("refreshRate") is None:
            errs.add(
                errors.INVALID_INPUT,
                "refreshRate (days per window) is mandatory for DAYS windows",
                f"{ref}.refreshRate",
            )
            rate = None
        else:
            rate = _period(item.get("refreshRate"), "DAYS", f"{ref}.refreshRate", errs)
        ok = ok and rate is not None
        stored["refreshRate"] = rate
    elif unit == "WEEKS":
        raw_day = item.get("startDayOfTheWeek")
        try:
            day = 1 if raw_day in (None, "") else parse_day_of_week(raw_day)
        except ValueError:
            errs.add(
                errors.INVALID_INPUT,
                enums.invalid_enum_message("startDayOfTheWeek", DAY_NAMES + ("1-7",)),
                f"{ref}.startDayOfTheWeek",
            )
            ok = False
        else:
            stored["startDayOfTheWeek"] = DAY_NAMES[day - 1]
    return stored if ok else None


def _customer_rolling(item: dict, ref: str, errs: ErrorCollector) -> dict | None:
    stored = {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW"}
    pairs = (
        ("maxEarnForDays", "rollForDays", "DAYS"),
        ("maxEarnForWeeks", "rollForWeeks", "WEEKS"),
        ("maxEarnForMonths", "rollForMonths", "MONTHS"),
    )
    ok = True
    for max_key, roll_key, unit in pairs:
        if item.get(max_key) is None and item.get(roll_key) is None:
            continue
        limit = _limit(item.get(max_key), f"{ref}.{max_key}", errs)
        period = _period(item.get(roll_key), unit, f"{ref}.{roll_key}", errs)
        ok = ok and limit is not None and period is not None
        stored[max_key], stored[roll_key] = limit, period
    if ok and len(stored) == 1:
        errs.add(
            errors.INVALID_INPUT,
            "A rolling window needs at least one of maxEarnForDays/rollForDays, maxEarnForWeeks/rollForWeeks, maxEarnForMonths/rollForMonths",
            ref,
        )
        ok = False
    return stored if ok else None


def _badge_rolling(item: dict, ref: str, errs: ErrorCollector) -> dict | None:
    unit = enums.period_unit(item.get("rollType"))
    if unit is None:
        errs.add(
            errors.INVALID_INPUT,
            enums.invalid_enum_message("rollType", enums.PERIOD_UNITS),
            f"{ref}.rollType",
        )
    value = _period(item.get("rollValue"), unit, f"{ref}.rollValue", errs)
    limit = _limit(item.get("maxEarnLimit"), f"{ref}.maxEarnLimit", errs)
    if unit is None or value is None or limit is None:
        return None
    return {
        "constraintType": "BADGE_ROLLING_WINDOW",
        "rollType": unit,
        "rollValue": value,
        "maxEarnLimit": limit,
    }


def parse_constraints(value: object, level: str, errs: ErrorCollector) -> list[dict]:
    """`level` is "customerConstraints" or "badgeConstraints"."""
    if value is None:
        return []
    if not isinstance(value, list):
        errs.add(errors.INVALID_INPUT, f"{level} must be a list", level)
        return []
    allowed = (
        enums.CUSTOMER_CONSTRAINT_TYPES
        if level == "customerConstraints"
        else enums.BADGE_CONSTRAINT_TYPES
    )
    prefix = "CUSTOMER_BADGE_" if level == "customerConstraints" else "BADGE_"
    parsed: list[dict] = []
    seen_kinds: dict[str, int] = {}
    for index, item in enumerate(value):
        ref = f"{level}[{index}]"
        if not isinstance(item, dict):
            errs.add(errors.INVALID_INPUT, "each constraint must be an object", ref)
            continue
        constraint_type = enums.choice(item.get("constraintType"), allowed)
        if constraint_type is None:
            errs.add(
                errors.INVALID_INPUT,
                enums.invalid_enum_message(f"{level}.constraintType", allowed),
                f"{ref}.constraintType",
            )
            continue
        kind = constraint_type.removeprefix(prefix)
        if kind == "NO_LIMIT":
            continue  # "no limit" adds nothing; several of them are still no limit
        if kind == "FIXED_VALUE":
            limit = _limit(item.get("maxEarnLimit"), f"{ref}.maxEarnLimit", errs)
            if limit is None:
                continue
            stored = {"constraintType": constraint_type, "maxEarnLimit": limit}
        elif kind == "FIXED_WINDOW":
            stored = _fixed_window(item, constraint_type, ref, errs)
        elif level == "customerConstraints":
            stored = _customer_rolling(item, ref, errs)
        else:
            stored = _badge_rolling(item, ref, errs)
        if stored is None:
            continue
        identity = (
            kind
            if kind != "ROLLING_WINDOW" or level == "customerConstraints"
            else f"{kind}:{stored['rollType']}:{stored['rollValue']}"
        )
        if identity in seen_kinds:
            errs.add(
                errors.DUPLICATE_CONSTRAINT,
                f"Only one {constraint_type} is allowed"
                + (" per rollType and rollValue" if ":" in identity else ""),
                ref,
            )
            continue
        seen_kinds[identity] = index
        if kind == "FIXED_WINDOW":
            reference_id = item.get("referenceId")
            if isinstance(reference_id, int) and not isinstance(reference_id, bool):
                reference_id = str(reference_id)
            if reference_id in (None, ""):
                reference_id = str(uuid.uuid4())
            else:
                reference_id = read_name(
                    reference_id, f"{ref}.referenceId", errs, max_length=MAX_TEXT_LENGTH
                )
                if reference_id is None:
                    continue
            stored["referenceId"] = reference_id
        parsed.append(stored)
    return parsed


def _images(value: object, errs: ErrorCollector) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        errs.add(
            errors.INVALID_INPUT, f"images must be a list of at most {MAX_LIST_ITEMS}", "images"
        )
        return []
    images = []
    for index, item in enumerate(value):
        ref = f"images[{index}]"
        if not isinstance(item, dict):
            errs.add(errors.INVALID_INPUT, "each image must be an object", ref)
            continue
        tag = enums.choice(item.get("tag"), enums.IMAGE_TAGS)
        if tag is None:
            errs.add(
                errors.INVALID_INPUT,
                enums.invalid_enum_message("tag", enums.IMAGE_TAGS),
                f"{ref}.tag",
            )
            continue
        before = len(errs.items)
        name = _text(item.get("name"), f"{ref}.name", errs, max_length=MAX_TEXT_LENGTH) or ""
        handle = _text(
            item.get("fileSvcHandle"), f"{ref}.fileSvcHandle", errs, max_length=MAX_HANDLE_LENGTH
        )
        url = _text(item.get("url"), f"{ref}.url", errs, max_length=MAX_URL_LENGTH)
        if url is not None and not image_url_allowed(url):
            errs.add(
                errors.INVALID_INPUT,
                f"url must be an https:// address or one of this service's uploads ({OWN_UPLOADS_PATH}...), or a path on this server",
                f"{ref}.url",
            )
        if len(errs.items) > before:
            continue
        if url is None and handle is None:
            errs.add(errors.INVALID_INPUT, "an image needs a url or a fileSvcHandle", f"{ref}.url")
            continue
        images.append({"name": name, "fileSvcHandle": handle, "url": url, "tag": tag})
    return images


def _text(
    value: object, reference: str, errs: ErrorCollector, *, max_length: int, free_text: bool = False
) -> str | None:
    """Optional text: None when absent or blank; a 400 for non-text, control characters or length."""
    if value is None:
        return None
    if not isinstance(value, str):
        errs.add(errors.INVALID_INPUT, f"{reference} must be text", reference)
        return None
    text = value if free_text else value.strip()
    if not text.strip():
        return None
    return (
        text
        if text_fits(text, reference, errs, max_length=max_length, free_text=free_text)
        else None
    )


# https anywhere; this service's own uploads on any scheme and host (a laptop serves them over
# plain http); a path on this server, where the demo badges' images live (/static/...). Never
# javascript:, data: or plain http elsewhere: apps and the console put these URLs in <img src>.
_HTTPS_URL = re.compile(r"https://[^\s/?#@]+(?:[/?#]\S*)?", re.IGNORECASE)
_OWN_UPLOAD_URL = re.compile(
    r"(?:https?://[^\s/?#@]+)?" + re.escape(OWN_UPLOADS_PATH) + r"[\w.-]+", re.IGNORECASE
)
_LOCAL_PATH = re.compile(r"/(?![/\\])\S*")


def image_url_allowed(url: str) -> bool:
    return bool(
        _HTTPS_URL.fullmatch(url) or _OWN_UPLOAD_URL.fullmatch(url) or _LOCAL_PATH.fullmatch(url)
    )


_BENEFIT_FIELDS = {
    "COUPON": (("seriesId",), ()),
    "GIFT_VOUCHER": (("seriesId",), ()),
    "CART_PROMOTION": (("promotionId",), ()),
    "LOYALTY_POINTS": (
        ("programId", "promotionId", "allocationStrategyId", "expirationStrategyId"),
        ("points", "defaultTillId"),
    ),
}


# Benefit fields are ids in Capillary's other modules (BIGINT there), except points, a count.
_BENEFIT_MAXIMUM = {"points": MAX_COUNT}


def _benefits(value: object, errs: ErrorCollector) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        errs.add(
            errors.INVALID_INPUT, f"benefits must be a list of at most {MAX_LIST_ITEMS}", "benefits"
        )
        return []
    benefits = []
    for index, item in enumerate(value):
        ref = f"benefits[{index}]"
        if not isinstance(item, dict):
            errs.add(errors.INVALID_INPUT, "each benefit must be an object", ref)
            continue
        benefit_type = enums.choice(item.get("benefitType"), enums.BENEFIT_TYPES)
        if benefit_type is None:
            errs.add(
                errors.INVALID_INPUT,
                enums.invalid_enum_message("benefitType", enums.BENEFIT_TYPES),
                f"{ref}.benefitType",
            )
            continue
        required, optional = _BENEFIT_FIELDS[benefit_type]
        stored: dict = {"benefitType": benefit_type}
        ok = True
        for key in required:
            if item.get(key) is None:
                errs.add(
                    errors.INVALID_INPUT,
                    f"{key} is mandatory for {benefit_type} benefits",
                    f"{ref}.{key}",
                )
                number = None
            else:
                number = read_whole_number(
                    item.get(key),
                    f"{ref}.{key}",
                    errs,
                    maximum=_BENEFIT_MAXIMUM.get(key, MAX_BIGINT),
                )
            ok = ok and number is not None
            stored[key] = number
        for key in optional:
            raw = item.get(key)
            number = (
                None
                if raw is None
                else read_whole_number(
                    raw, f"{ref}.{key}", errs, maximum=_BENEFIT_MAXIMUM.get(key, MAX_BIGINT)
                )
            )
            ok = ok and (raw is None or number is not None)
            stored[key] = number
        if ok:
            benefits.append(stored)
    return benefits


def _tags(value: object, errs: ErrorCollector) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        errs.add(errors.INVALID_INPUT, f"tags must be a list of at most {MAX_LIST_ITEMS}", "tags")
        return []
    tags = []
    for index, item in enumerate(value):
        ref = f"tags[{index}]"
        if not isinstance(item, dict):
            errs.add(errors.INVALID_INPUT, "each tag needs a name", f"{ref}.name")
            continue
        name = read_name(item.get("name"), f"{ref}.name", errs, max_length=MAX_TEXT_LENGTH)
        raw_value = item.get("value")
        if raw_value is not None and not isinstance(raw_value, (str, int, float, bool)):
            errs.add(errors.INVALID_INPUT, "a tag value must be text", f"{ref}.value")
            continue
        value = None if raw_value is None else str(raw_value)
        if value is not None and not text_fits(
            value, f"{ref}.value", errs, max_length=MAX_TAG_VALUE_LENGTH, free_text=True
        ):
            continue
        if name is not None:
            tags.append({"name": name, "value": value})
    return tags


def parse_badge_input(
    body: object, *, now: datetime, migration: bool, errs: ErrorCollector
) -> BadgeInput:
    """Everything about the body alone; rules that need the database live in the services."""
    data = BadgeInput()
    if not isinstance(body, dict):
        errs.add(errors.INVALID_INPUT, "The request body must be a JSON object")
        return data
    data.present = set(body)
    if "isActive" in body:
        data.present.add("active")

    if "name" in body:
        data.name = read_name(body["name"], "name", errs, max_length=MAX_NAME_LENGTH)

    description = body.get("description")
    if description is not None:
        if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
            errs.add(
                errors.INVALID_INPUT,
                f"description must be text of at most {MAX_DESCRIPTION_LENGTH} characters",
                "description",
            )
        elif text_fits(
            description, "description", errs, max_length=MAX_DESCRIPTION_LENGTH, free_text=True
        ):
            data.description = description

    data.start_on = _timestamp(body, "startOn", errs)
    data.expires_on = _timestamp(body, "expiresOn", errs)
    if data.start_on and data.expires_on and data.start_on >= data.expires_on:
        errs.add(errors.START_AFTER_END, None, "expiresOn")
    if data.start_on and data.start_on < now - timedelta(days=365 * 100 + 25):
        errs.add(errors.START_DATE_TOO_OLD, None, "startOn")

    earn_type = body.get("earnType")
    if earn_type is not None or "earnType" in body:
        data.earn_type = enums.choice(earn_type, enums.EARN_TYPES)
        if data.earn_type is None:
            errs.add(
                errors.INVALID_INPUT,
                enums.invalid_enum_message("earnType", enums.EARN_TYPES),
                "earnType",
            )

    # `isActive` is read as `active`; either, when sent, is a boolean (null is not "omitted").
    for key in ("active", "isActive"):
        if key in body:
            if isinstance(body[key], bool):
                data.active = body[key] if data.active is None else data.active
            else:
                errs.add(errors.INVALID_INPUT, f"{key} must be true or false", key)

    if "earnedBadgeExpiry" in body:
        data.earned_badge_expiry = parse_expiry(
            body["earnedBadgeExpiry"], "earnedBadgeExpiry", errs, now=now, allow_past=migration
        )
    if body.get("issuedBadgeExpiry") is not None:
        data.issued_badge_expiry = parse_expiry(
            body["issuedBadgeExpiry"], "issuedBadgeExpiry", errs, now=now, allow_past=migration
        )

    ownership = body.get("ownership")
    if "ownership" in body:
        owners = ownership.get("restrictedToOwners") if isinstance(ownership, dict) else None
        if not isinstance(owners, list) or not owners:
            errs.add(errors.OWNER_REQUIRED, None, "ownership.restrictedToOwners")
        else:
            canonical: list[str] = []
            for index, raw in enumerate(owners):
                owner = enums.owner_type(raw)
                if owner is None:
                    errs.add(
                        errors.OWNER_TYPE_NOT_ALLOWED,
                        f"Owner type is not allowed: {raw!r}; allowed values: {', '.join(enums.OWNER_TYPES)}",
                        f"ownership.restrictedToOwners[{index}]",
                    )
                elif owner not in canonical:
                    canonical.append(owner)
            data.restricted_to_owners = canonical
        if isinstance(ownership, dict) and ownership.get("claims"):
            data.warnings.append(
                {
                    "code": errors.INVALID_INPUT,
                    "message": "Claims cannot be set while creating or updating a badge; use the claim API. They were ignored.",
                    "reference": "ownership.claims",
                }
            )

    data.customer_constraints = parse_constraints(
        body.get("customerConstraints"), "customerConstraints", errs
    )
    data.badge_constraints = parse_constraints(
        body.get("badgeConstraints"), "badgeConstraints", errs
    )
    data.images = _images(body.get("images"), errs)
    data.benefits = _benefits(body.get("benefits"), errs)
    data.tags = _tags(body.get("tags"), errs)

    custom_fields = body.get("customFields")
    if custom_fields is not None:
        if not isinstance(custom_fields, dict):
            errs.add(
                errors.INVALID_INPUT,
                "customFields must be an object of name: value",
                "customFields",
            )
        else:
            data.custom_fields = dict(custom_fields)

    group_id = body.get("badgeGroupId")
    if group_id is not None:
        if not isinstance(group_id, str) or not group_id.strip():
            errs.add(errors.INVALID_INPUT, "badgeGroupId must be a group id", "badgeGroupId")
        else:
            data.badge_group_id = read_name(
                group_id, "badgeGroupId", errs, max_length=MAX_TEXT_LENGTH
            )
    rank = body.get("badgeRank")
    if rank is not None:
        data.badge_rank = read_whole_number(rank, "badgeRank", errs, maximum=MAX_COUNT)
    return data
