from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commonweal.accounts"
    label = "accounts"
