from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "commonweal.core"
    label = "core"

    def ready(self) -> None:
        from .recovery import recovery_register
        from .services_tasks import task_results_recover

        recovery_register("queued tasks", task_results_recover)
