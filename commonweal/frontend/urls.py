from django.urls import path

from . import views, views_places

app_name = "frontend"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
    path("places/", views_places.place_suggestions, name="place-suggestions"),
]
