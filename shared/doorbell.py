"""Wake threads of this process when something they wait for has happened.

A counter under a condition variable: a waiter remembers :attr:`Doorbell.rings`
*before* it looks for work and then waits for the count to move, so a ring that
comes between "found nothing" and "wait" is never lost, and any number of
waiters each see every ring.
"""

from __future__ import annotations

import threading


class Doorbell:
    """Rung by producers of work, waited on by the threads that do it."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._rings = 0

    @property
    def rings(self) -> int:
        """How often the bell has rung so far."""
        return self._rings

    def ring(self) -> None:
        """Wake every waiter."""
        with self._condition:
            self._rings += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout_s: float) -> bool:
        """Block until the bell rang after ``seen`` (True) or ``timeout_s`` passed (False)."""
        with self._condition:
            return self._condition.wait_for(lambda: self._rings != seen, timeout_s)
