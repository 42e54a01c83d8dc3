"""The account pages: sign in (password, then the one-time code if the account has one), sign out, the
account page (password change, second factor), password reset by e-mail, and the security event log.

Each page is thin: the rules (normalised names, the throttle, the codes, the log) are in signin, totp,
security and throttle.
"""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from accord.accounts import credentials, reminders, security, sessions, signin, throttle, totp
from accord.accounts.models import SecurityEvent
from accord.core.errors import Forbidden, ValidationFailed

PENDING = "accord_pending_sign_in"  # session key: the account that gave its password and owes a code
PENDING_SECONDS = 5 * 60


def _finish_sign_in(request: HttpRequest, user: Any, backend: str, redirect_to: str) -> HttpResponse:
    auth_login(request, user, backend=backend)
    device = totp.device_of(user)
    if device is not None:
        otp_login(request, device)
    signin.password_accepted(request, user)
    security.record(security.Kind.SIGNIN, request=request, user=user, detail="with a one-time code" if device else "")
    response = HttpResponseRedirect(redirect_to)
    signin.remember_device(request, response, user.get_username())
    return response


class LoginView(auth_views.LoginView):
    """The one sign-in page, also at /admin/login/: every failure goes through the throttle (in the
    authentication backend), and an account with a second factor is asked for its code next."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        locked = getattr(self.request, "accord_lockout", None)
        if locked is not None:
            form = self.get_form_class()(self.request, initial={"username": self.request.POST.get("username", "")})
            context = self.get_context_data(form=form, locked=locked.message())
            return self.render_to_response(context, status=429)
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        backend = getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0])
        if totp.device_of(user) is not None:
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("accounts:sign-in-code")
        return _finish_sign_in(self.request, user, backend, self.get_success_url())


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("One-time code"),
        max_length=12,
        help_text=gettext_lazy("The six digits your authenticator app shows for Accord."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for an account with a second factor."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return redirect("web:login")
    user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("web:login")
    form = CodeForm(request.POST or None)
    locked = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if totp.verify(request, user, form.cleaned_data["code"]):
                request.session.pop(PENDING, None)
                return _finish_sign_in(request, user, pending["backend"], pending["next"])
            form.add_error("code", _("That code is not right. Check the time on your device and try again."))
        except signin.Locked as exc:
            locked, status = exc.message(), 429
    return render(request, "accounts/sign_in_code.html", {"form": form, "locked": locked}, status=status)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            security.record(security.Kind.SIGNOUT, request=request, user=request.user)
        return super().post(request, *args, **kwargs)


# --- the account page: password and second factor ----------------------------------------------------------


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":  # the one choice made here: reminders by e-mail, on or off
        reminders.set_reminder_emails(user, request.POST.get("reminder_emails") == "on")
        return redirect("accounts:account")
    languages = dict(settings.LANGUAGES)
    return render(
        request,
        "accounts/account.html",
        {
            "device": totp.device_of(user),
            "may_enrol": totp.may_enrol(user),
            "reminder_emails": reminders.reminder_emails_on(user),
            "reminder_language": languages.get(reminders.language_of(user), ""),
            "email_configured": email_configured(),
            "sessions": sessions.active_sessions(user, request.session.session_key),
        },
    )


@login_required
@never_cache
def end_sessions(request: HttpRequest) -> HttpResponse:
    """End one of your other sessions (`session`: its number on the account page) or all of them (`others`)."""
    if request.method != "POST":
        return redirect("accounts:account")
    try:
        if request.POST.get("others"):
            sessions.end_other_sessions(request)
        else:
            sessions.end_session(request, request.POST.get("session"))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except ValidationFailed:
        messages.error(request, _("That is the session you are using: sign out to end it."))
    return redirect("accounts:account")


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice is also the language Accord e-mails them in."""
    response = i18n_views.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        reminders.remember_language(request.user, request.POST.get("language", ""))
    return response


@login_required
@sensitive_post_parameters("code")
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn the second factor on (scan or type the secret, then prove it with a code) or off (with a code)."""
    user = request.user
    if not totp.may_enrol(user):
        raise PermissionDenied(_("Only administrators and designated signatories use a second factor."))
    form = CodeForm(request.POST or None)
    device = totp.device_of(user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "disable":
                totp.disable(request, user, form.cleaned_data["code"])
                return redirect("accounts:account")
            confirmed = totp.confirm_enrolment(request, user, form.cleaned_data["code"])
            otp_login(request, confirmed)
            return redirect("accounts:account")
        except ValidationFailed as exc:
            for message in exc.errors.get("code", [exc.message]):
                form.add_error("code", message)
            status = 422
        except signin.Locked as exc:
            form.add_error("code", exc.message())
            status = 429
    pending = None
    if device is None:
        pending = totp.pending_device(user) if request.method == "POST" else None
        pending = pending or totp.start_enrolment(user)
    context = {
        "form": form,
        "device": device,
        "secret": totp.secret_text(pending) if pending else "",
        "qr": totp.qr_svg_data_uri(pending) if pending else "",
        "required": totp.required(user),
    }
    return render(request, "accounts/two_factor.html", context, status=status)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    # The change is logged and told to the account's owner by accounts.credentials, as on every channel.


# --- password reset by e-mail ---------------------------------------------------------------------------------


def email_configured() -> bool:
    return bool(getattr(settings, "ACCORD_EMAIL_ENABLED", False))


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for the account's e-mail address; the same answer whether or not an account has it."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "email_configured": email_configured()}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not email_configured():
            return self.get(request, *args, **kwargs)
        address = signin.address_subjects(request)  # requests count against the client's address
        wait = throttle.wait_for(address)
        if wait:
            form = self.get_form()
            form.add_error(None, signin.Locked(wait).message())
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        users = list(form.get_users(email))
        security.record(
            security.Kind.PASSWORD_RESET_REQUESTED,
            request=self.request,
            user=users[0] if len(users) == 1 else None,
            detail=f"for {email}" + ("" if users else " (no account)"),
        )
        if not users:  # a guess at addresses: counted like a failed sign-in from this address
            throttle.record_failure(signin.address_subjects(self.request))
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the e-mail: valid once (the token covers the password it replaces) and for
    PASSWORD_RESET_TIMEOUT seconds. A new password also lifts the account's sign-in waits."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.user
        user.accord_password_how = credentials.RESET  # logged and told as a reset (accounts.credentials)
        response = super().form_valid(form)
        throttle.forget([throttle.subject("account", user.get_username())])
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- the security event log -------------------------------------------------------------------------------


def _administrator(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        raise PermissionDenied(_("Only administrators read the security log."))


@login_required
def security_events(request: HttpRequest) -> HttpResponse:
    """The security log for administrators, newest first, filtered by event and account; ?format=csv exports."""
    _administrator(request)
    events = SecurityEvent.objects.all()
    kind = request.GET.get("kind", "")
    if kind in SecurityEvent.Kind.values:
        events = events.filter(kind=kind)
    account = signin.normalise_username(request.GET.get("account", ""))[:150]
    if account:
        events = events.filter(account=account)
    if request.GET.get("format") == "csv":
        response = HttpResponse(security.events_csv(events.iterator()), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="accord-security-events.csv"'
        return response
    query = {k: v for k, v in (("kind", kind), ("account", account)) if v}
    csv_url = reverse("accounts:security-events") + "?" + urlencode({**query, "format": "csv"})
    return render(
        request,
        "accounts/security_events.html",
        {
            "events": events[:500],
            "kinds": SecurityEvent.Kind.choices,
            "kind": kind,
            "account": account,
            "csv_url": csv_url,
        },
    )
