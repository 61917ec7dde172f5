from django.apps import AppConfig


class BadgesApiConfig(AppConfig):
    name = "badges_api"
    verbose_name = "Badge service"
