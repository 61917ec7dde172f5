"""The console's only way to the badge API: HTTP through one `requests.Session`.

`BadgesClient` speaks Capillary's badge API (the embedded service or a real cluster) and hands
back dataclasses from `badges_ui.types`, never raw responses. Failures come out as a small family
of exceptions the views can act on:

- `BadgesApiUnavailable`: nothing usable came back (connection refused, timeout, 5xx, 429, an
  answer that is not the API's JSON envelope). Pages say the API is down and keep user input.
- `BadgesApiAuthError`: 401/403, the console's own credentials are wrong (a setup problem).
- `BadgesApiNotFound`: 404 with the envelope (the badge, group or field does not exist).
- `BadgesApiValidationError`: any other 4xx; `errors` lists Capillary's code, message and
  reference for every failing rule, so forms can put each on its field.

Transport rules, in one place:
- Every request has a timeout (`BadgesAdapter` injects the default); connecting gets at most
  `CONNECT_TIMEOUT_SECONDS`.
- Only idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried, on connection failures,
  dropped connections and 502/503/504 (with `Retry-After` honoured). A read timeout is never
  retried: a slow API would only make the page slower. POSTs are retried only when their JSON
  body carries a `requestId` (the service's idempotency key makes a replay harmless).
- Authentication is set once per client: Basic (the password as configured, which may be its md5
  hex digest as Capillary tills send it) or OAuth (a token from `/v3/oauth/token/generate`, kept
  process-wide and renewed before it expires, sent as `X-CAP-API-OAUTH-TOKEN`).

`client_for(request)` builds (and reuses, per thread) the client the settings describe.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from badge_rules.timestamps import to_iso
from badges_ui.types import (
    Activation,
    ApiErrorItem,
    Badge,
    BadgeFilters,
    Claim,
    CustomField,
    EarnsPerDay,
    FixedWindowCycle,
    FixedWindowCycles,
    Group,
    Page,
    Pagination,
)

logger = logging.getLogger(__name__)

API_PREFIX = "/api_gateway/v1/badges"
TOKEN_PATH = "/v3/oauth/token/generate"
OAUTH_HEADER = "X-CAP-API-OAUTH-TOKEN"
MIGRATION_HEADER = "X-CAP-BADGES-MIGRATION"
USER_AGENT = (
    f"BadgeConsole/1.0 (badges_ui; +https://github.com/) python-requests/{requests.__version__}"
)
CONNECT_TIMEOUT_SECONDS = 3.05
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = (502, 503, 504)
MAX_PAGE_SIZE = 1000


# --- errors -------------------------------------------------------------------------------------


class BadgesApiError(Exception):
    """Base of every failure; `errors` holds Capillary's items when the API sent any."""

    def __init__(
        self, message: str, *, status: int | None = None, errors: Iterable[ApiErrorItem] = ()
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors: tuple[ApiErrorItem, ...] = tuple(errors)

    @property
    def codes(self) -> tuple[int | None, ...]:
        return tuple(item.code for item in self.errors)

    def __str__(self) -> str:
        return self.message


class BadgesApiUnavailable(BadgesApiError):
    """The API could not be reached, timed out, failed (5xx) or answered something unusable."""


class BadgesApiAuthError(BadgesApiError):
    """The API refused the console's credentials (401/403)."""


class BadgesApiNotFound(BadgesApiError):
    """The object does not exist (or belongs to another org, which the API answers the same)."""


class BadgesApiValidationError(BadgesApiError):
    """The API refused the request's content (400, 409, 422 ...); one item per failing rule."""


# --- transport ----------------------------------------------------------------------------------


class BadgesRetry(Retry):
    """urllib3's Retry, except that a read timeout is never retried.

    A connection dropped before any answer (a stale keep-alive socket) is still retried for
    idempotent methods; waiting a whole timeout again for a slow server is not.
    """

    def increment(
        self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None
    ):
        if isinstance(error, ReadTimeoutError):
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def default_retry(*, backoff_factor: float = 0.2) -> BadgesRetry:
    return BadgesRetry(
        total=3,
        connect=2,
        read=1,
        status=2,
        other=0,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=IDEMPOTENT_METHODS,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


class BadgesAdapter(HTTPAdapter):
    """An HTTPAdapter that gives every request the client's timeout unless it brings its own."""

    def __init__(self, *, timeout: float, retry: Retry, **kwargs):
        self.timeout = timeout
        super().__init__(max_retries=retry, **kwargs)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if timeout is None:
            timeout = (min(CONNECT_TIMEOUT_SECONDS, self.timeout), self.timeout)
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )


# --- OAuth tokens, shared by every thread of the process ----------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    expires_at: float


class TokenCache:
    """Access tokens per (base URL, key): fetched once, renewed a margin before they expire."""

    def __init__(self):
        self._tokens: dict[tuple[str, str], _Token] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str], *, now: float) -> str | None:
        token = self._tokens.get(key)
        return token.value if token is not None and token.expires_at > now else None

    def put(self, key: tuple[str, str], value: str, *, ttl_seconds: float, now: float) -> None:
        # Renew when 10% of the lifetime (at least 30 s, at most 5 min) is left, so a token never
        # expires between our check and the API's.
        margin = min(max(ttl_seconds * 0.1, 30.0), 300.0)
        self._tokens[key] = _Token(value, now + max(ttl_seconds - margin, 0.0))

    def forget(self, key: tuple[str, str]) -> None:
        self._tokens.pop(key, None)

    @property
    def lock(self) -> threading.Lock:
        return self._lock


