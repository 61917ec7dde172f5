"""Reads of one customer's badges: the customer view and the support (management) views.

- `customer_badges`: GET customer/{customerId} (seed 003), the hot path.
- `management_badges`: GET management/{customerId}, the filterable list behind a support screen.
- `management_badge_detail`: GET management/{customerId}/badge/{badgeId}, every enrolment and
  earn of one customer for one badge, and the live counter of each limit.

The customer view costs one indexed query whatever the org holds (200 badges, a million
earns): the customer, and its earns aggregated per badge (index customer, badge, expires_on).
The org's badge definitions come from a per-process catalogue, kept in RANK order and rendered
to JSON (see "the catalogue" below: measured, reading and rendering them per request cost
several times everything else). The management list pages in SQL instead: it filters on owners,
claims, names and dates, and nobody calls it hundreds of times a second. Both read rows with
`cursor.execute` and only the columns they render.

What the customer's badge types mean (Capillary documents them in one line each):
- AVAILABLE_TO_ISSUE (default): enrol-and-issue (ISSUE_EARN) badges that are live and active,
  which the customer does not currently hold; enrolled or not.
- AVAILABLE: direct (EARN) badges that are live and active, which the customer does not hold.
  Limits are not evaluated here: the earn call answers them.
- EARNED: badges the customer holds a live earned instance of (not revoked, not expired),
  whatever the badge's own status or activation. `includeExpired=true` adds the badges whose
  earned instances have all expired.
- EXPIRED: badges whose earned instances (not revoked) have all expired, none live.
So EARNED and EXPIRED split the badges a customer ever earned; revoked earns count nowhere.
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

import orjson
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from badge_rules.ranking import rank_sort_key
from badge_rules.status import badge_status, item_status
from badge_rules.timestamps import TimestampError, parse_timestamp, to_epoch, to_iso
from badges_api import enums, errors
from badges_api.api.representations import constraint_to_wire, cycle_to_wire
from badges_api.errors import BadgeApiError, ErrorCollector
from badges_api.fixed_windows import current_window, live_enrolment_expiry, org_tz, windows_end
from badges_api.models import Badge, BadgeClaim, BadgeGroup, Customer, Org
from badges_api.selectors import customers as customer_selectors
from badges_api.selectors.badges import badge_by_public_id
from badges_api.selectors.pagination import Page, page_from_query
from badges_api.services import earning
from badges_api.sql import timestamp

AVAILABLE_TO_ISSUE = "AVAILABLE_TO_ISSUE"
AVAILABLE = "AVAILABLE"
EARNED = "EARNED"
EXPIRED = "EXPIRED"
BADGE_TYPES = (AVAILABLE_TO_ISSUE, AVAILABLE, EARNED, EXPIRED)

RANK = "RANK"
LAST_EARNED_ON_DATE = "LAST_EARNED_ON_DATE"
LAST_EARNED_EVENT_DATE = "LAST_EARNED_EVENT_DATE"
CUSTOMER_SORTS = (RANK, LAST_EARNED_ON_DATE, LAST_EARNED_EVENT_DATE)

MANAGEMENT_SORTS = (
    "EXPIRES_ON",
    "LAST_MODIFIED_DATE",
    "LAST_ISSUED_DATE",
    "LAST_EXPIRED_BADGE",
    "LAST_EARNED_EVENT_DATE",
    "LAST_EARNED_ON_DATE",
)
MANAGEMENT_ACTIONS = {"ACTIVATED": True, "DEACTIVATED": False, "DE_ACTIVATED": False}
OPERATORS = ("LESS_THAN", "GREATER_THAN")

# The detail view lists every enrolment and earn, newest first, up to this many of each; the
# counts beside the lists are always complete, and `truncated` says when a list was cut.
MAX_HISTORY_ITEMS = 1000

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}

# The customer's earns of each badge, aggregated once per request (index customer, badge,
# expires_on). Revoked earns are gone from every count, as they are from the limits.
_EARNS_CTE = (
    "mine AS (SELECT badge_id, COUNT(*) AS earned,"
    " SUM(CASE WHEN expires_on > %s THEN 1 ELSE 0 END) AS live,"
    " MAX(earned_on) AS last_earned_on, MAX(event_date) AS last_event_date,"
    " MAX(CASE WHEN expires_on <= %s THEN expires_on END) AS last_expired_on"
    " FROM badges_api_earn WHERE customer_id = %s AND is_active GROUP BY badge_id)"
)
# The customer's enrolments of each badge (management only; index customer, badge).
_ENROLMENTS_CTE = (
    "enrolled AS (SELECT badge_id, COUNT(*) AS issued, MAX(issued_on) AS last_issued_on,"
    " MAX(CASE WHEN is_active AND expires_on > %s THEN 1 ELSE 0 END) AS live,"
    " MAX(CASE WHEN is_active THEN 1 ELSE 0 END) AS kept"
    " FROM badges_api_enrolment WHERE customer_id = %s GROUP BY badge_id)"
)
_MANAGEMENT_SORT_COLUMNS = {
    "EXPIRES_ON": "b.expires_on",
    "LAST_MODIFIED_DATE": "b.last_updated_on",
    "LAST_ISSUED_DATE": "en.last_issued_on",
    "LAST_EXPIRED_BADGE": "m.last_expired_on",
    "LAST_EARNED_EVENT_DATE": "m.last_event_date",
    "LAST_EARNED_ON_DATE": "m.last_earned_on",
}

_MANAGEMENT_COLUMNS = (
    "b.id, b.public_id, b.name, b.description, b.earn_type, g.public_id, g.name, b.badge_rank,"
    " b.created_on, b.last_updated_on, b.images, b.start_on, b.expires_on, b.restricted_to_owners,"
    " b.active, m.earned, m.live, m.last_earned_on, m.last_event_date, m.last_expired_on,"
    " en.issued, en.live, en.kept, en.last_issued_on"
)


# --- query parameters ------------------------------------------------------------------------


def _flag(query, name: str, errs: ErrorCollector) -> bool:
    raw = str(query.get(name, "")).strip().lower()
    if raw in _TRUE:
        return True
    if raw not in _FALSE:
        errs.add(errors.INVALID_INPUT, f"{name} must be true or false", name)
    return False


def _choice(
    query, name: str, allowed: tuple[str, ...], default: str | None, errs: ErrorCollector
) -> str | None:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    value = enums.choice(raw, allowed)
    if value is None:
        errs.add(errors.INVALID_INPUT, enums.invalid_enum_message(name, allowed), name)
        return default
    return value


def _moment(query, name: str, errs: ErrorCollector) -> datetime | None:
    raw = query.get(name)
    if raw in (None, ""):
        return None
    try:
        return parse_timestamp(raw)
    except TimestampError as error:
        errs.add(errors.INVALID_INPUT, f"{name}: {error}", name)
        return None


@dataclass(frozen=True, slots=True)
class CustomerBadgeQuery:
    badge_type: str
    include_expired: bool
    group_id: str | None
    sort: str
    page: Page


def customer_badge_query(query) -> CustomerBadgeQuery:
    """The customer view's parameters; every bad one answered at once (400)."""
    return _parsed_query(query) if query else _DEFAULT_QUERY


