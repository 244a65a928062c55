"""The lifecycles of providers, courses and sessions as data (see :mod:`shared.lifecycle`).

``update`` is a self-transition: it names the states in which an entity may still be edited.
"""

from __future__ import annotations

from shared.lifecycle import Lifecycle

PROVIDER = Lifecycle("provider", "pending", {
    "pending": {"approve": "approved", "update": "pending"},
    "approved": {"suspend": "suspended", "update": "approved"},
    "suspended": {"approve": "approved", "update": "suspended"},
})

COURSE = Lifecycle("course", "draft", {
    "draft": {"publish": "published", "archive": "archived", "update": "draft"},
    "published": {"archive": "archived", "update": "published"},
})

SESSION = Lifecycle("session", "draft", {
    "draft": {"publish": "published", "cancel": "cancelled", "update": "draft"},
    "published": {"start": "in_progress", "cancel": "cancelled", "update": "published"},
    "in_progress": {"complete": "completed", "cancel": "cancelled"},
})
