"""What every console view needs: the API client, and turning API failures into pages."""

from dataclasses import dataclass

from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers

from badges_ui.client import BadgesApiAuthError, BadgesApiError, BadgesApiUnavailable, client_for
from badges_ui.services import unavailable_message

__all__ = ["ApiProblem", "api_problem", "client_for", "render"]


@dataclass(frozen=True, slots=True)
class ApiProblem:
    """A message for a page whose data could not be fetched; `status` is the page's HTTP status."""

    title: str
    message: str
    status: int


def api_problem(error: BadgesApiError) -> ApiProblem:
    if isinstance(error, BadgesApiAuthError):
        return ApiProblem(
            "The console cannot sign in to the badge API", unavailable_message(error), 503
        )
    if isinstance(error, BadgesApiUnavailable):
        return ApiProblem(
            "The badge API is not answering",
            f"{error.message} The page will work again once it answers; nothing you saved is lost.",
            503,
        )
    details = "; ".join(str(item) for item in error.errors) or error.message
    return ApiProblem("The badge API refused the request", details, 400)


def render(request, template: str, context: dict, *, status: int = 200, partial: str | None = None):
    """The page, or one of its inline partials (`template#partial`) for an HTMX request.

    The same URL answers a page or a fragment depending on HTMX's headers, so caches must
    tell them apart (Vary).
    """
    name = f"{template}#{partial}" if partial else template
    response = TemplateResponse(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
