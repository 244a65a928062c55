"""Use cases for users and memberships; each opens (or joins) the transaction it needs."""

from __future__ import annotations

import datetime as dt

from marshmallow import ValidationError, validate
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.identity import events
from services.identity.context import Identity
from services.identity.models import ROLE_ORG_TYPES, Membership, RefreshToken, User
from services.identity.passwords import password_problems
from shared.auth import Principal
from shared.config import ConfigError
from shared.db import Database
from shared.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from shared.events import publish
from shared.persistence import load, unique_violation

USER_READERS = frozenset({"platform_admin", "ilo_auditor"})
PLATFORM_ORG = ("ilo", "platform")
BOOTSTRAP = "system:bootstrap"


def normalise_email(email: str) -> str:
    """The canonical (trimmed, lower-case) form of an email address."""
    return email.strip().lower()


def register_user(db: Database, identity: Identity, email: str, name: str, password: str,
                  intended_role: str) -> User:
    """Create a self-registered account; publishes ``user.registered``."""
    email = normalise_email(email)
    problems = password_problems(password, email)
    if problems:
        raise ValidationFailed("the password is too weak", errors={"password": problems})
    password_hash = identity.passwords.hash(password)  # slow: outside the write lock
    with db.transaction() as session:
        return _create_user(session, identity.now(), email, name, password_hash, intended_role)


def _create_user(session: Session, now: dt.datetime, email: str, name: str,
                 password_hash: str, intended_role: str | None) -> User:
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("an account with this email already exists",
                       errors={"email": ["already registered"]})
    user = User(email=email, name=name, password_hash=password_hash,
                intended_role=intended_role, created_at=now)
    session.add(user)
    # A concurrent registration of the same email may win the race.
    with unique_violation("an account with this email already exists",
                          {"email": ["already registered"]}):
        session.flush()
    publish(session, events.USER_REGISTERED, user.id, events.user_registered(user))
    return user


def ensure_may_see_user(principal: Principal, user_id: str) -> None:
    """Users see themselves; admins and auditors see everyone; others see nothing."""
    if principal.subject != user_id and principal.role not in USER_READERS:
        raise NotFound("no such user")


def get_user(db: Database, principal: Principal, user_id: str) -> User:
    """One user, if the caller may see them."""
    ensure_may_see_user(principal, user_id)
    with db.reading() as session:
        return load(session, User, user_id)


def list_users(db: Database, page: int, per_page: int,
               email: str | None = None) -> tuple[list[User], int]:
    """One page of users (oldest first) and the total count."""
    query = select(User)
    if email:
        query = query.where(User.email == normalise_email(email))
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        items = session.scalars(query.order_by(User.created_at, User.id)
                                .offset((page - 1) * per_page).limit(per_page)).all()
        return list(items), total


def active_memberships(session: Session, user_id: str) -> list[Membership]:
    """The user's unrevoked memberships, first granted first."""
    return list(session.scalars(
        select(Membership)
        .where(Membership.user_id == user_id, Membership.revoked_at.is_(None))
        .order_by(Membership.granted_at, Membership.id)))


def list_memberships(db: Database, principal: Principal, user_id: str) -> list[Membership]:
    """All memberships of a user, revoked ones included, oldest first."""
    ensure_may_see_user(principal, user_id)
    with db.reading() as session:
        load(session, User, user_id)
        return list(session.scalars(select(Membership).where(Membership.user_id == user_id)
                                    .order_by(Membership.granted_at, Membership.id)))


def grant_membership(db: Database, identity: Identity, principal: Principal, user_id: str,
                     org_type: str, org_id: str, role: str) -> Membership:
    """An admin gives a user a role in an organisation; publishes ``membership.granted``."""
    with db.transaction() as session:
        load(session, User, user_id)
        return _grant(session, identity.now(), user_id, org_type, org_id, role,
                      granted_by=principal.subject)


