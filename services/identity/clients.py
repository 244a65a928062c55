"""Use cases for machine clients (client-credentials grant): register, list, revoke."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from services.identity.context import Identity
from services.identity.models import Client
from services.identity.tokens import digest, new_secret
from shared.auth import Principal
from shared.db import Database
from shared.errors import InvalidTransition, NotFound


def create_client(db: Database, identity: Identity, principal: Principal, name: str, role: str,
                  org_type: str | None = None, org_id: str | None = None) -> tuple[Client, str]:
    """Register a machine client; returns it with its secret (the only time it is shown)."""
    secret = new_secret()
    client = Client(id=f"client-{secrets.token_hex(8)}", name=name, role=role,
                    org_type=org_type, org_id=org_id, secret_hash=digest(secret),
                    created_by=principal.subject, created_at=identity.now())
    with db.transaction() as session:
        session.add(client)
    return client, secret


def ensure_client(db: Database, identity: Identity, client_id: str, name: str, role: str,
                  secret: str, created_by: str, org_type: str | None = None,
                  org_id: str | None = None) -> bool:
    """Register a machine client with a known id and secret unless it exists (True if made).

    For development seeds only: a known secret is a published one, so production
    settings refuse it on the client's side (:mod:`shared.config`).
    """
    with db.transaction() as session:
        if session.get(Client, client_id) is not None:
            return False
        session.add(Client(id=client_id, name=name, role=role, org_type=org_type, org_id=org_id,
                           secret_hash=digest(secret), created_by=created_by,
                           created_at=identity.now()))
        return True


def list_clients(db: Database) -> list[Client]:
    """Every machine client, oldest first."""
    with db.reading() as session:
        return list(session.scalars(select(Client).order_by(Client.created_at, Client.id)))


def revoke_client(db: Database, identity: Identity, client_id: str) -> Client:
    """Stop a client from getting new tokens (tokens already issued expire on their own)."""
    with db.transaction() as session:
        client = session.get(Client, client_id)
        if client is None:
            raise NotFound("no such client")
        if client.revoked_at is not None:
            raise InvalidTransition("the client is already revoked")
        client.revoked_at = identity.now()
        return client
