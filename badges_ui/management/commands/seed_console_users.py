"""`make run`'s second seed: one console user per role when the console has no users yet."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from badges_ui.services import DEMO_USERS, console_users_seed


class Command(BaseCommand):
    help = "Create the demo console users (marketing, support, admin) when there are no users; print the logins."

    def handle(self, *args, **options):
        if not get_user_model().objects.exists():
            console_users_seed()
            self.stdout.write(self.style.SUCCESS("Created one console user per role."))
        self.stdout.write(
            "Console logins (development defaults; change them with create_console_user):"
        )
        existing = set(get_user_model().objects.values_list("username", flat=True))
        for username, role, password in DEMO_USERS:
            if username in existing:
                self.stdout.write(f"  {role:<10} {username} / {password}")
