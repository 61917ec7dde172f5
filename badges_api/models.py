"""The badge service's tables.

Every row belongs to one org; every read filters by org first, and the composite indexes start
with it. Public ids are 24-hex strings (Capillary's shape); the integer primary keys stay inside.
Repeated parts of a badge (constraints, images, benefits, tags, custom field values) are stored
as normalised JSON on the badge row: they are always read and written with the badge, and the
limit engine reads the whole badge in one query.
"""

from django.db import models
from django.db.models import Q

from badges_api.ids import new_object_id


class Org(models.Model):
    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    created_on = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class ApiClient(models.Model):
    """A till-style API credential. Only a salted SHA-256 of md5(password) is kept.

    Capillary tills send either the password or its md5 hex digest; storing a digest of the md5
    lets both be checked with one fast hash instead of a slow password hash on every request.
    """

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="api_clients")
    username = models.CharField(max_length=150, unique=True)
    salt = models.CharField(max_length=32)
    secret_digest = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_on = models.DateTimeField(auto_now_add=True)

    # DRF treats whatever authenticate() returns as request.user.
    is_authenticated = True

    def __str__(self) -> str:
        return self.username


class BadgeGroup(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_object_id)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="badge_groups")
    name = models.CharField(max_length=200)
    rank = models.IntegerField()
    is_active = models.BooleanField(default=True)
    created_on = models.DateTimeField(auto_now_add=True)
    created_by = models.BigIntegerField(null=True)
    last_updated_on = models.DateTimeField(auto_now=True)
    last_updated_by = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["org", "rank"])]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "name"], condition=Q(is_active=True), name="unique_active_group_name"
            )
        ]


class CustomField(models.Model):
    DATA_TYPES = ["INTEGER", "BOOLEAN", "DATE", "STRING"]

    public_id = models.CharField(max_length=24, unique=True, default=new_object_id)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="custom_fields")
    name = models.CharField(max_length=200)
    data_type = models.CharField(max_length=10)
    is_mandatory = models.BooleanField(default=False)
    default_value = models.CharField(max_length=1000, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_on = models.DateTimeField(auto_now_add=True)
    created_by = models.BigIntegerField(null=True)
    last_updated_on = models.DateTimeField(auto_now=True)
    last_updated_by = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "name"],
                condition=Q(is_active=True),
                name="unique_active_custom_field_name",
            )
        ]


