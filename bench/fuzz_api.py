"""The long fuzz run of the API: tens of thousands of schemathesis cases, stateful links on.

Two parts, both from /api/schema/ and both aimed at a real org (tests/fuzzing.py: badges of
every limit kind, customers, a group, a custom field):

1. per operation, positive and negative cases (`--examples` of each), as `make test` sends, only
   many more;
2. schemathesis' state machine: sequences of calls where one answer feeds the next (a created
   badge is read, claimed, earned, revoked; a group or field created is read and updated), from
   the links schemathesis infers from the schema, until `--stateful-cases` calls were made.

Every answer is checked as in tests/api/test_api_fuzz.py: no 5xx, a documented status code and
content type, a body that validates against the documented schema. Prints the figures (cases,
answers by status class, 5xx, schema violations, seconds) and the first failures with a curl to
reproduce each. Exits 1 when anything failed.

    .venv/bin/python bench/fuzz_api.py                       # about 10 minutes, SQLite under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/badge_fuzz .venv/bin/python bench/fuzz_api.py

Not part of `make bench` (its name does not start with bench_): it is a correctness run, not a
timing, and takes minutes.
"""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import scratch_database_url, setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="cases per operation and mode")
    parser.add_argument(
        "--stateful-cases", type=int, default=12000, help="calls made by the state machine"
    )
    parser.add_argument(
        "--seed", type=int, default=9, help="hypothesis seed (the same seed replays the run)"
    )
    parser.add_argument(
        "--by-operation", action="store_true", help="also print answers per operation and status"
    )
    args = parser.parse_args()

    setup_django(scratch_database_url("fuzz"))
    # Django logs every 4xx as a warning: tens of thousands of lines. 5xx still log as errors.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    os.environ.setdefault("PYTEST_VERSION", "bench")  # no auth cache: the world changes as we go

    import schemathesis
    from django.db import transaction
    from django.test import Client
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    from badges_api.models import Org
    from badges_api.selectors import customer_badges
    from tests import fuzzing

    Org.objects.filter(id__in=(990001, 990002)).delete()
    client = Client()
    api_schema = schemathesis.openapi.from_dict(
        client.get("/api/schema/", {"format": "json"}).json()
    )
    world = fuzzing.build_world(org_id=990001, username=f"fuzz.{time.time_ns()}")
    tally = fuzzing.Tally()
    quiet = {"database": None, "deadline": None, "suppress_health_check": list(HealthCheck)}
    started = time.perf_counter()

    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(args.seed)
            @settings(max_examples=args.examples, **quiet)
            @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
            def fuzz(case, data):
                fuzzing.aim(case, world, data)
                tally.record(case, fuzzing.send(client, case, world.headers))

            with fuzzing.rolled_back():
                fuzz()
    stateless = tally.cases
    stateless_seconds = time.perf_counter() - started

    # A second org for the state machine, so its creations start from a world of its own.
    stateful_world = fuzzing.build_world(org_id=990002, username=f"fuzz.sm.{time.time_ns()}")
    base_machine = api_schema.as_state_machine()
    links = sum(len(t.outgoing) for t in base_machine._transitions.operations.values())

    class Machine(base_machine):
        def call(self, case, **kwargs):
            return fuzzing.send(client, case, stateful_world.headers)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            tally.record(case, response)

        # Each scenario starts from the same world: hypothesis replays scenarios and insists that
        # the same draws meet the same answers (a name taken by an earlier scenario would not).
        def setup(self):
            self.scenario = transaction.atomic()
            self.scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.scenario.__exit__(None, None, None)
            customer_badges.catalogue_forget()  # a rollback fires no save signal

        def before_call(self, case):
            if case.path.endswith("/badgeMeta") and case.method.upper() in ("POST", "PUT"):
                case.headers = {**(case.headers or {}), **fuzzing.MIGRATION}

    # One derandomized run (a replay makes the same calls); a scenario averages about 12 calls.
    Machine.run(
        settings=settings(
            max_examples=max(50, args.stateful_cases // 12),
            stateful_step_count=12,
            derandomize=True,
            phases=[phase for phase in settings.default.phases if phase.name != "shrink"],
            **quiet,
        )
    )
    stateful = tally.cases - stateless
    seconds = time.perf_counter() - started

    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}")
    print(
        f"schemathesis {schemathesis.__version__}, seed {args.seed}, {len(operations)} operations"
    )
    print(f"stateless: {stateless:,} cases in {stateless_seconds:,.0f} s")
    print(f"stateful:  {stateful:,} calls in {seconds - stateless_seconds:,.0f} s ({links} links)")
    print(f"cases:     {tally.cases:,} in {seconds:,.0f} s ({tally.cases / seconds:,.0f}/s)")
    print("answers:   " + ", ".join(f"{k} {v:,}" for k, v in sorted(tally.by_class.items())))
    print(f"5xx:       {tally.server_errors}")
    print(f"schema violations (status, content type or body): {tally.violations}")
    if args.by_operation:
        for key, count in sorted(tally.by_operation.items()):
            print(f"{count:7,}  {key}")
    for failure in tally.failures[:10]:
        print("\n" + failure[:3000])
    return 1 if tally.failures or tally.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
