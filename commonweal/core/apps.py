from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "commonweal.core"
    label = "core"
