"""`python manage.py seed_demo [--port 8000]`: demo data on an empty database, then how to use it.

`make run` calls it before starting the server. On a database with no org it creates the demo
org, an API client with a documented password, a badge group, a mandatory custom field and a few
badges that show the main shapes (fixed-window and fixed-value limits, upcoming, enrol-and-issue,
expired, images and benefits), one of them claimed for a loyalty program. On a database that
already has an org it changes nothing. Either way it prints the URLs and the credentials.

Everything goes through the same services the API uses, so the demo data obeys the API's rules.
"""

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from badge_rules.timestamps import to_iso
from badges_api import auth
from badges_api.models import ApiClient, Badge, BadgeGroup, CustomField, Org
from badges_api.services import badges as badge_services
from badges_api.services import custom_fields as custom_field_services
from badges_api.services import groups as group_services

ORG_ID = 100458
ORG_NAME = "Demo Retail"
API_USERNAME = "demo.till"
# Documented in the README: a demo credential, not a secret.
API_PASSWORD = "demo-till-password"
LOYALTY_PROGRAM = "demo-program"
IMAGES = "/static/img/badges/"


@dataclass
class DemoData:
    org: Org
    client: ApiClient
    group: BadgeGroup
    custom_field: CustomField
    badges: list[Badge] = field(default_factory=list)


def demo_org() -> Org:
    return Org.objects.create(id=ORG_ID, name=ORG_NAME, timezone="UTC")


def demo_api_client(org: Org) -> ApiClient:
    client, _ = auth.api_client_create(org=org, username=API_USERNAME, password=API_PASSWORD)
    return client


def demo_group(org: Org, client: ApiClient) -> BadgeGroup:
    return group_services.group_create(
        org=org, client=client, body={"name": "Coffee Club", "rank": 1}
    )


def demo_custom_field(org: Org, client: ApiClient) -> CustomField:
    body = {
        "name": "Terms",
        "dataType": "STRING",
        "isMandatory": True,
        "defaultValue": "One badge per visit. Not exchangeable for cash.",
    }
    return custom_field_services.custom_field_create(org=org, client=client, body=body)


