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

from shared.runtime import discover_runtimes, load_runtime
from tests.support.apps import bearer, service_app

SERVICES = [*(r.name for r in discover_runtimes()), "tests.support.pingpong:runtime"]
METHODS = {"get", "put", "post", "patch", "delete"}
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429"]
# Bounded, so that all services together stay well under a minute on two cores.
SETTINGS = {
    "seed": 2026,
    # Each run stands alone (and writes nothing into the checkout).
    "cache": {"enabled": False},
    # Text never carries NUL: every service refuses it (shared input guard).
    "generation": {"max-examples": 15, "database": "none", "allow-x00": False},
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
    "post_smes": ("422", "lengths count after trimming; the province must exist"),
    "patch_sme_item": ("422", "lengths count after trimming; the province must exist"),
    "post_token": ("400", "an unknown password, refresh token or client is invalid_grant"),
    "get_sessions": ("400", "a cursor is opaque; module and province codes must exist"),
    "get_provider_sessions": ("400", "a cursor is opaque"),
    "post_session_enrolments": ("422", "the team rules; lengths count after trimming"),
    "get_enrolments": ("400", "a cursor is opaque"),
    "get_session_enrolments": ("400", "a cursor is opaque"),
    "post_stripe_webhook": ("400", "only a body Stripe signed (Stripe-Signature) is accepted"),
    "post_enrolment_visits": ("422", "lengths count after trimming"),
    "patch_visit_item": ("422", "lengths count after trimming"),
    "post_record_visit": ("422", "lengths count after trimming"),
    "post_cancel_visit": ("422", "lengths count after trimming"),
    "post_sme_kpis": ("422", "lengths count after trimming"),
    "post_consents": ("422", "KPI codes GET /kpis lists; lengths count after trimming"),
    "post_case_studies": ("422", "a consent of the SME with figures in its scope; lengths "
                          "count after trimming"),
    "get_sponsors": ("400", "a cursor is opaque"),
    "get_sponsor_funds": ("400", "a cursor is opaque"),
    "post_sponsor_funds": ("422", "valid_until not before valid_from; lengths after trimming"),
    "post_adjustments": ("422", "an adjustment is never 0; lengths count after trimming"),
    "get_transactions": ("400", "a cursor is opaque"),
    "post_fund_offers": ("422", "sme_cap: seats or amount, not both; valid_until not before "
                         "valid_from; lengths count after trimming"),
    "get_offers": ("400", "a cursor is opaque"),
    "post_quotes": ("422", "managers + workers and women + men add up to participants"),
    "get_reservations": ("400", "a cursor is opaque"),
    "get_provider_statement": ("400", "a month from 2000-01 up to the current one (Jakarta)"),
    "post_issue_statement": ("400", "a month from 2000-01 up to the current one (Jakarta)"),
    "get_statements": ("400", "a cursor is opaque"),
    "get_provider_invoices": ("400", "a cursor is opaque"),
    "post_statement_paid": ("422", "paid_on after the month; a bank reference unless 0 is due"),
    "get_sponsor_report": ("400", "to not before from; fund_id: one of the sponsor's funds"),
    "get_sponsor_timeline": ("400", "to not before from; at most 120 months or 260 weeks; "
                             "fund_id: one of the sponsor's funds"),
    "get_market_report": ("400", "to not before from; fund_id must name a fund"),
    "get_market_timeline": ("400", "to not before from; at most 120 months or 260 weeks; "
                            "fund_id must name a fund"),
    "get_trainers": ("400", "a cursor is opaque"),
    "get_runs": ("400", "a cursor is opaque"),
    "get_run_differences": ("400", "a cursor is opaque"),
    "get_evidence_list": ("400", "a cursor is opaque"),
    "get_entries": ("400", "a cursor is opaque and not given with after; to after from"),
    "get_entries_export": ("400", "to after from"),
    "get_entries_tail": ("400", "to after from"),
    "post_trainers": ("422", "lengths count after trimming"),
    "patch_trainer_item": ("422", "lengths count after trimming"),
    "post_tot": ("422", "attended_on not after today (Jakarta); lengths after trimming"),
    "post_reports": ("422", "lengths count after trimming"),
    "post_accept_report": ("422", "lengths count after trimming"),
    "post_reject_report": ("422", "lengths count after trimming"),
    "post_recommendations": ("422", "lengths count after trimming"),
    **{f"post_{action}_module": ("422", "lengths count after trimming")
       for action in ("certify", "suspend", "reinstate", "revoke", "withdraw", "recertify")},
    "get_heads": ("400", "a cursor is opaque"),
    "get_consistency": ("400", "first not above second"),
}
# Settings per service for the run: audit's live tail is a stream that stays open for
# its lifetime (minutes in production); here each one ends within a tenth of a second.
CONFIG = {"audit": {"tail_lifetime_s": "0.1", "tail_heartbeat_s": "0.05"}}
# The organisation a principal of each role acts for.
ORGS = {"provider_staff": ("provider-1", "provider"), "sme_user": ("sme-1", "sme"),
        "sponsor_staff": ("sponsor-1", "sponsor"), "trainer": ("trainer-1", "trainer")}


