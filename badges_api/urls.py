"""Capillary's paths, exactly: /api_gateway/v1/badges/... and /v3/oauth/token/generate."""

from django.urls import include, path

from badges_api.api import badges, custom_fields, groups, oauth

PREFIX = "api_gateway/v1/badges/"

urlpatterns = [
    # Lifecycle first: its POST routes (customer/earn, ...) must win over customer/<customerId>.
    path("", include("badges_api.lifecycle_urls")),
    path("", include("badges_api.customer_badge_urls")),
    path("", include("badges_api.customer_urls")),
    path("v3/oauth/token/generate", oauth.token_generate, name="oauth-token-generate"),
    path(PREFIX + "badgeMeta", badges.badge_meta_collection, name="badge-meta"),
    path(PREFIX + "badgeMeta/getFixedWindowDetails", badges.fixed_window_details, name="fixed-window-details"),
    path(PREFIX + "badgeMeta/<str:badge_id>", badges.badge_meta_detail, name="badge-meta-detail"),
    path(PREFIX + "badgeMeta/<str:badge_id>/claim", badges.badge_claim, name="badge-claim"),
    path(PREFIX + "badgeMeta/<str:badge_id>/unclaim", badges.badge_unclaim, name="badge-unclaim"),
    path(PREFIX + "badgeMeta/<str:badge_id>/earnsPerDay", badges.earns_per_day, name="earns-per-day"),
    path(PREFIX + "badgeMeta/<str:badge_id>/<str:activation>", badges.badge_activation, name="badge-activation"),
    path(PREFIX + "group", groups.group_collection, name="group"),
    path(PREFIX + "group/<str:group_id>", groups.group_detail, name="group-detail"),
    path(PREFIX + "customField", custom_fields.custom_field_collection, name="custom-field"),
    path(PREFIX + "customField/<str:field_id>", custom_fields.custom_field_detail, name="custom-field-detail"),
]
