"""``score new-service``: a generated service has the shape of every service, as generated."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from shared.config import ConfigError
from shared.runtime import discover_runtimes, load_runtime
from shared.scaffold import NewService, check, new_service
from tests.support.shape import (
    migrate_down_and_up,
    migration_drift,
    service_app,
    undocumented_operations,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_package(tmp_path):
    """An importable, empty package standing in for ``services`` (removed afterwards)."""
    package = f"scaffolded_{uuid.uuid4().hex[:8]}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    yield package
    sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
        del sys.modules[module]


def test_a_new_service_passes_the_shape_checks_and_serves_its_openapi_document(
        tmp_path, scratch_package, app_config):
    new_service(NewService("ledger", 6101, package=scratch_package,
                           tests_package="generated_tests"), tmp_path)
    runtime = load_runtime(f"{scratch_package}.ledger:runtime")

    assert migration_drift(runtime, f"sqlite:///{tmp_path}/drift.db") == []
    migrate_down_and_up(runtime, f"sqlite:///{tmp_path}/roundtrip.db")
    app = service_app(runtime, app_config(), tmp_path)
    try:
        client = app.test_client()
        response = client.get("/openapi.json")
        assert response.status_code == 200
        assert response.json["info"]["title"] == "SCORE Marketplace – Ledger"
        assert undocumented_operations(response.json) == []
        assert client.get("/readyz").status_code == 200
    finally:
        app.extensions["score_db"].dispose()


def test_the_generated_tests_pass_as_generated(tmp_path, scratch_package):
    new_service(NewService("ledger", 6102, package=scratch_package,
                           tests_package="generated_tests"), tmp_path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), "-m", "not integration",
         str(tmp_path / "generated_tests" / "ledger")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "6 passed" in run.stdout


def test_new_services_start_after_the_services_they_depend_on(tmp_path, scratch_package):
    new_service(NewService("ledger", 6103, package=scratch_package), tmp_path, deploy=False)
    new_service(NewService("audit", 6104, ("ledger",), package=scratch_package), tmp_path,
                deploy=False)

    runtimes = discover_runtimes(scratch_package)

    assert [(r.name, r.port, r.depends_on) for r in runtimes] == [
        ("ledger", 6103, ()), ("audit", 6104, ("ledger",))]


def test_the_deploy_files_get_the_new_service(tmp_path, scratch_package):
    (tmp_path / "deploy").mkdir()
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy", dirs_exist_ok=True)
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    new_service(NewService("ledger", 6105, package=scratch_package), tmp_path)

    compose = yaml.safe_load((tmp_path / "docker-compose.yml").read_text())
    api = compose["services"]["ledger-api"]
    assert (api["environment"]["SERVICE"], api["environment"]["PORT"]) == ("ledger", "6105")
    assert api["ports"] == ["127.0.0.1:6105:6105"]
    assert compose["services"]["ledger-relay"]["environment"]["ROLE"] == "relay"
    assert "LEDGER_DB_PASSWORD" in compose["services"]["postgres"]["environment"]
    k8s = tmp_path / "deploy" / "kubernetes"
    assert "ledger" in yaml.safe_load((k8s / "base" / "kustomization.yaml").read_text())[
        "resources"]
    folder = yaml.safe_load((k8s / "base" / "ledger" / "kustomization.yaml").read_text())
    assert folder["namePrefix"] == "ledger-" and "components" not in folder
    overlay = yaml.safe_load((k8s / "overlays" / "production" / "kustomization.yaml")
                             .read_text())
    assert "ledger-secrets" in {g["name"] for g in overlay["secretGenerator"]}
    assert (k8s / "overlays" / "production" / "secrets" / "ledger.env.example").is_file()
    env_example = (tmp_path / "deploy" / ".env.example").read_text()
    assert "\nLEDGER_DB_PASSWORD=\n" in env_example
    assert "\nSCORE_LEDGER_SECRET_KEY=\n" in env_example
    assert "CREATE DATABASE ledger OWNER ledger" in (
        tmp_path / "deploy" / "postgres" / "init.sql").read_text()
    assert "\nscore.ledger " in (tmp_path / "deploy" / "kafka" / "topics.sh").read_text()
    assert subprocess.run(["sh", "-n", str(tmp_path / "deploy" / "kafka" / "topics.sh")],
                          check=False).returncode == 0


@pytest.mark.parametrize(("spec", "reason"), [
    (NewService("Enrolment", 6110), "lower-case letters and digits"),
    (NewService("kafka", 6110), "reserved"),
    (NewService("catalog", 6110), "already exists"),
    (NewService("ledger", 5001), "port 5001 is taken by catalog"),
    (NewService("ledger", 80), "between 1024 and 65535"),
    (NewService("ledger", 6110, ("payments",)), "no such service to depend on: payments"),
])
def test_a_service_that_could_not_work_is_refused_with_the_reason(spec, reason):
    with pytest.raises(ConfigError, match=reason):
        check(spec, ROOT)


def test_the_command_writes_the_service_and_its_tests_and_says_what_is_next(tmp_path, capsys):
    from shared.cli import main

    assert main(["new-service", "ledger", "--port", "6120", "--depends", "identity,catalog",
                 "--root", str(tmp_path), "--no-deploy"]) == 0

    runtime_source = (tmp_path / "services" / "ledger" / "__init__.py").read_text()
    assert "port=6120" in runtime_source and "depends_on=('identity', 'catalog')" in runtime_source
    assert (tmp_path / "tests" / "ledger" / "test_shape.py").is_file()
    assert list((tmp_path / "services" / "ledger" / "migrations" / "versions").glob(
        "*_initial.py"))
    assert "docs/SERVICE_GUIDE.md" in capsys.readouterr().out


def test_the_command_refuses_a_taken_port_without_writing_anything(tmp_path, capsys):
    from shared.cli import main

    assert main(["new-service", "ledger", "--port", "5010", "--root", str(tmp_path)]) == 2
    assert "port 5010 is taken by identity" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_long_description_still_gives_lint_clean_code(tmp_path, scratch_package):
    description = ("Sponsors, funds as ledgers, offers with eligibility rules, quotes and "
                   "reservations at checkout, and what a description this long must not break.")
    new_service(NewService("ledger", 6105, package=scratch_package, description=description),
                tmp_path, deploy=False)
    runtime = load_runtime(f"{scratch_package}.ledger:runtime")

    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "--config", str(ROOT / "pyproject.toml"),
                           str(tmp_path / scratch_package / "ledger")],
                          capture_output=True, text=True, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert runtime.description == description