def _parsed_query(query) -> CustomerBadgeQuery:
    errs = ErrorCollector()
    badge_type = _choice(query, "badgeType", BADGE_TYPES, AVAILABLE_TO_ISSUE, errs)
    sort = _choice(query, "sortOn", CUSTOMER_SORTS, RANK, errs)
    include_expired = _flag(query, "includeExpired", errs)
    page = page_from_query(query, errs, size_names=("limit", "size"))
    errs.raise_if_any()
    group_id = (query.get("groupId") or "").strip() or None
    return CustomerBadgeQuery(badge_type, include_expired, group_id, sort, page)


_DEFAULT_QUERY = _parsed_query({})  # the most common call names no parameter: parsed once


def _claims(badge_pks: list[int]) -> dict[int, list[dict]]:
    claims: dict[int, list[dict]] = defaultdict(list)
    if not badge_pks:
        return claims
    marks = ", ".join(["%s"] * len(badge_pks))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT badge_id, owner_type, reference_id, is_active FROM badges_api_badgeclaim"
            f" WHERE badge_id IN ({marks}) ORDER BY id",
            badge_pks,
        )
        for badge_pk, owner, reference, active in cursor.fetchall():
            claims[badge_pk].append(
                {"ownerType": owner, "referenceId": reference, "isActive": bool(active)}
            )
    return claims


# --- rendering helpers -----------------------------------------------------------------------


def _instant(value) -> datetime | None:
    """A column as an aware UTC datetime: SQLite answers naive datetimes, or text for MAX()."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _stamps(value) -> tuple[float | int | None, str | None]:
    """to_epoch and to_iso of the instant a column holds, as _stamp writes them, for the hot path.

    The customer view's query answers dates as the text Django stores on SQLite: naive UTC,
    'YYYY-MM-DD HH:MM:SS', with '.ffffff' only when there are microseconds (PostgreSQL's
    to_char always writes them). to_iso's form of it is that text cut at milliseconds, with a T
    and a Z; formatting datetimes instead was a seventh of the customer view's CPU.
    """
    if value is None:
        return None, None
    if isinstance(value, str):
        if value.endswith(".000000"):
            value = value[:19]
        return to_epoch(datetime.fromisoformat(value + "+00:00")), f"{value[:10]}T{value[11:23]}Z"
    moment = _instant(value)
    return to_epoch(moment), to_iso(moment)


def _json(value):
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def _stamp(fields: dict, key: str, moment: datetime | None) -> None:
    fields[key] = to_epoch(moment)
    fields[f"{key}ISO"] = to_iso(moment)


@dataclass(frozen=True, slots=True)
class _Span:
    """What constraint_to_wire reads of a badge: its span, and what an enrolment's span is."""

    start_on: datetime
    expires_on: datetime
    earn_type: str
    issued_badge_expiry: dict | None


# --- the customer: one indexed SELECT ---------------------------------------------------------


def customer_pk(org: Org, customer_ref: str, identifier_type_header: str | None) -> int:
    """Our row id of the org's customer named by `customer_ref`; 1028 / 1026 as customer_by_identifier.

    The same identifier rules (selectors/customers.py), read with one hand-written SELECT: on the
    hot path the ORM's query compilation costs several times what the database spends answering.
    """
    kind = customer_selectors.identifier_type(identifier_type_header)
    stored = customer_selectors.lookup_value(kind, str(customer_ref))
    row = None
    if stored is not None:
        column = customer_selectors.COLUMNS[kind]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM badges_api_customer WHERE org_id = %s AND {column} = %s",
                [org.pk, stored],
            )  # noqa: S608 - column from a fixed map
            row = cursor.fetchone()
    if row is None:
        raise BadgeApiError(errors.CUSTOMER_NOT_FOUND, reference="customerId", status=404)
    return row[0]


# --- the catalogue: the org's badge definitions, kept rendered in each process -----------------
#
# Every customer view needs the same 200-odd definitions; reading and rendering them per request
# cost several times the rest of the request (bench/bench_customer_badges.py). So each process
# keeps them per org, already in RANK order and rendered as JSON bytes around the fields that
# depend on the customer (a response joins bytes instead of copying and serialising the same
# dicts every time), with the live badges of each earn type listed. It stays exact:
# - in this process, any save of a badge, claim or group forgets it (signals below);
# - saves by other processes are noticed by a fingerprint (count and latest lastUpdatedOn of the
#   org's badges, claims and groups), checked at most every BADGES_CATALOGUE_REVALIDATE_SECONDS
#   (setting; default 1, so another worker's change shows within a second; 0 checks on every
#   request), and the catalogue is rebuilt at least every 5 minutes whatever the fingerprint says;
# - what depends on the clock (live or not, cycleStatus, the current fixed-window cycle) is
#   re-rendered as soon as it can change: at a badge's start or end, and at local midnight for
#   badges with fixed windows.

DEFAULT_REVALIDATE_SECONDS = 1.0
MAX_CATALOGUE_AGE_SECONDS = 300.0
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)

