"""Cross-process wake-ups for the local bus: an idle consumer sleeps until a record is appended.

Each :class:`WakeupSocket` (one per local consumer) is a UNIX datagram socket in
a directory beside the bus file; :func:`wake_all` – called by a producer after
its append has committed – sends one byte to every socket there. A socket whose
owner died refuses the byte and is removed. Wake-ups only shorten a wait:
consumers still look for records at least every few seconds, so a lost one
delays nothing for long and a spurious one costs one query.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import select
import socket
from pathlib import Path

log = logging.getLogger(__name__)

_SUFFIX = ".sock"
# sockaddr_un holds ~108 bytes; longer paths go through /proc/self/fd (Linux).
_MAX_ADDRESS = 100


class _SocketDir:
    """The directory of one bus file's wake-up sockets, addressable whatever its path length."""

    def __init__(self, bus_path: str) -> None:
        self.path = Path(f"{bus_path}.wake")
        self.path.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)

    def address(self, name: str) -> str:
        direct = str(self.path / name)
        if len(direct) <= _MAX_ADDRESS:
            return direct
        return f"/proc/self/fd/{self._fd}/{name}"

    def names(self) -> list[str]:
        return [n for n in os.listdir(self.path) if n.endswith(_SUFFIX)]

    def close(self) -> None:
        os.close(self._fd)


class WakeupSocket:
    """A consumer's doorbell: :meth:`wait` returns when a producer appended (or on timeout)."""

    def __init__(self, bus_path: str) -> None:
        self._dir = _SocketDir(bus_path)
        self._name = f"{os.getpid()}-{secrets.token_hex(4)}{_SUFFIX}"
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._socket.bind(self._dir.address(self._name))
        except OSError:
            self._socket.close()
            self._dir.close()
            raise
        self._socket.setblocking(False)

    def drain(self) -> None:
        """Forget wake-ups received so far (call before looking for records)."""
        with contextlib.suppress(BlockingIOError):
            while True:
                self._socket.recv(64)

    def wait(self, timeout_s: float) -> None:
        """Block until a wake-up arrives or ``timeout_s`` passes."""
        select.select([self._socket], [], [], max(0.0, timeout_s))

    def close(self) -> None:
        """Stop receiving wake-ups and remove the socket file."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._dir.address(self._name))
        self._socket.close()
        self._dir.close()


class Waker:
    """A producer's side: wakes every consumer of the bus file."""

    def __init__(self, bus_path: str) -> None:
        self._dir = _SocketDir(bus_path)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def wake_all(self) -> None:
        """Send one byte to every consumer's socket; remove those of dead consumers."""
        for name in self._dir.names():
            address = self._dir.address(name)
            try:
                self._socket.sendto(b"\x01", address)
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(address)
            except OSError:  # a full queue already holds a wake-up: enough
                log.debug("wake-up not sent", exc_info=True)

    def close(self) -> None:
        """Release the socket and the directory handle."""
        self._socket.close()
        self._dir.close()
