from django.apps import AppConfig


class BadgesUiConfig(AppConfig):
    name = "badges_ui"
    verbose_name = "Badge console"
