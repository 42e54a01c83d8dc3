"""Sign in and out: Django's views, with throttling and Accord's templates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accord.web import throttle


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if throttle.is_locked(request, username):
            # Refused before the password is checked, so guessing gains nothing while locked.
            form = self.get_form_class()(request, initial={"username": username})
            locked = _(
                "Too many failed sign-in attempts for this account or from this address. Wait 15 minutes and try again."
            )
            return self.render_to_response(self.get_context_data(form=form, locked=locked), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        throttle.record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        throttle.clear(self.request, form.get_user().get_username())
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    pass
