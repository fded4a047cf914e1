from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "commonweal.frameworks"
    label = "frameworks"
