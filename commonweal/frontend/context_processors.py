"""Values every page template needs: the service's name and phase, and the user's organisations."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from commonweal.tenancy.selectors import organisation_list_for_user


def service(request: HttpRequest) -> dict[str, Any]:
    resolver_match = getattr(request, "resolver_match", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "service_feedback_email": settings.SERVICE_FEEDBACK_EMAIL,
        "user_organisations": organisation_list_for_user(user=getattr(request, "user", None)),
        "current_org_slug": resolver_match.kwargs.get("org") if resolver_match else None,
    }
