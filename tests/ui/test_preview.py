"""The live preview: cycles, rolling limits in words, expiry dates, status and the exact JSON.

The pure functions (badges_ui/preview.py) are tested on their own, then the endpoint through the
Django client against the real API (it reads the org's groups and custom fields).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from badge_rules.expiry import expiry_instant
from badges_ui import preview as p
from badges_ui.client import BadgesClient
from tests.ui.builder_posts import ROLLING_2_IN_7_DAYS, WEEKLY, builder_post, local, preview_json
from tests.ui.helpers import htmx, text

UTC_TZ = ZoneInfo("UTC")
NOW = datetime(2023, 10, 11, 9, 30, tzinfo=UTC)  # a Wednesday, in the seed's example


def draft(**fields) -> p.Draft:
    base = {
        "name": "Weekly latte",
        "description": "",
        "start_on": datetime(2023, 9, 25, tzinfo=UTC),
        "expires_on": datetime(2023, 10, 30, 23, 59, tzinfo=UTC),
        "earn_type": "EARN",
        "active": True,
        "owners": ["Loyalty"],
        "earned_expiry_type": "WITH_BADGE_META",
    }
    rows = {
        key: fields.pop(key)
        for key in list(fields)
        if key.endswith("_limits") or key in ("benefits", "images", "tags")
    }
    base.update(fields)
    return p.Draft(fields=base, **{key: list(enumerate(value)) for key, value in rows.items()})


WEEKLY_ROW = {
    "kind": "FIXED_WINDOW",
    "duration_type": "WEEKS",
    "start_day": "MONDAY",
    "max_earn_limit": 1,
}


# --- the pure functions -------------------------------------------------------------------------


def test_the_seeds_weekly_example_has_its_six_cycles():
    """Capillary's create page: 25 Sep to 30 Oct gives 25 Sep–1 Oct, 2–8 Oct, ... and 30 Oct."""
    preview = p.badge_preview(draft(customer_limits=[WEEKLY_ROW]), tz=UTC_TZ, now=NOW)
    (window,) = preview.windows
    assert window.words == "at most 1 per week starting Monday"
    assert window.count == 6
    cycles = [item for item in window.timeline if not getattr(item, "is_gap", False)]
    assert [(c.first_day.isoformat(), c.last_day.isoformat(), c.partial) for c in cycles] == [
        ("2023-09-25", "2023-10-01", False),
        ("2023-10-02", "2023-10-08", False),
        ("2023-10-09", "2023-10-15", False),
        ("2023-10-16", "2023-10-22", False),
        ("2023-10-23", "2023-10-29", False),
        ("2023-10-30", "2023-10-30", True),
    ]
    assert window.today.number == 3 and window.today.is_today
    assert [c.state for c in cycles[:4]] == ["past", "past", "today", "upcoming"]
    assert window.last.fill == 1 and window.first.fill == 10
    assert window.today_note == "Today falls in cycle 3 of 6."
    assert preview.status == "LIVE"


def test_a_long_window_lists_the_first_todays_and_the_last_cycles():
    row = {"kind": "FIXED_WINDOW", "duration_type": "DAYS", "refresh_rate": 1, "max_earn_limit": 2}
    preview = p.badge_preview(
        draft(customer_limits=[row], expires_on=datetime(2033, 9, 24, tzinfo=UTC)),
        tz=UTC_TZ,
        now=NOW,
    )
    (window,) = preview.windows
    assert window.count == 3653
    numbers = [
        item.number if not getattr(item, "is_gap", False) else "…" for item in window.timeline
    ]
    assert numbers == [1, 2, 3, "…", 17, "…", 3652, 3653]
    assert window.strip == ()  # too many to draw one by one
    assert window.words == "at most 2 per day"


def test_a_month_window_marks_its_partial_first_month():
    row = {"kind": "FIXED_WINDOW", "duration_type": "MONTHS", "max_earn_limit": 5}
    preview = p.badge_preview(draft(badge_limits=[row]), tz=UTC_TZ, now=NOW)
    (window,) = preview.windows
    assert window.level_label == "All customers together"
    assert window.count == 2
    assert (window.first.days, window.first.partial) == (6, True)  # 25–30 Sep
    assert (window.last.days, window.last.partial) == (30, True)  # 1–30 Oct of 31


