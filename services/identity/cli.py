"""`python -m services.identity.cli …`: seed users, rotate the signing key, verify by hand.

Reads the same settings as the service (IDENTITY_DATABASE_URL, IDENTITY_SECRET_KEY, …). Each
command is one transaction; events it causes go through the outbox like any request's.
"""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import core, staff
from services.identity.config import Settings
from services.identity.models import is_role
from services.identity.normalize import normalize_email, normalize_phone
from services.identity.passwords import Passwords, policy_violations
from services.identity.schemas import check_name
from services.identity.signing import KeyRing
from shared import clock
from shared.auth import ROLES
from shared.db import make_engine, make_sessionmaker, transaction
from shared.i18n import LOCALES

T = TypeVar("T")


def _run(work: Callable[[AsyncSession, core.Deps], Awaitable[T]]) -> T:
    settings = Settings()
    clock.use_business_timezone(settings.business_timezone)
    deps = core.Deps(
        settings=settings,
        passwords=Passwords.from_settings(settings),
        keyring=KeyRing(settings.secret_key),
    )

    async def main() -> T:
        engine = make_engine(settings.database_url, pool_size=1)
        try:
            async with transaction(make_sessionmaker(engine)) as session:
                return await work(session, deps)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def create_user(args: argparse.Namespace) -> None:
    try:
        email = normalize_email(args.email)
        phone = normalize_phone(args.phone, args.phone_region)
        check_name(args.name)
    except ValueError as error:
        _fail(str(error))
    named = [r.strip() for r in args.roles.split(",") if r.strip()] if args.roles else None
    roles = [r for r in named if is_role(r)] if named is not None else None
    unknown = sorted(set(named or []) - set(roles or []))
    if unknown:
        _fail(f"unknown roles {unknown}; use {', '.join(ROLES)}")
    problems = policy_violations(args.password, email=email, name=args.name)
    if problems:
        _fail("password: " + "; ".join(problems))

    async def work(session: AsyncSession, deps: core.Deps):
        return await staff.create_or_update_user(
            session,
            deps,
            email=email,
            name=args.name,
            phone=phone,
            password=args.password,
            locale=args.locale,
            roles=roles,
            verified=args.verified,
        )

    print(_run(work))


def rotate_key(args: argparse.Namespace) -> None:
    async def work(session: AsyncSession, deps: core.Deps):
        settings = deps.settings
        retire_after = timedelta(seconds=settings.key_retire_after_seconds)
        return await deps.keyring.store.rotate(session, core.now(), retire_after)

    key = _run(work)
    print(key.kid)


def verify(args: argparse.Namespace) -> None:
    async def work(session: AsyncSession, deps: core.Deps):
        user_id = await staff.user_id_by_email(session, args.email)
        if user_id is None:
            return None
        await staff.staff_verify(session, None, user_id, args.reason)
        return user_id

    user_id = _run(work)
    if user_id is None:
        _fail(f"no account has the email {args.email}")
    print(user_id)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m services.identity.cli", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    create = commands.add_parser(
        "create-user", help="create a user, or update roles/verification of an existing one; prints its id"
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--phone", required=True, help="international (+886…) or national number")
    create.add_argument("--phone-region", default="TW", help="region of a national number (default TW)")
    create.add_argument("--password", required=True, help="used only when the account is created")
    create.add_argument("--locale", default="en", choices=LOCALES)
    create.add_argument("--roles", help=f"comma-separated, from: {','.join(ROLES)} (default customer)")
    create.add_argument(
        "--verified", action="store_true", help="mark the email verified (emits UserVerified)"
    )
    create.set_defaults(run=create_user)

    rotate_cmd = commands.add_parser(
        "rotate-key", help="make a new signing key active; old keys keep verifying until they retire"
    )
    rotate_cmd.set_defaults(run=rotate_key)

    verify_cmd = commands.add_parser("verify", help="verify an account's email by hand (audited)")
    verify_cmd.add_argument("--email", required=True)
    verify_cmd.add_argument("--reason", required=True)
    verify_cmd.set_defaults(run=verify)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
