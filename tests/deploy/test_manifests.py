"""Checks of the deployment files that need neither a cluster nor a Docker engine.

deploy/Dockerfile, deploy/boot.sh, deploy/kafka/topics.sh, deploy/postgres/init.sql,
deploy/kubernetes/** and docker-compose.yml are checked for what can be known without
running them: they parse, what they reference exists, they agree with each other and
with the code (settings in shared/config.py, ports, consumed topics), and the pods are
locked down. ``kubectl kustomize`` renders the Kubernetes layout when kubectl is there.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from shared.config import DEV_SECRET, Settings, load_settings
from shared.events.consumer import dlq_topic
from shared.runtime import discover_runtimes, load_runtime
from shared.tokens import SigningKey
from tests.infra_fixtures import unavailable

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
BASE = K8S / "base"
OVERLAYS = K8S / "overlays"
COMPOSE = ROOT / "docker-compose.yml"
BOOT = DEPLOY / "boot.sh"
TOPICS = DEPLOY / "kafka" / "topics.sh"
DOCKERFILE = DEPLOY / "Dockerfile"
ENV_EXAMPLE = DEPLOY / ".env.example"
INIT_SQL = DEPLOY / "postgres" / "init.sql"

ROLES = {"api", "relay", "consumer", "job", "migrate"}
UID = 10001
EVENT_TOPICS = ["score.identity", "score.catalog", "score.enrolment", "score.sponsorship",
                "score.certification", "score.audit"]
# Service-specific settings (Settings.extra) named in the brief; more are found in the
# services' code by _service_extras().
DOCUMENTED_EXTRAS = {"identity": {"signing_key", "previous_signing_keys",
                                  "bootstrap_admin_email", "bootstrap_admin_password",
                                  "bootstrap_admin_name"},
                     # The credential issuer's key and the public base of its DID and
                     # status lists (issue 10), wired before the issuing use cases.
                     "certification": {"issuer_key", "public_url"}}
SCORE_VAR = re.compile(r"\bSCORE_[A-Z0-9_]+\b")
# Each service's port, from its runtime (the deploy files must agree).
PORTS = {runtime.name: runtime.port for runtime in discover_runtimes()}


# ---------------------------------------------------------------- helpers

def _yaml_files() -> list[Path]:
    files = [*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml"), COMPOSE]
    return sorted(set(files))


def _load_all(path: Path) -> list:
    with path.open() as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def _kustomizations() -> list[Path]:
    return sorted(K8S.rglob("kustomization.yaml"))


def _k8s_objects() -> Iterator[tuple[Path, dict]]:
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in _load_all(path):
            yield path, doc


def _deployments() -> list[tuple[str, dict]]:
    found = [(f"{path.relative_to(K8S)}:{doc['metadata']['name']}", doc)
             for path, doc in _k8s_objects() if doc.get("kind") == "Deployment"]
    assert found, "no Deployment under deploy/kubernetes"
    return found


def _service_dirs() -> dict[str, Path]:
    """base/<service>/ folders: the ones whose kustomization has a namePrefix."""
    found = {}
    for path in sorted(BASE.glob("*/kustomization.yaml")):
        kustomization = yaml.safe_load(path.read_text())
        if kustomization.get("namePrefix"):
            found[path.parent.name] = path.parent
    return found


def _literals(kustomization: dict, generator: str, name: str) -> dict[str, str]:
    for entry in kustomization.get(generator) or []:
        if entry.get("name") == name:
            return dict(item.split("=", 1) for item in entry.get("literals") or [])
    return {}


def _env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env") or []}


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _compose_apps() -> dict[str, dict]:
    """Compose services that run the SCORE image (they name a SERVICE)."""
    return {name: spec for name, spec in _compose()["services"].items()
            if "SERVICE" in (spec.get("environment") or {})}


def _settings_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(Settings)} - {"service", "extra"}


def _service_extras(service: str) -> set[str]:
    """Extra settings a service's code reads: ``settings.get("x")``, ``f(settings, "x")``,
    and the URL of each service it calls (``<callee>_url``, what the launcher sets)."""
    names = set(DOCUMENTED_EXTRAS.get(service, set()))
    names |= {f"{callee}_url" for callee in load_runtime(service).calls}
    package = ROOT / "services" / service
    for source in package.rglob("*.py") if package.is_dir() else []:
        text = source.read_text()
        names |= set(re.findall(r"settings\.get\(\s*[\"'](\w+)[\"']", text))
        names |= set(re.findall(r"\(\s*settings\s*,\s*[\"'](\w+)[\"']", text))
    return names


def _allowed_score_vars() -> set[str]:
    fields = _settings_fields()
    allowed = {f"SCORE_{f.upper()}" for f in fields}
    for service in PORTS:
        prefix = f"SCORE_{service.upper()}_"
        allowed |= {prefix + f.upper() for f in fields}
        allowed |= {prefix + e.upper() for e in _service_extras(service)}
    return allowed


def _score_vars_in_deploy_files() -> dict[str, set[str]]:
    """Every SCORE_* name in the deployment files (not the READMEs), by name → files."""
    files = [COMPOSE, ENV_EXAMPLE, BOOT, DOCKERFILE, TOPICS, INIT_SQL,
             *K8S.rglob("*.yaml"), *K8S.rglob("*.example")]
    found: dict[str, set[str]] = {}
    for path in files:
        for name in SCORE_VAR.findall(path.read_text()):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _handled_topics(service: str) -> list[str]:
    handlers = load_runtime(service).handlers
    return list(handlers.topics) if handlers is not None and len(handlers) else []


def _boot_heartbeat() -> str:
    """The heartbeat file boot.sh hands the relay, the consumer and jobs (one for all)."""
    files = set(re.findall(r'--heartbeat "\$\{HEARTBEAT:-([^}]+)\}"', BOOT.read_text()))
    assert len(files) == 1, f"boot.sh passes no or several --heartbeat files: {files}"
    return files.pop()


def _jobs(service: str) -> set[str]:
    return {job.name for job in load_runtime(service).jobs}


def _check_heartbeat_probe(command: list[str], where: str) -> None:
    """A liveness check of the file boot.sh's worker beats, with room for the longest wait."""
    assert command[:3] == ["python", "-m", "shared.heartbeat"], f"{where}: {command}"
    assert command[3] == _boot_heartbeat(), f"{where}: probes another file than is beaten"
    # A Kafka flush may block the loop for up to 30 s; an outage must not fail the probe.
    assert float(command[command.index("--max-age") + 1]) >= 60, where


