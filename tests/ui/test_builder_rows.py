"""Repeatable rows: added, removed and switched over HTMX (or without JavaScript), from the posted
data, so nothing typed is lost."""

from tests.ui.builder_posts import (
    WEEKLY,
    builder_post,
    field_html,
    field_value,
    posted_form,
    preview_json,
)
from tests.ui.helpers import htmx, text


def test_adding_a_limit_returns_only_that_region_with_what_was_typed(marketing):
    data = builder_post(rows={"customer-limits": [WEEKLY | {"max_earn_limit": "3"}]})
    data["_action"] = "add:customer-limits"
    response = marketing.post("/badges/new/", data, headers=htmx("customer-limits"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="customer-limits" class="rows">')
    assert "<section" not in html and 'id="preview"' not in html
    assert "builder-changed" in response["HX-Trigger-After-Settle"]  # the preview refreshes
    assert field_value(response, "customer-limits-TOTAL_FORMS") == "2"
    assert field_value(response, "customer-limits-0-max_earn_limit") == "3"
    # The new row picks a type the level does not have yet, and shows only its fields.
    assert field_value(response, "customer-limits-1-kind") == "ROLLING_WINDOW"
    assert 'name="customer-limits-1-roll_for_days"' in html
    assert 'type="number" name="customer-limits-1-refresh_rate"' not in html
    assert "data-focus-after-swap" in html  # keyboard focus moves to the new row
    # A new, empty row does not light up red before anyone tried to publish.
    assert "errorlist" not in html and "aria-invalid" not in html


def test_removing_a_row_keeps_the_others_as_typed(marketing):
    data = builder_post(
        rows={
            "tags": [
                {"name": "channel", "value": "store"},
                {"name": "season", "value": "winter"},
                {"name": "tier", "value": "gold"},
            ]
        }
    )
    data["_action"] = "remove:tags:1"
    response = marketing.post("/badges/new/", data, headers=htmx("tags"))
    assert response.status_code == 200
    assert field_value(response, "tags-0-value") == "store"
    assert field_value(response, "tags-2-value") == "gold"
    assert 'name="tags-1-value"' not in response.content.decode()
    assert field_value(response, "tags-1-DELETE") == "True"  # Django's formset deletion flag
    # The rows still shown are numbered 1 and 2.
    assert "Tag 1" in text(response) and "Tag 2" in text(response) and "Tag 3" not in text(response)

    # Publishing leaves the removed row out.
    published = posted_form(response) | {
        key: value for key, value in data.items() if not key.startswith("tags-")
    }
    preview = marketing.post("/badges/new/preview/", published, headers=htmx("preview"))
    tags = preview_json(preview)["tags"]
    assert tags == [{"name": "channel", "value": "store"}, {"name": "tier", "value": "gold"}]


def test_switching_a_rows_type_re_renders_that_row_with_the_fields_it_needs(marketing):
    data = builder_post(rows={"customer-limits": [WEEKLY | {"max_earn_limit": "2"}]})
    data["customer-limits-0-duration_type"] = "DAYS"
    data["_action"] = "refresh:customer-limits:0"
    response = marketing.post("/badges/new/", data, headers=htmx("customer-limits-0"))
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="customer-limits-0" class="row-card"')
    assert 'type="number" name="customer-limits-0-refresh_rate"' in html  # days need a rate
    assert '<select name="customer-limits-0-start_day"' not in html  # only weeks have a start day
    assert field_value(response, "customer-limits-0-max_earn_limit") == "2"
    # The start day stays in the form (hidden), so switching back loses nothing.
    assert field_html(response, "customer-limits-0-start_day").startswith('<input type="hidden"')

    data["customer-limits-0-kind"] = "ROLLING_WINDOW"
    response = marketing.post("/badges/new/", data, headers=htmx("customer-limits-0"))
    html = response.content.decode()
    for name in ("max_for_days", "roll_for_days", "max_for_weeks", "roll_for_weeks"):
        assert f'type="number" name="customer-limits-0-{name}"' in html


def test_badge_rolling_windows_take_a_type_and_a_value(marketing):
    data = builder_post(rows={"badge-limits": [{"kind": "ROLLING_WINDOW", "roll_type": "WEEKS"}]})
    data["_action"] = "refresh:badge-limits:0"
    html = marketing.post("/badges/new/", data, headers=htmx("badge-limits-0")).content.decode()
    for name in ("max_earn_limit", "roll_value"):
        assert f'type="number" name="badge-limits-0-{name}"' in html
    assert '<select name="badge-limits-0-roll_type"' in html
    assert (
        'name="badge-limits-0-roll_for_days"' not in html
        or 'type="hidden" name="badge-limits-0-roll_for_days"' in html
    )


def test_each_benefit_type_asks_for_its_own_ids(marketing):
    expected = {
        "COUPON": ["series_id"],
        "GIFT_VOUCHER": ["series_id"],
        "CART_PROMOTION": ["promotion_id"],
        "LOYALTY_POINTS": [
            "points",
            "program_id",
            "promotion_id",
            "allocation_strategy_id",
            "expiration_strategy_id",
            "default_till_id",
        ],
    }
    every = {name for names in expected.values() for name in names}
    for benefit_type, names in expected.items():
        data = builder_post(rows={"benefits": [{"benefit_type": benefit_type}]})
        data["_action"] = "refresh:benefits:0"
        html = marketing.post("/badges/new/", data, headers=htmx("benefits-0")).content.decode()
        for name in every:
            shown = f'type="number" name="benefits-0-{name}"' in html
            assert shown == (name in names), (benefit_type, name)


def test_choosing_enrol_first_shows_the_enrolment_expiry(marketing):
    data = builder_post(earn_type="ISSUE_EARN", _action="refresh:expiry")
    response = marketing.post("/badges/new/", data, headers=htmx("expiry"))
    assert response.content.decode().lstrip().startswith('<div id="expiry"')
    assert "An enrolment expires" in text(response)
    data = builder_post(earn_type="EARN", _action="refresh:expiry")
    assert "An enrolment expires" not in text(
        marketing.post("/badges/new/", data, headers=htmx("expiry"))
    )


def test_an_expiry_shows_the_inputs_its_type_needs(marketing):
    data = builder_post(
        earned_expiry_type="RELATIVE", earned_expiry_value="2", _action="refresh:expiry"
    )
    html = marketing.post("/badges/new/", data, headers=htmx("expiry")).content.decode()
    assert 'type="number" name="earned_expiry_value"' in html
    assert "after it is earned" in html
    data = builder_post(earned_expiry_type="FIXED_DATE", _action="refresh:expiry")
    html = marketing.post("/badges/new/", data, headers=htmx("expiry")).content.decode()
    assert 'type="datetime-local" name="earned_expiry_date"' in html
    assert 'type="hidden" name="earned_expiry_value"' in html  # kept for switching back


def test_without_javascript_the_buttons_re_render_the_whole_page(marketing):
    data = builder_post(rows={"benefits": [{"benefit_type": "COUPON", "series_id": "77"}]})
    data["_action"] = "add:benefits"
    response = marketing.post("/badges/new/", data)
    assert response.status_code == 200
    assert "<!doctype html>" in response.content.decode()
    assert field_value(response, "benefits-0-series_id") == "77"
    assert field_value(response, "benefits-TOTAL_FORMS") == "2"
    assert field_value(response, "name") == "Morning coffee"
    # The "Update" buttons (for type switches) are there for browsers without JavaScript.
    assert (
        'class="button button--small no-js-only" name="_action" value="refresh"'
        in response.content.decode()
    )

    data["_action"] = "refresh"
    data["benefits-0-benefit_type"] = "CART_PROMOTION"
    response = marketing.post("/badges/new/", data)
    assert 'type="number" name="benefits-0-promotion_id"' in response.content.decode()
    assert "errorlist" not in response.content.decode()  # an update is not a publish


def test_a_form_posted_back_unchanged_is_the_same_form(marketing):
    """What the page renders, posted again, renders the same values: the round trip is lossless."""
    data = builder_post(
        rows={
            "customer-limits": [WEEKLY | {"max_earn_limit": "4"}],
            "badge-limits": [{"kind": "FIXED_VALUE", "max_earn_limit": "1000"}],
            "benefits": [{"benefit_type": "COUPON", "series_id": "12"}],
            "images": [{"tag": "EARNED", "url": "https://img.test/e.png", "name": "Earned"}],
            "tags": [{"name": "channel", "value": "app"}],
        },
        earned_expiry_type="RELATIVE",
        earned_expiry_value="3",
        earned_expiry_unit="MONTHS",
        _action="refresh",
    )
    first = marketing.post("/badges/new/", data)
    again = marketing.post("/badges/new/", posted_form(first) | {"_action": "refresh"})
    without_token = lambda page: {
        k: v for k, v in posted_form(page).items() if k != "csrfmiddlewaretoken"
    }
    assert without_token(again) == without_token(first)
    for name in (
        "customer-limits-0-max_earn_limit",
        "badge-limits-0-max_earn_limit",
        "benefits-0-series_id",
        "images-0-url",
        "tags-0-value",
        "earned_expiry_value",
    ):
        assert field_value(again, name) == data[name], name
