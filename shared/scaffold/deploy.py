"""A new service's entries in the deploy files (Kubernetes, compose, PostgreSQL, Kafka).

New files come from ``templates/deploy``; existing files get the service's lines
appended to the lists that enumerate services, next to the entries already
there, leaving every other line alone. Everything is computed and checked
(YAML parses, the new entries are there) before anything is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from shared.scaffold import TEMPLATES, render

TOP_LEVEL_KEY = re.compile(r"^[A-Za-z0-9_.-]+:")


def add_to_deploy(root: Path, variables: dict[str, str]) -> list[Path]:
    """Add the service named in ``variables`` to the deploy files under ``root``."""
    name = variables["name"]
    k8s = root / "deploy" / "kubernetes"
    changes: dict[Path, str] = {
        k8s / "base" / name / "kustomization.yaml": _template("kustomization.yaml", variables),
        k8s / "base" / "kustomization.yaml": append_to_block(
            _read(k8s / "base" / "kustomization.yaml"), "resources", f"  - {name}\n"),
    }
    for overlay in sorted((k8s / "overlays").glob("*/kustomization.yaml")):
        changes[overlay] = _overlay(_read(overlay), name)
        changes[overlay.parent / "secrets" / f"{name}.env.example"] = _template(
            "secrets.env.example", variables)
    changes.update(_compose_and_env(root, variables))
    init_sql = root / "deploy" / "postgres" / "init.sql"
    changes[init_sql] = _read(init_sql) + _template("init.sql", variables)
    topics = root / "deploy" / "kafka" / "topics.sh"
    changes[topics] = event_topic(_read(topics), name)
    for path, text in changes.items():
        if path.suffix in (".yaml", ".yml"):
            yaml.safe_load(text)  # a broken file is never written
    for path, text in changes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(changes)


def _read(path: Path) -> str:
    return path.read_text()


def _template(name: str, variables: dict[str, str]) -> str:
    return render((TEMPLATES / "deploy" / f"{name}.tmpl").read_text(), variables)


def block_end(lines: list[str], key: str) -> int:
    """Index after the last content line of top-level ``key:``'s block."""
    start = next((i for i, line in enumerate(lines)
                  if TOP_LEVEL_KEY.match(line) and line.split(":")[0] == key), None)
    if start is None:
        raise ValueError(f"no top-level {key}: block")
    end = start + 1
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if TOP_LEVEL_KEY.match(line):
            break
        if line.strip() and not line.lstrip().startswith("#"):
            end = index + 1
    return end


def append_to_block(text: str, key: str, addition: str) -> str:
    """``text`` with ``addition`` after the last entry of the top-level ``key:`` block."""
    lines = text.splitlines(keepends=True)
    end = block_end(lines, key)
    return "".join([*lines[:end], addition, *lines[end:]])


def _overlay(text: str, name: str) -> str:
    """A service's replica counts (as the other services') and its secret generator."""
    if re.search(r"^replicas:", text, re.M):
        counts = {role: re.search(rf"name: \S+-{role}\n\s+count: (\d+)", text)
                  for role in ("api", "relay")}
        text = append_to_block(text, "replicas", "".join(
            f"  - name: {name}-{role}\n    count: {match.group(1) if match else 2}\n"
            for role, match in counts.items()))
    return append_to_block(text, "secretGenerator", (
        f"  - name: {name}-secrets\n    behavior: replace\n    envs:\n"
        f"      - secrets/{name}.env\n"))


def _compose_and_env(root: Path, variables: dict[str, str]) -> dict[Path, str]:
    name, upper = variables["name"], variables["NAME"]
    compose_path, env_path = root / "docker-compose.yml", root / "deploy" / ".env.example"
    compose = _read(compose_path)
    compose = _after_last_service_settings(compose, _template("compose-settings.yaml",
                                                              variables))
    compose = append_to_block(compose, "services",
                              "\n" + _template("compose-services.yaml", variables).rstrip("\n")
                              + "\n")
    compose = after_last_line(compose, r"^ {6}[A-Z0-9]+_DB_PASSWORD: ",
                              f"      {upper}_DB_PASSWORD: ${{{upper}_DB_PASSWORD:?set "
                              f"{upper}_DB_PASSWORD in .env}}\n")
    env = after_last_line(_read(env_path), r"^[A-Z0-9]+_DB_PASSWORD=", f"{upper}_DB_PASSWORD=\n")
    env = after_last_line(env, r"^SCORE_[A-Z0-9]+_SECRET_KEY=", f"SCORE_{upper}_SECRET_KEY=\n")
    parsed = yaml.safe_load(compose)
    missing = {f"{name}-api", f"{name}-relay"} - set(parsed["services"])
    if missing:
        raise ValueError(f"docker-compose.yml: {sorted(missing)} not added")
    return {compose_path: compose, env_path: env}


def _after_last_service_settings(compose: str, block: str) -> str:
    """Insert ``block`` after the last ``x-<service>`` settings block (one naming SERVICE)."""
    lines = compose.splitlines(keepends=True)
    keys = [i for i, line in enumerate(lines) if TOP_LEVEL_KEY.match(line)]
    settings = [lines[i].split(":")[0] for n, i in enumerate(keys)
                if lines[i].startswith("x-") and any(
                    line.startswith("  SERVICE:")
                    for line in lines[i:keys[n + 1] if n + 1 < len(keys) else len(lines)])]
    if not settings:
        raise ValueError("docker-compose.yml: no x-<service> settings block to follow")
    end = block_end(lines, settings[-1])
    return "".join([*lines[:end], "\n", block.rstrip("\n") + "\n", *lines[end:]])


def after_last_line(text: str, pattern: str, addition: str) -> str:
    """``text`` with ``addition`` after the last line matching ``pattern``."""
    lines = text.splitlines(keepends=True)
    matches = [i for i, line in enumerate(lines) if re.match(pattern, line)]
    if not matches:
        raise ValueError(f"no line like {pattern!r} to follow")
    return "".join([*lines[:matches[-1] + 1], addition, *lines[matches[-1] + 1:]])


def event_topic(script: str, name: str) -> str:
    """topics.sh with ``score.<name>`` among its event topics (90 days), unless it is there."""
    if re.search(rf"^score\.{name}\s", script, re.M):
        return script
    lines = script.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith('EVENT_TOPICS="'))
    close = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == '"')
    entry = f"{'score.' + name:<20} $((90 * DAY_MS))\n"
    return "".join([*lines[:close], entry, *lines[close:]])
