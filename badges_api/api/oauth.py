"""POST /v3/oauth/token/generate {"key", "secret"} -> {"data": {"accessToken", "ttlSeconds"}}.

The key is the API client's username and the secret its password (or the password's md5).
"""

from rest_framework.decorators import api_view, authentication_classes, permission_classes

from badges_api import auth, errors, inputs
from badges_api.api import schemas
from badges_api.api.envelope import ok
from badges_api.errors import BadgeApiError
from badges_api.models import ApiClient


@schemas.TOKEN_GENERATE
@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
def token_generate(request):
    body = request.data if isinstance(request.data, dict) else {}
    key, secret = body.get("key"), body.get("secret")
    if not isinstance(key, str) or not isinstance(secret, str) or not key or not secret:
        raise BadgeApiError(
            errors.INVALID_INPUT, "key and secret are required", "key" if not key else "secret"
        )
    # The key is looked up: PostgreSQL cannot compare a NUL (a 500) where SQLite answers 401.
    bad = inputs.control_character(key)
    if bad is not None:
        raise BadgeApiError(errors.INVALID_INPUT, inputs.control_message("key", bad), "key")
    client = ApiClient.objects.select_related("org").filter(username=key, is_active=True).first()
    if client is None or not auth.check_password(client, secret):
        raise BadgeApiError(errors.UNAUTHORIZED, "Invalid key or secret", status=401)
    token, ttl = auth.token_issue(client)
    return ok({"accessToken": token, "ttlSeconds": ttl})
