"""The public hub (no sign-in), under /public/<org>/: only what the organisation's latest publication holds."""

from django.urls import path

from . import views_consultations
from . import views_public as views

app_name = "hub"
urlpatterns = [
    path("<slug:org>/", views.hub_home, name="home"),
    path("<slug:org>/what-we-ask/", views.hub_ask, name="ask"),
    path("<slug:org>/what-we-ask/<slug:slug>/", views.hub_page, name="page"),
    path("<slug:org>/promised/", views.hub_promised, name="promised"),
    path("<slug:org>/delivered/", views.hub_delivered, name="delivered"),
    path("<slug:org>/where/", views.hub_where, name="where"),
    path("<slug:org>/stories/", views.hub_stories, name="stories"),
    path("<slug:org>/stories/<int:pk>/", views.hub_story, name="story"),
    path("<slug:org>/stories/<int:pk>/image", views.hub_story_image, name="story-image"),
    path("<slug:org>/reports/", views.hub_reports, name="reports"),
    path("<slug:org>/reports/<int:pk>/", views.hub_report, name="report"),
    path("<slug:org>/performance/", views.hub_performance, name="performance"),
    path("<slug:org>/open-data/", views.hub_data, name="data"),
    path("<slug:org>/social-value.csv", views.hub_csv, name="csv"),
    path("<slug:org>/social-value.json", views.hub_json, name="json"),
    path("<slug:org>/ocds.json", views.hub_ocds, name="ocds"),
    path("<slug:org>/performance-notices.json", views.hub_performance_notices, name="performance-notices"),
    path("<slug:org>/feed.atom", views.hub_feed, name="feed"),
    # Consultations: public once opened, whether or not the hub is published.
    path("<slug:org>/have-your-say/", views_consultations.public_list, name="consultations"),
    path("<slug:org>/have-your-say/<int:pk>/", views_consultations.public_respond, name="consultation"),
    path("<slug:org>/have-your-say/<int:pk>/thank-you/", views_consultations.public_thanks, name="consultation-thanks"),
    path("<slug:org>/have-your-say/<int:pk>/results/", views_consultations.public_results, name="consultation-results"),
]
