"""`accord token issue USER NAME [--scope read-write]` / `accord token list USER` / `accord token revoke PREFIX`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from accord.accounts import services
from accord.accounts.models import ApiToken, TokenScope
from accord.core.cli import AccordCommand


class Command(AccordCommand):
    help = "Issue, list and revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="issue a token; the key is printed once")
        issue.add_argument("user", help="username")
        issue.add_argument("name", help="what the token is for")
        issue.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        listing = sub.add_parser("list", help="a user's tokens")
        listing.add_argument("user")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def _user(self, name: str) -> Any:
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"no user {name!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "issue":
            token, key = services.issue_token(self._user(options["user"]), options["name"], scope=options["scope"])
            self.stdout.write(f"{key}\n(token {token.prefix}, {token.scope}; this key is not shown again)")
        elif options["action"] == "list":
            for token in ApiToken.objects.filter(user=self._user(options["user"])).order_by("id"):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                self.stdout.write(f"{token.prefix}  {token.scope:10}  {state:18}  {token.name}")
        else:
            found = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"no token {options['prefix']!r}")
            services.revoke_token(found)
            self.stdout.write(f"token {found.prefix} revoked")