def test_an_enrol_first_badges_cycles_run_to_the_latest_enrolment_expiry():
    """As the service answers them (seed 002): customer and badge-wide cycles of an ISSUE_EARN
    badge go on past the badge's end to the latest an enrolment can expire, so a marketer sees a
    badge-wide limit hold for the earns after the badge's end; a direct badge's stop at its end."""
    fields = {
        "earn_type": "ISSUE_EARN",
        "issued_expiry_type": "RELATIVE",
        "issued_expiry_value": 2,
        "issued_expiry_unit": "WEEKS",
    }
    preview = p.badge_preview(
        draft(customer_limits=[WEEKLY_ROW], badge_limits=[WEEKLY_ROW], **fields), tz=UTC_TZ, now=NOW
    )
    customer, badge = preview.windows
    assert (customer.level, badge.level) == (p.CUSTOMER, p.BADGE)
    assert customer.last.last_day.isoformat() == "2023-11-13"  # enrolled 30 Oct + 2 weeks
    assert badge.last.last_day.isoformat() == "2023-11-13"
    assert customer.count == badge.count == 8

    direct = p.badge_preview(
        draft(customer_limits=[WEEKLY_ROW], badge_limits=[WEEKLY_ROW]), tz=UTC_TZ, now=NOW
    )
    last_days = [window.last.last_day.isoformat() for window in direct.windows]
    assert last_days == ["2023-10-30", "2023-10-30"]


def test_rolling_limits_read_in_plain_words():
    customer = {
        "kind": "ROLLING_WINDOW",
        "max_for_days": 2,
        "roll_for_days": 7,
        "max_for_weeks": 3,
        "roll_for_weeks": 1,
        "max_for_months": None,
        "roll_for_months": None,
    }
    badge = {"kind": "ROLLING_WINDOW", "roll_type": "DAYS", "roll_value": 1, "max_earn_limit": 300}
    cap = {"kind": "FIXED_VALUE", "max_earn_limit": 1000}
    preview = p.badge_preview(
        draft(customer_limits=[customer], badge_limits=[badge, cap]), tz=UTC_TZ, now=NOW
    )
    assert [(line.level_label, line.words) for line in preview.limits] == [
        ("Each customer", "at most 2 in any 7 days"),
        ("Each customer", "at most 3 in any week"),
        ("All customers together", "at most 300 in any day"),
        ("All customers together", "at most 1000 while the badge runs"),
    ]


def test_expiry_dates_for_a_badge_earned_today_and_on_the_last_day():
    fields = {
        "earned_expiry_type": "RELATIVE",
        "earned_expiry_value": 1,
        "earned_expiry_unit": "MONTHS",
        "earn_type": "ISSUE_EARN",
        "issued_expiry_type": "WITH_BADGE_META",
    }
    preview = p.badge_preview(draft(**fields), tz=UTC_TZ, now=NOW)
    earned, issued = preview.expiries
    assert earned.words == "1 month after it is earned"
    today, last = earned.lines
    assert (today.label, today.granted_at, today.expires_at) == (
        "Earned today",
        NOW,
        datetime(2023, 11, 11, 9, 30, tzinfo=UTC),
    )
    end = datetime(2023, 10, 30, 23, 59, tzinfo=UTC)
    rule = {"expiryType": "RELATIVE", "relativeExpirytype": "MONTHS", "value": 1}
    assert (last.label, last.expires_at) == (
        "Earned on the last day",
        expiry_instant(rule, granted_at=end, badge_end=end),
    )
    assert issued.title == "An enrolment" and issued.words == "with the badge end"
    assert [line.expires_at for line in issued.lines] == [end, end]


def test_an_upcoming_badge_counts_expiry_from_its_first_day():
    fields = {"earned_expiry_type": "NEVER"}
    preview = p.badge_preview(draft(**fields), tz=UTC_TZ, now=NOW - timedelta(days=60))
    assert preview.status == "UPCOMING"
    first, _ = preview.expiries[0].lines
    assert first.label == "Earned on the first day" and first.never


