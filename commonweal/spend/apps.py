from django.apps import AppConfig


class SpendConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commonweal.spend"
    label = "spend"
    verbose_name = "Spend analysis"
