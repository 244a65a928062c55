"""schemathesis against every service's OpenAPI document: all checks, bounded examples.

Each service serves HTTP on 127.0.0.1 (a werkzeug server thread) from its own
migrated SQLite database, and schemathesis' engine runs its phases and every check
over the document, as ``schemathesis run`` would. An operation that needs a token
gets one of a role it names (``x-roles``, see ``shared.auth.roles_required``);
schemathesis also tries it without one. Zero server errors and zero schema
violations are expected; ``REFUSALS`` lists the rules a document can only state in
words.

(The engine rather than ``schema.parametrize()``: schemathesis' lazy pytest loader
does not run under pytest 9.2; HTTP rather than WSGI: checks that re-send requests
fail in schemathesis' WSGI transport.)
"""

from __future__ import annotations

import re
import threading
import uuid

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from werkzeug.serving import make_server

from shared.launcher import available_services
from shared.runtime import load_runtime
from tests.support.apps import bearer, service_app

SERVICES = [*available_services(), "tests.support.pingpong:runtime"]
METHODS = {"get", "put", "post", "patch", "delete"}
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429"]
# Bounded, so that all services together stay well under a minute on two cores.
SETTINGS = {
    "seed": 2026,
    "generation": {"max-examples": 15, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    # 5xx is never an acceptable answer to valid data (schemathesis' default allows it).
    "checks": {"positive_data_acceptance": {"expected-statuses": POSITIVE}},
}
# Schema-valid requests an operation may still refuse, and why: rules the document
# states in words only (across fields, against the database), and opaque cursors.
REFUSALS = {
    "post_clients": ("422", "org_type and org_id come together or not at all"),
    "post_user_memberships": ("422", "the role must suit the organisation type"),
    "post_providers": ("422", "province codes must exist; lengths count after trimming"),
    "patch_provider_item": ("422", "province codes must exist; lengths count after trimming"),
    "post_provider_courses": ("422", "lengths count after trimming"),
    "patch_course_item": ("422", "lengths count after trimming"),
    "post_provider_sessions": ("422", "dates in order; the course and province must exist"),
    "patch_session_item": ("422", "dates in order; the province must exist"),
    "get_sessions": ("400", "a cursor is opaque; module and province codes must exist"),
    "get_provider_sessions": ("400", "a cursor is opaque"),
}
# The organisation a principal of each role acts for.
ORGS = {"provider_staff": ("provider-1", "provider"), "sme_user": ("sme-1", "sme"),
        "sponsor_staff": ("sponsor-1", "sponsor"), "trainer": ("trainer-1", "trainer")}


def operation_settings(document: dict, key) -> list[dict]:
    """Per operation: a token of the first role a secured one names, and its refusals."""
    configured = []
    for item in document["paths"].values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            settings: dict = {"include-operation-id": operation["operationId"]}
            if operation.get("security"):
                role = (operation.get("x-roles") or ["platform_admin"])[0]
                org, org_type = ORGS.get(role, ("platform", "ilo"))
                settings["headers"] = bearer(key, role, org, org_type, subject="st-user")
            if operation["operationId"] in REFUSALS:
                status, _why = REFUSALS[operation["operationId"]]
                settings["checks"] = {"positive_data_acceptance": {
                    "expected-statuses": [*POSITIVE, status]}}
            if len(settings) > 1:
                configured.append(settings)
    return configured


def failures_of(schema) -> list[str]:
    """Every distinct failure the engine finds, one line each with a reproduction."""
    found: dict[tuple, str] = {}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            found[(event.label, type(event.value))] = f"{event.label}: error {event.value!r}"
        if isinstance(event, events.ScenarioFinished):
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        steps = check.failure_info.steps
                        found.setdefault((event.label, check.name, failure.title), (
                            f"{event.label}: {check.name}: {failure.title}: {failure.message}"
                            f"\n    {steps[-1].curl if steps else ''}"))
    return sorted(found.values())


def fresh_idempotency_keys(_context, headers: dict | None) -> dict | None:
    """Each valid Idempotency-Key a new one: generated keys repeat (``0``), and a key
    reused with another body is rightly a 422."""
    key = (headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and re.fullmatch(r"[!-~]([ -~]*[!-~])?", key):
        headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    return headers


@pytest.fixture(params=SERVICES, ids=lambda name: name.split(":")[0].rsplit(".", 1)[-1])
def api_schema(request, tmp_path, signing_key):
    """The service's document, served on 127.0.0.1, with tokens for secured operations."""
    app = service_app(load_runtime(request.param), tmp_path, signing_key)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    document = app.test_client().get("/openapi.json").json
    config = SchemathesisConfig.from_dict(
        {**SETTINGS, "operations": operation_settings(document, signing_key)})
    schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{server.port}/openapi.json",
                                           config=config)
    schema.hook("map_headers")(fresh_idempotency_keys)
    yield schema
    server.shutdown()
    thread.join()
    server.server_close()
    app.extensions["score_db"].dispose()


# schemathesis asks hypothesis for a repr of large generated bodies; only a cost.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_every_operation_conforms_to_its_document(api_schema):
    failures = failures_of(api_schema)

    assert failures == [], "\n".join(failures)
