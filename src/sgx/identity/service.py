"""Rules of identity: users, logins, issuer roles and API tokens. Never commits."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit import service as audit
from sgx.errors import NotFound, ValidationFailed
from sgx.identity import passwords, throttle
from sgx.identity.models import ApiToken, IssuerMembership, IssuerRole, User
from sgx.identity.tokens import digest_api_token, new_api_token
from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow

_USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{2,150}$")


async def get_user_by_username(session: AsyncSession, *, username: str) -> User | None:
    return await session.scalar(select(User).where(User.username == username))


async def require_user(session: AsyncSession, *, username: str) -> User:
    user = await get_user_by_username(session, username=username)
    if user is None:
        raise NotFound(f"Användaren {username} finns inte.", code="user_not_found")
    return user


def _check_password(password: str) -> None:
    if len(password) < passwords.MIN_PASSWORD_LENGTH:
        raise ValidationFailed.single(
            "password",
            "password_too_short",
            f"Lösenordet måste ha minst {passwords.MIN_PASSWORD_LENGTH} tecken.",
        )


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    full_name: str = "",
    is_support: bool = False,
    actor: str = "system",
) -> User:
    username = username.strip()
    if not _USERNAME.match(username):
        raise ValidationFailed.single(
            "username",
            "username_invalid",
            "Användarnamnet får bara innehålla bokstäver a–z, siffror och . _ @ + -"
            " (2–150 tecken).",
        )
    if await get_user_by_username(session, username=username) is not None:
        raise ValidationFailed.single("username", "username_taken", "Användarnamnet är upptaget.")
    _check_password(password)
    user = User(
        username=username,
        full_name=full_name.strip(),
        password_hash=passwords.hash_password(password),
        is_support=is_support,
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        action="identity.user_created",
        actor=actor,
        subject=f"user:{user.id}",
        details={"username": user.username, "is_support": is_support},
    )
    return user


async def set_password(session: AsyncSession, *, user: User, password: str) -> None:
    _check_password(password)
    user.password_hash = passwords.hash_password(password)
    await session.flush()


async def authenticate(
    session: AsyncSession, *, username: str, password: str, now: dt.datetime | None = None
) -> User | None:
    """The active user with this username and password, or None (without saying which was wrong).

    Raises ``LoginThrottled`` without checking the password while the username is locked after
    too many failures (see ``sgx.identity.throttle``); a failure is counted, a success resets the
    count. A hash made with older Argon2 parameters is replaced by one made with the current ones.
    """
    now = now or utcnow()
    until = await throttle.locked_until(session, username=username, now=now)
    if until is not None:
        raise throttle.LoginThrottled(locked_until=until)
    user = await _verified_user(session, username=username, password=password)
    if user is None:
        await _count_failure(session, username=username, now=now)
        return None
    await throttle.clear(session, username=username)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        await session.flush()
    return user


async def _verified_user(session: AsyncSession, *, username: str, password: str) -> User | None:
    user = await get_user_by_username(session, username=username.strip())
    if user is None:
        passwords.burn_verification_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.is_active:
        return None
    return user


async def _count_failure(session: AsyncSession, *, username: str, now: dt.datetime) -> None:
    """Count the failure; a lock it starts goes into the audit trail of the users it shuts out."""
    if not await throttle.record_failure(session, username=username, now=now):
        return
    # Usernames are ASCII (see _USERNAME), where SQL lower() is the key's case-folding.
    locked_out = await session.scalars(
        select(User).where(func.lower(User.username) == throttle.username_key(username))
    )
    for user in locked_out:
        await audit.record(
            session,
            action="identity.login_locked",
            actor="system",
            subject=f"user:{user.id}",
            details={
                "username": user.username,
                "locked_until": (now + throttle.LOCKOUT).isoformat(),
            },
        )


async def grant_role(
    session: AsyncSession,
    *,
    user: User,
    issuer_id: int,
    role: IssuerRole,
    actor: str,
    actor_user_id: int | None = None,
) -> IssuerMembership:
    """Give the user ``role`` on the issuer, replacing any role they held there."""
    if await session.get(Issuer, issuer_id) is None:
        raise NotFound("Fakturautställaren finns inte.", code="issuer_not_found")
    membership = await session.scalar(
        select(IssuerMembership).where(
            IssuerMembership.user_id == user.id, IssuerMembership.issuer_id == issuer_id
        )
    )
    previous = membership.role.value if membership else None
    if membership is None:
        membership = IssuerMembership(user_id=user.id, issuer_id=issuer_id, role=role)
        session.add(membership)
    else:
        membership.role = role
    await session.flush()
    await audit.record(
        session,
        action="identity.role_granted",
        actor=actor,
        actor_user_id=actor_user_id,
        issuer_id=issuer_id,
        subject=f"user:{user.id}",
        details={"username": user.username, "role": role.value, "previous_role": previous},
    )
    return membership


async def create_api_token(
    session: AsyncSession, *, user: User, name: str = "", actor: str = "system"
) -> tuple[ApiToken, str]:
    """A new token for the user. The plain token is returned once; only its digest is stored."""
    token = new_api_token()
    api_token = ApiToken(
        user_id=user.id, name=name.strip()[:100], token_digest=digest_api_token(token)
    )
    session.add(api_token)
    await session.flush()
    await audit.record(
        session,
        action="identity.api_token_created",
        actor=actor,
        subject=f"api_token:{api_token.id}",
        details={"username": user.username, "name": api_token.name},
    )
    return api_token, token


async def revoke_api_token(session: AsyncSession, *, token_id: int, actor: str = "system") -> None:
    api_token = await session.get(ApiToken, token_id)
    if api_token is None:
        raise NotFound("API-nyckeln finns inte.", code="api_token_not_found")
    if api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
        await session.flush()
        await audit.record(
            session,
            action="identity.api_token_revoked",
            actor=actor,
            subject=f"api_token:{api_token.id}",
        )