def demo_badge_bodies(*, now: datetime, group: BadgeGroup) -> list[tuple[dict, bool]]:
    """(body, migration) per badge. Past start dates need the migration flag, as over the API.

    Badges start at 00:00 UTC and end at 23:59:59 UTC, `days` from today, as a marketer sets them.
    """
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)

    def start(days: int) -> str:
        return to_iso(today + timedelta(days=days))

    def end(days: int) -> str:
        return to_iso(today + timedelta(days=days + 1, seconds=-1))

    coffee_images = [
        {"name": "Not yet", "url": IMAGES + "coffee-unearned.svg", "tag": "UN_EARNED"},
        {"name": "Nearly", "url": IMAGES + "coffee-in-progress.svg", "tag": "IN_PROGRESS"},
        {"name": "Earned", "url": IMAGES + "coffee-earned.svg", "tag": "EARNED"},
    ]
    return [
        (
            {
                "name": "Coffee Week",
                "description": "Earn one badge a week for buying three coffees.",
                "startOnISO": start(-10),
                "expiresOnISO": end(90),
                "earnType": "EARN",
                "earnedBadgeExpiry": {
                    "expiryType": "RELATIVE",
                    "relativeExpirytype": "DAYS",
                    "value": 30,
                },
                "ownership": {"restrictedToOwners": ["Loyalty", "Journeys"]},
                "customerConstraints": [
                    {
                        "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                        "durationType": "WEEKS",
                        "startDayOfTheWeek": "MONDAY",
                        "maxEarnLimit": 1,
                    }
                ],
                "badgeConstraints": [{"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 5000}],
                "images": coffee_images,
                "badgeGroupId": group.public_id,
                "badgeRank": 1,
                "tags": [{"name": "category", "value": "coffee"}],
            },
            True,
        ),
        (
            {
                "name": "Summer Smoothie",
                "description": "Starts in two weeks: one smoothie badge a day, at most 300 a day across customers.",
                "startOnISO": start(14),
                "expiresOnISO": end(104),
                "earnType": "EARN",
                "earnedBadgeExpiry": {"expiryType": "ABSOLUTE", "type": "WITH_BADGE_META"},
                "ownership": {"restrictedToOwners": ["Loyalty_Promotion"]},
                "customerConstraints": [
                    {
                        "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                        "maxEarnForDays": 1,
                        "rollForDays": 1,
                    }
                ],
                "badgeConstraints": [
                    {
                        "constraintType": "BADGE_ROLLING_WINDOW",
                        "rollType": "DAYS",
                        "rollValue": 1,
                        "maxEarnLimit": 300,
                    }
                ],
            },
            False,
        ),
        (
            {
                "name": "Pastry Passport",
                "description": "Enrol, then try five pastries within 30 days of enrolling.",
                "startOnISO": start(-3),
                "expiresOnISO": end(180),
                "earnType": "ISSUE_EARN",
                "issuedBadgeExpiry": {
                    "expiryType": "RELATIVE",
                    "relativeExpirytype": "DAYS",
                    "value": 30,
                },
                "earnedBadgeExpiry": {"expiryType": "NEVER"},
                "ownership": {"restrictedToOwners": ["Loyalty", "Audience_Campaigns"]},
                "images": [
                    {"name": "Earned", "url": IMAGES + "pastry-earned.svg", "tag": "EARNED"}
                ],
                "badgeGroupId": group.public_id,
                "badgeRank": 2,
            },
            True,
        ),
        (
            {
                "name": "Grand Opening 2024",
                "description": "Historical: visited in the opening month.",
                "startOnISO": start(-420),
                "expiresOnISO": end(-390),
                "earnType": "EARN",
                "earnedBadgeExpiry": {"expiryType": "NEVER"},
                "ownership": {"restrictedToOwners": ["Historical_Import"]},
                "tags": [{"name": "source", "value": "migration"}],
            },
            True,
        ),
        (
            {
                "name": "Barista's Choice",
                "description": "Try the barista's pick of the month: coupon, points, a cart promotion and a gift voucher.",
                "startOnISO": start(-1),
                "expiresOnISO": end(60),
                "earnType": "EARN",
                "earnedBadgeExpiry": {
                    "expiryType": "RELATIVE",
                    "relativeExpirytype": "WEEKS",
                    "value": 2,
                },
                "ownership": {"restrictedToOwners": ["Loyalty", "Rewards_Catalog"]},
                "customerConstraints": [
                    {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 3}
                ],
                "images": coffee_images,
                "benefits": [
                    {"benefitType": "COUPON", "seriesId": 13686},
                    {
                        "benefitType": "LOYALTY_POINTS",
                        "points": 100,
                        "programId": 626,
                        "promotionId": 80332,
                        "allocationStrategyId": 1489,
                        "expirationStrategyId": 3843,
                    },
                    {"benefitType": "CART_PROMOTION", "promotionId": 5501},
                    {"benefitType": "GIFT_VOUCHER", "seriesId": 7702},
                ],
                "tags": [
                    {"name": "category", "value": "coffee"},
                    {"name": "priority", "value": "1"},
                ],
                "customFields": {"Terms": "While stocks last."},
            },
            True,
        ),
    ]


def demo_badges(org: Org, client: ApiClient, group: BadgeGroup) -> list[Badge]:
    now = timezone.now()
    return [
        badge_services.badge_create(org=org, client=client, body=body, migration=migration)[0]
        for body, migration in demo_badge_bodies(now=now, group=group)
    ]


def demo_claim(org: Org, client: ApiClient, badge: Badge) -> None:
    body = {"ownerType": "Loyalty", "referenceId": LOYALTY_PROGRAM}
    badge_services.badge_claim(org=org, client=client, badge_id=badge.public_id, body=body)


@transaction.atomic
def seed_demo() -> DemoData:
    """Creates the demo data. The caller checks the database is empty."""
    org = demo_org()
    client = demo_api_client(org)
    group = demo_group(org, client)
    custom_field = demo_custom_field(org, client)
    badges = demo_badges(org, client, group)
    demo_claim(org, client, badges[0])
    return DemoData(org=org, client=client, group=group, custom_field=custom_field, badges=badges)


def database_is_empty() -> bool:
    return not Org.objects.exists()


def instructions(port: int) -> str:
    base = f"http://localhost:{port}"
    api = f"{base}/api_gateway/v1/badges"
    return "\n".join(
        [
            f"Console:       {base}/",
            f"Badge API:     {api}/",
            f"API client:    {API_USERNAME} / {API_PASSWORD} (org {ORG_ID}, {ORG_NAME})",
            f"Try it:        curl -u {API_USERNAME}:{API_PASSWORD} '{api}/badgeMeta?status=LIVE'",
            f"OpenAPI:       {base}/api/schema/",
            f"API reference: {base}/api/docs/",
        ]
    )


class Command(BaseCommand):
    help = "Seed a demo org, API client, group, custom field and badges when the database is empty; print how to use them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="The port the server listens on (for the URLs printed).",
        )

    def handle(self, *args, port: int, **options):
        if database_is_empty():
            demo = seed_demo()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded the demo org {demo.org.id} ({demo.org.name}) with {len(demo.badges)} badges, "
                    f"the group {demo.group.name!r} and the custom field {demo.custom_field.name!r}."
                )
            )
        else:
            self.stdout.write("The database already has data: nothing was seeded.")
        self.stdout.write(instructions(port))
