"""Who may see and change what in the catalog (pure functions of principal and row).

- Anyone reads published data of approved providers. "Published" means ever
  published (``published_at`` set): a completed or cancelled session stays
  readable, a draft never is.
- A provider's own staff (role ``provider_staff``, claim ``org`` = provider id)
  read and change everything of their provider, nothing of another: a foreign
  row looks absent (404).
- The ILO auditor, platform admins and internal services read everything;
  only platform admins approve and suspend; the auditor writes nothing.
"""

from __future__ import annotations

from shared.auth import Principal
from shared.errors import Forbidden, NotFound, Unauthorized


def is_staff_of(principal: Principal | None, provider_id: str) -> bool:
    """True when ``principal`` is staff of provider ``provider_id``."""
    return (principal is not None and principal.role == "provider_staff"
            and principal.acts_for(provider_id))


def sees_private(principal: Principal | None, provider_id: str) -> bool:
    """Drafts and pending providers: own staff and read-everything roles."""
    return principal is not None and (principal.reads_everything
                                      or is_staff_of(principal, provider_id))


def require_staff_of(principal: Principal, provider_id: str) -> None:
    """Writes on a provider's data: its own staff only (anyone else: 404)."""
    if not is_staff_of(principal, provider_id):
        raise NotFound("no such resource")


def require_role(principal: Principal, role: str) -> None:
    """Only ``role`` may do this (403)."""
    if principal.role != role:
        raise Forbidden(f"only {role} may do this")


def provider_visible(principal: Principal | None, provider) -> bool:
    """Approved providers are public; others only to their staff and auditors."""
    return provider.is_approved or sees_private(principal, provider.id)


def published_visible(principal: Principal | None, provider, published_at) -> bool:
    """A course or session: public once published, while its provider is approved."""
    if sees_private(principal, provider.id):
        return True
    return provider.is_approved and published_at is not None


def require_private_filter(principal: Principal | None, provider_id: str | None,
                           status: str | None, public_statuses: set[str]) -> None:
    """Asking for non-public states (drafts, pending) needs private access (401/403)."""
    if status is None or status in public_statuses:
        return
    if provider_id is None:
        allowed = principal is not None and principal.reads_everything
    else:
        allowed = sees_private(principal, provider_id)
    if principal is None:
        raise Unauthorized(f"authentication required to list {status} entries")
    if not allowed:
        raise Forbidden(f"only the provider's staff and auditors may list {status} entries")
