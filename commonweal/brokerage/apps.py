from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "commonweal.brokerage"
    label = "brokerage"
    verbose_name = "Brokerage (wish list, offers and pledges)"