def _shell_list(script: str, variable: str) -> list[str]:
    match = re.search(rf'^{variable}="(.*?)"$', script, re.S | re.M)
    assert match, f"{variable} not found"
    return [line.split()[0] for line in match.group(1).strip().splitlines() if line.strip()]


# ---------------------------------------------------------------- YAML and kustomize

@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_parses(path):
    assert _load_all(path), f"{path} is empty"


@pytest.mark.parametrize("path", _kustomizations(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_kustomization_reference_exists(path):
    kustomization = yaml.safe_load(path.read_text())
    here = path.parent
    assert kustomization.get("kind") in ("Kustomization", "Component")
    for entry in kustomization.get("resources") or []:
        target = here / entry
        assert target.exists(), f"{path}: resource {entry} does not exist"
        if target.is_dir():
            assert (target / "kustomization.yaml").is_file(), f"{target} has no kustomization"
    for entry in kustomization.get("components") or []:
        component = yaml.safe_load((here / entry / "kustomization.yaml").read_text())
        assert component["kind"] == "Component", f"{path}: {entry} is not a Component"
    for patch in kustomization.get("patches") or []:
        if "path" in patch:
            assert (here / patch["path"]).is_file(), f"{path}: patch {patch['path']} missing"
    for generator in ("configMapGenerator", "secretGenerator"):
        for entry in kustomization.get(generator) or []:
            for env_file in entry.get("envs") or []:
                # Secret values are not committed; the example says what to put there.
                real, example = here / env_file, here / f"{env_file}.example"
                assert real.is_file() or example.is_file(), f"{path}: {env_file} missing"
            for item in entry.get("files") or []:
                file = here / item.split("=", 1)[-1]
                assert file.is_file() or (file.parent / ".gitignore").is_file(), (
                    f"{path}: {item} is neither committed nor in a git-ignored secrets folder")


def test_every_service_folder_is_in_the_base_and_has_secrets_in_every_overlay():
    base = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    services = _service_dirs()
    assert {"identity", "catalog"} <= set(services)
    assert set(services) <= set(base["resources"]), "a service folder is not listed in base/"
    for overlay in sorted(OVERLAYS.glob("*/kustomization.yaml")):
        secrets = {e["name"] for e in yaml.safe_load(overlay.read_text()).get("secretGenerator")
                   or []}
        for service in services:
            assert f"{service}-secrets" in secrets, f"{overlay}: no {service}-secrets"


@pytest.mark.parametrize("service", sorted(_service_dirs()))
def test_service_folder_matches_the_code(service):
    folder = _service_dirs()[service]
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    assert kustomization["namePrefix"] == f"{service}-"
    literals = _literals(kustomization, "configMapGenerator", "service")
    assert literals.get("SERVICE") == service
    assert literals.get("PORT") == str(PORTS[service]), "PORT is not the service's port"
    assert (ROOT / "services" / service / "__init__.py").is_file()
    # The consumer component exactly where the service handles events: `score consume`
    # exits at once for a service without handlers (a crash loop).
    has_consumer = any(Path(c).name == "consumer" for c in kustomization.get("components") or [])
    assert has_consumer == bool(_handled_topics(service)), (
        f"{service}: consumer component {'present' if has_consumer else 'missing'}, "
        f"handled topics {_handled_topics(service)}")


# ---------------------------------------------------------------- pods

@pytest.mark.parametrize(("where", "deployment"), _deployments(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_deployment_is_locked_down_and_bounded(where, deployment):
    pod = deployment["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext") or {}
    assert pod.get("automountServiceAccountToken") is False, where
    mounts_tmp = {v["name"] for v in pod.get("volumes") or [] if "emptyDir" in v}
    containers = [*(pod.get("initContainers") or []), *pod["containers"]]
    for container in containers:
        name = f"{where}/{container['name']}"
        security = container.get("securityContext") or {}
        run_as_non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
        assert run_as_non_root is True, f"{name}: runAsNonRoot"
        assert security.get("runAsUser", pod_security.get("runAsUser")) == UID, name
        assert security.get("allowPrivilegeEscalation") is False, f"{name}: privilege escalation"
        assert security.get("readOnlyRootFilesystem") is True, f"{name}: writable root"
        assert security.get("capabilities", {}).get("drop") == ["ALL"], f"{name}: capabilities"
        seccomp = security.get("seccompProfile") or pod_security.get("seccompProfile") or {}
        assert seccomp.get("type") == "RuntimeDefault", f"{name}: seccomp"
        tmp = [m for m in container.get("volumeMounts") or [] if m["mountPath"] == "/tmp"]
        assert tmp and tmp[0]["name"] in mounts_tmp, f"{name}: /tmp is not an emptyDir"
        resources = container.get("resources") or {}
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(kind) or {}), f"{name}: {kind}"
        assert _env(container).get("ROLE") in ROLES, f"{name}: ROLE"


@pytest.mark.parametrize(("where", "deployment"), _deployments(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_deployment_migrates_first_and_has_probes(where, deployment):
    pod = deployment["spec"]["template"]["spec"]
    init = pod.get("initContainers") or []
    assert [_env(c).get("ROLE") for c in init] == ["migrate"], f"{where}: migrate initContainer"
    (main,) = pod["containers"]
    role = _env(main)["ROLE"]
    assert "readinessProbe" in main, f"{where}: no readiness probe"
    if role == "api":
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert main["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert main["readinessProbe"]["httpGet"]["port"] == "http"
        assert [p["name"] for p in main["ports"]] == ["http"]
        assert _env(main).get("MIGRATE") == "0", "the initContainer migrates; the API need not"
    else:
        assert role in ("relay", "consumer", "job")
        assert "score status" in " ".join(main["readinessProbe"]["exec"]["command"])
        _check_heartbeat_probe(main["livenessProbe"]["exec"]["command"], where)
    if role in ("relay", "consumer"):
        assert [p["containerPort"] for p in main["ports"] if p["name"] == "metrics"] == [9100]
    if role in ("relay", "job"):
        assert deployment["spec"]["replicas"] == 2, f"{role}: a leader and a hot standby"


def test_api_service_targets_the_named_port():
    services = [doc for _, doc in _k8s_objects() if doc.get("kind") == "Service"]
    assert services
    for service in services:
        assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]


# ---------------------------------------------------------------- rendered by kustomize

def required_tool(name: str) -> str:
    """A checker's path; missing fails under CI (``make test`` installs it), else skips."""
    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed (python -m tests.infra ensure deploy-tools)")
    return found


def _kustomize(directory: Path) -> list[dict]:
    kubectl = required_tool("kubectl")
    result = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _stand_in(name: str) -> str:
    """A value for a setting the operator fills in (a URL where one is expected)."""
    return "https://stand-in.example" if name.endswith("_URL") else f"stand-in-{name.lower()}"


@pytest.fixture
def rendered_overlays(tmp_path) -> dict[str, list[dict]]:
    """Every overlay rendered, with stand-in secrets made from the committed examples."""
    copy = tmp_path / "kubernetes"
    shutil.copytree(K8S, copy)
    for example in copy.rglob("*.example"):
        # Every secret left blank for the operator to fill in gets a stand-in.
        text = re.sub(r"^(SCORE_\w+)=$", lambda m: f"{m[1]}={_stand_in(m[1])}",
                      example.read_text(), flags=re.M)
        example.with_suffix("").write_text(text)
    for kustomization in copy.glob("overlays/*/kustomization.yaml"):
        for entry in yaml.safe_load(kustomization.read_text()).get("secretGenerator") or []:
            for item in entry.get("files") or []:
                stand_in = kustomization.parent / item.split("=", 1)[-1]
                if not stand_in.exists():
                    stand_in.write_text(SigningKey.generate().to_pem())
    return {overlay.name: _kustomize(overlay) for overlay in sorted((copy / "overlays").iterdir())}


def test_base_renders_with_one_api_relay_per_service():
    objects = _kustomize(BASE)
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for service in _service_dirs():
        for kind, name in (("Deployment", "api"), ("Deployment", "relay"), ("Service", "api"),
                           ("PodDisruptionBudget", "api")):
            assert (kind, f"{service}-{name}") in names
        assert (("Deployment", f"{service}-consumer") in names) == bool(_handled_topics(service))
        jobs = {_env(c).get("JOB") for o in objects if o["kind"] == "Deployment"
                and o["metadata"]["name"].startswith(f"{service}-")
                for c in o["spec"]["template"]["spec"]["containers"]
                if _env(c).get("ROLE") == "job"}
        assert jobs == _jobs(service), f"{service}: job Deployments {jobs}"
    assert all(o["metadata"].get("namespace") == "score" for o in objects
               if o["kind"] != "Namespace")


def test_overlays_render_consistently(rendered_overlays):
    assert rendered_overlays, "no overlay"
    for overlay, objects in rendered_overlays.items():
        by_kind: dict[str, dict[str, dict]] = {}
        for obj in objects:
            by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
        configmaps, secrets = by_kind.get("ConfigMap", {}), by_kind.get("Secret", {})
        for name, deployment in by_kind["Deployment"].items():
            pod = deployment["spec"]["template"]["spec"]
            for container in [*pod["initContainers"], *pod["containers"]]:
                where = f"{overlay}: {name}/{container['name']}"
                assert container["image"] != "score-marketplace", f"{where}: image not set"
                for source in container["envFrom"]:
                    if "configMapRef" in source:
                        assert source["configMapRef"]["name"] in configmaps, where
                    else:
                        assert source["secretRef"]["name"] in secrets, where
                if _env(container)["ROLE"] == "api":
                    settings = next(configmaps[s["configMapRef"]["name"]]["data"]
                                    for s in container["envFrom"]
                                    if "service" in s.get("configMapRef", {}).get("name", ""))
                    port = int(settings["PORT"])
                    assert port == PORTS[settings["SERVICE"]]
                    assert container["ports"][0]["containerPort"] == port, where
                    service = by_kind["Service"][name]
                    assert service["spec"]["ports"][0]["port"] == port, where
        for name, secret in secrets.items():
            assert secret.get("data"), f"{overlay}: secret {name} is empty"
        settings = next(c["data"] for n, c in configmaps.items() if n.startswith("score-settings"))
        assert settings["SCORE_ENV"] == "production"
        assert settings["SCORE_BUS"] == "kafka"


def _check_production_settings(service: str, role: str, environ: dict[str, str], where: str):
    """What the process would do at start: load and validate its settings."""
    settings = load_settings(service, environ=environ)
    assert settings.is_production, where
    assert settings.bus == "kafka", where
    assert settings.secret_key not in ("", DEV_SECRET), where
    assert settings.database_url.startswith("postgresql+psycopg://"), where
    assert not settings.auto_migrate and not settings.run_workers, where
    if service == "enrolment":
        from services.enrolment import payments, sponsorship

        assert payments.build(settings).settings.gateway == "stripe", where  # refuses sandbox
        # Checkouts ask the in-cluster sponsorship service for sponsors' shares.
        assert sponsorship.build(settings).settings.quotes_url == \
            "http://sponsorship-api:5003/quotes", where
    if service == "identity" and role == "api":
        from services.identity.context import build_identity

        identity = build_identity(settings)  # parses the signing key, checks production
        assert identity.keys.current is not None
    if service == "enrolment" and environ.get("JOB") == "mailer":
        from services.enrolment.mail.settings import load_mail_settings

        mail = load_mail_settings(settings)  # an SMTP host and From address, TLS for a password
        assert mail.backend == "smtp", where
    if service == "sponsorship" and environ.get("JOB") == "reaper":
        from services.sponsorship.config import SponsorshipPolicy, load_policy

        # The timing parses, and the defaults the deploy files spell out are the code's.
        assert load_policy(settings) == SponsorshipPolicy(), where


def test_kubernetes_containers_start_with_valid_production_settings(rendered_overlays):
    for overlay, objects in rendered_overlays.items():
        sources = {(o["kind"], o["metadata"]["name"]): o for o in objects}
        for obj in objects:
            if obj["kind"] != "Deployment":
                continue
            pod = obj["spec"]["template"]["spec"]
            for container in [*pod["initContainers"], *pod["containers"]]:
                environ: dict[str, str] = {}
                for source in container["envFrom"]:
                    if "configMapRef" in source:
                        environ |= sources[("ConfigMap", source["configMapRef"]["name"])]["data"]
                    else:
                        data = sources[("Secret", source["secretRef"]["name"])]["data"]
                        environ |= {k: base64.b64decode(v).decode() for k, v in data.items()}
                environ |= _env(container)
                where = f"{overlay}: {obj['metadata']['name']}/{container['name']}"
                _check_production_settings(environ["SERVICE"], environ["ROLE"], environ, where)


def test_compose_containers_start_with_valid_production_settings():
    # What a filled-in .env gives: the PEM on one line with \n escapes, as documented.
    pem = SigningKey.generate().to_pem().strip().replace("\n", "\\n")
    fill = {"SCORE_IDENTITY_SIGNING_KEY": pem, "SCORE_CERTIFICATION_ISSUER_KEY": pem,
            "ENROLMENT_MAIL_FROM": "SCORE Marketplace <no-reply@score.example.org>"}

    def interpolate(value: str) -> str:
        def one(match: re.Match) -> str:
            name, default = match.group(1), match.group(3)
            if match.group(2) == ":-":
                return default
            return fill.get(name, _stand_in(name))

        return re.sub(r"\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}", one, value)

    for name, spec in _compose_apps().items():
        environ = {key: interpolate(str(value)) for key, value in spec["environment"].items()}
        _check_production_settings(environ["SERVICE"], environ["ROLE"], environ, name)


# ---------------------------------------------------------------- settings

def test_every_score_variable_is_a_setting_the_code_reads():
    found = _score_vars_in_deploy_files()
    assert "SCORE_ENV" in found
    unknown = {name: sorted(files) for name, files in found.items()
               if name not in _allowed_score_vars()}
    assert not unknown, f"not settings of shared/config.py or a service: {unknown}"


def test_production_secrets_are_wired():
    found = _score_vars_in_deploy_files()
    assert "SCORE_IDENTITY_SIGNING_KEY" in found
    compose = _compose_apps()
    for name, spec in compose.items():
        env = spec["environment"]
        service = env["SERVICE"]
        assert env["SCORE_ENV"] == "production", name
        assert {"SCORE_SECRET_KEY", f"SCORE_{service.upper()}_SECRET_KEY"} & set(env), name
        assert {"SCORE_DATABASE_URL", f"SCORE_{service.upper()}_DATABASE_URL"} & set(env), name
        url = env.get("SCORE_DATABASE_URL") or env[f"SCORE_{service.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://"), name
    identity_api = next(s for s in compose.values()
                        if s["environment"]["SERVICE"] == "identity"
                        and s["environment"]["ROLE"] == "api")
    assert "SCORE_IDENTITY_SIGNING_KEY" in identity_api["environment"]


# ---------------------------------------------------------------- compose

def test_compose_publishes_ports_on_loopback_only():
    for name, spec in _compose()["services"].items():
        for port in spec.get("ports") or []:
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name}: {port} is not bound to 127.0.0.1"


def test_compose_services_match_the_code():
    apps = _compose_apps()
    seen = {}
    for name, spec in apps.items():
        env = spec["environment"]
        service, role = env["SERVICE"], env["ROLE"]
        seen.setdefault(service, set()).add(role)
        assert role in ROLES, name
        assert spec["user"] == f"{UID}:{UID}" and spec["read_only"] is True, name
        assert spec["cap_drop"] == ["ALL"], name
        assert "healthcheck" in spec, name
        if role == "api":
            port = PORTS[service]
            assert env["PORT"] == str(port), name
            assert [str(p).rsplit(":", 1)[-1] for p in spec["ports"]] == [str(port)], name
            assert "/healthz" in " ".join(spec["healthcheck"]["test"]), name
        else:
            test = spec["healthcheck"]["test"]
            assert test[0] == "CMD", name
            _check_heartbeat_probe(test[1:], name)
    for service, roles in seen.items():
        expected = {"api", "relay"} | ({"consumer"} if _handled_topics(service) else set()) \
            | ({"job"} if _jobs(service) else set())
        assert roles == expected, f"{service}: {sorted(roles)}"
        jobs = {spec["environment"].get("JOB") for spec in apps.values()
                if spec["environment"]["SERVICE"] == service
                and spec["environment"]["ROLE"] == "job"}
        assert jobs == _jobs(service), f"{service}: jobs {jobs}"
    assert {"identity", "catalog"} <= set(seen)


def test_compose_databases_and_variables_are_provided():
    compose_text = COMPOSE.read_text()
    example = ENV_EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, re.M))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))
    assert used <= documented, f"not in deploy/.env.example: {sorted(used - documented)}"
    init = INIT_SQL.read_text()
    postgres_env = _compose()["services"]["postgres"]["environment"]
    for service in {s["environment"]["SERVICE"] for s in _compose_apps().values()}:
        assert f"CREATE DATABASE {service} OWNER {service}" in init
        assert f"\\getenv password {service.upper()}_DB_PASSWORD" in init
        assert f"{service.upper()}_DB_PASSWORD" in postgres_env


