"""Department, financial year and budget line pages, under /o/<org>/ (namespace “reporting”)."""

from django.urls import path

from . import views_budget_lines, views_departments, views_years

urlpatterns = [
    path("departments/", views_departments.department_list, name="department-list"),
    path("departments/new/", views_departments.department_create, name="department-create"),
    path("departments/<int:pk>/edit/", views_departments.department_update, name="department-update"),
    path("departments/<int:pk>/remove/", views_departments.department_remove, name="department-remove"),
    path("budget/", views_years.year_list, name="year-list"),
    path("budget/new/", views_years.year_create, name="year-create"),
    path("budget/<int:year>/value-set/", views_years.year_value_set, name="year-value-set"),
    path("budget/<int:year>/close/", views_years.year_close, name="year-close"),
    path("budget/<int:year>/lines/", views_budget_lines.budget_line_list, name="budget-line-list"),
    path("budget/<int:year>/lines/new/", views_budget_lines.budget_line_create, name="budget-line-create"),
    path("budget/<int:year>/lines/<int:pk>/edit/", views_budget_lines.budget_line_update, name="budget-line-update"),
    path("budget/<int:year>/lines/<int:pk>/remove/", views_budget_lines.budget_line_remove, name="budget-line-remove"),
    path("budget/<int:year>/lines/download/", views_budget_lines.budget_line_export, name="budget-line-export"),
    path("budget/<int:year>/lines/upload/", views_budget_lines.budget_line_import, name="budget-line-import"),
]
