"""The lifecycles of sponsors, funds, offers and reservations, as data.

Entities ask these tables for their next state; anything not in a table is an
:class:`~shared.errors.InvalidTransition` (409). Tests walk every ``pairs()``.
"""

from __future__ import annotations

from shared.lifecycle import Lifecycle

# A sponsor registers (pending) and a platform admin approves it; an approved
# sponsor may be suspended (its offers stop matching) and reinstated.
SPONSOR = Lifecycle("sponsor", "pending", {
    "pending": {"approve": "approved"},
    "approved": {"suspend": "suspended"},
    "suspended": {"approve": "approved"},
})

# A closed fund takes no new reservations; what it committed stays committed.
FUND = Lifecycle("fund", "open", {
    "open": {"close": "closed"},
})

# draft → published (matches at checkout) → withdrawn (no longer matches).
OFFER = Lifecycle("offer", "draft", {
    "draft": {"publish": "published", "withdraw": "withdrawn"},
    "published": {"withdraw": "withdrawn"},
})

# reserved at checkout; committed when the enrolment is confirmed; released when
# it expires, is cancelled or fell back to full price; reversed when a confirmed
# enrolment is cancelled or refunded. A payment that arrives after the hold was
# released confirms the enrolment late: the money is taken again if the funds
# still have it (late_commit).
RESERVATION = Lifecycle("reservation", "reserved", {
    "reserved": {"commit": "committed", "release": "released"},
    "released": {"late_commit": "committed"},
    "committed": {"reverse": "reversed"},
})
