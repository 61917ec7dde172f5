"""A plain-Python reference of who may earn a badge, written from the spec, not from the service.

Sources: Capillary's reference (spec sections 4.1-4.3, 4.7, 4.10) and the decisions in
docs/API.md ("How limits count", "Per-customer answers", "Fixed-window cycles"):

- Limits count earns that were not revoked; expired earns still count.
- Lifetime limits count every such earn; rolling windows count earns *processed* in the last
  N days, N x 7 days or N calendar months (day clamped) before the moment of processing; fixed
  windows count earns whose *event date* falls in the cycle holding this request's event date.
  Cycles are whole days (the org is on UTC here) from the badge's first day: DAYS cycles of
  `refreshRate` days, WEEKS cycles starting on `startDayOfTheWeek` (a short first one), MONTHS
  calendar months; the last cycle is cut at the badge's last day (an enrol-first badge's: below).
- A customer is answered, in this order: unknown 1026; holds a live earn 1040; enrol-first badge
  without a live enrolment 811; the first full customer limit (9101/9102/9103, in the order the
  badge lists them, a rolling window's units DAYS, WEEKS, MONTHS); the first full badge-wide
  limit (9111/9112/9113); else earned. A bulk request is decided in request order, badge-wide
  room going to the first eligible customers; a customer listed twice gets one answer, the copy
  repeating it with 1040 when the first copy earned.
- Whole-request refusals: a badge that is not live or is deactivated 815; an `EARN` badge's
  event date outside its start-end 816.
- Expiry of an earned badge runs from processing time (relative), or is the badge end, a fixed
  date, or 100 years; an enrolment's runs from the enrol event date.
- Enrol-first (`ISSUE_EARN`) badges, seed 000 and 002 (issue 9): earnable while the customer's
  enrolment is live, even after the badge's end, with the event date inside the enrolment (else
  816, per customer); customer fixed windows run to the enrolment's expiry instead of the
  badge's end (for a customer not enrolled, as far as an enrolment could run: the enrolment
  expiry rule applied from the badge's end); badge-wide fixed windows run as far as an
  enrolment could run, the same for every customer, so every earn falls in a badge-wide cycle.
"""

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

DAY_NAMES = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
ROLLING_UNITS = (
    ("DAYS", "maxEarnForDays", "rollForDays"),
    ("WEEKS", "maxEarnForWeeks", "rollForWeeks"),
    ("MONTHS", "maxEarnForMonths", "rollForMonths"),
)
CODES = {
    "CUSTOMER": {"FIXED_VALUE": 9101, "ROLLING_WINDOW": 9102, "FIXED_WINDOW": 9103},
    "BADGE": {"FIXED_VALUE": 9111, "ROLLING_WINDOW": 9112, "FIXED_WINDOW": 9113},
}
NOT_FOUND, ALREADY, NO_ENROLMENT, NOT_LIVE, OUTSIDE = 1026, 1040, 811, 815, 816


def add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def period_after(moment: datetime, unit: str, value: int) -> datetime:
    if unit == "MONTHS":
        return add_months(moment, value)
    return moment + timedelta(days=value * (7 if unit == "WEEKS" else 1))


