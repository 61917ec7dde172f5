"""API errors land on the field their reference names, or above the form."""

import pytest
from django import forms

from badges_ui.client import BadgesApiNotFound, BadgesApiUnavailable, BadgesApiValidationError
from badges_ui.forms import ConsoleForm
from badges_ui.services import (
    BADGE_CODES,
    BADGE_REFERENCES,
    api_errors_to_form,
    field_for_reference,
)
from badges_ui.types import ApiErrorItem


@pytest.mark.parametrize(
    "reference,code,field",
    [
        ("name", 400, "name"),
        ("startOnISO", 400, "start_on"),
        ("ownership.restrictedToOwners", 728, "owners"),
        ("ownership.restrictedToOwners[2]", 714, "owners"),  # the longest mapped prefix
        ("ownership.claims", 0, "owners"),
        (None, 725, "name"),  # Capillary sends 725 without a reference
        (None, 722, "start_on"),
        # A row's field: the builder strips the index first (see tests/ui/test_builder_publish.py)
        ("customerConstraints[0].refreshRate", 9010, "customer-limits"),
        ("nameOfSomethingElse", 400, None),  # a prefix only counts on a path boundary
    ],
)
def test_references_and_codes_name_form_fields(reference, code, field):
    assert (
        field_for_reference(reference, code, references=BADGE_REFERENCES, codes=BADGE_CODES)
        == field
    )


class NameForm(ConsoleForm):
    name = forms.CharField()
    rank = forms.IntegerField()


def bound_form():
    form = NameForm({"name": "Coffee", "rank": "2"})
    assert form.is_valid()
    return form


def test_every_error_lands_at_once_keeping_the_input():
    form = bound_form()
    error = BadgesApiValidationError(
        "refused",
        status=400,
        errors=[
            ApiErrorItem(733, "Group name must be unique", "name"),
            ApiErrorItem(732, "Group Rank is Mandatory", None),
            ApiErrorItem(400, "Something else", "colour"),
        ],
    )
    api_errors_to_form(form, error, references={"name": "name"}, codes={732: "rank"})
    assert form.errors["name"] == ["Group name must be unique (code 733)"]
    assert form.errors["rank"] == ["Group Rank is Mandatory (code 732)"]
    assert form.non_field_errors() == ["Something else (code 400)"]
    assert form["name"].value() == "Coffee"


def test_an_unavailable_api_is_one_message_above_the_form():
    form = bound_form()
    api_errors_to_form(
        form, BadgesApiUnavailable("The badge API at x could not be reached."), references={}
    )
    assert form.non_field_errors() == [
        "The badge API at x could not be reached. Nothing was changed; please try again in a moment."
    ]


def test_a_vanished_object_is_said_plainly():
    form = bound_form()
    api_errors_to_form(form, BadgesApiNotFound("Not found", status=404), references={})
    assert "no longer exists" in form.non_field_errors()[0]
