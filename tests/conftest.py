"""Shared fixtures: an org with an API credential and a JSON client that speaks Capillary's API."""

import base64
import os

import orjson
import pytest
from django.test import Client

from badges_api import auth
from badges_api.models import Org

API = "/api_gateway/v1/badges"


class ApiCaller:
    """The Django test client with Basic auth and JSON bodies, answering (status, envelope)."""

    def __init__(self, client: Client, username: str, password: str):
        self.client = client
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}

    def call(self, method: str, path: str, body=None, *, headers: dict | None = None, **query):
        url = path if path.startswith("/") else f"{API}/{path}"
        send = getattr(self.client, method.lower())
        all_headers = self.headers | (headers or {})
        if method.upper() == "GET":
            response = send(url, query, headers=all_headers)
        else:
            data = body if isinstance(body, (bytes, str)) else orjson.dumps(body)
            response = send(url, data, content_type="application/json", headers=all_headers)
        envelope = orjson.loads(response.content) if response.content else None
        return response.status_code, envelope

    def get(self, path, **query):
        return self.call("GET", path, **query)

    def post(self, path, body=None, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.call("PUT", path, body, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_badge_catalogue():
    """A rolled-back test fires no save signals; forget the cached catalogue between tests."""
    from badges_api.selectors import customer_badges

    customer_badges.catalogue_forget()
    yield
    customer_badges.catalogue_forget()


@pytest.fixture
def org(db):
    return Org.objects.create(id=100458, name="Demo Retail", timezone="UTC")


@pytest.fixture
def api_credentials(org):
    client, password = auth.api_client_create(
        org=org, username="store.server", password="server123"
    )
    return client, password


@pytest.fixture
def api(api_credentials):
    client, password = api_credentials
    return ApiCaller(Client(), client.username, password)


@pytest.fixture
def other_org_api(db):
    other = Org.objects.create(id=200001, name="Other Brand")
    client, password = auth.api_client_create(
        org=other, username="other.till", password="other-secret"
    )
    return ApiCaller(Client(), client.username, password)


def pytest_collection_modifyitems(config, items):
    """Under CI=true a skipped browser or PostgreSQL test is a failure, not a skip."""
    if os.environ.get("CI", "").lower() != "true":
        return
    config._ci_strict_skips = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if (
        getattr(item.config, "_ci_strict_skips", False)
        and report.skipped
        and (item.get_closest_marker("e2e") or item.get_closest_marker("postgres"))
    ):
        report.outcome = "failed"
        report.longrepr = f"CI=true: {item.nodeid} must not be skipped ({report.longrepr})"
