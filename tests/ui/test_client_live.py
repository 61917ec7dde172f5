"""The client against the real embedded badge API, over HTTP (pytest-django's live server)."""

import pytest

from badges_api import auth
from badges_ui.client import (
    BadgesApiAuthError,
    BadgesApiNotFound,
    BadgesApiValidationError,
    BadgesClient,
    TokenCache,
)
from badges_ui.types import BadgeFilters
from tests.factories import badge_body
from tests.ui.conftest import CONSOLE_API_PASSWORD, CONSOLE_API_USERNAME
from tests.ui.helpers import create_badge


@pytest.fixture
def client(console_api):
    c = BadgesClient(console_api.url, username=CONSOLE_API_USERNAME, password=CONSOLE_API_PASSWORD)
    yield c
    c.close()


def test_a_badge_round_trips_through_create_get_update_and_list(client):
    created = client.create_badge(badge_body(name="Coffee Club"))
    assert created.name == "Coffee Club" and created.status == "UPCOMING"
    assert client.get_badge(created.id) == created
    updated = client.update_badge({"id": created.id, "description": "Three a week"})
    assert updated.description == "Three a week"
    page = client.list_badges(BadgeFilters(name="coffee"))
    assert [badge.id for badge in page] == [created.id]
    assert page.pagination.total == 1


def test_the_apis_validation_errors_come_back_with_code_and_reference(client):
    client.create_badge(badge_body(name="Coffee Club"))
    with pytest.raises(BadgesApiValidationError) as caught:
        client.create_badge(badge_body(name="Coffee Club", ownership={"restrictedToOwners": []}))
    assert {(item.code, item.reference) for item in caught.value.errors} >= {
        (725, None),
        (728, "ownership.restrictedToOwners"),
    }


def test_a_historical_badge_needs_the_migration_switch(client, api):
    body = badge_body(startOnISO="2024-01-01T00:00:00Z")
    with pytest.raises(BadgesApiValidationError) as caught:
        client.create_badge(body)
    assert caught.value.codes == (722,)
    assert client.create_badge(body, historical=True).status in ("LIVE", "EXPIRED")


def test_an_unknown_badge_is_not_found(client):
    with pytest.raises(BadgesApiNotFound):
        client.get_badge("ffffffffffffffffffffffff")


def test_activation_and_claims(client):
    badge = client.create_badge(
        badge_body(ownership={"restrictedToOwners": ["Loyalty", "Journeys"]})
    )
    claim = client.claim_badge(badge.id, owner_type="Journeys", reference_id="J-1")
    assert (claim.owner_type, claim.reference_id, claim.is_active) == ("Journeys", "J-1", True)
    assert client.get_badge(badge.id).active_claims == (claim,)
    assert (
        client.unclaim_badge(badge.id, owner_type="Journeys", reference_id="J-1").is_active is False
    )
    with pytest.raises(BadgesApiNotFound) as caught:
        client.unclaim_badge(badge.id, owner_type="Journeys", reference_id="J-1")
    assert caught.value.codes == (737,)
    assert client.set_badge_active(badge.id, False).is_active is False
    assert client.get_badge(badge.id).active is False
    assert client.set_badge_active(badge.id, True).is_active is True


def test_fixed_window_cycles_page(client):
    badge = client.create_badge(
        badge_body(
            customerConstraints=[
                {
                    "constraintType": "CUSTOMER_BADGE_FIXED_WINDOW",
                    "durationType": "DAYS",
                    "refreshRate": 1,
                    "maxEarnLimit": 1,
                }
            ]
        )
    )
    first = client.fixed_window_cycles(badge.id, size=5)
    assert [cycle.cycle_index for cycle in first.cycles] == [0, 1, 2, 3, 4]
    assert first.pagination.total == 60 and first.pagination.has_next
    assert first.has_earn_counts is False
    second = client.fixed_window_cycles(badge.id, page=1, size=5)
    assert second.cycles[0].cycle_index == 5
    assert second.cycles[0].first_day > first.cycles[-1].last_day


def test_groups_and_custom_fields(client):
    group = client.create_group(name="Coffee", rank=2)
    assert [g.name for g in client.all_groups()] == ["Coffee"]
    assert client.update_group(group.id, name="Coffee club", rank=1).name == "Coffee club"
    client.update_group(group.id, name="Coffee club", rank=1, is_active=False)
    assert client.all_groups() == []
    assert [g.id for g in client.all_groups(active=False)] == [group.id]

    field = client.create_custom_field(
        name="campaign", data_type="STRING", is_mandatory=True, default_value="NONE"
    )
    assert (field.data_type, field.is_mandatory, field.default_value) == ("STRING", True, "NONE")
    assert client.update_custom_field(field.id, name="campaignCode").name == "campaignCode"
    with pytest.raises(BadgesApiValidationError) as caught:
        client.create_custom_field(name="campaignCode", data_type="STRING")
    assert caught.value.errors[0].reference == "name"


def test_badge_name_taken_compares_whole_names_exactly(client):
    client.create_badge(badge_body(name="Coffee Club"))
    assert client.badge_name_taken("Coffee Club")
    assert client.badge_name_taken("  Coffee Club ")
    assert not client.badge_name_taken("Coffee")  # a substring is not a clash
    assert not client.badge_name_taken("coffee club")  # names are case-sensitive, as 725 is
    badge = client.list_badges(BadgeFilters(name="Coffee Club")).items[0]
    assert not client.badge_name_taken("Coffee Club", excluding_id=badge.id)


def test_wrong_credentials_are_an_auth_error(console_api):
    client = BadgesClient(console_api.url, username=CONSOLE_API_USERNAME, password="wrong")
    with pytest.raises(BadgesApiAuthError):
        client.list_badges()
    client.close()


def test_oauth_against_the_real_token_endpoint(console_api, org):
    auth.api_client_create(org=org, username="oauth.console", password="oauth-secret")
    client = BadgesClient(
        console_api.url, oauth_key="oauth.console", oauth_secret="oauth-secret", tokens=TokenCache()
    )
    assert client.auth_mode == "oauth"
    assert client.list_badges().pagination.total == 0
    client.close()


def test_the_console_reads_badges_made_by_anyone_in_its_org(client, api):
    made = create_badge(api, name="Made elsewhere")
    assert client.get_badge(made["id"]).name == "Made elsewhere"