def period_before(moment: datetime, unit: str, value: int) -> datetime:
    if unit == "MONTHS":
        return add_months(moment, -value)
    return moment - timedelta(days=value * (7 if unit == "WEEKS" else 1))


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def cycle_days(
    constraint: dict, day: date, *, first_day: date, last_day: date
) -> tuple[date, date] | None:
    """The first and last day of the fixed-window cycle holding `day`, or None outside the badge."""
    if not first_day <= day <= last_day:
        return None
    kind = constraint["durationType"]
    if kind == "DAYS":
        rate = constraint["refreshRate"]
        start = first_day + timedelta(days=(day - first_day).days // rate * rate)
        end = start + timedelta(days=rate - 1)
    elif kind == "WEEKS":
        weekday = DAY_NAMES.index(constraint.get("startDayOfTheWeek") or "MONDAY")
        start = day - timedelta(days=(day.weekday() - weekday) % 7)
        end = start + timedelta(days=6)
    else:
        start = day.replace(day=1)
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return max(start, first_day), min(end, last_day)


@dataclass
class Earn:
    id: str
    customer: int
    earned_on: datetime
    event_date: datetime
    expires_on: datetime
    active: bool = True


@dataclass
class Enrolment:
    id: str
    customer: int
    issued_on: datetime
    event_date: datetime
    expires_on: datetime
    active: bool = True

    def live(self, now: datetime) -> bool:
        return self.active and self.issued_on <= now < self.expires_on


@dataclass
class Limit:
    level: str
    kind: str
    max_earn: int
    # what the limit counts: an earn -> does it weigh against this limit
    counts: object = None


@dataclass
class Badge:
    id: str
    earn_type: str
    start: datetime
    end: datetime
    customer_constraints: list[dict]
    badge_constraints: list[dict]
    earned_expiry: dict
    issued_expiry: dict | None = None
    active: bool = True
    earns: list[Earn] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)

    # --- limits ---------------------------------------------------------------------------

    def limits(
        self, level: str, *, now: datetime, event_date: datetime, enrolment: Enrolment | None = None
    ) -> list[Limit]:
        constraints = self.customer_constraints if level == "CUSTOMER" else self.badge_constraints
        found: list[Limit] = []
        for constraint in constraints:
            kind = (
                constraint["constraintType"].removeprefix("CUSTOMER_BADGE_").removeprefix("BADGE_")
            )
            if kind == "FIXED_VALUE":
                found.append(Limit(level, kind, constraint["maxEarnLimit"], lambda earn: True))
            elif kind == "ROLLING_WINDOW":
                if level == "CUSTOMER":
                    rolls = [
                        (unit, constraint[cap], constraint[roll])
                        for unit, cap, roll in ROLLING_UNITS
                        if constraint.get(cap)
                    ]
                else:
                    rolls = [
                        (
                            constraint["rollType"],
                            constraint["maxEarnLimit"],
                            constraint["rollValue"],
                        )
                    ]
                for unit, cap, length in rolls:
                    since = period_before(now, unit, length)
                    found.append(
                        Limit(level, kind, cap, lambda earn, since=since: earn.earned_on >= since)
                    )
            elif kind == "FIXED_WINDOW":
                last = self.end
                if self.earn_type == "ISSUE_EARN":
                    horizon = self.expiry(
                        self.issued_expiry or {"expiryType": "NEVER"}, start=self.end
                    )
                    own = (
                        enrolment.expires_on
                        if enrolment is not None and level == "CUSTOMER"
                        else horizon
                    )
                    last = max(own, self.start)
                cycle = cycle_days(
                    constraint, event_date.date(), first_day=self.start.date(), last_day=last.date()
                )
                if cycle is None:
                    continue
                low, high = midnight(cycle[0]), midnight(cycle[1] + timedelta(days=1))
                found.append(
                    Limit(
                        level,
                        kind,
                        constraint["maxEarnLimit"],
                        lambda earn, low=low, high=high: low <= earn.event_date < high,
                    )
                )
        return found

    def counted(self, limit: Limit, customer: int | None = None) -> int:
        return sum(
            1
            for earn in self.earns
            if earn.active
            and (customer is None or earn.customer == customer)
            and limit.counts(earn)
        )

    # --- state ----------------------------------------------------------------------------

    def live_earn(self, customer: int, now: datetime) -> Earn | None:
        return next(
            (
                earn
                for earn in self.earns
                if earn.customer == customer and earn.active and earn.expires_on > now
            ),
            None,
        )

    def live_enrolment(self, customer: int, now: datetime) -> Enrolment | None:
        live = [
            enrolment
            for enrolment in self.enrolments
            if enrolment.customer == customer and enrolment.live(now)
        ]
        return live[-1] if live else None

    def earned_count(self) -> int:
        return sum(1 for earn in self.earns if earn.active)

    def issued_count(self) -> int:
        return sum(1 for enrolment in self.enrolments if enrolment.active)

    def expiry(self, rule: dict, *, start: datetime) -> datetime:
        if rule["expiryType"] == "RELATIVE":
            return period_after(start, rule["relativeExpirytype"], rule["value"])
        if rule["expiryType"] == "ABSOLUTE":
            return (
                self.end
                if rule["type"] == "WITH_BADGE_META"
                else datetime.fromtimestamp(rule["expiresOn"], UTC)
            )
        return add_months(start, 1200)

    # --- requests -------------------------------------------------------------------------

    def refuse_request(self, *, now: datetime, event_date: datetime) -> int | None:
        """815 or 816 when the whole earn request is refused, else None."""
        enrol_first = self.earn_type == "ISSUE_EARN"
        if not self.active or now < self.start or (now > self.end and not enrol_first):
            return NOT_LIVE
        if self.earn_type == "EARN" and not self.start <= event_date <= self.end:
            return OUTSIDE
        return None

    def earn(
        self, customer_ids: list[int], known: set[int], *, now: datetime, event_date: datetime
    ) -> list[tuple[int | None, str | None]]:
        """Each listed customer's answer, in order: (refusal code or None, the earn's id or None).

        New earns are recorded with placeholder ids; `confirm` gives them the service's ids."""
        badge_limits = self.limits("BADGE", now=now, event_date=event_date)
        used = [
            self.earned_count() if limit.kind == "FIXED_VALUE" else self.counted(limit)
            for limit in badge_limits
        ]
        answers: list[tuple[int | None, str | None]] = []
        first_answer: dict[int, tuple[int | None, str | None]] = {}
        expires_on = self.expiry(self.earned_expiry, start=now)
        for customer in customer_ids:
            if customer in first_answer:
                code, earn_id = first_answer[customer]
                answers.append((ALREADY if code is None else code, earn_id))
                continue
            answer = self._answer(
                customer,
                known,
                now=now,
                event_date=event_date,
                badge_limits=badge_limits,
                used=used,
            )
            if answer is None:
                earn = Earn(f"new-{len(self.earns)}", customer, now, event_date, expires_on)
                self.earns.append(earn)
                used = [count + 1 for count in used]
                answer = (None, earn.id)
            first_answer[customer] = answer
            answers.append(answer)
        return answers

    def _answer(
        self, customer, known, *, now, event_date, badge_limits, used
    ) -> tuple[int, str | None] | None:
        if customer not in known:
            return NOT_FOUND, None
        held = self.live_earn(customer, now)
        if held is not None:
            return ALREADY, held.id
        enrolment = None
        if self.earn_type == "ISSUE_EARN":
            enrolment = self.live_enrolment(customer, now)
            if enrolment is None:
                return NO_ENROLMENT, None
            if not enrolment.event_date <= event_date <= enrolment.expires_on:
                return OUTSIDE, None
        for limit in self.limits("CUSTOMER", now=now, event_date=event_date, enrolment=enrolment):
            if self.counted(limit, customer) >= limit.max_earn:
                return CODES["CUSTOMER"][limit.kind], None
        for limit, count in zip(badge_limits, used, strict=True):
            if count >= limit.max_earn:
                return CODES["BADGE"][limit.kind], None
        return None

    def enrol(
        self, customer_ids: list[int], known: set[int], *, now: datetime
    ) -> list[tuple[int | None, str | None]]:
        """issueBulk with the event date now: 1026, 1040 while an enrolment is live or the
        customer was listed before (naming that enrolment), else enrolled."""
        expires_on = self.expiry(self.issued_expiry or {"expiryType": "NEVER"}, start=now)
        answers, first_answer = [], {}
        for customer in customer_ids:
            if customer in first_answer and customer in known:
                answers.append((ALREADY, first_answer[customer][1]))
                continue
            if customer not in known:
                answer = (NOT_FOUND, None)
            elif (live := self._unexpired_enrolment(customer, now)) is not None:
                answer = (ALREADY, live.id)
            else:
                enrolment = Enrolment(f"new-{len(self.enrolments)}", customer, now, now, expires_on)
                self.enrolments.append(enrolment)
                answer = (None, enrolment.id)
            first_answer[customer] = answer
            answers.append(answer)
        return answers

    def _unexpired_enrolment(self, customer: int, now: datetime) -> Enrolment | None:
        return next(
            (
                e
                for e in self.enrolments
                if e.customer == customer and e.active and e.expires_on > now
            ),
            None,
        )

    def enrol_refusal(self, *, now: datetime) -> int | None:
        """Enrolment takes upcoming and live badges, not ended or deactivated ones (815), with
        its event date inside the badge (816)."""
        if not self.active or now > self.end:
            return NOT_LIVE
        if now < self.start:
            return OUTSIDE  # the enrol event date (now) is before the badge starts
        return None

    # --- what reads report ----------------------------------------------------------------

    def statistics(
        self, customer: int, *, now: datetime
    ) -> list[tuple[str, str, list[int | None]]]:
        """Per constraint (level, kind, counts): what management/{customer}/badge/{id} reports,
        each limit counted with the event date taken as now."""
        enrolment = self.live_enrolment(customer, now) if self.earn_type == "ISSUE_EARN" else None
        entries = []
        for level, constraints in (
            ("CUSTOMER", self.customer_constraints),
            ("BADGE", self.badge_constraints),
        ):
            for constraint in constraints:
                kind = (
                    constraint["constraintType"]
                    .removeprefix("CUSTOMER_BADGE_")
                    .removeprefix("BADGE_")
                )
                single = Badge(
                    self.id,
                    self.earn_type,
                    self.start,
                    self.end,
                    [constraint] if level == "CUSTOMER" else [],
                    [constraint] if level == "BADGE" else [],
                    self.earned_expiry,
                    self.issued_expiry,
                    earns=self.earns,
                )
                limits = single.limits(level, now=now, event_date=now, enrolment=enrolment)
                if level == "BADGE" and kind == "FIXED_VALUE":
                    counts = [self.earned_count()]
                else:
                    counts = [
                        self.counted(limit, customer if level == "CUSTOMER" else None)
                        for limit in limits
                    ]
                entries.append((level, kind, counts or [None]))
        return entries
