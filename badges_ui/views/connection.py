"""Settings: which badge API the console talks to, and whether it answers. Admins only."""

import time

from django.conf import settings

from badges_ui.client import BadgesApiError
from badges_ui.roles import ADMIN, role_required
from badges_ui.types import BadgeFilters
from badges_ui.views.common import api_problem, client_for, render


@role_required(ADMIN)
def api_connection(request):
    client = client_for(request)
    started = time.perf_counter()
    problem, badge_total = None, None
    try:
        badge_total = client.list_badges(BadgeFilters(), limit=1).pagination.total
    except BadgesApiError as error:
        problem = api_problem(error)
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    context = {
        "base_url": client.base_url,
        "configured_url": settings.BADGES_API_URL,
        "auth_mode": client.auth_mode,
        "username": settings.BADGES_API_OAUTH_KEY
        if client.auth_mode == "oauth"
        else settings.BADGES_API_USERNAME,
        "password_is_md5": settings.BADGES_API_PASSWORD_IS_MD5,
        "timeout": client.timeout,
        "problem": problem,
        "badge_total": badge_total,
        "elapsed_ms": elapsed_ms,
    }
    # The page itself worked even when the API does not: it exists to say so.
    return render(request, "badges_ui/api_connection.html", context)
