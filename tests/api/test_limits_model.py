"""Model-based test of earning: random badges and requests, every answer checked against a model.

Hypothesis builds badges with random combinations of every limit kind at both levels (values
from 1), direct and enrol-first, with earned-badge expiries that run out; then runs random
sequences of earn, earnBulk (repeats and unknown ids), issueBulk, revokeEarn, revokeIssue and
time moving forward over a handful of customers, through the HTTP API. Each answer (earned, or
which code) and each count the reads report (the badge's earnedCount/issuedCount and statistics,
the customer's EARNED badges, the management view's limit counters) must equal what
`tests/api/limits_model.py`, written from the spec, says.

The clock is frozen with time-machine: the service reads `timezone.now()` and writes every
timestamp from it, so the rows and the model share one clock. `make test` runs a bounded number
of examples with a fixed seed; `bench/model_limits.py` runs many more and prints figures.
"""

import itertools
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import seed as with_seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from badge_rules.timestamps import to_epoch, to_iso
from badges_api.selectors import customer_badges
from tests.api import limits_model as model
from tests.factories import badge_body
from tests.lifecycle import MIGRATION, TRIGGER, make_customers

KNOWN = (1, 2, 3, 4)
UNKNOWN = (9001, 9002)
EPOCH = datetime(
    2026, 3, 2, 9, 30, tzinfo=UTC
)  # a Monday morning; the clock only moves forward from here

# In `make test`: the same 150 examples every run (a fixed seed; with this one every limit code,
# 9101-9113, is answered at least once, in 20-30 s per database). bench/model_limits.py sets
# these for long runs with fresh seeds.
EXAMPLES = int(os.environ.get("LIMITS_MODEL_EXAMPLES", "150"))
STEPS = int(os.environ.get("LIMITS_MODEL_STEPS", "50"))
SEED = int(os.environ.get("LIMITS_MODEL_SEED", "1"))
STATS_FILE = os.environ.get("LIMITS_MODEL_STATS")


REQUEST_NUMBERS = itertools.count(1)  # the frozen clock cannot tell requests apart


class Figures:
    examples = steps = answers = 0
    codes: Counter = Counter()  # answers by code (None: granted), to show every rule was reached
    rules: Counter = Counter()


# --- strategies: badges with every limit kind --------------------------------------------------

caps = st.integers(1, 3)
fixed_window = st.one_of(
    st.fixed_dictionaries({"durationType": st.just("DAYS"), "refreshRate": st.integers(1, 10)}),
    st.fixed_dictionaries(
        {"durationType": st.just("WEEKS"), "startDayOfTheWeek": st.sampled_from(model.DAY_NAMES)}
    ),
    st.fixed_dictionaries({"durationType": st.just("MONTHS")}),
)


