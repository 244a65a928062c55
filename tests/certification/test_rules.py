"""Certification rules: each missing code when, and only when, its rule fails (boundaries
N-1 / N); a change of configuration re-evaluating the same evidence; validity and
recertification; loading the rules from settings; and properties over random evidence
and rules (Hypothesis) – more evidence never adds a missing item, stricter rules never
remove one, and the same input always gives the same assessment."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.certification import config
from services.certification.rules import (
    DEFAULT_MODULE_RULES,
    MODULE_CODES,
    STATUSES,
    Evidence,
    ModuleRules,
    Recommendation,
    default_rules,
    due_for_recertification,
    evaluate,
    expires_on,
)
from shared.config import ConfigError, Settings

TODAY = dt.date(2026, 6, 15)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Distinct thresholds, so a boundary of one rule is no boundary of another.
RULES = config.parse_rules({"all": {"min_sessions_lead": 2, "min_sessions_co": 5,
                                    "min_visits": 4}})
RECOMMEND = Recommendation("recommend", by="expert-ani", comments="solid delivery",
                           on=dt.date(2026, 5, 2))
DECLINE = Recommendation("decline", by="expert-budi", comments="visits too short",
                         on=dt.date(2026, 5, 2))
# Exactly what RULES ask of M2, nothing more.
COMPLETE = Evidence("M2", tot_completed=dt.date(2025, 11, 3), sessions_lead=2, sessions_co=3,
                    visits=4, reports_uploaded=1, report_accepted=True,
                    recommendation=RECOMMEND)


def with_(**changes) -> Evidence:
    """:data:`COMPLETE` with ``changes``."""
    return dataclasses.replace(COMPLETE, **changes)


# (case, evidence, codes expected, status supported)
TABLE = [
    ("everything at the threshold", COMPLETE, [], "eligible_for_certification"),
    ("no ToT", with_(tot_completed=None), ["MISSING_TOT"], "candidate"),
    ("sessions led N-1", with_(sessions_lead=1, sessions_co=4),
     ["TOO_FEW_SESSIONS_LEAD"], "in_supervised_delivery"),
    ("sessions led N, all lead", with_(sessions_lead=5, sessions_co=0), [],
     "eligible_for_certification"),
    ("sessions delivered N-1", with_(sessions_co=2), ["TOO_FEW_SESSIONS_CO"],
     "in_supervised_delivery"),
    ("sessions delivered N-1, both short", with_(sessions_lead=1, sessions_co=3),
     ["TOO_FEW_SESSIONS_LEAD", "TOO_FEW_SESSIONS_CO"], "in_supervised_delivery"),
    ("visits N-1", with_(visits=3), ["TOO_FEW_VISITS"], "in_supervised_delivery"),
    ("visits N+1", with_(visits=5), [], "eligible_for_certification"),
    ("report uploaded, not accepted", with_(report_accepted=False), ["REPORT_NOT_ACCEPTED"],
     "in_supervised_delivery"),
    ("no recommendation", with_(recommendation=None), ["NO_RECOMMENDATION"],
     "ready_for_recommendation"),
    ("recommendation declined", with_(recommendation=DECLINE), ["RECOMMENDATION_DECLINED"],
     "ready_for_recommendation"),
    ("ToT only", Evidence("M2", tot_completed=dt.date(2025, 11, 3)),
     ["TOO_FEW_SESSIONS_LEAD", "TOO_FEW_SESSIONS_CO", "TOO_FEW_VISITS", "REPORT_NOT_ACCEPTED",
      "NO_RECOMMENDATION"], "tot_completed"),
    ("nothing at all", Evidence("M2"),
     ["MISSING_TOT", "TOO_FEW_SESSIONS_LEAD", "TOO_FEW_SESSIONS_CO", "TOO_FEW_VISITS",
      "REPORT_NOT_ACCEPTED", "NO_RECOMMENDATION"], "candidate"),
    ("one visit without ToT", Evidence("M2", visits=1),
     ["MISSING_TOT", "TOO_FEW_SESSIONS_LEAD", "TOO_FEW_SESSIONS_CO", "TOO_FEW_VISITS",
      "REPORT_NOT_ACCEPTED", "NO_RECOMMENDATION"], "candidate"),
]


@pytest.mark.parametrize(("evidence", "codes", "status"), [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])
def test_the_engine_names_every_failed_rule_and_the_status_the_evidence_supports(
        evidence, codes, status):
    assessment = evaluate(evidence, RULES, TODAY)
    assert assessment.codes == codes
    assert assessment.status == status
    assert assessment.rules_version == RULES.version
    assert assessment.module == "M2"
    assert assessment.evaluated_on == TODAY


# A rule switched off (0 or false) never fails, however little the evidence.
RULES_OFF = {"MISSING_TOT": {"tot_required": False},
             "TOO_FEW_SESSIONS_LEAD": {"min_sessions_lead": 0},
             "TOO_FEW_SESSIONS_CO": {"min_sessions_co": 0},
             "TOO_FEW_VISITS": {"min_visits": 0},
             "REPORT_NOT_ACCEPTED": {"report_accepted_required": False},
             "NO_RECOMMENDATION": {"recommendation_required": False}}


@pytest.mark.parametrize("code", sorted(RULES_OFF))
def test_a_code_appears_only_while_its_rule_is_on(code):
    looser = config.parse_rules({"M1": RULES_OFF[code]})
    assert code in evaluate(Evidence("M1"), default_rules(), TODAY).codes
    assert code not in evaluate(Evidence("M1"), looser, TODAY).codes


def test_a_decline_does_not_block_when_no_recommendation_is_required():
    looser = config.parse_rules({"M2": {"recommendation_required": False}})
    assert evaluate(with_(recommendation=DECLINE), looser, TODAY).codes == []


def test_every_rule_off_makes_a_bare_candidate_eligible():
    none = config.parse_rules({"all": {k: v for over in RULES_OFF.values()
                                       for k, v in over.items()}})
    assert evaluate(Evidence("M4"), none, TODAY).status == "eligible_for_certification"


def test_missing_items_explain_what_is_there_and_what_is_needed():
    assessment = evaluate(with_(sessions_lead=1, sessions_co=1, reports_uploaded=2,
                                report_accepted=False, recommendation=DECLINE), RULES, TODAY)
    by_code = {m.code: m for m in assessment.missing}
    assert (by_code["TOO_FEW_SESSIONS_LEAD"].have, by_code["TOO_FEW_SESSIONS_LEAD"].need) == (1, 2)
    # Sessions led count toward the delivered minimum: 1 led + 1 co-delivered = 2.
    assert (by_code["TOO_FEW_SESSIONS_CO"].have, by_code["TOO_FEW_SESSIONS_CO"].need) == (2, 5)
    assert by_code["REPORT_NOT_ACCEPTED"].detail == (
        "2 progress report(s) uploaded, none accepted yet")
    declined = by_code["RECOMMENDATION_DECLINED"]
    assert "expert-budi" in declined.detail and "visits too short" in declined.detail
    assert (declined.have, declined.need) == ("decline", "recommend")


def test_each_module_is_judged_by_its_own_rules():
    rules = config.parse_rules({"M3": {"min_visits": 6}})
    m3 = dataclasses.replace(COMPLETE, module="M3", sessions_lead=2, sessions_co=3, visits=4)
    assert evaluate(m3, rules, TODAY).codes == ["TOO_FEW_VISITS"]
    m2 = dataclasses.replace(m3, module="M2")
    assert evaluate(m2, rules, TODAY).codes == []


# -- a change of configuration -------------------------------------------------------------

def test_a_change_of_rules_reevaluates_the_same_evidence_without_rewriting_it():
    evidence = with_(visits=6)
    kept = copy.deepcopy(evidence)
    before = evaluate(evidence, RULES, TODAY)
    stricter = config.parse_rules({"all": {"min_sessions_lead": 3, "min_sessions_co": 6,
                                           "min_visits": 8}})
    after = evaluate(evidence, stricter, TODAY)
    looser = config.parse_rules({"all": {"min_sessions_lead": 1, "min_sessions_co": 1,
                                         "min_visits": 1, "recommendation_required": False}})
    relaxed = evaluate(evidence, looser, TODAY)

    assert before.codes == [] and before.status == "eligible_for_certification"
    assert after.codes == ["TOO_FEW_SESSIONS_LEAD", "TOO_FEW_SESSIONS_CO", "TOO_FEW_VISITS"]
    assert after.status == "in_supervised_delivery"
    assert [(m.have, m.need) for m in after.missing] == [(2, 3), (5, 6), (6, 8)]
    assert relaxed.codes == [] and relaxed.status == "eligible_for_certification"
    assert len({RULES.version, stricter.version, looser.version}) == 3
    assert (before.rules_version, after.rules_version, relaxed.rules_version) == (
        RULES.version, stricter.version, looser.version)
    # History stays: the evidence is untouched and the first assessment still reads as it did.
    assert evidence == kept
    assert evaluate(evidence, RULES, TODAY) == before


def test_a_declined_trainer_becomes_eligible_when_the_recommendation_rule_is_dropped():
    evidence = with_(recommendation=DECLINE)
    assert evaluate(evidence, RULES, TODAY).status == "ready_for_recommendation"
    dropped = config.parse_rules({"all": {"min_sessions_lead": 2, "min_sessions_co": 5,
                                          "min_visits": 4, "recommendation_required": False}})
    assert evaluate(evidence, dropped, TODAY).status == "eligible_for_certification"


def test_the_version_depends_on_the_effective_rules_only():
    spelled_out = {"M1": dataclasses.asdict(DEFAULT_MODULE_RULES)}
    assert config.parse_rules(spelled_out).version == default_rules().version
    assert config.parse_rules({}).version == default_rules().version
    same_in_another_order = {"M3": {"min_visits": 6, "tot_required": False},
                             "all": {"validity_months": 24}}
    reordered = json.loads(json.dumps(same_in_another_order, sort_keys=True))
    assert config.parse_rules(same_in_another_order).version == \
        config.parse_rules(reordered).version
    assert config.parse_rules({"M5": {"min_visits": 5}}).version != default_rules().version
    assert default_rules().version.startswith("rules-")


# -- validity and recertification ------------------------------------------------------------

@pytest.mark.parametrize(("certified_at", "months", "expected"), [
    (dt.date(2026, 6, 15), 36, dt.date(2029, 6, 15)),
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2027, 1, 31), 13, dt.date(2028, 2, 29)),
    (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
    (dt.date(2026, 12, 1), 12, dt.date(2027, 12, 1)),
])
def test_a_certification_expires_after_its_validity_in_calendar_months(
        certified_at, months, expected):
    rules = ModuleRules(validity_months=months, recertification_window_days=0)
    assert expires_on(certified_at, rules) == expected


@pytest.mark.parametrize(("today", "due", "expired"), [
    (dt.date(2029, 3, 16), False, False),  # the day before the 91-day window opens
    (dt.date(2029, 3, 17), True, False),   # expiry minus 90 days: the window opens
    (dt.date(2029, 6, 14), True, False),   # the last valid day
    (dt.date(2029, 6, 15), True, True),    # expires_on: no longer valid
])
def test_a_certified_trainer_is_due_for_recertification_inside_the_window(today, due, expired):
    certified = with_(certified_at=dt.date(2026, 6, 15))
    assessment = evaluate(certified, default_rules(), today)
    assert assessment.expires_on == dt.date(2029, 6, 15)
    assert (assessment.recertification_due, assessment.expired) == (due, expired)
    assert due_for_recertification(dt.date(2026, 6, 15), DEFAULT_MODULE_RULES, today) is due


def test_an_uncertified_trainer_has_no_expiry_and_is_never_due():
    assessment = evaluate(COMPLETE, RULES, TODAY)
    assert (assessment.expires_on, assessment.recertification_due, assessment.expired) == (
        None, False, False)


def test_a_shorter_validity_moves_the_expiry_of_the_same_certification():
    certified = with_(certified_at=dt.date(2026, 6, 15))
    shorter = config.parse_rules({"M2": {"validity_months": 12}})
    assert evaluate(certified, shorter, TODAY).expires_on == dt.date(2027, 6, 15)
    assert evaluate(certified, default_rules(), TODAY).expires_on == dt.date(2029, 6, 15)


# -- loading from settings -------------------------------------------------------------------

def settings_with(raw) -> Settings:
    """Certification's settings carrying ``SCORE_CERTIFICATION_RULES`` = ``raw``."""
    return Settings(service="certification", extra={} if raw is None else {"rules": raw})


