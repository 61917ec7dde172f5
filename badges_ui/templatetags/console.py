"""Template helpers: roles, the org's name and timezone, and readable values."""

from datetime import date, datetime

from django import template
from django.utils import dateformat

from badges_ui import roles
from badges_ui.services import org_display
from badges_ui.types import owner_label as _owner_label

register = template.Library()


@register.filter
def has_role(user, role: str) -> bool:
    """{% if request.user|has_role:"marketing" %}: marketing managers and admins."""
    return roles.has_role(user, role)


@register.filter
def can(user, capability: str) -> bool:
    """{% if request.user|can:"edit_badges" %} (capabilities: badges_ui.roles.CAN)."""
    return roles.can(user, capability)


@register.filter
def role_label(user) -> str:
    role = roles.role_of(user)
    return roles.LABELS.get(role, "No role") if role else "No role"


@register.simple_tag
def org_name() -> str:
    return org_display().name


@register.simple_tag
def org_timezone() -> str:
    return org_display().timezone_name


@register.filter
def local(value: datetime | None, fmt: str = "j M Y, H:i") -> str:
    """A moment in the org's timezone: "15 Mar 2026, 11:20"."""
    if not isinstance(value, datetime):
        return "—"
    return dateformat.format(value.astimezone(org_display().tz), fmt)


@register.filter
def local_date(value: datetime | date | None) -> str:
    if isinstance(value, datetime):
        return local(value, "j M Y")
    if isinstance(value, date):
        return dateformat.format(value, "j M Y")
    return "—"


@register.filter
def owner_label(value: str) -> str:
    return _owner_label(value or "")


@register.filter
def describe_expiry(expiry, action: str = "earned") -> str:
    if expiry is None:
        return "—"
    return expiry.describe(action=action, tz=org_display().tz)


@register.filter
def enum_label(value: str | None) -> str:
    """LOYALTY_POINTS -> "Loyalty points"."""
    return (value or "").replace("_", " ").capitalize()


@register.filter
def get_item(mapping, key):
    """{{ groups_by_id|get_item:badge.badge_group_id }}"""
    if not mapping or key is None:
        return None
    return mapping.get(key)
