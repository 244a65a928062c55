"""Command line: ``python -m tests.infra ensure [COMPONENT ...]`` / ``start COMPONENT``.

``ensure`` installs and caches the components (``make test`` runs it before pytest);
``start`` runs one throwaway instance in the foreground and prints its connection
info until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType, ModuleType

from tests.infra import (
    ComponentError,
    Service,
    asyncapi,
    browser,
    kafka,
    postgres,
    stripe_mock,
    tools,
)

COMPONENTS: dict[str, ModuleType] = {
    "kafka": kafka,
    "postgres": postgres,
    "stripe-mock": stripe_mock,
    "asyncapi-schema": asyncapi,
    "deploy-tools": tools,
    "browser": browser,
}


def _info(service: Service) -> list[str]:
    """Connection info lines for a started component."""
    if isinstance(service, kafka.KafkaBroker):
        return [f"KAFKA_BOOTSTRAP_SERVERS={service.bootstrap}"]
    if isinstance(service, postgres.PostgresServer):
        psql = service.bindir / "psql"
        return [
            f"DATABASE_URL={service.url()}",
            f"psql: {psql} -h {service.host} -p {service.port} -U {service.user}",
        ]
    if isinstance(service, stripe_mock.StripeMock):
        return [f"STRIPE_API_BASE={service.url}"]
    return [repr(service)]


def ensure(names: list[str]) -> int:
    """Install every named component; print where it lives and how long it took."""
    failed = 0
    for name in names:
        started = time.monotonic()
        try:
            path: Path = COMPONENTS[name].ensure_installed()
        except ComponentError as exc:
            failed += 1
            print(f"{name}: FAILED: {exc}", file=sys.stderr)
            continue
        print(f"{name}: {path} ({time.monotonic() - started:.1f}s)")
    return 1 if failed else 0


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def start(name: str) -> int:
    """Start one component and keep it running until interrupted."""
    starter: Callable[[], Service] = COMPONENTS[name].start
    began = time.monotonic()
    try:
        service = starter()
    except ComponentError as exc:
        print(f"{name}: FAILED: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _raise_interrupt)
    with service:
        print(f"{name} ready in {time.monotonic() - began:.1f}s (pid {service.process.pid})")
        for line in _info(service):
            print(f"  {line}")
        print(f"  workdir: {service.workdir}\nCtrl-C to stop.", flush=True)
        try:
            while service.alive:
                time.sleep(0.5)
            print(f"{name} exited with {service.process.returncode}:\n{service.log_tail()}")
            return 1
        except KeyboardInterrupt:
            print(f"\nstopping {name}...")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m tests.infra``."""
    parser = argparse.ArgumentParser(prog="python -m tests.infra", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ensure_cmd = sub.add_parser("ensure", help="install/cache components (default: all)")
    ensure_cmd.add_argument("components", nargs="*", metavar="{" + ",".join(COMPONENTS) + "}")
    start_cmd = sub.add_parser("start", help="run one component in the foreground")
    start_cmd.add_argument("component",  # the ones that run (the others only install)
                           choices=[name for name, module in COMPONENTS.items()
                                    if hasattr(module, "start")])
    args = parser.parse_args(argv)
    if args.command == "ensure":
        unknown = sorted(set(args.components) - set(COMPONENTS))
        if unknown:
            parser.error(f"unknown component(s): {', '.join(unknown)}")
        return ensure(args.components or list(COMPONENTS))
    return start(args.component)


if __name__ == "__main__":
    sys.exit(main())
