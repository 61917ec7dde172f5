"""Every operation of /api/schema/, fuzzed: never a 5xx, never an answer the schema denies.

Both kinds of generated input are sent: bodies and parameters the schema allows (positive) and
ones it refuses (negative: wrong types, out-of-range numbers, missing fields). Each answer must
have a documented status code, the documented content type, and a body that validates against
the documented response schema. The world is a real org with badges of every limit kind,
customers, a group and a custom field; half of the ids are aimed at it, and half of the bodies
of cross-field operations (create, earn, enrol, token) start valid with one generated key laid
over them (tests/fuzzing.py).
The run is bounded (EXAMPLES per operation and mode) and derandomized, so it replays the same
cases on every machine; bench/fuzz_api.py is the long, stateful run.
"""

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests import fuzzing

EXAMPLES = 10


@pytest.fixture(scope="module")
def api_schema() -> schemathesis.BaseSchema:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


def operations_of(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


@pytest.mark.django_db
def test_no_operation_answers_5xx_or_outside_its_schema(api_schema):
    world = fuzzing.build_world()
    client = Client()
    tally = fuzzing.Tally()
    for operation in operations_of(api_schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy, data=st.data())
            def fuzz(case, data):
                fuzzing.aim(case, world, data)
                tally.record(case, fuzzing.send(client, case, world.headers))

            with fuzzing.rolled_back():
                fuzz()

    print(f"{tally.cases} cases: {dict(tally.by_class)}")
    assert tally.failures == [], "\n\n".join(tally.failures[:10])
    assert tally.server_errors == 0
    assert tally.cases >= len(operations_of(api_schema)) * EXAMPLES  # the fuzzer did run
