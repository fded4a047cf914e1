"""The social value budget's figures: the year's page, a department's drill-down, and the exports."""

from django.urls import path

from . import views_budget

urlpatterns = [
    path("budget/<int:year>/", views_budget.budget, name="budget"),
    path("budget/<int:year>/figures.csv", views_budget.budget_csv, name="budget-csv"),
    path("budget/<int:year>/figures.json", views_budget.budget_json, name="budget-json"),
    path("budget/<int:year>/departments/<str:department>/", views_budget.department, name="budget-department"),
]
