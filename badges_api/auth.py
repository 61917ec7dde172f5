"""Capillary's two ways in: Basic (password or its md5) and an OAuth token header.

A credential check must cost microseconds, not a password hash: clients keep only a salted
SHA-256 of md5(password), and OAuth tokens are HMAC-signed JWTs.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

import jwt
from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from badges_api.models import ApiClient, Org

OAUTH_HEADER = "HTTP_X_CAP_API_OAUTH_TOKEN"
_MD5_HEX_LENGTH = 32


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # noqa: S324 - Capillary's till convention


def secret_digest(salt: str, password_md5: str) -> str:
    return hashlib.sha256(f"{salt}:{password_md5.lower()}".encode()).hexdigest()


def api_client_create(*, org: Org, username: str, password: str | None = None) -> tuple[ApiClient, str]:
    """Create a client; returns it with the plain password (generated when not given)."""
    password = password or secrets.token_urlsafe(18)
    salt = secrets.token_hex(16)
    client = ApiClient.objects.create(
        org=org, username=username, salt=salt, secret_digest=secret_digest(salt, md5_hex(password))
    )
    return client, password


def check_password(client: ApiClient, presented: str) -> bool:
    """True when `presented` is the password or its md5 hex digest (Capillary tills send the md5)."""
    candidates = [md5_hex(presented)]
    if len(presented) == _MD5_HEX_LENGTH and all(ch in "0123456789abcdefABCDEF" for ch in presented):
        candidates.append(presented)
    return any(
        hmac.compare_digest(secret_digest(client.salt, candidate), client.secret_digest) for candidate in candidates
    )


def client_for_basic(header: str) -> ApiClient | None:
    try:
        decoded = base64.b64decode(header, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep:
        return None
    client = ApiClient.objects.select_related("org").filter(username=username, is_active=True).first()
    if client is None or not check_password(client, password):
        return None
    return client


def token_issue(client: ApiClient) -> tuple[str, int]:
    ttl = settings.BADGES_OAUTH_TTL_SECONDS
    now = int(time.time())
    claims = {"sub": str(client.pk), "org": client.org_id, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256"), ttl


def client_for_token(token: str) -> ApiClient | None:
    try:
        claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.PyJWTError:
        return None
    client = ApiClient.objects.select_related("org").filter(pk=claims["sub"], is_active=True).first()
    if client is None or client.org_id != claims.get("org"):
        return None
    return client


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
