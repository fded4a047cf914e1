from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commonweal.procurement"
    label = "procurement"
    verbose_name = "Procurement and evaluation"
