from django.apps import AppConfig


class NetworksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commonweal.networks"
    label = "networks"
    verbose_name = "Anchor networks"