TOKENS = TokenCache()


# --- the client -----------------------------------------------------------------------------


class BadgesClient:
    """One configured connection to a badge API. Not shared between threads (see client_for)."""

    def __init__(
        self,
        base_url: str,
        *,
        username: str = "",
        password: str = "",
        oauth_key: str = "",
        oauth_secret: str = "",
        timeout: float = 10.0,
        retry: Retry | None = None,
        post_retries: int = 2,
        backoff_factor: float = 0.2,
        tokens: TokenCache | None = None,
        clock=time.time,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.post_retries = post_retries
        self.backoff_factor = backoff_factor
        self._clock = clock
        self._tokens = tokens if tokens is not None else TOKENS
        self._oauth = (oauth_key, oauth_secret) if oauth_key else None
        self.session = requests.Session()
        self.session.trust_env = False  # never route the console's own API calls through a proxy
        adapter = BadgesAdapter(
            timeout=timeout, retry=retry or default_retry(backoff_factor=backoff_factor)
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if self._oauth is None and username:
            self.session.auth = HTTPBasicAuth(username, password)

    @property
    def auth_mode(self) -> str:
        return "oauth" if self._oauth else "basic" if self.session.auth else "none"

    def close(self) -> None:
        self.session.close()

    # --- badge definitions -----------------------------------------------------------------

    def list_badges(
        self, filters: BadgeFilters | None = None, *, page: int = 0, limit: int = 20
    ) -> Page[Badge]:
        query = (filters or BadgeFilters()).to_query() | {"page": page, "limit": limit}
        data, _ = self._call("GET", f"{API_PREFIX}/badgeMeta", params=query)
        return self._parse(lambda: _page(data, "badges", Badge.from_wire))

    def get_badge(self, badge_id: str) -> Badge:
        data, _ = self._call("GET", f"{API_PREFIX}/badgeMeta/{_segment(badge_id)}")
        return self._parse(lambda: Badge.from_wire(data))

    def create_badge(self, payload: Mapping[str, Any], *, historical: bool = False) -> Badge:
        """`historical` sends Capillary's migration header, which allows a start in the past."""
        headers = {MIGRATION_HEADER: "migration"} if historical else None
        data, warnings = self._call(
            "POST", f"{API_PREFIX}/badgeMeta", json=dict(payload), headers=headers
        )
        return self._parse(lambda: Badge.from_wire(data, warnings=warnings))

    def update_badge(self, payload: Mapping[str, Any], *, historical: bool = False) -> Badge:
        """`payload` carries the badge's `id`; fields it omits keep their values."""
        headers = {MIGRATION_HEADER: "migration"} if historical else None
        data, warnings = self._call(
            "PUT", f"{API_PREFIX}/badgeMeta", json=dict(payload), headers=headers
        )
        return self._parse(lambda: Badge.from_wire(data, warnings=warnings))

    def set_badge_active(self, badge_id: str, active: bool) -> Activation:
        word = "activate" if active else "deactivate"
        data, _ = self._call("PUT", f"{API_PREFIX}/badgeMeta/{_segment(badge_id)}/{word}")
        return self._parse(
            lambda: Activation(
                id=str(data.get("id", badge_id)), is_active=bool(data.get("isActive", active))
            )
        )

    def claim_badge(self, badge_id: str, *, owner_type: str, reference_id: str) -> Claim:
        body = {"ownerType": owner_type, "referenceId": reference_id}
        data, _ = self._call(
            "POST", f"{API_PREFIX}/badgeMeta/{_segment(badge_id)}/claim", json=body
        )
        return self._parse(lambda: Claim.from_wire(data))

    def unclaim_badge(self, badge_id: str, *, owner_type: str, reference_id: str) -> Claim:
        body = {"ownerType": owner_type, "referenceId": reference_id}
        data, _ = self._call(
            "POST", f"{API_PREFIX}/badgeMeta/{_segment(badge_id)}/unclaim", json=body
        )
        return self._parse(lambda: Claim.from_wire(data))

    def fixed_window_cycles(
        self,
        badge_id: str,
        *,
        constraint_type: str = "ALL",
        reference_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        page: int = 0,
        size: int = 10,
        include_earn_count: bool = False,
        customer_id: str | None = None,
    ) -> FixedWindowCycles:
        """`include_earn_count` asks for `earnCount` per cycle: everyone's for badge cycles, the
        `customer_id` customer's for customer cycles (the API wants one unless constraint_type
        is BADGE)."""
        query: dict[str, Any] = {
            "badgeMetaId": badge_id,
            "constraintType": constraint_type,
            "page": page,
            "size": size,
        }
        if include_earn_count:
            query["includeEarnCount"] = "true"
        if customer_id:
            query["customerId"] = customer_id
        if reference_id:
            query["fixedWindowCycleReferenceId"] = reference_id
        if start is not None:
            query["startDate"] = to_iso(start)
        if end is not None:
            query["endDate"] = to_iso(end)
        data, _ = self._call("GET", f"{API_PREFIX}/badgeMeta/getFixedWindowDetails", params=query)

        def parse() -> FixedWindowCycles:
            cycles = tuple(
                FixedWindowCycle.from_wire(cycle) for cycle in data.get("fixedWindowCycles") or []
            )
            pagination = Pagination.from_wire(data.get("pagination"), count=len(cycles))
            return FixedWindowCycles(
                badge_id=str(data.get("badgeMetaId") or badge_id),
                cycles=cycles,
                pagination=pagination,
            )

        return self._parse(parse)

    def earns_per_day(
        self, badge_id: str, *, first_day: date | None = None, last_day: date | None = None
    ) -> EarnsPerDay:
        """Earns per day over at most 366 days (the API's defaults: the last 30 up to today).

        An extension of the embedded service: a Capillary cluster answers 404.
        """
        query = {}
        if first_day is not None:
            query["from"] = first_day.isoformat()
        if last_day is not None:
            query["to"] = last_day.isoformat()
        data, _ = self._call(
            "GET", f"{API_PREFIX}/badgeMeta/{_segment(badge_id)}/earnsPerDay", params=query
        )
        return self._parse(lambda: EarnsPerDay.from_wire(data))

    def badge_name_taken(self, name: str, *, excluding_id: str | None = None) -> bool:
        """True when another badge of the org has exactly this name (the API's 725 rule).

        The list's `name` filter may match substrings (this service) or be exact (Capillary),
        so candidates are compared exactly here, case-sensitively as the API compares them.
        """
        name = name.strip()
        if not name:
            return False
        page = 0
        while True:
            data, _ = self._call(
                "GET",
                f"{API_PREFIX}/badgeMeta",
                params={"name": name, "page": page, "limit": 100, "sortOn": "ID"},
            )
            badges = data.get("badges") or [] if isinstance(data, dict) else []
            if any(
                b.get("name") == name and b.get("id") != excluding_id
                for b in badges
                if isinstance(b, dict)
            ):
                return True
            pagination = (
                Pagination.from_wire(data.get("pagination"), count=len(badges))
                if isinstance(data, dict)
                else None
            )
            if pagination is None or not pagination.has_next or page >= 50:
                return False
            page += 1

    # --- groups -----------------------------------------------------------------------------

    def list_groups(
        self, *, active: bool = True, page: int = 0, size: int = 100, order: str = "ASC"
    ) -> Page[Group]:
        query = {
            "isActive": "true" if active else "false",
            "page": page,
            "size": size,
            "order": order,
        }
        data, _ = self._call("GET", f"{API_PREFIX}/group", params=query)
        return self._parse(lambda: _page(data, "badgeGroups", Group.from_wire))

    def all_groups(self, *, active: bool = True) -> list[Group]:
        """Every group, by rank (groups are few; this pages at the API's maximum size)."""
        return self._all(
            lambda page: self.list_groups(active=active, page=page, size=MAX_PAGE_SIZE)
        )

    def get_group(self, group_id: str) -> Group:
        data, _ = self._call("GET", f"{API_PREFIX}/group/{_segment(group_id)}")
        return self._parse(lambda: Group.from_wire(data))

    def create_group(self, *, name: str, rank: int) -> Group:
        data, _ = self._call("POST", f"{API_PREFIX}/group", json={"name": name, "rank": rank})
        return self._parse(lambda: Group.from_wire(data))

    def update_group(
        self, group_id: str, *, name: str, rank: int, is_active: bool | None = None
    ) -> Group:
        body: dict[str, Any] = {"name": name, "rank": rank}
        if is_active is not None:
            body["isActive"] = is_active
        data, _ = self._call("PUT", f"{API_PREFIX}/group/{_segment(group_id)}", json=body)
        return self._parse(lambda: Group.from_wire(data))

    # --- custom fields ------------------------------------------------------------------------

    def list_custom_fields(
        self,
        *,
        active: bool = True,
        page: int = 0,
        size: int = 100,
        sort_on: str = "NAME",
        order: str = "ASC",
    ) -> Page[CustomField]:
        query = {
            "isActive": "true" if active else "false",
            "page": page,
            "size": size,
            "sortOn": sort_on,
            "order": order,
        }
        data, _ = self._call("GET", f"{API_PREFIX}/customField", params=query)
        return self._parse(lambda: _page(data, "customFields", CustomField.from_wire))

    def all_custom_fields(self, *, active: bool = True) -> list[CustomField]:
        return self._all(
            lambda page: self.list_custom_fields(active=active, page=page, size=MAX_PAGE_SIZE)
        )

    def get_custom_field(self, field_id: str) -> CustomField:
        data, _ = self._call("GET", f"{API_PREFIX}/customField/{_segment(field_id)}")
        return self._parse(lambda: CustomField.from_wire(data))

    def create_custom_field(
        self, *, name: str, data_type: str, is_mandatory: bool = False, default_value: Any = None
    ) -> CustomField:
        body = {
            "name": name,
            "dataType": data_type,
            "isMandatory": is_mandatory,
            "defaultValue": default_value,
        }
        data, _ = self._call("POST", f"{API_PREFIX}/customField", json=body)
        return self._parse(lambda: CustomField.from_wire(data))

    def update_custom_field(
        self,
        field_id: str,
        *,
        name: str,
        is_mandatory: bool | None = None,
        default_value: Any = ...,
        is_active: bool | None = None,
    ) -> CustomField:
        """Omitted arguments keep their values; `default_value=None` clears the default."""
        body: dict[str, Any] = {"name": name}
        if is_mandatory is not None:
            body["isMandatory"] = is_mandatory
        if default_value is not ...:
            body["defaultValue"] = default_value
        if is_active is not None:
            body["isActive"] = is_active
        data, _ = self._call("PUT", f"{API_PREFIX}/customField/{_segment(field_id)}", json=body)
        return self._parse(lambda: CustomField.from_wire(data))

    # --- plumbing -------------------------------------------------------------------------------

    def _all(self, fetch) -> list:
        items, page = [], 0
        while True:
            result = fetch(page)
            items.extend(result.items)
            if not result.pagination.has_next or not result.items:
                return items
            page += 1

    def _parse(self, build):
        """Run a dataclass builder; a shape we cannot read is the API's fault, not the user's."""
        try:
            return build()
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            logger.warning("badge API answered an unexpected shape: %s", error)
            raise BadgesApiUnavailable(
                f"The badge API answered in a shape the console does not understand ({error})."
            ) from error

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Any, tuple[ApiErrorItem, ...]]:
        """(data, warnings) of a successful envelope; raises a BadgesApiError otherwise."""
        body = None if json is None else orjson.dumps(json)
        all_headers = dict(headers or {})
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        replayable = method == "POST" and isinstance(json, Mapping) and bool(json.get("requestId"))
        response = self._send(
            method, path, params=params, body=body, headers=all_headers, replayable=replayable
        )
        if response.status_code == 401 and self._oauth is not None:
            # The token may have been revoked or the server's key rotated: one fresh try.
            self._tokens.forget(self._token_key())
            response = self._send(
                method, path, params=params, body=body, headers=all_headers, replayable=replayable
            )
        return _unwrap(response)

    def _send(self, method, path, *, params, body, headers, replayable: bool) -> requests.Response:
        if self._oauth is not None:
            headers = headers | {OAUTH_HEADER: self._token()}
        attempts = 1 + (self.post_retries if replayable else 0)
        for attempt in range(attempts):
            try:
                response = self.session.request(
                    method, self.base_url + path, params=params, data=body, headers=headers
                )
            except requests.RequestException as error:
                if attempt + 1 < attempts and not isinstance(error, requests.ReadTimeout):
                    self._pause(attempt)
                    continue
                raise self._unreachable(error) from error
            if replayable and response.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                self._pause(attempt)
                continue
            return response
        raise AssertionError("unreachable")

    def _pause(self, attempt: int) -> None:
        time.sleep(self.backoff_factor * (2**attempt))

    def _unreachable(self, error: requests.RequestException) -> BadgesApiUnavailable:
        if isinstance(error, requests.Timeout):
            message = (
                f"The badge API at {self.base_url} did not answer within {self.timeout:g} seconds."
            )
        elif isinstance(error, requests.ConnectionError):
            message = f"The badge API at {self.base_url} could not be reached."
        else:
            message = (
                f"The request to the badge API at {self.base_url} failed ({type(error).__name__})."
            )
        logger.warning("%s %s", message, error)
        return BadgesApiUnavailable(message)

    def _token_key(self) -> tuple[str, str]:
        return (self.base_url, self._oauth[0])

    def _token(self) -> str:
        key = self._token_key()
        token = self._tokens.get(key, now=self._clock())
        if token is not None:
            return token
        with self._tokens.lock:
            token = self._tokens.get(key, now=self._clock())
            if token is not None:
                return token
            oauth_key, oauth_secret = self._oauth
            try:
                response = self.session.request(
                    "POST",
                    self.base_url + TOKEN_PATH,
                    data=orjson.dumps({"key": oauth_key, "secret": oauth_secret}),
                    headers={"Content-Type": "application/json"},
                )
            except requests.RequestException as error:
                raise self._unreachable(error) from error
            data, _ = _unwrap(response)
            try:
                value, ttl = str(data["accessToken"]), float(data.get("ttlSeconds") or 3600)
            except (KeyError, TypeError, ValueError) as error:
                raise BadgesApiUnavailable(
                    "The badge API's token answer has no accessToken."
                ) from error
            self._tokens.put(key, value, ttl_seconds=ttl, now=self._clock())
            return value


def _segment(value: str) -> str:
    """An id as one URL path segment."""
    return requests.utils.quote(str(value), safe="")


def _page(data: Any, key: str, build) -> Page:
    if not isinstance(data, Mapping):
        raise ValueError("expected an object with a list")
    items = tuple(build(item) for item in data.get(key) or [])
    return Page(
        items=items, pagination=Pagination.from_wire(data.get("pagination"), count=len(items))
    )


def _unwrap(response: requests.Response) -> tuple[Any, tuple[ApiErrorItem, ...]]:
    """The envelope's data and warnings, or the right BadgesApiError for the answer."""
    status = response.status_code
    envelope = None
    if response.content:
        try:
            envelope = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            envelope = None
    if not isinstance(envelope, dict) or not ({"data", "errors"} & envelope.keys()):
        envelope = None
    errors = tuple(ApiErrorItem.from_wire(item) for item in (envelope or {}).get("errors") or [])
    first = errors[0].message if errors and errors[0].message else None

    if 200 <= status < 300:
        if envelope is None:
            raise BadgesApiUnavailable(
                f"The badge API answered HTTP {status} without its JSON envelope; is BADGES_API_URL right?",
                status=status,
            )
        warnings = tuple(ApiErrorItem.from_wire(item) for item in envelope.get("warnings") or [])
        return envelope.get("data"), warnings
    if status in (401, 403):
        raise BadgesApiAuthError(
            f"The badge API refused the console's credentials (HTTP {status}{': ' + first if first else ''}).",
            status=status,
            errors=errors,
        )
    if envelope is None:
        raise BadgesApiUnavailable(
            f"The badge API answered HTTP {status} with something other than its JSON envelope.",
            status=status,
        )
    if status >= 500 or status == 429:
        raise BadgesApiUnavailable(
            f"The badge API failed (HTTP {status}{': ' + first if first else ''}).",
            status=status,
            errors=errors,
        )
    if status == 404:
        raise BadgesApiNotFound(first or "Not found", status=status, errors=errors)
    raise BadgesApiValidationError(
        first or f"The badge API refused the request (HTTP {status}).", status=status, errors=errors
    )


# --- from settings ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientSettings:
    base_url: str
    username: str
    password: str
    oauth_key: str
    oauth_secret: str
    timeout: float

    @classmethod
    def from_django(cls, base_url: str) -> ClientSettings:
        return cls(
            base_url=base_url.rstrip("/"),
            username=settings.BADGES_API_USERNAME,
            password=settings.BADGES_API_PASSWORD,
            oauth_key=settings.BADGES_API_OAUTH_KEY,
            oauth_secret=settings.BADGES_API_OAUTH_SECRET,
            timeout=float(settings.BADGES_API_TIMEOUT_SECONDS),
        )


_local = threading.local()
_every_client: weakref.WeakSet[BadgesClient] = weakref.WeakSet()


def api_base_url(request) -> str:
    """BADGES_API_URL, or this very server (scheme and host of the request) when it is empty."""
    return settings.BADGES_API_URL.rstrip("/") or f"{request.scheme}://{request.get_host()}"


def client_for(request) -> BadgesClient:
    """The client the settings describe, reused per thread so connections and tokens are kept.

    BADGES_API_PASSWORD_IS_MD5 says the configured password already is md5(password); it is sent
    as is (Capillary accepts the password or its md5 alike), so the plain text need not be stored.
    """
    cached = getattr(request, "_badges_client", None)
    if cached is not None:
        return cached
    config = ClientSettings.from_django(api_base_url(request))
    clients: dict[ClientSettings, BadgesClient] = getattr(_local, "clients", None) or {}
    _local.clients = clients
    client = clients.get(config)
    if client is None:
        if len(clients) > 8:  # settings changed many times (tests): drop the old sessions
            for old in clients.values():
                old.close()
            clients.clear()
        client = BadgesClient(
            config.base_url,
            username=config.username,
            password=config.password,
            oauth_key=config.oauth_key,
            oauth_secret=config.oauth_secret,
            timeout=config.timeout,
        )
        clients[config] = client
        _every_client.add(client)
    request._badges_client = client
    return client


def close_all_clients() -> None:
    """Close every client client_for made, in every thread (tests; a server never needs to).

    Kept-alive connections otherwise hold a server thread, and its database connection, open.
    """
    for client in list(_every_client):
        client.close()
    _every_client.clear()
    _local.__dict__.clear()
