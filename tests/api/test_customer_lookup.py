"""Finding a customer: by any identifier (X-CAP-CUSTOMER-IDENTIFIER, 1026, 1028) and by search."""

import pytest

from badges_api.errors import BadgeApiError
from badges_api.models import Org
from badges_api.selectors import customers as customer_selectors
from badges_api.services import customers as customer_services

ANN = "1001,Ann@Example.com,+91 98765 43210,EXT-A,CARD-A,Ann,Lee\n"
CSV_HEADER = "id,email,mobile,externalId,cardNumber,firstName,lastName\n"


def load(org, *rows: str) -> None:
    result = customer_services.customer_import(org=org, data=(CSV_HEADER + "".join(rows)).encode())
    assert result.rejected == 0, result.errors


def get_customer(api, value, identifier: str | None = None):
    headers = {"X-CAP-CUSTOMER-IDENTIFIER": identifier} if identifier is not None else {}
    return api.get(f"customers/{value}", headers=headers)


def codes(envelope):
    return [(error["code"], error["reference"]) for error in envelope["errors"]]


def test_customer_profile_by_integer_id(api, org):
    load(org, ANN)
    status, envelope = get_customer(api, 1001)
    assert status == 200
    profile = envelope["data"]
    assert {
        key: profile[key]
        for key in (
            "customerId",
            "email",
            "mobile",
            "externalId",
            "cardNumber",
            "firstName",
            "lastName",
        )
    } == {
        "customerId": 1001,
        "email": "ann@example.com",
        "mobile": "919876543210",
        "externalId": "EXT-A",
        "cardNumber": "CARD-A",
        "firstName": "Ann",
        "lastName": "Lee",
    }
    assert isinstance(profile["createdOn"], (int, float)) and profile["createdOnISO"].endswith("Z")


def test_email_lookup_is_case_insensitive(api, org):
    load(org, ANN)
    for value in ("ann@example.com", "ANN@EXAMPLE.COM", " Ann@example.Com "):
        status, envelope = get_customer(api, value, "email")
        assert status == 200 and envelope["data"]["customerId"] == 1001


@pytest.mark.parametrize(
    ("identifier", "value"),
    [
        ("mobile", "919876543210"),
        ("mobile", "+91 98765-43210"),
        ("externalId", "EXT-A"),
        ("cardNumber", "CARD-A"),
        ("id", "1001"),
        ("", "1001"),
    ],
)
def test_customer_is_found_by_each_identifier(api, org, identifier, value):
    load(org, ANN)
    status, envelope = get_customer(api, value, identifier)
    assert status == 200, envelope
    assert envelope["data"]["customerId"] == 1001


@pytest.mark.parametrize(
    ("spelling", "value"),
    [
        ("EMAIL", "ann@example.com"),
        ("Email ID", "ann@example.com"),
        ("Mobile number", "919876543210"),
        ("external_id", "EXT-A"),
        ("EXTERNALID", "EXT-A"),
        ("External ID", "EXT-A"),
        ("card_number", "CARD-A"),
        ("CardNumber", "CARD-A"),
        ("customerId", "1001"),
    ],
)
def test_identifier_header_accepts_case_and_spelling_variants(api, org, spelling, value):
    load(org, ANN)
    status, envelope = get_customer(api, value, spelling)
    assert status == 200, envelope
    assert envelope["data"]["customerId"] == 1001


def test_external_ids_and_card_numbers_match_case_sensitively(api, org):
    load(org, ANN)
    assert get_customer(api, "ext-a", "externalId")[0] == 404
    assert get_customer(api, "card-a", "cardNumber")[0] == 404


def test_unknown_identifier_type_is_1028(api, org):
    load(org, ANN)
    status, envelope = get_customer(api, "ann@example.com", "loyaltyId")
    assert status == 400
    assert envelope["errors"] == [
        {
            "code": 1028,
            "message": "Invalid Customer Identifier type",
            "reference": "X-CAP-CUSTOMER-IDENTIFIER",
        }
    ]


@pytest.mark.parametrize(
    ("value", "identifier"),
    [
        ("999", None),
        ("abc", None),
        ("0", None),
        ("1001.0", None),
        ("nobody@example.com", "email"),
        ("12", "mobile"),
    ],
)
def test_unknown_customer_is_1026_with_a_404(api, org, value, identifier):
    load(org, ANN)
    status, envelope = get_customer(api, value, identifier)
    assert status == 404
    assert envelope["errors"] == [
        {
            "code": 1026,
            "message": "Customer with the specified ID is not found",
            "reference": "customerId",
        }
    ]


def test_a_customer_of_another_org_is_not_found(api, other_org_api, org):
    load(Org.objects.get(pk=200001), ANN)
    assert codes(get_customer(api, 1001)[1]) == [(1026, "customerId")]
    assert codes(get_customer(api, "ann@example.com", "email")[1]) == [(1026, "customerId")]
    assert get_customer(other_org_api, "ann@example.com", "email")[0] == 200


