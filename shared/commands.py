"""A service's own ``score`` subcommands: ``score <service> <command> ...``.

A service lists them in ``ServiceRuntime.commands``; the CLI mounts them under
the service's name only when that name is asked for, so ``score alive`` (a
liveness probe, run every few seconds) never imports the services. A command
gets the service's runtime, settings and database, as ``score job`` does, and
returns the process's exit code.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.db import Database
    from shared.runtime import ServiceRuntime


@dataclasses.dataclass(frozen=True)
class CommandContext:
    """What a command may use: the service's runtime, settings and database."""

    runtime: ServiceRuntime
    settings: Settings
    db: Database


@dataclasses.dataclass(frozen=True)
class Command:
    """``score <service> <name>``: ``run(context, args)`` returns the exit code;
    ``arguments(parser)`` adds the command's own options."""

    name: str
    run: Callable[[CommandContext, argparse.Namespace], int]
    help: str = ""
    arguments: Callable[[argparse.ArgumentParser], None] | None = None
