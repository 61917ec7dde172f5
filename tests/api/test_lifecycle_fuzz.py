"""No JSON a client can send to the lifecycle and read endpoints is answered with a 500.

Bodies are built from each endpoint's own field names with values of every JSON type (numbers
beyond 64 bits, digits of other scripts, control characters, nested lists and objects), a bounded
and deterministic number of cases per endpoint, on whichever database the run uses.
"""

import json
import logging

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lifecycle import TRIGGER, live_badge, make_customers

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "²",
        "--5",
        "٣",
        "１２",
        "1e3",
        "-1",
        "0",
        "9" * 30,
        str(2**63 - 1),
        "a\x00b",
        "\t",
        "x" * 300,
        "3",
        "0001-01-01T00:00:00+05:00",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    ODD_TEXT,
    st.text(max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
CASES = settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FIELDS = {
    "customer/earnBulk": [
        "badgeMetaId",
        "customerIds",
        "triggeredBy",
        "requestId",
        "earnEventDate",
        "earnEventDateISO",
    ],
    "customer/earn": ["badgeMetaId", "customerId", "triggeredBy", "requestId", "earnEventDateISO"],
    "badgeMeta/customer/issueBulk": [
        "badgeMetaId",
        "customers",
        "customerIds",
        "triggeredBy",
        "requestId",
        "issueEventDateISO",
    ],
    "badgeMeta/customer/revokeIssue": ["badgeMetaId", "customers", "revokeIssuals"],
    "customer/revokeEarn": ["badgeMetaId", "customerId", "earnedBadgeId"],
}


def encode(value) -> bytes:
    """JSON text for any value, integers beyond 64 bits included (orjson refuses them)."""
    return json.dumps(value).encode()


@pytest.fixture
def known(api, org):
    make_customers(org, [1, 2, 3])
    earn = live_badge(api)
    enrol = live_badge(api, earnType="ISSUE_EARN", issuedBadgeExpiry={"expiryType": "NEVER"})
    logging.disable(logging.CRITICAL)  # refusals log warnings; a 500 fails the assertion anyway
    yield {"earn": earn["id"], "enrol": enrol["id"]}
    logging.disable(logging.NOTSET)


def _body(draw, path: str, known: dict) -> dict:
    badge = known["enrol"] if "issue" in path.lower() else known["earn"]
    body = {"badgeMetaId": badge, "triggeredBy": TRIGGER}
    for key in draw(st.lists(st.sampled_from(FIELDS[path]), unique=True, max_size=4)):
        if key == "triggeredBy":
            body[key] = {
                "ownerType": draw(st.sampled_from(["Loyalty", "Membercare", "x"])),
                "referenceId": draw(VALUES),
            }
        elif key in ("customerIds", "customers"):
            body[key] = draw(
                st.lists(st.one_of(st.sampled_from([1, 2, 3, 4]), ODD_TEXT, VALUES), max_size=4)
            )
        elif key == "revokeIssuals":
            body[key] = draw(
                st.lists(
                    st.fixed_dictionaries({"customerId": VALUES, "issueId": VALUES}) | VALUES,
                    max_size=3,
                )
            )
        else:
            body[key] = draw(VALUES)
    return body


@pytest.mark.parametrize("path", list(FIELDS))
@CASES
@given(data=st.data())
def test_a_lifecycle_write_never_answers_500(api, known, path, data):
    body = _body(data.draw, path, known)
    status, envelope = api.post(path, encode(body))
    assert status < 500, (body, envelope)


@CASES
@given(
    rows=st.lists(
        st.dictionaries(
            st.sampled_from(["badgeMetaId", "customerId", "earnEventDate", "earnExpiresOnISO"]),
            VALUES,
        )
        | VALUES,
        max_size=4,
    )
)
def test_import_customer_badges_never_answers_500(api, known, rows):
    status, envelope = api.put("import/customerBadges", encode(rows))
    assert status < 500, (rows, envelope)
    if status == 200:
        for answer in envelope["data"]:
            assert answer["badgeMetaId"] is None or isinstance(answer["badgeMetaId"], str)
            assert answer["customerId"] is None or type(answer["customerId"]) is int


READS = [
    "badgeMeta",
    "customers",
    "group",
    "customField",
    "customer/1",
    "management/1",
    "management/1/badge/x",
]


@CASES
@given(
    path=st.sampled_from(READS),
    query=st.dictionaries(
        st.sampled_from(
            ["page", "size", "limit", "search", "name", "groupId", "startOn", "badgeType"]
        ),
        ODD_TEXT,
        max_size=3,
    ),
)
def test_a_read_never_answers_500(api, known, path, query):
    status, envelope = api.get(path, **query)
    assert status < 500, (path, query, envelope)
    orjson.loads(orjson.dumps(envelope))