def test_the_payload_speaks_capillarys_json():
    rows = {
        "customer_limits": [
            {
                "kind": "FIXED_WINDOW",
                "duration_type": "DAYS",
                "refresh_rate": 3,
                "start_day": "TUESDAY",
                "max_earn_limit": 1,
            },
            {
                "kind": "ROLLING_WINDOW",
                "max_for_days": 50,
                "roll_for_days": 5,
                "max_for_weeks": None,
                "roll_for_weeks": None,
            },
        ],
        "badge_limits": [
            {
                "kind": "ROLLING_WINDOW",
                "roll_type": "WEEKS",
                "roll_value": 1,
                "max_earn_limit": 3000,
            },
            {"kind": "NO_LIMIT"},
        ],
        "benefits": [
            {
                "benefit_type": "LOYALTY_POINTS",
                "points": 100,
                "program_id": 626,
                "promotion_id": 80332,
                "allocation_strategy_id": 1489,
                "expiration_strategy_id": 3843,
                "default_till_id": None,
                "series_id": 9,
            },
        ],
        "images": [
            {"tag": "EARNED", "url": "https://img.test/e.png", "name": "", "file_handle": ""}
        ],
        "tags": [{"name": "Priority", "value": "1"}],
    }
    payload = p.badge_payload(draft(**rows, group="66aa", rank=2))
    assert payload["startOn"] == 1695600000 and payload["expiresOn"] == 1698710340
    assert payload["customerConstraints"] == [
        {
            "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
            "durationType": "DAYS",
            "refreshRate": 3,
            "maxEarnLimit": 1,
        },
        {"constraintType": "CUSTOMER_BADGE_ROLLING_WINDOW", "maxEarnForDays": 50, "rollForDays": 5},
    ]
    assert payload["badgeConstraints"] == [
        {
            "constraintType": "BADGE_ROLLING_WINDOW",
            "rollType": "WEEKS",
            "rollValue": 1,
            "maxEarnLimit": 3000,
        },
        {"constraintType": "BADGE_NO_LIMIT"},
    ]
    assert payload["benefits"] == [
        {
            "benefitType": "LOYALTY_POINTS",
            "points": 100,
            "programId": 626,
            "promotionId": 80332,
            "allocationStrategyId": 1489,
            "expirationStrategyId": 3843,
        },
    ]
    assert payload["images"] == [
        {"name": "Earned", "url": "https://img.test/e.png", "tag": "EARNED"}
    ]
    assert payload["earnedBadgeExpiry"] == {
        "expiryType": "ABSOLUTE",
        "type": "WITH_BADGE_META",
        "expireWithBadgeMeta": True,
    }
    assert payload["ownership"] == {"restrictedToOwners": ["Loyalty"]}
    assert (payload["badgeGroupId"], payload["badgeRank"]) == ("66aa", 2)
    assert "id" not in payload and "issuedBadgeExpiry" not in payload


def test_an_update_carries_the_id_clears_what_was_emptied_and_never_a_locked_start():
    edit = draft(group="", rank=None)
    edit.badge_id, edit.start_locked = "6640f0c1a2b3c4d5e6f70812", True
    payload = p.badge_payload(edit)
    assert payload["id"] == "6640f0c1a2b3c4d5e6f70812"
    assert "startOn" not in payload
    assert payload["badgeGroupId"] is None and payload["badgeRank"] is None
    assert payload["issuedBadgeExpiry"] is None  # an EARN badge


def test_the_json_shown_is_the_payload():
    preview = p.badge_preview(draft(customer_limits=[WEEKLY_ROW]), tz=UTC_TZ, now=NOW)
    assert p.payload_json(preview.payload) == preview.json
    assert p.badge_payload(draft(customer_limits=[WEEKLY_ROW])) == preview.payload


def test_cycles_are_whole_days_in_the_orgs_timezone():
    # 00:30 in Kolkata on 25 Sep is still 24 Sep in UTC: the first cycle is 25 Sep in Kolkata.
    start = datetime(2023, 9, 24, 19, 0, tzinfo=UTC)
    preview = p.badge_preview(
        draft(customer_limits=[WEEKLY_ROW], start_on=start), tz=ZoneInfo("Asia/Kolkata"), now=NOW
    )
    assert preview.windows[0].first.first_day.isoformat() == "2023-09-25"
    assert preview.windows[0].count == 6


# --- the endpoint -------------------------------------------------------------------------------


def test_the_preview_shows_the_weekly_cycles_of_the_seeds_example(marketing):
    data = builder_post(
        rows={"customer-limits": [WEEKLY]},
        start_on="2023-09-25T00:00",
        expires_on="2023-10-30T23:59",
        historical="on",
    )
    response = marketing.post("/badges/new/preview/", data, headers=htmx("preview"))
    assert response.status_code == 200
    body = text(response)
    assert "At most 1 per week starting Monday" in body
    assert (
        "6 cycles : the first 25 Sep 2023 – 1 Oct 2023, the last 30 Oct 2023 (partial, 1 day)."
        in body
    )
    for dates in [
        "Mon 25 Sep – Sun 1 Oct",
        "Mon 2 Oct – Sun 8 Oct",
        "Mon 9 Oct – Sun 15 Oct",
        "Mon 16 Oct – Sun 22 Oct",
        "Mon 23 Oct – Sun 29 Oct",
        "Mon 30 Oct 1 day · partial",
    ]:
        assert dates in body, dates
    assert "Ended" in body  # 2023 is over
    assert "The badge has ended: every cycle is in the past." in body
    assert '<div class="card__header">' in response.content.decode()  # only the preview's content
    assert "<form" not in response.content.decode()


