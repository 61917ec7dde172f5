"""Reads of the customer registry: one customer by any identifier, and the support lookup box.

Capillary names a customer in a path by its integer id, or by another identifier when the
request carries `X-CAP-CUSTOMER-IDENTIFIER` (email, mobile, externalId, cardNumber). Values are
normalised here exactly as the import stores them, so a lookup finds what an import wrote:
emails lower-cased, mobiles reduced to their digits, everything else trimmed.
"""

import re

from django.db.models import Q

from badges_api import errors
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.inputs import MAX_BIGINT, whole_number
from badges_api.models import Customer, Org
from badges_api.selectors.pagination import page_from_query

# request.META key of the header that says which identifier a path's customerId is.
IDENTIFIER_HEADER = "HTTP_X_CAP_CUSTOMER_IDENTIFIER"

ID = "id"
EMAIL = "email"
MOBILE = "mobile"
EXTERNAL_ID = "externalId"
CARD_NUMBER = "cardNumber"
IDENTIFIER_TYPES = (ID, EMAIL, MOBILE, EXTERNAL_ID, CARD_NUMBER)

# Identifier type -> its column. `id` is Capillary's customer id, not our row id.
COLUMNS = {
    ID: "customer_id",
    EMAIL: "email",
    MOBILE: "mobile",
    EXTERNAL_ID: "external_id",
    CARD_NUMBER: "card_number",
}

# Header values, compared lower-cased with "_", "-" and spaces removed, so `externalId`,
# `EXTERNAL_ID`, `external-id` and the seed's "External ID" all mean the same.
_TYPE_SPELLINGS = {
    "id": ID,
    "customerid": ID,
    "email": EMAIL,
    "emailid": EMAIL,
    "mobile": MOBILE,
    "mobilenumber": MOBILE,
    "externalid": EXTERNAL_ID,
    "cardnumber": CARD_NUMBER,
}
_SPELLING_NOISE = str.maketrans("", "", "_- ")

MAX_CUSTOMER_ID = MAX_BIGINT
MAX_LENGTHS = {
    EMAIL: Customer._meta.get_field("email").max_length,
    EXTERNAL_ID: Customer._meta.get_field("external_id").max_length,
    CARD_NUMBER: Customer._meta.get_field("card_number").max_length,
}
MOBILE_DIGITS = (6, 15)  # E.164 allows at most 15 digits with the country code

EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
MOBILE_SEPARATORS = str.maketrans("", "", " -().\t")


def identifier_type(header_value: str | None) -> str:
    """The identifier type named by X-CAP-CUSTOMER-IDENTIFIER; absent or blank means `id`."""
    if header_value is None or not header_value.strip():
        return ID
    kind = _TYPE_SPELLINGS.get(header_value.strip().lower().translate(_SPELLING_NOISE))
    if kind is None:
        raise BadgeApiError(
            errors.INVALID_CUSTOMER_IDENTIFIER_TYPE, reference="X-CAP-CUSTOMER-IDENTIFIER"
        )
    return kind


def parse_customer_id(raw: str) -> int | None:
    """A positive whole number in a signed 64-bit column, written with ASCII digits only."""
    return whole_number(raw, maximum=MAX_CUSTOMER_ID)


def normalise_email(raw: str) -> str | None:
    """The stored form (trimmed, lower-cased), or None when it is not shaped like an address."""
    value = raw.strip().lower()
    if len(value) > MAX_LENGTHS[EMAIL] or not EMAIL_SHAPE.fullmatch(value):
        return None
    return value


def normalise_mobile(raw: str) -> str | None:
    """The digits of a phone number (`+91 98765-43210` -> `919876543210`), or None."""
    value = raw.strip().translate(MOBILE_SEPARATORS)
    if value.startswith("+"):
        value = value[1:]
    low, high = MOBILE_DIGITS
    if not (value.isascii() and value.isdigit() and low <= len(value) <= high):
        return None
    return value


def lookup_value(kind: str, raw: str) -> int | str | None:
    """The stored value a path's customerId stands for, or None when nothing could match."""
    if kind == ID:
        return parse_customer_id(raw)
    if kind == EMAIL:
        return normalise_email(raw)
    if kind == MOBILE:
        return normalise_mobile(raw)
    value = raw.strip()
    return value if value and len(value) <= MAX_LENGTHS[kind] else None


def customer_by_identifier(org: Org, value: str, identifier_type_header: str | None) -> Customer:
    """The org's customer named by `value`; 1028 for an unknown identifier type, 1026 if absent.

    `identifier_type_header` is the raw X-CAP-CUSTOMER-IDENTIFIER value (None when absent):
    views pass `request.META.get(IDENTIFIER_HEADER)`. One indexed query (each identifier has a
    unique index starting with the org).
    """
    kind = identifier_type(identifier_type_header)
    stored = lookup_value(kind, str(value))
    customer = None
    if stored is not None:
        customer = Customer.objects.filter(org=org, **{COLUMNS[kind]: stored}).first()
    if customer is None:
        raise BadgeApiError(errors.CUSTOMER_NOT_FOUND, reference="customerId", status=404)
    return customer


