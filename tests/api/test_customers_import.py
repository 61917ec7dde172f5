"""Importing customers from CSV: the service, `manage.py import_customers` and the HTTP endpoint."""

import base64
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from badges_api.models import ApiClient, Customer, Org
from badges_api.services import customers as customer_services

IMPORT = "/api_gateway/v1/badges/customers/import"


def run_import(org, text: str | bytes, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    return customer_services.customer_import(org=org, data=data, **kwargs)


def stored(org) -> dict[int, tuple]:
    rows = Customer.objects.filter(org=org).values_list(
        "customer_id", "email", "mobile", "external_id", "card_number", "first_name", "last_name"
    )
    return {row[0]: row[1:] for row in rows}


def lines(result) -> list[tuple[int, str]]:
    return [(error.line, error.message) for error in result.errors]


def test_import_inserts_customers_with_emails_lower_cased_and_mobiles_as_digits(org):
    result = run_import(
        org,
        "id,email,mobile,externalId,cardNumber,firstName,lastName\n"
        "1,Ann@Example.COM,+91 98765-43210,EXT-1,CARD-1,Ann,Lee\n"
        "2,,,,,,\n",
    )
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (2, 0, 0, 0)
    assert stored(org) == {
        1: ("ann@example.com", "919876543210", "EXT-1", "CARD-1", "Ann", "Lee"),
        2: (None, None, None, None, "", ""),
    }


def test_import_reads_a_utf8_byte_order_mark(org):
    result = run_import(org, "\ufeffid,email,firstName\n7,zoe@example.com,Zoë\n".encode())
    assert result.inserted == 1
    assert stored(org)[7] == ("zoe@example.com", None, None, None, "Zoë", "")


def test_import_reads_semicolon_delimited_files(org):
    result = run_import(
        org, "id;email;lastName\r\n5;a@example.com;Smith, Jr.\r\n6;b@example.com;Doe\r\n"
    )
    assert result.inserted == 2 and result.rejected == 0
    assert stored(org)[5] == ("a@example.com", None, None, None, "", "Smith, Jr.")


def test_header_names_are_case_insensitive_and_accept_snake_case(org):
    result = run_import(
        org,
        "CUSTOMER_ID,E-Mail,MOBILE,external_id,Card_Number,first_name,LASTNAME\n3,c@example.com,5551234567,x,y,Cy,Do\n",
    )
    assert result.rejected == 0
    assert stored(org)[3] == ("c@example.com", "5551234567", "x", "y", "Cy", "Do")


def test_unknown_columns_are_ignored_with_a_warning(org):
    result = run_import(org, "id,email,loyaltyTier,Email\n1,a@example.com,GOLD,b@example.com\n")
    assert result.warnings == [
        "Column 'loyaltyTier' is not known and was ignored",
        "Column 'Email' appears twice; its first occurrence was read",
    ]
    assert stored(org)[1][0] == "a@example.com"


def test_reimport_updates_given_cells_and_empty_cells_leave_values_unchanged(org):
    run_import(
        org,
        "id,email,mobile,firstName,lastName\n1,a@example.com,5550001111,Ann,Lee\n2,b@example.com,,Bo,\n",
    )
    result = run_import(
        org, "id,email,mobile,firstName,lastName\n1,,5550002222,,Li\n2,,,,\n3,c@example.com,,,\n"
    )
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    assert stored(org) == {
        1: ("a@example.com", "5550002222", None, None, "Ann", "Li"),
        2: ("b@example.com", None, None, None, "Bo", ""),
        3: ("c@example.com", None, None, None, "", ""),
    }


def test_missing_columns_leave_stored_values_unchanged(org):
    run_import(org, "id,email,externalId\n1,a@example.com,E1\n")
    result = run_import(org, "id,cardNumber\n1,C1\n")
    assert result.updated == 1
    assert stored(org)[1] == ("a@example.com", None, "E1", "C1", "", "")


def test_rows_that_change_nothing_count_as_unchanged_and_keep_their_update_time(org):
    run_import(org, "id,email\n1,a@example.com\n")
    before = Customer.objects.get(org=org, customer_id=1).last_updated_on
    result = run_import(org, "id,email\n1,A@EXAMPLE.com\n")
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    assert Customer.objects.get(org=org, customer_id=1).last_updated_on == before


def test_bad_lines_are_reported_with_line_numbers_while_good_lines_load(org):
    result = run_import(
        org,
        "id,email,mobile,firstName\n"
        "1,a@example.com,5550001111,Ann\n"  # line 2
        "x1,b@example.com,,\n"  # 3
        ",c@example.com,,\n"  # 4
        "4,not-an-email,12,\n"  # 5
        "5,e@example.com,,Eve,surplus\n"  # 6
        "-6,,,\n"  # 7
        "99999999999999999999,,,\n"  # 8
        f"10,,,{'N' * 151}\n"  # 9
        "11,f@example.com,+44 (20) 7946-0958,Fay\n",  # 10
    )
    assert (result.inserted, result.rejected) == (2, 7)
    assert sorted(stored(org)) == [1, 11]
    assert lines(result) == [
        (3, "id 'x1' is not a whole number from 1 to 2^63-1"),
        (4, "id is missing"),
        (
            5,
            "email 'not-an-email' is not an email address; mobile '12' is not a phone number (6 to 15 digits)",
        ),
        (6, "the line has 5 cells but the header has 4"),
        (7, "id '-6' is not a whole number from 1 to 2^63-1"),
        (8, "id '99999999999999999999' is not a whole number from 1 to 2^63-1"),
        (9, "firstName is longer than 150 characters"),
    ]
    assert stored(org)[11][1] == "442079460958"


def test_line_numbers_count_blank_lines_and_quoted_cells_keep_their_commas_and_quotes(org):
    result = run_import(
        org,
        'id,firstName,lastName\n1,"Ann, Marie",Lee\n\n,,\nbad,x,y\n2,"Bo ""B"", Jr",Z\n',
    )
    assert lines(result) == [(5, "id 'bad' is not a whole number from 1 to 2^63-1")]
    assert stored(org)[1][4] == "Ann, Marie"
    assert stored(org)[2][4] == 'Bo "B", Jr'


def test_short_lines_read_missing_trailing_cells_as_empty(org):
    result = run_import(org, "id,email,firstName\n1,a@example.com\n2\n")
    assert (result.inserted, result.rejected) == (2, 0)


def test_an_id_repeated_in_the_file_keeps_its_first_line(org):
    result = run_import(org, "id,email\n1,a@example.com\n2,b@example.com\n1,c@example.com\n")
    assert lines(result) == [(4, "id 1 is already on line 2; only the first is imported")]
    assert stored(org)[1][0] == "a@example.com"


def test_an_identifier_repeated_in_the_file_for_another_id_keeps_its_first_line(org):
    result = run_import(
        org,
        "id,email,mobile,externalId,cardNumber\n"
        "1,a@example.com,5550001111,E1,C1\n"
        "2,A@example.com,,,\n"
        "3,,555-000-1111,,\n"
        "4,,,E1,C1\n",
    )
    assert lines(result) == [
        (3, "email 'a@example.com' is already on line 2 for id 1"),
        (4, "mobile '5550001111' is already on line 2 for id 1"),
        (
            5,
            "externalId 'E1' is already on line 2 for id 1; cardNumber 'C1' is already on line 2 for id 1",
        ),
    ]
    assert sorted(stored(org)) == [1]


def test_an_identifier_another_customer_holds_is_rejected_and_nothing_else_of_that_line_is_written(
    org,
):
    run_import(org, "id,email,mobile,externalId,cardNumber\n1,a@example.com,5550001111,E1,C1\n")
    result = run_import(
        org,
        "id,email,mobile,externalId,cardNumber,firstName\n"
        "2,a@example.com,,,,Bo\n"
        "3,,5550001111,E1,,Cy\n"
        "4,,,,C1,Di\n"
        "5,e@example.com,,,,Ed\n",
    )
    assert lines(result) == [
        (2, "email 'a@example.com' belongs to customer 1"),
        (3, "mobile '5550001111' belongs to customer 1; externalId 'E1' belongs to customer 1"),
        (4, "cardNumber 'C1' belongs to customer 1"),
    ]
    assert (result.inserted, result.rejected) == (1, 3)
    assert sorted(stored(org)) == [1, 5]


def test_a_customer_keeps_or_replaces_its_own_identifiers(org):
    run_import(org, "id,email,mobile\n1,a@example.com,5550001111\n2,b@example.com,\n")
    result = run_import(org, "id,email,mobile\n1,a@example.com,5550009999\n2,b2@example.com,\n")
    assert (result.updated, result.rejected) == (2, 0)
    assert stored(org)[1][:2] == ("a@example.com", "5550009999")
    assert stored(org)[2][0] == "b2@example.com"


def test_an_identifier_freed_by_this_import_is_free_for_the_next_one(org):
    """Checks run against the registry as it stood before the import (documented)."""
    run_import(org, "id,email\n1,a@example.com\n")
    result = run_import(org, "id,email\n1,new@example.com\n2,a@example.com\n")
    assert lines(result) == [(3, "email 'a@example.com' belongs to customer 1")]
    assert run_import(org, "id,email\n2,a@example.com\n").inserted == 1


def test_imports_are_isolated_per_org(org):
    other = Org.objects.create(id=200001, name="Other Brand")
    run_import(org, "id,email,cardNumber\n1,a@example.com,C1\n")
    result = run_import(other, "id,email,cardNumber\n1,a@example.com,C1\n2,b@example.com,\n")
    assert (result.inserted, result.updated, result.rejected) == (2, 0, 0)
    assert run_import(org, "id,email\n3,b@example.com\n").inserted == 1
    assert sorted(stored(org)) == [1, 3] and sorted(stored(other)) == [1, 2]


def test_a_file_without_an_id_column_imports_nothing(org):
    with pytest.raises(customer_services.BadgeApiError) as raised:
        run_import(org, "email,mobile\na@example.com,5550001111\n")
    assert raised.value.items[0].message.startswith("The header has no `id` column")
    assert not Customer.objects.exists()


def test_an_empty_file_or_one_that_is_not_utf8_imports_nothing(org):
    for data in (b"", b"\n\n", "id,firstName\n1,Jos\xe9\n".encode("latin-1")):
        with pytest.raises(customer_services.BadgeApiError):
            run_import(org, data)
    assert not Customer.objects.exists()


def test_a_header_only_file_imports_nothing_without_error(org):
    result = run_import(org, "id,email\n")
    assert (result.inserted, result.updated, result.rejected) == (0, 0, 0)


def test_many_rows_load_across_write_chunks(org, monkeypatch):
    monkeypatch.setattr(customer_services, "_CHUNK_ROWS", 7)
    body = "id,email,cardNumber\n" + "".join(f"{n},c{n}@example.com,K{n}\n" for n in range(1, 51))
    assert run_import(org, body).inserted == 50
    body = "id,firstName\n" + "".join(f"{n},N{n}\n" for n in range(1, 61))
    result = run_import(org, body)
    assert (result.inserted, result.updated) == (10, 50)
    assert Customer.objects.filter(org=org).count() == 60


def test_new_customers_colliding_in_any_write_chunk_are_each_named_and_the_rest_load(
    org, monkeypatch
):
    run_import(org, "id,email,cardNumber\n1,a@example.com,C1\n2,b@example.com,C2\n")
    monkeypatch.setattr(customer_services, "_CHUNK_ROWS", 3)
    body = "id,email,cardNumber\n" + "".join(f"{n},n{n}@example.com,K{n}\n" for n in range(10, 20))
    body += "20,a@example.com,\n21,,C2\n22,b@example.com,C1\n"
    result = run_import(org, body)
    assert lines(result) == [
        (12, "email 'a@example.com' belongs to customer 1"),
        (13, "cardNumber 'C2' belongs to customer 2"),
        (14, "email 'b@example.com' belongs to customer 2; cardNumber 'C1' belongs to customer 1"),
    ]
    assert (result.inserted, result.updated, result.rejected) == (10, 0, 3)
    assert sorted(stored(org)) == [1, 2, *range(10, 20)]


# --- manage.py import_customers --------------------------------------------------------------


def test_command_prints_the_counts_and_every_rejected_line(org, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("id,email\n1,a@example.com\nx,b@example.com\n2,a@example.com\n")
    out, err = StringIO(), StringIO()
    call_command("import_customers", str(org.pk), str(path), stdout=out, stderr=err)
    assert out.getvalue().splitlines() == [
        "inserted 1, updated 0, unchanged 0, rejected 2",
        "line 3: id 'x' is not a whole number from 1 to 2^63-1",
        "line 4: email 'a@example.com' is already on line 2 for id 1",
    ]


def test_command_reads_standard_input_with_a_byte_order_mark_and_semicolons(org, monkeypatch):
    data = "\ufeffid;email;lastName\r\n1;A@Example.com;Smith, Jr.\r\n".encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = StringIO()
    call_command("import_customers", str(org.pk), "-", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == ["inserted 1, updated 0, unchanged 0, rejected 0"]
    assert stored(org)[1] == ("a@example.com", None, None, None, "", "Smith, Jr.")


def test_command_fails_without_an_id_column_for_an_unreadable_file_or_unknown_org(org, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("email\na@example.com\n")
    with pytest.raises(CommandError, match="no `id` column"):
        call_command("import_customers", str(org.pk), str(path), stdout=StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_customers", str(org.pk), str(tmp_path / "missing.csv"), stdout=StringIO()
        )
    with pytest.raises(CommandError, match="There is no org 4242"):
        call_command("import_customers", "4242", str(path), stdout=StringIO())


# --- POST /api_gateway/v1/badges/customers/import --------------------------------------------


def post_csv(api, body: bytes, content_type: str = "text/csv"):
    response = api.client.post(IMPORT, body, content_type=content_type, headers=api.headers)
    return response.status_code, response.json()


def post_file(api, body: bytes, field: str = "file"):
    upload = SimpleUploadedFile("customers.csv", body, content_type="text/csv")
    response = api.client.post(IMPORT, {field: upload}, headers=api.headers)
    return response.status_code, response.json()


def test_http_import_takes_the_csv_as_the_request_body(api, org):
    status, envelope = post_csv(api, b"id,email\n1,a@example.com\nbad,b@example.com\n")
    assert status == 200
    assert envelope == {
        "data": {
            "inserted": 1,
            "updated": 0,
            "unchanged": 0,
            "rejected": 1,
            "errors": [{"line": 3, "message": "id 'bad' is not a whole number from 1 to 2^63-1"}],
        },
        "errors": [],
        "warnings": [],
    }
    assert post_csv(api, b"id,firstName\n1,Ann\n", "text/plain")[1]["data"]["updated"] == 1


def test_http_import_takes_the_multipart_field_file(api, org):
    status, envelope = post_file(api, "\ufeffid;email;tier\n1;a@example.com;GOLD\n".encode())
    assert status == 200
    assert envelope["data"]["inserted"] == 1
    assert envelope["warnings"] == [
        {"code": 400, "message": "Column 'tier' is not known and was ignored", "reference": "file"}
    ]
    assert stored(org)[1][0] == "a@example.com"


def test_http_import_without_a_file_or_an_id_column_is_a_400(api, org):
    status, envelope = post_file(api, b"id\n1\n", field="upload")
    assert status == 400
    assert envelope["errors"][0]["reference"] == "file"
    status, envelope = post_csv(api, b"email\na@example.com\n")
    assert status == 400 and envelope["errors"][0]["code"] == 400


def test_http_import_refuses_json_with_a_415(api):
    status, envelope = api.post("customers/import", {"id": 1})
    assert status == 415 and envelope["errors"][0]["code"] == 415


def test_http_import_refuses_a_body_over_its_own_limit_with_a_413_before_reading_it(
    api, org, settings
):
    settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES = 100
    body = b"id,email\n" + b"".join(b"%d,c%d@example.com\n" % (n, n) for n in range(20))
    for status, envelope in (post_csv(api, body), post_file(api, body)):
        assert status == 413
        assert envelope["errors"] == [
            {"code": 413, "message": "Request body is larger than 100 bytes", "reference": None}
        ]
    assert not Customer.objects.exists()
    assert post_csv(api, body[:100])[0] == 200


def test_an_oversized_import_is_refused_before_credentials_are_checked(client, settings, db):
    settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES = 10
    response = client.post(IMPORT, b"id\n" + b"1\n" * 10, content_type="text/csv")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == 413


def test_other_api_paths_keep_djangos_body_limit(api, org, settings):
    """The import's larger limit is the import's alone."""
    settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES = 10_000_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    status, envelope = api.post("badgeMeta", {"name": "x" * 2000})
    assert status == 413
    assert envelope["errors"][0]["message"] == "Request body is larger than 1024 bytes"


def test_without_the_middleware_the_parser_still_stops_at_the_limit(api, org, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if not m.endswith("ApiEnvelopeMiddleware")
    ]
    settings.BADGES_CUSTOMER_IMPORT_MAX_BYTES = 100
    body = b"id,email\n" + b"".join(b"%d,c%d@example.com\n" % (n, n) for n in range(20))
    for status, envelope in (post_csv(api, body), post_file(api, body)):
        assert status == 413
        assert envelope["errors"] == [
            {"code": 413, "message": "The file is larger than 100 bytes", "reference": "file"}
        ]
    assert not Customer.objects.exists()


def test_http_import_refuses_files_over_the_row_limit_with_a_413(api, org, monkeypatch):
    monkeypatch.setattr(customer_services, "MAX_IMPORT_ROWS", 3)
    status, envelope = post_csv(api, b"id\n1\n2\n3\n4\n")
    assert status == 413
    assert (
        envelope["errors"][0]["message"]
        == "The file has more than 3 rows; split it into smaller files"
    )
    assert not Customer.objects.exists()
    assert post_csv(api, b"id\n1\n2\n3\n")[0] == 200


def test_http_import_lists_the_first_thousand_rejected_lines_and_counts_them_all(api):
    body = b"id\n" + b"x\n" * 1500
    envelope = post_csv(api, body)[1]
    assert envelope["data"]["rejected"] == 1500
    assert len(envelope["data"]["errors"]) == 1000
    assert envelope["data"]["errors"][-1]["line"] == 1001


def test_http_import_needs_credentials(client, db):
    response = client.post(IMPORT, b"id\n1\n", content_type="text/csv")
    assert response.status_code == 401
    assert not Customer.objects.exists()


def test_http_import_writes_into_the_callers_org_only(api, other_org_api, org):
    assert post_csv(other_org_api, b"id,email\n1,a@example.com\n")[1]["data"]["inserted"] == 1
    assert post_csv(api, b"id,email\n1,a@example.com\n")[1]["data"]["inserted"] == 1
    assert Customer.objects.count() == 2


def test_http_import_refuses_a_wrong_password_or_a_deactivated_client(api, api_credentials):
    client = api.client
    wrong = {"Authorization": "Basic " + base64.b64encode(b"store.server:nope").decode()}
    response = client.post(IMPORT, b"id\n1\n", content_type="text/csv", headers=wrong)
    assert response.status_code == 401 and response.json()["errors"][0]["code"] == 401
    api_client, _password = api_credentials
    ApiClient.objects.filter(pk=api_client.pk).update(is_active=False)
    assert post_csv(api, b"id\n1\n")[0] == 401
    assert not Customer.objects.exists()


def test_http_import_with_an_oauth_token_writes_into_the_tokens_org(client, api_credentials, org):
    token = client.post(
        "/v3/oauth/token/generate",
        {"key": "store.server", "secret": "server123"},
        content_type="application/json",
    ).json()["data"]["accessToken"]
    response = client.post(
        IMPORT, b"id\n7\n", content_type="text/csv", headers={"X-CAP-API-OAUTH-TOKEN": token}
    )
    assert response.json()["data"]["inserted"] == 1
    assert list(Customer.objects.values_list("org_id", "customer_id")) == [(org.pk, 7)]


# --- More reading rules ----------------------------------------------------------------------


def test_tab_delimited_files_are_read(org):
    result = run_import(org, "id\temail\tlastName\n1\ta@example.com\tDoe, Jr.\n")
    assert result.inserted == 1
    assert stored(org)[1] == ("a@example.com", None, None, None, "", "Doe, Jr.")


def test_lines_of_empty_or_blank_cells_are_skipped_and_not_counted(org):
    result = run_import(org, "id,email\n\n,\n  ,  \n1,a@example.com\n\n")
    assert (result.inserted, result.rejected) == (1, 0)


@pytest.mark.parametrize("quoted", [False, True], ids=["unquoted", "quoted"])
def test_a_line_the_csv_module_cannot_read_is_reported_and_the_others_load(org, quoted):
    huge = "x" * 200_000  # beyond csv.field_size_limit()
    name = '"Ann, Lee"' if quoted else "Ann"
    result = run_import(org, f"id,firstName\n1,{name}\n2,{huge}\n3,Cy\n")
    assert [error.line for error in result.errors] == [3]
    assert result.errors[0].message.startswith(
        "the line cannot be read as CSV: field larger than field limit"
    )
    assert sorted(stored(org)) == [1, 3]


def test_a_nul_character_rejects_its_line(org):
    result = run_import(org, "id,firstName\n1,An\x00n\n2,Bo\n")
    assert lines(result) == [(2, "the line contains a NUL character")]
    assert sorted(stored(org)) == [2]


def test_a_rename_changes_only_the_names_and_counts_as_updated(org):
    run_import(
        org,
        "id,email,mobile,externalId,cardNumber,firstName,lastName\n1,a@example.com,5550001111,E1,C1,Ann,Lee\n",
    )
    result = run_import(org, "id,email,firstName,lastName\n1,a@example.com,Anne,\n")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
    assert stored(org)[1] == ("a@example.com", "5550001111", "E1", "C1", "Anne", "Lee")


def test_two_customers_cannot_swap_an_identifier_in_one_import(org):
    """Holders are judged as the registry stood before the import (documented)."""
    run_import(org, "id,email\n1,a@example.com\n2,b@example.com\n")
    result = run_import(org, "id,email\n1,b@example.com\n2,a@example.com\n")
    assert lines(result) == [
        (2, "email 'b@example.com' belongs to customer 2"),
        (3, "email 'a@example.com' belongs to customer 1"),
    ]
    assert stored(org)[1][0] == "a@example.com" and stored(org)[2][0] == "b@example.com"


def test_a_refused_update_leaves_the_customer_as_it_was_and_is_not_counted(org):
    run_import(org, "id,email,firstName\n1,a@example.com,Ann\n2,b@example.com,Bo\n")
    result = run_import(org, "id,email,firstName\n1,b@example.com,Anne\n3,c@example.com,Cy\n")
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (1, 0, 0, 1)
    assert stored(org)[1] == ("a@example.com", None, None, None, "Ann", "")


# --- Concurrency -----------------------------------------------------------------------------


def _import_in_threads(org, files: list[str]) -> list:
    barrier = threading.Barrier(len(files))

    def work(text: str):
        try:
            barrier.wait()
            return customer_services.customer_import(org=org, data=text.encode())
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(files)) as pool:
        return list(pool.map(work, files))


def test_concurrent_imports_of_one_org_run_one_at_a_time(transactional_db):
    org = Org.objects.create(id=100458, name="Demo Retail")
    files = [
        "id,email,firstName\n" + "".join(f"{n},c{n}@example.com,T{k}\n" for n in range(1, 101))
        for k in range(6)
    ]
    results = _import_in_threads(org, files)
    assert sum(result.inserted for result in results) == 100
    assert sum(result.updated + result.unchanged for result in results) == 500
    assert not any(result.errors for result in results)
    assert Customer.objects.filter(org=org).count() == 100


def test_concurrent_imports_never_give_one_identifier_to_two_customers(transactional_db):
    org = Org.objects.create(id=100458, name="Demo Retail")
    files = [f"id,email,cardNumber\n{k},shared@example.com,CARD-{k}\n" for k in range(1, 9)]
    results = _import_in_threads(org, files)
    winners = [result for result in results if result.inserted]
    assert len(winners) == 1
    holder = Customer.objects.get(org=org, email="shared@example.com").customer_id
    for result in results:
        if result is not winners[0]:
            assert [error.message for error in result.errors] == [
                f"email 'shared@example.com' belongs to customer {holder}"
            ]
    assert Customer.objects.filter(org=org).count() == 1


def test_http_import_is_not_bound_by_djangos_form_memory_limit(api, org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = b"id,email\n" + b"".join(b"%d,c%d@example.com\n" % (n, n) for n in range(1, 501))
    assert len(body) > 8 * 1024
    assert post_csv(api, body)[1]["data"]["inserted"] == 500
    assert post_file(api, body.replace(b"@example", b"@example2"))[1]["data"]["updated"] == 500


# --- Quotes that never close: nothing is merged silently --------------------------------------

UNCLOSED = (
    "a quoted cell runs past the end of the line (a closing quote is missing);"
    " cells cannot hold line breaks"
)


def test_an_unterminated_quote_rejects_its_line_and_the_following_lines_load(org):
    result = run_import(org, 'id,firstName\n1,"Ann\n2,Bo\n3,Cy\n')
    assert lines(result) == [(2, UNCLOSED)]
    assert (result.inserted, result.rejected) == (2, 1)
    assert sorted(stored(org)) == [2, 3]


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""], ids=["newline", "crlf", "no newline"])
def test_a_file_ending_inside_quotes_rejects_the_line_the_quote_opens(org, ending):
    result = run_import(
        org, f'id,firstName{ending or chr(10)}1,Ann{ending or chr(10)}2,"Bo{ending}'
    )
    assert lines(result) == [(3, UNCLOSED)]
    assert sorted(stored(org)) == [1]


def test_a_last_line_without_a_newline_still_loads(org):
    result = run_import(org, 'id,firstName\n1,"Ann"\n2,"Bo, Jr"')
    assert (result.inserted, result.rejected) == (2, 0)
    assert stored(org)[2][4] == "Bo, Jr"


def test_a_quoted_cell_closed_on_a_later_line_is_not_read_as_one_cell(org):
    result = run_import(org, 'id,firstName,lastName\n1,"Ann\nMarie",Lee\n2,Bo,Z\n')
    assert lines(result) == [
        (2, UNCLOSED),
        (3, "id 'Marie\"' is not a whole number from 1 to 2^63-1"),
    ]
    assert sorted(stored(org)) == [2]


def test_an_unterminated_quote_is_a_rejected_line_for_the_command_and_the_endpoint(
    api, org, tmp_path
):
    path = tmp_path / "customers.csv"
    path.write_text('id,firstName\n1,"Ann\n2,Bo\n')
    out = StringIO()
    call_command("import_customers", str(org.pk), str(path), stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == [
        "inserted 1, updated 0, unchanged 0, rejected 1",
        f"line 2: {UNCLOSED}",
    ]

    status, envelope = post_csv(api, b'id,firstName\n3,Cy\n4,"Di\n')
    assert status == 200
    assert envelope["data"] | {"errors": None} == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "errors": None,
    }
    assert envelope["data"]["errors"] == [{"line": 3, "message": UNCLOSED}]
    assert sorted(stored(org)) == [2, 3]