def grant_registrant(session: Session, now: dt.datetime, user_id: str, role: str,
                     org_id: str, granted_by: str) -> Membership:
    """Make the user who registered an organisation its member in ``role``.

    Idempotent and in the caller's transaction (a consumed event's): a provider's
    registrant becomes its ``provider_staff``, an SME's its ``sme_user``, a sponsor's
    its ``sponsor_staff``.
    """
    if session.get(User, user_id) is None:
        # Raised, not ignored: the event is retried and finally dead-lettered.
        raise LookupError(f"user {user_id} does not exist")
    org_type = ROLE_ORG_TYPES[role]
    existing = _active_membership(session, user_id, org_type, org_id)
    if existing is not None:
        return existing
    return _grant(session, now, user_id, org_type, org_id, role, granted_by)


def _active_membership(session: Session, user_id: str, org_type: str,
                       org_id: str) -> Membership | None:
    return session.scalar(select(Membership).where(
        Membership.user_id == user_id, Membership.org_type == org_type,
        Membership.org_id == org_id, Membership.revoked_at.is_(None)))


def _grant(session: Session, now: dt.datetime, user_id: str, org_type: str, org_id: str,
           role: str, granted_by: str) -> Membership:
    if ROLE_ORG_TYPES.get(role) != org_type:
        raise ValidationFailed(f"role {role} cannot be held in an organisation of type {org_type}",
                               errors={"org_type": [f"{role} needs {ROLE_ORG_TYPES.get(role)}"]})
    if _active_membership(session, user_id, org_type, org_id) is not None:
        raise Conflict("the user already belongs to this organisation")
    membership = Membership(user_id=user_id, org_type=org_type, org_id=org_id, role=role,
                            granted_by=granted_by, granted_at=now)
    session.add(membership)
    session.flush()
    publish(session, events.MEMBERSHIP_GRANTED, membership.id,
            events.membership_granted(membership), providerid=events.provider_of(membership))
    return membership


def revoke_membership(db: Database, identity: Identity, principal: Principal,
                      membership_id: str) -> Membership:
    """Withdraw a membership and every refresh token issued for it."""
    now = identity.now()
    with db.transaction() as session:
        membership = load(session, Membership, membership_id, lock=True)
        if not membership.active:
            raise InvalidTransition("the membership is already revoked")
        if membership.role == "platform_admin" and _admin_count(session) <= 1:
            raise Conflict("the last platform admin cannot be revoked")
        membership.revoked_at, membership.revoked_by = now, principal.subject
        session.execute(update(RefreshToken)
                        .where(RefreshToken.membership_id == membership.id,
                               RefreshToken.revoked_at.is_(None))
                        .values(revoked_at=now))
        publish(session, events.MEMBERSHIP_REVOKED, membership.id,
                events.membership_revoked(membership), providerid=events.provider_of(membership))
        return membership


def _admin_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Membership).where(
        Membership.role == "platform_admin", Membership.revoked_at.is_(None))) or 0


def bootstrap_admin(db: Database, identity: Identity) -> User | None:
    """Create the configured platform admin unless that account exists; None if nothing done."""
    config = identity.config
    if config.bootstrap_email is None or config.bootstrap_password is None:
        return None
    email = normalise_email(config.bootstrap_email)
    _check_bootstrap_credentials(email, config.bootstrap_password)
    with db.reading() as session:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            return None
    try:
        return create_member(db, identity, email, config.bootstrap_name,
                             config.bootstrap_password, PLATFORM_ORG, "platform_admin",
                             granted_by=BOOTSTRAP)
    except Conflict:  # another worker process created it first
        return None


def create_member(db: Database, identity: Identity, email: str, name: str, password: str,
                  org: tuple[str, str], role: str, granted_by: str) -> User:
    """Create an account that already belongs to an organisation (bootstrap, demo data)."""
    password_hash = identity.passwords.hash(password)  # slow: outside the write lock
    with db.transaction() as session:
        user = _create_user(session, identity.now(), normalise_email(email), name,
                            password_hash, intended_role=None)
        _grant(session, identity.now(), user.id, *org, role, granted_by=granted_by)
        return user


def _check_bootstrap_credentials(email: str, password: str) -> None:
    try:
        validate.Email()(email)
    except ValidationError as exc:
        raise ConfigError(f"bootstrap_admin_email {email!r} is not an email address") from exc
    problems = password_problems(password, email)
    if problems:
        raise ConfigError(f"bootstrap_admin_password {'; '.join(problems)}")
