"""``score run``: the whole marketplace on one machine (SQLite, the local bus, demo data).

Every service found in ``services/`` runs as its own process (development
server, relay and consumer as threads), sharing the data directory for its
SQLite file and the local bus log. The launcher first takes every service's
port – so a second ``score run`` fails at once, naming the busy port – then
seeds demo data with progress, starts the services in dependency order on the
ports it holds, prints the URLs and stops everything on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping

from shared.config import load_settings
from shared.runtime import (
    ServiceRuntime,
    development_call_urls,
    development_jwks_url,
    discover_runtimes,
)
from shared.seeding import seed_all

HOST = "127.0.0.1"
# Where enrolment's card checkouts send the customer back (its settings' names).
CHECKOUT_RETURNS = {"SCORE_ENROLMENT_CHECKOUT_SUCCESS_URL": "done",
                    "SCORE_ENROLMENT_CHECKOUT_CANCEL_URL": "cancelled"}


def service_port(runtime: ServiceRuntime) -> int:
    """Where the launcher serves ``runtime`` (``SCORE_<NAME>_PORT`` or the runtime's port)."""
    return load_settings(runtime.name).port or runtime.port


def port_setting(runtime: ServiceRuntime) -> str:
    """The variable that moves ``runtime`` to another port."""
    return f"SCORE_{runtime.name.upper()}_PORT"


def take_ports(runtimes: list[ServiceRuntime]) -> dict[str, socket.socket]:
    """A listening socket on each service's port, or SystemExit naming the busy one.

    The services inherit these sockets, so whatever answers on a port afterwards
    is the service the launcher started, never a leftover process.
    """
    sockets: dict[str, socket.socket] = {}
    try:
        for runtime in runtimes:
            sockets[runtime.name] = _listen(runtime, service_port(runtime))
    except BaseException:
        for sock in sockets.values():
            sock.close()
        raise
    return sockets


def _listen(runtime: ServiceRuntime, port: int) -> socket.socket:
    if not port:
        raise SystemExit(f"{runtime.name} has no port: set {port_setting(runtime)}")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(
            f"cannot start {runtime.name}: port {port} on {HOST} is taken ({exc.strerror}).\n"
            f"Is the marketplace already running? Stop it, or give {runtime.name} another "
            f"port: {port_setting(runtime)}=<port> make run") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def development_environment(runtimes: list[ServiceRuntime],
                            environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` plus what services need to find each other in development.

    ``SCORE_JWKS_URL`` points at the service that publishes the token keys, each
    ``SCORE_<CALLER>_<CALLEE>_URL`` at a service another calls, and enrolment's card
    checkouts return to the portal's page of the enrolment (each unless set).
    """
    env = dict(environ)
    if not env.get("SCORE_JWKS_URL"):
        env["SCORE_JWKS_URL"] = development_jwks_url(runtimes)
    for name, url in development_call_urls(runtimes).items():
        env.setdefault(name, url)
    by_name = {runtime.name: runtime for runtime in runtimes}
    if "portal" in by_name and "enrolment" in by_name:
        # A card checkout ends on the portal's page of the enrolment it paid.
        portal = f"http://{HOST}:{service_port(by_name['portal'])}"
        for name, returned in CHECKOUT_RETURNS.items():
            env.setdefault(name, f"{portal}/sme/enrolments/{{enrolment_id}}?returned={returned}")
    return env


def _wait_healthy(name: str, port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see its log above")
        try:
            # The socket listens before the service is up: the request waits in its
            # backlog (a dead service resets it), so one patient request is enough.
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=10):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not become healthy on port {port}")


def run_all(seed: bool = True) -> int:
    """Start every service, print where they are, and wait for Ctrl-C."""
    runtimes = discover_runtimes()
    sockets = take_ports(runtimes)
    env = development_environment(runtimes, os.environ)
    env["SCORE_RUN_WORKERS"] = "true"
    processes: dict[str, subprocess.Popen] = {}

    def stop(*_args) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def on_sigterm(*_args) -> None:
        stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        if seed:
            print(f"Seeding demo data in {data_dirs(runtimes)} ...", flush=True)
            seed_all(runtimes, progress=lambda line: print(line, flush=True))
        for runtime in runtimes:
            processes[runtime.name] = _start(runtime, sockets.pop(runtime.name), env)
            _wait_healthy(runtime.name, service_port(runtime), processes[runtime.name])
        _print_urls(runtimes)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        failed = [n for n, p in processes.items() if p.poll() is not None]
        print(f"stopped: {', '.join(failed)} exited", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for sock in sockets.values():
            sock.close()
        stop()


def _start(runtime: ServiceRuntime, sock: socket.socket, env: dict[str, str]) -> subprocess.Popen:
    """``score serve`` on the socket the launcher holds (then the launcher lets go of it)."""
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", runtime.name,
             "--port", str(sock.getsockname()[1]), "--fd", str(sock.fileno())],
            env=env, pass_fds=(sock.fileno(),))
    finally:
        sock.close()


def data_dirs(runtimes: list[ServiceRuntime]) -> str:
    """Where the services keep their SQLite files and bus log (``SCORE_DATA_DIR``)."""
    return ", ".join(sorted({load_settings(r.name).data_dir for r in runtimes}))


def _print_urls(runtimes: list[ServiceRuntime]) -> None:
    print(f"\nSCORE Marketplace is running (embedded: data in {data_dirs(runtimes)}, "
          "local event bus):")
    for runtime in runtimes:
        if runtime.web_ui:
            print(f"  Open {runtime.title} in your browser: http://{HOST}:{service_port(runtime)}")
    for runtime in runtimes:
        port = service_port(runtime)
        print(f"  {runtime.name:<14} http://{HOST}:{port}   API docs: http://{HOST}:{port}/docs")
    print("Demo accounts: see README.md (Try it). Press Ctrl-C to stop.\n", flush=True)
