"""Writes for user accounts.

Accounts belong to people, not organisations: these services take no `member`. `user_create` is for the
operator (the demo loader, the command line, tests); a person changes only their own token.
"""

from django.db import transaction
from rest_framework.authtoken.models import Token

from commonweal.core.errors import ApplicationError

from .models import User


@transaction.atomic
def user_create(*, email: str, full_name: str, password: str | None = None) -> User:
    """A new account (system only: no page creates another person's account)."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ApplicationError(f"An account for {email} already exists.")
    return User.objects.create_user(email=email, password=password, full_name=full_name)


@transaction.atomic
def api_token_regenerate(*, actor: User) -> str:
    """Replace the user's API token with a new one and return it; the old one stops working at once."""
    Token.objects.filter(user=actor).delete()
    return str(Token.objects.create(user=actor).key)