def tokens_by_operation(document: dict, key) -> dict[str, str]:
    """A bearer token per secured operation (``METHOD /path``), of the first role it names."""
    tokens = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS and operation.get("security"):
                role = (operation.get("x-roles") or ["platform_admin"])[0]
                org, org_type = ORGS.get(role, ("platform", "ilo"))
                tokens[f"{method.upper()} {path}"] = bearer(
                    key, role, org, org_type, subject="st-user")["Authorization"]
    return tokens


def refusals(document: dict) -> list[dict]:
    """Per-operation settings: the statuses ``REFUSALS`` allows for schema-valid data."""
    operation_ids = {operation["operationId"] for item in document["paths"].values()
                     for method, operation in item.items() if method in METHODS}
    return [{"include-operation-id": operation_id, "checks": {"positive_data_acceptance": {
                 "expected-statuses": [*POSITIVE, REFUSALS[operation_id][0]]}}}
            for operation_id in sorted(operation_ids & set(REFUSALS))]


class RoleTokens:
    """schemathesis auth: each secured operation gets the token of a role it names."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens

    def get(self, case, _context) -> str | None:
        return self.tokens.get(f"{case.method.upper()} {case.operation.path}")

    def set(self, case, token: str | None, _context) -> None:
        if token is not None:
            case.headers = {**(case.headers or {}), "Authorization": token}


def failures_of(schema) -> list[str]:
    """Every distinct failure the engine finds, one line each with a reproduction."""
    found: dict[tuple, str] = {}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise event.exception
        if isinstance(event, events.NonFatalError):
            found[(event.label, type(event.value))] = f"{event.label}: error {event.value!r}"
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                interaction = event.recorder.interactions.get(case_id)
                status = interaction.response.status_code \
                    if interaction is not None and interaction.response is not None else None
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        steps = check.failure_info.steps
                        found.setdefault((event.label, check.name, failure.title), (
                            f"{event.label}: {check.name}: {failure.title} (got {status}): "
                            f"{failure.message}\n    {steps[-1].curl if steps else ''}"))
    return sorted(found.values())


def fresh_idempotency_key(_context, case, _kwargs) -> None:
    """Each valid Idempotency-Key sent a new one: generated keys repeat (``0``), and a
    key reused with another body is rightly a 422 (``shared.idempotency``)."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and re.fullmatch(r"[!-~]([ -~]*[!-~])?", key):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex


@pytest.fixture(params=SERVICES, ids=lambda name: name.split(":")[0].rsplit(".", 1)[-1])
def api_schema(request, tmp_path, signing_key):
    """The service's document, served on 127.0.0.1, with tokens for secured operations."""
    runtime = load_runtime(request.param)
    app = service_app(runtime, tmp_path, signing_key, **CONFIG.get(runtime.name, {}))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll: shutdown() waits for the loop to look (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    document = app.test_client().get("/openapi.json").json
    config = SchemathesisConfig.from_dict({**SETTINGS, "operations": refusals(document)})
    schema = schemathesis.openapi.from_url(f"http://127.0.0.1:{server.port}/openapi.json",
                                           config=config)
    tokens = tokens_by_operation(document, signing_key)
    schema.auth.auth(refresh_interval=None)(type("Tokens", (RoleTokens,), {
        "__init__": lambda self: RoleTokens.__init__(self, tokens)}))
    # before_call hooks are global in schemathesis: registered for this run only.
    schemathesis.hook("before_call")(fresh_idempotency_key)
    yield schema
    schemathesis.hooks.unregister(fresh_idempotency_key)
    server.shutdown()
    thread.join()
    server.server_close()
    app.extensions["score_db"].dispose()


# schemathesis asks hypothesis for a repr of large generated bodies; only a cost.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_every_operation_conforms_to_its_document(api_schema):
    failures = failures_of(api_schema)

    assert failures == [], "\n".join(failures)
