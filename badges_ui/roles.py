"""Console roles, kept as Django groups so they need no table of their own.

| Can                                                         | marketing | support | admin |
|-------------------------------------------------------------|-----------|---------|-------|
| read the badge catalogue, badge details, cycles             | yes       | yes     | yes   |
| customer pages (later issues)                               | yes       | yes     | yes   |
| activate/deactivate, claim/unclaim, build/edit/duplicate    | yes       | no      | yes   |
| badge groups and custom fields (settings)                   | yes       | no      | yes   |
| the API connection page (which API, whose credentials)      | no        | no      | yes   |

Admin passes every check ("everything"), so views name only the roles a page is *for*:
`@role_required("marketing")` admits marketing managers and admins. A Django superuser counts as
an admin. A signed-in user with no role is treated like a user without permission: 403 everywhere.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

MARKETING = "marketing"
SUPPORT = "support"
ADMIN = "admin"
ROLES = (MARKETING, SUPPORT, ADMIN)
LABELS = {MARKETING: "Marketing manager", SUPPORT: "Support agent", ADMIN: "Admin"}

# Everything the views or templates may ask about, by role (admin has them all).
CAN = {
    "view_badges": {MARKETING, SUPPORT, ADMIN},
    "view_customers": {MARKETING, SUPPORT, ADMIN},
    "edit_badges": {MARKETING, ADMIN},
    "manage_catalogue_settings": {MARKETING, ADMIN},
    "manage_console": {ADMIN},
}

_GROUP_PREFIX = "console:"


def group_name(role: str) -> str:
    return _GROUP_PREFIX + role


def role_of(user) -> str | None:
    """The user's console role, or None (anonymous, inactive or no role)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_console_role", ...)
    if cached is not ...:
        return cached
    role = None
    if user.is_superuser:
        role = ADMIN
    else:
        names = set(
            user.groups.filter(name__startswith=_GROUP_PREFIX).values_list("name", flat=True)
        )
        # The most powerful role wins should a user have been given several by hand.
        for candidate in (ADMIN, MARKETING, SUPPORT):
            if group_name(candidate) in names:
                role = candidate
                break
    user._console_role = role
    return role


def has_role(user, *roles: str) -> bool:
    role = role_of(user)
    return role is not None and (role == ADMIN or role in roles)


def can(user, capability: str) -> bool:
    return role_of(user) in CAN[capability]


def set_role(user, role: str) -> None:
    """Give the user exactly this console role (removing any other)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
    others = Group.objects.filter(name__startswith=_GROUP_PREFIX).exclude(name=group_name(role))
    user.groups.remove(*others)
    group, _ = Group.objects.get_or_create(name=group_name(role))
    user.groups.add(group)
    user.__dict__.pop("_console_role", None)


def role_required(*roles: str):
    """Signed in (else the login page) and one of `roles` or admin (else the 403 page)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")

    audience = " and ".join(
        [LABELS[role].lower() + "s" for role in roles if role != ADMIN] + ["admins"]
    )

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied(f"This page is for {audience}.")
            return view(request, *args, **kwargs)

        wrapper.console_roles = roles
        return wrapper

    return decorator
