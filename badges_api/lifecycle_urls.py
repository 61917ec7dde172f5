"""Routes of the customer lifecycle: enrol, earn, revoke, import."""

from django.urls import path

from badges_api.api import lifecycle

PREFIX = "api_gateway/v1/badges/"

urlpatterns = [
    path(PREFIX + "customer/earnBulk", lifecycle.earn_bulk, name="earn-bulk"),
    path(PREFIX + "customer/earn", lifecycle.earn, name="earn"),
]
