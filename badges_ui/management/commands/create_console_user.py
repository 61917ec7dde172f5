"""python manage.py create_console_user USERNAME --role marketing|support|admin [--password P]"""

import secrets

from django.core.management.base import BaseCommand

from badges_ui import roles, services


class Command(BaseCommand):
    help = (
        "Create a console user with a role, or change an existing user's role (and password when "
        "--password is given). Without --password a new user gets a generated password, printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, choices=roles.ROLES, help="marketing, support or admin"
        )
        parser.add_argument(
            "--password", help="the password; generated for a new user when omitted"
        )

    def handle(self, *args, username: str, role: str, password: str | None, **options):
        from django.contrib.auth import get_user_model

        exists = get_user_model().objects.filter(username=username).exists()
        if password is None and not exists:
            password = secrets.token_urlsafe(12)
        _, created = services.console_user_save(username=username, role=role, password=password)
        label = roles.LABELS[role]
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Created {username} ({label}). Password: {password}")
            )
        elif password is not None:
            self.stdout.write(
                self.style.SUCCESS(f"Updated {username}: role {label}, new password: {password}")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Updated {username}: role {label} (password unchanged)")
            )
