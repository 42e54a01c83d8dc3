"""Sign in and out: the pages are accounts' (one throttle, the second factor, the security log)."""

from accord.accounts.views import LoginView, LogoutView

__all__ = ["LoginView", "LogoutView"]
