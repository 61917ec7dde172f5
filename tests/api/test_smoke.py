def test_a_badge_created_is_read_back(api):
    from tests.factories import badge_body

    status, created = api.post("badgeMeta", badge_body(name="Coffee Lover"))
    assert status == 200, created
    badge_id = created["data"]["id"]
    status, fetched = api.get(f"badgeMeta/{badge_id}")
    assert status == 200
    assert fetched["data"]["name"] == "Coffee Lover"
    assert fetched["data"]["status"] == "UPCOMING"
