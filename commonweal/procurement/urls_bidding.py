"""The supplier's pages, under /o/<org>/opportunities/."""

from django.urls import path

from . import views_bidding

urlpatterns = [
    path("", views_bidding.opportunity_list, name="opportunity-list"),
    path("<int:pk>/", views_bidding.opportunity_detail, name="opportunity-detail"),
    path("<int:pk>/questions/", views_bidding.opportunity_ask, name="opportunity-ask"),
    path("<int:pk>/bids/", views_bidding.bid_start, name="bid-start"),
    path("bids/", views_bidding.bid_list, name="bid-list"),
    path("bids/<int:pk>/", views_bidding.bid_edit, name="bid-edit"),
    path("bids/<int:pk>/preview/", views_bidding.bid_preview, name="bid-preview"),
    path("attachments/<int:pk>/", views_bidding.bid_attachment, name="bid-attachment"),
]
