"""Free TCP port helpers (loopback only)."""

from __future__ import annotations

import contextlib
import socket

__all__ = ["LOOPBACK", "free_port", "free_ports", "port_open"]

LOOPBACK = "127.0.0.1"


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """Return ``count`` distinct ports that are free on ``host`` right now.

    The kernel picks them (bind to port 0); all sockets are held open until every
    port is chosen so the ports differ. Another process may still grab one before
    the caller binds it, so callers retry on "Address already in use".
    """
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(sock.getsockname()[1])
        return ports


def free_port(host: str = LOOPBACK) -> int:
    """Return one port that is free on ``host`` right now (see :func:`free_ports`)."""
    return free_ports(1, host)[0]


def port_open(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """True if a TCP connect to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
