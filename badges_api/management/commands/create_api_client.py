"""`manage.py create_api_client ORG_ID USERNAME [--password P] [--org-name NAME] [--timezone TZ]`.

Creates the org when it does not exist, then the API client, and prints everything a till or the
console needs to call the API: the password, its md5, the ready-made Basic header and a curl
line for an OAuth token. The password is shown only here: the database keeps a digest.
"""

import base64
import json
import os
import shlex
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from badges_api import auth
from badges_api.models import ApiClient, Org

USERNAME_MAX_LENGTH = ApiClient._meta.get_field("username").max_length


def _duplicate(username: str) -> str:
    return f"An API client named {username!r} already exists; choose another USERNAME."


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        message = f"Unknown timezone {name!r}; use an IANA name such as UTC or Asia/Kolkata."
        raise CommandError(message) from error
    return name


class Command(BaseCommand):
    help = "Create an API client (and its org when it does not exist) and print its credentials."

    def add_arguments(self, parser):
        parser.add_argument("org_id", type=int, help="Integer org id, e.g. 100458.")
        parser.add_argument("username", help="The client's username (the OAuth key).")
        parser.add_argument(
            "--password", help="The password; a random one is generated when omitted."
        )
        parser.add_argument("--org-name", help='Name for a new org (default "Org ORG_ID").')
        parser.add_argument("--timezone", help="IANA timezone for a new org (default UTC).")
        parser.add_argument(
            "--base-url",
            default=f"http://localhost:{os.environ.get('PORT', '8000')}",
            help="Base URL for the printed curl example (default http://localhost:$PORT).",
        )

    def handle(self, *args, org_id, username, password, org_name, timezone, base_url, **options):
        if org_id <= 0:
            raise CommandError("ORG_ID must be a positive integer.")
        username = username.strip()
        if not username or ":" in username or len(username) > USERNAME_MAX_LENGTH:
            raise CommandError(f"USERNAME must be 1-{USERNAME_MAX_LENGTH} characters without ':'.")
        if password is not None and not password:
            raise CommandError("--password must not be empty; omit it to generate one.")
        if timezone is not None:
            _timezone(timezone)
        if ApiClient.objects.filter(username=username).exists():
            raise CommandError(_duplicate(username))

        try:
            with transaction.atomic():
                org, org_created = Org.objects.get_or_create(
                    id=org_id,
                    defaults={"name": org_name or f"Org {org_id}", "timezone": timezone or "UTC"},
                )
                client, password = auth.api_client_create(
                    org=org, username=username, password=password
                )
        except IntegrityError as error:  # another process took the username in between
            raise CommandError(_duplicate(username)) from error

        if org_created:
            self.stdout.write(f"Created org {org.id} {org.name!r} (timezone {org.timezone}).")
        else:
            self.stdout.write(
                f"Using existing org {org.id} {org.name!r} (timezone {org.timezone})."
            )
            if (org_name and org_name != org.name) or (timezone and timezone != org.timezone):
                self.stderr.write(
                    "--org-name and --timezone apply to a new org only; this one is unchanged."
                )
        self.stdout.write(self._credentials(client, password, base_url.rstrip("/")))

    def _credentials(self, client: ApiClient, password: str, base_url: str) -> str:
        password_md5 = auth.md5_hex(password)
        basic = base64.b64encode(f"{client.username}:{password}".encode()).decode()
        basic_md5 = base64.b64encode(f"{client.username}:{password_md5}".encode()).decode()
        token_body = json.dumps({"key": client.username, "secret": password})
        return "\n".join(
            [
                f"Created API client {client.username!r} for org {client.org_id}.",
                f"  username:      {client.username}",
                f"  password:      {password}",
                f"  password md5:  {password_md5}",
                f"  Authorization: Basic {basic}",
                f"  Authorization: Basic {basic_md5}   (the same, with the md5, as Capillary tills send it)",
                "OAuth token (then send it as the X-CAP-API-OAUTH-TOKEN header):",
                f"  curl -s -X POST {base_url}/v3/oauth/token/generate"
                f" -H 'Content-Type: application/json' -d {shlex.quote(token_body)}",
                "The password is not stored and cannot be shown again.",
            ]
        )
