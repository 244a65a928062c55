"""``@role_page("sme_user")``: a page for signed-in users of some roles only."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort

from services.portal.users import LoginRequired, User, current_user


def role_page(*roles: str) -> Callable:
    """Visitors are sent to sign in; users of another role get a 403 page."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            user = current_user()
            if user is None:
                raise LoginRequired()
            if roles and user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def user() -> User:
    """The signed-in user (inside a ``role_page``)."""
    found = current_user()
    if found is None:
        raise LoginRequired()
    return found
