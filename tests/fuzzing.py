"""Fuzzing the API from its OpenAPI schema (schemathesis): a world to aim at, a transport, a tally.

Shared by `tests/api/test_api_fuzz.py` (a few hundred cases in `make test`) and
`bench/fuzz_api.py` (tens of thousands, stateful). Requests go through Django's test client, in
process: the test's transaction stays open around them (a WSGI call would run
`close_old_connections` and drop it), and the answers are exactly what a client over HTTP gets.

Generated ids are random strings, so most cases would stop at a 404 before any rule runs. `aim`
puts a real badge, group, custom field or customer of the org in place of about half of them,
drawn by hypothesis (so a seed replays the same run), which takes the cases past the lookups to
the limits, windows, claims and imports. Bodies whose rules span fields (a badge's dates, an
earn's claim and requestId) start valid half of the time, with one generated key laid over them.
"""

import collections
import contextlib
import time
from dataclasses import dataclass, field

import requests
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from badges_api import auth
from badges_api.models import Customer, Org
from badges_api.selectors import customer_badges
from tests.conftest import ApiCaller
from tests.factories import badge_body, future
from tests.lifecycle import MIGRATION, TRIGGER, live_badge

API = "/api_gateway/v1/badges"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CUSTOMER_IDS = (101, 102, 103, 104, 105)


@dataclass
class World:
    """One org as a real client sees it: a few badges of every kind, customers, a group, a field."""

    headers: dict
    badge_ids: list[str]
    group_ids: list[str]
    field_ids: list[str]
    credentials: dict  # {"key", "secret"} for the token endpoint
    earn_badge_ids: list[str]  # live, claimed, EARN
    enrol_badge_id: str  # live, claimed, ISSUE_EARN
    customer_ids: tuple[int, ...] = CUSTOMER_IDS


def build_world(*, org_id: int = 100458, username: str = "fuzz.client") -> World:
    org = Org.objects.create(id=org_id, name=f"Fuzz org {org_id}", timezone="Asia/Kolkata")
    client, password = auth.api_client_create(org=org, username=username, password="fuzz-secret")
    caller = ApiCaller(Client(), client.username, password)
    Customer.objects.bulk_create(
        [Customer(org=org, customer_id=n, email=f"c{n}@example.com") for n in CUSTOMER_IDS]
    )
    group = _ok(caller.post("group", {"name": "Coffee", "rank": 1}))
    field_ = _ok(
        caller.post("customField", {"name": "region", "dataType": "STRING", "isMandatory": False})
    )
    every_limit = live_badge(
        caller,
        badgeGroupId=group["id"],
        badgeRank=1,
        customFields={"region": "north"},
        customerConstraints=[
            {"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 3},
            {
                "constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW",
                "maxEarnForDays": 2,
                "rollForDays": 7,
            },
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "DAYS",
                "refreshRate": 3,
                "maxEarnLimit": 1,
            },
        ],
        badgeConstraints=[
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": 50},
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": "DAYS",
                "rollValue": 1,
                "maxEarnLimit": 20,
            },
            {"constraintType": "BADGE_FIXED_WINDOW", "durationType": "WEEKS", "maxEarnLimit": 30},
        ],
        benefits=[{"benefitType": "COUPON", "seriesId": 7}],
        tags=[{"name": "category", "value": "coffee"}],
        images=[{"name": "Earned", "url": "/static/img/badges/coffee-earned.svg", "tag": "EARNED"}],
    )
    earn_once = live_badge(
        caller,
        customerConstraints=[{"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": 1}],
    )
    enrol_first = live_badge(
        caller,
        earnType="ISSUE_EARN",
        issuedBadgeExpiry={"expiryType": "RELATIVE", "relativeExpirytype": "DAYS", "value": 10},
        customerConstraints=[
            {
                "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                "durationType": "MONTHS",
                "maxEarnLimit": 2,
            }
        ],
    )
    upcoming = _ok(
        caller.post("badgeMeta", badge_body(startOnISO=future(5), badgeGroupId=group["id"]))
    )
    _ok(
        caller.post(
            "badgeMeta/customer/issueBulk",
            {"badgeMetaId": enrol_first["id"], "customers": [101, 102], "triggeredBy": TRIGGER},
        )
    )
    for badge in (every_limit, earn_once):
        _ok(
            caller.post(
                "customer/earnBulk",
                {"badgeMetaId": badge["id"], "customerIds": [101, 102], "triggeredBy": TRIGGER},
            )
        )
    _ok(
        caller.post(
            "customer/earn",
            {
                "badgeMetaId": enrol_first["id"],
                "customerId": 101,
                "requestId": "seed-1",
                "triggeredBy": TRIGGER,
            },
        )
    )
    return World(
        headers=caller.headers,
        badge_ids=[every_limit["id"], earn_once["id"], enrol_first["id"], upcoming["id"]],
        group_ids=[group["id"]],
        field_ids=[field_["id"]],
        credentials={"key": client.username, "secret": password},
        earn_badge_ids=[every_limit["id"], earn_once["id"]],
        enrol_badge_id=enrol_first["id"],
    )


