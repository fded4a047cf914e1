from django.urls import path

from . import views, views_register, views_tokens, views_two_factor

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("register/", views_register.register, name="register"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password-reset/complete/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("two-factor/", views_two_factor.two_factor_verify, name="two-factor-verify"),
    path("two-factor/set-up/", views_two_factor.two_factor_set_up_view, name="two-factor-set-up"),
    path("api-tokens/", views_tokens.api_tokens, name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", views_tokens.api_token_revoke_view, name="api-token-revoke"),
]