@pytest.mark.parametrize("raw", [None, "", "  ", "{}"])
def test_unset_or_empty_rules_are_the_defaults(raw):
    rules = config.load_rules(settings_with(raw))
    assert rules == default_rules()
    assert all(rules.for_module(code) == DEFAULT_MODULE_RULES for code in MODULE_CODES)


def test_overrides_layer_defaults_then_all_then_the_module():
    raw = json.dumps({"all": {"validity_months": 24, "min_visits": 5},
                      "M3": {"min_visits": 6, "tot_required": False}})
    rules = config.load_rules(settings_with(raw))
    assert rules.for_module("M3") == dataclasses.replace(
        DEFAULT_MODULE_RULES, validity_months=24, min_visits=6, tot_required=False)
    assert rules.for_module("M1") == dataclasses.replace(
        DEFAULT_MODULE_RULES, validity_months=24, min_visits=5)


def test_rules_given_as_data_rather_than_text_load_alike():
    data = {"M4": {"min_sessions_co": 3}}
    assert config.load_rules(settings_with(data)) == config.load_rules(
        settings_with(json.dumps(data)))


def test_the_rules_are_read_from_the_service_setting():
    from shared.config import load_settings

    environ = {"SCORE_CERTIFICATION_RULES": '{"M2": {"min_visits": 7}}'}
    rules = config.load_rules(load_settings("certification", environ=environ))
    assert rules.for_module("M2").min_visits == 7