_CATALOGUE_SQL = (
    "SELECT b.id, b.public_id, b.org_id, b.name, b.description, b.start_on, b.expires_on, b.images,"
    " g.public_id, g.name, g.rank, b.badge_rank, b.restricted_to_owners, b.earn_type,"
    " b.customer_constraints, b.badge_constraints, b.custom_fields, b.active, b.tags, b.issued_badge_expiry"
    " FROM badges_api_badge b LEFT JOIN badges_api_badgegroup g ON g.id = b.group_id AND g.is_active"
    " WHERE b.org_id = %s"
)
_CATALOGUE_CLAIMS_SQL = (
    "SELECT c.badge_id, c.owner_type, c.reference_id, c.is_active FROM badges_api_badgeclaim c"
    " JOIN badges_api_badge b ON b.id = c.badge_id WHERE b.org_id = %s ORDER BY c.id"
)
_FINGERPRINT_SQL = (
    "SELECT (SELECT COUNT(*) FROM badges_api_badge WHERE org_id = %s),"
    " (SELECT MAX(last_updated_on) FROM badges_api_badge WHERE org_id = %s),"
    " (SELECT COUNT(*) FROM badges_api_badgeclaim c JOIN badges_api_badge b ON b.id = c.badge_id WHERE b.org_id = %s),"
    " (SELECT MAX(c.last_updated_on) FROM badges_api_badgeclaim c JOIN badges_api_badge b ON b.id = c.badge_id WHERE b.org_id = %s),"
    " (SELECT COUNT(*) FROM badges_api_badgegroup WHERE org_id = %s),"
    " (SELECT MAX(last_updated_on) FROM badges_api_badgegroup WHERE org_id = %s)"
)
# The customer (by any identifier) and its earns per badge, in one round trip: the customer by
# its unique index, its earns by (customer, badge, expires_on). No row: no such customer. The earns
# come back as one JSON array [[badge, earns, live earns, last earned on, last event date], ...]
# (NULL or [] when none): one row, not twenty, spared a fifth of the query's cost on either
# database, and Python's sqlite3 releases and retakes the GIL around every row it steps to (a
# thread switch whenever another request waits). Dates come as the text Django stores on SQLite,
# naive UTC, which renders without a datetime (_stamps). Revoked earns count nowhere.
# Named parameters: Django turns `%s` into SQLite's `?` with a regular expression run over the
# whole text on every call (a sixth of this query's own cost); names take one `%` substitution.
# PostgreSQL runs it as a statement each connection prepares once: planning it took longer than
# running it (fetch_customer_earns).
_CUSTOMER_EARNS_SQL = (
    "SELECT c.id, (SELECT {rows_as_json} FROM (SELECT e.badge_id, COUNT(*) AS earned,"
    " SUM(CASE WHEN e.expires_on > %(now)s THEN 1 ELSE 0 END) AS live,"
    " {last_earned_on} AS last_earned_on, {last_event_date} AS last_event_date"
    " FROM badges_api_earn e WHERE e.customer_id = c.id AND e.is_active GROUP BY e.badge_id) AS mine)"
    " FROM badges_api_customer c WHERE c.org_id = %(org)s AND c.{column} = %(customer)s"
)
_EARNS_COLUMNS = "badge_id, earned, live, last_earned_on, last_event_date"
_VENDOR_SQL = {
    "sqlite": {
        "rows_as_json": f"json_group_array(json_array({_EARNS_COLUMNS}))",
        "last_earned_on": "MAX(e.earned_on)",
        "last_event_date": "MAX(e.event_date)",
    },
    "postgresql": {
        "rows_as_json": f"json_agg(json_build_array({_EARNS_COLUMNS}))::text",
        "last_earned_on": "to_char(MAX(e.earned_on) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
        "last_event_date": "to_char(MAX(e.event_date) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
    },
}
_EARNS_SQLITE_BY_KIND = {
    kind: _CUSTOMER_EARNS_SQL.format(column=column, **_VENDOR_SQL["sqlite"])
    for kind, column in customer_selectors.COLUMNS.items()
}
# name -> PREPARE statement; EXECUTE passes now, org, customer as $1, $2, $3.
_EARNS_PREPARED_BY_KIND = {
    kind: (
        f"customer_earns_by_{column}",
        f"PREPARE customer_earns_by_{column} AS "
        + _CUSTOMER_EARNS_SQL.format(column=column, **_VENDOR_SQL["postgresql"])
        % {"now": "$1", "org": "$2", "customer": "$3"},
    )
    for kind, column in customer_selectors.COLUMNS.items()
}


def fetch_customer_earns(kind: str, params: dict) -> list[tuple]:
    """The rows of the customer-and-earns query for a customer named by an identifier of `kind`;
    `params`: now (as the backend stores it), org (its id), customer (the stored value)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = _prepared_on_this_connection(cursor, *_EARNS_PREPARED_BY_KIND[kind])
            cursor.execute(f"EXECUTE {name}(%(now)s, %(org)s, %(customer)s)", params)
        else:
            cursor.execute(_EARNS_SQLITE_BY_KIND[kind], params)
        return cursor.fetchall()


def _prepared_on_this_connection(cursor, name: str, prepare: str) -> str:
    """`name`, prepared on the open connection if it was not yet. A prepared statement lives as
    long as its connection (a rollback keeps it), so each connection prepares it once."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    raw, prepared = getattr(wrapper, "_badges_prepared", (None, set()))
    if raw is not wrapper.connection:  # a new connection (the first, or a reconnect)
        prepared = set()
        wrapper._badges_prepared = (wrapper.connection, prepared)
    if name not in prepared:
        cursor.execute(prepare)
        prepared.add(name)
    return name


@dataclass(slots=True)
class _Definition:
    """One badge of the catalogue: what filters and sorts need, and its rendered fields."""

    pk: int
    earn_type: str
    active: bool
    start_on: datetime
    expires_on: datetime
    group_id: str | None
    row: tuple
    # When its last fixed-window cycle ends: the badge's end, or later for an enrol-first badge's
    # windows (fixed_windows.windows_end); cycles roll over at local midnight until then.
    windows_until: datetime | None = None
    position: int = 0
    # The badge's JSON object around the customer's fields, as bytes: `head` opens it
    # (badgeMetaId .. badgeConstraints and a comma), `tail` closes it (customFields, tags, active).
    head: bytes = b""
    tail: bytes = b""


@dataclass(slots=True)
class _Catalogue:
    org_id: int
    tz_name: str
    fingerprint: tuple
    checked_at: float
    built_at: float
    rendered_until: datetime
    by_pk: dict[int, _Definition]
    # Active badges of each earnType in RANK order: what AVAILABLE_TO_ISSUE / AVAILABLE offer.
    offered: dict[str, list[_Definition]]
    # Those of them live until rendered_until (never mutated: requests share them).
    live: dict[str, list[_Definition]] = field(default_factory=dict)


_catalogues: dict[int, _Catalogue] = {}


def catalogue_forget() -> None:
    """Drop every cached catalogue of this process."""
    _catalogues.clear()


def _forget_on_save(sender, using=None, **_kwargs) -> None:
    """A badge, claim or group was saved: forget now, and again once the transaction commits
    (a request that rebuilt the catalogue in between read the rows as they were before)."""
    _catalogues.clear()
    transaction.on_commit(_catalogues.clear, using=using)


for _model in (Badge, BadgeClaim, BadgeGroup):
    post_save.connect(
        _forget_on_save, sender=_model, dispatch_uid=f"customer_badges_forget_{_model.__name__}"
    )
    post_delete.connect(
        _forget_on_save,
        sender=_model,
        dispatch_uid=f"customer_badges_forget_deleted_{_model.__name__}",
    )


