"""The console against the real embedded badge API, over HTTP.

`console_api` points the console at pytest-django's live server (the same Django project,
serving the badge API in a thread) with a credential created in the test database; `api` (the
in-process ApiCaller from tests/conftest.py) sets up badges for the console to read. live_server
makes every test here transactional, so both threads see committed rows.
"""

import socket
import threading

import pytest
from django.test import Client

from badges_api import auth
from badges_ui import roles
from badges_ui.client import close_all_clients
from badges_ui.services import console_user_save

CONSOLE_API_USERNAME = "console.server"
CONSOLE_API_PASSWORD = "console-secret"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs about a second per password; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def console_api(live_server, settings, org):
    """The console's settings aimed at the live server, with their own API credential.

    Afterwards the console's kept-alive connections are closed, so no live-server thread keeps
    a database connection open past the test (PostgreSQL could not drop the test database).
    """
    auth.api_client_create(org=org, username=CONSOLE_API_USERNAME, password=CONSOLE_API_PASSWORD)
    settings.BADGES_API_URL = live_server.url
    settings.BADGES_API_USERNAME = CONSOLE_API_USERNAME
    settings.BADGES_API_PASSWORD = CONSOLE_API_PASSWORD
    settings.BADGES_API_OAUTH_KEY = ""
    settings.BADGES_API_OAUTH_SECRET = ""
    settings.BADGES_API_TIMEOUT_SECONDS = 10
    settings.BADGES_ORG_NAME = "Demo Retail"
    settings.BADGES_ORG_TIMEZONE = "UTC"
    yield live_server
    close_all_clients()


@pytest.fixture
def closed_port_url():
    """A URL on which nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def silent_server():
    """A server that accepts connections and never answers; counts the connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture
def api_down(console_api, settings, closed_port_url):
    settings.BADGES_API_URL = closed_port_url
    return closed_port_url


def _signed_in(username: str, role: str | None) -> Client:
    client = Client()
    user, _ = console_user_save(username=username, role=role or roles.SUPPORT, password=None)
    if role is None:
        user.groups.clear()
    client.force_login(user)
    return client


@pytest.fixture
def marketing(console_api) -> Client:
    return _signed_in("mia.marketing", roles.MARKETING)


@pytest.fixture
def support(console_api) -> Client:
    return _signed_in("sam.support", roles.SUPPORT)


@pytest.fixture
def admin(console_api) -> Client:
    return _signed_in("ada.admin", roles.ADMIN)


@pytest.fixture
def no_role(console_api) -> Client:
    return _signed_in("nora.norole", None)