def test_customer_by_identifier_returns_the_row_for_the_badge_views(org):
    load(org, ANN)
    customer = customer_selectors.customer_by_identifier(org, "ANN@example.com", "email")
    assert (customer.org_id, customer.customer_id) == (org.pk, 1001)
    assert customer_selectors.customer_by_identifier(org, "1001", None).pk == customer.pk
    with pytest.raises(BadgeApiError) as raised:
        customer_selectors.customer_by_identifier(org, "1001", "fax")
    assert (raised.value.items[0].code, raised.value.status) == (1028, 400)
    with pytest.raises(BadgeApiError) as raised:
        customer_selectors.customer_by_identifier(org, "1002", None)
    assert (raised.value.items[0].code, raised.value.status) == (1026, 404)


def test_get_on_the_import_path_is_not_a_customer_lookup(api):
    assert api.get("customers/import")[0] == 405


# --- GET .../customers?search= ---------------------------------------------------------------


def found(api, **query) -> list[int]:
    status, envelope = api.get("customers", **query)
    assert status == 200, envelope
    return [customer["customerId"] for customer in envelope["data"]["customers"]]


@pytest.fixture
def registry(org):
    load(
        org,
        ANN,
        "12,bob@example.com,5550001111,EXT-B,CARD-B,Bob,\n",
        "123,annette@example.org,5550002222,X-1,7001,,\n",
        "1234567,,,,,Dee,\n",
        "2001,carol@example.com,4470009999,ann-ext,C-77,,\n",
    )


def test_search_matches_the_prefix_of_any_identifier(api, registry):
    assert found(api, search="ann") == [123, 1001, 2001]  # emails, and 2001's externalId
    assert found(api, search="ANN") == [
        123,
        1001,
    ]  # emails match case-insensitively, not externalIds
    assert found(api, search="555000") == [12, 123]  # mobiles
    assert found(api, search="+91 98765") == [1001]
    assert found(api, search="EXT-") == [12, 1001]  # external ids, case-sensitively
    assert found(api, search="ann-") == [2001]
    assert found(api, search="CARD") == [12, 1001]  # card numbers
    assert found(api, search="70") == [123]
    assert found(api, search="zzz") == []


def test_search_by_id_prefix_finds_every_longer_id(api, registry):
    assert found(api, search="12") == [12, 123, 1234567]
    assert found(api, search="1234567") == [1234567]
    assert found(api, search="2") == [2001]
    assert found(api, search="0") == []


def test_search_pages_through_customers_in_id_order(api, registry):
    status, envelope = api.get("customers", size=2, page=1)
    assert [c["customerId"] for c in envelope["data"]["customers"]] == [1001, 2001]
    assert envelope["data"]["pagination"] == {"page": 1, "size": 2, "total": 5, "totalPages": 3}
    assert found(api, search="12", limit=1) == [12]


def test_search_rejects_bad_paging(api, registry):
    status, envelope = api.get("customers", size="ten")
    assert status == 400 and codes(envelope) == [(400, "size")]


def test_search_is_isolated_per_org(api, other_org_api, registry):
    assert found(other_org_api) == []
    assert found(other_org_api, search="ann") == []


def test_search_matches_a_first_or_last_name_prefix_ignoring_case(api, registry):
    assert found(api, search="bo") == [12]  # first name Bob (and no identifier starts with "bo")
    assert found(api, search="LE") == [1001]  # last name Lee
    assert found(api, search="dee") == [1234567]
    assert found(api, search="ann le") == [1001]  # first name, then a last-name prefix
    assert found(api, search="  Ann   Lee ") == [1001]
    assert found(api, search="ann lo") == []


def test_names_are_not_searched_for_terms_that_cannot_be_names(api, org):
    load(org, "5,,,,,12345,\n", "6,,,,,a@b,\n")
    assert found(api, search="12345") == []  # digits only: ids, mobiles, ids and cards
    assert found(api, search="a@b") == []


def test_customer_answers_state_only_documented_keys(api, registry):
    from django.test import Client

    from tests.api.test_schema import _undocumented_keys

    schema = Client().get("/api/schema/", {"format": "json"}).json()
    answers = {
        "CustomerEnvelope": get_customer(api, 1001)[1],
        "CustomerListEnvelope": api.get("customers", search="12")[1],
        "CustomerImportEnvelope": api.client.post(
            "/api_gateway/v1/badges/customers/import",
            CSV_HEADER + "9,,,,,,\nx,,,,,,\n",
            content_type="text/csv",
            headers=api.headers,
        ).json(),
    }
    for name, answer in answers.items():
        assert answer["errors"] == [], (name, answer)
        assert _undocumented_keys(answer, {"$ref": f"#/components/schemas/{name}"}, schema) == []
