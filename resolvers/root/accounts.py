"""Root fields of signing in (SPEC 1), merged into `Query` and `Mutation` in
resolvers/root/build.py."""

from __future__ import annotations

import strawberry

from permissions.classes import IsSignedIn
from resolvers import accounts
from schema.accounts import SessionPayload
from schema.payloads import OkPayload
from schema.types import Viewer


@strawberry.type
class AccountQuery:
    me: Viewer | None = strawberry.field(resolver=accounts.me, description="The signed-in user; null when anonymous.")


@strawberry.type
class AccountMutation:
    login: SessionPayload | None = strawberry.field(
        resolver=accounts.login, description="Sign in with username and password."
    )
    logout: OkPayload | None = strawberry.field(
        resolver=accounts.logout, permission_classes=[IsSignedIn], description="Revoke the current session."
    )
