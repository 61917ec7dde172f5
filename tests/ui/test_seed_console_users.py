"""`make run` seeds one console user per role on an empty database, and only then."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from badges_ui import roles


def run() -> str:
    out = StringIO()
    call_command("seed_console_users", stdout=out)
    return out.getvalue()


def test_an_empty_console_gets_one_user_per_role_and_their_logins_are_printed(db):
    output = run()
    users = {user.username: roles.role_of(user) for user in get_user_model().objects.all()}
    assert users == {"marketing": roles.MARKETING, "support": roles.SUPPORT, "admin": roles.ADMIN}
    assert "marketing / marketing-demo" in output
    assert get_user_model().objects.get(username="support").check_password("support-demo")


def test_a_console_with_users_is_left_alone(db):
    get_user_model().objects.create_user("someone", password="x" * 12)
    output = run()
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["someone"]
    assert "marketing / marketing-demo" not in output
