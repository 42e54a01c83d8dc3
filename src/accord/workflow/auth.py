"""Where to send someone who must sign in first: the site's login page, or the admin's until there is one."""

from __future__ import annotations

from django.conf import settings
from django.urls import Resolver404, resolve, reverse


def login_url() -> str:
    url = str(settings.LOGIN_URL)
    try:
        resolve(url)
        return url
    except Resolver404:
        return reverse("admin:login")
