"""The public wish list, under /wish-list/<org>/: read by anyone, with no sign-in."""

from django.urls import path

from . import views_public

app_name = "wishlist"

urlpatterns = [
    path("<slug:org>/", views_public.wish_list, name="list"),
    path("<slug:org>/needs/<int:pk>/", views_public.need_page, name="need"),
]
