"""The comparison rules and the log's projections, without services or HTTP."""

from __future__ import annotations

import pytest

from services.audit.reconciliation.compare import EXISTS, compare
from services.audit.reconciliation.kinds import KINDS
from services.audit.reconciliation.projection import FundLedgers, Projected, project
from services.audit.reconciliation.settings import load_reconcile_settings
from shared.config import ConfigError, load_settings
from shared.events import EventEnvelope

KIND = {kind.entity: kind for kind in KINDS}


def _event(event_type: str, data: dict) -> bytes:
    return EventEnvelope.new("/score/test", event_type, "subject", data).to_bytes()


def test_agreeing_sides_make_no_difference_and_values_compare_as_text():
    logged = {"f-1": Projected({"status": "open", "deposited": 100, "adjusted": 0,
                                "reserved": 0, "committed": 0}, 3, "ev-3")}
    observed = {"f-1": {"status": "open", "deposited": 100, "adjusted": 0, "reserved": 0,
                        "committed": 0}}

    assert compare(KIND["fund"], logged, observed) == []


def test_a_differing_metric_names_entity_field_values_and_the_last_event():
    logged = {"p-1": Projected({"status": "pending"}, 7, "ev-7")}

    (found,) = compare(KIND["provider"], logged, {"p-1": {"status": "approved"}})

    assert (found.service, found.endpoint, found.entity, found.entity_id, found.field,
            found.log_value, found.service_value, found.last_seq, found.last_event_id) == (
        "catalog", "/providers", "provider", "p-1", "status", "pending", "approved", 7, "ev-7")


def test_an_entity_only_one_side_knows_is_a_difference_on_exists():
    logged = {"s-1": Projected({"status": "approved"}, 2, "ev-2")}

    found = compare(KIND["sponsor"], logged, {"s-2": {"status": "pending"}})

    assert [(d.entity_id, d.field, d.log_value, d.service_value, d.last_seq)
            for d in found] == [("s-1", EXISTS, "true", None, 2),
                                ("s-2", EXISTS, None, "true", None)]


def test_snapshots_keep_the_latest_state_and_the_last_event():
    projector = KIND["module_status"].projector()
    events = [(0, _event("score.certification.module_status.changed.v1",
                         {"trainer_id": "t-1", "module_code": "M1", "status": "candidate"})),
              (1, _event("score.catalog.provider.registered.v1", {"provider_id": "p"})),
              (2, _event("score.certification.module_status.changed.v1",
                         {"trainer_id": "t-1", "module_code": "M1", "status": "certified"}))]

    assert project(events, [projector]) == 3
    (projected,) = projector.entities.values()
    assert list(projector.entities) == ["t-1/M1"]
    assert (projected.values, projected.seq) == ({"status": "certified"}, 2)


def _reservation(action: str, status: str, units: int = 40) -> bytes:
    return _event(f"score.sponsorship.reservation.{action}.v1", {
        "reservation_id": "r-1", "status": status,
        "lines": [{"fund_id": "f-1", "units": units}]})


@pytest.mark.parametrize(("steps", "reserved", "committed"), [
    ([("created", "reserved")], 40, 0),
    ([("created", "reserved"), ("committed", "committed")], 0, 40),
    ([("created", "reserved"), ("released", "released")], 0, 0),
    ([("created", "reserved"), ("released", "released"), ("committed", "committed")], 0, 40),
    ([("created", "reserved"), ("committed", "committed"), ("reversed", "reversed")], 0, 0),
])
def test_fund_ledgers_follow_deposits_and_each_reservation_step(steps, reserved, committed):
    deposit = _event("score.sponsorship.fund.deposited.v1", {
        "fund_id": "f-1", "status": "open", "movement": {"kind": "deposit", "amount": 100}})
    adjust = _event("score.sponsorship.fund.adjusted.v1", {
        "fund_id": "f-1", "status": "open", "movement": {"kind": "adjustment", "amount": -10}})
    ledgers = FundLedgers()

    project(enumerate([deposit, adjust, *(_reservation(*step) for step in steps)]), [ledgers])

    assert ledgers.entities["f-1"].values == {"status": "open", "deposited": 100,
                                              "adjusted": -10, "reserved": reserved,
                                              "committed": committed}


def test_settings_refuse_bad_urls_and_intervals_and_production_without_a_client():
    def load(environ):
        return load_reconcile_settings(load_settings("audit", environ=environ), ("catalog",))

    assert load({"SCORE_AUDIT_CATALOG_URL": "http://catalog:5001/"}).urls == {
        "catalog": "http://catalog:5001"}
    assert load({}).interval_s == 3600
    for bad in ({"SCORE_AUDIT_CATALOG_URL": "ftp://x"},
                {"SCORE_AUDIT_RECONCILE_INTERVAL_S": "0"},
                {"SCORE_AUDIT_CALL_TIMEOUT_S": "nan"}):
        with pytest.raises(ConfigError):
            load(bad)
    production = {"SCORE_ENV": "production", "SCORE_SECRET_KEY": "s" * 40,
                  "SCORE_DATABASE_URL": "postgresql://db/audit"}
    with pytest.raises(ConfigError, match="CLIENT_ID"):
        load(production)
    with pytest.raises(ConfigError, match="development"):
        load({**production, "SCORE_AUDIT_CLIENT_ID": "c",
              "SCORE_AUDIT_CLIENT_SECRET": "dev-audit-client-secret-change-me"})
