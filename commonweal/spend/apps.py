from django.apps import AppConfig


class SpendConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commonweal.spend"
    label = "spend"
    verbose_name = "Spend analysis"

    def ready(self) -> None:
        from commonweal.core.recovery import recovery_register

        from .services_imports import spend_imports_recover

        recovery_register("spend imports", spend_imports_recover)
