"""Routes of one customer's badges. badges_api/urls.py includes them after lifecycle_urls, so the
POST routes `customer/earn`, `customer/earnBulk` and `customer/revokeEarn` win over
`customer/<customerId>`."""

from django.urls import path

from badges_api.api import customer_badges

PREFIX = "api_gateway/v1/badges/"

urlpatterns = [
    path(PREFIX + "customer/<str:customer_id>", customer_badges.customer_badges, name="customer-badges"),
    path(PREFIX + "management/<str:customer_id>", customer_badges.management_badges, name="management-badges"),
    path(
        PREFIX + "management/<str:customer_id>/badge/<str:badge_id>",
        customer_badges.management_badge_detail,
        name="management-badge-detail",
    ),
]
