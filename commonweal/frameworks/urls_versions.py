"""Framework pages: versions, draft editing, forks, shares and templates. Included at
/o/<org>/frameworks/ in the "frameworks" namespace."""

from django.urls import path

from . import views_versions as views

urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/use/", views.template_use, name="template-use"),
    path("<int:pk>/", views.framework_detail, name="framework-detail"),
    path("<int:pk>/fork/", views.framework_fork, name="framework-fork"),
    path("<int:pk>/draft/", views.draft_create, name="draft-create"),
    path("<int:pk>/share/", views.framework_share, name="framework-share"),
    path("<int:pk>/compare/", views.version_diff, name="version-diff"),
    path("shares/<int:pk>/remove/", views.framework_unshare, name="framework-unshare"),
    path("versions/<int:pk>/", views.version_detail, name="version-detail"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version-publish"),
    path("versions/<int:pk>/themes/new/", views.theme_add, name="theme-add"),
    path("themes/<int:pk>/edit/", views.theme_edit, name="theme-edit"),
    path("themes/<int:pk>/remove/", views.theme_remove, name="theme-remove"),
    path("themes/<int:pk>/outcomes/new/", views.outcome_add, name="outcome-add"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome-edit"),
    path("outcomes/<int:pk>/remove/", views.outcome_remove, name="outcome-remove"),
    path("outcomes/<int:pk>/measures/new/", views.measure_add, name="measure-add"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/remove/", views.measure_remove, name="measure-remove"),
]