@st.composite
def customer_constraints(draw) -> list[dict]:
    chosen = []
    if draw(st.booleans()):
        chosen.append({"constraintType": "CUSTOMER_BADGE_FIXED_VALUE", "maxEarnLimit": draw(caps)})
    if draw(st.booleans()):
        units = draw(
            st.lists(st.sampled_from(model.ROLLING_UNITS), min_size=1, max_size=3, unique=True)
        )
        rolling = {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW"}
        for _, cap, roll in units:
            rolling |= {cap: draw(caps), roll: draw(st.integers(1, 3))}
        chosen.append(rolling)
    if draw(st.booleans()):
        chosen.append(
            {"constraintType": "CUSTOMER_BADGE_FIXED_WINDOW", "maxEarnLimit": draw(caps)}
            | draw(fixed_window)
        )
    return draw(st.permutations(chosen))


@st.composite
def badge_constraints(draw) -> list[dict]:
    # Each kind in one badge of three or so, with room for several customers: badge-wide limits
    # that are always full would hide the customer limits behind them.
    chosen = []
    sometimes = st.sampled_from([True, False, False])
    if draw(sometimes):
        chosen.append(
            {"constraintType": "BADGE_FIXED_VALUE", "maxEarnLimit": draw(st.integers(1, 12))}
        )
    windows = draw(
        st.lists(
            st.tuples(st.sampled_from(("DAYS", "WEEKS", "MONTHS")), st.integers(1, 2)),
            max_size=2,
            unique=True,
        )
    )
    for unit, length in windows[: draw(st.sampled_from([0, 0, 1, 2]))]:
        chosen.append(
            {
                "constraintType": "BADGE_ROLLING_WINDOW",
                "rollType": unit,
                "rollValue": length,
                "maxEarnLimit": draw(st.integers(1, 8)),
            }
        )
    if draw(sometimes):
        chosen.append(
            {"constraintType": "BADGE_FIXED_WINDOW", "maxEarnLimit": draw(st.integers(1, 8))}
            | draw(fixed_window)
        )
    return draw(st.permutations(chosen))


relative_expiry = st.one_of(
    st.fixed_dictionaries(
        {
            "expiryType": st.just("RELATIVE"),
            "relativeExpirytype": st.just("DAYS"),
            "value": st.integers(1, 4),
        }
    ),
    st.fixed_dictionaries(
        {
            "expiryType": st.just("RELATIVE"),
            "relativeExpirytype": st.just("WEEKS"),
            "value": st.integers(1, 2),
        }
    ),
    st.fixed_dictionaries(
        {
            "expiryType": st.just("RELATIVE"),
            "relativeExpirytype": st.just("MONTHS"),
            "value": st.just(1),
        }
    ),
)
other_expiry = st.one_of(
    st.sampled_from(
        [{"expiryType": "ABSOLUTE", "type": "WITH_BADGE_META"}, {"expiryType": "NEVER"}]
    ),
    # A fixed date some days after the clock's start: by the time a badge is made it may be past,
    # and its earns are then born expired (migration badges may be made so).
    st.integers(1, 40).map(
        lambda days: {
            "expiryType": "ABSOLUTE",
            "type": "FIXED_DATE",
            "expiresOn": to_epoch(EPOCH + timedelta(days=days)),
        }
    ),
)
# Advances of the clock: a few minutes to a few weeks.
STEPS_OF_TIME = [
    timedelta(minutes=7),
    timedelta(hours=5),
    timedelta(days=1),
    timedelta(days=1),
    timedelta(days=2),
    timedelta(weeks=1),
    timedelta(weeks=4),
]
SOMEONE = st.sampled_from(KNOWN + KNOWN + UNKNOWN[:1])
SOME = st.lists(st.sampled_from(KNOWN + KNOWN + UNKNOWN), min_size=1, max_size=7)
# Mostly short earned expiries, so holdings run out and the limits (not 1040) decide.
short_expiry = st.fixed_dictionaries(
    {
        "expiryType": st.just("RELATIVE"),
        "relativeExpirytype": st.just("DAYS"),
        "value": st.integers(1, 2),
    }
)
earned_expiry = st.one_of(short_expiry, short_expiry, short_expiry, relative_expiry, other_expiry)

# What a badge is made of: the first badge (initialize) and a second one (a rule) draw alike.
BADGE_SHAPES = dict(
    earn_type=st.sampled_from(["EARN", "EARN", "ISSUE_EARN"]),
    start_hours=st.sampled_from([-240, -72, -30, -2, 0, 3]),
    days=st.sampled_from([1, 3, 14, 45, 120]),
    customer=customer_constraints(),
    badge=badge_constraints(),
    earned=earned_expiry,
    enrolment=st.one_of(relative_expiry, other_expiry),
)


class EarningMachine(RuleBasedStateMachine):
    """One org, four known customers, up to two badges; the clock starts at EPOCH."""

    api = None
    org = None

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.traveller = time_machine.travel(EPOCH, tick=False)
        self.clock = self.traveller.start()
        self.now = EPOCH
        customer_badges.catalogue_forget()
        make_customers(self.org, KNOWN)
        self.badges: list[model.Badge] = []
        Figures.examples += 1

    def teardown(self):
        self.traveller.stop()
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)
        customer_badges.catalogue_forget()

    def _badge(self, index: int) -> model.Badge:
        return self.badges[index % len(self.badges)]

    def _answered(self, count: int = 1, codes=()) -> None:
        # Figures by request kind: the calling rule's name, its weighting repeats folded in.
        Figures.rules[
            sys._getframe(1).f_code.co_name.removesuffix("_again").removesuffix("_now")
        ] += 1
        Figures.answers += count
        Figures.codes.update(codes)

    # --- rules ----------------------------------------------------------------------------

    @initialize(**BADGE_SHAPES)
    def first_badge(self, **kwargs):
        self._create(**kwargs)

    @precondition(lambda self: len(self.badges) < 2)
    @rule(**BADGE_SHAPES)
    def create_badge(self, **kwargs):
        self._create(**kwargs)

    def _create(self, *, earn_type, start_hours, days, customer, badge, earned, enrolment):
        start = self.now + timedelta(hours=start_hours)
        end = start + timedelta(days=days)
        body = badge_body(
            earnType=earn_type,
            startOnISO=to_iso(start),
            expiresOnISO=to_iso(end),
            customerConstraints=customer,
            badgeConstraints=badge,
            earnedBadgeExpiry=earned,
            issuedBadgeExpiry=enrolment if earn_type == "ISSUE_EARN" else ...,
        )
        status, envelope = self.api.post("badgeMeta", body, headers=MIGRATION)
        assert status == 200, envelope
        badge_id = envelope["data"]["id"]
        assert self.api.post(f"badgeMeta/{badge_id}/claim", TRIGGER)[0] == 200
        self.badges.append(
            model.Badge(
                badge_id,
                earn_type,
                start,
                end,
                customer,
                badge,
                earned,
                enrolment if earn_type == "ISSUE_EARN" else None,
            )
        )

    @rule(days=st.sampled_from(STEPS_OF_TIME))
    def time_passes(self, days):
        self.now += days
        self.clock.move_to(self.now)

    @rule(
        index=st.integers(0, 2),
        customer=SOMEONE,
        back=st.sampled_from([None, None, 1, 30, 24 * 3, 24 * 10]),
    )
    def earn(self, index, customer, back):
        badge = self._badge(index)
        event_date = self.now - timedelta(hours=back or 0)
        body = {
            "badgeMetaId": badge.id,
            "customerId": str(customer),
            "triggeredBy": TRIGGER,
            "requestId": f"earn-{next(REQUEST_NUMBERS)}",
        }
        if back is not None:
            body["earnEventDateISO"] = to_iso(event_date)
        status, envelope = self.api.post("customer/earn", body)
        refused = badge.refuse_request(now=self.now, event_date=event_date)
        if refused is not None:
            assert (status, envelope["errors"][0]["code"]) == (400, refused), envelope
            return self._answered(codes=[refused])
        ((code, earn_id),) = badge.earn([customer], set(KNOWN), now=self.now, event_date=event_date)
        if code is None:
            assert status == 200, (envelope, badge)
            self._confirm(badge, earn_id, envelope["data"]["earnedBadgeId"])
            assert envelope["data"]["expiresOn"] == to_epoch(self._earned_expiry(badge))
        else:
            assert envelope["errors"][0]["code"] == code, (envelope, code, badge)
            assert status == {1026: 404, 1040: 409, 811: 409}.get(code, 400)
        self._answered(codes=[code])

    @rule(index=st.integers(0, 2), customers=SOME, back=st.sampled_from([None, None, 1, 24 * 3]))
    def earn_bulk(self, index, customers, back):
        badge = self._badge(index)
        event_date = self.now - timedelta(hours=back or 0)
        body = {"badgeMetaId": badge.id, "customerIds": customers, "triggeredBy": TRIGGER}
        if back is not None:
            body["earnEventDateISO"] = to_iso(event_date)
        status, envelope = self.api.post("customer/earnBulk", body)
        refused = badge.refuse_request(now=self.now, event_date=event_date)
        if refused is not None:
            assert (status, envelope["errors"][0]["code"]) == (400, refused), envelope
            return self._answered(codes=[refused])
        assert status == 200, envelope
        assert envelope["data"]["expiresOn"] == to_epoch(self._earned_expiry(badge))
        expected = badge.earn(customers, set(KNOWN), now=self.now, event_date=event_date)
        items = envelope["data"]["issuedBadges"]
        real = {}
        for (code, earn_id), item in zip(expected, items, strict=True):
            if code is None:
                self._confirm(badge, earn_id, item["issuedId"])
                real[earn_id] = item["issuedId"]
        answered = [((item.get("error") or {}).get("code"), item["issuedId"]) for item in items]
        expected = [(code, real.get(earn_id, earn_id)) for code, earn_id in expected]
        assert answered == expected, (customers, badge)
        earned = sum(1 for code, _ in expected if code is None)
        assert envelope["data"]["summary"] == {
            "requested": len(customers),
            "earned": earned,
            "refused": len(customers) - earned,
        }
        self._answered(len(customers), codes=[code for code, _ in expected])

    # Rules are chosen alike; these repeats make earning and time passing the common steps.
    @rule(index=st.integers(0, 2), customers=SOME, back=st.sampled_from([None, None, 1, 24 * 3]))
    def earn_bulk_again(self, index, customers, back):
        self.earn_bulk(index, customers, back)

    @rule(index=st.integers(0, 2), customers=SOME)
    def earn_bulk_now(self, index, customers):
        self.earn_bulk(index, customers, None)

    @rule(days=st.sampled_from(STEPS_OF_TIME))
    def more_time_passes(self, days):
        self.time_passes(days)

    @rule()
    def a_day_passes(self):
        self.time_passes(timedelta(days=1))

    @rule(
        index=st.integers(0, 2), customers=st.lists(st.sampled_from(KNOWN), min_size=1, max_size=4)
    )
    def issue_bulk_again(self, index, customers):
        self.issue_bulk(index, customers)

    @rule(
        index=st.integers(0, 2),
        customers=st.lists(st.sampled_from(KNOWN + UNKNOWN[:1]), min_size=1, max_size=4),
    )
    def issue_bulk(self, index, customers):
        badge = self._badge(index)
        body = {"badgeMetaId": badge.id, "customers": customers, "triggeredBy": TRIGGER}
        status, envelope = self.api.post("badgeMeta/customer/issueBulk", body)
        if badge.earn_type == "EARN":
            assert (status, envelope["errors"][0]["code"]) == (400, 9012), envelope
            return self._answered(codes=[9012])
        refused = badge.enrol_refusal(now=self.now)
        if refused is not None:
            assert (status, envelope["errors"][0]["code"]) == (400, refused), envelope
            return self._answered(codes=[refused])
        assert status == 200, envelope
        assert envelope["data"]["expiresOn"] == to_epoch(
            badge.expiry(badge.issued_expiry, start=self.now)
        )
        expected = badge.enrol(customers, set(KNOWN), now=self.now)
        items = envelope["data"]["issuedBadges"]
        real = {}
        for (code, enrolment_id), item in zip(expected, items, strict=True):
            if code is None:
                next(e for e in badge.enrolments if e.id == enrolment_id).id = item["issuedId"]
                real[enrolment_id] = item["issuedId"]
        answered = [((item.get("error") or {}).get("code"), item["issuedId"]) for item in items]
        expected = [(code, real.get(enrolment_id, enrolment_id)) for code, enrolment_id in expected]
        assert answered == expected, (customers, badge)
        self._answered(len(customers))

    @rule(index=st.integers(0, 2), customer=st.sampled_from(KNOWN), pick=st.integers(0, 5))
    def revoke_earn(self, index, customer, pick):
        badge = self._badge(index)
        mine = [earn for earn in badge.earns if earn.customer == customer]
        target = mine[pick % len(mine)] if mine and pick < 5 else None
        earned_id = target.id if target else "5f0000000000000000000000"
        body = {"badgeMetaId": badge.id, "customerId": str(customer), "earnedBadgeId": earned_id}
        status, envelope = self.api.post("customer/revokeEarn", body)
        if target is not None and target.active:
            assert status == 200, envelope
            target.active = False
        else:
            assert envelope["errors"][0]["code"] == 814, envelope
        self._answered()

    @rule(
        index=st.integers(0, 2),
        customers=st.lists(st.sampled_from(KNOWN + UNKNOWN[:1]), min_size=1, max_size=3),
    )
    def revoke_issue(self, index, customers):
        badge = self._badge(index)
        status, envelope = self.api.post(
            "badgeMeta/customer/revokeIssue", {"badgeMetaId": badge.id, "customers": customers}
        )
        assert status == 200, envelope
        answered = [
            ((entry.get("error") or {}).get("code"), entry["issueId"])
            for entry in envelope["data"]["revokedIssues"]
        ]
        expected = []
        for customer in customers:
            if customer not in KNOWN:
                expected.append((1026, None))
                continue
            live = [e for e in badge.enrolments if e.customer == customer and e.active]
            if not live:
                expected.append((404, None))
            for enrolment in live:
                enrolment.active = False
            expected += [(None, enrolment.id) for enrolment in live]
        assert sorted(answered, key=str) == sorted(expected, key=str), (customers, badge)
        self._answered(len(customers))

    # --- reads ----------------------------------------------------------------------------

    @precondition(lambda self: self.badges)
    @rule(index=st.integers(0, 2), customer=st.sampled_from(KNOWN))
    def reads_agree(self, index, customer):
        badge = self._badge(index)
        status, envelope = self.api.get(f"badgeMeta/{badge.id}", includeStatistics="true")
        assert status == 200, envelope
        data = envelope["data"]
        live_earns = sum(1 for e in badge.earns if e.active and e.expires_on > self.now)
        live_enrolments = sum(1 for e in badge.enrolments if e.active and e.expires_on > self.now)
        assert (data["earnedCount"], data["issuedCount"]) == (
            badge.earned_count(),
            badge.issued_count(),
        )
        assert (
            data["statistics"]["activeEarnedCount"],
            data["statistics"]["activeIssuedCount"],
        ) == (live_earns, live_enrolments)

        status, envelope = self.api.get(
            f"management/{customer}/badge/{badge.id}", includeStatistics="true"
        )
        assert status == 200, envelope
        data = envelope["data"]
        assert data["earnDetails"]["earnCount"] == sum(
            1 for e in badge.earns if e.customer == customer
        )
        assert data["issualDetails"]["issuedCount"] == sum(
            1 for e in badge.enrolments if e.customer == customer
        )
        assert data["activeEarnedCount"] == (1 if badge.live_earn(customer, self.now) else 0)
        # Every earn as stored: the rows carry the frozen clock's instants, as the model does.
        history = sorted(
            (e["earnedBadgeId"], e["earnedOn"], e["earnEventDate"], e["expiresOn"], e["status"])
            for e in data["earnDetails"]["earns"]
        )
        assert history == sorted(
            (
                e.id,
                to_epoch(e.earned_on),
                to_epoch(e.event_date),
                to_epoch(e.expires_on),
                "REVOKED" if not e.active else "LIVE" if e.expires_on > self.now else "EXPIRED",
            )
            for e in badge.earns
            if e.customer == customer
        )
        reported = [
            (
                entry["constraintLevel"],
                entry["sourceConstraintType"]
                .removeprefix("CUSTOMER_BADGE_")
                .removeprefix("BADGE_"),
                self._counters(entry),
            )
            for entry in data["earnConstraints"]
            if entry["constraintType"] != "NONE"
        ]
        assert reported == badge.statistics(customer, now=self.now), (badge, customer)

        status, envelope = self.api.get(f"customer/{customer}", badgeType="EARNED", limit="100")
        assert status == 200, envelope
        held = {b["badgeMetaId"]: b["earnedCount"] for b in envelope["data"]["badges"]}
        mine = {
            b.id: sum(1 for e in b.earns if e.customer == customer and e.active)
            for b in self.badges
            if b.live_earn(customer, self.now)
        }
        assert held == mine
        self._answered(4)

    @invariant()
    def count_step(self):
        Figures.steps += 1

    # --- helpers --------------------------------------------------------------------------

    def _earned_expiry(self, badge: model.Badge) -> datetime:
        return badge.expiry(badge.earned_expiry, start=self.now)

    @staticmethod
    def _counters(entry: dict) -> list[int | None]:
        if "rollingWindowLimits" in entry:
            return [limit["currentEarnCount"] for limit in entry["rollingWindowLimits"]]
        return [entry["earnConstraintBlockStatistics"]["currentEarnCount"]]

    @staticmethod
    def _confirm(badge: model.Badge, placeholder: str, real: str) -> None:
        next(earn for earn in badge.earns if earn.id == placeholder).id = real


