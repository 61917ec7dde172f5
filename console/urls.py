from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

REDOC_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "worker-src": [CSP.SELF, "blob:"],
}

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Redoc (vendored by drf-spectacular-sidecar) styles itself inline; that page alone allows it.
    path(
        "api/docs/",
        csp_override(REDOC_CSP)(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("", include("badges_api.urls")),
    # The console comes after the API so Capillary's paths always reach the service.
    path("", include("badges_ui.urls")),
]

# The envelope on API paths, Django's plain pages elsewhere (badges_api/api/handlers.py).
handler404 = "badges_api.api.handlers.not_found"
handler500 = "badges_api.api.handlers.server_error"
