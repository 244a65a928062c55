"""Offer rules: each rule kind passes and fails with its coded reason, all failures are
reported together, and bad rules are refused by the schema naming the bad key."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from marshmallow import ValidationError

from services.sponsorship import rules
from services.sponsorship.rules import Facts, Team

TODAY = dt.date(2026, 6, 15)
FACTS = Facts(sme_id="sme-1", sme_province="32", sme_kbli="13111", sme_size_class="small",
              session_province="33", module_code="M1", provider_id="prov-1",
              ilo_supervised=True, price_per_participant=2_500_000,
              team=Team(participants=4, managers=1, workers=3, women=2, men=2), today=TODAY)


def facts(**changes) -> Facts:
    """The SME and session above with ``changes``."""
    return dataclasses.replace(FACTS, **changes)


# (raw rules, facts that pass, facts that fail, the code the failure carries)
CASES = {
    "valid_from": ({"valid_from": "2026-06-15"}, facts(), facts(today=dt.date(2026, 6, 14)),
                   "REASON_OFFER_NOT_YET_VALID"),
    "valid_until": ({"valid_until": "2026-06-15"}, facts(), facts(today=dt.date(2026, 6, 16)),
                    "REASON_OFFER_EXPIRED"),
    "sme_provinces": ({"sme_provinces": ["32", "35"]}, facts(), facts(sme_province="31"),
                      "REASON_SME_PROVINCE_NOT_COVERED"),
    "session_provinces": ({"session_provinces": ["33"]}, facts(), facts(session_province="32"),
                          "REASON_SESSION_PROVINCE_NOT_COVERED"),
    "kbli_prefixes": ({"kbli_prefixes": ["10", "131"]}, facts(), facts(sme_kbli="14111"),
                      "REASON_KBLI_NOT_COVERED"),
    "size_classes": ({"size_classes": ["micro", "small"]}, facts(),
                     facts(sme_size_class="medium"), "REASON_SIZE_CLASS_NOT_COVERED"),
    "modules": ({"modules": ["M1", "M2"]}, facts(), facts(module_code="M3"),
                "REASON_MODULE_NOT_COVERED"),
    "providers": ({"providers": ["prov-1"]}, facts(), facts(provider_id="prov-2"),
                  "REASON_PROVIDER_NOT_COVERED"),
    "smes": ({"smes": ["sme-1", "sme-9"]}, facts(), facts(sme_id="sme-2"),
             "REASON_SME_NOT_LISTED"),
    "ilo_supervised_only": ({"ilo_supervised_only": True}, facts(),
                            facts(ilo_supervised=False), "REASON_NOT_ILO_SUPERVISED"),
    # 1 woman in 3 is 33.3 %: enough for 33 %, not for 34 % (integer arithmetic, no rounding).
    "min_women_percent": ({"min_women_percent": 33},
                          facts(team=Team(3, 1, 2, 1, 2)), facts(team=Team(4, 1, 3, 1, 3)),
                          "REASON_WOMEN_SHARE_BELOW_MIN"),
    "min_managers": ({"min_managers": 2}, facts(team=Team(4, 2, 2, 2, 2)), facts(),
                     "REASON_TOO_FEW_MANAGERS"),
    "min_workers": ({"min_workers": 3}, facts(), facts(team=Team(4, 2, 2, 2, 2)),
                    "REASON_TOO_FEW_WORKERS"),
    "sme_cap seats": ({"sme_cap": {"seats": 8}}, facts(sme_seats_used=7),
                      facts(sme_seats_used=8), "REASON_SME_CAP_REACHED"),
    "sme_cap amount": ({"sme_cap": {"amount": 5_000_000}}, facts(sme_amount_used=4_999_999),
                       facts(sme_amount_used=5_000_000), "REASON_SME_CAP_REACHED"),
}


@pytest.mark.parametrize("kind", CASES)
def test_each_rule_passes_and_fails_with_its_code(kind):
    raw, passing, failing, code = CASES[kind]
    loaded = rules.load_rules(raw)

    assert rules.refusals(loaded, passing) == []
    (reason,) = rules.refusals(loaded, failing)
    assert reason.code == code
    assert reason.detail  # words for the SME, not only a code


def test_the_boundary_day_of_a_window_is_inside_it():
    window = rules.load_rules({"valid_from": "2026-06-15", "valid_until": "2026-06-15"})
    assert rules.refusals(window, facts()) == []


def test_no_rules_refuse_nothing_but_a_free_session_is_never_funded():
    assert rules.refusals({}, facts()) == []
    (reason,) = rules.refusals({}, facts(price_per_participant=0))
    assert reason.code == "REASON_FREE_SESSION"


def test_every_failing_rule_is_reported_together_in_a_stable_order():
    loaded = rules.load_rules({key: raw[key] for raw, *_ in CASES.values() for key in raw
                               if key != "sme_cap"} | {"sme_cap": {"seats": 1}})
    everything_wrong = facts(today=dt.date(2027, 1, 1), sme_province="31",
                             session_province="32", sme_kbli="14111", sme_size_class="large",
                             module_code="M5", provider_id="prov-2", sme_id="sme-2",
                             ilo_supervised=False, team=Team(2, 1, 1, 0, 2),
                             sme_seats_used=1, price_per_participant=0)

    codes = [reason.code for reason in rules.refusals(loaded, everything_wrong)]

    assert codes == [
        "REASON_OFFER_EXPIRED", "REASON_SME_PROVINCE_NOT_COVERED",
        "REASON_SESSION_PROVINCE_NOT_COVERED", "REASON_KBLI_NOT_COVERED",
        "REASON_SIZE_CLASS_NOT_COVERED", "REASON_MODULE_NOT_COVERED",
        "REASON_PROVIDER_NOT_COVERED", "REASON_SME_NOT_LISTED", "REASON_NOT_ILO_SUPERVISED",
        "REASON_WOMEN_SHARE_BELOW_MIN", "REASON_TOO_FEW_MANAGERS", "REASON_TOO_FEW_WORKERS",
        "REASON_SME_CAP_REACHED", "REASON_FREE_SESSION"]


@pytest.mark.parametrize(("raw", "price", "share"), [
    ({}, 2_500_000, 2_500_000),
    ({"share_percent": 50}, 2_500_000, 1_250_000),
    ({"share_percent": 33}, 1_000_001, 330_000),  # rounded down: never a rupiah too many
    ({"cap_per_participant": 1_000_000}, 2_500_000, 1_000_000),
    ({"share_percent": 50, "cap_per_participant": 2_000_000}, 2_500_000, 1_250_000),
    ({"share_percent": 80, "cap_per_participant": 1_500_000}, 2_500_000, 1_500_000),
    ({"share_percent": 1}, 99, 0),
])
def test_the_share_per_participant_is_the_percent_of_the_price_capped(raw, price, share):
    assert rules.share_per_participant(rules.load_rules(raw), price) == share


@pytest.mark.parametrize(("raw", "used", "left"), [
    ({}, {"sme_seats_used": 5, "sme_amount_used": 10}, (None, None)),
    ({"sme_cap": {"seats": 8}}, {"sme_seats_used": 3}, (5, None)),
    ({"sme_cap": {"amount": 5_000_000}}, {"sme_amount_used": 1_250_000}, (None, 3_750_000)),
])
def test_what_the_sme_may_still_get_is_its_cap_minus_its_use(raw, used, left):
    assert rules.sme_cap_left(rules.load_rules(raw), facts(**used)) == left


def test_rules_survive_storage_as_json():
    raw = {"valid_from": "2026-01-01", "valid_until": "2026-12-31", "modules": ["M1"],
           "sme_cap": {"seats": 4}, "ilo_supervised_only": False}
    loaded = rules.load_rules(raw)
    assert loaded["valid_from"] == dt.date(2026, 1, 1)
    assert rules.dump_rules(loaded) == raw
    assert rules.load_rules(rules.dump_rules(loaded)) == loaded


BAD_RULES = [
    ({"max_price": 1}, "max_price"),
    ({"sme_provinces": ["99"]}, "sme_provinces"),
    ({"session_provinces": ["ID-JB"]}, "session_provinces"),
    ({"sme_provinces": []}, "sme_provinces"),
    ({"kbli_prefixes": ["13a"]}, "kbli_prefixes"),
    ({"kbli_prefixes": ["131111"]}, "kbli_prefixes"),
    ({"size_classes": ["huge"]}, "size_classes"),
    ({"modules": ["M6"]}, "modules"),
    ({"providers": [""]}, "providers"),
    ({"share_percent": 0}, "share_percent"),
    ({"share_percent": 101}, "share_percent"),
    ({"share_percent": 50.5}, "share_percent"),
    ({"share_percent": "50"}, "share_percent"),
    ({"cap_per_participant": 0}, "cap_per_participant"),
    ({"cap_per_participant": 10**12 + 1}, "cap_per_participant"),
    ({"min_women_percent": 101}, "min_women_percent"),
    ({"min_managers": 0}, "min_managers"),
    ({"min_workers": -1}, "min_workers"),
    ({"sme_cap": {"seats": 2, "amount": 1_000_000}}, "sme_cap"),
    ({"sme_cap": {}}, "sme_cap"),
    ({"sme_cap": {"seats": 0}}, "sme_cap"),
    ({"sme_cap": {"liters": 3}}, "sme_cap"),
    ({"valid_from": "2026-06-02", "valid_until": "2026-06-01"}, "valid_until"),
    ({"valid_from": "2026-02-30"}, "valid_from"),
    ({"ilo_supervised_only": "true"}, "ilo_supervised_only"),
    ({"ilo_supervised_only": 1}, "ilo_supervised_only"),
]


@pytest.mark.parametrize(("raw", "key"), BAD_RULES, ids=lambda v: str(v))
def test_bad_rules_are_refused_naming_the_key(raw, key):
    with pytest.raises(ValidationError) as refused:
        rules.load_rules(raw)
    assert set(refused.value.messages) == {key}
