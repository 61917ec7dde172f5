"""The console's pages, mounted at "/" after the API's routes. URL names equal view names."""

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter
from django.views.generic import RedirectView

from badges_ui.forms import LoginForm
from badges_ui.views import badges, builder, connection, custom_fields, groups


class ObjectIdConverter:
    """Capillary's ids: 24 hex digits. Keeps words like `new` free for the builder's pages."""

    regex = "[0-9a-fA-F]{24}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ObjectIdConverter, "objectid")

app_name = "badges_ui"

urlpatterns = [
    path(
        "", RedirectView.as_view(pattern_name="badges_ui:badge_list", permanent=False), name="home"
    ),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="badges_ui/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("badges/", badges.badge_list, name="badge_list"),
    path("badges/new/", builder.badge_create, name="badge_create"),
    path("badges/new/preview/", builder.badge_preview, name="badge_preview"),
    path("badges/name-check/", builder.badge_name_check, name="badge_name_check"),
    path("badges/<objectid:badge_id>/", badges.badge_detail, name="badge_detail"),
    path("badges/<objectid:badge_id>/edit/", builder.badge_edit, name="badge_edit"),
    path("badges/<objectid:badge_id>/edit/preview/", builder.badge_preview, name="badge_preview"),
    path("badges/<objectid:badge_id>/duplicate/", builder.badge_duplicate, name="badge_duplicate"),
    path(
        "badges/<objectid:badge_id>/activation/", badges.badge_activation, name="badge_activation"
    ),
    path("badges/<objectid:badge_id>/claim/", badges.badge_claim, name="badge_claim"),
    path("badges/<objectid:badge_id>/unclaim/", badges.badge_unclaim, name="badge_unclaim"),
    path("settings/groups/", groups.group_list, name="group_list"),
    path("settings/groups/<objectid:group_id>/", groups.group_edit, name="group_edit"),
    path(
        "settings/groups/<objectid:group_id>/disable/", groups.group_disable, name="group_disable"
    ),
    path("settings/custom-fields/", custom_fields.custom_field_list, name="custom_field_list"),
    path(
        "settings/custom-fields/<objectid:field_id>/",
        custom_fields.custom_field_edit,
        name="custom_field_edit",
    ),
    path(
        "settings/custom-fields/<objectid:field_id>/disable/",
        custom_fields.custom_field_disable,
        name="custom_field_disable",
    ),
    path("settings/api/", connection.api_connection, name="api_connection"),
    # Uploaded badge images, served by the console itself (gunicorn runs with DEBUG off).
    path("media/badge-images/<str:name>", builder.badge_image, name="badge_image"),
]
