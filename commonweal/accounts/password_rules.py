"""A password "validator" that validates nothing: Django calls `password_changed` on every validator
whenever a user's password is saved (a reset link, the change page, `set_password` and `save` from the
command line), which makes it the one place that catches every way a password changes."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser


class RevokeApiTokensOnPasswordChange:
    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        from .services import api_tokens_revoke_for_password_change

        if user is not None and user.pk is not None:
            api_tokens_revoke_for_password_change(user=user)

    def get_help_text(self) -> str:
        return ""
