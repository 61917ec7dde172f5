"""Capillary's two ways in: Basic (password or its md5) and an OAuth token header.

A credential check must cost microseconds, not a password hash: clients keep only a salted
SHA-256 of md5(password), and OAuth tokens are HMAC-signed JWTs. bench/bench_auth.py measures it.

What keeps the check near its floor (one SHA-256 and one indexed SELECT):
- The client row and its org come from one hand-written SELECT: compiling the equivalent ORM
  query costs several hundred microseconds, many times what the database spends answering it.
- A token's signature is verified once per process (`token_claims`, keyed by secret key and
  token, so it can never be stale); expiry is checked on every request.
- With `settings.BADGES_AUTH_CACHE_SECONDS` > 0, a credential that succeeded is remembered in
  this process for that many seconds, keyed by the exact header value, so repeated requests skip
  the database altogether (on PostgreSQL the round trip is most of the cost). The price: a client
  deactivated (or an org renamed) is still honoured by each worker for up to that many seconds,
  and a token never outlives its own `exp`. Failures are never remembered. 0 (the default when
  the setting is absent) reads the row on every request.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import secrets
import time

import jwt
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.base import DEFERRED
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from badges_api.models import ApiClient, Org

OAUTH_HEADER = "HTTP_X_CAP_API_OAUTH_TOKEN"
_MD5_HEX_LENGTH = 32
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # noqa: S324 - Capillary's till convention


def secret_digest(salt: str, password_md5: str) -> str:
    return hashlib.sha256(f"{salt}:{password_md5.lower()}".encode()).hexdigest()


def api_client_create(
    *, org: Org, username: str, password: str | None = None
) -> tuple[ApiClient, str]:
    """Create a client; returns it with the plain password (generated when not given)."""
    password = password or secrets.token_urlsafe(18)
    salt = secrets.token_hex(16)
    client = ApiClient.objects.create(
        org=org, username=username, salt=salt, secret_digest=secret_digest(salt, md5_hex(password))
    )
    return client, password


def check_password(client: ApiClient, presented: str) -> bool:
    """True when `presented` is the password or its md5 hex digest (Capillary tills send the md5)."""
    return _secret_matches(client.salt, client.secret_digest, presented)


def _secret_matches(salt: str, digest: str, presented: str) -> bool:
    candidates = [md5_hex(presented)]
    if len(presented) == _MD5_HEX_LENGTH and _HEX_DIGITS.issuperset(presented):
        candidates.append(presented)
    # Both candidates are always compared, so timing does not say which form matched.
    matches = [
        hmac.compare_digest(secret_digest(salt, candidate), digest) for candidate in candidates
    ]
    return any(matches)


def client_for_basic(header: str) -> ApiClient | None:
    """The active client named by a Basic credential (the part after "Basic "), else None."""
    key = ("basic", header)
    row = _remembered(key)
    if row is None:
        try:
            decoded = base64.b64decode(header, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password = decoded.partition(":")
        if not sep or not username or "\x00" in username:  # PostgreSQL refuses NUL in a string
            return None
        row = _active_client_row("username", username)
        if row is None or not _secret_matches(row.salt, row.secret_digest, password):
            return None
        _remember(key, row, _cache_seconds())
    return row.instances()


def token_issue(client: ApiClient) -> tuple[str, int]:
    ttl = settings.BADGES_OAUTH_TTL_SECONDS
    now = int(time.time())
    claims = {"sub": str(client.pk), "org": client.org_id, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256"), ttl


@functools.lru_cache(maxsize=4096)
def token_claims(secret_key: str, token: str) -> tuple[int, int, float] | None:
    """(client id, org id, exp) of a token whose signature and shape are valid, else None.

    Depends only on its arguments (expiry is the caller's to check), so remembering it is safe;
    it spares PyJWT's ~100 µs on every request after a token's first.
    """
    options = {
        "require": ["exp", "sub"],
        "verify_exp": False,
        "verify_iat": False,
        "verify_nbf": False,
    }
    try:
        claims = jwt.decode(token, secret_key, algorithms=["HS256"], options=options)
        return int(claims["sub"]), int(claims["org"]), float(claims["exp"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError, OverflowError):
        return None


def client_for_token(token: str) -> ApiClient | None:
    """The active client an unexpired, correctly signed token was issued to, else None."""
    claims = token_claims(settings.SECRET_KEY, token)
    if claims is None:
        return None
    client_id, org_id, expires_at = claims
    seconds_left = expires_at - time.time()
    if seconds_left <= 0:
        return None
    key = ("token", token)
    row = _remembered(key)
    if row is None:
        row = _active_client_row("id", client_id)
        if row is None or row.org_id != org_id:
            return None
        _remember(key, row, min(_cache_seconds(), seconds_left))
    return row.instances()


class CapillaryAuthentication(BaseAuthentication):
    """DRF authentication: request.user is the ApiClient, request.auth its Org."""

    def authenticate(self, request):
        meta = request.META
        token = meta.get(OAUTH_HEADER)
        if token:
            client = client_for_token(token.strip())
            if client is None:
                raise AuthenticationFailed("Invalid or expired OAuth token")
            return client, client.org
        header = meta.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value:
            return None
        client = client_for_basic(value.strip())
        if client is None:
            raise AuthenticationFailed("Invalid username or password")
        return client, client.org

    def authenticate_header(self, request) -> str:
        return 'Basic realm="badges"'


# --- the client row: one SELECT, fresh model instances per request ---------------------------

# The project has one database; the credential lives in it beside everything else.
_CLIENT_FIELDS = ("id", "org_id", "username", "salt", "secret_digest")
_ORG_FIELDS = ("id", "name", "timezone")
# from_db takes every field in the model's order, DEFERRED for those not loaded (they load on
# first access); is_active is known, the SELECT requires it.
_CLIENT_ATTNAMES = tuple(f.attname for f in ApiClient._meta.concrete_fields)
_ORG_ATTNAMES = tuple(f.attname for f in Org._meta.concrete_fields)


class _ClientRow(tuple):
    """The selected columns of an active client and its org (immutable, so safe to share)."""

    __slots__ = ()

    org_id = property(lambda self: self[_CLIENT_FIELDS.index("org_id")])
    salt = property(lambda self: self[_CLIENT_FIELDS.index("salt")])
    secret_digest = property(lambda self: self[_CLIENT_FIELDS.index("secret_digest")])

    def instances(self) -> ApiClient:
        """A new ApiClient with its Org attached; fields not selected load on first access."""
        client_values, org_values = _from_db_values(self)
        client = ApiClient.from_db(DEFAULT_DB_ALIAS, _CLIENT_ATTNAMES, client_values)
        client.org = Org.from_db(DEFAULT_DB_ALIAS, _ORG_ATTNAMES, org_values)
        return client


@functools.lru_cache(maxsize=1024)
def _from_db_values(row: _ClientRow) -> tuple[tuple, tuple]:
    """The row's values laid out for from_db, once per row rather than on every request (laying
    them out cost as much as building the two instances)."""
    split = len(_CLIENT_FIELDS)
    client_values = dict(zip(_CLIENT_FIELDS, row[:split], strict=True)) | {"is_active": True}
    org_values = dict(zip(_ORG_FIELDS, row[split:], strict=True))
    return (
        tuple(client_values.get(name, DEFERRED) for name in _CLIENT_ATTNAMES),
        tuple(org_values.get(name, DEFERRED) for name in _ORG_ATTNAMES),
    )


@functools.cache
def _active_client_sql(vendor: str, column: str) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = [f"c.{quote(name)}" for name in _CLIENT_FIELDS] + [
        f"o.{quote(name)}" for name in _ORG_FIELDS
    ]
    clients, orgs = quote(ApiClient._meta.db_table), quote(Org._meta.db_table)
    return (  # only model names go into the text; values are parameters
        f"SELECT {', '.join(columns)} FROM {clients} c"  # noqa: S608
        f" JOIN {orgs} o ON o.{quote('id')} = c.{quote('org_id')}"
        f" WHERE c.{quote(column)} = %s AND c.{quote('is_active')} = %s"
    )


def _active_client_row(column: str, value: str | int) -> _ClientRow | None:
    """The active client whose `column` (username or id) is `value`, with its org.

    Hand-written because it runs on every request and the ORM spends far longer compiling this
    query than the database spends answering it (bench/bench_auth.py shows both).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(_active_client_sql(connection.vendor, column), [value, True])
        row = cursor.fetchone()
    return None if row is None else _ClientRow(row)


# --- the short-lived credential cache (see the module docstring) -----------------------------

_CACHE_MAX_ENTRIES = 10_000
_cache: dict[tuple[str, str], tuple[float, _ClientRow]] = {}


def _cache_seconds() -> float:
    return getattr(settings, "BADGES_AUTH_CACHE_SECONDS", 0)


def credential_cache_clear() -> None:
    """Forget every remembered credential in this process (tests; after deactivating a client)."""
    _cache.clear()


def _remembered(key: tuple[str, str]) -> _ClientRow | None:
    entry = _cache.get(key) if _cache_seconds() > 0 else None
    if entry is None:
        return None
    expires_at, row = entry
    if expires_at <= time.monotonic():
        _cache.pop(key, None)
        return None
    return row


def _remember(key: tuple[str, str], row: _ClientRow, seconds: float) -> None:
    if seconds <= 0:
        return
    if len(_cache) >= _CACHE_MAX_ENTRIES:
        # Only good credentials get here, so this is reached by many clients, not by an attack;
        # starting over is simpler than an LRU and costs one SELECT per client.
        _cache.clear()
    _cache[key] = (time.monotonic() + seconds, row)
