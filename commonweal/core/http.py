"""The request a signed-in page receives: its `user` is a `User`, never anonymous.

Views behind `login_required` take `request: SignedInRequest`, so what they pass as a service's `actor`
is typed as the user model (Django's own `HttpRequest.user` may be anonymous).
"""

from django.http import HttpRequest

from commonweal.accounts.models import User


class SignedInRequest(HttpRequest):
    user: User
