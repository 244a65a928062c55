"""What identity's use cases need besides the database: config, keys, password hasher."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import current_app

from services.identity.config import IdentityConfig, load_identity_config
from services.identity.keys import KeyRing, load_keyring
from services.identity.passwords import Passwords
from shared import clock
from shared.config import Settings

EXTENSION = "score_identity"


@dataclasses.dataclass(frozen=True)
class Identity:
    """Identity's collaborators, built once per app."""

    config: IdentityConfig
    keys: KeyRing
    passwords: Passwords

    def now(self) -> dt.datetime:
        """The current time: the process's clock (``shared.clock``; tests install a fake)."""
        return clock.now()


def build_identity(settings: Settings) -> Identity:
    """Parse identity's settings and load its keys; :class:`ConfigError` when unusable."""
    config = load_identity_config(settings)
    keys = load_keyring(settings)
    passwords = Passwords(config.hash_time_cost, config.hash_memory_cost,
                          config.hash_parallelism)
    return Identity(config, keys, passwords)


def current_identity() -> Identity:
    """The identity context of the app handling this request."""
    return current_app.extensions[EXTENSION]
