"""Evaluation pages under /o/<org>/procurements/ (namespace `procurement`)."""

from django.urls import path

from . import views_evaluation

urlpatterns = [
    path("<int:pk>/evaluators/", views_evaluation.evaluators, name="evaluators"),
    path("<int:pk>/declaration/", views_evaluation.declaration, name="declaration"),
    path("<int:pk>/scoring/", views_evaluation.scoring, name="scoring"),
    path("<int:pk>/moderation/", views_evaluation.moderation, name="moderation"),
    path("<int:pk>/flags/", views_evaluation.flag_list, name="flags"),
    path("<int:pk>/evaluation/", views_evaluation.evaluation, name="evaluation"),
    path("bids/<int:pk>/", views_evaluation.bid_detail, name="bid-detail"),
    path("bids/<int:pk>/score/", views_evaluation.score, name="score"),
    path("bids/<int:pk>/moderate/", views_evaluation.moderate, name="moderate"),
    path("flags/<int:pk>/decide/", views_evaluation.flag_decide, name="flag-decide"),
]
