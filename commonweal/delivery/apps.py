from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "commonweal.delivery"
    label = "delivery"