def test_dockerignore_keeps_secrets_out_of_the_build_context():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*", "an allow-list: everything excluded first"
    allowed = [p[1:] for p in patterns if p.startswith("!")]
    assert not any(".env" in p or "secret" in p for p in allowed)
    copied = re.findall(r"^COPY (?!--from)(?:--\S+ )*(.+) \S+$", DOCKERFILE.read_text(), re.M)
    for sources in copied:
        for source in sources.split():
            assert any(source.rstrip("/").startswith(a.rstrip("/")) or
                       a.startswith(source.split("[")[0]) for a in allowed), source


# ---------------------------------------------------------------- image and scripts

def test_dockerfile_final_stage_is_slim_and_unprivileged():
    text = DOCKERFILE.read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    assert len(stages) >= 2, "multi-stage"
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    final = stages[-1]
    assert re.search(rf"^USER {UID}(:{UID})?$", final, re.M)
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert not re.search(r"gcc|build-essential|apt-get install", final), "build tools in final"
    assert 'ENTRYPOINT ["/usr/local/bin/boot.sh"]' in final


def test_boot_script_is_valid_bash_with_the_roles_used():
    assert os.access(BOOT, os.X_OK), "boot.sh must be executable"
    bash = shutil.which("bash")
    assert bash, "bash is needed to check boot.sh"
    result = subprocess.run([bash, "-n", str(BOOT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    text = BOOT.read_text()
    cases = set(re.findall(r"^ {4}(\w+)\)$", text, re.M))
    assert cases == ROLES
    assert 'exec score relay "$SERVICE" --heartbeat "${HEARTBEAT:-' in text
    assert 'exec score consume "$SERVICE" --heartbeat "${HEARTBEAT:-' in text
    assert 'exec score job "$SERVICE" "$JOB" --heartbeat "${HEARTBEAT:-' in text
    assert text.count('--metrics-port "${METRICS_PORT:-9100}"') == 2
    assert '"services.${SERVICE}:create_app()"' in text
    assert "--access-logfile -" in text


def test_the_heartbeat_probe_passes_on_a_fresh_heartbeat_and_fails_on_a_stale_one(tmp_path):
    # The probe command of the manifests, run here against a file of our own.
    probe = [sys.executable, "-m", "shared.heartbeat", str(tmp_path / "heartbeat"),
             "--max-age", "60"]
    assert subprocess.run(probe, capture_output=True, check=False).returncode == 1
    (tmp_path / "heartbeat").touch()
    assert subprocess.run(probe, capture_output=True, check=False).returncode == 0
    stale = time.time() - 61
    os.utime(tmp_path / "heartbeat", (stale, stale))
    assert subprocess.run(probe, capture_output=True, check=False).returncode == 1


@pytest.mark.parametrize("script", [BOOT, TOPICS], ids=lambda p: p.name)
def test_shell_scripts_pass_shellcheck(script):
    shellcheck = required_tool("shellcheck")
    result = subprocess.run([shellcheck, str(script)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout


def test_topics_script_creates_every_topic_and_the_dead_letter_topics_consumers_need():
    assert os.access(TOPICS, os.X_OK), "topics.sh must be executable"
    result = subprocess.run(["sh", "-n", str(TOPICS)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    text = TOPICS.read_text()
    assert _shell_list(text, "EVENT_TOPICS") == EVENT_TOPICS
    assert "--if-not-exists" in text
    assert 'PARTITIONS="${PARTITIONS:-6}"' in text
    assert "min.insync.replicas" in text and "retention.ms" in text
    services = {path.parent.name for path in (ROOT / "services").glob("*/__init__.py")}
    # Default consumer groups (score-<service>); SCORE_CONSUMER_GROUP would rename the DLQs.
    expected = {dlq_topic(topic, load_runtime(service).group)
                for service in services for topic in _handled_topics(service)}
    assert expected >= {"score.catalog.dlq.score-identity", "score.enrolment.dlq.score-catalog"}
    assert set(_shell_list(text, "DLQ_TOPICS")) == expected
    assert "SCORE_CONSUMER_GROUP" not in _score_vars_in_deploy_files(), (
        "a custom consumer group renames its dead-letter topics: add those to topics.sh")