def run_machine(api, org, *, examples: int, steps: int, seed: int) -> None:
    EarningMachine.api, EarningMachine.org = api, org
    chosen = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        database=None,
    )
    # The seed goes on the machine's class: run_state_machine_as_test reads it from there.
    run_state_machine_as_test(with_seed(seed)(EarningMachine), settings=chosen)


@pytest.mark.django_db
def test_every_earn_answer_and_count_agrees_with_the_model_of_the_rules(api, org):
    started = time.perf_counter()
    failure = None
    try:
        run_machine(api, org, examples=EXAMPLES, steps=STEPS, seed=SEED)
    except BaseException as error:  # recorded for the bench, then raised
        failure = error
        raise
    finally:
        if STATS_FILE:
            with open(STATS_FILE, "w") as out:
                json.dump(
                    {
                        "examples": Figures.examples,
                        "steps": Figures.steps,
                        "answers": Figures.answers,
                        "disagreements": 0 if failure is None else 1,
                        "seconds": time.perf_counter() - started,
                        "rules": dict(Figures.rules),
                        "codes": {
                            str(code): count
                            for code, count in sorted(Figures.codes.items(), key=str)
                        },
                        "failure": None
                        if failure is None
                        else f"{type(failure).__name__}: {failure}"[:4000],
                    },
                    out,
                )
