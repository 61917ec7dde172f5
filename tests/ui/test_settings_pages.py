"""Settings pages: badge groups, custom fields, and the admin's API connection page."""

from tests.ui.helpers import text


def test_adding_a_group_then_seeing_it_by_rank(marketing, api):
    response = marketing.post("/settings/groups/", {"name": "Seasonal", "rank": "2"})
    assert response["Location"] == "/settings/groups/"
    marketing.post("/settings/groups/", {"name": "Coffee club", "rank": "1"})
    page = marketing.get("/settings/groups/")
    body = text(page)
    assert "Group “Coffee club” is added." in body
    table = body.split("Active groups")[1]
    assert table.index("1 Coffee club") < table.index("2 Seasonal")
    assert [g["name"] for g in api.get("group")[1]["data"]["badgeGroups"]] == [
        "Coffee club",
        "Seasonal",
    ]


def test_a_duplicate_group_name_lands_on_the_name_field_with_its_code(marketing, api):
    api.post("group", {"name": "Coffee club", "rank": 1})
    response = marketing.post("/settings/groups/", {"name": "Coffee club", "rank": "4"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<ul class="errorlist" id="id_name_error"><li>' in html and "(code 733)" in html
    assert 'value="4"' in html  # the rank typed is kept


def test_editing_a_group(marketing, api):
    group = api.post("group", {"name": "Coffee", "rank": 1})[1]["data"]
    page = marketing.get(f"/settings/groups/{group['id']}/")
    assert 'value="Coffee"' in page.content.decode()
    response = marketing.post(
        f"/settings/groups/{group['id']}/", {"name": "Coffee club", "rank": "5"}
    )
    assert response["Location"] == "/settings/groups/"
    assert api.get(f"group/{group['id']}")[1]["data"]["rank"] == 5


def test_disabling_a_group_is_confirmed_first(marketing, api):
    group = api.post("group", {"name": "Coffee", "rank": 1})[1]["data"]
    confirm = marketing.get(f"/settings/groups/{group['id']}/disable/")
    assert "Disable this group?" in text(confirm) and "ranked as ungrouped" in text(confirm)
    assert api.get(f"group/{group['id']}")[1]["data"]["isActive"] is True
    marketing.post(f"/settings/groups/{group['id']}/disable/")
    assert api.get(f"group/{group['id']}")[1]["data"]["isActive"] is False
    assert "Coffee" in text(marketing.get("/settings/groups/?show=disabled"))


def test_an_unknown_group_is_a_404(marketing, console_api):
    assert marketing.get("/settings/groups/ffffffffffffffffffffffff/").status_code == 404


def test_when_the_api_is_down_adding_a_group_keeps_what_was_typed(marketing, api_down):
    response = marketing.post("/settings/groups/", {"name": "Seasonal", "rank": "2"})
    assert response.status_code == 503
    html = response.content.decode()
    assert 'value="Seasonal"' in html and 'value="2"' in html
    assert "could not be reached" in text(response)


def test_adding_a_custom_field(marketing, api):
    response = marketing.post(
        "/settings/custom-fields/",
        {
            "name": "campaignCode",
            "data_type": "STRING",
            "is_mandatory": "on",
            "default_value": "NONE",
        },
    )
    assert response["Location"] == "/settings/custom-fields/"
    body = text(marketing.get("/settings/custom-fields/"))
    assert "campaignCode String Mandatory NONE" in body


def test_a_mandatory_field_without_a_default_gets_the_apis_error_on_the_default(
    marketing, console_api
):
    response = marketing.post(
        "/settings/custom-fields/",
        {"name": "campaign", "data_type": "INTEGER", "is_mandatory": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_default_value_error"' in html and "(code 400)" in html
    assert 'value="campaign"' in html and '<option value="INTEGER" selected>' in html


def test_a_default_of_the_wrong_type_is_refused_on_the_default(marketing, console_api):
    response = marketing.post(
        "/settings/custom-fields/",
        {"name": "visits", "data_type": "INTEGER", "default_value": "many"},
    )
    assert response.status_code == 400
    assert 'id="id_default_value_error"' in response.content.decode()


def test_a_duplicate_custom_field_name_lands_on_the_name_field(marketing, api):
    api.post("customField", {"name": "campaign", "dataType": "STRING"})
    response = marketing.post(
        "/settings/custom-fields/", {"name": "campaign", "data_type": "STRING"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name_error"' in html and "(code 9007)" in html


def test_editing_a_custom_field_cannot_change_its_type(marketing, api):
    field = api.post("customField", {"name": "campaign", "dataType": "STRING"})[1]["data"]
    page = marketing.get(f"/settings/custom-fields/{field['id']}/")
    assert (
        'name="data_type" disabled' in page.content.decode() or "disabled" in page.content.decode()
    )
    response = marketing.post(
        f"/settings/custom-fields/{field['id']}/",
        {
            "name": "campaignCode",
            "data_type": "INTEGER",
            "is_mandatory": "on",
            "default_value": "X1",
        },
    )
    assert response["Location"] == "/settings/custom-fields/"
    stored = api.get(f"customField/{field['id']}")[1]["data"]
    assert (stored["name"], stored["dataType"], stored["isMandatory"], stored["defaultValue"]) == (
        "campaignCode",
        "STRING",
        True,
        "X1",
    )


def test_disabling_a_custom_field_warns_it_cannot_be_undone(marketing, api):
    field = api.post("customField", {"name": "campaign", "dataType": "STRING"})[1]["data"]
    confirm = marketing.get(f"/settings/custom-fields/{field['id']}/disable/")
    assert "This cannot be undone" in text(confirm)
    response = marketing.post(f"/settings/custom-fields/{field['id']}/disable/")
    assert response["Location"] == "/settings/custom-fields/"
    assert api.get(f"customField/{field['id']}")[1]["data"]["isActive"] is False


def test_the_api_connection_page_checks_the_api(admin, console_api):
    response = admin.get("/settings/api/")
    assert response.status_code == 200
    body = text(response)
    assert "The badge API answers" in body
    assert console_api.url in body and "Basic, user console.server" in body
    assert "console-secret" not in body  # never the password


def test_the_api_connection_page_reports_a_dead_api_without_failing(admin, api_down):
    response = admin.get("/settings/api/")
    assert response.status_code == 200
    assert "The badge API is not answering" in text(response)
