from django.apps import AppConfig


class FrontendConfig(AppConfig):
    name = "commonweal.frontend"
    label = "frontend"
