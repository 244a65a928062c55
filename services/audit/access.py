"""Who reads what in the audit log: the ILO reads all, a provider its own slice.

- ``ilo_auditor``, ``platform_admin`` and ``service`` (machine clients such as
  the ILO's own feed reader or another service) read every entry;
- ``provider_staff`` read the entries whose ``providerid`` is their provider
  (events that belong to no provider are not theirs);
- everyone else reads nothing (403). No one writes to the log over the API:
  only the ingest appends, and the auditor's writes are refused globally.
"""

from __future__ import annotations

from sqlalchemy import Select

from services.audit.models import Entry
from shared.auth import Principal

# The roles every audit read admits; the views narrow providers to their slice.
READERS = ("ilo_auditor", "platform_admin", "service", "provider_staff")


def provider_slice(principal: Principal) -> str | None:
    """The provider whose entries alone the caller may read; None: everything."""
    if principal.reads_everything:
        return None
    return principal.org or ""  # a provider account without a provider reads nothing


def scope_entries(query: Select, principal: Principal) -> Select:
    """``query`` over entries, narrowed to what ``principal`` may read."""
    provider = provider_slice(principal)
    return query if provider is None else query.where(Entry.providerid == provider)
