"""Routes of the customer registry (this service's extensions). badges_api/urls.py includes them.

`customers/import` comes before `customers/<customerId>` so a GET of it is a 405, not a lookup
of a customer called "import".
"""

from django.urls import path

from badges_api.api import customers

PREFIX = "api_gateway/v1/badges/"

urlpatterns = [
    path(PREFIX + "customers", customers.customer_list, name="customer-list"),
    path(PREFIX + "customers/import", customers.customer_import, name="customer-import"),
    path(PREFIX + "customers/<str:customer_id>", customers.customer_detail, name="customer-detail"),
]
