"""Capillary's paths, exactly: /api_gateway/v1/badges/... and /v3/oauth/token/generate.

Every API route is here, in the order Django tries them. Where a fixed path and a parameter share
a place, the fixed path comes first: `customer/earn`, `customer/earnBulk`, `customer/revokeEarn`
before `customer/<customer_id>`; `badgeMeta/customer/...` and `badgeMeta/getFixedWindowDetails`
before `badgeMeta/<badge_id>`; `customers/import` before `customers/<customer_id>` (a GET of it
is a 405, not a lookup of a customer called "import").
"""

from django.urls import path

from badges_api.api import (
    badges,
    custom_fields,
    customer_badges,
    customers,
    groups,
    lifecycle,
    oauth,
)

PREFIX = "api_gateway/v1/badges/"

urlpatterns = [
    path("v3/oauth/token/generate", oauth.token_generate, name="oauth-token-generate"),
    # The customer lifecycle: enrol, earn, revoke, import.
    path(PREFIX + "customer/earnBulk", lifecycle.earn_bulk, name="earn-bulk"),
    path(PREFIX + "customer/earn", lifecycle.earn, name="earn"),
    path(PREFIX + "customer/revokeEarn", lifecycle.revoke_earn, name="revoke-earn"),
    path(PREFIX + "badgeMeta/customer/issueBulk", lifecycle.issue_bulk, name="issue-bulk"),
    path(PREFIX + "badgeMeta/customer/revokeIssue", lifecycle.revoke_issue, name="revoke-issue"),
    path(
        PREFIX + "import/customerBadges",
        lifecycle.import_customer_badges,
        name="import-customer-badges",
    ),
    # One customer's badges.
    path(
        PREFIX + "customer/<str:customer_id>",
        customer_badges.customer_badges,
        name="customer-badges",
    ),
    path(
        PREFIX + "management/<str:customer_id>",
        customer_badges.management_badges,
        name="management-badges",
    ),
    path(
        PREFIX + "management/<str:customer_id>/badge/<str:badge_id>",
        customer_badges.management_badge_detail,
        name="management-badge-detail",
    ),
    # The customer registry (this service's extension).
    path(PREFIX + "customers", customers.customer_list, name="customer-list"),
    path(PREFIX + "customers/import", customers.customer_import, name="customer-import"),
    path(PREFIX + "customers/<str:customer_id>", customers.customer_detail, name="customer-detail"),
    # Badge definitions, groups, custom fields.
    path(PREFIX + "badgeMeta", badges.badge_meta_collection, name="badge-meta"),
    path(
        PREFIX + "badgeMeta/getFixedWindowDetails",
        badges.fixed_window_details,
        name="fixed-window-details",
    ),
    path(PREFIX + "badgeMeta/<str:badge_id>", badges.badge_meta_detail, name="badge-meta-detail"),
    path(PREFIX + "badgeMeta/<str:badge_id>/claim", badges.badge_claim, name="badge-claim"),
    path(PREFIX + "badgeMeta/<str:badge_id>/unclaim", badges.badge_unclaim, name="badge-unclaim"),
    path(
        PREFIX + "badgeMeta/<str:badge_id>/earnsPerDay", badges.earns_per_day, name="earns-per-day"
    ),
    path(
        PREFIX + "badgeMeta/<str:badge_id>/<str:activation>",
        badges.badge_activation,
        name="badge-activation",
    ),
    path(PREFIX + "group", groups.group_collection, name="group"),
    path(PREFIX + "group/<str:group_id>", groups.group_detail, name="group-detail"),
    path(PREFIX + "customField", custom_fields.custom_field_collection, name="custom-field"),
    path(
        PREFIX + "customField/<str:field_id>",
        custom_fields.custom_field_detail,
        name="custom-field-detail",
    ),
]