def _fingerprint(cursor, org_id: int) -> tuple:
    cursor.execute(_FINGERPRINT_SQL, [org_id] * 6)
    return tuple(cursor.fetchone())


def _catalogue(org: Org, now: datetime, *, force: bool = False) -> _Catalogue:
    catalogue = _catalogues.get(org.pk)
    clock = time.monotonic()
    tz_name = org.timezone or "UTC"
    if (
        catalogue is not None
        and not force
        and catalogue.tz_name == tz_name
        and clock - catalogue.built_at < MAX_CATALOGUE_AGE_SECONDS
    ):
        if clock - catalogue.checked_at >= getattr(
            settings, "BADGES_CATALOGUE_REVALIDATE_SECONDS", DEFAULT_REVALIDATE_SECONDS
        ):
            with connection.cursor() as cursor:
                if _fingerprint(cursor, org.pk) != catalogue.fingerprint:
                    catalogue = None
                else:
                    catalogue.checked_at = clock
    else:
        catalogue = None
    if catalogue is None:
        with connection.cursor() as cursor:
            catalogue = _build_catalogue(cursor, org, tz_name, now, clock)
    if now >= catalogue.rendered_until:
        catalogue = _rendered(catalogue, now, org_tz(org))
    _catalogues[org.pk] = catalogue
    return catalogue


def _build_catalogue(cursor, org: Org, tz_name: str, now: datetime, clock: float) -> _Catalogue:
    fingerprint = _fingerprint(cursor, org.pk)
    cursor.execute(_CATALOGUE_SQL, [org.pk])
    rows = cursor.fetchall()
    cursor.execute(_CATALOGUE_CLAIMS_SQL, [org.pk])
    claims: dict[int, list[dict]] = defaultdict(list)
    for badge_pk, owner, reference, active in cursor.fetchall():
        claims[badge_pk].append(
            {"ownerType": owner, "referenceId": reference, "isActive": bool(active)}
        )
    definitions = []
    for row in rows:
        start_on, expires_on = _instant(row[5]), _instant(row[6])
        customer_constraints, badge_constraints = _json(row[14]), _json(row[15])
        # Parsed once: the rendering reads these instead of the raw columns.
        span = _Span(start_on, expires_on, row[13], _json(row[19]))
        parsed = (
            *row[:5],
            start_on,
            expires_on,
            _json(row[7]),
            *row[8:12],
            _json(row[12]),
            row[13],
            customer_constraints,
            badge_constraints,
            _json(row[16]),
            bool(row[17]),
            _json(row[18]),
            claims.get(row[0], []),
            span,
        )
        windows_until = max(
            (
                windows_end(span, c)
                for c in customer_constraints + badge_constraints
                if c["constraintType"].endswith("FIXED_WINDOW")
            ),
            default=None,
        )
        definitions.append(
            _Definition(
                row[0],
                row[13],
                bool(row[17]),
                start_on,
                expires_on,
                row[8],
                parsed,
                windows_until=windows_until,
            )
        )
    definitions.sort(
        key=lambda d: rank_sort_key(
            group_rank=d.row[10],
            group_id=d.group_id,
            badge_rank=d.row[11],
            expires_on=d.expires_on,
            badge_id=d.row[1],
        )
    )
    for position, definition in enumerate(definitions):
        definition.position = position
    offered = {
        earn_type: [d for d in definitions if d.active and d.earn_type == earn_type]
        for earn_type in enums.EARN_TYPES
    }
    catalogue = _Catalogue(
        org_id=org.pk,
        tz_name=tz_name,
        fingerprint=fingerprint,
        checked_at=clock,
        built_at=clock,
        rendered_until=now,
        by_pk={d.pk: d for d in definitions},
        offered=offered,
    )
    return _rendered(catalogue, now, org_tz(org))


def _rendered(catalogue: _Catalogue, now: datetime, tz) -> _Catalogue:
    """The catalogue with every badge rendered for `now`, and until when that rendering holds."""
    until = _FAR_FUTURE
    next_midnight = None
    for definition in catalogue.by_pk.values():
        head, tail = _render_definition(definition.row, now=now, tz=tz)
        definition.head, definition.tail = orjson.dumps(head)[:-1] + b",", orjson.dumps(tail)[1:]
        if now < definition.start_on:
            until = min(until, definition.start_on)
            continue
        if now <= definition.expires_on:
            until = min(until, definition.expires_on + timedelta(microseconds=1))
        if definition.windows_until is not None and now <= definition.windows_until:
            until = min(until, definition.windows_until + timedelta(microseconds=1))
            if next_midnight is None:
                local = now.astimezone(tz)
                next_midnight = datetime.combine(
                    local.date() + timedelta(days=1), dt_time(), tzinfo=tz
                ).astimezone(UTC)
            until = min(until, next_midnight)
    # Which badges are live changes only at a start or an end, and each of those ends this rendering.
    catalogue.live = {
        earn_type: [d for d in offered if d.start_on <= now <= d.expires_on]
        for earn_type, offered in catalogue.offered.items()
    }
    catalogue.rendered_until = until
    return catalogue


def _render_definition(row: tuple, *, now: datetime, tz) -> tuple[dict, dict]:
    (
        _pk,
        public_id,
        org_id,
        name,
        description,
        start_on,
        expires_on,
        images,
        group_id,
        group_name,
        _group_rank,
        badge_rank,
        owners,
        earn_type,
        customer_constraints,
        badge_constraints,
        custom_fields,
        active,
        tags,
        claims,
        span,
    ) = row
    status = badge_status(start=start_on, end=expires_on, now=now)
    head = {
        "badgeMetaId": public_id,
        "orgId": org_id,
        "name": name,
        "description": description or None,
    }
    _stamp(head, "startOn", start_on)
    _stamp(head, "expiresOn", expires_on)
    head["images"] = images
    head["badgeGroupId"] = group_id
    head["badgeGroupName"] = group_name
    head["badgeRank"] = badge_rank
    head["ownership"] = {"restrictedToOwners": owners, "claims": claims}
    head["earnType"] = earn_type
    head["customerConstraints"] = [
        constraint_to_wire(span, c, status=status, now=now, tz=tz) for c in customer_constraints
    ]
    head["badgeConstraints"] = [
        constraint_to_wire(span, c, status=status, now=now, tz=tz) for c in badge_constraints
    ]
    return head, {"customFields": custom_fields, "tags": tags, "active": active}


# --- GET customer/{customerId} ---------------------------------------------------------------