def test_the_preview_highlights_todays_cycle(marketing):
    data = builder_post(
        rows={"customer-limits": [WEEKLY]},
        start_on=local(-20),
        expires_on=local(60),
        historical="on",
    )
    response = marketing.post("/badges/new/preview/", data, headers=htmx("preview"))
    html = response.content.decode()
    assert html.count("timeline__cycle--today") == 1
    assert "· <strong>today</strong>" in html
    assert "Live" in text(response)


def test_the_preview_puts_rolling_limits_in_words(marketing):
    data = builder_post(
        rows={
            "customer-limits": [ROLLING_2_IN_7_DAYS],
            "badge-limits": [
                {
                    "kind": "ROLLING_WINDOW",
                    "roll_type": "DAYS",
                    "roll_value": "1",
                    "max_earn_limit": "300",
                }
            ],
        }
    )
    body = text(marketing.post("/badges/new/preview/", data, headers=htmx("preview")))
    assert "Each customer · Rolling window At most 2 in any 7 days" in body
    assert "All customers together · Rolling window At most 300 in any day" in body
    assert "Ready to publish." in body


def test_incomplete_input_is_a_gentle_note_never_an_error_page(marketing):
    data = builder_post(
        name="",
        start_on="not a date",
        rows={
            "customer-limits": [
                {"kind": "FIXED_WINDOW", "duration_type": "DAYS", "max_earn_limit": "x"}
            ]
        },
    )
    response = marketing.post("/badges/new/preview/", data, headers=htmx("preview"))
    assert response.status_code == 200
    body = text(response)
    assert "Before you publish" in body
    assert "Name: Give the badge a name." in body
    assert "Starts: Enter a valid date/time." in body
    assert "Customer limit 1 · Days in each block: How many days in each block?" in body
    assert "JSON sent to the badge API (so far)" in body
    assert preview_json(response)["customerConstraints"] == []  # the invalid row is not sent


def test_a_past_start_asks_for_the_historical_switch(marketing):
    data = builder_post(start_on=local(-3))
    body = text(marketing.post("/badges/new/preview/", data, headers=htmx("preview")))
    assert "Starts: It is in the past. Pick a later start, or switch on “Historical badge”" in body
    assert "X-CAP-BADGES-MIGRATION" not in body
    data["historical"] = "on"
    body = text(marketing.post("/badges/new/preview/", data, headers=htmx("preview")))
    assert "It is in the past" not in body
    assert "Sent with the header X-CAP-BADGES-MIGRATION: migration" in body


def test_the_json_in_the_preview_is_exactly_what_publishing_sends(marketing, monkeypatch):
    sent = []
    original = BadgesClient.create_badge

    def spy(self, payload, *, historical=False):
        sent.append(dict(payload))
        return original(self, payload, historical=historical)

    monkeypatch.setattr(BadgesClient, "create_badge", spy)
    data = builder_post(
        rows={
            "customer-limits": [WEEKLY, ROLLING_2_IN_7_DAYS],
            "badge-limits": [{"kind": "FIXED_VALUE", "max_earn_limit": "1000"}],
            "benefits": [{"benefit_type": "COUPON", "series_id": "13686"}],
            "images": [{"tag": "UN_EARNED", "url": "https://img.test/u.png"}],
            "tags": [{"name": "channel", "value": "store"}],
        },
        earned_expiry_type="RELATIVE",
        earned_expiry_value="2",
        earned_expiry_unit="WEEKS",
    )
    shown = preview_json(marketing.post("/badges/new/preview/", data, headers=htmx("preview")))
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 302, text(response)
    assert sent == [shown]


@pytest.mark.parametrize("tz", ["Asia/Kolkata", "America/New_York"])
def test_the_preview_reads_dates_in_the_orgs_timezone(marketing, settings, tz):
    settings.BADGES_ORG_TIMEZONE = tz
    data = builder_post(start_on="2030-03-04T09:00", expires_on="2030-04-01T18:00")
    response = marketing.post("/badges/new/preview/", data, headers=htmx("preview"))
    start = datetime(2030, 3, 4, 9, 0, tzinfo=ZoneInfo(tz))
    assert preview_json(response)["startOn"] == int(start.timestamp())
    assert "Mon 4 Mar 2030, 09:00 → Mon 1 Apr 2030, 18:00" in text(response)
    assert f"({tz})" in text(response)
