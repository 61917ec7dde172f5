"""Routes of the customer lifecycle: enrol, earn, revoke, import."""

from django.urls import path

from badges_api.api import lifecycle

PREFIX = "api_gateway/v1/badges/"

urlpatterns = [
    path(PREFIX + "customer/earnBulk", lifecycle.earn_bulk, name="earn-bulk"),
    path(PREFIX + "customer/earn", lifecycle.earn, name="earn"),
    path(PREFIX + "customer/revokeEarn", lifecycle.revoke_earn, name="revoke-earn"),
    path(PREFIX + "badgeMeta/customer/issueBulk", lifecycle.issue_bulk, name="issue-bulk"),
    path(PREFIX + "badgeMeta/customer/revokeIssue", lifecycle.revoke_issue, name="revoke-issue"),
    path(PREFIX + "import/customerBadges", lifecycle.import_customer_badges, name="import-customer-badges"),
]
