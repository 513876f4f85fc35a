from django.contrib.auth import views as auth_views
from django.urls import path

from gongjian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password-change"),
    path("second-factor/", views.otp_verify, name="otp-verify"),
    path("second-factor/setup/", views.otp_setup, name="otp-setup"),
    path("second-factor/off/", views.otp_disable, name="otp-disable"),
]
