from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "commonweal.tenancy"
    label = "tenancy"