@contextlib.contextmanager
def rolled_back():
    """Whatever the cases write is undone at the end, so each operation meets the same world: a
    deactivation, an unclaim or a date change fuzzed earlier would otherwise leave the later
    operations (earn, enrol) nothing to succeed at."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    customer_badges.catalogue_forget()  # a rollback fires no save signal


def _ok(answer: tuple[int, dict]) -> dict:
    status, envelope = answer
    assert status == 200, envelope
    return envelope["data"]


_ID_KEYS = {
    "badge_id": "badge",
    "badgeMetaId": "badge",
    "id": "badge",
    "group_id": "group",
    "badgeGroupId": "group",
    "field_id": "field",
}
_CUSTOMER_KEYS = {"customer_id", "customerId"}
_CUSTOMER_LIST_KEYS = {"customers", "customerIds"}


def _valid_body(case, world: World, data: st.DataObject) -> dict | None:
    """A body the operation accepts as it stands, for the operations whose rules span fields
    (dates against dates, a claim to match, a fresh requestId): generated bodies almost never
    pass them, so the code past those rules would go untried."""
    key = (case.method.upper(), case.path.removeprefix(API))
    customers = st.lists(st.sampled_from(world.customer_ids), min_size=1, max_size=5)
    request_id = f"fuzz-{data.draw(st.integers(0, 10**9), label='requestId')}"
    if key == ("POST", "/badgeMeta"):
        return badge_body(startOnISO=future(data.draw(st.sampled_from([-3, 2]))))
    if key == ("POST", "/customer/earn"):
        return {
            "badgeMetaId": data.draw(
                st.sampled_from(world.earn_badge_ids + [world.enrol_badge_id])
            ),
            "customerId": data.draw(st.sampled_from(world.customer_ids)),
            "requestId": request_id,
            "triggeredBy": dict(TRIGGER),
        }
    if key == ("POST", "/customer/earnBulk"):
        return {
            "badgeMetaId": data.draw(st.sampled_from(world.earn_badge_ids)),
            "customerIds": data.draw(customers),
            "triggeredBy": dict(TRIGGER),
        }
    if key == ("POST", "/badgeMeta/customer/issueBulk"):
        return {
            "badgeMetaId": world.enrol_badge_id,
            "customers": data.draw(customers),
            "triggeredBy": dict(TRIGGER),
        }
    if key == ("POST", "/v3/oauth/token/generate"):
        return dict(world.credentials)
    return None


def aim(case, world: World, data: st.DataObject) -> None:
    """Point about half of the ids a case carries at the world's objects, and start about half of
    the bodies of cross-field operations from a valid one with some generated keys laid over it
    (all drawn, so a seed replays the same run)."""
    valid = None
    if isinstance(case.body, dict) and data.draw(st.booleans(), label="from a valid body"):
        valid = _valid_body(case, world, data)
    if valid is not None:
        # At most one generated key: each case tries one odd field on an otherwise valid request.
        overlay = data.draw(st.sets(st.sampled_from(sorted(case.body) or [""]), max_size=1))
        case.body = valid | {key: case.body[key] for key in overlay if key in case.body}
        if case.headers:
            case.headers.pop("X-CAP-CUSTOMER-IDENTIFIER", None)

    def real(key: str, value):
        if not data.draw(st.booleans(), label=f"aim {key}"):
            return value
        if key in _CUSTOMER_KEYS:
            customer = data.draw(st.sampled_from(world.customer_ids))
            return str(customer) if key == "customer_id" else customer
        if key in _CUSTOMER_LIST_KEYS:
            return data.draw(st.lists(st.sampled_from(world.customer_ids), min_size=1, max_size=4))
        pool = {"badge": world.badge_ids, "group": world.group_ids, "field": world.field_ids}
        return data.draw(st.sampled_from(pool[_ID_KEYS[key]]))

    aimed = set(_ID_KEYS) | _CUSTOMER_KEYS | _CUSTOMER_LIST_KEYS
    for container in (case.path_parameters, case.query):
        for key in list(container or {}):
            if key in aimed:
                container[key] = real(key, container[key])
    body = case.body
    items = [] if valid is not None else body if isinstance(body, list) else [body]
    for item in items:
        if not isinstance(item, dict):
            continue
        for key in list(item):
            if key in aimed and not (key == "id" and "badgeMeta" not in case.path):
                item[key] = real(key, item[key])
        if "triggeredBy" in item and data.draw(st.booleans(), label="aim triggeredBy"):
            item["triggeredBy"] = dict(TRIGGER)
            # A generated event date is mostly far from the badge's dates (750, 815): now, instead.
            for key in ("earnEventDate", "earnEventDateISO", "issueEventDate", "issueEventDateISO"):
                item.pop(key, None)
            if case.headers:
                case.headers.pop("X-CAP-CUSTOMER-IDENTIFIER", None)
    if case.path.endswith("/badgeMeta") and case.method.upper() in ("POST", "PUT"):
        case.headers = {**(case.headers or {}), **MIGRATION}


def send(client: Client, case, headers: dict) -> schemathesis.Response:
    """The case as the requests transport would send it, through Django's test client."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    request = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
        files=kwargs.get("files"),
        cookies=kwargs.get("cookies"),
    ).prepare()
    # The org's credentials always: generated credentials would only ever test the 401 path.
    sent = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in ("authorization", "x-cap-api-oauth-token")
    } | headers
    content_type = sent.pop("Content-Type", "application/octet-stream")
    sent.pop("Content-Length", None)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    path = request.path_url
    started = time.perf_counter()
    answer = client.generic(request.method, path, body, content_type=content_type, headers=sent)
    return as_response(answer, request, elapsed=time.perf_counter() - started)