def customer_badges(org: Org, customer_ref: str, identifier_type_header: str | None, query) -> dict:
    """data of GET customer/{customerId}: {badges: [...], pagination: {...}} in seed 003's shape.

    One query (the customer and its earns per badge) and the cached catalogue. Each badge is
    already JSON (orjson.Fragment): the catalogue's bytes around this customer's fields.
    """
    params = customer_badge_query(query)
    now = timezone.now()
    earns = _customer_earns(org, customer_ref, identifier_type_header, now)
    catalogue = _catalogue(org, now)
    if not earns.keys() <= catalogue.by_pk.keys():
        catalogue = _catalogue(org, now, force=True)  # a badge newer than the catalogue
    chosen = _choose(catalogue, earns, params)
    page = params.page
    badges = []
    for definition in chosen[page.offset : page.offset + page.size]:
        earned = earns.get(definition.pk)
        mine = _NEVER_EARNED if earned is None else _earned_members(*earned)
        badges.append(orjson.Fragment(definition.head + mine + definition.tail))
    return {"badges": badges, "pagination": page.block(len(chosen))}


def _members(fields: dict) -> bytes:
    """`fields` as JSON object members followed by a comma, to sit between a head and a tail."""
    return orjson.dumps(fields)[1:-1] + b","


def _earned_members(earned: int, _live: int, last_earned_on, last_event_date) -> bytes:
    (earned_epoch, earned_iso), (event_epoch, event_iso) = (
        _stamps(last_earned_on),
        _stamps(last_event_date),
    )
    return _members(
        {
            "earnedCount": earned,
            "lastEarnedOnDate": earned_epoch,
            "lastEarnedOnDateISO": earned_iso,
            "lastEarnEventDate": event_epoch,
            "lastEarnEventDateISO": event_iso,
        }
    )


# seed 003: null for a badge this customer never earned.
_NEVER_EARNED = _members(
    dict.fromkeys(
        (
            "earnedCount",
            "lastEarnedOnDate",
            "lastEarnedOnDateISO",
            "lastEarnEventDate",
            "lastEarnEventDateISO",
        )
    )
)


def _customer_earns(
    org: Org, customer_ref: str, identifier_type_header: str | None, now: datetime
) -> dict[int, tuple]:
    """badge pk -> (earns, live earns, last earned on, last event date) of the named customer;
    1028 / 1026 exactly as customer_pk."""
    kind = customer_selectors.identifier_type(identifier_type_header)
    stored = customer_selectors.lookup_value(kind, str(customer_ref))
    rows = []
    if stored is not None:
        rows = fetch_customer_earns(
            kind, {"now": timestamp(now), "org": org.pk, "customer": stored}
        )
    if not rows:
        raise BadgeApiError(errors.CUSTOMER_NOT_FOUND, reference="customerId", status=404)
    earned = rows[0][1]
    return {} if earned is None else {row[0]: tuple(row[1:]) for row in orjson.loads(earned)}


def _choose(
    catalogue: _Catalogue, earns: dict[int, tuple], params: CustomerBadgeQuery
) -> list[_Definition]:
    """The badges of the requested type, in the requested order (see the module docstring).
    The list may be the catalogue's own: callers never change it."""
    if params.badge_type in (AVAILABLE_TO_ISSUE, AVAILABLE):
        live = catalogue.live["ISSUE_EARN" if params.badge_type == AVAILABLE_TO_ISSUE else "EARN"]
        held = {pk for pk, row in earns.items() if row[1]}
        chosen = [d for d in live if d.pk not in held] if held else live
    else:
        if params.badge_type == EARNED:
            held = [pk for pk, row in earns.items() if row[1] or params.include_expired]
        else:
            held = [pk for pk, row in earns.items() if not row[1]]
        chosen = sorted((catalogue.by_pk[pk] for pk in held), key=lambda d: d.position)
    if params.group_id:
        chosen = [d for d in chosen if d.group_id == params.group_id]
    if params.sort != RANK:
        index = 2 if params.sort == LAST_EARNED_ON_DATE else 3
        dated = [d for d in chosen if d.pk in earns and earns[d.pk][index] is not None]
        # Latest first; sorting is stable (reverse included), so equal dates keep RANK order. The
        # values sort as the database's MAX() compared them (SQLite's text sorts chronologically).
        dated.sort(key=lambda d: earns[d.pk][index], reverse=True)
        chosen = dated + [
            d for d in chosen if not (d.pk in earns and earns[d.pk][index] is not None)
        ]
    return chosen


# --- GET management/{customerId} -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ManagementQuery:
    badge_type: str
    sort: str
    descending: bool
    page: Page
    name: str | None
    active: bool | None
    statuses: tuple[str, ...]
    owner: str | None
    claimed_by: str | None
    start_on: tuple[str, datetime] | None
    expires_on: tuple[str, datetime] | None
    group_id: str | None


def _management_query(query) -> _ManagementQuery:
    errs = ErrorCollector()
    badge_type = _choice(query, "badgeType", BADGE_TYPES, AVAILABLE_TO_ISSUE, errs)
    sort = _choice(query, "sortOn", MANAGEMENT_SORTS, "EXPIRES_ON", errs)
    order = _choice(query, "order", enums.ORDERS, "DESC", errs)
    page = page_from_query(query, errs, size_names=("size", "limit"))
    action = _choice(query, "action", tuple(MANAGEMENT_ACTIONS), None, errs)
    statuses: list[str] = []
    for part in (query.get("badgeStatus") or "").split(","):
        if part.strip():
            status = enums.choice(
                "EXPIRED" if part.strip().upper() == "ENDED" else part, enums.BADGE_STATUSES
            )
            if status is None:
                errs.add(
                    errors.INVALID_INPUT,
                    enums.invalid_enum_message("badgeStatus", enums.BADGE_STATUSES),
                    "badgeStatus",
                )
            else:
                statuses.append(status)
    owners = {}
    for name in ("owner", "claimedBy"):
        raw = query.get(name)
        if raw:
            owners[name] = enums.owner_type(raw)
            if owners[name] is None:
                errs.add(
                    errors.INVALID_INPUT, enums.invalid_enum_message(name, enums.OWNER_TYPES), name
                )
    bounds = {}
    for name in ("startOn", "expiresOn"):
        moment = _moment(query, name, errs)
        operator = _choice(query, f"{name}Operator", OPERATORS, None, errs)
        if moment is not None:
            if operator is None:
                errs.add(
                    errors.INVALID_INPUT,
                    f"{name}Operator (LESS_THAN or GREATER_THAN) is mandatory with {name}",
                    f"{name}Operator",
                )
            bounds[name] = (operator, moment)
    errs.raise_if_any()
    return _ManagementQuery(
        badge_type=badge_type,
        sort=sort,
        descending=order == "DESC",
        page=page,
        name=(query.get("name") or "").strip() or None,
        active=MANAGEMENT_ACTIONS[action] if action else None,
        statuses=tuple(statuses),
        owner=owners.get("owner"),
        claimed_by=owners.get("claimedBy"),
        start_on=bounds.get("startOn"),
        expires_on=bounds.get("expiresOn"),
        group_id=(query.get("groupId") or "").strip() or None,
    )


