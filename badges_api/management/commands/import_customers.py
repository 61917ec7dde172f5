"""`python manage.py import_customers ORG_ID FILE.csv`: load or update an org's customers.

The rules of the file are in badges_api/services/customers.py. Prints the counts, then every
rejected line with its reason. Exits non-zero only when nothing could be imported: the org does
not exist, the file cannot be read or decoded, or it has no `id` column.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from badges_api.errors import BadgeApiError
from badges_api.models import Org
from badges_api.services import customers as customer_services


class Command(BaseCommand):
    help = (
        "Insert or update an org's customers from a CSV file"
        " (header: id,email,mobile,externalId,cardNumber,firstName,lastName)."
    )

    def add_arguments(self, parser):
        parser.add_argument("org_id", type=int, help="The org whose customers these are")
        parser.add_argument("file", help="Path of the CSV file, or - for standard input")

    def handle(self, *args, org_id: int, file: str, **options):
        org = Org.objects.filter(pk=org_id).first()
        if org is None:
            raise CommandError(f"There is no org {org_id}")
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from error
        try:
            result = customer_services.customer_import(org=org, data=data)
        except BadgeApiError as error:
            raise CommandError("; ".join(item.message for item in error.items)) from error

        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(
            f"inserted {result.inserted}, updated {result.updated}, unchanged {result.unchanged},"
            f" rejected {result.rejected}"
        )
        for error in result.errors:
            self.stdout.write(f"line {error.line}: {error.message}")