# --- The support agent's lookup box ----------------------------------------------------------

PROFILE_FIELDS = (
    "customer_id",
    "email",
    "mobile",
    "external_id",
    "card_number",
    "first_name",
    "last_name",
    "created_on",
    "last_updated_on",
)
_ABOVE_ANY_SUFFIX = "\U0010ffff"


def _prefix(org: Org, column: str, prefix: str) -> Q:
    """The org's rows whose `column` starts with `prefix`, answerable from the column's index.

    A range (prefix <= value < prefix + U+10FFFF) walks the (org, column) index under byte-wise
    ordering (SQLite's BINARY, PostgreSQL's C and C.UTF-8 collations); `startswith` re-checks each
    row so the answer stays exact under any collation.
    """
    return Q(
        org=org,
        **{
            f"{column}__gte": prefix,
            f"{column}__lt": prefix + _ABOVE_ANY_SUFFIX,
            f"{column}__startswith": prefix,
        },
    )


def _id_prefix(org: Org, digits: str) -> list[Q]:
    """The org's customer ids whose decimal form starts with `digits`: an index range per length."""
    # More digits than the largest id has can match nothing (and int() refuses 4,300 digits).
    if (
        not (digits.isascii() and digits.isdigit())
        or digits.startswith("0")
        or len(digits) > len(str(MAX_CUSTOMER_ID))
    ):
        return []
    start = int(digits)
    ranges = []
    scale = 1
    while start * scale <= MAX_CUSTOMER_ID:
        low, high = start * scale, min((start + 1) * scale - 1, MAX_CUSTOMER_ID)
        ranges.append(Q(org=org, customer_id__gte=low, customer_id__lte=high))
        scale *= 10
    return ranges


def _name_prefix(org: Org, search: str) -> list[Q]:
    """The org's customers whose first or last name starts with `search`, or whose first name
    is its first word and last name starts with the rest ("ann le" finds Ann Lee); ignoring case
    (ASCII letters only on SQLite, whose LIKE folds no other case)."""
    first_word, _, rest = search.partition(" ")
    terms = [
        Q(org=org, first_name__istartswith=search),
        Q(org=org, last_name__istartswith=search),
    ]
    if rest.strip():
        terms.append(Q(org=org, first_name__iexact=first_word, last_name__istartswith=rest.strip()))
    return terms


def _may_be_a_name(search: str) -> bool:
    """Names are letters (with spaces, dashes, apostrophes...), never digits or an `@`: such
    terms stay on the identifier indexes."""
    return "@" not in search and any(map(str.isalpha, search)) and not any(map(str.isdigit, search))


def search_filter(org: Org, search: str) -> Q:
    """The org's customers whose id, email (case-insensitively), mobile, externalId,
    cardNumber or name starts with `search`.

    Every identifier alternative names the org itself, so each is one range of one (org, column)
    index and both databases answer the OR by merging index ranges instead of reading the whole
    org. Names have no index (two more would slow every import for a support-only lookup), so
    they are searched only when the term could be a name (letters, no digit, no `@`); then the
    org's rows are read, about a second per million customers.
    """
    search = search.strip()
    terms = _id_prefix(org, search)
    terms.append(_prefix(org, "email", search.lower()))
    mobile_digits = search.translate(MOBILE_SEPARATORS).removeprefix("+")
    if mobile_digits.isascii() and mobile_digits.isdigit():
        terms.append(_prefix(org, "mobile", mobile_digits))
    terms.append(_prefix(org, "external_id", search))
    terms.append(_prefix(org, "card_number", search))
    if _may_be_a_name(search):
        terms += _name_prefix(org, " ".join(search.split()))
    combined = Q()
    for term in terms:
        combined |= term
    return combined


def customer_search(org: Org, query) -> tuple[list[dict], dict]:
    """A page of the org's customers by `search` prefix (all customers without one), by id.

    Query: `search`, `page` (0-based), `size` (alias `limit`, default 10, at most 1000).
    """
    errs = ErrorCollector()
    page = page_from_query(query, errs, size_names=("size", "limit"))
    errs.raise_if_any()
    search = (query.get("search") or "").strip()
    customers = Customer.objects.filter(search_filter(org, search) if search else Q(org=org))
    total = customers.count()
    rows = list(
        customers.order_by("customer_id").values(*PROFILE_FIELDS)[
            page.offset : page.offset + page.size
        ]
    )
    return rows, page.block(total)


def customer_profile(org: Org, value: str, identifier_type_header: str | None) -> dict:
    """The profile columns of one customer (see customer_by_identifier for the codes)."""
    customer = customer_by_identifier(org, value, identifier_type_header)
    return {name: getattr(customer, name) for name in PROFILE_FIELDS}
