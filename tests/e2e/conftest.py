"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Never downloads a browser: it launches /usr/bin/chromium (`apt-get install -y chromium`), and
skips with the reason when chromium or playwright is missing (under CI=true, tests/conftest.py
turns those skips into failures). The console runs with BADGES_API_URL empty, so it calls the
badge API on the very server the browser talks to, as `make run` does.
"""

import os
import shutil

import pytest

from badges_api import auth
from badges_ui import roles
from badges_ui.client import close_all_clients
from badges_ui.services import console_user_save

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-test-pass"
API_USERNAME = "console.e2e"
API_PASSWORD = "console-e2e-secret"


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module, closed when the module is done.

    Module scope, not session: Playwright's sync API keeps an event loop on this thread, and the
    rest of the suite must not run beside it.
    """
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    # Django's ORM refuses to run on a thread with an event loop, and Playwright's sync API parks
    # one here (it only waits on it). Allowed while this module's browser lives, database
    # teardown included, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def console_server(live_server, settings, org):
    """The live server, its console pointed at itself (BADGES_API_URL empty) with a credential."""
    auth.api_client_create(org=org, username=API_USERNAME, password=API_PASSWORD)
    settings.BADGES_API_URL = ""
    settings.BADGES_API_USERNAME = API_USERNAME
    settings.BADGES_API_PASSWORD = API_PASSWORD
    settings.BADGES_API_OAUTH_KEY = ""
    settings.BADGES_ORG_NAME = "Demo Retail"
    settings.BADGES_ORG_TIMEZONE = "UTC"
    for username, role in (("mia", roles.MARKETING), ("sam", roles.SUPPORT)):
        console_user_save(username=username, role=role, password=PASSWORD)
    yield live_server.url
    close_all_clients()


@pytest.fixture
def page(browser, console_server):
    """A fresh browser context per test. Console errors (CSP violations among them) fail the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=console_server)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems = []
    tab.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.console_problems = problems  # a test that expects an error status clears it
    yield tab
    context.close()
    assert problems == [], f"the browser reported errors: {problems}"


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/badges/")


def wait_for_htmx(page, timeout: float = 10_000) -> None:
    """Until htmx is loaded and no request is in flight or settling (static/js/console.js counts)."""
    page.wait_for_function(
        "() => window.htmx && document.documentElement.dataset.htmxBusy === '0'"
        " && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')",
        timeout=timeout,
    )