@pytest.mark.parametrize(("raw", "named"), [
    ("{not json", "is not JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('"M1"', "must be a JSON object"),
    ('{"M6": {"min_visits": 1}}', "M6: Unknown field"),
    ('{"m1": {}}', "m1: Unknown field"),
    ('{"M1": {"min_visit": 1}}', "M1.min_visit: Unknown field"),
    ('{"all": {"validity": 12}}', "all.validity: Unknown field"),
    ('{"M1": {"min_visits": -1}}', "M1.min_visits: Must be greater than or equal to 0"),
    ('{"M2": {"min_sessions_lead": -3}}', "M2.min_sessions_lead: Must be greater"),
    ('{"M1": {"min_visits": 1001}}', "M1.min_visits"),
    ('{"M1": {"min_visits": "4"}}', "M1.min_visits: Not a valid integer"),
    ('{"M1": {"min_visits": 4.5}}', "M1.min_visits: Not a valid integer"),
    ('{"M1": {"tot_required": 1}}', "M1.tot_required: Not a valid boolean"),
    ('{"M1": {"validity_months": 0}}', "M1.validity_months"),
    ('{"M1": 5}', "M1._schema: Invalid input type"),
    ('{"M1": {"validity_months": 3, "recertification_window_days": 84}}',
     "M1.recertification_window_days (84) must be shorter than validity_months (3)"),
    ('{"all": {"recertification_window_days": 2000}}', "M1.recertification_window_days"),
])
def test_unusable_rules_are_refused_naming_the_fault(raw, named):
    with pytest.raises(ConfigError, match="SCORE_CERTIFICATION_RULES") as refused:
        config.load_rules(settings_with(raw))
    assert named in str(refused.value)


def test_every_fault_is_named_not_only_the_first():
    raw = '{"M6": {}, "M1": {"min_visits": -1, "colour": "red"}}'
    with pytest.raises(ConfigError) as refused:
        config.load_rules(settings_with(raw))
    message = str(refused.value)
    assert "M6: Unknown field" in message
    assert "M1.colour: Unknown field" in message
    assert "M1.min_visits" in message


# -- properties ------------------------------------------------------------------------------

counts = st.integers(0, 12)
verdicts = st.sampled_from([None, RECOMMEND, DECLINE])


@st.composite
def evidence(draw) -> Evidence:
    """Any evidence for one module."""
    return Evidence(
        draw(st.sampled_from(MODULE_CODES)),
        tot_completed=draw(st.sampled_from([None, dt.date(2025, 11, 3)])),
        sessions_lead=draw(counts), sessions_co=draw(counts), visits=draw(counts),
        reports_uploaded=draw(counts), report_accepted=draw(st.booleans()),
        recommendation=draw(verdicts),
        certified_at=draw(st.sampled_from([None, dt.date(2024, 2, 29), dt.date(2026, 1, 31)])))


@st.composite
def more_of(draw, base: Evidence) -> Evidence:
    """``base`` with more evidence: counts up, ToT or acceptance added, a recommendation given.

    The recommendation is the latest verdict: "more" is a recommendation replacing none or a
    decline; a decline replacing nothing is a different verdict, not more evidence.
    """
    return dataclasses.replace(
        base,
        tot_completed=base.tot_completed or draw(st.sampled_from([None, dt.date(2026, 1, 5)])),
        sessions_lead=base.sessions_lead + draw(counts),
        sessions_co=base.sessions_co + draw(counts),
        visits=base.visits + draw(counts),
        reports_uploaded=base.reports_uploaded + draw(counts),
        report_accepted=base.report_accepted or draw(st.booleans()),
        recommendation=draw(st.sampled_from([base.recommendation, RECOMMEND])))


module_overrides = st.fixed_dictionaries({}, optional={
    "tot_required": st.booleans(), "min_sessions_lead": counts, "min_sessions_co": counts,
    "min_visits": counts, "report_accepted_required": st.booleans(),
    "recommendation_required": st.booleans(), "validity_months": st.integers(4, 60),
    "recertification_window_days": st.integers(0, 100)})
rule_sets = st.dictionaries(st.sampled_from(("all", *MODULE_CODES)), module_overrides,
                            max_size=3).map(config.parse_rules)


def stricter(rules: ModuleRules, data) -> ModuleRules:
    """``rules`` asking as much or more in every respect."""
    return dataclasses.replace(
        rules,
        tot_required=rules.tot_required or data.draw(st.booleans()),
        min_sessions_lead=rules.min_sessions_lead + data.draw(counts),
        min_sessions_co=rules.min_sessions_co + data.draw(counts),
        min_visits=rules.min_visits + data.draw(counts),
        report_accepted_required=rules.report_accepted_required or data.draw(st.booleans()),
        recommendation_required=rules.recommendation_required or data.draw(st.booleans()))


@FAST
@given(rules=rule_sets, data=st.data())
def test_more_evidence_never_adds_a_missing_item_nor_lowers_the_status(rules, data):
    less = data.draw(evidence())
    more = data.draw(more_of(less))
    before, after = evaluate(less, rules, TODAY), evaluate(more, rules, TODAY)
    assert set(after.codes) <= set(before.codes)
    assert STATUSES.index(after.status) >= STATUSES.index(before.status)


@FAST
@given(rules=rule_sets, data=st.data())
def test_stricter_rules_never_remove_a_missing_item_nor_raise_the_status(rules, data):
    facts = data.draw(evidence())
    module = facts.module
    harder = config.CertificationRules(
        {**rules.modules, module: stricter(rules.for_module(module), data)})
    before, after = evaluate(facts, rules, TODAY), evaluate(facts, harder, TODAY)
    assert set(before.codes) <= set(after.codes)
    assert STATUSES.index(after.status) <= STATUSES.index(before.status)


@FAST
@given(rules=rule_sets, facts=evidence(), today=st.dates(dt.date(2024, 1, 1),
                                                         dt.date(2032, 12, 31)))
def test_evaluation_is_deterministic_and_leaves_its_inputs_alone(rules, facts, today):
    kept_facts, kept_rules = copy.deepcopy(facts), config.parse_rules(
        {code: dataclasses.asdict(r) for code, r in rules.modules.items()})
    first = evaluate(facts, rules, today)
    assert evaluate(facts, rules, today) == first
    assert (facts, rules) == (kept_facts, kept_rules)
    assert rules.version == kept_rules.version == first.rules_version
    # Eligible exactly when nothing is missing; every code is one of the engine's.
    assert (first.status == "eligible_for_certification") == (first.missing == ())
    assert set(first.codes) <= {"MISSING_TOT", "TOO_FEW_SESSIONS_LEAD", "TOO_FEW_SESSIONS_CO",
                                "TOO_FEW_VISITS", "REPORT_NOT_ACCEPTED", "NO_RECOMMENDATION",
                                "RECOMMENDATION_DECLINED"}
    assert len(first.codes) == len(set(first.codes))
