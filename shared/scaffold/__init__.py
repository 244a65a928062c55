"""``score new-service``: a new service with the standard shape, its tests and deploy files.

    score new-service enrolment --port 5002 --depends identity,catalog

writes ``services/<name>/`` (runtime with port, dependencies and seed; models,
schemas, api, service, events, handlers, seed; migrations whose first revision
creates the event tables), ``tests/<name>/`` (shape and smoke tests) and, in a
checkout with ``deploy/``, the service's deploy entries (:mod:`shared.scaffold.deploy`).
The result passes the shape test and serves ``/openapi.json`` as generated.
What is left to do by hand is the checklist in ``docs/SERVICE_GUIDE.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import textwrap
import uuid
from pathlib import Path

from shared.config import GLOBAL_SETTINGS, ConfigError
from shared.runtime import discover_runtimes

TEMPLATES = Path(__file__).parent / "templates"
NAME = re.compile(r"^[a-z][a-z0-9]{1,29}$")
# A service called like the first word of a global setting would read SCORE_KAFKA_... as its own.
RESERVED = frozenset(name.split("_")[0] for name in GLOBAL_SETTINGS) | {"score", "shared", "tests"}


@dataclasses.dataclass(frozen=True)
class NewService:
    """What ``score new-service`` is asked for."""

    name: str
    port: int
    depends_on: tuple[str, ...] = ()
    description: str = "what it owns – say it in one sentence."
    package: str = "services"
    tests_package: str = "tests"

    def variables(self) -> dict[str, str]:
        """The values the templates' ``{{...}}`` placeholders stand for."""
        return {
            "name": self.name, "Title": self.name.capitalize(), "NAME": self.name.upper(),
            "port": str(self.port), "depends_on": repr(tuple(self.depends_on)),
            "package": self.package,
            "description": self.description,
            "summary": _wrapped(f"The {self.name} service: {self.description}"),
            "description_literal": _literal(self.description),
            "revision": uuid.uuid4().hex[:12],
            "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        }


def _wrapped(text: str, width: int = 96) -> str:
    """A docstring paragraph within the project's line length."""
    return textwrap.fill(text, width)


def _literal(text: str, width: int = 80) -> str:
    """``text`` as a Python string expression within the project's line length."""
    parts = textwrap.wrap(text, width, drop_whitespace=False) or [""]
    if len(parts) == 1:
        return repr(parts[0])
    return "(" + "\n               ".join(repr(part) for part in parts) + ")"


def check(spec: NewService, root: Path) -> None:
    """Refuse a name, port or dependency that cannot work (:class:`ConfigError`)."""
    if not NAME.match(spec.name):
        raise ConfigError(f"{spec.name!r}: a service name is 2-30 lower-case letters and digits")
    if spec.name in RESERVED:
        raise ConfigError(f"{spec.name!r} is reserved (SCORE_{spec.name.upper()}_... would "
                          "mean a global setting)")
    if (root / spec.package.replace(".", "/") / spec.name).exists():
        raise ConfigError(f"{spec.package}/{spec.name} already exists")
    if not 1024 <= spec.port <= 65535:
        raise ConfigError(f"port {spec.port}: choose one between 1024 and 65535")
    existing = {runtime.name: runtime.port for runtime in discover_runtimes(spec.package)}
    if spec.name in existing:
        raise ConfigError(f"{spec.name} already exists")
    taken = [name for name, port in existing.items() if port == spec.port]
    if taken:
        raise ConfigError(f"port {spec.port} is taken by {taken[0]}")
    unknown = [name for name in spec.depends_on if name not in existing]
    if unknown:
        raise ConfigError(f"no such service to depend on: {', '.join(unknown)} "
                          f"(there are: {', '.join(sorted(existing)) or 'none'})")


def render(template: str, variables: dict[str, str]) -> str:
    """``template`` with each ``{{key}}`` replaced (no other syntax: code stays code)."""
    for key, value in variables.items():
        template = template.replace("{{" + key + "}}", value)
    leftover = re.search(r"\{\{\w+\}\}", template)
    if leftover:
        raise ValueError(f"template placeholder {leftover.group()} has no value")
    return template


def write_tree(source: Path, target: Path, variables: dict[str, str]) -> list[Path]:
    """Render every ``*.tmpl`` under ``source`` into ``target`` (same relative paths)."""
    written = []
    for template in sorted(source.rglob("*.tmpl")):
        relative = template.relative_to(source).with_suffix("")
        if relative.name == "initial.py":
            relative = relative.with_name(f"{variables['revision']}_initial.py")
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template.read_text(), variables))
        written.append(path)
    return written


def new_service(spec: NewService, root: Path, *, deploy: bool = True) -> list[Path]:
    """Generate ``spec`` under ``root`` (a checkout); the files written or changed."""
    check(spec, root)
    variables = spec.variables()
    written = write_tree(TEMPLATES / "service",
                         root / spec.package.replace(".", "/") / spec.name, variables)
    written += write_tree(TEMPLATES / "tests",
                          root / spec.tests_package.replace(".", "/") / spec.name, variables)
    if deploy and (root / "deploy").is_dir():
        from shared.scaffold.deploy import add_to_deploy

        written += add_to_deploy(root, variables)
    return written
