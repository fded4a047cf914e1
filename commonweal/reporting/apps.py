from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commonweal.reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from . import signals

        signals.connect()
