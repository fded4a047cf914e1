from django.urls import path

from . import views_history, views_two_factor

app_name = "members"
urlpatterns = [
    path("people/two-factor/", views_two_factor.members_two_factor_view, name="two-factor"),
    path("history/", views_history.history_view, name="history"),
]
