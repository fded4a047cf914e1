"""The wish list's signed-in pages, under /o/<org>/: a community organisation's needs, the broker's queue and
figures, and a supplier's pledges and offers."""

from django.urls import path

from . import views_broker, views_needs, views_pledges

app_name = "brokerage"

urlpatterns = [
    path("needs/", views_needs.need_list, name="need-list"),
    path("needs/new/", views_needs.need_create, name="need-create"),
    path("needs/eligibility/", views_needs.eligibility, name="eligibility"),
    path("needs/<int:pk>/", views_needs.need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", views_needs.need_edit, name="need-edit"),
    path("needs/<int:pk>/withdraw/", views_needs.need_withdraw, name="need-withdraw"),
    path("needs/pledges/<int:pk>/confirm/", views_needs.pledge_confirm, name="pledge-confirm"),
    path("needs/offers/<int:pk>/take-up/", views_needs.offer_take_up, name="offer-take-up"),
    path("wish-list/queue/", views_broker.broker_queue, name="broker-queue"),
    path("wish-list/queue/<int:pk>/", views_broker.broker_need, name="broker-need"),
    path("wish-list/queue/<int:pk>/publish/", views_broker.broker_publish, name="broker-publish"),
    path("wish-list/queue/<int:pk>/close/", views_broker.broker_close, name="broker-close"),
    path("wish-list/queue/<int:pk>/introduce/", views_broker.broker_introduce, name="broker-introduce"),
    path("wish-list/policy/", views_broker.policy, name="policy"),
    path("wish-list/figures/", views_broker.figures, name="figures"),
    path("wish-list/figures.csv", views_broker.figures_csv, name="figures-csv"),
    path("wish-list/figures.xlsx", views_broker.figures_xlsx, name="figures-xlsx"),
    path("pledges/", views_pledges.pledge_list, name="pledge-list"),
    path("pledges/needs/<int:pk>/", views_pledges.pledge_create, name="pledge-create"),
    path("pledges/<int:pk>/", views_pledges.pledge_detail, name="pledge-detail"),
    path("pledges/<int:pk>/withdraw/", views_pledges.pledge_withdraw, name="pledge-withdraw"),
    path("pledges/offers/new/", views_pledges.offer_create, name="offer-create"),
]
