"""One convention for a fixed-window cycle's dates: Capillary's (seed 004).

Seed 004 reads seed 002's BADGE123 (3-day windows at both levels) while live: its currentCycle
runs from 1719898518 to 1720071318, two days apart for a three-day cycle (2 to 4 July 2024), as
getFixedWindowDetails answers cycles: startDate 00:00 of the first day, endDate 00:00 of the last.
GET badgeMeta/{id}, the customer views and getFixedWindowDetails all answer a cycle that way.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.lifecycle import make_customers

SEED = json.loads(
    (
        Path(__file__).parent.parent / "fixtures" / "seeds" / "004_badge_current_cycle.json"
    ).read_text()
)
SEED_NOW = SEED["getResponse"]["data"]["customerConstraints"][0]["currentCycle"]["startDate"]


def utc_day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).date().isoformat()


def set_clock(monkeypatch, epoch: float) -> None:
    instant = datetime.fromtimestamp(epoch, UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)


@pytest.fixture
def seed_badge(api, monkeypatch):
    set_clock(monkeypatch, datetime(2024, 5, 1, tzinfo=UTC).timestamp())
    status, envelope = api.post("badgeMeta", SEED["request"])
    assert status == 200, envelope
    return envelope["data"]


def test_seed_002_badge123_is_created_with_its_windows_as_the_seed_answers(seed_badge):
    expected = SEED["createResponse"]["data"]
    for level in ("customerConstraints", "badgeConstraints"):
        (window,) = seed_badge[level]
        (seed_window,) = expected[level]
        for key in (
            "constraintType",
            "durationType",
            "refreshRate",
            "maxEarnLimit",
            "cycleStatus",
            "startDate",
            "endDate",
        ):
            assert window[key] == seed_window[key], (level, key)
        assert "currentCycle" not in window  # upcoming: no cycle runs yet


def test_seed_004_current_cycle_ends_at_00_00_of_its_last_day_as_getfixedwindowdetails(
    api, seed_badge, monkeypatch
):
    set_clock(monkeypatch, SEED_NOW)
    status, envelope = api.get(f"badgeMeta/{seed_badge['id']}")
    assert status == 200, envelope
    data, seed_data = envelope["data"], SEED["getResponse"]["data"]
    assert data["status"] == seed_data["status"] == "LIVE"
    for level in ("customerConstraints", "badgeConstraints"):
        (window,) = data[level]
        (seed_window,) = seed_data[level]
        assert window["cycleStatus"] == seed_window["cycleStatus"] == "ACTIVE"
        current, seed_current = window["currentCycle"], seed_window["currentCycle"]
        # The seed's three-day cycle: its dates two days apart, on 2 and 4 July 2024.
        assert current["endDate"] - current["startDate"] == pytest.approx(
            seed_current["endDate"] - seed_current["startDate"]
        )
        assert (utc_day(current["startDate"]), utc_day(current["endDate"])) == (
            utc_day(seed_current["startDate"]),
            utc_day(seed_current["endDate"]),
        )
        assert (current["firstDay"], current["lastDay"]) == ("2024-07-02", "2024-07-04")

        status, cycles = api.get(
            "badgeMeta/getFixedWindowDetails",
            badgeMetaId=seed_badge["id"],
            fixedWindowCycleReferenceId=window["referenceId"],
            startDate=str(SEED_NOW),
            endDate=str(SEED_NOW),
        )
        (listed,) = cycles["data"]["fixedWindowCycles"]
        assert listed["cycleStatus"] == "ACTIVE"
        assert {
            key: current[key]
            for key in ("startDate", "startDateISO", "endDate", "endDateISO", "firstDay", "lastDay")
        } == {
            key: listed[key]
            for key in ("startDate", "startDateISO", "endDate", "endDateISO", "firstDay", "lastDay")
        }


def test_a_customers_views_answer_the_cycle_the_same_way(api, org, seed_badge, monkeypatch):
    make_customers(org, [5])
    set_clock(monkeypatch, SEED_NOW)
    status, cycles = api.get(
        "badgeMeta/getFixedWindowDetails",
        badgeMetaId=seed_badge["id"],
        startDate=str(SEED_NOW),
        endDate=str(SEED_NOW),
    )
    listed = cycles["data"]["fixedWindowCycles"][0]  # both levels' cycles are 2 to 4 July
    current = {
        key: listed[key]
        for key in ("startDate", "startDateISO", "endDate", "endDateISO", "firstDay", "lastDay")
    }
    status, detail = api.get(f"management/5/badge/{seed_badge['id']}", includeStatistics="true")
    assert status == 200, detail
    assert detail["data"]["customerConstraints"][0]["currentCycle"] == current
    fixed = [
        entry
        for entry in detail["data"]["earnConstraints"]
        if entry["constraintType"] == "FIXED_WINDOW"
    ]
    assert [entry["fixedWindowCycle"] for entry in fixed] == [current, current]