@dataclass(slots=True)
class _Select:
    """One page of the org's badges joined to one customer's earns and enrolments, clause by clause."""

    org: Org
    customer_pk: int
    now: datetime
    columns: str
    enrolments: bool = False
    earned_join: str = "LEFT JOIN"
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def filter(self, clause: str, *params) -> None:
        self.where.append(clause)
        self.params.extend(params)

    def _sql(self, select: str, tail: str = "") -> tuple[str, list]:
        now = timestamp(self.now)
        ctes, params = [_EARNS_CTE], [now, now, self.customer_pk]
        joins = f" {self.earned_join} mine m ON m.badge_id = b.id"
        if self.enrolments:
            ctes.append(_ENROLMENTS_CTE)
            params += [now, self.customer_pk]
            joins += " LEFT JOIN enrolled en ON en.badge_id = b.id"
        sql = (
            f"WITH {', '.join(ctes)} SELECT {select} FROM badges_api_badge b"
            " LEFT JOIN badges_api_badgegroup g ON g.id = b.group_id AND g.is_active"
            f"{joins} WHERE b.org_id = %s"
            + "".join(f" AND {clause}" for clause in self.where)
            + tail
        )
        return sql, params + [self.org.pk, *self.params]

    def page(self, order: str, page: Page) -> tuple[list[tuple], int]:
        """The page's rows and the total; the total rides on each row as a window count."""
        sql, params = self._sql(
            f"{self.columns}, COUNT(*) OVER ()", f" ORDER BY {order} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, page.size, page.offset])
            rows = cursor.fetchall()
            if rows:
                return [row[:-1] for row in rows], rows[0][-1]
            if page.offset == 0:
                return [], 0
            # Past the last page: no row carries the total, so count it.
            sql, params = self._sql("COUNT(*)")
            cursor.execute(sql, params)
            return [], cursor.fetchone()[0]

    def of_type(self, badge_type: str) -> None:
        """The badge types of the module docstring, without the customer view's live-and-active rule."""
        if badge_type in (AVAILABLE_TO_ISSUE, AVAILABLE):
            self.filter(
                "b.earn_type = %s", "ISSUE_EARN" if badge_type == AVAILABLE_TO_ISSUE else "EARN"
            )
            self.filter("(m.live IS NULL OR m.live = 0)")
        else:
            self.earned_join = "JOIN"
            self.filter("m.live > 0" if badge_type == EARNED else "m.live = 0")


def management_badges(
    org: Org, customer_ref: str, identifier_type_header: str | None, query
) -> dict:
    """data of GET management/{customerId}: {customerBadges: [...], pagination: {...}}.

    Unlike the customer view, AVAILABLE_TO_ISSUE and AVAILABLE are not limited to live, active
    badges: `badgeStatus` and `action` narrow them, as a support agent chooses.
    """
    params = _management_query(query)
    now = timezone.now()
    select = _Select(
        org=org,
        customer_pk=customer_pk(org, customer_ref, identifier_type_header),
        now=now,
        columns=_MANAGEMENT_COLUMNS,
        enrolments=True,
    )
    select.of_type(params.badge_type)
    if params.name:
        select.filter("LOWER(b.name) LIKE %s ESCAPE '\\'", _like_pattern(params.name.lower()))
    if params.active is not None:
        select.filter("b.active = %s", params.active)
    if params.statuses:
        select.filter(*_status_clause(params.statuses, now))
    if params.owner:
        select.filter(
            "EXISTS (SELECT 1 FROM badges_api_badgeowner o WHERE o.badge_id = b.id AND o.owner_type = %s)",
            params.owner,
        )
    if params.claimed_by:
        select.filter(
            "EXISTS (SELECT 1 FROM badges_api_badgeclaim c WHERE c.badge_id = b.id AND c.owner_type = %s AND c.is_active)",
            params.claimed_by,
        )
    for column, bound in (("b.start_on", params.start_on), ("b.expires_on", params.expires_on)):
        if bound is not None:
            operator, moment = bound
            select.filter(
                f"{column} {'<' if operator == 'LESS_THAN' else '>'} %s", timestamp(moment)
            )
    if params.group_id:
        select.filter("g.public_id = %s", params.group_id)
    direction = "DESC" if params.descending else "ASC"
    order = f"{_MANAGEMENT_SORT_COLUMNS[params.sort]} {direction} NULLS LAST, b.id {direction}"
    rows, total = select.page(order, params.page)
    claims = _claims([row[0] for row in rows])
    return {
        "customerBadges": [_management_badge(row, claims, now=now) for row in rows],
        "pagination": params.page.block(total),
    }


def _like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards in `text` matched literally (the SQL says ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _status_clause(statuses: tuple[str, ...], now: datetime) -> tuple:
    at = timestamp(now)
    parts, params = [], []
    if "UPCOMING" in statuses:
        parts.append("b.start_on > %s")
        params.append(at)
    if "LIVE" in statuses:
        parts.append("(b.start_on <= %s AND b.expires_on >= %s)")
        params += [at, at]
    if "EXPIRED" in statuses:
        parts.append("b.expires_on < %s")
        params.append(at)
    return f"({' OR '.join(parts)})", *params


def _issue_status(issued, live, kept) -> str | None:
    """The customer's enrolment state: LIVE beats EXPIRED beats REVOKED; null when never enrolled."""
    if not issued:
        return None
    if live:
        return "LIVE"
    return "EXPIRED" if kept else "REVOKED"


def _management_badge(row: tuple, claims: dict[int, list[dict]], *, now: datetime) -> dict:
    (
        pk,
        public_id,
        name,
        description,
        earn_type,
        group_id,
        group_name,
        badge_rank,
        created_on,
        last_updated_on,
        images,
        start_on,
        expires_on,
        owners,
        active,
        earned,
        live,
        last_earned_on,
        last_event_date,
        _last_expired_on,
        issued,
        enrolment_live,
        enrolment_kept,
        _last_issued_on,
    ) = row
    start_on, expires_on = _instant(start_on), _instant(expires_on)
    last_earned_on = _instant(last_earned_on)
    wire = {
        "badgeMetaId": public_id,
        "name": name,
        "description": description or None,
        "badgeType": earn_type,
    }
    wire["badgeGroupId"] = group_id
    wire["badgeGroupName"] = group_name
    wire["badgeRank"] = badge_rank
    _stamp(wire, "createdOn", _instant(created_on))
    _stamp(wire, "lastUpdatedOn", _instant(last_updated_on))
    wire["images"] = _json(images)
    wire["badgeStatus"] = badge_status(start=start_on, end=expires_on, now=now)
    _stamp(wire, "startsOn", start_on)
    _stamp(wire, "expiresOn", expires_on)
    wire["earnCount"] = earned or 0
    wire["activeEarnedCount"] = live or 0
    wire["ownership"] = {"restrictedToOwners": _json(owners), "claims": claims.get(pk, [])}
    wire["issueStatus"] = _issue_status(issued, enrolment_live, enrolment_kept)
    wire["active"] = bool(active)
    _stamp(wire, "lastEarnedOn", last_earned_on)
    _stamp(wire, "lastEarnedOnDate", last_earned_on)
    _stamp(wire, "lastEarnEventDate", _instant(last_event_date))
    return wire


# --- GET management/{customerId}/badge/{badgeId} ---------------------------------------------

_ENROLMENT_FIELDS = (
    "public_id",
    "issued_on",
    "event_date",
    "expires_on",
    "is_active",
    "revoked_on",
    "owner_type",
    "owner_reference_id",
    "request_id",
)
_EARN_FIELDS = (
    "public_id",
    "earned_on",
    "event_date",
    "expires_on",
    "is_active",
    "revoked_on",
    "owner_type",
    "owner_reference_id",
    "request_id",
    "enrolment__public_id",
)
_CONSTRAINT_KINDS = {
    "FIXED_VALUE": "OVERALL",
    "ROLLING_WINDOW": "ROLLING_WINDOW",
    "FIXED_WINDOW": "FIXED_WINDOW",
}
_UNIT_SUFFIX = {"DAYS": "Days", "WEEKS": "Weeks", "MONTHS": "Months"}


def management_badge_detail(
    org: Org, customer_ref: str, identifier_type_header: str | None, badge_id: str, query
) -> dict:
    """data of GET management/{customerId}/badge/{badgeId}: the badge, every enrolment and earn
    of the customer (newest first, at most MAX_HISTORY_ITEMS of each), and with
    `includeStatistics=true` each limit with the count the earning engine holds against it."""
    errs = ErrorCollector()
    include_statistics = _flag(query, "includeStatistics", errs)
    errs.raise_if_any()
    customer = customer_selectors.customer_by_identifier(org, customer_ref, identifier_type_header)
    badge = badge_by_public_id(org, badge_id)
    badge.org = org  # the limit rules read the org's timezone
    now = timezone.now()
    tz = org_tz(org)

    group = badge.group if badge.group_id and badge.group.is_active else None
    wire = {
        "badgeMetaId": badge.public_id,
        "name": badge.name,
        "description": badge.description or None,
    }
    wire["badgeType"] = badge.earn_type
    wire["badgeGroupId"] = group.public_id if group else None
    wire["badgeGroupName"] = group.name if group else None
    wire["badgeRank"] = badge.badge_rank
    wire["images"] = badge.images
    wire["badgeStatus"] = badge_status(start=badge.start_on, end=badge.expires_on, now=now)
    wire["active"] = badge.active
    _stamp(wire, "startsOn", badge.start_on)
    _stamp(wire, "expiresOn", badge.expires_on)
    wire["ownership"] = {
        "restrictedToOwners": badge.restricted_to_owners,
        "claims": _claims([badge.pk])[badge.pk],
    }
    wire["customerId"] = customer.customer_id

    enrolments = customer.enrolments.filter(badge=badge)
    issuals = list(
        enrolments.order_by("-issued_on", "-pk").values(*_ENROLMENT_FIELDS)[: MAX_HISTORY_ITEMS + 1]
    )
    wire["issualDetails"] = {
        "issuedCount": _count_beyond(issuals, enrolments),
        "issuals": [_issual(row, now=now) for row in issuals[:MAX_HISTORY_ITEMS]],
        "truncated": len(issuals) > MAX_HISTORY_ITEMS,
    }
    earns = customer.earns.filter(badge=badge)
    history = list(
        earns.order_by("-earned_on", "-pk").values(*_EARN_FIELDS)[: MAX_HISTORY_ITEMS + 1]
    )
    wire["earnDetails"] = {
        "earnCount": _count_beyond(history, earns),
        "earns": [_earn(row, now=now) for row in history[:MAX_HISTORY_ITEMS]],
        "truncated": len(history) > MAX_HISTORY_ITEMS,
    }
    live, last_earned_on, last_event_date = _earn_summary(badge.pk, customer.pk, now=now)
    wire["activeEarnedCount"] = live
    _stamp(wire, "lastEarnedOn", last_earned_on)
    _stamp(wire, "lastEarnEventDate", last_event_date)
    status = wire["badgeStatus"]
    # The customer's own cycles: an enrol-first badge's run to this customer's enrolment expiry.
    enrolment_expires_on = live_enrolment_expiry(badge, customer.pk, now=now)
    wire["customerConstraints"] = [
        constraint_to_wire(
            badge, c, status=status, now=now, tz=tz, enrolment_expires_on=enrolment_expires_on
        )
        for c in badge.customer_constraints
    ]
    wire["badgeConstraints"] = [
        constraint_to_wire(badge, c, status=status, now=now, tz=tz) for c in badge.badge_constraints
    ]
    if include_statistics:
        wire["earnConstraints"] = earn_constraint_statistics(
            badge, customer, now=now, enrolment_expires_on=enrolment_expires_on
        )
    return wire


def _count_beyond(fetched: list, queryset) -> int:
    """The list's length, or the full count when the list was cut at MAX_HISTORY_ITEMS."""
    return len(fetched) if len(fetched) <= MAX_HISTORY_ITEMS else queryset.count()


def _earn_summary(
    badge_pk: int, customer_pk: int, *, now: datetime
) -> tuple[int, datetime | None, datetime | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(CASE WHEN expires_on > %s THEN 1 ELSE 0 END), MAX(earned_on), MAX(event_date)"
            " FROM badges_api_earn WHERE customer_id = %s AND badge_id = %s AND is_active",
            [timestamp(now), customer_pk, badge_pk],
        )
        live, last_earned_on, last_event_date = cursor.fetchone()
    return live or 0, _instant(last_earned_on), _instant(last_event_date)


def _issual(row: dict, *, now: datetime) -> dict:
    wire = {"issueId": row["public_id"]}
    _stamp(wire, "issuedOn", row["issued_on"])
    _stamp(wire, "issueEventDate", row["event_date"])
    _stamp(wire, "issueExpiresOn", row["expires_on"])
    wire["issuedStatus"] = item_status(
        starts_at=row["event_date"],
        expires_at=row["expires_on"],
        now=now,
        revoked=not row["is_active"],
    )
    _stamp(wire, "revokedOn", row["revoked_on"])
    wire["ownerType"] = row["owner_type"]
    wire["ownerReferenceId"] = row["owner_reference_id"]
    wire["requestId"] = row["request_id"]
    return wire


def _earn(row: dict, *, now: datetime) -> dict:
    wire = {"earnedBadgeId": row["public_id"]}
    _stamp(wire, "earnedOn", row["earned_on"])
    _stamp(wire, "earnEventDate", row["event_date"])
    _stamp(wire, "expiresOn", row["expires_on"])
    wire["status"] = item_status(
        starts_at=row["earned_on"],
        expires_at=row["expires_on"],
        now=now,
        revoked=not row["is_active"],
    )
    _stamp(wire, "revokedOn", row["revoked_on"])
    wire["ownerType"] = row["owner_type"]
    wire["ownerReferenceId"] = row["owner_reference_id"]
    wire["requestId"] = row["request_id"]
    wire["issuedId"] = row["enrolment__public_id"]
    return wire


def earn_constraint_statistics(
    badge, customer: Customer, *, now: datetime, enrolment_expires_on: datetime | None = None
) -> list[dict]:
    """Each limit of the badge with the count the earning engine holds against it right now.

    The conditions come from the engine itself (`earning.badge_limits`, with the event date taken as
    now), counted over the same rows (the customer's or all customers' earns of the badge, revoked
    ones excluded; the badge total is the badge's earnedCount), so a support agent sees exactly
    the numbers an earn would be checked against (an enrol-first badge's customer cycles run to
    `enrolment_expires_on`, the customer's enrolment expiry). Capillary's read shape (spec 4.1):
    constraintLevel CUSTOMER|BADGE, constraintType OVERALL|ROLLING_WINDOW|FIXED_WINDOW|NONE,
    earnConstraintBlockStatistics {currentEarnCount | currentEarnCountDays/Weeks/Months}.
    """
    tz = org_tz(badge.org)
    entries: list[dict] = []
    for level, constraints, customer_pk in (
        ("CUSTOMER", badge.customer_constraints, customer.pk),
        ("BADGE", badge.badge_constraints, None),
    ):
        if not constraints:
            entries.append({"constraintLevel": level, "constraintType": "NONE"})
            continue
        limits = [
            earning.badge_limits(
                badge,
                [c],
                level=level,
                event_date=now,
                now=now,
                enrolment_expires_on=enrolment_expires_on,
            )
            for c in constraints
        ]
        counts = iter(
            _limit_counts(
                badge, [limit for group in limits for limit in group], customer_pk=customer_pk
            )
        )
        for constraint, group in zip(constraints, limits, strict=True):
            used = [next(counts) for _ in group]
            entries.append(
                _constraint_statistics(
                    badge,
                    level,
                    constraint,
                    group,
                    used,
                    now=now,
                    tz=tz,
                    enrolment_expires_on=enrolment_expires_on,
                )
            )
    return entries


def _limit_counts(badge, limits: list, *, customer_pk: int | None) -> list[int]:
    """One count per limit, in one query; the badge-wide total is the badge's earnedCount."""
    counted = [limit for limit in limits if limit.code != errors.BADGE_TOTAL_LIMIT]
    values: list[int] = []
    if counted:
        columns = ", ".join(limit.count_sql() for limit in counted)
        params = [p for limit in counted for p in limit.params] + [badge.pk]
        # The engine's conditions name the earn `e` (services/earning.py counts the same way).
        sql = f"SELECT {columns} FROM badges_api_earn e WHERE e.badge_id = %s AND e.is_active"
        if customer_pk is not None:
            sql += " AND e.customer_id = %s"
            params.append(customer_pk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            values = [value or 0 for value in cursor.fetchone()]
    found = iter(values)
    return [
        badge.earned_count if limit.code == errors.BADGE_TOTAL_LIMIT else next(found)
        for limit in limits
    ]


def _constraint_statistics(
    badge,
    level: str,
    constraint: dict,
    limits: list,
    used: list[int],
    *,
    now: datetime,
    tz,
    enrolment_expires_on: datetime | None = None,
) -> dict:
    stored_type = constraint["constraintType"]
    kind = next(
        _CONSTRAINT_KINDS[suffix] for suffix in _CONSTRAINT_KINDS if stored_type.endswith(suffix)
    )
    entry = {"constraintLevel": level, "constraintType": kind, "sourceConstraintType": stored_type}
    if kind == "ROLLING_WINDOW" and level == "CUSTOMER":
        units = [
            (unit, constraint[max_key], constraint[roll_key])
            for unit, max_key, roll_key in earning.ROLLING_PAIRS
            if constraint.get(max_key)
        ]
        entry["rollingWindowLimits"] = [
            {
                "rollType": unit,
                "rollValue": length,
                "maxEarnLimit": max_earn,
                "currentEarnCount": count,
            }
            for (unit, max_earn, length), count in zip(units, used, strict=True)
        ]
        by_unit = {unit: count for (unit, _, _), count in zip(units, used, strict=True)}
        entry["earnConstraintBlockStatistics"] = {
            f"currentEarnCount{_UNIT_SUFFIX[unit]}": by_unit.get(unit) for unit in _UNIT_SUFFIX
        }
    else:
        for key in ("rollType", "rollValue", "durationType", "refreshRate", "startDayOfTheWeek"):
            if key in constraint:
                entry[key] = constraint[key]
        entry["maxEarnLimit"] = constraint.get("maxEarnLimit")
        entry["earnConstraintBlockStatistics"] = {"currentEarnCount": used[0] if used else None}
    if kind == "FIXED_WINDOW":
        entry["fixedWindowReferenceId"] = constraint.get("referenceId")
        window = current_window(
            badge, constraint, now=now, tz=tz, enrolment_expires_on=enrolment_expires_on
        )
        cycle = None if window is None else cycle_to_wire(window, tz)
        end = windows_end(badge, constraint, enrolment_expires_on=enrolment_expires_on)
        status = badge_status(start=badge.start_on, end=end, now=now)
        entry["cycleStatus"] = (
            "ACTIVE" if window is not None else {"LIVE": "ACTIVE"}.get(status, status)
        )
        entry["fixedWindowCycle"] = cycle
    entry["limitReached"] = any(
        count >= limit.max_earn for limit, count in zip(limits, used, strict=True)
    )
    return entry
