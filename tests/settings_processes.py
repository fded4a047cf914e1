"""Settings for the `commonweal` processes some tests start (tests/fault_support.py): the development settings
with their schema made from the models, as the suite's own database is (`--nomigrations`), which takes a
second where applying every migration takes half a minute. `make test` checks the migrations apart."""

from config.settings.dev import *  # noqa: F403


class _NoMigrations(dict[str, None]):
    def __contains__(self, app_label: object) -> bool:
        return True

    def __getitem__(self, app_label: str) -> None:
        return None


MIGRATION_MODULES = _NoMigrations()
