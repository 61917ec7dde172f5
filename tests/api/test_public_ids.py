"""Public ids look like Capillary's (24 hex digits) and those made together never collide."""

import re

from badges_api import ids


def test_a_batch_is_24_hex_digits_each_sorted_as_made():
    batch = ids.new_object_ids(1000)
    assert all(re.fullmatch(r"[0-9a-f]{24}", value) for value in batch)
    assert batch == sorted(batch)
    assert len(set(batch)) == 1000


def test_a_batch_that_wraps_the_counter_is_still_unique(monkeypatch):
    monkeypatch.setattr(ids, "_counter", 0xFFFFFF - 2)
    batch = ids.new_object_ids(6)
    assert [value[-6:] for value in batch] == [
        "fffffd",
        "fffffe",
        "ffffff",
        "000000",
        "000001",
        "000002",
    ]
    assert len(set(batch)) == 6
    assert ids.new_object_ids(1)[0][-6:] == "000003"


def test_no_ids_asked_none_given():
    assert ids.new_object_ids(0) == []
