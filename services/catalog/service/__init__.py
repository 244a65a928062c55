"""Catalog use cases: one function per command, each holding its own transaction.

``fn(db, principal, ...)``: check who may act, load (locked) what changes, let
the entities change state, and publish the event in the same transaction.
"""

from services.catalog.service.courses import (
    archive_course,
    create_course,
    get_course,
    list_courses,
    publish_course,
    update_course,
)
from services.catalog.service.providers import (
    approve_provider,
    get_provider,
    get_stripe_account,
    list_providers,
    register_provider,
    set_stripe_account,
    suspend_provider,
    update_provider,
)
from services.catalog.service.sessions import (
    cancel_session,
    complete_session,
    create_session,
    get_session,
    list_sessions,
    publish_session,
    start_session,
    update_session,
)

__all__ = [
    "approve_provider",
    "archive_course",
    "cancel_session",
    "complete_session",
    "create_course",
    "create_session",
    "get_course",
    "get_provider",
    "get_session",
    "get_stripe_account",
    "list_courses",
    "list_providers",
    "list_sessions",
    "publish_course",
    "publish_session",
    "register_provider",
    "set_stripe_account",
    "start_session",
    "suspend_provider",
    "update_course",
    "update_provider",
    "update_session",
]
