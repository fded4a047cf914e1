"""Framework pages, under /o/<org>/. Each area has its own URL module."""

from django.urls import include, path

app_name = "frameworks"
urlpatterns = [
    path("frameworks/", include("commonweal.frameworks.urls_versions")),
    path("frameworks/", include("commonweal.frameworks.urls_interchange")),
    path("value-sets/", include("commonweal.frameworks.urls_value_sets")),
    path("priorities/", include("commonweal.frameworks.urls_priorities")),
]