class Badge(models.Model):
    """A badge definition (Capillary's badgeMeta). `id` here is badgeNumericId."""

    public_id = models.CharField(max_length=24, unique=True, default=new_object_id)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="badges")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    start_on = models.DateTimeField()
    expires_on = models.DateTimeField()
    earn_type = models.CharField(max_length=12)
    active = models.BooleanField(default=True)
    earned_badge_expiry = models.JSONField()
    issued_badge_expiry = models.JSONField(null=True)
    restricted_to_owners = models.JSONField(default=list)
    customer_constraints = models.JSONField(default=list)
    badge_constraints = models.JSONField(default=list)
    images = models.JSONField(default=list)
    benefits = models.JSONField(default=list)
    tags = models.JSONField(default=list)
    custom_fields = models.JSONField(default=dict)
    group = models.ForeignKey(
        BadgeGroup, null=True, on_delete=models.SET_NULL, related_name="badges"
    )
    badge_rank = models.IntegerField(null=True)
    issued_count = models.BigIntegerField(default=0)
    earned_count = models.BigIntegerField(default=0)
    created_on = models.DateTimeField(auto_now_add=True)
    created_by = models.BigIntegerField(null=True)
    last_updated_on = models.DateTimeField(auto_now=True)
    last_updated_by = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "start_on"]),
            models.Index(fields=["org", "name"]),
            models.Index(fields=["org", "expires_on"]),
        ]
        constraints = [
            # Capillary's 725 (names are unique per org, case-sensitive); the service checks
            # first so it can report it with the other errors, this catches the race.
            models.UniqueConstraint(fields=["org", "name"], name="unique_badge_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class BadgeOwner(models.Model):
    """One row per owner module in `restrictedToOwners`, so `owner=` filters use an index."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="owners")
    owner_type = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["badge", "owner_type"], name="unique_badge_owner")
        ]
        indexes = [models.Index(fields=["owner_type", "badge"])]


class BadgeClaim(models.Model):
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="claims")
    owner_type = models.CharField(max_length=40)
    reference_id = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_on = models.DateTimeField(auto_now_add=True)
    created_by = models.BigIntegerField(null=True)
    last_updated_on = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["badge", "owner_type", "reference_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["badge", "owner_type", "reference_id"],
                condition=Q(is_active=True),
                name="unique_active_claim",
            )
        ]


class Customer(models.Model):
    """A loyalty customer of one org, known by Capillary's integer id and optional identifiers.

    Identifiers are unique within the org when present; emails are stored lower-cased so they
    match case-insensitively. The org key has no index or database constraint of its own: the
    (org, customer_id) unique index covers every lookup, and rows are written only for the org
    of the authenticated client, so a per-row check at commit would cost an import about 40% of
    its time on PostgreSQL and buy nothing (deleting an org still cascades through Django).
    """

    org = models.ForeignKey(
        Org, on_delete=models.CASCADE, related_name="customers", db_index=False, db_constraint=False
    )
    customer_id = models.BigIntegerField()
    email = models.CharField(max_length=254, null=True, blank=True)
    mobile = models.CharField(max_length=32, null=True, blank=True)
    external_id = models.CharField(max_length=128, null=True, blank=True)
    card_number = models.CharField(max_length=64, null=True, blank=True)
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    created_on = models.DateTimeField(auto_now_add=True)
    last_updated_on = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "customer_id"], name="unique_customer_id_per_org"
            ),
            models.UniqueConstraint(
                fields=["org", "email"],
                condition=Q(email__isnull=False),
                name="unique_customer_email",
            ),
            models.UniqueConstraint(
                fields=["org", "mobile"],
                condition=Q(mobile__isnull=False),
                name="unique_customer_mobile",
            ),
            models.UniqueConstraint(
                fields=["org", "external_id"],
                condition=Q(external_id__isnull=False),
                name="unique_customer_external_id",
            ),
            models.UniqueConstraint(
                fields=["org", "card_number"],
                condition=Q(card_number__isnull=False),
                name="unique_customer_card_number",
            ),
        ]


class Enrolment(models.Model):
    """A customer enrolled into an ISSUE_EARN badge (Capillary's API calls this an "issue").

    Foreign keys here and on Earn carry no index and no database constraint of their own: the
    composite indexes cover every lookup, and a bulk request writes these rows only from ids it
    has just read under the badge lock, so per-row index writes and foreign-key checks (deferred
    to commit, three per row) would buy nothing but time.
    """

    public_id = models.CharField(max_length=24, unique=True, default=new_object_id)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    badge = models.ForeignKey(
        Badge,
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,
        db_constraint=False,
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="enrolments",
        db_index=False,
        db_constraint=False,
    )
    issued_on = models.DateTimeField()
    event_date = models.DateTimeField()
    expires_on = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    revoked_on = models.DateTimeField(null=True)
    request_id = models.CharField(max_length=200)
    owner_type = models.CharField(max_length=40, null=True)
    owner_reference_id = models.CharField(max_length=200, null=True)
    created_by = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["badge", "customer", "expires_on"]),
            models.Index(fields=["customer", "badge"]),
        ]


class Earn(models.Model):
    """One earned instance of a badge by a customer (Capillary's "earnedBadgeId")."""

    public_id = models.CharField(max_length=24, unique=True, default=new_object_id)
    org = models.ForeignKey(Org, on_delete=models.CASCADE, db_index=False, db_constraint=False)
    badge = models.ForeignKey(
        Badge, on_delete=models.CASCADE, related_name="earns", db_index=False, db_constraint=False
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="earns",
        db_index=False,
        db_constraint=False,
    )
    enrolment = models.ForeignKey(
        Enrolment,
        null=True,
        on_delete=models.SET_NULL,
        related_name="earns",
        db_index=False,
        db_constraint=False,
    )
    earned_on = models.DateTimeField()
    event_date = models.DateTimeField()
    expires_on = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    revoked_on = models.DateTimeField(null=True)
    request_id = models.CharField(max_length=200)
    owner_type = models.CharField(max_length=40, null=True)
    owner_reference_id = models.CharField(max_length=200, null=True)
    created_by = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            # limit checks: a customer's earns of a badge, by time
            models.Index(fields=["badge", "customer", "earned_on"]),
            # badge-wide fixed windows and earns per day; is_active makes their counts index-only
            # (earnsPerDay over 90 days at 1M earns a year: 31 ms against 155 ms on PostgreSQL)
            models.Index(fields=["badge", "event_date", "is_active"]),
            models.Index(fields=["badge", "earned_on"]),
            # the customer's badge views
            models.Index(fields=["customer", "badge", "expires_on"]),
        ]


class BadgeRequest(models.Model):
    """The idempotency log: one row per requestId per org, with the response it got."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, db_index=False)
    request_id = models.CharField(max_length=200)
    operation = models.CharField(max_length=40)
    body_hash = models.CharField(max_length=64)
    response = models.BinaryField()
    status = models.IntegerField(default=200)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "request_id"], name="unique_request_id_per_org")
        ]
