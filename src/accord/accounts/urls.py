from django.urls import path

from accord.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/code/", views.sign_in_code, name="sign-in-code"),
    path("account/", views.account, name="account"),
    path("account/sessions/end/", views.end_sessions, name="end-sessions"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("security/events/", views.security_events, name="security-events"),
]
