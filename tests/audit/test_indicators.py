"""The Phase III projection and its indicators, as pure code over events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from services.audit.indicators.figures import indicators
from services.audit.indicators.periods import SliceFilter, quarter_of
from services.audit.indicators.projection import apply, empty
from services.audit.indicators.targets import DEFAULT_TARGETS, load_targets
from shared.config import ConfigError, load_settings
from tests.audit.phase3 import (
    Q1,
    case_study,
    completed,
    fold,
    module_status,
    paid,
    provider,
    refunded,
    reservation,
    session,
    sponsor,
    trainer,
)

Q3 = dt.datetime(2026, 8, 1, 5, tzinfo=dt.UTC)


def values(state, **where) -> dict:
    return {row["code"]: row["value"]
            for row in indicators(state, dict(DEFAULT_TARGETS), SliceFilter(**where))}


def test_a_provider_delivers_independently_once_approved_with_an_unsupervised_session():
    state = fold(provider("bedo"), provider("smi"), provider("kdp"),
                 session("s1", "bedo"), session("s2", "smi", ilo=True),
                 session("s3", "kdp"), provider("kdp", "suspended"),
                 session("s4", "bedo", status="published"))
    found = values(state)
    assert found["providers_independent"] == 1  # smi only supervised, kdp suspended
    assert (found["sessions_delivered_direct"], found["sessions_delivered_independent"]) == (1, 2)


def test_an_sme_trained_under_supervision_is_not_counted_again_as_reached_indirectly():
    state = fold(completed("a", "s1", "p", ilo=True), completed("a", "s2", "p"),
                 completed("b", "s2", "p"), completed("c", "s2", "p", team=(
                     ("worker", "female", False),)))  # nobody of c completed
    found = values(state)
    assert (found["smes_trained_direct"], found["smes_trained_indirect"]) == (1, 1)
    assert (found["participants"], found["participants_managers"],
            found["participants_workers"]) == (6, 3, 3)
    assert found["participants_women_share"] == Decimal("50.0")


def test_cost_recovery_counts_net_money_of_delivered_sessions_against_their_cost():
    state = fold(sponsor("kemnaker", "ministry"), sponsor("garuda", "lead_buyer"),
                 session("s1", "p", cost=10_000_000), session("s2", "p", status="published"),
                 paid("s1", 4_000_000), paid("s1", 2_000_000), refunded("s1", 1_000_000),
                 reservation("committed", "s1", "p", ("kemnaker", 2_000_000),
                             ("garuda", 1_000_000)),
                 reservation("committed", "s1", "p", ("garuda", 500_000)),
                 reservation("reversed", "s1", "p", ("garuda", 500_000)),
                 paid("s2", 9_000_000))  # not delivered: not in the ratio
    found = values(state)
    assert (found["delivered_sme_payments"], found["delivered_sponsor_commitments"],
            found["delivered_cost_estimates"]) == (5_000_000, 3_000_000, 10_000_000)
    assert found["cost_recovery_percent"] == Decimal("80.0")
    assert (found["sponsor_money_ministry"], found["sponsor_money_lead_buyer"],
            found["sponsor_money_donor"]) == (2_000_000, 1_000_000, 0)
    assert found["lead_buyer_collaborations"] == 1


def test_a_lead_buyer_whose_commitment_was_reversed_is_no_collaboration():
    state = fold(sponsor("garuda", "lead_buyer"),
                 reservation("committed", "s1", "p", ("garuda", 700_000)),
                 reservation("reversed", "s1", "p", ("garuda", 700_000)))
    assert values(state)["lead_buyer_collaborations"] == 0


def test_certified_trainers_are_those_still_certified_with_their_womens_share():
    state = fold(trainer("t1", "female"), trainer("t2", "male"), trainer("t3", "female"),
                 module_status("t1", "certified"), module_status("t2", "certified"),
                 module_status("t3", "certified"), module_status("t3", "revoked"),
                 module_status("t2", "certified", "M2"))
    found = values(state)
    assert (found["trainers"], found["trainers_women_share"]) == (3, Decimal("66.7"))
    assert (found["trainers_certified"], found["trainers_certified_women_share"]) == (
        2, Decimal("50.0"))


def test_periods_are_jakarta_quarters_and_filters_cut_by_period_and_province():
    # 31 March 2026, 18:00 UTC is already 1 April in Jakarta
    assert quarter_of(dt.datetime(2026, 3, 31, 18, tzinfo=dt.UTC)) == "2026-Q2"
    state = fold(case_study("32"), case_study("33"), completed("a", "s1", "p"))
    state = fold(case_study("32"), completed("b", "s2", "p", province="33"), at=Q3, state=state)
    assert values(state)["case_studies_published"] == 3
    assert values(state, period="2026-Q1")["case_studies_published"] == 2
    assert values(state, period="2026", province="32")["case_studies_published"] == 2
    assert values(state, period="2026-Q3", province="33")["smes_trained_indirect"] == 1
    assert values(state, period="2025")["smes_trained_indirect"] == 0


def test_a_providers_slice_counts_its_own_sessions_and_no_case_studies():
    state = fold(provider("bedo"), provider("smi"), session("s1", "bedo"), session("s2", "smi"),
                 completed("a", "s1", "bedo"), completed("b", "s2", "smi"), case_study())
    mine = values(state, provider="bedo")
    assert (mine["providers_independent"], mine["smes_trained_indirect"],
            mine["case_studies_published"]) == (1, 1, None)


def test_each_indicator_shows_progress_against_its_target():
    state = fold(*(case_study() for _ in range(3)))
    rows = {r["code"]: r for r in indicators(state, {**DEFAULT_TARGETS,
                                                     "case_studies_published": Decimal(4)},
                                             SliceFilter())}
    assert (rows["case_studies_published"]["target"],
            rows["case_studies_published"]["progress_percent"]) == (4, Decimal("75.0"))
    assert rows["cost_recovery_percent"]["value"] is None  # nothing delivered: no ratio
    assert rows["sessions_delivered_direct"]["target"] is None


def test_entries_fold_only_in_sequence():
    state = empty()
    with pytest.raises(ValueError):
        apply(state, 1, *case_study(), Q1)


def test_targets_are_configuration_and_nonsense_is_refused():
    settings = load_settings("audit", {"targets": '{"trainers": 80}'}, environ={})
    assert load_targets(settings)["trainers"] == 80
    assert load_targets(settings)["case_studies_published"] == 10
    for bad in ('{"unicorns": 1}', '{"trainers": -1}', "[1]", "{", '{"trainers": true}'):
        with pytest.raises(ConfigError):
            load_targets(load_settings("audit", {"targets": bad}, environ={}))


def test_a_provider_account_without_a_provider_sees_nothing():
    state = fold(provider("bedo"), session("s1", "bedo"), trainer("t1", "female"),
                 completed("a", "s1", "bedo"))
    nothing = values(state, provider="")
    assert (nothing["sessions_delivered_independent"], nothing["trainers"],
            nothing["participants"]) == (0, 0, 0)