def as_response(answer, request: requests.PreparedRequest | None = None, *, elapsed: float = 0.0):
    """A Django test-client answer as schemathesis reads one (for its checks and validators)."""
    if request is None:
        request = requests.Request(
            "GET", f"http://testserver{answer.request['PATH_INFO']}"
        ).prepare()
    return schemathesis.Response(
        status_code=answer.status_code,
        headers={name: [value] for name, value in answer.headers.items()},
        content=answer.content,
        request=request,
        elapsed=elapsed,
        verify=False,
    )


@dataclass
class Tally:
    """Figures of a run: answers by status class, 5xx, schema violations, and the first failures."""

    cases: int = 0
    by_class: collections.Counter = field(default_factory=collections.Counter)
    by_operation: collections.Counter = field(default_factory=collections.Counter)
    server_errors: int = 0
    violations: int = 0
    failures: list[str] = field(default_factory=list)

    def record(self, case, response: schemathesis.Response) -> str | None:
        """Validate one answer; returns the failure report (None when the answer is right)."""
        self.cases += 1
        self.by_class[f"{response.status_code // 100}xx"] += 1
        self.by_operation[f"{case.method.upper()} {case.path} {response.status_code}"] += 1
        if response.status_code >= 500:
            self.server_errors += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failure:  # every failed check, with a curl to reproduce
            if response.status_code < 500:
                self.violations += 1
            report = f"{failure}"
            if len(self.failures) < 50:
                self.failures.append(report)
            return report
        return None
