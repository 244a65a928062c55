"""The training provider's pages (``provider_staff``), all for the user's own provider.

    common.py     the guard (a provider to act for, else its registration), refusals
                  in words, numbers and dates typed into forms
    home.py       registration (pending approval) and the overview
    courses.py    courses: list, create, edit, publish, archive
    sessions.py   sessions: list, create, edit, publish, start, complete, cancel; enrolments
    delivery.py   the attendance sheet and consultancy visits of a session
    money.py      bank transfers to confirm, monthly statements (revenue)

Every call names the signed-in user's organisation (``user().org``) – never an id
from the browser – and an item the browser names (a course, a session, a visit) is
shown or changed only once the service said it belongs to that organisation.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("provider", __name__, url_prefix="/provider")

from services.portal.web.provider import (  # noqa: E402  (the views register on bp)
    courses,
    delivery,
    home,
    money,
    sessions,
)

__all__ = ["bp", "courses", "delivery", "home", "money", "sessions"]
